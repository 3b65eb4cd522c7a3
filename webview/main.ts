/**
 * The cost panel's UI. Browser code: imports only src/shared (and uPlot).
 * A small render core (core.ts) and one file per section (sections/). Every
 * string from a transcript is set with textContent, never parsed as HTML.
 */
import type { HostToWebview, PanelSnapshot } from '../src/shared/protocol';
import { el, icon, saveState, state, vscode } from './core';
import { actionsBar } from './sections/actions';
import { budgetsSection } from './sections/budgets';
import { bucketsSection } from './sections/buckets';
import { causesSection, type CauseRange } from './sections/causes';
import { chartsSection, destroyCharts } from './sections/charts';
import { sessionHeader } from './sections/header';
import { historySection } from './sections/history';
import { intelligenceSection } from './sections/intelligence';
import { nudgeHasPrimary, nudgesSection } from './sections/nudges';
import { plansSection } from './sections/plans';
import { startCacheClock, summaryRow } from './sections/summary';
import { limitsSection, startLimitsClock } from './sections/limits';

const app = document.getElementById('app') as HTMLElement;
let lastSnapshot: PanelSnapshot | undefined;
/** Panel-local choices (not sent to the host). */
let dailyBy: 'byModel' | 'byProject' = 'byModel';
let rangeShown = 'Last 7 days';
let causeShown: CauseRange = 'session';
let cacheTimer: ReturnType<typeof setInterval> | undefined;
let limitsTimer: ReturnType<typeof setInterval> | undefined;

const rerender = () => {
  if (lastSnapshot) {
    render(lastSnapshot);
  }
};

function emptyState(snap: PanelSnapshot): HTMLElement {
  const root = el('div', {}, el('h1', {}, 'No Claude Code transcripts yet'), el('p', {}, 'The meter looked in:'));
  const list = el('ul');
  for (const p of snap.lookedAt) {
    list.append(el('li', {}, el('code', {}, p)));
  }
  root.append(list, el('p', { class: 'muted' }, 'It updates by itself when Claude Code writes its first session.'));
  return root;
}

/** Lines that qualify the figures: scanning, settings problems, unpriced models, API-equivalent. */
function notices(snap: PanelSnapshot): HTMLElement[] {
  const out: HTMLElement[] = [];
  if (snap.state === 'scanning') {
    out.push(el('p', { class: 'muted', role: 'status' }, `Scanning transcripts… ${snap.scanPercent}%`));
  }
  for (const p of snap.settingsProblems) {
    out.push(el('p', { class: 'warning' }, icon('warning'), ' ', p));
  }
  if (snap.unpricedModels.length > 0) {
    out.push(el('p', { class: 'warning' }, icon('warning'), ` Unpriced model(s): ${snap.unpricedModels.join(', ')}. Their tokens are counted; their cost is not in the totals.`));
  }
  if (snap.history?.notice) {
    out.push(el('p', { class: 'warning', 'data-testid': 'history-problem' }, icon('warning'), ` ${snap.history.notice}`));
  }
  if (snap.apiEquivalent) {
    out.push(el('p', { class: 'api-eq muted', 'data-testid': 'api-equivalent' }, icon('info'), ` Dollar figures are ${snap.apiEquivalent}: what the same use costs at API list prices.`));
  }
  return out;
}

function render(snap: PanelSnapshot): void {
  lastSnapshot = snap;
  destroyCharts();
  if (snap.state === 'empty') {
    app.replaceChildren(emptyState(snap));
    return;
  }
  const root = el('div');
  root.append(
    sessionHeader(snap, (id) => {
      state.selectedSession = id;
      saveState();
      vscode.postMessage({ type: 'selectSession', sessionId: id });
    }),
    summaryRow(snap),
    ...notices(snap),
  );
  if (snap.nudges.length > 0) {
    root.append(nudgesSection(snap.nudges));
  }
  root.append(actionsBar(snap, nudgeHasPrimary(snap.nudges)));
  if (snap.limits) {
    root.append(limitsSection(snap.limits));
  }
  const causes = () =>
    causesSection(snap.session, snap.causeRanges, causeShown, (r) => {
      causeShown = r;
      rerender();
    });
  if (!snap.session) {
    root.append(el('p', { class: 'muted' }, 'No session in this workspace yet.'));
    if (snap.causeRanges) {
      root.append(causes());
    }
  } else {
    root.append(intelligenceSection(snap.session, snap), causes(), bucketsSection(snap.session));
  }
  if (snap.budgets.length > 0 || snap.state === 'ready') {
    root.append(budgetsSection(snap.budgets));
  }
  if (snap.ranges.length > 0 || snap.history) {
    root.append(
      historySection(snap.ranges, snap.history, rangeShown, (label) => {
        rangeShown = label;
        rerender();
      }),
    );
  }
  if (snap.plans) {
    root.append(plansSection(snap.plans, snap.apiEquivalent));
  }
  root.append(
    chartsSection(snap, dailyBy, (by) => {
      dailyBy = by;
      rerender();
    }),
  );
  root.append(el('p', { class: 'muted small footer' }, `Updated ${new Date(snap.updatedAt).toLocaleTimeString()} · list prices as of ${snap.priceTableAsOf}`));
  const focused = document.activeElement?.id;
  app.replaceChildren(root);
  cacheTimer = startCacheClock(snap.session?.countdown ?? null, cacheTimer);
  limitsTimer = startLimitsClock(limitsTimer);
  if (focused) {
    document.getElementById(focused)?.focus();
  }
}

window.addEventListener('message', (event: MessageEvent<HostToWebview>) => {
  const m = event.data;
  if (m && m.type === 'snapshot') {
    render(m.snapshot);
  }
});

// Redraw the charts in the new colours when the theme changes.
new MutationObserver(rerender).observe(document.body, { attributes: true, attributeFilter: ['class'] });

if (state.selectedSession !== null) {
  vscode.postMessage({ type: 'selectSession', sessionId: state.selectedSession });
}
vscode.postMessage({ type: 'ready' });
