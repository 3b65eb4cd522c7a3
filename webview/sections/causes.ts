/**
 * Where the money goes: the shown session's cost by cause (the prompt, each
 * tool, MCP server, skill and subagent), with the tokens each added to the
 * context and what re-reading them cost, and what its cache misses cost.
 */
import type { PanelSession } from '../../src/shared/protocol';
import { el, foldable, howEstimated, int, usd } from '../core';

export function causesSection(s: PanelSession): HTMLElement {
  const content: Array<Node | string> = [];
  if (!s.causes) {
    content.push(el('p', { class: 'muted small' }, 'Reading the session…'));
  } else {
    const t = el('table', { 'aria-label': 'Cost by cause' });
    t.append(el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Cause'), el('th', { scope: 'col', class: 'num' }, 'Calls'), el('th', { scope: 'col', class: 'num' }, 'Cost'), el('th', { scope: 'col', class: 'num' }, 'Share'), el('th', { scope: 'col', class: 'num' }, 'Tokens added'), el('th', { scope: 'col', class: 'num' }, 'Re-read (est.)'))));
    const b = el('tbody');
    const total = s.causes.reduce((sum, c) => sum + c.costUSD, 0);
    for (const c of s.causes) {
      b.append(el('tr', {}, el('td', { class: 'project' }, c.cause), el('td', { class: 'num' }, int(c.calls)), el('td', { class: 'num', 'data-testid': `cause-${c.cause}` }, usd(c.costUSD)), el('td', { class: 'num' }, total > 0 ? `${Math.round((c.costUSD / total) * 100)}%` : '-'), el('td', { class: 'num' }, int(c.tokensAdded)), el('td', { class: 'num' }, `~${usd(c.rereadCostUSD)}`)));
    }
    t.append(b);
    content.push(t);
    if (s.cacheMisses) {
      content.push(el('p', { 'data-testid': 'cache-miss-cost' }, s.cacheMisses.count === 0 ? 'No cache misses in this session.' : `Cache misses cost ${usd(s.cacheMisses.extraCostUSD)} more than warm reads (${int(s.cacheMisses.count)} in this session).`));
    }
    content.push(howEstimated('Each call has one cause: a subagent’s call is its subagent; a call that reads a tool result is that tool (MCP tools by server, skills by name); any other call follows your prompt. "Re-read" estimates what the tokens a cause added cost as later calls read them again, until the next compaction.'));
  }
  const top = s.causes?.[0];
  return foldable('causes', 'Where the money goes', content, { testId: 'causes', ...(top ? { hint: `${top.cause} ${usd(top.costUSD)}` } : {}) });
}
