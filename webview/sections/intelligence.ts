/**
 * The session's figures beyond the summary row: cache hit rate, the next
 * turn, the next ten turns against /compact, the model what-if, spikes, and
 * notes. Method text sits behind "How is this estimated?".
 */
import type { PanelSession, PanelSnapshot } from '../../src/shared/protocol';
import { el, foldable, howEstimated, int, pct, usd } from '../core';

function stat(label: string, value: string, testId: string, hint?: string): HTMLElement {
  const box = el('div', { class: 'stat' }, el('div', { class: 'stat-label' }, label), el('div', { class: 'stat-value', 'data-testid': testId }, value));
  if (hint) {
    box.append(el('div', { class: 'stat-hint' }, hint));
  }
  return box;
}

/** "+$0.10 dearer" / "-$0.10 cheaper": the sign always says what it means. */
export function signed(diff: number, more: string, less: string): string {
  if (Math.abs(diff) < 0.005) {
    return 'about the same';
  }
  return diff > 0 ? `+${usd(diff)} ${more}` : `${usd(diff)} ${less}`;
}

function projectionBlock(s: PanelSession): HTMLElement {
  const p = s.projection;
  const box = el('div', { class: 'projection', 'data-testid': 'projection' });
  if (!p) {
    box.append(el('p', { class: 'muted' }, 'Next 10 turns: not known yet (no priced main-chain call with a known context).'));
    return box;
  }
  const saving = p.continueUSD - p.compactUSD;
  box.append(
    el('h3', {}, `Next ${p.turns} turns (estimate)`),
    el(
      'div',
      { class: 'stats' },
      stat('As the session goes', usd(p.continueUSD), 'projection-continue'),
      stat('After /compact now', usd(p.compactUSD), 'projection-compact', `incl. the /compact call ${usd(p.compactCallUSD)}; context after ≈ ${int(p.postCompactTokens)} tokens`),
      stat(saving >= 0 ? '/compact saves' : '/compact costs more by', usd(saving), 'projection-saving', p.paysOffAfter !== null ? `compacting is cheaper from turn ${p.paysOffAfter}` : `compacting does not pay off within ${p.turns} turns`),
    ),
    howEstimated(el('p', { 'data-testid': 'projection-basis' }, `${p.basis}.`)),
  );
  return box;
}

function whatIfTable(s: PanelSession): HTMLElement[] {
  if (s.whatIf.length === 0) {
    return [];
  }
  const t = el('table', { 'aria-label': 'This session on other models', 'data-testid': 'what-if' });
  t.append(el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Same calls on'), el('th', { scope: 'col', class: 'num' }, 'Cost'), el('th', { scope: 'col', class: 'num' }, 'Against this session'))));
  const b = el('tbody');
  for (const w of s.whatIf) {
    b.append(el('tr', {}, el('td', {}, w.model), el('td', { class: 'num' }, usd(w.costUSD)), el('td', { class: 'num' }, signed(w.costUSD - s.costUSD, 'dearer', 'cheaper'))));
  }
  t.append(b);
  return [el('h3', {}, 'Other models (estimate)'), el('div', { class: 'scroll' }, t), howEstimated("This session's real token counts repriced at list price; another model would write different tokens, and switching mid-session loses the prompt cache (the next call re-writes the whole context).")];
}

function spikesTable(s: PanelSession): HTMLElement[] {
  if (s.spikes.length === 0) {
    return [];
  }
  const t = el('table', { 'aria-label': 'Expensive calls', 'data-testid': 'spikes' });
  t.append(el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'When'), el('th', { scope: 'col', class: 'num' }, 'Cost'), el('th', { scope: 'col', class: 'num' }, '× median'), el('th', { scope: 'col' }, 'Likely cause'), el('th', { scope: 'col' }, 'After tool'))));
  const b = el('tbody');
  for (const x of s.spikes) {
    b.append(el('tr', {}, el('td', {}, new Date(x.at).toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' })), el('td', { class: 'num' }, usd(x.costUSD)), el('td', { class: 'num' }, `${x.times.toFixed(1)}x`), el('td', {}, x.cause), el('td', { class: 'project' }, x.tools === null ? '…' : x.tools.length > 0 ? x.tools.join(', ') : '-')));
  }
  t.append(b);
  return [el('h3', {}, 'Spikes: calls over 5× the median'), el('div', { class: 'scroll' }, t)];
}

function notes(s: PanelSession): HTMLElement {
  const list = el('ul', { class: 'notes' });
  list.append(el('li', {}, `Model: ${s.currentModel ?? '-'}; models used: ${s.models.join(', ') || '-'}; ${int(s.messages)} calls`));
  if (s.unitemisedCostUSD !== null && s.unitemisedCostUSD > 0) {
    list.append(el('li', {}, `Includes ${usd(s.unitemisedCostUSD)} Claude Code reported but the transcript does not itemise (e.g. /compact).`));
  }
  if (s.claudeCodeCostUSD !== null) {
    const diff = s.costUSD - s.claudeCodeCostUSD;
    list.append(el('li', {}, `Claude Code's own estimate: ${usd(s.claudeCodeCostUSD)}${Math.abs(diff) >= 0.005 ? ` (ours is ${usd(Math.abs(diff))} ${diff > 0 ? 'higher' : 'lower'}: its price table can lag list prices, and it may miss subagents or calls after its last cost-state line)` : ''}.`));
  }
  if (s.itemisation === 'transcript-only') {
    list.append(el('li', {}, 'Transcript only: calls made by /compact may be missing from this session.'));
  }
  return list;
}

export function intelligenceSection(s: PanelSession, snap: PanelSnapshot): HTMLElement {
  const cache = s.cacheSavingsUSD >= 0 ? `saved ${usd(s.cacheSavingsUSD)} against no cache` : `cost ${usd(-s.cacheSavingsUSD)} more than no cache`;
  const content: Array<Node | string> = [
    el(
      'div',
      { class: 'stats' },
      stat('Cache hit rate', pct(s.cacheHitRate), 'cache-hit', cache),
      stat('Next turn, warm cache', s.nextTurn ? usd(s.nextTurn.warmUSD) : '-', 'next-warm', s.nextTurn ? `cold cache: ${usd(s.nextTurn.coldUSD)}` : undefined),
    ),
  ];
  if (s.nextTurn) {
    content.push(howEstimated(`Next turn: ${s.nextTurn.basis}.`));
  }
  content.push(projectionBlock(s), ...whatIfTable(s), ...spikesTable(s), notes(s));
  const hint = snap.sessionReason === 'pinned' ? 'pinned' : undefined;
  return foldable('intelligence', 'Session details', content, { testId: 'intelligence', ...(hint ? { hint } : {}) });
}
