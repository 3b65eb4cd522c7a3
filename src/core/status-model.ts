/**
 * What the status bar shows, as a pure function of the report, the settings
 * and the clock. The vscode adapter only copies these fields onto its item.
 */
import type { CurrentSession } from './current-session';
import { escapeMarkdown, formatInt, formatPercent, formatTokensShort, formatUsd } from './format';
import type { Report, SessionReport } from './report';
import type { Settings } from './settings';
import type { Nudge } from './nudges';
import { periodOf, PLAN_NAMES, type BudgetStatus } from './budgets';
import type { CacheCountdown, Projection } from './forecast';
import { limitSeverity, limitsApply, limitsTooltipLines, shortDuration, windowById, windowCell, type LimitsState } from './limits-view';

export type Severity = 'none' | 'warning' | 'error';

export type SourceStatus =
  | { kind: 'starting' }
  | { kind: 'scanning'; filesDone: number; filesTotal: number; bytesDone: number; bytesTotal: number }
  | { kind: 'empty'; lookedAt: readonly string[] }
  | { kind: 'ready' };

export interface StatusModel {
  state: SourceStatus['kind'];
  /** Status bar text, with codicons (`$(name)`). */
  text: string;
  /** Markdown tooltip; transcript strings escaped. */
  tooltip: string;
  severity: Severity;
  /** Why the colour is what it is, for the tooltip and tests. */
  reasons: string[];
  sessionId: string | undefined;
  sessionCostUSD: number | undefined;
  todayCostUSD: number;
  contextTokens: number | null;
  contextWindow: number | undefined;
  unpricedModels: string[];
}

export interface StatusInput {
  status: SourceStatus;
  report: Report | undefined;
  current: CurrentSession;
  settings: Settings;
  /** Today's local date, `YYYY-MM-DD`, in the report's time zone. */
  today: string;
  /** When the data last changed (epoch ms), for "updated" in the tooltip. */
  updatedAtMs: number;
  /** Formats an instant for the tooltip (injected: the locale and zone are the adapter's). */
  formatTime: (ms: number) => string;
  /** Visible (active, not snoozed) nudges: they set the colour. */
  nudges: readonly Nudge[];
  /** Budgets with their pace (day, week, month; those switched on). */
  budgets?: readonly BudgetStatus[];
  /** The current session's prompt-cache countdown. */
  countdown?: CacheCountdown | null;
  /** The current session's next-10-turns projection (estimate). */
  projection?: Projection | null;
  /** Plan limits (subscribers), when the meter reads them. */
  limits?: LimitsState | null;
  /** The current session's causes, largest first (#20); absent until read. */
  causes?: ReadonlyArray<{ cause: string; costUSD: number }> | undefined;
  nowMs?: number;
}

/** The label subscribers see on dollar figures, or '' for API-key users. */
export function apiEquivalentLabel(settings: Settings): string {
  const plan = settings['plan.subscription'];
  return plan === 'none' ? '' : `API-equivalent (you are on ${PLAN_NAMES[plan]})`;
}

const ICON = '$(pulse)';

const LIMIT_PLACEHOLDERS = ['{fiveHour}', '{weekLimit}', '{limitsAge}'];

function worse(a: Severity, b: Severity): Severity {
  return a === 'error' || b === 'error' ? 'error' : a === 'warning' || b === 'warning' ? 'warning' : 'none';
}

/** The colour of the status bar: the most severe visible nudge. */
export function severityOf(nudges: readonly Nudge[]): Severity {
  return nudges.some((n) => n.level === 'error') ? 'error' : nudges.length > 0 ? 'warning' : 'none';
}

function fill(format: string, values: Record<string, string>): string {
  return format.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}

