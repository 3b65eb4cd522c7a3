/**
 * Views of the engine's cells: totals, sessions, days, projects and models.
 * Everything here derives from integer sums; money is computed once per
 * (bucket, rate card) and never rounded.
 */
import { costOn, type RateCard } from './pricing/rate-card';
import { addTokens, contextTokensOf, emptyTokens, pricedPartsOf, promptTokens, type Cell, type Engine, type Entry, type FileState } from './engine';
import type { CallTokens, CostState } from './transcript/transcript';
import { reconcileSession, type Reconciliation } from './reconcile';
import { Sum } from './report-sum';

/** Token fields as they appear in reports. */
export interface TokenFields {
  inputTokens: number;
  outputTokens: number;
  cacheWrite5mTokens: number;
  cacheWrite1hTokens: number;
  cacheReadTokens: number;
  webSearchRequests: number;
}

export interface Totals extends TokenFields {
  /** Includes un-itemised usage (it was billed). */
  costUSD: number;
  /** Itemised priced API calls (assistant lines), de-duplicated: main-model calls. */
  messages: number;
  unpricedMessages: number;
  /** Advisor inferences (`advisor_message` iterations), each itemised under its own model; not in `messages`. */
  advisorCalls: number;
  /** Usage Claude Code reported in `cost-state` beyond the itemised calls (e.g. compaction), priced by our table. */
  unitemisedCostUSD: number;
  /** Sum of Claude Code's own `totalCostUSD` over sessions that have one; null when none has. */
  claudeCodeCostUSD: number | null;
}

/** Whether a session's figures were reconciled with Claude Code's `cost-state`. */
export type Itemisation = 'reconciled' | 'transcript-only';

export type ContextState = 'known' | 'compacted' | 'none';

/** One subagent transcript of a session. */
export interface SubagentReport {
  /** File name stem, e.g. `agent-a388e217ee8995773`. */
  agent: string;
  agentType: string | null;
  description: string | null;
  costUSD: number;
  messages: number;
}

export interface SessionReport extends TokenFields {
  sessionId: string;
  /** The session's working directory (`cwd` field), or null when no line had one. */
  project: string | null;
  costUSD: number;
  subagentCostUSD: number;
  /** The session's cost split by price bucket (input, output, cache writes, cache reads, web search). */
  bucketCostUSD: BucketCosts;
  /** Saved by caching versus no cache: reads x (input - read rate) - writes x (write - input rate). Negative when writes cost more than reads saved. */
  cacheSavingsUSD: number;
  /** Null when the session has no `cost-state` (transcript-only: compaction calls may be missing). */
  unitemisedCostUSD: number | null;
  /** Claude Code's own estimate from its latest `cost-state`, or null. */
  claudeCodeCostUSD: number | null;
  itemisation: Itemisation;
  messages: number;
  /** Advisor inferences of the session (not in `messages`). */
  advisorCalls: number;
  subagentMessages: number;
  unpricedMessages: number;
  /** read / (input + read + writes), subagents included; null with no prompt tokens. */
  cacheHitRate: number | null;
  /** Prompt size of the latest main-chain call; null when unknown (compacted since, or no call). */
  contextTokens: number | null;
  contextState: ContextState;
  contextWindow: number;
  /** Model of the latest main-chain call. */
  currentModel: string | null;
  models: string[];
  subagents: SubagentReport[];
  firstTimestamp: string | null;
  lastTimestamp: string | null;
}

export interface DayReport extends TokenFields {
  date: string;
  costUSD: number;
  messages: number;
  advisorCalls: number;
}

export interface ModelReport extends TokenFields {
  model: string;
  /** Null when the model is unpriced (never a silent $0). */
  costUSD: number | null;
  messages: number;
  /** Advisor inferences under this model (not in `messages`). */
  advisorCalls: number;
  priced: boolean;
}

export interface ProjectReport extends TokenFields {
  project: string;
  costUSD: number;
  messages: number;
  sessions: number;
}

export interface Report {
  totals: Totals;
  sessions: SessionReport[];
  days: DayReport[];
  models: ModelReport[];
  projects: ProjectReport[];
  skipped: { malformedLines: number; syntheticLines: number; unpricedModels: string[] };
  timeZone: string;
  priceTableAsOf: string;
}

/**
 * Per-session derived data (context, reconciliation, subagents) keyed by the
 * session's revision, so a live view that rebuilds the report after an append
 * recomputes only the sessions that changed. Owned by the caller.
 */
export class ReportCache {
  readonly sessions = new Map<string, { revision: number; key: string; facts: SessionFacts; reconciliation: Reconciliation | undefined; subagents: SubagentReport[] }>();
}

