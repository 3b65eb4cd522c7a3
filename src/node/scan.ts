/**
 * Finding transcript files and reading them into the engine.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Engine, FileState } from '../core/engine';
import { parseAgentMeta, parseLine, type ParsedLine } from '../core/transcript';
import { READ_BYTES, readLines, type LineSink, type ReadLinesResult } from './line-splitter';

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

/** Parses a (possibly shortened) line; when the short form does not parse, the whole line. */
export function parseShortened(text: string, full?: () => string): ParsedLine {
  const parsed = parseLine(text);
  return parsed.kind === 'malformed' && full ? parseLine(full()) : parsed;
}

/** A sink that parses candidate lines into the engine. */
export function engineSink(engine: Engine, file: FileState): LineSink {
  return {
    parsed(parsed, offset) {
      engine.ingest(file, parsed, offset);
    },
    line(text, offset, full) {
      engine.ingest(file, parseShortened(text, full), offset);
    },
    malformed() {
      engine.countMalformed(file);
    },
  };
}

export type ReadResult = ReadLinesResult;

/** The reading buffer: two reads' worth, so it stays in the CPU cache (it grows for a longer line). */
const CHUNK_BYTES = 2 * READ_BYTES;

/**
 * Reads `filePath` from `fromOffset` to its current end, feeding complete
 * lines to `sink`. Throws only for I/O errors (the caller reports them).
 */
export function readLinesSync(filePath: string, fromOffset: number, sink: LineSink, buffer?: Buffer): ReadResult {
  const fd = fs.openSync(filePath, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    return readLines((b, off, len, pos) => fs.readSync(fd, b, off, len, pos), fromOffset, sink, buffer ?? Buffer.allocUnsafe(CHUNK_BYTES));
  } finally {
    fs.closeSync(fd);
  }
}

export interface ScanSummary {
  files: number;
  bytes: number;
  tornLines: number;
  problems: ListProblem[];
}

/** Cold scan: lists and reads every transcript under the given `projects/` folders. */
export function scanAllSync(engine: Engine, projectsDirs: readonly string[]): ScanSummary {
  const problems: ListProblem[] = [];
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let files = 0;
  let bytes = 0;
  let tornLines = 0;
  for (const dir of projectsDirs) {
    for (const f of listTranscriptFiles(dir, problems)) {
      const state = engine.openFile(f.path, f.relativePath);
      readAgentMeta(state);
      try {
        const r = readLinesSync(f.path, 0, engineSink(engine, state), buffer);
        files++;
        bytes += r.bytesRead;
        if (r.torn) {
          tornLines++;
          engine.countMalformed(state);
        }
      } catch (err) {
        problems.push({ path: f.path, message: describeError(err) });
      }
    }
  }
  return { files, bytes, tornLines, problems };
}

/** Reads `agent-<id>.meta.json` beside a subagent transcript, if there is one. */
export function readAgentMeta(file: FileState): void {
  if (!file.role.subagent) {
    return;
  }
  try {
    file.agentMeta = parseAgentMeta(fs.readFileSync(file.path.replace(/\.jsonl$/, '.meta.json'), 'utf8'));
  } catch {
    file.agentMeta = undefined;
  }
}
