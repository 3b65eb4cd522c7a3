/**
 * Our own copy of the daily history (src/core/history.ts), so that the
 * 7/30/90-day views and exports survive Claude Code deleting old
 * transcripts. One small JSON file in our storage folder (the extension's
 * global storage, the CLI's cache folder), never under Claude's folders.
 *
 * It is the only copy of what Claude Code has deleted, so:
 * - a save is read–merge–write under a lock file in the folder (with
 *   stale-lock recovery): any number of windows, and the CLI, each merge
 *   their rows into what is on disk now and never drop each other's;
 * - the file is replaced atomically and durably (temp file, fsync, rename,
 *   fsync of the folder); a failed write leaves the previous file as it was;
 * - a damaged, foreign or newer-version file, or one with malformed rows,
 *   is never overwritten: its bytes are first copied aside as
 *   `history-v1.damaged-<time>.json` (the newest few are kept), and the
 *   rows that can be read from it are kept;
 * - a file that cannot be read (other than missing) blocks saving until it
 *   can be read or has been set aside.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LEGACY_PART, mergeHistory, unionStored, type HistoryRow, type LiveHistory } from '../../core/history';
import { processAlive, removeStaleTemps, writeAtomically } from '../scan/index-store';

import { HISTORY_FILE } from './history-file';

export { HISTORY_FILE };
export const HISTORY_LOCK = `${HISTORY_FILE}.lock`;
const VERSION = 1;
/** How many set-aside files are kept (the oldest beyond are removed). */
export const KEEP_SET_ASIDE = 5;
const SET_ASIDE = /^history-v1\.damaged-.+\.json$/;

/** day, session, project, model, cost, input, output, write5m, write1h, read, webSearches, messages[, part] (rows without a part are of the whole session). */
type StoredRow = [string, string, string | null, string, number | null, number, number, number, number, number, number, number, string?];

