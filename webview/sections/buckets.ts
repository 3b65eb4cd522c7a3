/** The session's tokens and cost per price bucket. */
import type { PanelSession } from '../../src/shared/protocol';
import { el, foldable, int, usd } from '../core';

export function bucketsSection(s: PanelSession): HTMLElement {
  const table = el('table', { 'aria-label': 'Cost by bucket' });
  table.append(el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Bucket'), el('th', { scope: 'col', class: 'num' }, 'Tokens'), el('th', { scope: 'col', class: 'num' }, 'Cost'))));
  const body = el('tbody');
  for (const b of s.buckets) {
    if (b.name === 'Web search' && b.tokens === 0) {
      continue;
    }
    body.append(el('tr', {}, el('td', {}, b.name), el('td', { class: 'num' }, b.name === 'Web search' ? `${int(b.tokens)} searches` : int(b.tokens)), el('td', { class: 'num', 'data-testid': `bucket-${b.name}` }, usd(b.usd))));
  }
  table.append(body);
  return foldable('buckets', 'Cost by token type', [table], { testId: 'buckets' });
}
