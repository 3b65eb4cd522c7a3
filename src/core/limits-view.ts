/**
 * Plan limits, the zod-free half: the reading's types, the statusline's
 * `rate_limits` read by hand, and the rules that turn a reading into what the
 * CLI, the status bar and the panel show (age, stale windows, severity, pace).
 * `claude-cost statusline` runs several times a second and loads only this
 * (zod costs ~80 ms of start here); `limits.ts` holds the schemas, and a test
 * checks the hand reader against them.
 * Pure: no fs, no clock (`nowMs` is passed in).
 */
/** Version of the snapshot `claude-cost statusline` records. */
export const STATUSLINE_SNAPSHOT_VERSION = 1;

export type LimitsSource = 'claude-config' | 'statusline';

export const KNOWN_WINDOWS = ['five_hour', 'seven_day', 'seven_day_opus', 'seven_day_sonnet'] as const;
export type KnownWindow = (typeof KNOWN_WINDOWS)[number];

const LABELS: Record<KnownWindow, string> = {
  five_hour: '5-hour',
  seven_day: 'Weekly (all models)',
  seven_day_opus: 'Weekly (Opus)',
  seven_day_sonnet: 'Weekly (Sonnet)',
};

/** A window as read: its percent (0-100) or null when the source gave none, and its reset. */
export interface LimitWindow {
  /** `five_hour`, `seven_day`, `seven_day_opus`, `seven_day_sonnet` or `model:<Name>`. */
  id: string;
  label: string;
  percent: number | null;
  resetsAtMs: number | null;
}

export interface ExtraUsage {
  isEnabled: boolean;
  monthlyLimit: number | null;
  usedCredits: number | null;
  utilization: number | null;
  currency: string | null;
}

/** One reading of the plan's windows, from one source, at one time. */
export interface LimitsReading {
  source: LimitsSource;
  fetchedAtMs: number;
  plan: string | null;
  windows: LimitWindow[];
  extraUsage: ExtraUsage | null;
  /** Window keys the source had that we do not know (not shown: no guessed meaning). */
  ignored: string[];
}

/** An ISO 8601 instant or epoch seconds (or ms, when it is clearly ms) to epoch ms; null when neither. */
export function instantMs(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) {
    return v > 1e11 ? Math.round(v) : Math.round(v * 1000);
  }
  if (typeof v === 'string' && v !== '') {
    const ms = Date.parse(v);
    return Number.isNaN(ms) ? null : ms;
  }
  return null;
}

/** A percent 0-100 kept as given; anything else (negative, NaN, > 1000) is no reading. */
export function percentOf(v: number | null | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1000 ? v : null;
}

export function isKnown(key: string): key is KnownWindow {
  return (KNOWN_WINDOWS as readonly string[]).includes(key);
}

/** The label of a window id. */
export function windowLabel(id: string): string {
  return isKnown(id) ? LABELS[id] : id.startsWith('model:') ? `Weekly (${id.slice(6)})` : id;
}

export function modelWindow(name: string, percent: number | null, resetsAtMs: number | null): LimitWindow {
  const id = `model:${name}`;
  return { id, label: windowLabel(id), percent, resetsAtMs };
}

// ---------------------------------------------------------------------------
// Views

export interface LimitsWindowView {
  id: string;
  label: string;
  /** The percent as read (0-100), null: no reading. When `stale`, it is the last reading before the reset. */
  percent: number | null;
  resetsAt: string | null;
  stale: boolean;
}

/** `claude-cost limits --json`. */
export interface LimitsView {
  source: LimitsSource | null;
  fetchedAt: string | null;
  ageSeconds: number | null;
  plan: string | null;
  windows: LimitsWindowView[];
  extraUsage: ExtraUsage | null;
  /** Window keys the source had that we do not know (not shown). */
  ignored: string[];
  /** Why there is no reading, or what was wrong with a source. */
  problems: string[];
}

/** True when the window's reset has passed: its percent no longer describes the current window. */
export function isStale(w: LimitWindow, nowMs: number): boolean {
  return w.resetsAtMs !== null && w.resetsAtMs <= nowMs;
}

/** The JSON view of a reading at `nowMs`. */
export function limitsView(reading: LimitsReading | null, nowMs: number, plan: string | null, problems: readonly string[]): LimitsView {
  if (reading === null) {
    return { source: null, fetchedAt: null, ageSeconds: null, plan, windows: [], extraUsage: null, ignored: [], problems: [...problems] };
  }
  return {
    source: reading.source,
    fetchedAt: new Date(reading.fetchedAtMs).toISOString(),
    ageSeconds: Math.max(0, Math.round((nowMs - reading.fetchedAtMs) / 1000)),
    plan: reading.plan ?? plan,
    windows: reading.windows.map((w) => ({ id: w.id, label: w.label, percent: w.percent, resetsAt: w.resetsAtMs === null ? null : new Date(w.resetsAtMs).toISOString(), stale: isStale(w, nowMs) })),
    extraUsage: reading.extraUsage,
    ignored: [...reading.ignored],
    problems: [...problems],
  };
}