/** The tooltip's lines (at most 8): the cause first, then the session and today, context and cache, one budget, and a pointer to the panel. */
function tooltipLines(t: {
  session: SessionReport | undefined;
  todayUSD: number;
  apiEq: string;
  nudges: readonly Nudge[];
  budgets: readonly BudgetStatus[];
  cd: CacheCountdown | null;
  nowMs: number;
  unpriced: readonly string[];
  status: SourceStatus;
  formatTime: (ms: number) => string;
  updatedAtMs: number;
  pinned: boolean;
  limitsLine?: string | undefined;
  causes?: ReadonlyArray<{ cause: string; costUSD: number }> | undefined;
}): string[] {
  const lines: string[] = [];
  const top = t.nudges.find((n) => n.level === 'error') ?? t.nudges[0];
  const s = t.session;
  if (top) {
    lines.push(`$(${top.level === 'error' ? 'error' : 'warning'}) **${escapeMarkdown(top.title)}**${t.nudges.length > 1 ? ` (+${t.nudges.length - 1} more)` : ''}`);
  } else if (t.unpriced.length > 0) {
    lines.push(`$(warning) **Unpriced model: ${escapeMarkdown(t.unpriced.join(', '))}** (tokens counted, cost not in the totals)`);
  }
  const eq = t.apiEq ? ` · ${t.apiEq}` : '';
  if (s) {
    lines.push(`**${formatUsd(s.costUSD)}** this session · ${formatUsd(t.todayUSD)} today${eq}${t.pinned ? ' · pinned' : ''}`);
    const ctx = s.contextTokens !== null ? `Context ${formatTokensShort(s.contextTokens)} of ${formatTokensShort(s.contextWindow)} (${formatPercent(s.contextTokens / s.contextWindow, 0)})` : s.contextState === 'compacted' ? 'Context compacted' : 'Context unknown';
    const cache = t.cd === null ? '' : t.nowMs >= t.cd.coldAtMs ? ` · cache cold since ${t.formatTime(t.cd.coldAtMs)}` : ` · cache warm until ${t.formatTime(t.cd.coldAtMs)}`;
    lines.push(`${ctx}${cache}`);
  } else {
    lines.push(`**${formatUsd(t.todayUSD)}** today${eq} · no session in this workspace yet`);
  }
  const budget = [...t.budgets].sort((a, b) => b.share - a.share)[0];
  if (budget) {
    lines.push(`${escapeMarkdown(budget.label)}'s budget: ${formatUsd(budget.spentUSD)} of ${formatUsd(budget.limitUSD)} (${formatPercent(budget.share, 0)}; safe pace ${formatPercent(budget.paceShare, 0)})`);
  }
  if (t.limitsLine !== undefined) {
    lines.push(t.limitsLine);
  }
  const topCauses = (t.causes ?? []).filter((c) => c.costUSD > 0).slice(0, 3);
  if (s && topCauses.length > 0) {
    lines.push(`Where the money goes: ${topCauses.map((c) => `${escapeMarkdown(c.cause)} ${formatUsd(c.costUSD)}`).join(' · ')}`);
  }
  if (t.unpriced.length > 0 && top) {
    lines.push(`$(warning) Unpriced: ${escapeMarkdown(t.unpriced.join(', '))}`);
  }
  if (t.status.kind === 'scanning') {
    lines.push(`Scanning: ${formatInt(t.status.filesDone)} of ${formatInt(t.status.filesTotal)} files…`);
  }
  lines.push(`_Updated ${t.formatTime(t.updatedAtMs)} · click to open the panel for more_`);
  return lines;
}

