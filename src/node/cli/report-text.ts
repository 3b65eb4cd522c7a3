/**
 * Plain-text tables of a report for the terminal.
 */
import type { Report, SessionReport, TokenFields } from '../../core/report';
import type { TurnPoint } from '../../core/metrics';
import { formatCountdown } from '../../core/forecast';
import type { SessionDetail } from '../../core/session-detail';
import type { CauseRow, CacheMiss } from '../../core/causes';
import type { MeterSnapshot } from '../live/meter-view';
import { formatTokensShort } from '../../core/format';
import { formatInt, formatPercent, formatUsd, safeText } from '../../core/format';

export { formatInt, formatPercent, formatUsd, safeText };

function table(headers: string[], rows: string[][], rightAligned: boolean[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => {
        const w = widths[i] ?? 0;
        return rightAligned[i] ? c.padStart(w) : c.padEnd(w);
      })
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const TOKEN_HEADERS = ['Input', 'Output', 'Write 5m', 'Write 1h', 'Cache read'];

function tokenCells(t: TokenFields): string[] {
  return [t.inputTokens, t.outputTokens, t.cacheWrite5mTokens, t.cacheWrite1hTokens, t.cacheReadTokens].map(formatInt);
}

const MAX_SESSIONS = 20;

/** Totals, days, sessions and models as aligned text tables. */
export function formatReportTables(report: Report): string {
  const parts: string[] = [];
  const t = report.totals;
  parts.push(
    `Claude Code API cost (list prices as of ${report.priceTableAsOf}; days in ${report.timeZone})`,
    '',
    table(
      ['Total', ...TOKEN_HEADERS, 'Searches', 'Calls'],
      [[formatUsd(t.costUSD), ...tokenCells(t), formatInt(t.webSearchRequests), formatInt(t.messages)]],
      [true, true, true, true, true, true, true, true],
    ),
  );
  if (t.unitemisedCostUSD > 0) {
    parts.push(
      `Includes ${formatUsd(t.unitemisedCostUSD)} that Claude Code reported (cost-state) but the transcript does not itemise, e.g. /compact calls.`,
    );
  }
  if (t.claudeCodeCostUSD !== null) {
    parts.push(`Claude Code's own estimate for the sessions that carry one: ${formatUsd(t.claudeCodeCostUSD)}.`);
  }
  if (report.sessions.some((s) => s.itemisation === 'transcript-only')) {
    parts.push('Sessions marked * have no cost-state (Claude Code < 2.1.3xx): calls made by /compact may be missing from them.');
  }
  if (t.unpricedMessages > 0) {
    parts.push(`${formatInt(t.unpricedMessages)} call(s) on unpriced models are not in the total: ${safeText(report.skipped.unpricedModels.join(', '))}`);
  }
  if (report.days.length > 0) {
    parts.push(
      '',
      'Days',
      table(
        ['Date', 'Cost', ...TOKEN_HEADERS, 'Calls'],
        report.days.map((d) => [d.date, formatUsd(d.costUSD), ...tokenCells(d), formatInt(d.messages)]),
        [false, true, true, true, true, true, true, true],
      ),
    );
  }
  if (report.sessions.length > 0) {
    const shown = report.sessions.slice(0, MAX_SESSIONS);
    parts.push(
      '',
      report.sessions.length > MAX_SESSIONS ? `Sessions (${MAX_SESSIONS} most recent of ${report.sessions.length}; --json lists all)` : 'Sessions',
      table(
        ['Last active', 'Session', 'Project', 'Cost', 'Subagents', 'Not itemised', 'Cache hit', 'Context', 'Calls'],
        shown.map((s) => [
          (s.lastTimestamp ?? '').slice(0, 16).replace('T', ' '),
          `${s.sessionId.slice(0, 8)}${s.itemisation === 'transcript-only' ? '*' : ''}`,
          safeText(s.project ?? '(unknown)'),
          formatUsd(s.costUSD),
          formatUsd(s.subagentCostUSD),
          s.unitemisedCostUSD === null ? '?' : formatUsd(s.unitemisedCostUSD),
          formatPercent(s.cacheHitRate),
          s.contextTokens === null ? (s.contextState === 'compacted' ? 'compacted' : '-') : `${formatInt(s.contextTokens)} / ${formatInt(s.contextWindow)}`,
          formatInt(s.messages + s.unpricedMessages),
        ]),
        [false, false, false, true, true, true, true, true, true],
      ),
    );
  }
  if (report.models.length > 0) {
    parts.push(
      '',
      'Models',
      table(
        ['Model', 'Cost', ...TOKEN_HEADERS, 'Calls'],
        report.models.map((m) => [safeText(m.model), formatUsd(m.costUSD), ...tokenCells(m), formatInt(m.messages)]),
        [false, true, true, true, true, true, true, true],
      ),
    );
  }
  if (report.skipped.malformedLines > 0) {
    parts.push('', `${formatInt(report.skipped.malformedLines)} malformed or torn line(s) were skipped.`);
  }
  parts.push('');
  return parts.join('\n');
}

/** The per-call view of one session. */
export function formatSessionTurns(s: SessionReport, turns: readonly TurnPoint[]): string {
  let cumulative = 0;
  const rows = turns.map((t) => {
    cumulative += t.costUSD ?? 0;
    const flags = [t.sidechain ? 'subagent' : '', t.fast ? 'fast' : '', t.longContext ? 'long-context' : ''].filter((f) => f !== '').join(',');
    return [
      new Date(t.timestampMs).toISOString().slice(0, 19).replace('T', ' '),
      safeText(t.model),
      formatInt(t.promptTokens),
      formatInt(t.readTokens),
      formatInt(t.writeTokens),
      formatInt(t.outputTokens),
      formatUsd(t.costUSD),
      formatUsd(cumulative),
      flags,
    ];
  });
  const head = [
    `Session ${s.sessionId} · ${safeText(s.project ?? 'unknown project')}`,
    `Cost ${formatUsd(s.costUSD)} (subagents ${formatUsd(s.subagentCostUSD)}${s.unitemisedCostUSD ? `, not itemised ${formatUsd(s.unitemisedCostUSD)}` : ''}) · cache hit ${formatPercent(s.cacheHitRate)} · context ${s.contextTokens === null ? s.contextState : `${formatInt(s.contextTokens)} / ${formatInt(s.contextWindow)}`}`,
    '',
  ];
  return `${head.join('\n')}${table(['Time (UTC)', 'Model', 'Prompt', 'Cache read', 'Cache write', 'Output', 'Cost', 'Running', 'Notes'], rows, [false, false, true, true, true, true, true, true, false])}\n`;
}

/** The forecasts under `claude-cost session`: the same figures as the panel. */
export function formatSessionForecast(d: SessionDetail, nowMs: number): string {
  const lines: string[] = [''];
  if (d.nextTurn) {
    lines.push(`Next turn: ${formatUsd(d.nextTurn.warmUSD)} with a warm cache, ${formatUsd(d.nextTurn.coldUSD)} cold (${safeText(d.nextTurn.basis)})`);
  }
  const p = d.projection;
  if (p) {
    lines.push(
      `Next ${p.turns} turns: ${formatUsd(p.continueUSD)} as the session goes, ${formatUsd(p.compactUSD)} after /compact now (the /compact call ${formatUsd(p.compactCallUSD)}; ${p.paysOffAfter !== null ? `cheaper from turn ${p.paysOffAfter}` : `does not pay off within ${p.turns} turns`})`,
      `  ${safeText(p.basis)}`,
    );
  }
  const c = d.countdown;
  if (c) {
    const late = c.coldTurnUSD !== null ? ` ≈ ${formatUsd(c.coldTurnUSD)}` : '';
    const ttl = c.ttlMs >= 3_600_000 ? '1-hour' : '5-minute';
    lines.push(
      nowMs >= c.coldAtMs
        ? `Prompt cache (${ttl}): cold since ${new Date(c.coldAtMs).toISOString().slice(0, 19).replace('T', ' ')} UTC; the next prompt re-writes ${formatInt(c.rewriteTokens)} tokens${late}`
        : `Prompt cache (${ttl}): cold in ${formatCountdown(c.coldAtMs - nowMs)}; after that the next prompt re-writes ${formatInt(c.rewriteTokens)} tokens${late}`,
    );
  }
  if (d.whatIf.length > 0) {
    lines.push(`Same calls on other models (estimate; switching mid-session loses the cache): ${d.whatIf.map((w) => `${safeText(w.model)} ${formatUsd(w.costUSD)}`).join(', ')}`);
  }
  for (const x of d.spikes) {
    lines.push(`Spike: ${new Date(x.timestampMs).toISOString().slice(0, 19).replace('T', ' ')} UTC ${formatUsd(x.costUSD)} (${x.times.toFixed(1)}x the median): ${safeText(x.cause)}${x.tools && x.tools.length > 0 ? `; after ${x.tools.map(safeText).join(', ')}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

const MISS_REASONS: Record<CacheMiss['reason'], string> = {
  idle: 'cache expired',
  'model-switch': 'model switch',
  compaction: 'compaction',
  'prompt-change': 'system prompt or tools changed',
};

/** "Where the money goes" and the cache misses of one session (src/core/causes.ts). */
export function formatCauses(causes: readonly CauseRow[], misses: readonly CacheMiss[], missCostUSD: number): string {
  const total = causes.reduce((s, c) => s + c.costUSD, 0);
  const rows = causes.map((c) => [
    safeText(c.cause),
    c.kind,
    formatInt(c.calls),
    formatUsd(c.costUSD) + (c.unpricedCalls > 0 ? ` (+${c.unpricedCalls} unpriced)` : ''),
    formatPercent(total > 0 ? c.costUSD / total : null),
    formatInt(c.tokensAdded),
    `~${formatUsd(c.rereadCostUSD)}`,
  ]);
  const out = ['', 'Where the money goes', table(['Cause', 'Kind', 'Calls', 'Cost', 'Share', 'Tokens added', 'Re-read (est.)'], rows, [false, false, true, true, true, true, true])];
  if (misses.length === 0) {
    out.push('', 'Cache misses: none');
  } else {
    const missRows = misses.map((m) => [
      m.timestamp.slice(0, 19).replace('T', ' '),
      safeText(m.model),
      MISS_REASONS[m.reason] + (m.reason === 'idle' ? ` after ${m.idleMinutes} min idle` : '') + (m.claudeCodeCause !== null ? ` (Claude Code: ${safeText(m.claudeCodeCause)})` : ''),
      formatInt(m.rewrittenTokens),
      formatUsd(m.extraCostUSD),
    ]);
    out.push('', `Cache misses cost ${formatUsd(missCostUSD)} more than warm reads`, table(['Time (UTC)', 'Model', 'Reason', 'Re-written', 'Extra cost'], missRows, [false, false, false, true, true]));
  }
  return `${out.join('\n')}\n`;
}

/** `report --causes`: the cost by cause over the period. */
export function formatPeriodCauses(causes: readonly CauseRow[], missCostUSD: number, misses: number): string {
  const total = causes.reduce((s, c) => s + c.costUSD, 0);
  const rows = causes.map((c) => [safeText(c.cause), c.kind, formatInt(c.calls), formatUsd(c.costUSD), formatPercent(total > 0 ? c.costUSD / total : null), formatInt(c.tokensAdded), `~${formatUsd(c.rereadCostUSD)}`]);
  return `\nWhere the money goes\n${table(['Cause', 'Kind', 'Calls', 'Cost', 'Share', 'Tokens added', 'Re-read (est.)'], rows, [false, false, true, true, true, true, true])}\n\nCache misses: ${formatInt(misses)}, costing ${formatUsd(missCostUSD)} more than warm reads\n`;
}

/** The one-line status of `claude-cost watch`. */
export function watchLine(snap: MeterSnapshot): string {
  const st = snap.source;
  if (st.kind === 'starting' || (st.kind === 'scanning' && !snap.report)) {
    return 'claude-cost: scanning…';
  }
  if (st.kind === 'empty') {
    return `claude-cost: no Claude Code transcripts yet (looked in ${st.lookedAt.join(', ')})`;
  }
  const s = snap.report?.sessions.find((x) => x.sessionId === snap.current.sessionId);
  const today = snap.status.todayCostUSD;
  const parts = [s ? `session ${formatUsd(s.costUSD)}` : 'no session', `today ${formatUsd(today)}`];
  if (s && s.contextTokens !== null) {
    parts.push(`context ${formatTokensShort(s.contextTokens)}/${formatTokensShort(s.contextWindow)}`);
  }
  if (s) {
    parts.push(`cache ${formatPercent(s.cacheHitRate, 0)}`);
  }
  for (const n of snap.nudges) {
    parts.push(`! ${n.title}`);
  }
  return parts.join(' · ');
}
