/**
 * The persisted index that makes a warm start cheap (docs/architecture.md trap 3).
 *
 * It stores, per transcript file, what the engine took from it (the parsed
 * usage, boundary and cost-state lines, with their byte offsets) and where
 * reading stopped, keyed by path, size, mtime and inode. On start an entry is
 * trusted only while its file is unchanged; an appended file is read from its
 * offset; anything else is read again. Global de-duplication still happens in
 * the engine, so a warm start gives exactly the cold result.
 *
 * It lives in our own folder (the extension's global storage, the CLI's cache
 * folder), never under Claude's. It is written atomically (temp + rename); a
 * corrupt, foreign or version-mismatched index is rebuilt, never trusted.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Engine, FileState } from '../../core/engine';
import { callTokens, type AgentMeta, type CallIterations, type CallTokens, type CompactBoundary, type CostState, type ParsedLine, type RawCall } from '../../core/transcript/transcript';
import type { CursorState } from './file-cursor';
import { isStoredListing, type StoredListing } from './list-files';

/** Bump whenever the stored shape or the meaning of a parsed line changes. */
export const INDEX_VERSION = 5;
const INDEX_FILE = 'index-v5.json';

type CallRow = [
  offset: number,
  messageId: string | null,
  requestId: string | null,
  lineSessionId: string | null,
  agentId: string | null,
  sidechain: 0 | 1,
  model: string,
  timestampMs: number,
  input: number,
  output: number,
  write5m: number,
  write1h: number,
  read: number,
  webSearches: number,
  fast: 0 | 1,
  geoUs: 0 | 1,
  cwd: string | null,
  /** The line's iterations that count (`RawCall.iterations`), only on the rare lines that have them. */
  iterations?: CallIterations,
];

export interface StoredFile {
  cursor: CursorState;
  cwd: string | null;
  lineSessionId: string | null;
  malformed: number;
  synthetic: number;
  agentMeta: AgentMeta | null;
  calls: CallRow[];
  compacts: Array<[offset: number, boundary: CompactBoundary]>;
  costStates: Array<[offset: number, state: CostState]>;
}

export interface StoredIndex {
  version: number;
  /** Identifies the engine build that wrote it (price table date, format). */
  engineKey: string;
  files: Record<string, StoredFile>;
  /** The last full report, reused when no file changed at all (with the warnings it gave). */
  report: { key: string; fingerprint: string; json: string; warnings?: string[]; listing?: StoredListing | undefined } | null;
}

/** Default cache folder of the CLI: `$XDG_CACHE_HOME/claude-code-cost-meter` or `~/.cache/...`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.trim() !== '' ? env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
  return path.join(base, 'claude-code-cost-meter');
}

/** True when `dir` is inside one of the Claude folders (where we must never write). */
export function isInside(dir: string, parents: readonly string[]): boolean {
  const d = path.resolve(dir);
  return parents.some((p) => {
    const rel = path.relative(path.resolve(p), d);
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  });
}

function toRow(offset: number, c: RawCall): CallRow {
  const t = c.tokens;
  const row: CallRow = [
    offset,
    c.messageId ?? null,
    c.requestId ?? null,
    c.lineSessionId ?? null,
    c.agentId ?? null,
    c.sidechain ? 1 : 0,
    c.model,
    c.timestampMs,
    t.input,
    t.output,
    t.write5m,
    t.write1h,
    t.read,
    t.webSearches,
    c.fast ? 1 : 0,
    c.geoUs ? 1 : 0,
    c.cwd ?? null,
  ];
  if (c.iterations !== undefined) {
    row.push(c.iterations);
  }
  return row;
}

function fromRow(r: CallRow): { offset: number; call: RawCall } {
  const tokens = callTokens(r[8], r[9], r[10], r[11], r[12], r[13]);
  const call: RawCall = {
    messageId: r[1] ?? undefined,
    requestId: r[2] ?? undefined,
    lineSessionId: r[3] ?? undefined,
    agentId: r[4] ?? undefined,
    sidechain: r[5] === 1,
    model: r[6],
    timestampMs: r[7],
    tokens,
    fast: r[14] === 1,
    geoUs: r[15] === 1,
    cwd: r[16] ?? undefined,
  };
  const iterations = r[17];
  if (iterations !== undefined) {
    const t = (x: CallTokens): CallTokens => callTokens(x.input, x.output, x.write5m, x.write1h, x.read, x.webSearches);
    call.iterations = { requests: iterations.requests.map(t), advisors: iterations.advisors.map((a) => ({ ...a, tokens: t(a.tokens) })) };
  }
  return { offset: r[0], call };
}

