/**
 * Daily history that outlives Claude Code's cleanup (`cleanupPeriodDays`,
 * 30 by default, deletes old transcripts). Pure: storing is
 * src/node/live/history-store.ts.
 *
 * Rows are per (session, part, day, model). A part is one file of the
 * session or the session's un-itemised usage:
 * - `main`: the session's main transcript(s), `<session>.jsonl`;
 * - `agent:<stem>`: one subagent transcript (`<session>/subagents/<stem>.jsonl`,
 *   or a loose `agent-*.jsonl`);
 * - `unitemised`: usage Claude Code's `cost-state` reports beyond the
 *   itemised calls (src/core/reconcile.ts), cumulative for the session;
 * - `''`: rows written before parts existed (the whole session).
 *
 * Live and stored rows merge per unit: (session, part, day) for a file's
 * part, so a file still on disk is read live for the days it holds and a
 * file (or day) that is gone is kept from the store; the whole part for
 * `unitemised` (live while the session's main file is) and for `''` (live
 * while any file of the session is). Each dollar is counted once: a unit
 * comes either from the transcripts or from the store, never both, and the
 * live un-itemised usage, which grows when a subagent file is deleted, is
 * reduced by the kept rows of that session.
 */
import type { Engine, Entry, FileState } from './engine';
import { addTokens, emptyTokens, pricedPartsOf, tokenTotal } from './engine';
import { addDays } from './local-day';
import { costOn, type RateCard } from './pricing/rate-card';
import { clampedDifference, reconcileSession } from './reconcile';
import type { DayReport, ModelReport, Report, ReportCache, SessionReport, TokenFields } from './report';
import type { CallTokens } from './transcript/transcript';

export const MAIN_PART = 'main';
export const UNITEMISED_PART = 'unitemised';
/** Rows stored before parts existed: they stand for the whole session. */
export const LEGACY_PART = '';

export interface HistoryRow {
  day: string;
  sessionId: string;
  /** Which file of the session (or its un-itemised usage) the row sums; see the module comment. */
  part: string;
  project: string | null;
  model: string;
  /** Null when the model was unpriced. */
  costUSD: number | null;
  tokens: CallTokens;
  messages: number;
  /** The rate card of a live un-itemised row (never stored): its cost is recomputed when kept rows reduce it. */
  card?: RateCard | null;
}

/** The part a transcript file's calls belong to. */
export function partOfFile(file: Pick<FileState, 'path' | 'role'>): string {
  if (!file.role.subagent) {
    return MAIN_PART;
  }
  const name = file.path.slice(Math.max(file.path.lastIndexOf('/'), file.path.lastIndexOf('\\')) + 1);
  return `agent:${name.endsWith('.jsonl') ? name.slice(0, -'.jsonl'.length) : name}`;
}

/** What the transcripts on disk hold now: rows, and which parts and sessions have a file. */
export interface LiveHistory {
  rows: HistoryRow[];
  /** `session\0part` for every file the engine knows. */
  parts: ReadonlySet<string>;
  /** Sessions with at least one file or row. */
  sessions: ReadonlySet<string>;
}

/** Per-session live rows and their sums, so a live append adds only the new calls (one that lost a call is summed again). Owned by the caller. */
export class HistoryRowsCache {
  /** The engine the sums are of (another one, after a rescan, starts them again). */
  engine: Engine | undefined;
  readonly sessions = new Map<string, { revision: number; project: string | null; rows: HistoryRow[]; sums: Map<string, RowSums>; counted: number; removals: number }>();
}

interface RowSums {
  row: HistoryRow;
  byCard: Map<RateCard | null, CallTokens>;
}

/** Adds a session's kept calls after the first `skip` to its sums per (day, part, model) and card; returns how many calls it went through. */
function addToSums(sums: Map<string, RowSums>, entries: Iterable<Entry>, skip: number, sessionId: string, project: string | null): number {
  let seen = 0;
  for (const e of entries) {
    if (seen++ < skip) {
      continue;
    }
    const part = partOfFile(e.file);
    const key = `${e.day}\u0000${part}\u0000${e.model}`;
    let s = sums.get(key);
    if (!s) {
      s = { row: { day: e.day, sessionId, part, project, model: e.model, costUSD: 0, tokens: emptyTokens(), messages: 0 }, byCard: new Map() };
      sums.set(key, s);
    }
    // A call of several requests is priced request by request (its parts), each on its own card.
    for (const part of pricedPartsOf(e)) {
      let t = s.byCard.get(part.card);
      if (!t) {
        t = emptyTokens();
        s.byCard.set(part.card, t);
      }
      addTokens(t, part.tokens);
    }
    // Main-model calls, as in the report (an advisor inference is not a message).
    if (!e.advisor) {
      s.row.messages++;
    }
  }
  return seen;
}