/** `3m`, `2h 05m`, `3d 4h`: a short duration (rounded down to the minute). */
export function shortDuration(ms: number): string {
  const m = Math.max(0, Math.floor(ms / 60_000));
  if (m < 60) {
    return `${m}m`;
  }
  const h = Math.floor(m / 60);
  if (h < 48) {
    return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  }
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** A percent as shown: `42%`, `37.5%`. */
export function formatLimitPercent(p: number): string {
  return `${Math.round(p * 10) / 10}%`;
}

/**
 * What a window shows in one short cell: its percent, `stale` once its reset
 * has passed, `-` with no reading (`percent` null or no window).
 */
export function windowCell(w: LimitWindow | undefined, nowMs: number): string {
  if (w === undefined || w.percent === null) {
    return '-';
  }
  return isStale(w, nowMs) ? 'stale' : formatLimitPercent(w.percent);
}

/** The state of a window in words: "42% · resets in 2h 05m", "stale since …", "no reading". */
export function windowState(w: LimitWindow, nowMs: number, formatTime: (ms: number) => string): string {
  if (w.resetsAtMs !== null && isStale(w, nowMs)) {
    return `stale since ${formatTime(w.resetsAtMs)} (the window has reset; no newer reading)`;
  }
  if (w.percent === null) {
    return 'no reading';
  }
  const reset = w.resetsAtMs === null ? '' : ` · resets ${formatTime(w.resetsAtMs)} (in ${shortDuration(w.resetsAtMs - nowMs)})`;
  return `${formatLimitPercent(w.percent)}${reset}`;
}

/** Severity of a window's share against thresholds in percent (0 turns a level off). */
export function limitSeverity(w: LimitWindow | undefined, nowMs: number, warnPercent: number, errorPercent: number): 'none' | 'warning' | 'error' {
  if (w === undefined || w.percent === null || isStale(w, nowMs)) {
    return 'none';
  }
  if (errorPercent > 0 && w.percent >= errorPercent) {
    return 'error';
  }
  return warnPercent > 0 && w.percent >= warnPercent ? 'warning' : 'none';
}

/** The window with that id, if the reading has it. */
export function windowById(reading: LimitsReading | null | undefined, id: string): LimitWindow | undefined {
  return reading?.windows.find((w) => w.id === id);
}

/** Length of the windows whose start we can infer from their reset. */
export const WINDOW_LENGTH_MS: Partial<Record<string, number>> = { five_hour: 5 * 3600_000, seven_day: 7 * 86400_000, seven_day_opus: 7 * 86400_000, seven_day_sonnet: 7 * 86400_000 };

export interface PaceInput {
  window: LimitWindow;
  nowMs: number;
  /** API-equivalent dollars of the transcripts' calls since the window started. */
  windowCostUSD: number;
  /** Those of the last `recentMs` only (the current pace). */
  recentCostUSD: number;
  recentMs: number;
}

export type PaceEstimate =
  | { kind: 'runsOut'; atMs: number }
  | { kind: 'lastsToReset'; resetsAtMs: number }
  | { kind: 'idle' };

/**
 * An estimate of when a window runs out at the current pace. The share per
 * dollar comes from the window so far (its percent over its transcript
 * cost); the pace from the last `recentMs` of transcripts. Null when it
 * cannot be estimated (no reading, stale, no usage in the window, unknown
 * window length, or usage on other machines making the ratio meaningless).
 */
export function paceEstimate(p: PaceInput): PaceEstimate | null {
  const w = p.window;
  if (w.percent === null || w.resetsAtMs === null || isStale(w, p.nowMs) || p.windowCostUSD <= 0 || w.percent <= 0 || p.recentMs <= 0) {
    return null;
  }
  if (w.percent >= 100) {
    return { kind: 'runsOut', atMs: p.nowMs };
  }
  const percentPerMs = (w.percent / p.windowCostUSD) * (p.recentCostUSD / p.recentMs);
  if (percentPerMs <= 0) {
    return { kind: 'idle' };
  }
  const atMs = p.nowMs + (100 - w.percent) / percentPerMs;
  return atMs >= w.resetsAtMs ? { kind: 'lastsToReset', resetsAtMs: w.resetsAtMs } : { kind: 'runsOut', atMs: Math.round(atMs) };
}

/** The pace in words, labelled as an estimate. */
export function paceText(pace: PaceEstimate | null, label: string, formatTime: (ms: number) => string): string {
  if (pace === null) {
    return 'Pace: not enough usage in this window to estimate';
  }
  switch (pace.kind) {
    case 'runsOut':
      return `Estimate: at this pace the ${label} window runs out about ${formatTime(pace.atMs)}`;
    case 'lastsToReset':
      return `Estimate: at this pace the ${label} window lasts until its reset (${formatTime(pace.resetsAtMs)})`;
    case 'idle':
      return 'Estimate: no usage in the last 30 minutes';
    default: {
      const never: never = pace;
      return never;
    }
  }
}

// ---------------------------------------------------------------------------
// The statusLine hook's stdin, read by hand (the same result as the zod
// schemas in limits.ts, which a test checks on generated inputs).

function record(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function finite(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function shortString(v: unknown, max = 200): string | undefined {
  return typeof v === 'string' && v.length <= max ? v : undefined;
}

/** An instant in the hook's JSON: epoch seconds or an ISO string (at most 200 characters). */
function hookInstant(v: unknown): number | null {
  return typeof v === 'number' || (typeof v === 'string' && v.length <= 200) ? instantMs(v) : null;
}

const KNOWN_ORDER = (id: string): number => (KNOWN_WINDOWS as readonly string[]).indexOf(id);

/** The windows in a statusLine `rate_limits` object (none when it has none). */
export function statuslineWindows(rateLimits: unknown): { windows: LimitWindow[]; ignored: string[] } {
  const windows: LimitWindow[] = [];
  const ignored: string[] = [];
  const rl = record(rateLimits);
  if (rl === undefined) {
    return { windows, ignored };
  }
  for (const [key, value] of Object.entries(rl)) {
    if (key === 'model_scoped' || key === 'spend_limit' || value === null || value === undefined) {
      continue;
    }
    if (!isKnown(key)) {
      ignored.push(key);
      continue;
    }
    const w = record(value);
    const percent = w === undefined ? null : percentOf(finite(w.used_percentage) ?? finite(w.utilization));
    windows.push({ id: key, label: windowLabel(key), percent, resetsAtMs: w === undefined ? null : hookInstant(w.resets_at) });
  }
  windows.sort((a, b) => KNOWN_ORDER(a.id) - KNOWN_ORDER(b.id));
  const scoped = Array.isArray(rl.model_scoped) ? rl.model_scoped : [];
  // The schema rejects the whole list when one row is malformed; so does this.
  const rows = scoped.map(record);
  if (rows.every((m) => m !== undefined && shortString(m.display_name) !== undefined)) {
    for (const m of rows as Array<Record<string, unknown>>) {
      const name = m.display_name as string;
      if (name !== '' && !windows.some((w) => w.id === `model:${name}`)) {
        windows.push(modelWindow(name, percentOf(finite(m.used_percentage) ?? finite(m.utilization)), hookInstant(m.resets_at)));
      }
    }
  }
  return { windows, ignored };
}

/** What the status line shows and records, from the hook's stdin (parsed JSON). */
export interface StatuslineFacts {
  sessionId: string | null;
  model: string | null;
  /** Claude Code's own running cost of the session. */
  claudeCodeCostUSD: number | null;
  /** Share of the context window used, 0-100. */
  contextPercent: number | null;
  /** When the prompt cache goes cold (epoch ms); null: unknown. */
  cacheExpiresAtMs: number | null;
  windows: LimitWindow[];
  ignored: string[];
  promptCache: Record<string, unknown> | null;
  contextWindow: Record<string, unknown> | null;
}

/** Reads the hook's stdin leniently; anything missing or of the wrong type is null. */
export function statuslineFacts(input: unknown): StatuslineFacts {
  const i = record(input) ?? {};
  const model = record(i.model);
  const cost = record(i.cost);
  const ctx = record(i.context_window);
  const cache = record(i.prompt_cache);
  const { windows, ignored } = statuslineWindows(i.rate_limits);
  const pct = percentOf(finite(ctx?.used_percentage));
  return {
    sessionId: shortString(i.session_id) ?? null,
    model: shortString(model?.display_name) ?? shortString(model?.id) ?? null,
    claudeCodeCostUSD: finite(cost?.total_cost_usd),
    contextPercent: pct,
    cacheExpiresAtMs: cache === undefined ? null : hookInstant(cache.expires_at),
    windows,
    ignored,
    promptCache: cache ?? null,
    contextWindow: ctx ?? null,
  };
}

/** Terminal-safe text: control characters (escapes) become `?`. */
function plain(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

/** `$1.23`, `$0.0042`: dollars for the one-line status. */
export function lineUsd(v: number): string {
  const digits = v !== 0 && Math.abs(v) < 0.01 ? 4 : 2;
  return `$${v.toFixed(digits)}`;
}

/** `14:05` in the machine's zone (or `Tue 09:00` when not today). */
export function clockTime(ms: number, nowMs: number): string {
  const d = new Date(ms);
  const hm = `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  const n = new Date(nowMs);
  if (d.getFullYear() === n.getFullYear() && d.getMonth() === n.getMonth() && d.getDate() === n.getDate()) {
    return hm;
  }
  return `${['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getDay()] ?? ''} ${hm}`;
}

export interface StatusLineParts {
  facts: StatuslineFacts;
  /** Our price of the session, when the index knows it. */
  sessionUSD: number | null;
  todayUSD: number | null;
  nowMs: number;
}

/**
 * The one line `claude-cost statusline` prints: model, session $, today $,
 * context %, cache countdown, 5-hour and 7-day shares with their resets.
 */
export function statusLineText(p: StatusLineParts): string {
  const f = p.facts;
  const parts: string[] = [];
  parts.push(plain(f.model ?? 'Claude'));
  const session = p.sessionUSD ?? f.claudeCodeCostUSD;
  parts.push(`session ${session === null ? '-' : lineUsd(session)}${p.sessionUSD === null && f.claudeCodeCostUSD !== null ? ' (Claude Code)' : ''}`);
  parts.push(`today ${p.todayUSD === null ? '-' : lineUsd(p.todayUSD)}`);
  parts.push(`ctx ${f.contextPercent === null ? '-' : `${Math.round(f.contextPercent)}%`}`);
  if (f.cacheExpiresAtMs !== null) {
    parts.push(f.cacheExpiresAtMs > p.nowMs ? `cache ${shortDuration(f.cacheExpiresAtMs - p.nowMs + 59_999)}` : 'cache cold');
  }
  for (const [id, name] of [
    ['five_hour', '5h'],
    ['seven_day', '7d'],
  ] as const) {
    const w = f.windows.find((x) => x.id === id);
    if (w === undefined) {
      continue;
    }
    const cell = windowCell(w, p.nowMs);
    const reset = w.resetsAtMs !== null && cell !== 'stale' && cell !== '-' ? ` (resets ${clockTime(w.resetsAtMs, p.nowMs)})` : '';
    parts.push(`${name} ${cell}${reset}`);
  }
  return parts.join(' · ');
}

/** What the meter knows of the plan limits (plain data: it crosses to the extension host). */
export interface LimitsState {
  reading: LimitsReading | null;
  /** `oauthAccount.organizationType` in Claude Code's config (e.g. `claude_max`), when present. */
  plan: string | null;
  problems: string[];
  /** The pace of the 5-hour window (estimate), when it can be given. */
  pace: PaceEstimate | null;
}

/** Whether the limits are shown: a plan is set in the settings, named in Claude Code's config, or a reading exists. */
export function limitsApply(subscription: string, limits: LimitsState | null | undefined): boolean {
  return subscription !== 'none' || (limits !== null && limits !== undefined && (limits.plan !== null || limits.reading !== null));
}

/** Markdown-free lines about the limits for a tooltip: each window, then the reading's age. */
export function limitsTooltipLines(limits: LimitsState, nowMs: number, formatTime: (ms: number) => string): string[] {
  const r = limits.reading;
  if (r === null) {
    return ['Plan limits: no reading yet', ...limits.problems.slice(0, 2)];
  }
  const lines = r.windows.map((w) => `${w.label}: ${windowState(w, nowMs, formatTime)}`);
  if (r.windows.length === 0) {
    lines.push('No windows in this reading');
  }
  const five = r.windows.find((w) => w.id === 'five_hour');
  if (five !== undefined && limits.pace !== null) {
    lines.push(paceText(limits.pace, five.label, formatTime));
  }
  lines.push(`Reading from ${r.source === 'statusline' ? 'the status line' : "Claude Code's config"}, ${shortDuration(nowMs - r.fetchedAtMs)} old (${formatTime(r.fetchedAtMs)})`);
  return lines;
}

/** The `statusLine` entry for Claude Code's `settings.json` that runs `command` (e.g. `claude-cost statusline`). */
export function statusLineSnippet(command: string): string {
  return `"statusLine": {\n  "type": "command",\n  "command": ${JSON.stringify(command)},\n  "padding": 0\n}`;
}
