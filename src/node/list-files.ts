/**
 * Finding transcript files: every `*.jsonl` under a `projects/` folder, with
 * its size, mtime and inode. Only `fs` and `path`, so the CLI's warm start
 * can load it without the parser.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface TranscriptFile {
  /** Absolute path. */
  path: string;
  /** Path relative to its `projects/` folder, `/`-separated. */
  relativePath: string;
  projectsDir: string;
  size: number;
  mtimeMs: number;
  ino: number;
}

export interface ListProblem {
  path: string;
  message: string;
}

export interface ListOptions {
  /**
   * Called with each folder just before it is read (the path it is known
   * by): a watcher set up here sees every file created after the listing
   * read the folder, and the listing every file created before.
   */
  onDir?: ((dir: string) => void) | undefined;
}

/**
 * Every `*.jsonl` under a `projects/` folder, recursively. Symlinked folders
 * are followed once (a loop is visited once); unreadable folders are reported,
 * not thrown.
 */
export function listTranscriptFiles(projectsDir: string, problems: ListProblem[] = [], options: ListOptions = {}): TranscriptFile[] {
  const walk = walkTranscripts(projectsDir, problems, options);
  for (let step = walk.next(); ; step = walk.next()) {
    if (step.done) {
      return step.value;
    }
  }
}

/**
 * The same listing, in slices of at most about `sliceMs` with the event loop
 * turning between them: for the extension host, which a synchronous walk of
 * a large history would hold for tens of milliseconds.
 */
export async function listTranscriptFilesSliced(projectsDir: string, problems: ListProblem[] = [], options: ListOptions = {}, sliceMs = 8): Promise<TranscriptFile[]> {
  const walk = walkTranscripts(projectsDir, problems, options);
  let started = Date.now();
  for (let step = walk.next(); ; step = walk.next()) {
    if (step.done) {
      return step.value;
    }
    if (Date.now() - started >= sliceMs) {
      await new Promise((r) => setImmediate(r));
      started = Date.now();
    }
  }
}

/** The walk behind both listings: pauses (yields) after each folder. */
function* walkTranscripts(projectsDir: string, problems: ListProblem[], options: ListOptions): Generator<void, TranscriptFile[]> {
  const out: TranscriptFile[] = [];
  const seenDirs = new Set<string>();
  const seenFiles = new Set<string>();
  const { onDir } = options;
  // `knownReal`: the real path, when the parent's is known and this entry is
  // no symlink (then it is the parent's real path + the name: no syscall).
  function* walk(dir: string, rel: string, knownReal?: string): Generator<void> {
    let real: string;
    try {
      real = knownReal ?? fs.realpathSync.native(dir);
    } catch (err) {
      problems.push({ path: dir, message: describeError(err) });
      return;
    }
    if (seenDirs.has(real)) {
      return;
    }
    seenDirs.add(real);
    onDir?.(dir);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      problems.push({ path: dir, message: describeError(err) });
      return;
    }
    const subdirs: Array<[string, string, string | undefined]> = [];
    // `dir` is normalised (a joined path) and a name has no separator: plain
    // concatenation is path.join without its normalising pass.
    const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
    for (const entry of entries) {
      const full = prefix + entry.name;
      const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const st = fs.statSync(full);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch {
          continue;
        }
      }
      if (isDir) {
        subdirs.push([full, childRel, entry.isSymbolicLink() ? undefined : (real.endsWith(path.sep) ? real : real + path.sep) + entry.name]);
      } else if (isFile && entry.name.endsWith('.jsonl')) {
        try {
          const st = fs.statSync(full);
          // One file reached through two symlinked folders is read once.
          const id = `${st.dev}:${st.ino}`;
          if (st.isFile() && !seenFiles.has(id)) {
            seenFiles.add(id);
            out.push({ path: full, relativePath: childRel, projectsDir, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino });
          }
        } catch (err) {
          problems.push({ path: full, message: describeError(err) });
        }
      }
    }
    yield;
    for (const [full, childRel, childReal] of subdirs) {
      yield* walk(full, childRel, childReal);
    }
  }
  yield* walk(path.normalize(projectsDir), '');
  return out;
}

export function describeError(err: unknown): string {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') {
    const message = 'message' in err && typeof err.message === 'string' ? err.message : err.code;
    return message;
  }
  return String(err);
}