/** Rows from a session's sums, each priced once per card. */
function rowsOfSums(sums: ReadonlyMap<string, RowSums>): HistoryRow[] {
  const rows: HistoryRow[] = [];
  for (const { row: template, byCard } of sums.values()) {
    const row: HistoryRow = { ...template, costUSD: 0, tokens: emptyTokens() };
    // Card by card in key order: the same calls give the same dollars whatever order they came in.
    const cards = [...byCard].sort((a, b) => ((a[0]?.key ?? '') < (b[0]?.key ?? '') ? -1 : 1));
    for (const [card, t] of cards) {
      addTokens(row.tokens, t);
      if (card === null) {
        row.costUSD = null;
      } else if (row.costUSD !== null) {
        row.costUSD += costOn(card, t);
      }
    }
    rows.push(row);
  }
  return rows;
}

/**
 * The live rows: every kept call of the engine by (session, part, day,
 * model), plus the un-itemised usage of reconciled sessions. `projectOf`
 * names a session's project (the report's `project`); `reports` reuses the
 * report's reconciliations when they are current.
 */
export function liveHistoryRows(engine: Engine, projectOf: (sessionId: string) => string | null, cache?: HistoryRowsCache, reports?: ReportCache): LiveHistory {
  if (cache !== undefined && cache.engine !== engine) {
    cache.sessions.clear();
    cache.engine = engine;
  }
  const files = engine.sessionFiles();
  const parts = new Set<string>();
  for (const [sessionId, list] of files) {
    for (const f of list) {
      parts.add(`${sessionId}\u0000${partOfFile(f)}`);
    }
  }
  const sessions = new Set<string>([...files.keys(), ...engine.sessionIds()]);
  const rows: HistoryRow[] = [];
  for (const sessionId of sessions) {
    const revision = engine.sessionRevision(sessionId);
    const project = projectOf(sessionId);
    const cached = cache?.sessions.get(sessionId);
    if (cached && cached.revision === revision && cached.project === project) {
      rows.push(...cached.rows);
      continue;
    }
    const entries = engine.sessionEntries(sessionId);
    const removals = engine.sessionRemovals(sessionId);
    // Only grown since last time: its new calls are added to the sums it had.
    const grown = cached !== undefined && cached.project === project && cached.removals === removals && cached.counted <= entries.size;
    const sums = grown ? cached.sums : new Map<string, RowSums>();
    const counted = addToSums(sums, entries, grown ? cached.counted : 0, sessionId, project);
    const own = rowsOfSums(sums);
    const fromReport = reports?.sessions.get(sessionId);
    const rec = fromReport && fromReport.revision === revision ? fromReport.reconciliation : reconcileSession(engine, sessionId, files.get(sessionId) ?? []);
    for (const cell of rec?.cells ?? []) {
      for (const [card, t] of cell.byCard) {
        own.push({ day: cell.day, sessionId, part: UNITEMISED_PART, project, model: cell.model, costUSD: card === null ? null : costOn(card, t), tokens: { ...t }, messages: 0, card });
      }
    }
    cache?.sessions.set(sessionId, { revision, project, rows: own, sums, counted, removals });
    rows.push(...own);
  }
  if (cache) {
    for (const id of cache.sessions.keys()) {
      if (!sessions.has(id)) {
        cache.sessions.delete(id);
      }
    }
  }
  return { rows, parts, sessions };
}

/** The unit a row is merged in: see the module comment. */
export function unitOf(r: Pick<HistoryRow, 'sessionId' | 'part' | 'day'>): string {
  return r.part === UNITEMISED_PART ? `${r.sessionId}\u0000${r.part}` : `${r.sessionId}\u0000${r.part}\u0000${r.day}`;
}

export interface MergedHistory {
  rows: HistoryRow[];
  /** Sessions with rows kept only from our stored history (some or all of their transcripts are gone): how many, which, and those rows. */
  keptSessions: number;
  keptSessionIds: ReadonlySet<string>;
  keptRows: HistoryRow[];
  /** First and last day of the kept rows. */
  keptFrom: string | null;
  keptUntil: string | null;
}

