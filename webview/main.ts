/**
 * The cost panel's UI. Browser code: imports only src/shared. Every string
 * from a transcript is set with textContent, never parsed as HTML.
 */
import type { HostToWebview, PanelSession, PanelSnapshot, PanelState, WebviewToHost } from '../src/shared/protocol';

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: PanelState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const app = document.getElementById('app') as HTMLElement;

function usd(value: number | null): string {
  if (value === null) {
    return 'unpriced';
  }
  const digits = value === 0 ? 2 : Math.abs(value) < 0.0001 ? 6 : Math.abs(value) < 0.01 ? 4 : 2;
  return `$${value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
}
const int = (n: number) => n.toLocaleString('en-US');
const pct = (n: number | null) => (n === null ? '-' : `${(n * 100).toFixed(1)}%`);

/** Creates an element with text content (never HTML). */
function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    e.setAttribute(k, v);
  }
  for (const c of children) {
    e.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return e;
}

function stat(label: string, value: string, testId: string): HTMLElement {
  return el('div', { class: 'stat' }, el('div', { class: 'stat-label' }, label), el('div', { class: 'stat-value', 'data-testid': testId }, value));
}

function button(label: string, message: WebviewToHost): HTMLButtonElement {
  const b = el('button', { type: 'button' }, label);
  b.addEventListener('click', () => vscode.postMessage(message));
  return b;
}

function sessionSection(s: PanelSession, snap: PanelSnapshot): HTMLElement {
  const section = el('section', { 'aria-label': 'Current session' });
  const reason = { selected: 'picked here', pinned: 'pinned', workspace: 'latest in this workspace', any: 'latest anywhere', none: '' }[snap.sessionReason];
  section.append(el('h2', {}, 'Session ', el('code', {}, s.id.slice(0, 8)), reason ? el('span', { class: 'muted' }, ` (${reason})`) : ''));
  section.append(el('p', { class: 'project', 'data-testid': 'project' }, s.project ?? 'unknown project'));
  const ctx =
    s.contextTokens !== null
      ? `${int(s.contextTokens)} / ${int(s.contextWindow)}`
      : s.contextState === 'compacted'
        ? 'compacted (known after the next call)'
        : '-';
  section.append(
    el(
      'div',
      { class: 'stats' },
      stat('Session cost', usd(s.costUSD), 'session-cost'),
      stat('Cache hit rate', pct(s.cacheHitRate), 'cache-hit'),
      stat('Context tokens', ctx, 'context-tokens'),
      stat('Subagents', usd(s.subagentCostUSD), 'subagent-cost'),
    ),
  );
  const table = el('table', { 'aria-label': 'Cost by bucket' });
  table.append(el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Bucket'), el('th', { scope: 'col', class: 'num' }, 'Tokens'), el('th', { scope: 'col', class: 'num' }, 'Cost'))));
  const body = el('tbody');
  for (const b of s.buckets) {
    body.append(el('tr', {}, el('td', {}, b.name), el('td', { class: 'num' }, int(b.tokens)), el('td', { class: 'num' }, usd(b.usd))));
  }
  table.append(body);
  section.append(table);
  const notes = el('ul', { class: 'notes' });
  notes.append(el('li', {}, `Model: ${s.currentModel ?? '-'}; models used: ${s.models.join(', ') || '-'}`));
  if (s.unitemisedCostUSD !== null && s.unitemisedCostUSD > 0) {
    notes.append(el('li', {}, `Includes ${usd(s.unitemisedCostUSD)} Claude Code reported but the transcript does not itemise (e.g. /compact).`));
  }
  if (s.claudeCodeCostUSD !== null) {
    notes.append(el('li', {}, `Claude Code's own estimate: ${usd(s.claudeCodeCostUSD)}.`));
  }
  if (s.itemisation === 'transcript-only') {
    notes.append(el('li', {}, 'Transcript only: calls made by /compact may be missing from this session.'));
  }
  section.append(notes);
  return section;
}

function render(snap: PanelSnapshot): void {
  const root = el('div');
  if (snap.state === 'empty') {
    root.append(el('h1', {}, 'No Claude Code transcripts yet'));
    root.append(el('p', {}, 'The meter looked in:'));
    const list = el('ul');
    for (const p of snap.lookedAt) {
      list.append(el('li', {}, el('code', {}, p)));
    }
    root.append(list, el('p', { class: 'muted' }, 'It updates by itself when Claude Code writes its first session.'));
    app.replaceChildren(root);
    return;
  }
  root.append(
    el(
      'div',
      { class: 'stats' },
      stat('Today', usd(snap.today.costUSD), 'today-cost'),
      stat('Last 7 days', usd(snap.weekUSD), 'week-cost'),
    ),
  );
  if (snap.state === 'scanning') {
    root.append(el('p', { class: 'muted', role: 'status' }, `Scanning transcripts… ${snap.scanPercent}%`));
  }
  if (snap.sessions.length > 0) {
    const select = el('select', { id: 'session-select', 'aria-label': 'Session' });
    select.append(el('option', { value: '' }, 'Current session'));
    for (const c of snap.sessions) {
      const o = el('option', { value: c.id }, `${(c.lastTimestamp ?? '').slice(0, 16).replace('T', ' ')} · ${c.project ?? 'unknown'} · ${usd(c.costUSD)}`);
      if (snap.sessionReason === 'selected' && snap.session?.id === c.id) {
        o.selected = true;
      }
      select.append(o);
    }
    select.addEventListener('change', () => {
      const id = select.value === '' ? null : select.value;
      vscode.setState({ selectedSession: id });
      vscode.postMessage({ type: 'selectSession', sessionId: id });
    });
    root.append(el('label', { for: 'session-select', class: 'muted' }, 'Show: '), select);
  }
  root.append(snap.session ? sessionSection(snap.session, snap) : el('p', {}, 'No session in this workspace yet.'));
  if (snap.unpricedModels.length > 0) {
    root.append(el('p', { class: 'warning' }, `Unpriced model(s): ${snap.unpricedModels.join(', ')}. Their tokens are counted; their cost is not in the totals.`));
  }
  root.append(
    el('div', { class: 'actions' }, button('Pin this session', { type: 'command', command: 'pinSession' }), button('Unpin', { type: 'command', command: 'unpinSession' }), button('Rescan', { type: 'command', command: 'rescan' }), button('Show log', { type: 'command', command: 'showLog' })),
  );
  root.append(el('p', { class: 'muted' }, `Updated ${new Date(snap.updatedAt).toLocaleTimeString()} · list prices as of ${snap.priceTableAsOf}`));
  app.replaceChildren(root);
}

window.addEventListener('message', (event: MessageEvent<HostToWebview>) => {
  const m = event.data;
  if (m && m.type === 'snapshot') {
    render(m.snapshot);
  }
});

const saved = vscode.getState() as PanelState | undefined;
if (saved && typeof saved.selectedSession === 'string') {
  vscode.postMessage({ type: 'selectSession', sessionId: saved.selectedSession });
}
vscode.postMessage({ type: 'ready' });