/** Builds the status bar model. */
export function buildStatusModel(input: StatusInput): StatusModel {
  const { status, report, current, settings, today } = input;
  const base = {
    state: status.kind,
    severity: 'none' as Severity,
    reasons: [] as string[],
    sessionId: undefined,
    sessionCostUSD: undefined,
    todayCostUSD: 0,
    contextTokens: null,
    contextWindow: undefined,
    unpricedModels: [] as string[],
  };
  if (status.kind === 'starting' || (status.kind === 'scanning' && !report)) {
    return { ...base, text: '$(sync~spin) Claude cost: scanning…', tooltip: 'Reading Claude Code transcripts…' };
  }
  if (status.kind === 'empty') {
    return {
      ...base,
      text: `${ICON} Claude cost: no transcripts`,
      tooltip: [
        '**No Claude Code transcripts found yet.**',
        '',
        'Looked in:',
        ...status.lookedAt.map((p) => `- ${escapeMarkdown(p)}`),
        '',
        'This updates by itself when Claude Code writes its first session. Set `claudeCostMeter.configDirs` if yours live elsewhere.',
      ].join('\n'),
    };
  }
  const r = report;
  const todayUSD = r?.days.find((d) => d.date === today)?.costUSD ?? 0;
  const spentSince = (start: string) => (r?.days ?? []).filter((d) => d.date >= start && d.date <= today).reduce((sum, d) => sum + d.costUSD, 0);
  const budgetWeek = input.budgets?.find((b) => b.period === 'week')?.spentUSD ?? spentSince(periodOf('week', today, settings['budgets.weekStartsOn']).start);
  const budgetMonth = input.budgets?.find((b) => b.period === 'month')?.spentUSD ?? spentSince(periodOf('month', today, settings['budgets.weekStartsOn']).start);
  const cd = input.countdown ?? null;
  const nowMs = input.nowMs ?? input.updatedAtMs;
  // Whole minutes, rounded up: the meter refreshes the status bar each minute while this placeholder is used.
  const countdownText = cd === null ? '-' : nowMs >= cd.coldAtMs ? 'cold' : `${Math.ceil((cd.coldAtMs - nowMs) / 60_000)}m`;
  const apiEq = apiEquivalentLabel(settings);
  const session = current.sessionId !== undefined ? r?.sessions.find((s) => s.sessionId === current.sessionId) : undefined;
  const unpriced = r?.skipped.unpricedModels ?? [];
  const limits = input.limits ?? null;
  const showLimits = limitsApply(settings['plan.subscription'], limits);
  const fiveHour = windowById(limits?.reading, 'five_hour');
  const limitLevel = showLimits ? limitSeverity(fiveHour, nowMs, settings['limits.warnPercent'], settings['limits.errorPercent']) : 'none';
  const severity = worse(severityOf(input.nudges), limitLevel);
  const reasons = input.nudges.map((n) => n.title);
  if (limitLevel !== 'none' && fiveHour !== undefined && fiveHour.percent !== null && !input.nudges.some((n) => n.kind === 'fiveHourLimit')) {
    reasons.push(`5-hour limit at ${windowCell(fiveHour, nowMs)}`);
  }
  const ctxText = session && session.contextTokens !== null ? `${formatTokensShort(session.contextTokens)}/${formatTokensShort(session.contextWindow)}` : session?.contextState === 'compacted' ? 'compacted' : '-';
  const values: Record<string, string> = {
    session: session ? formatUsd(session.costUSD) : '-',
    today: formatUsd(todayUSD),
    week: formatUsd(budgetWeek),
    month: formatUsd(budgetMonth),
    cacheCountdown: countdownText,
    context: ctxText,
    contextPercent: session && session.contextTokens !== null ? formatPercent(session.contextTokens / session.contextWindow, 0) : '-',
    cacheHit: formatPercent(session?.cacheHitRate ?? null, 0),
    model: session?.currentModel ?? '-',
    fiveHour: showLimits ? windowCell(fiveHour, nowMs) : '-',
    weekLimit: showLimits ? windowCell(windowById(limits?.reading, 'seven_day'), nowMs) : '-',
    limitsAge: showLimits && limits?.reading ? shortDuration(nowMs - limits.reading.fetchedAtMs) : '-',
  };
  const format = settings['statusBar.format'];
  // Subscribers see the 5-hour share even with a format that does not name it (or no session to format).
  const limitsSuffix = showLimits && (!session || !LIMIT_PLACEHOLDERS.some((p) => format.includes(p))) ? ` · 5h ${values.fiveHour ?? '-'}` : '';
  // The warning state shows as an icon too, not by colour alone (High Contrast).
  const lead = severity === 'error' ? '$(error)' : severity === 'warning' ? '$(warning)' : ICON;
  let text = `${lead} ${apiEq ? 'API-eq. ' : ''}${session ? fill(format, values) : `today ${values.today ?? ''}`}${limitsSuffix}`;
  if (status.kind === 'scanning') {
    const pct = status.bytesTotal > 0 ? Math.floor((status.bytesDone / status.bytesTotal) * 100) : 0;
    text = `$(sync~spin) ${text.slice(lead.length + 1)} (scanning ${pct}%)`;
  }
  if (unpriced.length > 0 && severity === 'none') {
    text += ' $(warning)';
  }

  // Plan limits take one line of the tooltip: each window with its reset, and the reading's age.
  const limitsLine = showLimits && limits !== null ? `**Plan limits**${limits.plan !== null ? ` (${escapeMarkdown(limits.plan)})` : ''}: ${limitsTooltipLines(limits, nowMs, input.formatTime).map(escapeMarkdown).join(' · ')}` : undefined;
  const tooltip = tooltipLines({ session, todayUSD, apiEq, nudges: input.nudges, budgets: input.budgets ?? [], cd, nowMs, unpriced, status, formatTime: input.formatTime, updatedAtMs: input.updatedAtMs, pinned: current.reason === 'pinned', limitsLine, causes: input.causes });

  return {
    state: status.kind,
    text,
    tooltip: tooltip.join('  \n'),
    severity,
    reasons,
    sessionId: session?.sessionId,
    sessionCostUSD: session?.costUSD,
    todayCostUSD: todayUSD,
    contextTokens: session?.contextTokens ?? null,
    contextWindow: session?.contextWindow,
    unpricedModels: [...unpriced],
  };
}