/**
 * Records what a file contributed, as it is parsed, so it can be stored.
 * Wraps the engine's ingest for one file.
 */
export class FileRecorder {
  readonly calls: CallRow[] = [];
  readonly compacts: Array<[number, CompactBoundary]> = [];
  readonly costStates: Array<[number, CostState]> = [];

  record(parsed: ParsedLine, offset: number): void {
    if (parsed.kind === 'call') {
      this.calls.push(toRow(offset, parsed.call));
    } else if (parsed.kind === 'compact') {
      this.compacts.push([offset, parsed.boundary]);
    } else if (parsed.kind === 'cost-state') {
      this.costStates.push([offset, parsed.state]);
    }
  }
}

/** The stored form of a file the engine has read completely up to `cursor`. */
export function storedFile(file: FileState, cursor: CursorState, recorder: FileRecorder, previous?: StoredFile): StoredFile {
  return {
    cursor,
    cwd: file.cwd ?? null,
    lineSessionId: file.lineSessionId ?? null,
    malformed: file.malformedLines,
    synthetic: file.syntheticLines,
    agentMeta: file.agentMeta ?? null,
    calls: previous ? [...previous.calls, ...recorder.calls] : recorder.calls,
    compacts: previous ? [...previous.compacts, ...recorder.compacts] : recorder.compacts,
    costStates: previous ? [...previous.costStates, ...recorder.costStates] : recorder.costStates,
  };
}

/** Replays a stored file into the engine, in offset order. */
export function replayStoredFile(engine: Engine, filePath: string, stored: StoredFile): FileState {
  const file = engine.openFile(filePath, stored.cursor.relativePath);
  file.cwd = stored.cwd ?? undefined;
  file.lineSessionId = stored.lineSessionId ?? undefined;
  file.agentMeta = stored.agentMeta ?? undefined;
  type Item = { offset: number; parsed: ParsedLine };
  const items: Item[] = [];
  for (const row of stored.calls) {
    const { offset, call } = fromRow(row);
    items.push({ offset, parsed: { kind: 'call', call } });
  }
  for (const [offset, boundary] of stored.compacts) {
    items.push({ offset, parsed: { kind: 'compact', boundary, cwd: undefined } });
  }
  for (const [offset, state] of stored.costStates) {
    items.push({ offset, parsed: { kind: 'cost-state', state, cwd: undefined } });
  }
  if (stored.compacts.length > 0 || stored.costStates.length > 0) {
    items.sort((a, b) => a.offset - b.offset);
  }
  for (const it of items) {
    engine.ingest(file, it.parsed, it.offset);
  }
  if (stored.malformed > 0) {
    engine.countMalformed(file, stored.malformed);
  }
  file.syntheticLines = stored.synthetic;
  return file;
}

function isStoredIndex(v: unknown, engineKey: string): v is StoredIndex {
  if (typeof v !== 'object' || v === null) {
    return false;
  }
  const o = v as Partial<StoredIndex>;
  return o.version === INDEX_VERSION && o.engineKey === engineKey && typeof o.files === 'object' && o.files !== null;
}

/** A stored file is usable only if its shape is right; checked lazily, per file. */
export function isUsableStoredFile(s: unknown): s is StoredFile {
  if (typeof s !== 'object' || s === null) {
    return false;
  }
  const f = s as Partial<StoredFile>;
  const c = f.cursor;
  return (
    typeof c === 'object' &&
    c !== null &&
    typeof c.offset === 'number' &&
    typeof c.size === 'number' &&
    typeof c.mtimeMs === 'number' &&
    typeof c.ino === 'number' &&
    typeof c.relativePath === 'string' &&
    Array.isArray(f.calls) &&
    Array.isArray(f.compacts) &&
    Array.isArray(f.costStates) &&
    typeof f.malformed === 'number' &&
    typeof f.synthetic === 'number' &&
    f.calls.every((r) => Array.isArray(r) && r.length === 17 && typeof r[0] === 'number' && typeof r[6] === 'string' && typeof r[7] === 'number')
  );
}

