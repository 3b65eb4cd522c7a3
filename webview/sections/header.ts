/** The session picker: sessions by title (Claude Code's summary or first prompt), the id on hover. */
import type { PanelSessionChoice, PanelSnapshot } from '../../src/shared/protocol';
import { el, usd } from '../core';

/** A session's name as a user knows it: its title, else its project, else its id. */
export function sessionName(c: { id: string; title?: string | null | undefined; project: string | null }): string {
  if (c.title) {
    return c.title;
  }
  const project = c.project ? c.project.split(/[\\/]/).filter((p) => p !== '').pop() : undefined;
  return project ? `${project} · ${c.id.slice(0, 8)}` : `Session ${c.id.slice(0, 8)}`;
}

function when(c: PanelSessionChoice): string {
  return (c.lastTimestamp ?? '').slice(5, 16).replace('T', ' ');
}

export function sessionHeader(snap: PanelSnapshot, onSelect: (id: string | null) => void): HTMLElement {
  const head = el('div', { class: 'header' });
  const s = snap.session;
  const reason = { selected: 'picked here', pinned: 'pinned', workspace: 'latest in this workspace', any: 'latest anywhere', none: '' }[snap.sessionReason];
  if (snap.sessions.length > 0) {
    const select = el('select', { id: 'session-select', 'aria-label': 'Session' });
    const current = el('option', { value: '' }, s && snap.sessionReason !== 'selected' ? `${sessionName(s)} (${reason})` : 'Current session');
    select.append(current);
    for (const c of snap.sessions) {
      const o = el('option', { value: c.id, title: c.id }, `${sessionName(c)} · ${when(c)} · ${usd(c.costUSD)}`);
      if (snap.sessionReason === 'selected' && s?.id === c.id) {
        o.selected = true;
      }
      select.append(o);
    }
    select.addEventListener('change', () => onSelect(select.value === '' ? null : select.value));
    head.append(select);
  }
  if (s) {
    // The picker already says why this session (unless one was picked there).
    const why = snap.sessions.length > 0 && snap.sessionReason !== 'selected' ? '' : reason;
    head.append(el('div', { class: 'session-where muted', title: `Session ${s.id}` }, el('span', { class: 'project', 'data-testid': 'project' }, s.project ?? 'unknown project'), why ? ` · ${why}` : ''));
  }
  return head;
}
