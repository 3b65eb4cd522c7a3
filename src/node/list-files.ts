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

/**
 * Every `*.jsonl` under a `projects/` folder, recursively. Symlinked folders
 * are followed once (a loop is visited once); unreadable folders are reported,
 * not thrown.
 */
export function listTranscriptFiles(projectsDir: string, problems: ListProblem[] = [], symlinkedDirs?: Map<string, string>): TranscriptFile[] {
  const out: TranscriptFile[] = [];
  const seenDirs = new Set<string>();
  const seenFiles = new Set<string>();
  // `knownReal`: the real path, when the parent's is known and this entry is
  // no symlink (then it is the parent's real path + the name: no syscall).
  const walk = (dir: string, rel: string, knownReal?: string): void => {
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
    if (symlinkedDirs && real !== dir && !symlinkedDirs.has(real)) {
      symlinkedDirs.set(real, dir); // a folder reached through a symlink: its real path -> the path we use
    }
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      problems.push({ path: dir, message: describeError(err) });
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
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
        walk(full, childRel, entry.isSymbolicLink() ? undefined : path.join(real, entry.name));
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
  };
  walk(projectsDir, '');
  return out;
}

export function describeError(err: unknown): string {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') {
    const message = 'message' in err && typeof err.message === 'string' ? err.message : err.code;
    return message;
  }
  return String(err);
}