export interface LoadResult {
  index: StoredIndex | undefined;
  /** Why the index was not used, when it was not. */
  rejected: string | undefined;
}

/** Loads the index; anything unreadable, corrupt or from another version is rejected. */
export function loadIndex(dir: string, engineKey: string): LoadResult {
  const file = path.join(dir, INDEX_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return { index: undefined, rejected: 'none yet' };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { index: undefined, rejected: 'corrupt (not JSON)' };
  }
  if (!isStoredIndex(value, engineKey)) {
    return { index: undefined, rejected: 'another version' };
  }
  return { index: value, rejected: undefined };
}

/** The temp file names `writeAtomically` uses for `name`: `.<name>.<pid>.<hex>.tmp`. */
function tempPattern(name: string): RegExp {
  return new RegExp(`^\\.${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d+)\\.[0-9a-f]+\\.tmp$`);
}

/** Whether a process of this machine with that id is running (EPERM: it is, and not ours). */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) {
    return true;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temp files of `name` left by a write that never finished (its
 * process killed, or the disk full): those of a process no longer running,
 * or older than `maxAgeMs` whoever wrote them. Returns how many went.
 */
export function removeStaleTemps(dir: string, name: string, maxAgeMs = 3_600_000, nowMs = Date.now()): number {
  const pattern = tempPattern(name);
  let removed = 0;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return 0;
  }
  for (const n of names) {
    const m = pattern.exec(n);
    if (!m) {
      continue;
    }
    const file = path.join(dir, n);
    try {
      if (!processAlive(Number(m[1])) || nowMs - fs.statSync(file).mtimeMs > maxAgeMs) {
        fs.rmSync(file, { force: true });
        removed++;
      }
    } catch {
      // Gone meanwhile, or not ours to remove: left as it is.
    }
  }
  return removed;
}

/** fsync of a folder, so a rename in it is on disk; a platform that cannot (Windows) is no error. */
function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // EISDIR/EPERM/EINVAL where folders cannot be opened or synced.
  } finally {
    if (fd !== undefined) {
      fs.closeSync(fd);
    }
  }
}

/**
 * Replaces `dir/name` with `text` so that a reader always sees the old file
 * or the new one, never a mix: a temp file beside it, then a rename. A write
 * that fails (disk full, read-only folder) removes its temp file and leaves
 * the old file as it was. `durable`: the temp file is flushed to disk before
 * the rename and the folder after it, so a power loss cannot leave an empty
 * file either (for the history, which has no other copy; the index is a
 * cache that is rebuilt when lost).
 */
