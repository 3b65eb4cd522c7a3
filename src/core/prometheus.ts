/**
 * The meter's figures as Prometheus metric families, in the text exposition
 * format (0.0.4) a Pushgateway accepts. Pure: the caller gives the engine,
 * its report, the kept history rows and how project names are labelled.
 *
 * Costs are computed as the report computes them: integer token sums per
 * (model, project, rate card), one multiplication per card, in key order.
 * Only model ids, project names (the last folder of the working directory,
 * or a hash of it) and numbers are sent: no prompt, path or transcript text.
 */
import { addTokens, emptyTokens, promptTokens, type Cell, type Engine } from './engine';
import type { HistoryRow } from './history';
import { costOn, type RateCard } from './pricing/rate-card';
import { reconcileSession } from './reconcile';
import { sessionFacts, type Report, type ReportCache, type SessionReport } from './report';
import type { CallTokens } from './transcript/transcript';

export const PUSH_JOB = 'claude_code_cost';
export const UNKNOWN_PROJECT = '(unknown project)';
/** Longest label value sent; longer ones are cut (and end with "…"). */
export const MAX_LABEL_CHARS = 200;
/** Longest `instance` label accepted (it goes in the URL). */
export const MAX_INSTANCE_CHARS = 128;

/** One (model, project) series: integer token sums and the exact dollars. */
export interface CostSeries {
  model: string;
  project: string;
  tokens: CallTokens;
  /** Itemised calls, priced or not. */
  calls: number;
  unpricedCalls: number;
  /** Dollars of the priced tokens (unpriced calls count nothing here; they are counted apart). */
  costUSD: number;
  /** False when every call of the series is of an unpriced model: no cost is sent for it (never a $0). */
  priced: boolean;
}

/** The current session, for its gauges. */
export interface SessionGauges {
  costUSD: number;
  contextTokens: number | null;
  contextWindow: number;
  model: string | null;
}

export interface ExportFigures {
  series: CostSeries[];
  /** cache read / prompt tokens over everything; null with no prompt. */
  cacheHitRatio: number | null;
  session: SessionGauges | undefined;
  priceTableAsOf: string;
  version: string;
}

/** The last folder of a working directory ("/home/a/shop" -> "shop"): never the path. */
export function projectName(project: string | null): string {
  if (project === null) {
    return UNKNOWN_PROJECT;
  }
  const parts = project.split(/[\\/]+/).filter((p) => p !== '');
  return parts[parts.length - 1] ?? UNKNOWN_PROJECT;
}

/** A label value cut to MAX_LABEL_CHARS (code points, so no surrogate is split). */
export function boundedLabel(value: string): string {
  const points = [...value];
  return points.length > MAX_LABEL_CHARS ? `${points.slice(0, MAX_LABEL_CHARS - 1).join('')}…` : value;
}

/** Why an instance label cannot be used, or undefined when it can. */
export function instanceProblem(instance: string): string | undefined {
  if (instance.length === 0) {
    return 'the instance label is empty';
  }
  if (instance.length > MAX_INSTANCE_CHARS) {
    return `the instance label is ${instance.length} characters long; at most ${MAX_INSTANCE_CHARS} are allowed`;
  }
  if (/[\u0000-\u001f\u007f]/.test(instance)) {
    return 'the instance label contains control characters';
  }
  return undefined;
}

interface Group {
  model: string;
  project: string;
  tokens: CallTokens;
  byCard: Map<string, { card: RateCard; tokens: CallTokens }>;
  calls: number;
  unpricedCalls: number;
  keptUSD: number;
  keptPriced: boolean;
}

export interface FiguresOptions {
  cache?: ReportCache | undefined;
  /** Rows of sessions whose transcripts are gone, from our history: keeps the counters from going down. */
  kept?: readonly HistoryRow[];
  /** The label of a project name (e.g. a hash of it); default: the name itself. */
  projectLabel?: (name: string) => string;
  /** The current session (its gauges); undefined: none. */
  current?: SessionReport | undefined;
  version: string;
}

/**
 * Every (model, project) series of the engine, with the un-itemised usage of
 * reconciled sessions (as the report's totals have it) and the kept rows.
 */
