/**
 * Where the money goes: the cost by cause (the prompt, each tool, MCP server,
 * skill and subagent) for the shown session, today or the last 30 days,
 * picked with keyboard-accessible tabs, as a bar chart (theme colours, one
 * per kind) and a table; what cache misses cost this week. Cause names come
 * from transcripts: they are set as text only.
 */
import type { PanelCauseRanges, PanelCauseSum, PanelSession } from '../../src/shared/protocol';
import { el, foldable, howEstimated, int, usd } from '../core';

export type CauseRange = 'session' | 'today' | 'last30';

const RANGES: Array<{ id: CauseRange; label: string }> = [
  { id: 'session', label: 'Session' },
  { id: 'today', label: 'Today' },
  { id: 'last30', label: '30 days' },
];

/** Theme colour per kind of cause (the charts' palette). */
const KIND_COLOUR: Record<string, string> = {
  prompt: 'var(--vscode-charts-blue, #3794ff)',
  tool: 'var(--vscode-charts-orange, #d18616)',
  mcp: 'var(--vscode-charts-purple, #b180d7)',
  skill: 'var(--vscode-charts-yellow, #cca700)',
  agent: 'var(--vscode-charts-red, #f14c4c)',
  subagent: 'var(--vscode-charts-green, #89d185)',
};

/** Horizontal bars, one per cause (the largest 12), length by dollars. */
function causeBars(rows: readonly PanelCauseSum[], label: string): HTMLElement {
  const top = rows.slice(0, 12);
  const max = Math.max(0, ...top.map((r) => r.costUSD));
  const chart = el('div', { class: 'cause-bars chart', role: 'img', 'aria-label': `${label}: ${top.map((r) => `${r.cause} ${usd(r.costUSD)}`).join(', ')}`, 'data-testid': 'cause-chart' });
  for (const r of top) {
    const bar = el('div', { class: 'cause-bar' });
    bar.style.width = `${max > 0 ? ((r.costUSD / max) * 100).toFixed(2) : '0'}%`;
    bar.style.background = KIND_COLOUR[r.kind] ?? KIND_COLOUR.tool ?? '';
    chart.append(el('div', { class: 'cause-bar-row' }, el('span', { class: 'cause-bar-label project', title: r.cause }, r.cause), el('span', { class: 'cause-bar-track' }, bar), el('span', { class: 'num' }, usd(r.costUSD))));
  }
  return chart;
}

