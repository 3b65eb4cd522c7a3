/**
 * Daily history that outlives Claude Code's cleanup (`cleanupPeriodDays`,
 * 30 by default, deletes old transcripts). Rows are per (day, session,
 * model): a session still on disk is always taken from the transcripts; a
 * session that is gone is kept from our stored rows. Pure: storing is
 * src/node/history-store.ts.
 */
import type { Cell, Engine } from './engine';
import { addTokens, emptyTokens } from './engine';
import { addDays } from './local-day';
import { costOn } from './pricing/rate-card';
import { reconcileSession } from './reconcile';
import type { Report, ReportCache } from './report';
import type { CallTokens } from './transcript/transcript';

export interface HistoryRow {
  day: string;
  sessionId: string;
  project: string | null;
  model: string;
  /** Null when the model was unpriced. */
  costUSD: number | null;
  tokens: CallTokens;
  messages: number;
}

/** The live rows: every cell of the engine plus the un-itemised usage of reconciled sessions. */
export function liveHistoryRows(engine: Engine, report: Report, cache: ReportCache | undefined): HistoryRow[] {
  const projectOf = new Map(report.sessions.map((s) => [s.sessionId, s.project]));
  const rows = new Map<string, HistoryRow>();
  const pseudo: Cell[] = [];
  const files = engine.sessionFiles();
  for (const sessionId of files.keys()) {
    const cached = cache?.sessions.get(sessionId);
    const rec = cached && cached.revision === engine.sessionRevision(sessionId) ? cached.reconciliation : reconcileSession(engine, sessionId, files.get(sessionId) ?? []);
    if (rec) {
      pseudo.push(...rec.cells);
    }
  }
  for (const cell of [...engine.allCells(), ...pseudo]) {
    const key = `${cell.day}\u0000${cell.sessionId}\u0000${cell.model}`;
    let row = rows.get(key);
    if (!row) {
      row = { day: cell.day, sessionId: cell.sessionId, project: projectOf.get(cell.sessionId) ?? null, model: cell.model, costUSD: 0, tokens: emptyTokens(), messages: 0 };
      rows.set(key, row);
    }
    for (const [card, t] of cell.byCard) {
      addTokens(row.tokens, t);
      if (card === null) {
        row.costUSD = null;
      } else if (row.costUSD !== null) {
        row.costUSD += costOn(card, t);
      }
    }
    row.messages += cell.messages;
  }
  return [...rows.values()];
}

export interface MergedHistory {
  rows: HistoryRow[];
  /** Sessions known only from our stored history (their transcripts are gone): how many, which, and their rows. */
  keptSessions: number;
  keptSessionIds: ReadonlySet<string>;
  keptRows: HistoryRow[];
  /** First and last day of those sessions' rows. */
  keptFrom: string | null;
  keptUntil: string | null;
}

/** Live rows win for every session still on disk; stored rows of other sessions are kept. */
export function mergeHistory(stored: readonly HistoryRow[], live: readonly HistoryRow[]): MergedHistory {
  const liveSessions = new Set(live.map((r) => r.sessionId));
  const kept = stored.filter((r) => !liveSessions.has(r.sessionId));
  const keptIds = new Set(kept.map((r) => r.sessionId));
  let from: string | null = null;
  let until: string | null = null;
  for (const r of kept) {
    if (from === null || r.day < from) {
      from = r.day;
    }
    if (until === null || r.day > until) {
      until = r.day;
    }
  }
  return { rows: [...live, ...kept], keptSessions: keptIds.size, keptSessionIds: keptIds, keptRows: kept, keptFrom: from, keptUntil: until };
}

/** Cost per day (unpriced rows count as 0 here; they are flagged elsewhere). */
export function dailyCost(rows: readonly HistoryRow[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of rows) {
    out.set(r.day, (out.get(r.day) ?? 0) + (r.costUSD ?? 0));
  }
  return out;
}

export interface RangeTotals {
  since: string;
  until: string;
  costUSD: number;
  byProject: Array<{ name: string; costUSD: number }>;
  /** Null cost for an unpriced model. */
  byModel: Array<{ name: string; costUSD: number | null }>;
  /** Rows in the range that come only from stored history. */
  fromHistory: boolean;
}

const UNKNOWN_PROJECT = '(unknown project)';

/** Totals of the days `since`..`until` (inclusive) by project and by model, largest first. */
export function rangeTotals(rows: readonly HistoryRow[], since: string, until: string, keptSessionIds: ReadonlySet<string> = new Set()): RangeTotals {
  let cost = 0;
  const projects = new Map<string, number>();
  const models = new Map<string, number | null>();
  let fromHistory = false;
  for (const r of rows) {
    if (r.day < since || r.day > until) {
      continue;
    }
    fromHistory ||= keptSessionIds.has(r.sessionId);
    const c = r.costUSD ?? 0;
    cost += c;
    const p = r.project ?? UNKNOWN_PROJECT;
    projects.set(p, (projects.get(p) ?? 0) + c);
    const m = models.get(r.model);
    models.set(r.model, r.costUSD === null || m === null ? null : (m ?? 0) + c);
  }
  return {
    since,
    until,
    costUSD: cost,
    byProject: [...projects].map(([name, costUSD]) => ({ name, costUSD })).sort((a, b) => b.costUSD - a.costUSD || (a.name < b.name ? -1 : 1)),
    byModel: [...models].map(([name, costUSD]) => ({ name, costUSD })).sort((a, b) => (b.costUSD ?? -1) - (a.costUSD ?? -1) || (a.name < b.name ? -1 : 1)),
    fromHistory,
  };
}

export interface StackedDays {
  days: string[];
  /** One series per group, largest total first; the rest folded into "other". */
  series: Array<{ name: string; costUSD: number[] }>;
}

/** Daily cost for `days` consecutive days ending `until`, stacked by model or project (at most `maxGroups` + "other"). */
export function stackedDaily(rows: readonly HistoryRow[], until: string, days: number, by: 'model' | 'project', maxGroups = 6): StackedDays {
  const dayList: string[] = [];
  for (let i = days - 1; i >= 0; i--) {
    dayList.push(addDays(until, -i));
  }
  const index = new Map(dayList.map((d, i) => [d, i]));
  const groups = new Map<string, number[]>();
  for (const r of rows) {
    const i = index.get(r.day);
    if (i === undefined || r.costUSD === null) {
      continue;
    }
    const name = by === 'model' ? r.model : (r.project ?? UNKNOWN_PROJECT);
    let g = groups.get(name);
    if (!g) {
      g = new Array<number>(dayList.length).fill(0);
      groups.set(name, g);
    }
    g[i] = (g[i] ?? 0) + r.costUSD;
  }
  const total = (v: number[]) => v.reduce((a, b) => a + b, 0);
  const sorted = [...groups].sort((a, b) => total(b[1]) - total(a[1]) || (a[0] < b[0] ? -1 : 1));
  const series = sorted.slice(0, maxGroups).map(([name, costUSD]) => ({ name, costUSD }));
  const rest = sorted.slice(maxGroups);
  if (rest.length > 0) {
    const other = new Array<number>(dayList.length).fill(0);
    for (const [, v] of rest) {
      v.forEach((x, i) => (other[i] = (other[i] ?? 0) + x));
    }
    series.push({ name: `other (${rest.length})`, costUSD: other });
  }
  return { days: dayList, series };
}