export function writeAtomically(dir: string, name: string, text: string | Uint8Array, durable = false): void {
  fs.mkdirSync(dir, { recursive: true });
  const temp = path.join(dir, `.${name}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = fs.openSync(temp, 'wx');
    const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    let at = 0;
    while (at < bytes.length) {
      at += fs.writeSync(fd, bytes, at, bytes.length - at);
    }
    if (durable) {
      fs.fsyncSync(fd);
    }
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(temp, path.join(dir, name));
  } catch (err) {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        // already failing: the first error is the one to report
      }
    }
    fs.rmSync(temp, { force: true });
    throw err;
  }
  if (durable) {
    syncFolder(dir);
  }
}

export const REPORT_FILE = 'report-v5.json';
/** Older report files of ours, removed when a new one is written (v4: its listing had no file sizes, mtimes and inodes). */
const OLD_REPORT_FILES = ['report-v3.json', 'report-v4.json'];

/**
 * Writes the index atomically (temp file + rename). The last report goes to a
 * small file of its own, so a warm start with nothing changed never parses
 * the index: one header line (what it was made from, its warnings), then the
 * report's JSON as printed, which is never parsed to be printed again.
 */
export function saveIndex(dir: string, index: StoredIndex): void {
  removeStaleTemps(dir, INDEX_FILE);
  removeStaleTemps(dir, REPORT_FILE);
  writeAtomically(dir, INDEX_FILE, JSON.stringify({ ...index, report: null }));
  for (const old of OLD_REPORT_FILES) {
    fs.rmSync(path.join(dir, old), { force: true });
  }
  if (index.report) {
    const { json, ...header } = index.report;
    writeAtomically(dir, REPORT_FILE, `${JSON.stringify({ engineKey: index.engineKey, ...header })}\n${json}`);
  } else {
    fs.rmSync(path.join(dir, REPORT_FILE), { force: true });
  }
}

export interface CachedReport {
  json: string;
  warnings: string[];
}

/** The stored report file as read: its header (checked for shape only) and the report as printed. */
export interface StoredReport {
  engineKey: unknown;
  key: unknown;
  fingerprint: unknown;
  warnings: string[];
  /** The listing it was made from, when one was kept (`listForStoring`). */
  listing: StoredListing | undefined;
  /** The report's JSON as printed, in UTF-8: printed again without being decoded. */
  json: Buffer;
}

/** Reads the stored report file; undefined when there is none or it is not one of ours. */
export function readStoredReport(dir: string): StoredReport | undefined {
  try {
    const bytes = fs.readFileSync(path.join(dir, REPORT_FILE));
    const nl = bytes.indexOf(0x0a);
    if (nl < 0) {
      return undefined;
    }
    const v = JSON.parse(bytes.toString('utf8', 0, nl)) as { engineKey?: unknown; key?: unknown; fingerprint?: unknown; warnings?: unknown; listing?: unknown };
    const json = bytes.subarray(nl + 1);
    if (json[0] !== 0x7b) {
      return undefined; // not '{'
    }
    return {
      engineKey: v.engineKey,
      key: v.key,
      fingerprint: v.fingerprint,
      warnings: Array.isArray(v.warnings) && v.warnings.every((w) => typeof w === 'string') ? v.warnings : [],
      listing: isStoredListing(v.listing) ? v.listing : undefined,
      json,
    };
  } catch {
    return undefined;
  }
}

/** Whether a stored report answers for this engine, report key and file fingerprint. */
export function storedReportAnswers(r: StoredReport, engineKey: string, key: string, fingerprint: string): boolean {
  return r.engineKey === engineKey && r.key === key && r.fingerprint === fingerprint;
}

/** The stored report when it was made by this engine for this key and file fingerprint. */
export function loadCachedReport(dir: string, engineKey: string, key: string, fingerprint: string): CachedReport | undefined {
  const r = readStoredReport(dir);
  return r && storedReportAnswers(r, engineKey, key, fingerprint) ? { json: r.json.toString('utf8'), warnings: r.warnings } : undefined;
}

/** A fingerprint of the file set: paths, sizes, mtimes and inodes. */
export function fingerprint(files: ReadonlyArray<{ path: string; size: number; mtimeMs: number; ino?: number }>): string {
  // Hashed in one update: the same bytes as one per file, without thousands of calls into the hash.
  const lines: string[] = [];
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    lines.push(`${f.path}\u0000${f.size}\u0000${f.mtimeMs}\u0000${f.ino ?? 0}\n`);
  }
  return crypto.createHash('sha1').update(lines.join('')).digest('hex');
}

/** True when a stored cursor still describes the file on disk exactly. */
export function unchanged(c: CursorState, st: { size: number; mtimeMs: number; ino: number }): boolean {
  return c.size === st.size && c.mtimeMs === st.mtimeMs && c.ino === st.ino;
}

/** True when the file only grew since the cursor (same inode, not shorter). */
export function appendedOnly(c: CursorState, st: { size: number; ino: number }): boolean {
  return c.ino === st.ino && st.size > c.size && c.offset <= st.size;
}

/** Whether `dir` holds an index file at all (a run without one will read everything). */
export function indexExists(dir: string): boolean {
  return fs.existsSync(path.join(dir, INDEX_FILE));
}

/** Identifies the engine and price table that wrote an index. */
export function engineKey(priceTableData: unknown, version: string): string {
  const h = crypto.createHash('sha1').update(JSON.stringify(priceTableData)).digest('hex').slice(0, 16);
  return `${INDEX_VERSION}|${version}|${h}`;
}
