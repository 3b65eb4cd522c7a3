/**
 * Plan limits (subscribers): a gauge per window with its reset countdown,
 * the pace (an estimate), and the reading's source and age. The summary row
 * shows the shares; this section holds the rest.
 */
import type { PanelLimits } from '../../src/shared/protocol';
import { clock, clockTime, el, foldable, gauge, howEstimated } from '../core';

/** "resets in 1:23:45 (15:40)" or "reset passed at 15:40", for one window. */
export function resetText(resetsAtMs: number | null, nowMs: number): string {
  if (resetsAtMs === null) {
    return 'reset time unknown';
  }
  return nowMs >= resetsAtMs ? `reset passed at ${clockTime(resetsAtMs)}` : `resets in ${clock(resetsAtMs - nowMs)} (${clockTime(resetsAtMs)})`;
}

/** A window's share as shown: "42.5%", "no reading" or "stale since …". */
export function limitShare(w: PanelLimits['windows'][number]): string {
  if (w.percent === null) {
    return 'no reading';
  }
  return w.stale ? `stale since ${w.resetsAtMs !== null ? clockTime(w.resetsAtMs) : '?'}` : `${Math.round(w.percent * 10) / 10}%`;
}

export function limitsSection(l: PanelLimits): HTMLElement {
  const content: Array<Node | string> = [];
  if (l.fetchedAtMs === null) {
    content.push(el('p', { class: 'muted', 'data-testid': 'limits-none' }, 'No reading yet.'));
    for (const p of l.problems) {
      content.push(el('p', { class: 'muted small' }, p));
    }
  } else {
    for (const w of l.windows) {
      const share = limitShare(w);
      const row = el('div', { class: 'limit-row', 'data-testid': `limit-${w.id}` }, el('span', {}, w.label), el('span', { class: 'num', 'data-testid': `limit-${w.id}-percent` }, share));
      if (w.percent !== null && !w.stale) {
        row.append(gauge(w.percent / 100, `${w.label}: ${share} used`, { level: w.percent >= 95 ? 'error' : w.percent >= 80 ? 'warning' : 'ok' }));
      }
      row.append(el('span', { class: 'muted small limit-reset', 'data-reset': String(w.stale ? '' : (w.resetsAtMs ?? '')) }, resetText(w.stale ? null : w.resetsAtMs, Date.now())));
      content.push(row);
    }
    if (l.pace !== null) {
      content.push(el('p', { 'data-testid': 'limits-pace' }, l.pace), howEstimated('The pace is the 5-hour window’s share per dollar of this window’s transcripts, applied to the spending of the last 30 minutes.'));
    }
    const age = Math.max(0, Math.round((Date.now() - l.fetchedAtMs) / 60_000));
    content.push(el('p', { class: 'muted small', 'data-testid': 'limits-age' }, `Reading from ${l.source === 'statusline' ? 'the Claude Code status line' : "Claude Code's config"}, ${age} min old (${clockTime(l.fetchedAtMs)}).`));
  }
  return foldable('limits', `Plan limits${l.plan !== null ? ` (${l.plan})` : ''}`, content, { testId: 'plan-limits', openByDefault: true });
}

/** Ticks the reset countdowns every second without re-rendering the panel. */
export function startLimitsClock(previous: ReturnType<typeof setInterval> | undefined): ReturnType<typeof setInterval> | undefined {
  if (previous !== undefined) {
    clearInterval(previous);
  }
  const nodes = Array.from(document.querySelectorAll<HTMLElement>('.limit-reset')).filter((n) => n.dataset.reset !== '');
  if (nodes.length === 0) {
    return undefined;
  }
  return setInterval(() => {
    for (const n of nodes) {
      n.textContent = resetText(Number(n.dataset.reset), Date.now());
    }
  }, 1000);
}
