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
import { addDays } from './local-day';
import { formatCountdown, type CacheCountdown, type Projection } from './forecast';

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

/** The colour of the status bar: the most severe visible nudge. */
export function severityOf(nudges: readonly Nudge[]): Severity {
  return nudges.some((n) => n.level === 'error') ? 'error' : nudges.length > 0 ? 'warning' : 'none';
}

function fill(format: string, values: Record<string, string>): string {
  return format.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}

function bucketTable(s: SessionReport): string {
  const rows: Array<[string, number, number]> = [
    ['Input', s.inputTokens, s.bucketCostUSD.input],
    ['Output', s.outputTokens, s.bucketCostUSD.output],
    ['Cache write 5m', s.cacheWrite5mTokens, s.bucketCostUSD.write5m],
    ['Cache write 1h', s.cacheWrite1hTokens, s.bucketCostUSD.write1h],
    ['Cache read', s.cacheReadTokens, s.bucketCostUSD.read],
  ];
  const lines = ['| | Tokens | Cost |', '|---|---:|---:|', ...rows.map(([name, t, usd]) => `| ${name} | ${formatInt(t)} | ${formatUsd(usd)} |`)];
  if (s.webSearchRequests > 0) {
    lines.push(`| Web search | ${formatInt(s.webSearchRequests)} | ${formatUsd(s.bucketCostUSD.webSearch)} |`);
  }
  return lines.join('\n');
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
  const weekStart = addDays(today, -6);
  const weekUSD = (r?.days ?? []).filter((d) => d.date >= weekStart && d.date <= today).reduce((sum, d) => sum + d.costUSD, 0);
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
  const severity = severityOf(input.nudges);
  const reasons = input.nudges.map((n) => n.title);
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
  };
  let text = `${ICON} ${apiEq ? 'API-eq. ' : ''}${session ? fill(settings['statusBar.format'], values) : `today ${values.today ?? ''}`}`;
  if (status.kind === 'scanning') {
    const pct = status.bytesTotal > 0 ? Math.floor((status.bytesDone / status.bytesTotal) * 100) : 0;
    text = `$(sync~spin) ${text.slice(ICON.length + 1)} (scanning ${pct}%)`;
  }
  if (unpriced.length > 0) {
    text += ' $(warning)';
  }

  const md: string[] = [];
  if (session) {
    md.push(`**Claude Code session** \`${escapeMarkdown(session.sessionId.slice(0, 8))}\` · ${escapeMarkdown(session.project ?? 'unknown project')}`);
    md.push('', `**${formatUsd(session.costUSD)}** this session · ${formatUsd(todayUSD)} today · ${formatUsd(weekUSD)} last 7 days`, '');
    if (apiEq) {
      md.push(`_Dollar figures are ${apiEq}: what the same use costs at API list prices._`, '');
    }
    md.push(bucketTable(session), '');
    const ctx =
      session.contextTokens !== null
        ? `${formatInt(session.contextTokens)} / ${formatInt(session.contextWindow)} tokens (${formatPercent(session.contextTokens / session.contextWindow, 0)})`
        : session.contextState === 'compacted'
          ? 'compacted, known after the next call'
          : 'unknown';
    const facts = [`Cache hit rate: **${formatPercent(session.cacheHitRate, 0)}** · Context: **${ctx}**`, `Model: ${escapeMarkdown(session.currentModel ?? '-')}`];
    if (session.subagentCostUSD > 0) {
      facts.push(`Subagents: ${formatUsd(session.subagentCostUSD)} (${formatPercent(session.costUSD > 0 ? session.subagentCostUSD / session.costUSD : 0, 0)} of the session)`);
    }
    if (session.unitemisedCostUSD !== null && session.unitemisedCostUSD > 0) {
      facts.push(`Not itemised in the transcript (e.g. /compact): ${formatUsd(session.unitemisedCostUSD)}`);
    }
    if (session.itemisation === 'transcript-only') {
      facts.push('_Transcript only: calls made by /compact may be missing._');
    }
    if (cd !== null) {
      const late = cd.coldTurnUSD !== null ? ` ≈ ${formatUsd(cd.coldTurnUSD)}` : '';
      facts.push(
        nowMs >= cd.coldAtMs
          ? `Prompt cache: **cold** since ${input.formatTime(cd.coldAtMs)}; the next prompt re-writes ${formatInt(cd.rewriteTokens)} tokens${late}`
          : `Prompt cache warm until **${input.formatTime(cd.coldAtMs)}** (${formatCountdown(cd.coldAtMs - nowMs)} left at this update); after that the next prompt re-writes ${formatInt(cd.rewriteTokens)} tokens${late}`,
      );
    }
    const p = input.projection;
    if (p) {
      facts.push(`Next ${p.turns} turns (estimate): ${formatUsd(p.continueUSD)} as is, ${formatUsd(p.compactUSD)} after /compact${p.paysOffAfter !== null ? ` (cheaper from turn ${p.paysOffAfter})` : ''}`);
    }
    const top = (input.causes ?? []).filter((c) => c.costUSD > 0).slice(0, 3);
    if (top.length > 0) {
      facts.push(`Where the money goes: ${top.map((c) => `${escapeMarkdown(c.cause)} ${formatUsd(c.costUSD)}`).join(' · ')}`);
    }
    if (current.reason === 'pinned') {
      facts.push('_Pinned session._');
    }
    // A hard line break (two spaces) keeps each fact on its own line.
    md.push(facts.join('  \n'));
  } else {
    md.push(`**Claude Code** · ${formatUsd(todayUSD)} today · ${formatUsd(weekUSD)} last 7 days`, '', 'No session in this workspace yet.');
    if (apiEq) {
      md.push('', `_Dollar figures are ${apiEq}._`);
    }
  }
  const budgets = (input.budgets ?? []).filter((b) => b.period !== 'day');
  if (budgets.length > 0) {
    md.push('', budgets.map((b) => `${b.label}: ${formatUsd(b.spentUSD)} of ${formatUsd(b.limitUSD)} · ${b.summary}`).join('  \n'));
  }
  if (input.nudges.length > 0) {
    md.push('', ...input.nudges.map((n) => `$(${n.level === 'error' ? 'error' : 'warning'}) **${escapeMarkdown(n.title)}**: ${escapeMarkdown(n.message)}`));
  }
  if (unpriced.length > 0) {
    md.push('', `$(warning) Unpriced model(s): ${unpriced.map(escapeMarkdown).join(', ')}: tokens are counted, their cost is not in the totals.`);
  }
  if (status.kind === 'scanning') {
    md.push('', `Scanning: ${formatInt(status.filesDone)} of ${formatInt(status.filesTotal)} files…`);
  }
  md.push('', `_Updated ${input.formatTime(input.updatedAtMs)} · list prices as of ${r?.priceTableAsOf ?? '-'}_`);

  return {
    state: status.kind,
    text,
    tooltip: md.join('\n'),
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
