/**
 * Reading one transcript incrementally: from its last byte offset, complete
 * lines only, and again from the start when it shrank or was replaced
 * (transcript-format.md §8 rule 4; design.md trap 2).
 */
import * as fs from 'node:fs';
import type { Engine } from '../core/engine';
import { readAgentMeta, engineSink, readLinesSync } from './scan';

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
}

export type CatchUp = 'unchanged' | 'appended' | 'reread' | 'gone';

/**
 * Brings the engine up to date with a file: reads what was appended since
 * `state`, or withdraws the file and reads it again when it shrank or its
 * inode changed. Returns the new state (undefined when the file is gone).
 */
export function catchUp(engine: Engine, state: CursorState | undefined, path: string, relativePath: string, buffer?: Buffer): { state: CursorState | undefined; change: CatchUp } {
  let st: fs.Stats;
  try {
    st = fs.statSync(path);
  } catch {
    if (state) {
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
    from = state.offset;
    change = 'appended';
  } else if (state || engine.file(path)) {
    engine.resetFile(path);
  }
  const file = engine.openFile(path, relativePath);
  if (from === 0) {
    readAgentMeta(file);
  }
  const r = readLinesSync(path, from, engineSink(engine, file), buffer);
  return {
    state: { path, relativePath, offset: r.consumedOffset, size: from + r.bytesRead, mtimeMs: st.mtimeMs, ino: st.ino, torn: r.torn },
    change,
  };
}