export function exportFigures(engine: Engine, report: Report, options: FiguresOptions): ExportFigures {
  const label = options.projectLabel ?? ((n: string) => n);
  const projectOf = new Map(report.sessions.map((s) => [s.sessionId, s.project]));
  const files = engine.sessionFiles();
  const labelOf = new Map<string, string>();
  const projectLabelOf = (sessionId: string): string => {
    let l = labelOf.get(sessionId);
    if (l === undefined) {
      // A session newer than the report: its facts now.
      const project = projectOf.has(sessionId) ? (projectOf.get(sessionId) ?? null) : sessionFacts(engine, sessionId, undefined, files).project;
      l = boundedLabel(label(projectName(project)));
      labelOf.set(sessionId, l);
    }
    return l;
  };
  const groups = new Map<string, Group>();
  const group = (model: string, project: string): Group => {
    const m = boundedLabel(model);
    const key = `${m}\u0000${project}`;
    let g = groups.get(key);
    if (!g) {
      g = { model: m, project, tokens: emptyTokens(), byCard: new Map(), calls: 0, unpricedCalls: 0, keptUSD: 0, keptPriced: false };
      groups.set(key, g);
    }
    return g;
  };
  const pseudo: Cell[] = [];
  for (const sessionId of files.keys()) {
    const cached = options.cache?.sessions.get(sessionId);
    const rec = cached && cached.revision === engine.sessionRevision(sessionId) ? cached.reconciliation : reconcileSession(engine, sessionId, files.get(sessionId) ?? []);
    if (rec) {
      pseudo.push(...rec.cells);
    }
  }
  for (const cell of [...engine.allCells(), ...pseudo]) {
    const g = group(cell.model, projectLabelOf(cell.sessionId));
    for (const [card, t] of cell.byCard) {
      addTokens(g.tokens, t);
      if (card) {
        let c = g.byCard.get(card.key);
        if (!c) {
          c = { card, tokens: emptyTokens() };
          g.byCard.set(card.key, c);
        }
        addTokens(c.tokens, t);
      }
    }
    if (cell.byCard.has(null)) {
      g.unpricedCalls += cell.messages;
    }
    g.calls += cell.messages;
  }
  for (const r of options.kept ?? []) {
    const g = group(r.model, boundedLabel(label(projectName(r.project))));
    addTokens(g.tokens, r.tokens);
    g.keptUSD += r.costUSD ?? 0;
    g.keptPriced ||= r.costUSD !== null;
    g.calls += r.messages;
    if (r.costUSD === null) {
      g.unpricedCalls += r.messages;
    }
  }
  const all = emptyTokens();
  const series: CostSeries[] = [];
  for (const g of groups.values()) {
    let cost = 0;
    for (const key of [...g.byCard.keys()].sort()) {
      const c = g.byCard.get(key) as { card: RateCard; tokens: CallTokens };
      cost += costOn(c.card, c.tokens);
    }
    addTokens(all, g.tokens);
    series.push({ model: g.model, project: g.project, tokens: g.tokens, calls: g.calls, unpricedCalls: g.unpricedCalls, costUSD: cost + g.keptUSD, priced: g.byCard.size > 0 || g.keptPriced });
  }
  series.sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : a.project < b.project ? -1 : a.project > b.project ? 1 : 0));
  const prompt = promptTokens(all);
  const cur = options.current;
  return {
    series,
    cacheHitRatio: prompt > 0 ? all.read / prompt : null,
    session: cur ? { costUSD: cur.costUSD, contextTokens: cur.contextTokens, contextWindow: cur.contextWindow, model: cur.currentModel } : undefined,
    priceTableAsOf: report.priceTableAsOf,
    version: options.version,
  };
}

/** A label value escaped for the text format (backslash, quote, newline). */
export function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** A sample value: the shortest text that reads back as the same double (full precision). */
function num(n: number): string {
  return Number.isFinite(n) ? String(n) : Number.isNaN(n) ? 'NaN' : n > 0 ? '+Inf' : '-Inf';
}

function labels(pairs: Array<[string, string]>): string {
  return pairs.length === 0 ? '' : `{${pairs.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
}

const BUCKETS: Array<[keyof CallTokens, string]> = [
  ['input', 'input'],
  ['output', 'output'],
  ['write5m', 'cache_write_5m'],
  ['write1h', 'cache_write_1h'],
  ['read', 'cache_read'],
];

/**
 * The exposition text. Families: cost, tokens per bucket, web searches,
 * calls, unpriced calls (counters by model and project); the cache hit ratio
 * and the current session's cost and context (gauges); an info series.
 */
export function renderExposition(f: ExportFigures): string {
  const out: string[] = [];
  const family = (name: string, type: 'counter' | 'gauge', help: string, samples: Array<[Array<[string, string]>, number]>): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [l, v] of samples) {
      out.push(`${name}${labels(l)} ${num(v)}`);
    }
  };
  const mp = (s: CostSeries): Array<[string, string]> => [
    ['model', s.model],
    ['project', s.project],
  ];
  family(
    'claude_code_cost_usd_total',
    'counter',
    'Exact list-price cost in USD of Claude Code API calls, by model and project (unpriced models count nothing here).',
    f.series.filter((s) => s.priced).map((s) => [mp(s), s.costUSD]),
  );
  family(
    'claude_code_tokens_total',
    'counter',
    'Tokens by price bucket, model and project.',
    f.series.flatMap((s) => BUCKETS.map(([k, bucket]): [Array<[string, string]>, number] => [[...mp(s), ['bucket', bucket]], s.tokens[k]])),
  );
  family(
    'claude_code_web_search_requests_total',
    'counter',
    'Web search requests by model and project.',
    f.series.map((s) => [mp(s), s.tokens.webSearches]),
  );
  family(
    'claude_code_calls_total',
    'counter',
    'Itemised API calls (de-duplicated), by model and project.',
    f.series.map((s) => [mp(s), s.calls]),
  );
  family(
    'claude_code_unpriced_calls_total',
    'counter',
    'API calls of models the price table does not know, by model and project.',
    f.series.map((s) => [mp(s), s.unpricedCalls]),
  );
  family('claude_code_cache_hit_ratio', 'gauge', 'Cache reads over all prompt tokens (input + cache writes + cache reads).', f.cacheHitRatio === null ? [] : [[[], f.cacheHitRatio]]);
  const session = f.session;
  const sessionLabels: Array<[string, string]> = session ? [['model', boundedLabel(session.model ?? 'none')]] : [];
  family('claude_code_session_cost_usd', 'gauge', "The current session's cost in USD.", session ? [[sessionLabels, session.costUSD]] : []);
  family(
    'claude_code_session_context_tokens',
    'gauge',
    "The current session's context (prompt tokens of its latest call); absent when unknown.",
    session && session.contextTokens !== null ? [[sessionLabels, session.contextTokens]] : [],
  );
  family('claude_code_session_context_window_tokens', 'gauge', "The current session's context window.", session ? [[sessionLabels, session.contextWindow]] : []);
  family('claude_code_meter_info', 'gauge', 'The meter version and price table date.', [
    [
      [
        ['version', f.version],
        ['price_table', f.priceTableAsOf],
      ],
      1,
    ],
  ]);
  return `${out.join('\n')}\n`;
}
