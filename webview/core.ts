/**
 * The panel's small render core: element helpers (text only, never HTML),
 * number formats, the theme-token gauge, and foldable sections that remember
 * whether they are open (webview state).
 */
import type { PanelState, WebviewToHost } from '../src/shared/protocol';

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: PanelState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export const vscode = acquireVsCodeApi();

/** The webview state, read once and written back on every change. */
const saved = vscode.getState() as Partial<PanelState> | undefined;
export const state: PanelState = {
  selectedSession: typeof saved?.selectedSession === 'string' ? saved.selectedSession : null,
  open: saved?.open && typeof saved.open === 'object' ? { ...saved.open } : {},
};
export function saveState(): void {
  vscode.setState(state);
}

export function usd(value: number | null): string {
  if (value === null) {
    return 'unpriced';
  }
  const digits = value === 0 ? 2 : Math.abs(value) < 0.0001 ? 6 : Math.abs(value) < 0.01 ? 4 : 2;
  return `${value < 0 ? '-' : ''}$${Math.abs(value).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
}
export const int = (n: number) => n.toLocaleString('en-US');
export const pct = (n: number | null) => (n === null ? '-' : `${(n * 100).toFixed(1)}%`);
export const pct0 = (n: number) => `${Math.round(n * 100)}%`;
/** 110k, 1M, 950. */
export function tokensShort(n: number): string {
  if (n >= 1_000_000) {
    return `${Number((n / 1_000_000).toFixed(1))}M`;
  }
  return n >= 1000 ? `${Math.round(n / 1000)}k` : String(n);
}

/** `m:ss` or `h:mm:ss`. */
export function clock(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const ss = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** A wall-clock time such as "11:45 PM". */
export const clockTime = (ms: number) => new Date(ms).toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' });

/** Creates an element with text content (never HTML). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    e.setAttribute(k, v);
  }
  for (const c of children) {
    e.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return e;
}

export function icon(name: string): HTMLElement {
  return el('span', { class: `codicon codicon-${name}`, 'aria-hidden': 'true' });
}

/** A button like VS Code's: primary (one per panel) or secondary. */
export function button(label: string, message: WebviewToHost, opts: { codicon?: string; testId?: string; primary?: boolean; title?: string; iconOnly?: boolean } = {}): HTMLButtonElement {
  const attrs: Record<string, string> = { type: 'button', class: opts.primary ? 'btn primary' : 'btn secondary' };
  if (opts.testId) {
    attrs['data-testid'] = opts.testId;
  }
  if (opts.title) {
    attrs.title = opts.title;
  }
  if (opts.iconOnly) {
    attrs['aria-label'] = label;
    attrs.class += ' icon-only';
  }
  const b = el('button', attrs, ...(opts.codicon ? [icon(opts.codicon)] : []), ...(opts.iconOnly && opts.codicon ? [] : [el('span', {}, label)]));
  b.addEventListener('click', () => vscode.postMessage(message));
  return b;
}

/**
 * A horizontal gauge drawn with theme tokens (not the stock `<meter>`):
 * a track, a fill, and an optional tick at a threshold share.
 */
export function gauge(share: number, label: string, opts: { markAt?: number | null; level?: 'ok' | 'warning' | 'error'; testId?: string } = {}): HTMLElement {
  const clamped = Math.max(0, Math.min(1, share));
  const attrs: Record<string, string> = { class: `gauge ${opts.level ?? 'ok'}`, role: 'meter', 'aria-label': label, 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(Math.round(clamped * 100)) };
  if (opts.testId) {
    attrs['data-testid'] = opts.testId;
  }
  const g = el('div', attrs);
  const fill = el('div', { class: 'gauge-fill' });
  fill.style.width = `${(clamped * 100).toFixed(2)}%`;
  g.append(fill);
  if (opts.markAt !== undefined && opts.markAt !== null && opts.markAt > 0 && opts.markAt < 1) {
    const mark = el('div', { class: 'gauge-mark', title: 'threshold' });
    mark.style.left = `${(opts.markAt * 100).toFixed(2)}%`;
    g.append(mark);
  }
  return g;
}

/**
 * A section that folds (`<details>`), closed unless the user opened it
 * before; the choice is kept in the webview state.
 */
export function foldable(id: string, title: string | Node, content: Array<Node | string>, opts: { testId?: string; hint?: string; openByDefault?: boolean } = {}): HTMLDetailsElement {
  const attrs: Record<string, string> = { class: 'fold', id: `fold-${id}`, 'data-section': id };
  if (opts.testId) {
    attrs['data-testid'] = opts.testId;
  }
  const d = el('details', attrs);
  const summary = el('summary', {}, el('h2', {}, title));
  if (opts.hint) {
    summary.append(el('span', { class: 'fold-hint muted' }, opts.hint));
  }
  d.append(summary, ...content);
  d.open = state.open?.[id] ?? opts.openByDefault ?? false;
  d.addEventListener('toggle', () => {
    state.open = { ...state.open, [id]: d.open };
    saveState();
  });
  return d;
}

/** A small disclosure for method text: "How is this estimated?". */
export function howEstimated(...text: Array<Node | string>): HTMLElement {
  return el('details', { class: 'how' }, el('summary', {}, 'How is this estimated?'), el('div', { class: 'how-body muted' }, ...text));
}

export function themeColor(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v === '' ? fallback : v;
}