export interface ReportOptions {
  /** Inclusive local-day bounds, `YYYY-MM-DD`. */
  since?: string | undefined;
  until?: string | undefined;
  /** Forces every session's context window (tokens). */
  contextWindowOverride?: number | undefined;
  /** Reuse per-session results between builds of a live view. */
  cache?: ReportCache | undefined;
}

const DEFAULT_WINDOW = 200_000;
const LARGE_WINDOW = 1_000_000;

/** Dollars per price bucket. */
export interface BucketCosts {
  input: number;
  output: number;
  write5m: number;
  write1h: number;
  read: number;
  webSearch: number;
}

/** cache read / whole prompt, or null when there was no prompt. */
export function cacheHitRate(t: CallTokens): number | null {
  const prompt = promptTokens(t);
  return prompt > 0 ? t.read / prompt : null;
}

function inRange(day: string, o: ReportOptions): boolean {
  return (o.since === undefined || day >= o.since) && (o.until === undefined || day <= o.until);
}

function getOrAdd<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
}

/** Facts of a session that do not depend on the date range. */
export interface SessionFacts {
  project: string | null;
  contextTokens: number | null;
  contextState: ContextState;
  contextWindow: number;
  currentModel: string | null;
  latestMain: Entry | undefined;
  maxPrompt: number;
  firstMs: number;
  lastMs: number;
}

/** Each session's files, as the engine gives them. */
type SessionFiles = ReturnType<Engine['sessionFiles']>;

/** Context, window, project and time span of one session (docs/transcript-format.md §7.1, §7.2). */
export function sessionFacts(
  engine: Engine,
  sessionId: string,
  contextWindowOverride?: number,
  filesBySession: SessionFiles = engine.sessionFiles(),
): SessionFacts {
  let latestMain: Entry | undefined;
  let maxPrompt = 0;
  let firstMs = Infinity;
  let lastMs = -Infinity;
  let cwdFromCalls: string | undefined;
  for (const e of engine.sessionEntries(sessionId)) {
    const ts = e.raw.timestampMs;
    firstMs = Math.min(firstMs, ts);
    lastMs = Math.max(lastMs, ts);
    if (!e.sidechain && !e.advisor) {
      const prompt = contextTokensOf(e);
      if (prompt > 0) {
        maxPrompt = Math.max(maxPrompt, prompt);
        if (!latestMain || ts > latestMain.raw.timestampMs || (ts === latestMain.raw.timestampMs && e.offset > latestMain.offset)) {
          latestMain = e;
        }
      }
      cwdFromCalls ??= e.raw.cwd;
    }
  }
  let project: string | null = null;
  let lastCompact = -Infinity;
  for (const file of filesBySession.get(sessionId) ?? []) {
    if (!file.role.subagent) {
      project ??= file.cwd ?? null;
      for (const c of file.compacts) {
        lastCompact = Math.max(lastCompact, c.timestampMs);
      }
    }
  }
  project ??= cwdFromCalls ?? null;
  if (project === null) {
    for (const e of engine.sessionEntries(sessionId)) {
      if (e.raw.cwd) {
        project = e.raw.cwd;
        break;
      }
    }
  }
  let contextState: ContextState = 'none';
  let contextTokens: number | null = null;
  if (latestMain) {
    if (lastCompact > latestMain.raw.timestampMs) {
      contextState = 'compacted';
    } else {
      contextState = 'known';
      contextTokens = contextTokensOf(latestMain);
    }
  } else if (lastCompact > -Infinity) {
    contextState = 'compacted';
  }
  const currentModel = latestMain ? latestMain.model : null;
  let contextWindow: number;
  if (contextWindowOverride !== undefined && contextWindowOverride > 0) {
    contextWindow = contextWindowOverride;
  } else {
    const modelWindow = latestMain ? engine.options.prices.contextWindow(latestMain.raw.model) : null;
    contextWindow = modelWindow ?? DEFAULT_WINDOW;
    if (maxPrompt > DEFAULT_WINDOW && contextWindow < LARGE_WINDOW) {
      contextWindow = LARGE_WINDOW;
    }
  }
  return { project, contextTokens, contextState, contextWindow, currentModel, latestMain, maxPrompt, firstMs, lastMs };
}

