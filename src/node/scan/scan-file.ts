/**
 * Reading one transcript file for the cold scan, in a worker thread (or, for
 * the CLI, on the main thread too): only the lines that matter come back,
 * parsed and thinned (`LineBatchBuilder`), with where reading stopped.
 */
import * as fs from 'node:fs';
import { parseAgentMeta, type AgentMeta, type ParsedLine } from '../../core/transcript/transcript';
import { LineBatchBuilder, type LineBatch } from './call-batch';
import { parseShortened } from './scan';
import { READ_BYTES, readLines, type ReadLinesResult } from './line-splitter';
import { LineKernel } from './line-kernel';
import { tailHashOfFd, type CursorState } from './file-cursor';

export interface ScanRequest {
  files: Array<{ path: string; relativePath: string; subagent: boolean }>;
}

export type ScanMessage =
  | {
      /** A batch of a large file's parsed lines; the file's last batch comes as `file`. */
      type: 'lines';
      path: string;
      relativePath: string;
      lines: LineBatch;
    }
  | {
      type: 'file';
      path: string;
      relativePath: string;
      /** Parsed lines with their byte offsets. */
      lines: LineBatch;
      malformed: number;
      agentMeta: AgentMeta | undefined;
      cursor: CursorState;
      bytes: number;
    }
  | { type: 'error'; path: string; message: string }
  | { type: 'done' };

/**
 * What a scan worker posts: a message, or several in one. Each postMessage
 * costs tens of microseconds on both threads whatever it carries, so the
 * results of small files travel together.
 */
export type ScanPost = ScanMessage | { type: 'batch'; messages: ScanMessage[] };

/** A batch is posted once it holds this many messages (or `BATCH_LINES` lines). */
export const BATCH_MESSAGES = 64;

/** The reading buffer: two reads' worth, so it stays in the CPU cache. */
export const SCAN_CHUNK = 2 * READ_BYTES;

/** What `scanFile` reads through: a `LineKernel` (its SIMD line test), or a plain buffer where WebAssembly is missing. */
export interface ScanBuffer {
  current: Buffer | LineKernel;
  /** The batch builder, reused from file to file. */
  builder?: LineBatchBuilder;
}

/** A reading buffer for a thread's scans (`size` 0: none yet, made on first use). */
export function newScanBuffer(size = SCAN_CHUNK): ScanBuffer {
  return { current: (size > 0 ? LineKernel.create(size) : undefined) ?? Buffer.allocUnsafe(size) };
}

/** Lines per message, so the main thread merges in small slices. */
export const BATCH_LINES = 500;

/** Reads one file; big files also post `lines` batches through `post` before the `file` message returned. */
export function scanFile(path: string, relativePath: string, subagent: boolean, buffer: ScanBuffer, post: (m: ScanMessage) => void): ScanMessage {
  const lines = (buffer.builder ??= new LineBatchBuilder()).startFile(subagent);
  let malformed = 0;
  const sink = {
    parsed(parsed: ParsedLine, offset: number) {
      lines.add(offset, parsed);
      if (lines.size >= BATCH_LINES) {
        post({ type: 'lines', path, relativePath, lines: lines.take() });
      }
    },
    line(text: string, offset: number, full?: () => string) {
      sink.parsed(parseShortened(text, full), offset);
    },
    malformed() {
      malformed++;
    },
  };
  const fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  let st: fs.Stats;
  let r: ReadLinesResult;
  let tailHash: string;
  try {
    st = fs.fstatSync(fd);
    if (!st.isFile()) {
      throw new Error('not a regular file');
    }
    // To the size found now: what is appended meanwhile is read by whoever follows the file from this cursor.
    r = readLines((b, off, len, pos) => fs.readSync(fd, b, off, len, pos), 0, sink, buffer.current, st.size);
    // Keep a buffer grown for a long line: growing it again for every such file leaves the allocator fragmented.
    // (A kernel keeps its own, grown in place.)
    if (!(buffer.current instanceof LineKernel)) {
      buffer.current = r.buffer;
    }
    tailHash = tailHashOfFd(fd, r.consumedOffset, { bytes: r.buffer, ...r.held });
  } finally {
    fs.closeSync(fd);
  }
  const size = r.bytesRead;
  const torn = r.torn;
  let agentMeta: AgentMeta | undefined;
  if (subagent) {
    try {
      agentMeta = parseAgentMeta(fs.readFileSync(path.replace(/\.jsonl$/, '.meta.json'), 'utf8'));
    } catch {
      agentMeta = undefined;
    }
  }
  return {
    type: 'file',
    path,
    relativePath,
    lines: lines.take(),
    malformed,
    agentMeta,
    bytes: size,
    cursor: { path, relativePath, offset: r.consumedOffset, size, mtimeMs: st.mtimeMs, ino: st.ino, torn, tailHash },
  };
}

export function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

