/**
 * The panel's plain-data snapshot, built from a meter snapshot. Pure and
 * testable; the webview renders it as text.
 */
import type { SessionReport } from '../core/report';
import type { PanelRange, PanelSession, PanelSnapshot } from '../shared/protocol';
import type { MeterSnapshot, RangeBreakdown, SessionDetail } from './meter';

function daysBefore(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - n);
  return d.toISOString().slice(0, 10);
}

export function panelSession(s: SessionReport, detail: SessionDetail | undefined): PanelSession {
  const turns = detail?.turns ?? [];
  return {
    cacheSavingsUSD: s.cacheSavingsUSD,
    whatIf: (detail?.whatIf ?? []).map((w) => ({ model: w.model, costUSD: w.costUSD })),
    spikes: (detail?.spikes ?? []).slice(0, 20).map((x) => ({ at: new Date(x.timestampMs).toISOString(), costUSD: x.costUSD, times: x.times, cause: x.cause, model: x.model })),
    nextTurn: detail?.nextTurn ?? null,
    cacheTtlMinutes: Math.round((detail?.cacheTtlMs ?? 300_000) / 60_000),
    turns: {
      t: turns.map((x) => x.timestampMs / 1000),
      costUSD: turns.map((x) => x.costUSD),
      context: turns.map((x) => (x.sidechain ? null : x.promptTokens)),
      sidechain: turns.map((x) => x.sidechain),
    },
    id: s.sessionId,
    project: s.project,
    costUSD: s.costUSD,
    subagentCostUSD: s.subagentCostUSD,
    unitemisedCostUSD: s.unitemisedCostUSD,
    claudeCodeCostUSD: s.claudeCodeCostUSD,
    itemisation: s.itemisation,
    buckets: [
      { name: 'Input', tokens: s.inputTokens, usd: s.bucketCostUSD.input },
      { name: 'Output', tokens: s.outputTokens, usd: s.bucketCostUSD.output },
      { name: 'Cache write 5m', tokens: s.cacheWrite5mTokens, usd: s.bucketCostUSD.write5m },
      { name: 'Cache write 1h', tokens: s.cacheWrite1hTokens, usd: s.bucketCostUSD.write1h },
      { name: 'Cache read', tokens: s.cacheReadTokens, usd: s.bucketCostUSD.read },
      { name: 'Web search', tokens: s.webSearchRequests, usd: s.bucketCostUSD.webSearch },
    ],
    webSearches: s.webSearchRequests,
    cacheHitRate: s.cacheHitRate,
    contextTokens: s.contextTokens,
    contextState: s.contextState,
    contextWindow: s.contextWindow,
    currentModel: s.currentModel,
    models: s.models,
    messages: s.messages,
    firstTimestamp: s.firstTimestamp,
    lastTimestamp: s.lastTimestamp,
  };
}

function panelRange(label: string, r: RangeBreakdown): PanelRange {
  return {
    label,
    costUSD: r.costUSD,
    byProject: r.byProject.map((p) => ({ name: p.project, costUSD: p.costUSD })),
    byModel: r.byModel.map((m) => ({ name: m.model, costUSD: m.costUSD })),
  };
}

/**
 * Builds the panel snapshot; `selected` (picked in the panel) wins over the
 * current session. `detailOf` gives the per-call figures of a session.
 */
export function buildPanelSnapshot(m: MeterSnapshot, selected: string | null, detailOf: (sessionId: string) => SessionDetail | undefined): PanelSnapshot {
  const r = m.report;
  const sessions = r?.sessions ?? [];
  const picked = selected !== null ? sessions.find((s) => s.sessionId === selected) : undefined;
  const current = m.current.sessionId !== undefined ? sessions.find((s) => s.sessionId === m.current.sessionId) : undefined;
  const shown = picked ?? current;
  const weekStart = daysBefore(m.today, 6);
  const src = m.source;
  return {
    state: src.kind,
    lookedAt: src.kind === 'empty' ? [...src.lookedAt] : [],
    scanPercent: src.kind === 'scanning' && src.bytesTotal > 0 ? Math.floor((src.bytesDone / src.bytesTotal) * 100) : 0,
    today: { date: m.today, costUSD: r?.days.find((d) => d.date === m.today)?.costUSD ?? 0 },
    weekUSD: (r?.days ?? []).filter((d) => d.date >= weekStart && d.date <= m.today).reduce((a, d) => a + d.costUSD, 0),
    session: shown ? panelSession(shown, shown.sessionId === m.currentDetail?.sessionId ? m.currentDetail : detailOf(shown.sessionId)) : null,
    sessionReason: picked ? 'selected' : current ? m.current.reason : 'none',
    sessions: sessions.slice(0, 200).map((s) => ({ id: s.sessionId, project: s.project, costUSD: s.costUSD, lastTimestamp: s.lastTimestamp })),
    unpricedModels: r?.skipped.unpricedModels ?? [],
    priceTableAsOf: r?.priceTableAsOf ?? '',
    updatedAt: new Date(m.updatedAtMs).toISOString(),
    nudges: m.nudges.map((n) => ({ key: n.key, level: n.level, title: n.title, message: n.message, actions: [...n.actions] })),
    ranges: m.ranges ? [panelRange('Today', m.ranges.today), panelRange('Last 7 days', m.ranges.week)] : [],
    settingsProblems: m.priceOverrideErrors.map((e) => `claudeCostMeter.priceOverrides: ${e}`),
  };
}
