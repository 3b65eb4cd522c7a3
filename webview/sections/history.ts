/**
 * Cost over days: 7, 30 and 90 days (today is in the summary row), broken
 * down by project and model, and the note on history kept by the meter.
 */
import type { PanelHistory, PanelRange } from '../../src/shared/protocol';
import { el, foldable, icon, int, usd } from '../core';

const RANGE_IDS: Record<string, string> = { Today: 'today', 'Last 7 days': 'week', 'Last 30 days': 'month', 'Last 90 days': 'quarter' };

function historyNote(h: PanelHistory): HTMLElement | undefined {
  if (h.keptSessions > 0) {
    return el(
      'p',
      { class: 'muted', 'data-testid': 'history-note' },
      icon('history'),
      ` ${int(h.keptSessions)} session${h.keptSessions === 1 ? '' : 's'} (${h.keptFrom ?? '?'} to ${h.keptUntil ?? '?'}) ${h.keptSessions === 1 ? 'comes' : 'come'} from the meter's own history: Claude Code has deleted ${h.keptSessions === 1 ? 'its transcript' : 'their transcripts'} (cleanupPeriodDays).`,
    );
  }
  if (!h.persisted) {
    return el('p', { class: 'muted small', 'data-testid': 'history-note' }, 'History is not kept (claudeCostMeter.history.enabled is off): days vanish when Claude Code deletes old transcripts.');
  }
  return undefined;
}

function rangeTable(r: PanelRange, kind: 'byProject' | 'byModel'): HTMLElement {
  const table = el('table', { 'aria-label': `${r.label} by ${kind === 'byProject' ? 'project' : 'model'}` });
  table.append(el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, kind === 'byProject' ? 'Project' : 'Model'), el('th', { scope: 'col', class: 'num' }, 'Cost'))));
  const body = el('tbody');
  const rows = r[kind];
  for (const row of rows.slice(0, 12)) {
    body.append(el('tr', {}, el('td', { class: 'project', title: row.name }, row.name), el('td', { class: 'num' }, usd(row.costUSD))));
  }
  if (rows.length === 0) {
    body.append(el('tr', {}, el('td', { colspan: '2', class: 'muted' }, 'Nothing yet')));
  }
  table.append(body);
  return table;
}

/** `shown`: the range broken down (a panel-local choice); `onShow` re-renders with another. */
export function historySection(ranges: PanelRange[], history: PanelHistory | null, shown: string, onShow: (label: string) => void): HTMLElement {
  const content: HTMLElement[] = [];
  const longer = ranges.filter((r) => r.label !== 'Today');
  content.push(el('div', { class: 'stats' }, ...longer.map((r) => el('div', { class: 'stat' }, el('div', { class: 'stat-label' }, r.label + (r.fromHistory ? ' *' : '')), el('div', { class: 'stat-value', 'data-testid': `range-${RANGE_IDS[r.label] ?? r.label}` }, usd(r.costUSD))))));
  const pick = ranges.find((r) => r.label === shown) ?? longer[0] ?? ranges[0];
  if (pick) {
    const select = el('select', { id: 'range-select', 'aria-label': 'Break down' });
    for (const r of ranges) {
      const o = el('option', { value: r.label }, r.label);
      o.selected = r === pick;
      select.append(o);
    }
    select.addEventListener('change', () => onShow(select.value));
    content.push(el('div', { class: 'switcher' }, el('label', { for: 'range-select', class: 'muted' }, 'By project and model: '), select));
    content.push(el('div', { class: 'tables' }, rangeTable(pick, 'byProject'), rangeTable(pick, 'byModel')));
  }
  if (ranges.some((r) => r.fromHistory)) {
    content.push(el('p', { class: 'muted small' }, "* includes sessions kept from the meter's own history."));
  }
  const note = history ? historyNote(history) : undefined;
  if (note) {
    content.push(note);
  }
  return foldable('history', 'Cost over days', content, { testId: 'history' });
}