interface StoredHistory {
  version: number;
  savedAt: string;
  rows: StoredRow[];
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function rowOf(v: unknown): HistoryRow | undefined {
  if (!Array.isArray(v) || (v.length !== 12 && v.length !== 13)) {
    return undefined;
  }
  const [day, sessionId, project, model, cost, input, output, write5m, write1h, read, webSearches, messages, part] = v as unknown[];
  if (typeof day !== 'string' || !DAY.test(day) || typeof sessionId !== 'string' || typeof model !== 'string') {
    return undefined;
  }
  if (project !== null && typeof project !== 'string') {
    return undefined;
  }
  if (cost !== null && (typeof cost !== 'number' || !Number.isFinite(cost) || cost < 0)) {
    return undefined;
  }
  if (![input, output, write5m, write1h, read, webSearches, messages].every(isCount)) {
    return undefined;
  }
  if (part !== undefined && typeof part !== 'string') {
    return undefined;
  }
  return {
    day,
    sessionId,
    part: part ?? LEGACY_PART,
    project,
    model,
    costUSD: cost,
    tokens: { input: input as number, output: output as number, write5m: write5m as number, write1h: write1h as number, read: read as number, webSearches: webSearches as number },
    messages: messages as number,
  };
}

function storedRow(r: HistoryRow): StoredRow {
  const row: StoredRow = [r.day, r.sessionId, r.project, r.model, r.costUSD, r.tokens.input, r.tokens.output, r.tokens.write5m, r.tokens.write1h, r.tokens.read, r.tokens.webSearches, r.messages];
  if (r.part !== LEGACY_PART) {
    row.push(r.part);
  }
  return row;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The rows as stored: in a stable order, so equal histories give equal text. */
function rowsJson(rows: readonly HistoryRow[]): string {
  const sorted = [...rows].sort((a, b) => cmp(a.sessionId, b.sessionId) || cmp(a.part, b.part) || cmp(a.day, b.day) || cmp(a.model, b.model));
  return JSON.stringify(sorted.map(storedRow));
}

/**
 * Rows read from a file that does not parse (cut short by a crash or a full
 * disk): every complete row of the `rows` array up to the damage. Only for
 * a file that says it is of our version.
 */
function recoverRows(text: string): { rows: HistoryRow[]; malformed: number } {
  const rows: HistoryRow[] = [];
  let malformed = 0;
  const version = /^\s*\{\s*"version"\s*:\s*(\d+)/.exec(text);
  const start = text.indexOf('"rows"');
  const open = start < 0 ? -1 : text.indexOf('[', start);
  if (!version || Number(version[1]) !== VERSION || open < 0) {
    return { rows, malformed };
  }
  let i = open + 1;
  for (;;) {
    while (i < text.length && (text[i] === ',' || text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) {
      i++;
    }
    if (text[i] !== '[') {
      return { rows, malformed };
    }
    // A row is a flat array: its end is the first ']' outside a string.
    let j = i + 1;
    let inString = false;
    for (; j < text.length; j++) {
      const c = text[j];
      if (inString) {
        if (c === '\\') {
          j++;
        } else if (c === '"') {
          inString = false;
        }
      } else if (c === '"') {
        inString = true;
      } else if (c === ']' || c === '[') {
        break;
      }
    }
    if (text[j] !== ']') {
      return { rows, malformed }; // cut short inside this row
    }
    let value: unknown;
    try {
      value = JSON.parse(text.slice(i, j + 1));
    } catch {
      value = undefined;
    }
    const row = rowOf(value);
    if (row) {
      rows.push(row);
    } else {
      malformed++;
    }
    i = j + 1;
  }
}

/** The file as read: what it holds, and why it cannot simply be replaced, if so. */
export type HistoryRead =
  | { state: 'missing'; rows: HistoryRow[] }
  | { state: 'ok'; rows: HistoryRow[]; text: string }
  /** Not ours as it stands (corrupt, another version, malformed rows, a folder in its place): `rows` are those that could be read. */
  | { state: 'damaged'; rows: HistoryRow[]; reason: string }
  /** Exists but cannot be read now (permissions, I/O): nothing may replace it. */
  | { state: 'unreadable'; rows: HistoryRow[]; reason: string };

/** Reads the history file; never throws. */
export function readHistoryFile(dir: string): HistoryRead {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, HISTORY_FILE), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      return { state: 'missing', rows: [] };
    }
    if (code === 'EISDIR') {
      return { state: 'damaged', rows: [], reason: 'a folder is in its place' };
    }
    return { state: 'unreadable', rows: [], reason: `it cannot be read (${code ?? String(err)})` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const recovered = recoverRows(text);
    return { state: 'damaged', rows: recovered.rows, reason: `it is damaged (cut short or corrupt; ${recovered.rows.length} row(s) recovered)` };
  }
  const v = value as Partial<StoredHistory> | null;
  if (!v || typeof v !== 'object' || typeof v.version !== 'number' || !Array.isArray(v.rows)) {
    return { state: 'damaged', rows: [], reason: 'it is not a history file of ours' };
  }
  if (v.version !== VERSION) {
    return { state: 'damaged', rows: [], reason: `it is of ${v.version > VERSION ? 'a newer' : 'another'} version (${v.version})` };
  }
  const rows: HistoryRow[] = [];
  let bad = 0;
  for (const r of v.rows) {
    const row = rowOf(r);
    if (row) {
      rows.push(row);
    } else {
      bad++;
    }
  }
  return bad > 0 ? { state: 'damaged', rows, reason: `${bad} of its rows are malformed` } : { state: 'ok', rows, text };
}

export interface LoadedHistory {
  rows: HistoryRow[];
  /** What is wrong with the file, for the log; undefined when all is well. Nothing is changed on disk until the next save. */
  problem: string | undefined;
}

/** Reads the stored history for a start, and removes temp files a killed save left. */
export function loadHistory(dir: string): LoadedHistory {
  removeStaleTemps(dir, HISTORY_FILE);
  const read = readHistoryFile(dir);
  switch (read.state) {
    case 'missing':
    case 'ok':
      return { rows: read.rows, problem: undefined };
    case 'damaged':
      return { rows: read.rows, problem: `the history file ${path.join(dir, HISTORY_FILE)} is not usable as it stands: ${read.reason}; it will be set aside (not overwritten) at the next save` };
    case 'unreadable':
      return { rows: [], problem: `the history file ${path.join(dir, HISTORY_FILE)} is not readable: ${read.reason}; nothing is saved until it is` };
    default: {
      const never: never = read;
      return never;
    }
  }
}

/** Why a save did not happen. `unreadable` and `write` are told to the user; `busy` is retried quietly. */
export class HistorySaveError extends Error {
  constructor(
    readonly kind: 'unreadable' | 'busy' | 'write',
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

export interface SaveOptions {
  now?: Date;
  /** How long to wait for another writer's lock, ms (default 5 s). */
  lockWaitMs?: number;
  /** A lock older than this is stale whoever holds it, ms (default 30 s). */
  staleLockMs?: number;
}

export interface SaveOutcome {
  /** The rows now on disk (merged). */
  rows: HistoryRow[];
  /** False when the merge changed nothing (the file was left untouched). */
  written: boolean;
  /** The file the damaged one was copied to, when one was set aside. */
  setAside: string | undefined;
  /** Why it was set aside. */
  setAsideReason: string | undefined;
}

const sleepSync = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

interface LockInfo {
  pid: number;
  host: string;
  nonce: string;
}

function readLock(file: string): { text: string; info: Partial<LockInfo> | undefined; mtimeMs: number } | undefined {
  try {
    const text = fs.readFileSync(file, 'utf8');
    const mtimeMs = fs.statSync(file).mtimeMs;
    let info: Partial<LockInfo> | undefined;
    try {
      info = JSON.parse(text) as Partial<LockInfo>;
    } catch {
      info = undefined;
    }
    return { text, info, mtimeMs };
  } catch {
    return undefined;
  }
}

/** A lock left by a process that is gone (this machine), or held far longer than any save takes. */
function isStale(lock: { info: Partial<LockInfo> | undefined; mtimeMs: number }, staleMs: number, nowMs: number): boolean {
  const age = nowMs - lock.mtimeMs;
  if (age > staleMs) {
    return true;
  }
  const info = lock.info;
  if (info === undefined) {
    // Created, its content not yet written (or torn by a crash): give the writer a moment.
    return age > 2_000;
  }
  return info.host === os.hostname() && typeof info.pid === 'number' && !processAlive(info.pid);
}

/**
 * Takes the lock file of the history folder, waiting up to `waitMs` for
 * another writer; a stale lock is taken over. Returns the release function.
 */
export function lockHistory(dir: string, waitMs = 5_000, staleMs = 30_000): () => void {
  return lockFile(path.join(dir, HISTORY_LOCK), waitMs, staleMs, 'another window is saving the history');
}

/**
 * Takes the lock file `file` (created exclusively, holding pid, host and a
 * nonce), waiting up to `waitMs` for its holder; a stale lock (its process
 * gone, or older than `staleMs`) is taken over. Throws `HistorySaveError`
 * 'busy' when still held after `waitMs`. Returns the release function.
 */
export function lockFile(file: string, waitMs: number, staleMs: number, busy: string): () => void {
  const nonce = crypto.randomBytes(8).toString('hex');
  const mine = JSON.stringify({ pid: process.pid, host: os.hostname(), nonce, at: new Date().toISOString() });
  const deadline = Date.now() + waitMs;
  let pause = 2;
  for (;;) {
    try {
      const fd = fs.openSync(file, 'wx');
      try {
        fs.writeSync(fd, mine);
      } catch (err) {
        fs.closeSync(fd);
        fs.rmSync(file, { force: true });
        throw err;
      }
      fs.closeSync(fd);
      return () => {
        const now = readLock(file);
        if (now?.info?.nonce === nonce) {
          fs.rmSync(file, { force: true });
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw err;
      }
    }
    const held = readLock(file);
    if (held !== undefined && isStale(held, staleMs, Date.now())) {
      // Taken over by a rename to a name of our own: of two takers, one gets it.
      const aside = `${file}.${nonce}.stale`;
      try {
        fs.renameSync(file, aside);
        const taken = readLock(aside);
        if (taken !== undefined && taken.text !== held.text) {
          // A fresh lock replaced the stale one meanwhile: given back.
          try {
            fs.linkSync(aside, file);
          } catch {
            // Someone else holds it now; theirs stands.
          }
        }
        fs.rmSync(aside, { force: true });
      } catch {
        // Another taker was first.
      }
      continue;
    }
    if (Date.now() >= deadline) {
      throw new HistorySaveError('busy', `${busy} (lock ${file})`);
    }
    sleepSync(pause);
    pause = Math.min(pause * 2, 50);
  }
}

/** A time for a file name (no ':' for Windows). */
function stamp(now: Date): string {
  return now.toISOString().replace(/:/g, '-');
}

/** Keeps the damaged file's bytes (or the folder in its place) beside it, and only the newest few such files. */
function setAside(dir: string, now: Date): string {
  const from = path.join(dir, HISTORY_FILE);
  let name = `history-v1.damaged-${stamp(now)}.json`;
  for (let n = 2; fs.existsSync(path.join(dir, name)); n++) {
    name = `history-v1.damaged-${stamp(now)}-${n}.json`;
  }
  const to = path.join(dir, name);
  if (fs.statSync(from).isDirectory()) {
    fs.renameSync(from, to);
  } else {
    // Copied, not renamed: the file stays in place until the new one replaces it atomically.
    writeAtomically(dir, name, fs.readFileSync(from), true);
  }
  const old = fs
    .readdirSync(dir)
    .filter((f) => SET_ASIDE.test(f))
    .sort();
  for (const f of old.slice(0, Math.max(0, old.length - KEEP_SET_ASIDE))) {
    fs.rmSync(path.join(dir, f), { recursive: true, force: true });
  }
  return to;
}

/**
 * Saves the history: under the folder's lock, reads the file as it is now,
 * gives its rows to `merge`, and writes what `merge` returns, unless that is
 * what the file holds already. A damaged file is set aside first (its
 * readable rows go to `merge`). Throws a HistorySaveError when the file
 * cannot be read, the lock cannot be had, or the write fails; the previous
 * file is then as it was.
 */
export function saveHistory(dir: string, merge: (onDisk: readonly HistoryRow[]) => HistoryRow[], options: SaveOptions = {}): SaveOutcome {
  const now = options.now ?? new Date();
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw writeError(dir, err);
  }
  let release: () => void;
  try {
    release = lockHistory(dir, options.lockWaitMs, options.staleLockMs);
  } catch (err) {
    throw err instanceof HistorySaveError ? err : writeError(dir, err);
  }
  try {
    const read = readHistoryFile(dir);
    if (read.state === 'unreadable') {
      throw new HistorySaveError('unreadable', `the history file in ${dir} cannot be read, so it is not replaced: ${read.reason}`);
    }
    const rows = merge(read.rows);
    const json = rowsJson(rows);
    if (read.state === 'ok' && rowsJson(read.rows) === json) {
      return { rows: read.rows, written: false, setAside: undefined, setAsideReason: undefined };
    }
    let aside: string | undefined;
    try {
      if (read.state === 'damaged') {
        aside = setAside(dir, now);
      }
      writeAtomically(dir, HISTORY_FILE, `{"version":${VERSION},"savedAt":${JSON.stringify(now.toISOString())},"rows":${json}}`, true);
    } catch (err) {
      throw writeError(dir, err);
    }
    return { rows, written: true, setAside: aside, setAsideReason: read.state === 'damaged' ? read.reason : undefined };
  } finally {
    release();
  }
}

/**
 * The save of a meter or of the CLI: the file as it is now, united with the
 * rows this process holds (`held`: what it loaded or saved last), then its
 * live rows over both. What is returned is what this process should hold next.
 */
export function saveMergedHistory(dir: string, held: readonly HistoryRow[], live: LiveHistory, options: SaveOptions = {}): SaveOutcome {
  const outcome = saveHistory(dir, (onDisk) => mergeHistory(unionStored(onDisk, held), live).rows, options);
  // Live un-itemised rows carry their rate card for the merge; it is no part of what is held.
  return { ...outcome, rows: outcome.rows.map((r) => (r.card === undefined ? r : { ...r, card: undefined })) };
}

function writeError(dir: string, err: unknown): HistorySaveError {
  const code = (err as NodeJS.ErrnoException).code;
  const why = code === 'ENOSPC' ? 'the disk is full' : code === 'EROFS' ? 'the folder is read-only' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : err instanceof Error ? err.message : String(err);
  return new HistorySaveError('write', `could not save the history in ${dir}: ${why}; the previous file is kept and the save will be tried again later`, code);
}