function sortedBy<T>(items: T[], key: (t: T) => string): T[] {
  return items.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** A session's facts, reconciliation and subagents: from `options.cache` when still current, else computed (and cached). */
function sessionDerived(engine: Engine, sessionId: string, options: ReportOptions, filesBySession: SessionFiles) {
  const revision = engine.sessionRevision(sessionId);
  const key = `${options.contextWindowOverride ?? ''}`;
  const cached = options.cache?.sessions.get(sessionId);
  if (cached && cached.revision === revision && cached.key === key) {
    return cached;
  }
  const files = filesBySession.get(sessionId) ?? [];
  const fresh = {
    revision,
    key,
    facts: sessionFacts(engine, sessionId, options.contextWindowOverride, filesBySession),
    reconciliation: reconcileSession(engine, sessionId, files),
    subagents: subagentsOf(engine, sessionId),
  };
  options.cache?.sessions.set(sessionId, fresh);
  return fresh;
}

/**
 * Fills `options.cache` for the sessions `ids[from, …)` until `budgetMs` has
 * passed; returns where it stopped. A live view calls it across several turns
 * of the event loop before its first `buildReport`, which then finds every
 * session's results ready instead of computing them all in one block.
 * `now` is the caller's clock (the core reads none).
 */
export function prepareSessions(engine: Engine, ids: readonly string[], from: number, options: ReportOptions & { cache: ReportCache }, budgetMs: number, now: () => number): number {
  const filesBySession = engine.sessionFiles();
  const started = now();
  let i = from;
  while (i < ids.length && now() - started < budgetMs) {
    sessionDerived(engine, ids[i] as string, options, filesBySession);
    i++;
  }
  return i;
}

/** One session's sums: all its cells, its subagents', and those Claude Code's cost-state adds un-itemised. */
interface SessionSums {
  all: Sum;
  sub: Sum;
  unitemised: Sum;
  models: Set<string>;
}

/** One session's line of the report, from its sums, its Claude Code cost-state (if any) and its facts. */
function sessionReportOf(sessionId: string, s: SessionSums, state: CostState | undefined, facts: SessionFacts, subagents: SubagentReport[]): SessionReport {
  return {
    sessionId,
    project: facts.project,
    costUSD: s.all.cost,
    subagentCostUSD: s.sub.cost,
    bucketCostUSD: { ...s.all.buckets },
    cacheSavingsUSD: s.all.cacheSavings,
    unitemisedCostUSD: state ? s.unitemised.cost : null,
    claudeCodeCostUSD: state?.totalCostUSD ?? null,
    itemisation: state ? 'reconciled' : 'transcript-only',
    ...s.all.fields(),
    messages: s.all.messages,
    advisorCalls: s.all.advisorCalls,
    subagentMessages: s.sub.messages + s.sub.unpricedMessages,
    unpricedMessages: s.all.unpricedMessages,
    cacheHitRate: cacheHitRate(s.all.tokens),
    contextTokens: facts.contextTokens,
    contextState: facts.contextState,
    contextWindow: facts.contextWindow,
    currentModel: facts.currentModel,
    models: [...s.models].sort(),
    subagents,
    firstTimestamp: Number.isFinite(facts.firstMs) ? new Date(facts.firstMs).toISOString() : null,
    lastTimestamp: Number.isFinite(facts.lastMs) ? new Date(facts.lastMs).toISOString() : null,
  };
}

/** The lines skipped across the engine's files. */
function skippedLinesOf(engine: Engine): { malformedLines: number; syntheticLines: number } {
  let malformedLines = 0;
  let syntheticLines = 0;
  for (const f of engine.allFiles()) {
    malformedLines += f.malformedLines;
    syntheticLines += f.syntheticLines;
  }
  return { malformedLines, syntheticLines };
}

/** The report's days, models and projects, each sorted by its name. */
function rollupsOf(days: Map<string, Sum>, models: Map<string, { sum: Sum; priced: boolean }>, projects: Map<string, { sum: Sum; sessions: number }>): Pick<Report, 'days' | 'models' | 'projects'> {
  return {
  days: sortedBy(
    [...days].map(([date, sum]) => ({ date, costUSD: sum.cost, ...sum.fields(), messages: sum.messages + sum.unpricedMessages, advisorCalls: sum.advisorCalls })),
    (d) => d.date,
  ),
  models: sortedBy(
    [...models].map(([model, { sum, priced }]) => ({
      model,
      costUSD: priced ? sum.cost : null,
      ...sum.fields(),
      messages: sum.messages + sum.unpricedMessages,
      advisorCalls: sum.advisorCalls,
      priced,
    })),
    (m) => m.model,
  ),
  projects: sortedBy(
    [...projects].map(([project, { sum, sessions: n }]) => ({
      project,
      costUSD: sum.cost,
      ...sum.fields(),
      messages: sum.messages + sum.unpricedMessages,
      sessions: n,
    })),
    (p) => p.project,
  ),
  };
}

/** Builds the full report from the engine's current state. */
export function buildReport(engine: Engine, options: ReportOptions = {}): Report {
  const totals = new Sum();
  const days = new Map<string, Sum>();
  const models = new Map<string, { sum: Sum; priced: boolean }>();
  const sessions = new Map<string, SessionSums>();
  const unpriced = new Set<string>();
  const filesBySession = engine.sessionFiles();
  const costStates = new Map<string, CostState>();
  const pseudoCells: Cell[] = [];
  const ranged = options.since !== undefined || options.until !== undefined;
  const derived = (sessionId: string) => sessionDerived(engine, sessionId, options, filesBySession);
  for (const sessionId of filesBySession.keys()) {
    const rec = derived(sessionId).reconciliation;
    if (rec) {
      costStates.set(sessionId, rec.state);
      pseudoCells.push(...rec.cells);
    }
  }
  // Each cell is priced once, then added to its day, model, session and the totals.
  const add = (cell: Cell, unitemised: boolean): void => {
    if (!inRange(cell.day, options)) {
      return;
    }
    const priced = !cell.byCard.has(null);
    const sum = new Sum();
    sum.addCell(cell);
    totals.add(sum);
    getOrAdd(days, cell.day, () => new Sum()).add(sum);
    getOrAdd(models, cell.model, () => ({ sum: new Sum(), priced })).sum.add(sum);
    if (!priced) {
      unpriced.add(cell.model);
    }
    const s = getOrAdd(sessions, cell.sessionId, () => ({ all: new Sum(), sub: new Sum(), unitemised: new Sum(), models: new Set<string>() }));
    s.all.add(sum);
    s.models.add(cell.model);
    if (cell.sidechain) {
      s.sub.add(sum);
    }
    if (unitemised) {
      s.unitemised.add(sum);
    }
  };
  for (const cell of engine.allCells()) {
    add(cell, false);
  }
  for (const cell of pseudoCells) {
    add(cell, true);
  }

  const sessionReports: SessionReport[] = [];
  const projects = new Map<string, { sum: Sum; sessions: number }>();
  let unitemisedTotal = 0;
  let claudeCodeTotal: number | null = null;
  // In the order of their ids: the sums across sessions below (floats) then do not depend on the order the scan merged files in.
  for (const [sessionId, s] of [...sessions].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const state = costStates.get(sessionId);
    unitemisedTotal += s.unitemised.cost;
    if (state?.totalCostUSD !== undefined) {
      claudeCodeTotal = (claudeCodeTotal ?? 0) + state.totalCostUSD;
    }
    const facts = derived(sessionId).facts;
    sessionReports.push(sessionReportOf(sessionId, s, state, facts, ranged ? subagentsOf(engine, sessionId, options) : derived(sessionId).subagents));
    const p = getOrAdd(projects, facts.project ?? '(unknown project)', () => ({ sum: new Sum(), sessions: 0 }));
    p.sessions++;
    p.sum.add(s.all);
  }
  // Latest first; sessions with the same last timestamp by id (the sort is stable, and they come sorted by id).
  sessionReports.sort((a, b) => ((a.lastTimestamp ?? '') < (b.lastTimestamp ?? '') ? 1 : (a.lastTimestamp ?? '') > (b.lastTimestamp ?? '') ? -1 : 0));

  const { malformedLines, syntheticLines } = skippedLinesOf(engine);
  return {
    totals: {
      costUSD: totals.cost,
      ...totals.fields(),
      messages: totals.messages,
      unpricedMessages: totals.unpricedMessages,
      advisorCalls: totals.advisorCalls,
      unitemisedCostUSD: unitemisedTotal,
      claudeCodeCostUSD: claudeCodeTotal,
    },
    sessions: sessionReports,
    ...rollupsOf(days, models, projects),
    skipped: { malformedLines, syntheticLines, unpricedModels: [...unpriced].sort() },
    timeZone: engine.days.timeZone,
    priceTableAsOf: engine.options.prices.asOf,
  };
}

/** Per subagent file: its kept calls in range, priced per rate card. */
export function subagentsOf(engine: Engine, sessionId: string, options: ReportOptions = {}): SubagentReport[] {
  const byFile = new Map<FileState, { cards: Map<RateCard | null, CallTokens>; messages: number }>();
  for (const e of engine.sessionEntries(sessionId)) {
    if (!e.file.role.subagent || !inRange(e.day, options)) {
      continue;
    }
    const f = getOrAdd(byFile, e.file, () => ({ cards: new Map<RateCard | null, CallTokens>(), messages: 0 }));
    for (const part of pricedPartsOf(e)) {
      addTokens(
        getOrAdd(f.cards, part.card, () => emptyTokens()),
        part.tokens,
      );
    }
    if (!e.advisor) {
      f.messages++;
    }
  }
  const out: SubagentReport[] = [];
  for (const [file, f] of byFile) {
    let cost = 0;
    for (const [card, t] of f.cards) {
      if (card) {
        cost += costOn(card, t);
      }
    }
    const base = file.path.split(/[\\/]/).pop() ?? file.path;
    out.push({
      agent: base.replace(/\.jsonl$/, ''),
      agentType: file.agentMeta?.agentType ?? null,
      description: file.agentMeta?.description ?? null,
      costUSD: cost,
      messages: f.messages,
    });
  }
  return out.sort((a, b) => b.costUSD - a.costUSD);
}
