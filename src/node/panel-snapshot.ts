/**
 * The panel's plain-data snapshot, built from a meter snapshot. Pure and
 * testable; the webview renders it as text.
 */
import type { SessionReport } from '../core/report';
import type { PanelLimits, PanelRange, PanelSession, PanelSnapshot } from '../shared/protocol';
import { PLAN_NAMES } from '../core/budgets';
import type { RangeTotals } from '../core/history';
import type { SessionDetail } from './live/meter';
import type { MeterSnapshot } from './live/meter-view';
import { isStale, limitsApply, paceText, type LimitsState } from '../core/limits-view';

/** The panel's plan-limits section, when limits apply. */
export function panelLimits(limits: LimitsState | null, subscription: string, nowMs: number, formatTime: (ms: number) => string): PanelLimits | null {
  if (!limitsApply(subscription, limits)) {
    return null;
  }
  const r = limits?.reading ?? null;
  const five = r?.windows.find((w) => w.id === 'five_hour');
  return {
    source: r?.source ?? null,
    fetchedAtMs: r?.fetchedAtMs ?? null,
    plan: r?.plan ?? limits?.plan ?? null,
    windows: (r?.windows ?? []).map((w) => ({ id: w.id, label: w.label, percent: w.percent, resetsAtMs: w.resetsAtMs, stale: isStale(w, nowMs) })),
    pace: five !== undefined && limits ? paceText(limits.pace, five.label, formatTime) : null,
    problems: r === null ? [...(limits?.problems ?? [])] : [],
  };
}

/** The context size at which the /compact nudge fires: the lower of its thresholds that are on; null when both are off. */
export function compactAt(threshold: MeterSnapshot['compactThreshold'], contextWindow: number): number | null {
  if (!threshold) {
    return null;
  }
  const at = [threshold.tokens > 0 ? threshold.tokens : Infinity, threshold.windowShare > 0 ? threshold.windowShare * contextWindow : Infinity];
  const min = Math.min(...at);
  return Number.isFinite(min) ? Math.round(min) : null;
}

