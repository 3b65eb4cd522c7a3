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
   * Collects every folder walked, with its mtime and inode taken just before
   * it was read (for `StoredListing`).
   */
  dirs?: Array<[path: string, mtimeMs: number, ino: number]> | undefined;
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
      if (options.dirs) {
        // Before reading it: a change made after this stat moves the mtime on.
        const st = fs.statSync(dir);
        options.dirs.push([dir, st.mtimeMs, st.ino]);
      }
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

/** The start of the path of every file the walk finds under `projectsDir` (the walk joins names to it so). */
function rootPrefix(projectsDir: string): string {
  const dir = path.normalize(projectsDir);
  return dir.endsWith(path.sep) ? dir : dir + path.sep;
}

/**
 * A listing kept for the next warm start: the folders walked (mtime and
 * inode before each was read) and the files found, with the size, mtime and
 * inode the walk saw. While no folder has changed, the same files are there:
 * a file added, removed or renamed in a folder changes that folder's mtime,
 * and a folder added, its parent's. So the next start stats the folders and
 * the files, reads no folder, and compares numbers (`checkListing`). Only
 * kept when every folder's mtime was older than the listing by more than
 * `SETTLED_MS` (a change in the same tick of a coarse clock as the mtime
 * seen would leave it unchanged), and the listing had no problem.
 */
export interface StoredListing {
  projectsDirs: string[];
  dirs: Array<[path: string, mtimeMs: number, ino: number]>;
  /** Relative path (`/`-separated), index into `projectsDirs` (the path is the walk's), and the size, mtime and inode it had. */
  files: Array<[relativePath: string, projectsDir: number, size: number, mtimeMs: number, ino: number]>;
}

/** How much older than the listing every folder's mtime must be for the listing to be kept. */
export const SETTLED_MS = 2000;

/**
 * Lists `projectsDirs` as `listTranscriptFiles` does, and also returns the
 * listing to keep (undefined when a folder had changed too recently, or
 * something could not be read).
 */
export function listForStoring(projectsDirs: readonly string[], problems: ListProblem[], nowMs: number = Date.now()): { files: TranscriptFile[]; listing: StoredListing | undefined } {
  const dirs: StoredListing['dirs'] = [];
  const before = problems.length;
  const files = projectsDirs.flatMap((d) => listTranscriptFiles(d, problems, { dirs }));
  const settled = problems.length === before && dirs.every(([, mtimeMs]) => mtimeMs < nowMs - SETTLED_MS);
  if (!settled) {
    return { files, listing: undefined };
  }
  const index = new Map(projectsDirs.map((d, i) => [d, i]));
  return {
    files,
    listing: { projectsDirs: [...projectsDirs], dirs, files: files.map((f) => [f.relativePath, index.get(f.projectsDir) ?? -1, f.size, f.mtimeMs, f.ino]) },
  };
}

/**
 * What a stored listing says now: `same` when the roots are the same, every
 * folder is as it was (mtime and inode) and every file has the size, mtime
 * and inode the listing saw; `files-changed` when only files differ (an
 * append: the folders say the set of files is the same); `folders-changed`
 * when the set of files may differ (list again). Only stats: no folder is
 * read and no file list is built.
 */
export function checkListing(listing: StoredListing, projectsDirs: readonly string[]): 'same' | 'files-changed' | 'folders-changed' {
  if (listing.projectsDirs.length !== projectsDirs.length || listing.projectsDirs.some((d, i) => d !== projectsDirs[i])) {
    return 'folders-changed';
  }
  try {
    return compareListing(listing);
  } catch {
    return 'folders-changed'; // unreadable now: listing again says what
  }
}

function compareListing(listing: StoredListing): 'same' | 'files-changed' | 'folders-changed' {
  for (const [dir, mtimeMs, ino] of listing.dirs) {
    const st = fs.statSync(dir, { throwIfNoEntry: false });
    if (st === undefined || st.mtimeMs !== mtimeMs || st.ino !== ino) {
      return 'folders-changed';
    }
  }
  const prefixes = listing.projectsDirs.map(rootPrefix);
  for (const [relativePath, root, size, mtimeMs, ino] of listing.files) {
    const prefix = prefixes[root];
    if (prefix === undefined) {
      return 'folders-changed';
    }
    const st = fs.statSync(prefix + (path.sep === '/' ? relativePath : relativePath.split('/').join(path.sep)), { throwIfNoEntry: false });
    if (st === undefined || !st.isFile() || st.size !== size || st.mtimeMs !== mtimeMs || st.ino !== ino) {
      return 'files-changed';
    }
  }
  return 'same';
}

/** Whether a value read from disk has the shape of a `StoredListing` (it is checked, never trusted). */
export function isStoredListing(v: unknown): v is StoredListing {
  if (typeof v !== 'object' || v === null) {
    return false;
  }
  const l = v as Partial<StoredListing>;
  return (
    Array.isArray(l.projectsDirs) &&
    l.projectsDirs.every((d) => typeof d === 'string') &&
    Array.isArray(l.dirs) &&
    l.dirs.every((d) => Array.isArray(d) && d.length === 3 && typeof d[0] === 'string' && typeof d[1] === 'number' && typeof d[2] === 'number') &&
    Array.isArray(l.files) &&
    l.files.every((f) => Array.isArray(f) && f.length === 5 && typeof f[0] === 'string' && f.slice(1).every((n) => typeof n === 'number'))
  );
}

export function describeError(err: unknown): string {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') {
    const message = 'message' in err && typeof err.message === 'string' ? err.message : err.code;
    return message;
  }
  return String(err);
}