/** Whether a stored row's unit is on disk now (then the live rows stand for it). */
function isLive(r: HistoryRow, live: LiveHistory, liveUnits: ReadonlySet<string>): boolean {
  switch (r.part) {
    case LEGACY_PART:
      return live.sessions.has(r.sessionId);
    case UNITEMISED_PART:
      return live.parts.has(`${r.sessionId}\u0000${MAIN_PART}`);
    default:
      return liveUnits.has(unitOf(r));
  }
}

/**
 * Live rows stand for every unit still on disk; stored rows of the other
 * units are kept. A session's live un-itemised usage is reduced by its kept
 * rows (the cost-state counts them; without their file they would count twice).
 */
export function mergeHistory(stored: readonly HistoryRow[], live: LiveHistory): MergedHistory {
  const liveUnits = new Set(live.rows.map(unitOf));
  const kept = stored.filter((r) => !isLive(r, live, liveUnits));
  const keptBySessionModel = new Map<string, CallTokens>();
  for (const r of kept) {
    if (r.part === UNITEMISED_PART || r.part === LEGACY_PART) {
      continue;
    }
    const k = `${r.sessionId}\u0000${r.model}`;
    const t = keptBySessionModel.get(k) ?? emptyTokens();
    addTokens(t, r.tokens);
    keptBySessionModel.set(k, t);
  }
  const rows: HistoryRow[] = [];
  for (const r of live.rows) {
    const less = r.part === UNITEMISED_PART ? keptBySessionModel.get(`${r.sessionId}\u0000${r.model}`) : undefined;
    if (less === undefined) {
      rows.push(r);
      continue;
    }
    const tokens = clampedDifference(r.tokens, less);
    if (tokenTotal(tokens) + tokens.webSearches === 0) {
      continue;
    }
    const card = r.card;
    rows.push({ ...r, tokens, costUSD: card === undefined ? r.costUSD : card === null ? null : costOn(card, tokens) });
  }
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
  return { rows: [...rows, ...kept], keptSessions: keptIds.size, keptSessionIds: keptIds, keptRows: kept, keptFrom: from, keptUntil: until };
}

interface UnitCopy {
  rows: HistoryRow[];
  messages: number;
  tokens: number;
  lastDay: string;
}

function unitsOf(rows: readonly HistoryRow[]): Map<string, UnitCopy> {
  const out = new Map<string, UnitCopy>();
  for (const r of rows) {
    const k = unitOf(r);
    let u = out.get(k);
    if (!u) {
      u = { rows: [], messages: 0, tokens: 0, lastDay: '' };
      out.set(k, u);
    }
    u.rows.push(r);
    u.messages += r.messages;
    u.tokens += tokenTotal(r.tokens) + r.tokens.webSearches;
    u.lastDay = r.day > u.lastDay ? r.day : u.lastDay;
  }
  return out;
}

/**
 * Whether copy `b` of a stored unit wins over copy `a`. A file's day: the
 * copy with more calls, then more tokens (a copy can only have seen more of a
 * file, never made calls up). The un-itemised part, cumulative: the copy of
 * the later cost-state day, then more tokens. A tie keeps `a`.
 */
function betterCopy(part: string, a: UnitCopy, b: UnitCopy): boolean {
  if (part === UNITEMISED_PART && a.lastDay !== b.lastDay) {
    return b.lastDay > a.lastDay;
  }
  if (a.messages !== b.messages) {
    return b.messages > a.messages;
  }
  return b.tokens > a.tokens;
}

/**
 * Two stored copies of the history (the file as just read, and the rows a
 * meter holds) merged unit by unit: a unit in one copy only is kept, a unit
 * in both takes the better copy (`betterCopy`) whole. Rows of the old
 * whole-session form are dropped for a session that has rows by part.
 */