export function panelSession(s: SessionReport, detail: SessionDetail | undefined, threshold?: MeterSnapshot['compactThreshold']): PanelSession {
  const turns = detail?.turns ?? [];
  return {
    compactAtTokens: compactAt(threshold, s.contextWindow),
    cacheSavingsUSD: s.cacheSavingsUSD,
    whatIf: (detail?.whatIf ?? []).map((w) => ({ model: w.model, costUSD: w.costUSD })),
    spikes: (detail?.spikes ?? []).slice(0, 20).map((x) => ({ at: new Date(x.timestampMs).toISOString(), costUSD: x.costUSD, times: x.times, cause: x.cause, model: x.model, tools: x.tools ?? null })),
    nextTurn: detail?.nextTurn ?? null,
    projection: detail?.projection
      ? {
          turns: detail.projection.turns,
          continueUSD: detail.projection.continueUSD,
          compactUSD: detail.projection.compactUSD,
          compactCallUSD: detail.projection.compactCallUSD,
          postCompactTokens: detail.projection.postCompact.contextTokens,
          observedCompactions: detail.projection.postCompact.observed,
          paysOffAfter: detail.projection.paysOffAfter,
          basis: detail.projection.basis,
        }
      : null,
    countdown: detail?.countdown
      ? {
          coldAtMs: detail.countdown.coldAtMs,
          ttlMinutes: Math.round(detail.countdown.ttlMs / 60_000),
          rewriteTokens: detail.countdown.rewriteTokens,
          coldTurnUSD: detail.countdown.coldTurnUSD,
          warmTurnUSD: detail.countdown.warmTurnUSD,
        }
      : null,
    cacheTtlMinutes: Math.round((detail?.cacheTtlMs ?? 300_000) / 60_000),
    causes: detail?.causes ? detail.causes.causes.slice(0, 30).map((c) => ({ cause: c.cause, kind: c.kind, calls: c.calls, costUSD: c.costUSD, tokensAdded: c.tokensAdded, rereadCostUSD: c.rereadCostUSD })) : null,
    cacheMisses: detail?.causes ? { count: detail.causes.cacheMisses.length, extraCostUSD: detail.causes.cacheMissCostUSD } : null,
    turns: {
      t: turns.map((x) => x.timestampMs / 1000),
      costUSD: turns.map((x) => x.costUSD),
      context: turns.map((x) => (x.sidechain || x.advisor ? null : x.promptTokens)),
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

function panelRange(r: RangeTotals & { label: string }): PanelRange {
  return { label: r.label, costUSD: r.costUSD, byProject: r.byProject.slice(0, 50), byModel: r.byModel.slice(0, 50), fromHistory: r.fromHistory };
}

/**
 * Builds the panel snapshot; `selected` (picked in the panel) wins over the
 * current session. `detailOf` gives the per-call figures of a session.
 */
/** Sessions of the picker that get a title (each a light read of its transcript's head, remembered). */
export const TITLED_SESSIONS = 30;

export function buildPanelSnapshot(
  m: MeterSnapshot,
  selected: string | null,
  detailOf: (sessionId: string) => SessionDetail | undefined,
  titleOf: (sessionId: string) => string | null = () => null,
  nowMs: number = Date.now(),
  formatTime: (ms: number) => string = (ms) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }),
): PanelSnapshot {
  const r = m.report;
  const sessions = r?.sessions ?? [];
  const picked = selected !== null ? sessions.find((s) => s.sessionId === selected) : undefined;
  const current = m.current.sessionId !== undefined ? sessions.find((s) => s.sessionId === m.current.sessionId) : undefined;
  const shown = picked ?? current;
  const src = m.source;
  const h = m.history;
  return {
    state: src.kind,
    lookedAt: src.kind === 'empty' ? [...src.lookedAt] : [],
    scanPercent: src.kind === 'scanning' && src.bytesTotal > 0 ? Math.floor((src.bytesDone / src.bytesTotal) * 100) : 0,
    today: { date: m.today, costUSD: r?.days.find((d) => d.date === m.today)?.costUSD ?? 0 },
    weekUSD: h?.ranges.find((x) => x.label === 'Last 7 days')?.costUSD ?? 0,
    session: shown ? { ...panelSession(shown, shown.sessionId === m.currentDetail?.sessionId ? m.currentDetail : detailOf(shown.sessionId), m.compactThreshold), title: titleOf(shown.sessionId) } : null,
    sessionReason: picked ? 'selected' : current ? m.current.reason : 'none',
    sessions: sessions.slice(0, 200).map((s, i) => ({ id: s.sessionId, title: i < TITLED_SESSIONS ? titleOf(s.sessionId) : null, project: s.project, costUSD: s.costUSD, lastTimestamp: s.lastTimestamp })),
    unpricedModels: r?.skipped.unpricedModels ?? [],
    priceTableAsOf: r?.priceTableAsOf ?? '',
    updatedAt: new Date(m.updatedAtMs).toISOString(),
    nudges: m.nudges.map((n) => ({ key: n.key, level: n.level, title: n.title, message: n.message, actions: [...n.actions] })),
    ranges: h ? h.ranges.map(panelRange) : [],
    settingsProblems: m.priceOverrideErrors.map((e) => `claudeCostMeter.priceOverrides: ${e}`),
    budgets: (h?.budgets ?? []).map((b) => ({ period: b.period, label: b.label, spentUSD: b.spentUSD, limitUSD: b.limitUSD, share: b.share, paceShare: b.paceShare, summary: b.summary })),
    plans: h
      ? { ...h.plans, best: h.plans.best === 'api' ? 'api' : PLAN_NAMES[h.plans.best] }
      : null,
    apiEquivalent: m.apiEquivalent,
    daily: h ? { byModel: h.byModel, byProject: h.byProject } : null,
    pinned: m.current.reason === 'pinned',
    history: h ? { persisted: h.persisted, keptSessions: h.keptSessions, keptFrom: h.keptFrom, keptUntil: h.keptUntil, notice: h.notice?.message ?? null } : null,
    // A non-empty API-equivalent label means a subscription is set.
    limits: panelLimits(m.limits, m.apiEquivalent !== '' ? 'subscription' : 'none', nowMs, formatTime),
    causeRanges: m.periodCauses ? { ...m.periodCauses, today: m.periodCauses.today.slice(0, 30), last30: m.periodCauses.last30.slice(0, 30) } : null,
  };
}
