/**
 * The host <-> webview contract (CONTRIBUTING.md §11): two discriminated unions, one
 * per direction, and the plain-data snapshot the panel renders. Both sides
 * import this file; neither vscode nor the DOM appears here.
 */

export interface PanelBucket {
  name: string;
  tokens: number;
  usd: number;
}

export interface PanelSession {
  id: string;
  /** Claude Code's own title for the session (its summary line, else the first prompt), trimmed; null when unknown. */
  title?: string | null;
  project: string | null;
  costUSD: number;
  subagentCostUSD: number;
  unitemisedCostUSD: number | null;
  claudeCodeCostUSD: number | null;
  itemisation: 'reconciled' | 'transcript-only';
  buckets: PanelBucket[];
  webSearches: number;
  cacheHitRate: number | null;
  contextTokens: number | null;
  contextState: 'known' | 'compacted' | 'none';
  contextWindow: number;
  currentModel: string | null;
  models: string[];
  messages: number;
  firstTimestamp: string | null;
  lastTimestamp: string | null;
  /** Saved by caching compared with no cache (negative when writes cost more than reads saved). */
  cacheSavingsUSD: number;
  /** Estimated cost of one more turn at this context size; null when unknown or unpriced. */
  nextTurn: { warmUSD: number; coldUSD: number; basis: string } | null;
  cacheTtlMinutes: number;
  /** Per-call series for the chart (times in seconds). */
  turns: PanelTurns;
  /** This session's calls repriced on other models (an estimate). */
  whatIf: Array<{ model: string; costUSD: number }>;
  /** Calls costing far more than the session's median call. */
  spikes: Array<{ at: string; costUSD: number; times: number; cause: string; model: string; /** Tools the call before it ran (their results are this call's new input); null while unknown. */ tools: string[] | null }>;
  /** The next turns as the session goes against the same after /compact (estimate); null when unknown or unpriced. */
  projection: {
    turns: number;
    continueUSD: number;
    compactUSD: number;
    compactCallUSD: number;
    postCompactTokens: number;
    /** Compactions of the user's the post-compact size rests on (0: the default). */
    observedCompactions: number;
    paysOffAfter: number | null;
    basis: string;
  } | null;
  /** Context size at which the /compact nudge fires (the lower of its two thresholds); null when off. */
  compactAtTokens?: number | null;
  /** The prompt cache's countdown; null with no main-chain call. */
  countdown: { coldAtMs: number; ttlMinutes: number; rewriteTokens: number; coldTurnUSD: number | null; warmTurnUSD: number | null } | null;
  /** Where the money goes: one row per cause, largest first; null while the session's lines are being read. */
  causes?: PanelCause[] | null;
  /** Cache misses of the session and what they cost beyond warm reads; null while unknown. */
  cacheMisses?: { count: number; extraCostUSD: number } | null;
}

export interface PanelCause {
  cause: string;
  kind: string;
  calls: number;
  costUSD: number;
  tokensAdded: number;
  /** Estimate. */
  rereadCostUSD: number;
}

export interface PanelBudget {
  period: 'day' | 'week' | 'month';
  label: string;
  spentUSD: number;
  limitUSD: number;
  share: number;
  paceShare: number;
  summary: string;
}

export interface PanelPlans {
  windowDays: number;
  since: string;
  until: string;
  apiUSD: number;
  activeDays: number;
  perActiveDayUSD: number | null;
  rows: Array<{ plan: string; name: string; monthlyUSD: number; windowUSD: number; savesUSD: number; breakEvenPerActiveDayUSD: number | null; breakEvenPerDayUSD: number; cheaper: 'plan' | 'api' | 'same' }>;
  /** 'api' or the plan's name. */
  best: string;
  basis: string;
}

export interface PanelStacked {
  days: string[];
  series: Array<{ name: string; costUSD: number[] }>;
}

export interface PanelHistory {
  /** Whether daily totals are kept in our own storage. */
  persisted: boolean;
  /** Sessions shown only from that storage (their transcripts are gone). */
  keptSessions: number;
  keptFrom: string | null;
  keptUntil: string | null;
  /** A problem with the stored history (a damaged file set aside, a save that failed), one sentence; null when all is well. */
  notice: string | null;
}

export interface PanelTurns {
  t: number[];
  costUSD: Array<number | null>;
  /** Prompt size of main-chain calls; null for subagent calls. */
  context: Array<number | null>;
  sidechain: boolean[];
}