function sumTable(rows: readonly PanelCauseSum[], label: string): HTMLElement {
  const t = el('table', { 'aria-label': label });
  t.append(el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Cause'), el('th', { scope: 'col', class: 'num' }, 'Calls'), el('th', { scope: 'col', class: 'num' }, 'Cost'), el('th', { scope: 'col', class: 'num' }, 'Share'))));
  const b = el('tbody');
  const total = rows.reduce((sum, c) => sum + c.costUSD, 0);
  for (const c of rows) {
    b.append(el('tr', {}, el('td', { class: 'project' }, c.cause), el('td', { class: 'num' }, int(c.calls)), el('td', { class: 'num', 'data-testid': `cause-${c.cause}` }, usd(c.costUSD)), el('td', { class: 'num' }, total > 0 ? `${Math.round((c.costUSD / total) * 100)}%` : '-')));
  }
  if (rows.length === 0) {
    b.append(el('tr', {}, el('td', { colspan: '4', class: 'muted' }, 'Nothing yet')));
  }
  t.append(b);
  return t;
}

function sessionTable(s: PanelSession): HTMLElement {
  const t = el('table', { 'aria-label': 'Cost by cause' });
  t.append(el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Cause'), el('th', { scope: 'col', class: 'num' }, 'Calls'), el('th', { scope: 'col', class: 'num' }, 'Cost'), el('th', { scope: 'col', class: 'num' }, 'Share'), el('th', { scope: 'col', class: 'num' }, 'Tokens added'), el('th', { scope: 'col', class: 'num' }, 'Re-read (est.)'))));
  const b = el('tbody');
  const causes = s.causes ?? [];
  const total = causes.reduce((sum, c) => sum + c.costUSD, 0);
  for (const c of causes) {
    b.append(el('tr', {}, el('td', { class: 'project' }, c.cause), el('td', { class: 'num' }, int(c.calls)), el('td', { class: 'num', 'data-testid': `cause-${c.cause}` }, usd(c.costUSD)), el('td', { class: 'num' }, total > 0 ? `${Math.round((c.costUSD / total) * 100)}%` : '-'), el('td', { class: 'num' }, int(c.tokensAdded)), el('td', { class: 'num' }, `~${usd(c.rereadCostUSD)}`)));
  }
  t.append(b);
  return t;
}

/** The tabs: arrow keys, Home and End move between them (the WAI-ARIA tabs pattern); Enter, Space or a click picks. */
function tabs(shown: CauseRange, available: readonly CauseRange[], onShow: (r: CauseRange) => void): HTMLElement {
  const list = el('div', { class: 'cause-tabs', role: 'tablist', 'aria-label': 'Where the money goes: period' });
  const ids = RANGES.filter((r) => available.includes(r.id));
  for (const r of ids) {
    const selected = r.id === shown;
    const b = el('button', { type: 'button', role: 'tab', id: `cause-tab-${r.id}`, 'aria-selected': String(selected), 'aria-controls': 'cause-panel', tabindex: selected ? '0' : '-1', class: selected ? 'cause-tab selected' : 'cause-tab', 'data-testid': `cause-tab-${r.id}` }, r.label);
    b.addEventListener('click', () => onShow(r.id));
    b.addEventListener('keydown', (ev) => {
      const i = ids.findIndex((x) => x.id === r.id);
      const next = ev.key === 'ArrowRight' ? ids[(i + 1) % ids.length] : ev.key === 'ArrowLeft' ? ids[(i - 1 + ids.length) % ids.length] : ev.key === 'Home' ? ids[0] : ev.key === 'End' ? ids[ids.length - 1] : undefined;
      if (next) {
        ev.preventDefault();
        onShow(next.id);
        // The panel re-renders: focus the new tab once it is there.
        queueMicrotask(() => document.getElementById(`cause-tab-${next.id}`)?.focus());
      }
    });
    list.append(b);
  }
  return list;
}

const HOW = 'Each call has one cause: a subagent’s call is its subagent; a call that reads a tool result is that tool (MCP tools by server, skills by name); any other call follows your prompt. "Re-read" estimates what the tokens a cause added cost as later calls read them again, until the next compaction. A cache miss is a large cache write after the cache went cold; its cost is the write beyond what a warm read would have cost.';

function sessionContent(s: PanelSession | null): Array<Node | string> {
  if (!s) {
    return [el('p', { class: 'muted' }, 'No session in this workspace yet.')];
  }
  if (!s.causes) {
    return [el('p', { class: 'muted small' }, 'Reading the session…')];
  }
  const out: Array<Node | string> = [causeBars(s.causes, 'Session cost by cause'), sessionTable(s)];
  if (s.cacheMisses) {
    out.push(el('p', { 'data-testid': 'cache-miss-cost' }, s.cacheMisses.count === 0 ? 'No cache misses in this session.' : `Cache misses cost ${usd(s.cacheMisses.extraCostUSD)} more than warm reads (${int(s.cacheMisses.count)} in this session).`));
  }
  return out;
}

function rangeContent(ranges: PanelCauseRanges | null | undefined, which: 'today' | 'last30'): Array<Node | string> {
  if (!ranges) {
    return [el('p', { class: 'muted small' }, 'Waiting for the first scan…')];
  }
  const rows = ranges[which];
  const label = which === 'today' ? 'Today by cause' : 'Last 30 days by cause';
  const out: Array<Node | string> = [causeBars(rows, label), sumTable(rows, label)];
  if (ranges.pending > 0) {
    out.push(el('p', { class: 'muted small' }, `Reading ${int(ranges.pending)} more session${ranges.pending === 1 ? '' : 's'}…`));
  }
  return out;
}

/** `shown`: the period picked (a panel-local choice); `onShow` re-renders with another. */
export function causesSection(s: PanelSession | null, ranges: PanelCauseRanges | null | undefined, shown: CauseRange, onShow: (r: CauseRange) => void): HTMLElement {
  const available: CauseRange[] = ['session', 'today', 'last30'];
  const pick = s === null && shown === 'session' ? 'today' : shown;
  const panel = el('div', { role: 'tabpanel', id: 'cause-panel', 'aria-labelledby': `cause-tab-${pick}`, 'data-testid': `cause-panel-${pick}` }, ...(pick === 'session' ? sessionContent(s) : rangeContent(ranges, pick)));
  const content: Array<Node | string> = [tabs(pick, available, onShow), panel];
  if (ranges) {
    content.push(el('p', { 'data-testid': 'week-miss-cost' }, ranges.weekMisses === 0 ? 'No cache misses this week.' : `Cache misses cost ${usd(ranges.weekMissCostUSD)} this week (${int(ranges.weekMisses)} miss${ranges.weekMisses === 1 ? '' : 'es'}, against warm reads).`));
  }
  content.push(howEstimated(HOW));
  const top = s?.causes?.[0];
  return foldable('causes', 'Where the money goes', content, { testId: 'causes', ...(top ? { hint: `${top.cause} ${usd(top.costUSD)}` } : {}) });
}