export function unionStored(a: readonly HistoryRow[], b: readonly HistoryRow[]): HistoryRow[] {
  const units = unitsOf(a);
  for (const [k, copy] of unitsOf(b)) {
    const have = units.get(k);
    if (!have || betterCopy(copy.rows[0]?.part ?? '', have, copy)) {
      units.set(k, copy);
    }
  }
  const byPart = new Set<string>();
  for (const u of units.values()) {
    const r = u.rows[0];
    if (r && r.part !== LEGACY_PART) {
      byPart.add(r.sessionId);
    }
  }
  const out: HistoryRow[] = [];
  for (const u of units.values()) {
    for (const r of u.rows) {
      if (r.part !== LEGACY_PART || !byPart.has(r.sessionId)) {
        out.push(r);
      }
    }
  }
  return out;
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

/** Totals of the days `since`..`until` (inclusive) by project and by model, largest first; `isKept` tells the rows that come from the store. */
export function rangeTotals(rows: readonly HistoryRow[], since: string, until: string, isKept: (r: HistoryRow) => boolean = () => false): RangeTotals {
  let cost = 0;
  const projects = new Map<string, number>();
  const models = new Map<string, number | null>();
  let fromHistory = false;
  for (const r of rows) {
    if (r.day < since || r.day > until) {
      continue;
    }
    fromHistory ||= isKept(r);
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

/** What of a session comes from the stored history only (its files, or some days of them, are gone). */
export interface KeptFromHistory {
  costUSD: number;
  /** Calls counted in those rows (priced or not). */
  messages: number;
  /** First and last day of those rows. */
  from: string;
  until: string;
  /** Which parts: `main`, `agent:<stem>`, `unitemised`, or '' (the whole session, stored before parts existed). */
  parts: string[];
}

/** A report's session, with what is kept from history when some of it is. */
export type SessionWithHistory = SessionReport & { keptFromHistory?: KeptFromHistory };

/** A report with the stored history's kept rows counted in it. */
export interface ReportWithHistory extends Report {
  sessions: SessionWithHistory[];
  /** The rows counted from our stored history (transcripts deleted by Claude Code): how many sessions, what they cost, which days. */
  keptFromHistory: { sessions: number; costUSD: number; from: string | null; until: string | null };
}

const TOKEN_KEYS = ['inputTokens', 'outputTokens', 'cacheWrite5mTokens', 'cacheWrite1hTokens', 'cacheReadTokens', 'webSearchRequests'] as const;

function addRowTokens(to: TokenFields, t: CallTokens): void {
  to.inputTokens += t.input;
  to.outputTokens += t.output;
  to.cacheWrite5mTokens += t.write5m;
  to.cacheWrite1hTokens += t.write1h;
  to.cacheReadTokens += t.read;
  to.webSearchRequests += t.webSearches;
}

function zeroFields(): TokenFields {
  return Object.fromEntries(TOKEN_KEYS.map((k) => [k, 0])) as unknown as TokenFields;
}

/**
 * The report with the kept rows (days `since`..`until`) counted in its
 * totals, days, models, projects and sessions: a session partly kept gets
 * its kept dollars added and a `keptFromHistory` part; a session wholly
 * kept is listed with what the rows tell (no context, no per-call detail,
 * its price buckets unknown: zero). Rows are added in a fixed order, so
 * the same rows give the same dollars.
 */
export function withKeptHistory(report: Report, kept: readonly HistoryRow[], since?: string, until?: string): ReportWithHistory {
  const rows = kept
    .filter((r) => (since === undefined || r.day >= since) && (until === undefined || r.day <= until))
    .sort((a, b) => cmpStr(a.sessionId, b.sessionId) || cmpStr(a.part, b.part) || cmpStr(a.day, b.day) || cmpStr(a.model, b.model));
  const totals = { ...report.totals };
  const days = new Map(report.days.map((d) => [d.date, { ...d }]));
  const models = new Map(report.models.map((m) => [m.model, { ...m }]));
  const projects = new Map(report.projects.map((p) => [p.project, { ...p }]));
  const sessions = new Map<string, SessionWithHistory>(report.sessions.map((s) => [s.sessionId, { ...s }]));
  const newSessions = new Set<string>();
  let costUSD = 0;
  const span: { from: string | null; until: string | null } = { from: null, until: null };
  for (const r of rows) {
    const cost = r.costUSD ?? 0;
    costUSD += cost;
    if (span.from === null || r.day < span.from) {
      span.from = r.day;
    }
    if (span.until === null || r.day > span.until) {
      span.until = r.day;
    }
    addKeptCounts(totals, r);
    if (r.part === UNITEMISED_PART) {
      totals.unitemisedCostUSD += cost;
    }
    addKeptToDayAndModel(days, models, r);

    let s = sessions.get(r.sessionId);
    if (!s) {
      s = keptOnlySession(r);
      sessions.set(r.sessionId, s);
      newSessions.add(r.sessionId);
      const p = projects.get(r.project ?? UNKNOWN_PROJECT) ?? { project: r.project ?? UNKNOWN_PROJECT, costUSD: 0, ...zeroFields(), messages: 0, sessions: 0 };
      p.sessions++;
      projects.set(p.project, p);
    }
    addKeptToSession(s, r);
    const p = projects.get(s.project ?? UNKNOWN_PROJECT);
    if (p) {
      p.costUSD += cost;
      addRowTokens(p, r.tokens);
      p.messages += r.messages;
    }
  }
  const byKey = <T>(items: Iterable<T>, key: (t: T) => string): T[] => [...items].sort((a, b) => cmpStr(key(a), key(b)));
  // Live sessions as the report ordered them, then those known only from history, latest day first.
  const wholly = byKey(
    [...newSessions].map((id) => sessions.get(id) as SessionWithHistory),
    (s) => s.sessionId,
  ).sort((a, b) => cmpStr(b.keptFromHistory?.until ?? '', a.keptFromHistory?.until ?? ''));
  return {
    ...report,
    totals,
    sessions: [...report.sessions.map((s) => sessions.get(s.sessionId) as SessionWithHistory), ...wholly],
    days: byKey(days.values(), (d) => d.date),
    models: byKey(models.values(), (m) => m.model),
    projects: byKey(projects.values(), (p) => p.project),
    skipped: { ...report.skipped, unpricedModels: [...new Set([...report.skipped.unpricedModels, ...rows.filter((r) => r.costUSD === null).map((r) => r.model)])].sort() },
    keptFromHistory: { sessions: new Set(rows.map((r) => r.sessionId)).size, costUSD, ...span },
  };
}

/** Adds one kept row's dollars, tokens and messages (priced or not) to a total. */
function addKeptCounts(to: TokenFields & { costUSD: number; messages: number; unpricedMessages: number }, r: HistoryRow): void {
  to.costUSD += r.costUSD ?? 0;
  addRowTokens(to, r.tokens);
  if (r.costUSD === null) {
    to.unpricedMessages += r.messages;
  } else {
    to.messages += r.messages;
  }
}

/** Adds one kept row to its day's and its model's rows (creating them). */
function addKeptToDayAndModel(days: Map<string, DayReport>, models: Map<string, ModelReport>, r: HistoryRow): void {
  const cost = r.costUSD ?? 0;
  let day = days.get(r.day);
  if (!day) {
    day = { date: r.day, costUSD: 0, ...zeroFields(), messages: 0, advisorCalls: 0 };
    days.set(r.day, day);
  }
  day.costUSD += cost;
  addRowTokens(day, r.tokens);
  day.messages += r.messages;
  let model = models.get(r.model);
  if (!model) {
    model = { model: r.model, costUSD: r.costUSD === null ? null : 0, ...zeroFields(), messages: 0, advisorCalls: 0, priced: r.costUSD !== null };
    models.set(r.model, model);
  }
  model.costUSD = model.costUSD === null || r.costUSD === null ? null : model.costUSD + cost;
  model.priced &&= r.costUSD !== null;
  addRowTokens(model, r.tokens);
  model.messages += r.messages;
}

/** A session known only from kept rows: what the rows tell, the rest empty. */
function keptOnlySession(r: HistoryRow): SessionWithHistory {
  return {
    sessionId: r.sessionId, project: r.project, costUSD: 0, subagentCostUSD: 0, bucketCostUSD: { input: 0, output: 0, write5m: 0, write1h: 0, read: 0, webSearch: 0 },
    cacheSavingsUSD: 0, unitemisedCostUSD: null, claudeCodeCostUSD: null, itemisation: 'transcript-only', ...zeroFields(), messages: 0, advisorCalls: 0, subagentMessages: 0,
    unpricedMessages: 0, cacheHitRate: null, contextTokens: null, contextState: 'none', contextWindow: 0, currentModel: null, models: [], subagents: [], firstTimestamp: null,
    lastTimestamp: null,
  };
}

/** Adds one kept row to its session: dollars, tokens, messages, parts and the kept span. */
function addKeptToSession(s: SessionWithHistory, r: HistoryRow): void {
  const cost = r.costUSD ?? 0;
  addKeptCounts(s, r);
  if (r.part.startsWith('agent:')) {
    s.subagentCostUSD += cost;
    s.subagentMessages += r.messages;
  }
  if (r.part === UNITEMISED_PART) {
    s.unitemisedCostUSD = (s.unitemisedCostUSD ?? 0) + cost;
  }
  if (!s.models.includes(r.model)) {
    s.models = [...s.models, r.model].sort();
  }
  const k = s.keptFromHistory;
  s.keptFromHistory = k
    ? { costUSD: k.costUSD + cost, messages: k.messages + r.messages, from: r.day < k.from ? r.day : k.from, until: r.day > k.until ? r.day : k.until, parts: k.parts.includes(r.part) ? k.parts : [...k.parts, r.part] }
    : { costUSD: cost, messages: r.messages, from: r.day, until: r.day, parts: [r.part] };
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
