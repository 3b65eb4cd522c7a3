/**
 * The summary row: session cost (largest), today, the context gauge with the
 * /compact threshold, the prompt cache with its clock time, and plan limits
 * when the host sends them.
 */
import type { PanelLimits, PanelSession, PanelSnapshot } from '../../src/shared/protocol';
import { clock, clockTime, el, gauge, int, pct0, tokensShort, usd } from '../core';

function card(label: string | Node, value: Node, testId: string, ...extra: Node[]): HTMLElement {
  return el('div', { class: 'card', 'data-card': testId }, el('div', { class: 'card-label' }, label), value, ...extra);
}

function contextCard(s: PanelSession): HTMLElement {
  const at = s.compactAtTokens ?? null;
  if (s.contextTokens === null) {
    const v = s.contextState === 'compacted' ? 'compacted' : '-';
    return card('Context', el('div', { class: 'card-value', 'data-testid': 'context-tokens' }, v), 'context', el('div', { class: 'card-hint muted' }, s.contextState === 'compacted' ? 'known after the next call' : 'no main-chain call yet'));
  }
  const share = s.contextTokens / s.contextWindow;
  const over = at !== null && s.contextTokens >= at;
  return card(
    'Context',
    el('div', { class: 'card-value small-value', 'data-testid': 'context-tokens', title: `${pct0(share)} of the window` }, `${int(s.contextTokens)} / ${int(s.contextWindow)}`),
    'context',
    gauge(share, `Context window used: ${pct0(share)}${at !== null ? `; /compact suggested from ${int(at)} tokens` : ''}`, { markAt: at !== null ? at / s.contextWindow : null, level: over ? 'warning' : 'ok', testId: 'context-gauge' }),
    el('div', { class: 'card-hint muted' }, at !== null ? `${over ? 'past' : '/compact at'} ${tokensShort(at)}${over ? ': /compact suggested' : ''}` : `${pct0(share)} of the window`),
  );
}

/** The cache line's text at `nowMs`: a clock time, with what is left in brackets. */
export function cacheText(c: NonNullable<PanelSession['countdown']>, nowMs: number): string {
  return nowMs >= c.coldAtMs ? `Cold since ${clockTime(c.coldAtMs)}` : `Warm until ${clockTime(c.coldAtMs)} (${clock(c.coldAtMs - nowMs)} left)`;
}

function cacheCard(s: PanelSession): HTMLElement {
  const c = s.countdown;
  const ttl = `${s.cacheTtlMinutes >= 60 ? '1-hour' : `${s.cacheTtlMinutes}-minute`} cache`;
  if (!c) {
    return card('Prompt cache', el('div', { class: 'card-value small-value' }, '-'), 'cache', el('div', { class: 'card-hint muted' }, ttl));
  }
  const late = c.coldTurnUSD !== null ? ` ≈ ${usd(c.coldTurnUSD)}` : '';
  return card(
    'Prompt cache',
    el('div', { class: 'card-value small-value', id: 'cache-countdown', 'data-testid': 'cache-countdown', 'aria-live': 'off' }, cacheText(c, Date.now())),
    'cache',
    el('div', { class: 'card-hint muted', 'data-testid': 'cache-cold-cost' }, `${ttl}; cold, the next prompt re-writes ${tokensShort(c.rewriteTokens)} tokens${late}`),
  );
}

function limitsCard(limits: PanelLimits): HTMLElement {
  const box = el('div', { class: 'limits' });
  for (const w of limits.windows.filter((x) => x.id === 'five_hour' || x.id === 'seven_day')) {
    const shown = w.percent === null ? 'no reading' : w.stale ? 'stale' : `${Math.round(w.percent)}%`;
    const reset = w.resetsAtMs !== null && !w.stale ? ` · resets ${clockTime(w.resetsAtMs)}` : '';
    const row = el('div', { class: 'limit-row' }, el('span', { 'data-testid': `summary-limit-${w.id}` }, `${w.label} ${shown}`));
    if (w.percent !== null && !w.stale) {
      row.append(gauge(w.percent / 100, `${w.label}: ${shown} used`, { level: w.percent >= 95 ? 'error' : w.percent >= 80 ? 'warning' : 'ok' }));
    }
    row.append(el('span', { class: 'muted small' }, reset));
    box.append(row);
  }
  return card('Plan limits', box, 'limits');
}

export function summaryRow(snap: PanelSnapshot): HTMLElement {
  const row = el('section', { class: 'summary', 'aria-label': 'Summary', 'data-testid': 'summary' });
  const s = snap.session;
  const eq = snap.apiEquivalent ? ' (API-eq.)' : '';
  if (s) {
    const sub = s.subagentCostUSD > 0 ? el('div', { class: 'card-hint muted' }, `incl. subagents ${usd(s.subagentCostUSD)}`) : el('div', { class: 'card-hint muted' }, `${int(s.messages)} calls`);
    row.append(card(`Session${eq}`, el('div', { class: 'card-value big', 'data-testid': 'session-cost' }, usd(s.costUSD)), 'session', sub));
  }
  row.append(card(`Today${eq}`, el('div', { class: 'card-value', 'data-testid': 'today-cost' }, usd(snap.today.costUSD)), 'today', el('div', { class: 'card-hint muted' }, 'all sessions')));
  if (s) {
    row.append(contextCard(s), cacheCard(s));
  }
  if (snap.limits && snap.limits.windows.some((x) => x.id === 'five_hour' || x.id === 'seven_day')) {
    row.append(limitsCard(snap.limits));
  }
  return row;
}

/** Ticks the cache line every second without re-rendering the panel. */
export function startCacheClock(c: PanelSession['countdown'], previous: ReturnType<typeof setInterval> | undefined): ReturnType<typeof setInterval> | undefined {
  if (previous !== undefined) {
    clearInterval(previous);
  }
  if (!c) {
    return undefined;
  }
  const tick = () => {
    const node = document.getElementById('cache-countdown');
    if (node) {
      node.textContent = cacheText(c, Date.now());
      node.classList.toggle('warning', Date.now() >= c.coldAtMs);
    }
  };
  tick();
  return setInterval(tick, 1000);
}

