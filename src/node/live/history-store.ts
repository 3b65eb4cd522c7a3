/**
 * Our own copy of the daily history (src/core/history.ts), so that the
 * 7/30/90-day views and exports survive Claude Code deleting old
 * transcripts. One small JSON file in our storage folder (the extension's
 * global storage, the CLI's cache folder), never under Claude's folders,
 * written atomically. A corrupt or foreign file is set aside, never trusted.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HistoryRow } from '../../core/history';
import { writeAtomically } from '../scan/index-store';

export const HISTORY_FILE = 'history-v1.json';
const VERSION = 1;

type StoredRow = [string, string, string | null, string, number | null, number, number, number, number, number, number, number];

interface StoredHistory {
  version: number;
  savedAt: string;
  rows: StoredRow[];
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function rowOf(v: unknown): HistoryRow | undefined {
  if (!Array.isArray(v) || v.length !== 12) {
    return undefined;
  }
  const [day, sessionId, project, model, cost, input, output, write5m, write1h, read, webSearches, messages] = v as unknown[];
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
  return {
    day,
    sessionId,
    project,
    model,
    costUSD: cost,
    tokens: { input: input as number, output: output as number, write5m: write5m as number, write1h: write1h as number, read: read as number, webSearches: webSearches as number },
    messages: messages as number,
  };
}

export interface LoadedHistory {
  rows: HistoryRow[];
  /** Why nothing (or not everything) was loaded, for the log; undefined when all is well. */
  problem: string | undefined;
}

/** Reads the stored history; a missing file is an empty history, a bad one is reported and ignored. */
export function loadHistory(dir: string): LoadedHistory {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, HISTORY_FILE), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { rows: [], problem: code === 'ENOENT' ? undefined : `history not readable (${code ?? String(err)})` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { rows: [], problem: 'history file is corrupt; starting a new one' };
  }
  const v = value as Partial<StoredHistory> | null;
  if (!v || typeof v !== 'object' || v.version !== VERSION || !Array.isArray(v.rows)) {
    return { rows: [], problem: 'history file is of another version; starting a new one' };
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
  return { rows, problem: bad > 0 ? `${bad} history row(s) were malformed and skipped` : undefined };
}

/** Writes the history atomically (temp file + rename). */
export function saveHistory(dir: string, rows: readonly HistoryRow[], now: Date = new Date()): void {
  const stored: StoredHistory = {
    version: VERSION,
    savedAt: now.toISOString(),
    rows: rows.map((r) => [r.day, r.sessionId, r.project, r.model, r.costUSD, r.tokens.input, r.tokens.output, r.tokens.write5m, r.tokens.write1h, r.tokens.read, r.tokens.webSearches, r.messages]),
  };
  writeAtomically(dir, HISTORY_FILE, JSON.stringify(stored));
}
