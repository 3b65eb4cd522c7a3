/**
 * Reading one transcript incrementally: from its last byte offset, complete
 * lines only, and again from the start when it shrank or was replaced
 * (docs/transcript-format.md §8 rule 4; docs/architecture.md trap 2).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import type { Engine } from '../../core/engine';
import { readAgentMeta, engineSink, parseShortened, readLinesSync } from './scan';
import type { LineSink } from './line-splitter';
import type { FileRecorder } from './index-store';
import type { LineKernel } from './line-kernel';

/** Where reading a file stopped, and which file that was. */
export interface CursorState {
  path: string;
  relativePath: string;
  /** Offset just past the last complete line read. */
  offset: number;
  size: number;
  mtimeMs: number;
  ino: number;
  /** True when the bytes after `offset` are an unterminated line that is not JSON (yet). */
  torn: boolean;
  /** Hash of the bytes just before `offset`: an in-place rewrite that grew is not an append. */
  tailHash?: string | undefined;
}

const TAIL_BYTES = 256;

/** Hash of the (up to) 256 bytes before `offset`, or '' at offset 0. */
export function tailHashAt(path: string, offset: number): string {
  if (offset <= 0) {
    return '';
  }
  const fd = fs.openSync(path, 'r');
  try {
    return tailHashOfFd(fd, offset);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * `tailHashAt` for a file already open (no second open and close per file
 * scanned), from `held` when those bytes are still in memory: `held.bytes`
 * holds the file's bytes from `held.from` on.
 */
export function tailHashOfFd(fd: number, offset: number, held?: { bytes: Buffer; from: number; to: number }): string {
  if (offset <= 0) {
    return '';
  }
  const len = Math.min(TAIL_BYTES, offset);
  if (held && offset - len >= held.from && offset <= held.to) {
    return crypto.createHash('sha1').update(held.bytes.subarray(offset - len - held.from, offset - held.from)).digest('hex');
  }
  const buf = Buffer.allocUnsafe(len);
  fs.readSync(fd, buf, 0, len, offset - len);
  return crypto.createHash('sha1').update(buf).digest('hex');
}

export type CatchUp = 'unchanged' | 'appended' | 'reread' | 'gone';

/**
 * Brings the engine up to date with a file: reads what was appended since
 * `state`, or withdraws the file and reads it again when it shrank or its
 * inode changed. Returns the new state (undefined when the file is gone).
 * `recorder` sees every line read (the live index keeps them).
 */
export function catchUp(
  engine: Engine,
  state: CursorState | undefined,
  path: string,
  relativePath: string,
  buffer?: Buffer | LineKernel,
  recorder?: FileRecorder,
): { state: CursorState | undefined; change: CatchUp } {
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(path);
  } catch {
    st = undefined;
  }
  // Only regular files: opening a FIFO or a device named *.jsonl would block.
  if (!st || !st.isFile()) {
    if (state || engine.file(path)) {
      engine.removeFile(path);
    }
    return { state: undefined, change: 'gone' };
  }
  let from = 0;
  let change: CatchUp = 'reread';
  if (state && state.ino === st.ino && st.size >= state.offset) {
    if (st.size === state.size && st.mtimeMs === state.mtimeMs) {
      return { state, change: 'unchanged' };
    }
    if (state.tailHash === undefined || tailHashAt(path, state.offset) === state.tailHash) {
      from = state.offset;
      change = 'appended';
    } else {
      engine.resetFile(path);
    }
  } else if (state || engine.file(path)) {
    engine.resetFile(path);
  }
  const file = engine.openFile(path, relativePath);
  if (from === 0) {
    readAgentMeta(file);
  }
  const base = engineSink(engine, file);
  const sink: LineSink =
    recorder === undefined
      ? base
      : {
          parsed(parsed, offset) {
            recorder.record(parsed, offset);
            engine.ingest(file, parsed, offset);
          },
          line(text, offset, full) {
            const parsed = parseShortened(text, full);
            recorder.record(parsed, offset);
            engine.ingest(file, parsed, offset);
          },
          malformed() {
            engine.countMalformed(file);
          },
        };
  const r = readLinesSync(path, from, sink, buffer);
  return {
    state: {
      path,
      relativePath,
      offset: r.consumedOffset,
      size: from + r.bytesRead,
      mtimeMs: st.mtimeMs,
      ino: st.ino,
      torn: r.torn,
      tailHash: tailHashAt(path, r.consumedOffset),
    },
    change,
  };
}
