/**
 * Views of the engine's cells: totals, sessions, days, projects and models.
 * Everything here derives from integer sums; money is computed once per
 * (bucket, rate card) and never rounded.
 */
import { costOn, type RateCard } from './pricing/rate-card';
import { addTokens, emptyTokens, promptTokens, type Cell, type Engine, type Entry, type FileState } from './engine';
import type { CallTokens, CostState } from './transcript/transcript';
import { reconcileSession, type Reconciliation } from './reconcile';

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
  /** Itemised priced API calls (assistant lines), de-duplicated. */
  messages: number;
  unpricedMessages: number;
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
}

export interface ModelReport extends TokenFields {
  model: string;
  /** Null when the model is unpriced (never a silent $0). */
  costUSD: number | null;
  messages: number;
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

function emptyBuckets(): BucketCosts {
  return { input: 0, output: 0, write5m: 0, write1h: 0, read: 0, webSearch: 0 };
}

/**
 * Integer sums plus their cost, for one group of cells. The tokens are kept
 * per rate card as integers, and the dollars computed from them once, card by
 * card in the order of their keys: the same cells give the same dollars to
 * the last bit, in whatever order the scan merged them, and each (bucket,
 * card) is one multiplication, not a sum of many rounded ones.
 */
class Sum {
  readonly tokens: CallTokens = emptyTokens();
  /** Priced tokens per rate card, by the card's key. */
  private readonly byCard = new Map<string, { card: RateCard; tokens: CallTokens }>();
  messages = 0;
  unpricedMessages = 0;
  private priced: { cost: number; buckets: BucketCosts; cacheSavings: number } | undefined;

  addCell(cell: Cell): void {
    for (const [card, t] of cell.byCard) {
      addTokens(this.tokens, t);
      if (card) {
        this.addCard(card, t);
      }
    }
    if (cell.byCard.has(null)) {
      this.unpricedMessages += cell.messages;
    } else {
      this.messages += cell.messages;
    }
  }

  /** Adds another sum (tokens, per card too, and messages). */
  add(other: Sum): void {
    addTokens(this.tokens, other.tokens);
    for (const { card, tokens } of other.byCard.values()) {
      this.addCard(card, tokens);
    }
    this.messages += other.messages;
    this.unpricedMessages += other.unpricedMessages;
  }

  private addCard(card: RateCard, t: CallTokens): void {
    let entry = this.byCard.get(card.key);
    if (!entry) {
      entry = { card, tokens: emptyTokens() };
      this.byCard.set(card.key, entry);
    }
    addTokens(entry.tokens, t);
    this.priced = undefined;
  }

  /** Dollars of the priced tokens (unpriced ones count nothing). */
  get cost(): number {
    return this.dollars().cost;
  }

  /** The same dollars, per bucket. */
  get buckets(): BucketCosts {
    return this.dollars().buckets;
  }

  /** Dollars saved by caching compared with sending every prompt token as plain input. */
  get cacheSavings(): number {
    return this.dollars().cacheSavings;
  }

  private dollars(): { cost: number; buckets: BucketCosts; cacheSavings: number } {
    if (this.priced) {
      return this.priced;
    }
    const buckets = emptyBuckets();
    let cost = 0;
    let cacheSavings = 0;
    const keys = [...this.byCard.keys()].sort();
    for (const key of keys) {
      const { card, tokens: t } = this.byCard.get(key) as { card: RateCard; tokens: CallTokens };
      cost += costOn(card, t);
      buckets.input += (t.input * card.input) / 1e6;
      buckets.output += (t.output * card.output) / 1e6;
      buckets.write5m += (t.write5m * card.write5m) / 1e6;
      buckets.write1h += (t.write1h * card.write1h) / 1e6;
      buckets.read += (t.read * card.read) / 1e6;
      buckets.webSearch += t.webSearches * card.webSearch;
      cacheSavings += (t.read * (card.input - card.read) - t.write5m * (card.write5m - card.input) - t.write1h * (card.write1h - card.input)) / 1e6;
    }
    this.priced = { cost, buckets, cacheSavings };
    return this.priced;
  }

  fields(): TokenFields {
    return tokenFields(this.tokens);
  }
}

export function tokenFields(t: CallTokens): TokenFields {
  return {
    inputTokens: t.input,
    outputTokens: t.output,
    cacheWrite5mTokens: t.write5m,
    cacheWrite1hTokens: t.write1h,
    cacheReadTokens: t.read,
    webSearchRequests: t.webSearches,
  };
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

/** Context, window, project and time span of one session (transcript-format.md §7.1, §7.2). */
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
    if (!e.sidechain) {
      const prompt = promptTokens(e.raw.tokens);
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
      contextTokens = promptTokens(latestMain.raw.tokens);
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

/** Builds the full report from the engine's current state. */
export function buildReport(engine: Engine, options: ReportOptions = {}): Report {
  const totals = new Sum();
  const days = new Map<string, Sum>();
  const models = new Map<string, { sum: Sum; priced: boolean }>();
  const sessions = new Map<string, { all: Sum; sub: Sum; unitemised: Sum; models: Set<string> }>();
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
    sessionReports.push({
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
      subagentMessages: s.sub.messages + s.sub.unpricedMessages,
      unpricedMessages: s.all.unpricedMessages,
      cacheHitRate: cacheHitRate(s.all.tokens),
      contextTokens: facts.contextTokens,
      contextState: facts.contextState,
      contextWindow: facts.contextWindow,
      currentModel: facts.currentModel,
      models: [...s.models].sort(),
      subagents: ranged ? subagentsOf(engine, sessionId, options) : derived(sessionId).subagents,
      firstTimestamp: Number.isFinite(facts.firstMs) ? new Date(facts.firstMs).toISOString() : null,
      lastTimestamp: Number.isFinite(facts.lastMs) ? new Date(facts.lastMs).toISOString() : null,
    });
    const p = getOrAdd(projects, facts.project ?? '(unknown project)', () => ({ sum: new Sum(), sessions: 0 }));
    p.sessions++;
    p.sum.add(s.all);
  }
  // Latest first; sessions with the same last timestamp by id (the sort is stable, and they come sorted by id).
  sessionReports.sort((a, b) => ((a.lastTimestamp ?? '') < (b.lastTimestamp ?? '') ? 1 : (a.lastTimestamp ?? '') > (b.lastTimestamp ?? '') ? -1 : 0));

  let malformedLines = 0;
  let syntheticLines = 0;
  for (const f of engine.allFiles()) {
    malformedLines += f.malformedLines;
    syntheticLines += f.syntheticLines;
  }

  return {
    totals: {
      costUSD: totals.cost,
      ...totals.fields(),
      messages: totals.messages,
      unpricedMessages: totals.unpricedMessages,
      unitemisedCostUSD: unitemisedTotal,
      claudeCodeCostUSD: claudeCodeTotal,
    },
    sessions: sessionReports,
    days: sortedBy(
      [...days].map(([date, sum]) => ({ date, costUSD: sum.cost, ...sum.fields(), messages: sum.messages + sum.unpricedMessages })),
      (d) => d.date,
    ),
    models: sortedBy(
      [...models].map(([model, { sum, priced }]) => ({
        model,
        costUSD: priced ? sum.cost : null,
        ...sum.fields(),
        messages: sum.messages + sum.unpricedMessages,
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
    addTokens(
      getOrAdd(f.cards, e.card, () => emptyTokens()),
      e.raw.tokens,
    );
    f.messages++;
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