export interface PanelNudge {
  key: string;
  level: 'warning' | 'error';
  title: string;
  message: string;
  actions: Array<'sendCompact' | 'copyCompact' | 'copyClear' | 'openPanel' | 'snooze'>;
}

export interface PanelRange {
  label: string;
  costUSD: number;
  byProject: Array<{ name: string; costUSD: number }>;
  byModel: Array<{ name: string; costUSD: number | null }>;
  /** Some of it comes only from our stored history (transcripts deleted). */
  fromHistory: boolean;
}

export interface PanelSessionChoice {
  id: string;
  /** As PanelSession.title. */
  title?: string | null;
  project: string | null;
  costUSD: number;
  lastTimestamp: string | null;
}

/** One plan-limit window in the panel. */
export interface PanelLimitWindow {
  id: string;
  label: string;
  /** 0-100 as read; null: no reading. */
  percent: number | null;
  /** Epoch ms of the reset; null: unknown. */
  resetsAtMs: number | null;
  /** The reset has passed: the percent is the last reading before it. */
  stale: boolean;
}

/** The plan's 5-hour and weekly limits (subscribers). */
export interface PanelLimits {
  source: 'claude-config' | 'statusline' | null;
  /** Epoch ms of the reading; null: no reading. */
  fetchedAtMs: number | null;
  plan: string | null;
  windows: PanelLimitWindow[];
  /** "Estimate: at this pace the 5-hour window runs out about 15:40", or why there is none. */
  pace: string | null;
  problems: string[];
}

/** One cause's calls and dollars over a range of days. */
export interface PanelCauseSum {
  cause: string;
  kind: string;
  calls: number;
  costUSD: number;
}

/** Where the money went today and in the last 30 days, and this week's cache misses. */
export interface PanelCauseRanges {
  today: PanelCauseSum[];
  last30: PanelCauseSum[];
  /** What the cache misses of the last 7 days cost beyond warm reads. */
  weekMissCostUSD: number;
  weekMisses: number;
  /** Sessions still being read (not in the sums yet). */
  pending: number;
}

export interface PanelSnapshot {
  state: 'starting' | 'scanning' | 'empty' | 'ready';
  lookedAt: string[];
  scanPercent: number;
  today: { date: string; costUSD: number };
  weekUSD: number;
  /** The session shown: the current one, or the one picked in the panel. */
  session: PanelSession | null;
  /** Why that session: picked in the panel, pinned, in the workspace, most recent anywhere. */
  sessionReason: 'selected' | 'pinned' | 'workspace' | 'any' | 'none';
  sessions: PanelSessionChoice[];
  unpricedModels: string[];
  priceTableAsOf: string;
  updatedAt: string;
  nudges: PanelNudge[];
  ranges: PanelRange[];
  /** Problems with the price override setting (each entry ignored). */
  settingsProblems: string[];
  /** Budgets that are switched on, with pace. */
  budgets: PanelBudget[];
  /** Last 30 days at API prices against the plans; null before the first scan. */
  plans: PanelPlans | null;
  /** Non-empty for subscribers: the label every dollar figure carries. */
  apiEquivalent: string;
  /** Daily cost of the last 30 days, stacked. */
  daily: { byModel: PanelStacked; byProject: PanelStacked } | null;
  history: PanelHistory | null;
  /** Whether a session is pinned (the panel hides "Unpin" otherwise). */
  pinned?: boolean;
  /** Plan limits, when they apply (a plan is set or detected); null otherwise. Shown in the summary row and the Plan limits section. */
  limits: PanelLimits | null;
  /** Causes over today and 30 days (#20); null before the first report. */
  causeRanges?: PanelCauseRanges | null;
}

export type HostToWebview = { type: 'snapshot'; snapshot: PanelSnapshot };

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'selectSession'; sessionId: string | null }
  | { type: 'command'; command: 'pinSession' | 'unpinSession' | 'rescan' | 'showLog' | 'copySummary' | 'export' }
  | { type: 'nudgeAction'; key: string; action: PanelNudge['actions'][number] };

/** What the serializer keeps across reloads (webview state). */
export interface PanelState {
  selectedSession: string | null;
  /** Which foldable sections are open, by section id (webview-only; the host ignores it). */
  open?: Record<string, boolean>;
}
