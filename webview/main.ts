/**
 * The cost panel's UI. Browser code: imports only src/shared (and uPlot).
 * Every string from a transcript is set with textContent, never parsed as HTML.
 */
import uPlot from 'uplot';
import type { HostToWebview, PanelBudget, PanelHistory, PanelNudge, PanelPlans, PanelRange, PanelSession, PanelSnapshot, PanelStacked, PanelState, WebviewToHost } from '../src/shared/protocol';

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: PanelState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const app = document.getElementById('app') as HTMLElement;
let chart: uPlot | undefined;
let dailyChart: uPlot | undefined;
let lastSnapshot: PanelSnapshot | undefined;
/** Panel-local choices (not sent to the host). */
let dailyBy: 'byModel' | 'byProject' = 'byModel';
let rangeShown = 'Last 7 days';
let countdownTimer: ReturnType<typeof setInterval> | undefined;

function usd(value: number | null): string {
  if (value === null) {
    return 'unpriced';
  }
  const digits = value === 0 ? 2 : Math.abs(value) < 0.0001 ? 6 : Math.abs(value) < 0.01 ? 4 : 2;
  return `${value < 0 ? '-' : ''}$${Math.abs(value).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
}
const int = (n: number) => n.toLocaleString('en-US');
const pct = (n: number | null) => (n === null ? '-' : `${(n * 100).toFixed(1)}%`);
const pct0 = (n: number) => `${Math.round(n * 100)}%`;

/** `m:ss` or `h:mm:ss`. */
function clock(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const ss = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

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

function icon(name: string): HTMLElement {
  return el('span', { class: `codicon codicon-${name}`, 'aria-hidden': 'true' });
}

function stat(label: string, value: string, testId: string, hint?: string): HTMLElement {
  const box = el('div', { class: 'stat' }, el('div', { class: 'stat-label' }, label), el('div', { class: 'stat-value', 'data-testid': testId }, value));
  if (hint) {
    box.append(el('div', { class: 'stat-hint' }, hint));
  }
  return box;
}

function button(label: string, message: WebviewToHost, codicon?: string, testId?: string): HTMLButtonElement {
  const b = el('button', { type: 'button', ...(testId ? { 'data-testid': testId } : {}) }, ...(codicon ? [icon(codicon), ' '] : []), label);
  b.addEventListener('click', () => vscode.postMessage(message));
  return b;
}

const ACTION_LABELS: Record<PanelNudge['actions'][number], [string, string]> = {
  sendCompact: ['Send /compact to Claude', 'terminal'],
  copyCompact: ['Copy /compact', 'copy'],
  copyClear: ['Copy /clear', 'copy'],
  openPanel: ['Open panel', 'graph'],
  snooze: ['Snooze', 'bell-slash'],
};

function nudgesSection(nudges: PanelNudge[]): HTMLElement {
  const section = el('section', { 'aria-label': 'Nudges', class: 'nudges' });
  for (const n of nudges) {
    const box = el('div', { class: `nudge nudge-${n.level}`, role: 'alert', 'data-testid': `nudge-${n.key.split(':')[0] ?? ''}` });
    box.append(el('div', { class: 'nudge-title' }, icon(n.level === 'error' ? 'error' : 'warning'), ' ', n.title), el('p', {}, n.message));
    const actions = el('div', { class: 'actions' });
    for (const a of n.actions.filter((x) => x !== 'openPanel')) {
      const [label, codicon] = ACTION_LABELS[a];
      actions.append(button(label, { type: 'nudgeAction', key: n.key, action: a }, codicon, `action-${a}`));
    }
    box.append(actions);
    section.append(box);
  }
  return section;
}

function themeColor(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v === '' ? fallback : v;
}

function drawChart(host: HTMLElement, s: PanelSession): void {
  chart?.destroy();
  chart = undefined;
  if (s.turns.t.length < 1) {
    host.append(el('p', { class: 'muted' }, 'No calls to chart yet.'));
    return;
  }
  const fg = themeColor('--vscode-foreground', '#888');
  const grid = themeColor('--vscode-widget-border', 'rgba(128,128,128,0.2)');
  const costColor = themeColor('--vscode-charts-orange', '#d18616');
  const ctxColor = themeColor('--vscode-charts-blue', '#3794ff');
  const axis = (scale: string, label: string, side: 0 | 1 | 2 | 3, fmt: (v: number) => string): uPlot.Axis => ({
    scale,
    label,
    side,
    stroke: fg,
    grid: { stroke: grid, width: 1 },
    ticks: { stroke: grid },
    values: (_u, ticks) => ticks.map(fmt),
  });
  const width = Math.max(320, Math.min(host.clientWidth || 700, 1100));
  chart = new uPlot(
    {
      width,
      height: 220,
      title: 'Per call: cost and context size',
      scales: { x: { time: true }, usd: { auto: true }, tok: { auto: true } },
      series: [
        {},
        { label: 'Cost per call', scale: 'usd', stroke: costColor, width: 0, points: { show: true, size: 5, fill: costColor, stroke: costColor }, value: (_u, v) => (v === null ? '-' : usd(v)) },
        { label: 'Context (main chain)', scale: 'tok', stroke: ctxColor, width: 2, spanGaps: true, points: { show: false }, value: (_u, v) => (v === null ? '-' : int(v)) },
      ],
      axes: [
        { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } },
        axis('usd', 'USD', 3, (v) => usd(v)),
        axis('tok', 'tokens', 1, (v) => (v >= 1000 ? `${Math.round(v / 1000)}k` : String(v))),
      ],
      legend: { live: true },
    },
    [s.turns.t, s.turns.costUSD, s.turns.context] as unknown as uPlot.AlignedData,
    host,
  );
}

function countdownText(c: NonNullable<PanelSession['countdown']>, nowMs: number): string {
  const late = c.coldTurnUSD !== null ? ` ≈ ${usd(c.coldTurnUSD)}` : '';
  const warm = c.warmTurnUSD !== null ? ` (warm: ${usd(c.warmTurnUSD)})` : '';
  return nowMs >= c.coldAtMs
    ? `Cold since ${new Date(c.coldAtMs).toLocaleTimeString()}: the next prompt re-writes ${int(c.rewriteTokens)} tokens${late}.`
    : `Cold in ${clock(c.coldAtMs - nowMs)}; after that the next prompt re-writes ${int(c.rewriteTokens)} tokens${late}${warm}.`;
}

/** Ticks the cache countdown every second without re-rendering the panel. */
function startCountdown(c: PanelSession['countdown']): void {
  if (countdownTimer !== undefined) {
    clearInterval(countdownTimer);
    countdownTimer = undefined;
  }
  if (!c) {
    return;
  }
  const tick = () => {
    const node = document.getElementById('cache-countdown');
    if (node) {
      node.textContent = countdownText(c, Date.now());
      node.classList.toggle('warning', Date.now() >= c.coldAtMs);
    }
  };
  tick();
  countdownTimer = setInterval(tick, 1000);
}

function projectionBlock(s: PanelSession): HTMLElement {
  const p = s.projection;
  const box = el('div', { class: 'projection', 'data-testid': 'projection' });
  if (!p) {
    box.append(el('p', { class: 'muted' }, 'Next 10 turns: not known yet (no priced main-chain call with a known context).'));
    return box;
  }
  box.append(
    el('h3', {}, `Next ${p.turns} turns (estimate)`),
    el(
      'div',
      { class: 'stats' },
      stat('As the session goes', usd(p.continueUSD), 'projection-continue'),
      stat('After /compact now', usd(p.compactUSD), 'projection-compact', `incl. the /compact call ${usd(p.compactCallUSD)}; context after ≈ ${int(p.postCompactTokens)} tokens`),
      stat('Difference', usd(p.continueUSD - p.compactUSD), 'projection-saving', p.paysOffAfter !== null ? `compacting is cheaper from turn ${p.paysOffAfter}` : `compacting does not pay off within ${p.turns} turns`),
    ),
    el('p', { class: 'muted small', 'data-testid': 'projection-basis' }, `${p.basis}.`),
  );
  return box;
}

function budgetsSection(budgets: PanelBudget[]): HTMLElement {
  const section = el('section', { 'aria-label': 'Budgets', class: 'budgets' });
  section.append(el('h2', {}, 'Budgets'));
  if (budgets.length === 0) {
    section.append(el('p', { class: 'muted' }, 'No budgets set (claudeCostMeter.budgets.*).'));
    return section;
  }
  for (const b of budgets) {
    const row = el('div', { class: 'budget', 'data-testid': `budget-${b.period}` });
    const gauge = el('meter', { min: '0', max: '1', value: String(Math.min(1, b.share)), low: String(Math.min(0.99, b.paceShare)), high: '0.999', optimum: '0', 'aria-label': `${b.label}: ${pct0(b.share)} of the budget` });
    row.append(
      el('span', { class: 'budget-label' }, b.label),
      el('span', { class: 'num', 'data-testid': `budget-${b.period}-spent` }, `${usd(b.spentUSD)} / ${usd(b.limitUSD)}`),
      gauge,
      el('span', { class: b.share > b.paceShare ? 'warning' : 'muted', 'data-testid': `budget-${b.period}-pace` }, b.summary),
    );
    section.append(row);
  }
  return section;
}

function plansSection(p: PanelPlans, apiEquivalent: string): HTMLElement {
  const section = el('section', { 'aria-label': 'API or subscription', 'data-testid': 'plans' });
  section.append(el('h2', {}, `API or subscription: last ${p.windowDays} days`));
  const perDay = p.perActiveDayUSD !== null ? `, ${usd(p.perActiveDayUSD)} per active day` : '';
  section.append(
    el(
      'p',
      {},
      'At API list prices: ',
      el('strong', { 'data-testid': 'plans-api' }, usd(p.apiUSD)),
      ` over ${p.activeDays} active day${p.activeDays === 1 ? '' : 's'}${perDay}. `,
      el('span', { 'data-testid': 'plans-best' }, p.best === 'api' ? 'Paying per token was the cheapest.' : `${p.best} would have been the cheapest.`),
      apiEquivalent ? ` (${apiEquivalent}.)` : '',
    ),
  );
  const t = el('table', { 'aria-label': 'Plans against the API' });
  t.append(
    el(
      'thead',
      {},
      el('tr', {}, el('th', { scope: 'col' }, 'Plan'), el('th', { scope: 'col', class: 'num' }, `Price for ${p.windowDays} days`), el('th', { scope: 'col', class: 'num' }, 'API minus plan'), el('th', { scope: 'col', class: 'num' }, 'Break-even per day'), el('th', { scope: 'col', class: 'num' }, 'per active day')),
    ),
  );
  const body = el('tbody');
  for (const r of p.rows) {
    body.append(
      el(
        'tr',
        { 'data-testid': `plan-${r.plan}` },
        el('td', {}, r.name),
        el('td', { class: 'num' }, usd(r.windowUSD)),
        el('td', { class: `num ${r.cheaper === 'plan' ? 'good' : ''}` }, `${usd(r.savesUSD)} ${r.cheaper === 'plan' ? '(plan cheaper)' : r.cheaper === 'api' ? '(API cheaper)' : ''}`),
        el('td', { class: 'num' }, usd(r.breakEvenPerDayUSD)),
        el('td', { class: 'num' }, r.breakEvenPerActiveDayUSD === null ? '-' : usd(r.breakEvenPerActiveDayUSD)),
      ),
    );
  }
  t.append(body);
  section.append(t, el('p', { class: 'muted small' }, `Estimate: ${p.basis}.`));
  return section;
}

const PALETTE = ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-purple', '--vscode-charts-red', '--vscode-charts-yellow'];
const FALLBACK = ['#3794ff', '#d18616', '#89d185', '#b180d7', '#f14c4c', '#cca700'];

function drawDaily(host: HTMLElement, data: PanelStacked): void {
  dailyChart?.destroy();
  dailyChart = undefined;
  if (data.series.length === 0) {
    host.append(el('p', { class: 'muted' }, 'No cost in the last 30 days.'));
    return;
  }
  const fg = themeColor('--vscode-foreground', '#888');
  const grid = themeColor('--vscode-widget-border', 'rgba(128,128,128,0.2)');
  const xs = data.days.map((d) => {
    const [y, m, day] = d.split('-').map(Number);
    return new Date(y ?? 1970, (m ?? 1) - 1, day ?? 1).getTime() / 1000;
  });
  // Stacked: series k is drawn at the sum of groups 0..k, largest sums first so the smaller ones sit on top.
  const cumulative: number[][] = [];
  data.series.forEach((g, k) => cumulative.push(g.costUSD.map((v, i) => v + (k > 0 ? (cumulative[k - 1]?.[i] ?? 0) : 0))));
  const order = data.series.map((_g, k) => k).reverse();
  const bars = uPlot.paths.bars ? uPlot.paths.bars({ size: [0.7, 40] }) : undefined;
  const width = Math.max(320, Math.min(host.clientWidth || 700, 1100));
  dailyChart = new uPlot(
    {
      width,
      height: 220,
      // Half a day of room either side, so the first and last bars are whole.
      scales: { x: { time: true, range: (_u, min, max) => [min - 43_200, max + 43_200] }, y: { auto: true, range: (_u, _min, max) => [0, max > 0 ? max * 1.05 : 1] } },
      series: [
        {},
        ...order.map((k, n) => {
          const color = n === 0 && data.series[k]?.name.startsWith('other') ? fg : themeColor(PALETTE[k % PALETTE.length] ?? '', FALLBACK[k % FALLBACK.length] ?? '#888');
          return {
            label: data.series[k]?.name ?? '',
            stroke: color,
            fill: color,
            width: 0,
            paths: bars,
            points: { show: false },
            value: (_u: uPlot, _v: number | null, _si: number, idx: number | null) => (idx === null ? '-' : usd(data.series[k]?.costUSD[idx] ?? 0)),
          };
        }),
      ],
      axes: [
        { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } },
        { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, values: (_u, ticks) => ticks.map((v) => usd(v)) },
      ],
      legend: { live: true },
    },
    [xs, ...order.map((k) => cumulative[k] ?? [])] as unknown as uPlot.AlignedData,
    host,
  );
}

function dailySection(daily: NonNullable<PanelSnapshot['daily']>): HTMLElement {
  const section = el('section', { 'aria-label': 'Daily cost, last 30 days', 'data-testid': 'daily' });
  const select = el('select', { id: 'daily-by', 'aria-label': 'Stack the daily chart by' });
  select.append(el('option', { value: 'byModel' }, 'by model'), el('option', { value: 'byProject' }, 'by project'));
  select.value = dailyBy;
  select.addEventListener('change', () => {
    dailyBy = select.value === 'byProject' ? 'byProject' : 'byModel';
    if (lastSnapshot) {
      render(lastSnapshot);
    }
  });
  section.append(el('h2', {}, 'Daily cost, last 30 days ', select));
  const data = daily[dailyBy];
  const host = el('div', { class: 'chart', role: 'img', 'aria-label': `Daily cost for the last 30 days, stacked ${dailyBy === 'byModel' ? 'by model' : 'by project'}` });
  section.append(host);
  // The same numbers as a table, for the keyboard and screen readers.
  const t = el('table', { 'aria-label': 'Daily cost table', 'data-testid': 'daily-table' });
  t.append(el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Day'), el('th', { scope: 'col', class: 'num' }, 'Total'), ...data.series.map((g) => el('th', { scope: 'col', class: 'num' }, g.name)))));
  const body = el('tbody');
  data.days.forEach((d, i) => {
    const total = data.series.reduce((a, g) => a + (g.costUSD[i] ?? 0), 0);
    if (total > 0) {
      body.append(el('tr', { 'data-day': d }, el('td', {}, d), el('td', { class: 'num' }, usd(total)), ...data.series.map((g) => el('td', { class: 'num' }, usd(g.costUSD[i] ?? 0)))));
    }
  });
  t.append(body);
  section.append(el('details', {}, el('summary', {}, 'As a table'), t));
  queueMicrotask(() => drawDaily(host, data));
  return section;
}

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
    body.append(el('tr', {}, el('td', { class: 'project' }, row.name), el('td', { class: 'num' }, usd(row.costUSD))));
  }
  if (rows.length === 0) {
    body.append(el('tr', {}, el('td', { colspan: '2', class: 'muted' }, 'Nothing yet')));
  }
  table.append(body);
  return table;
}

const RANGE_IDS: Record<string, string> = { Today: 'today', 'Last 7 days': 'week', 'Last 30 days': 'month', 'Last 90 days': 'quarter' };

function rangesSection(ranges: PanelRange[]): HTMLElement {
  const section = el('section', { 'aria-label': 'Cost over days' });
  section.append(el('h2', {}, 'Cost over days'));
  section.append(el('div', { class: 'stats' }, ...ranges.map((r) => stat(r.label + (r.fromHistory ? ' *' : ''), usd(r.costUSD), `range-${RANGE_IDS[r.label] ?? r.label}`))));
  const shown = ranges.find((r) => r.label === rangeShown) ?? ranges[0];
  if (!shown) {
    return section;
  }
  const select = el('select', { id: 'range-select', 'aria-label': 'Break down' });
  for (const r of ranges) {
    const o = el('option', { value: r.label }, r.label);
    o.selected = r === shown;
    select.append(o);
  }
  select.addEventListener('change', () => {
    rangeShown = select.value;
    if (lastSnapshot) {
      render(lastSnapshot);
    }
  });
  section.append(el('div', { class: 'switcher' }, el('label', { for: 'range-select', class: 'muted' }, 'By project and model: '), select));
  section.append(el('div', { class: 'tables' }, rangeTable(shown, 'byProject'), rangeTable(shown, 'byModel')));
  if (ranges.some((r) => r.fromHistory)) {
    section.append(el('p', { class: 'muted small' }, '* includes sessions kept from the meter\'s own history.'));
  }
  return section;
}

/** "Where the money goes" (#20): the session's cost by cause, and what its cache misses cost. */
function causesSection(s: PanelSession): HTMLElement {
  const box = el('div', { 'data-testid': 'causes' });
  box.append(el('h3', {}, 'Where the money goes'));
  if (!s.causes) {
    box.append(el('p', { class: 'muted small' }, 'Reading the session…'));
    return box;
  }
  const t = el('table', { 'aria-label': 'Cost by cause' });
  t.append(el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Cause'), el('th', { scope: 'col', class: 'num' }, 'Calls'), el('th', { scope: 'col', class: 'num' }, 'Cost'), el('th', { scope: 'col', class: 'num' }, 'Share'), el('th', { scope: 'col', class: 'num' }, 'Tokens added'), el('th', { scope: 'col', class: 'num' }, 'Re-read (est.)'))));
  const b = el('tbody');
  const total = s.causes.reduce((sum, c) => sum + c.costUSD, 0);
  for (const c of s.causes) {
    b.append(el('tr', {}, el('td', { class: 'project' }, c.cause), el('td', { class: 'num' }, int(c.calls)), el('td', { class: 'num', 'data-testid': `cause-${c.cause}` }, usd(c.costUSD)), el('td', { class: 'num' }, total > 0 ? `${Math.round((c.costUSD / total) * 100)}%` : '-'), el('td', { class: 'num' }, int(c.tokensAdded)), el('td', { class: 'num' }, `~${usd(c.rereadCostUSD)}`)));
  }
  t.append(b);
  box.append(t);
  if (s.cacheMisses) {
    box.append(el('p', { 'data-testid': 'cache-miss-cost' }, s.cacheMisses.count === 0 ? 'No cache misses in this session.' : `Cache misses cost ${usd(s.cacheMisses.extraCostUSD)} more than warm reads (${int(s.cacheMisses.count)} in this session).`));
  }
  return box;
}

function sessionSection(s: PanelSession, snap: PanelSnapshot): HTMLElement {
  const section = el('section', { 'aria-label': 'Session' });
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
      stat(snap.apiEquivalent ? 'Session cost (API-equivalent)' : 'Session cost', usd(s.costUSD), 'session-cost', s.subagentCostUSD > 0 ? `subagents ${usd(s.subagentCostUSD)} (${pct(s.costUSD > 0 ? s.subagentCostUSD / s.costUSD : 0)})` : undefined),
      stat('Cache hit rate', pct(s.cacheHitRate), 'cache-hit', `saved ${usd(s.cacheSavingsUSD)} vs no cache`),
      stat('Context tokens', ctx, 'context-tokens', `${s.cacheTtlMinutes >= 60 ? '1-hour' : '5-minute'} cache`),
      stat('Next turn (warm)', s.nextTurn ? usd(s.nextTurn.warmUSD) : '-', 'next-warm', s.nextTurn ? `cold: ${usd(s.nextTurn.coldUSD)}` : undefined),
    ),
  );
  if (s.contextTokens !== null) {
    const gauge = el('meter', { min: '0', max: String(s.contextWindow), value: String(s.contextTokens), low: String(s.contextWindow * 0.5), high: String(s.contextWindow * 0.7), optimum: '0', 'aria-label': 'Context window used', 'data-testid': 'context-gauge' });
    section.append(el('div', { class: 'gauge' }, gauge, el('span', { class: 'muted' }, ` ${pct(s.contextTokens / s.contextWindow)} of the window`)));
  }
  if (s.nextTurn) {
    section.append(el('p', { class: 'muted small' }, `Next turn: ${s.nextTurn.basis}.`));
  }
  if (s.countdown) {
    section.append(
      el(
        'p',
        { class: 'countdown' },
        icon('watch'),
        ` Prompt cache (${s.countdown.ttlMinutes >= 60 ? '1 hour' : `${s.countdown.ttlMinutes} minutes`}, from this session's cache writes): `,
        el('span', { id: 'cache-countdown', 'data-testid': 'cache-countdown', 'aria-live': 'off' }, countdownText(s.countdown, Date.now())),
      ),
    );
  }
  section.append(projectionBlock(s));
  const table = el('table', { 'aria-label': 'Cost by bucket' });
  table.append(el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Bucket'), el('th', { scope: 'col', class: 'num' }, 'Tokens'), el('th', { scope: 'col', class: 'num' }, 'Cost'))));
  const body = el('tbody');
  for (const b of s.buckets) {
    body.append(el('tr', {}, el('td', {}, b.name), el('td', { class: 'num' }, int(b.tokens)), el('td', { class: 'num', 'data-testid': `bucket-${b.name}` }, usd(b.usd))));
  }
  table.append(body);
  section.append(table);
  section.append(causesSection(s));
  if (s.whatIf.length > 0) {
    const t = el('table', { 'aria-label': 'This session on other models', 'data-testid': 'what-if' });
    t.append(el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Same calls on'), el('th', { scope: 'col', class: 'num' }, 'Cost'), el('th', { scope: 'col', class: 'num' }, 'vs actual'))));
    const b = el('tbody');
    for (const w of s.whatIf) {
      b.append(el('tr', {}, el('td', {}, w.model), el('td', { class: 'num' }, usd(w.costUSD)), el('td', { class: 'num' }, usd(w.costUSD - s.costUSD))));
    }
    t.append(b);
    section.append(el('h3', {}, 'Model what-if (estimate)'), t, el('p', { class: 'muted small' }, "This session's real token counts repriced at list price; another model would write different tokens, and switching mid-session loses the prompt cache (the next call re-writes the whole context)."));
  }
  if (s.spikes.length > 0) {
    const t = el('table', { 'aria-label': 'Expensive calls', 'data-testid': 'spikes' });
    t.append(el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'When'), el('th', { scope: 'col', class: 'num' }, 'Cost'), el('th', { scope: 'col', class: 'num' }, 'x median'), el('th', { scope: 'col' }, 'Likely cause'), el('th', { scope: 'col' }, 'After tool'))));
    const b = el('tbody');
    for (const x of s.spikes) {
      b.append(el('tr', {}, el('td', {}, new Date(x.at).toLocaleString()), el('td', { class: 'num' }, usd(x.costUSD)), el('td', { class: 'num' }, `${x.times.toFixed(1)}x`), el('td', {}, x.cause), el('td', { class: 'project' }, x.tools === null ? '…' : x.tools.length > 0 ? x.tools.join(', ') : '-')));
    }
    t.append(b);
    section.append(el('h3', {}, 'Spikes: calls over 5x the median'), t);
  }
  const chartHost = el('div', { class: 'chart', role: 'img', 'aria-label': `Cost per call and context size over ${s.turns.t.length} calls` });
  section.append(chartHost);
  const notes = el('ul', { class: 'notes' });
  notes.append(el('li', {}, `Model: ${s.currentModel ?? '-'}; models used: ${s.models.join(', ') || '-'}; ${int(s.messages)} calls`));
  if (s.unitemisedCostUSD !== null && s.unitemisedCostUSD > 0) {
    notes.append(el('li', {}, `Includes ${usd(s.unitemisedCostUSD)} Claude Code reported but the transcript does not itemise (e.g. /compact).`));
  }
  if (s.claudeCodeCostUSD !== null) {
    const diff = s.costUSD - s.claudeCodeCostUSD;
    notes.append(el('li', {}, `Claude Code's own estimate: ${usd(s.claudeCodeCostUSD)}${Math.abs(diff) >= 0.005 ? ` (ours differs by ${usd(diff)}: its price table can lag list prices, and it may miss subagents or calls after its last cost-state line)` : ''}.`));
  }
  if (s.itemisation === 'transcript-only') {
    notes.append(el('li', {}, 'Transcript only: calls made by /compact may be missing from this session.'));
  }
  section.append(notes);
  queueMicrotask(() => drawChart(chartHost, s));
  return section;
}

function render(snap: PanelSnapshot): void {
  lastSnapshot = snap;
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
  if (snap.apiEquivalent) {
    root.append(el('p', { class: 'api-eq', 'data-testid': 'api-equivalent' }, icon('info'), ` Dollar figures are ${snap.apiEquivalent}: what the same use costs at API list prices.`));
  }
  root.append(el('div', { class: 'stats' }, stat('Today', usd(snap.today.costUSD), 'today-cost'), stat('Last 7 days', usd(snap.weekUSD), 'week-cost')));
  if (snap.state === 'scanning') {
    root.append(el('p', { class: 'muted', role: 'status' }, `Scanning transcripts… ${snap.scanPercent}%`));
  }
  for (const p of snap.settingsProblems) {
    root.append(el('p', { class: 'warning' }, icon('warning'), ' ', p));
  }
  if (snap.nudges.length > 0) {
    root.append(nudgesSection(snap.nudges));
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
    root.append(el('div', { class: 'switcher' }, el('label', { for: 'session-select', class: 'muted' }, 'Show: '), select));
  }
  root.append(snap.session ? sessionSection(snap.session, snap) : el('p', {}, 'No session in this workspace yet.'));
  if (snap.unpricedModels.length > 0) {
    root.append(el('p', { class: 'warning' }, icon('warning'), ` Unpriced model(s): ${snap.unpricedModels.join(', ')}. Their tokens are counted; their cost is not in the totals.`));
  }
  if (snap.budgets.length > 0 || snap.state === 'ready') {
    root.append(budgetsSection(snap.budgets));
  }
  if (snap.ranges.length > 0) {
    root.append(rangesSection(snap.ranges));
  }
  if (snap.daily) {
    root.append(dailySection(snap.daily));
  }
  const note = snap.history ? historyNote(snap.history) : undefined;
  if (note) {
    root.append(note);
  }
  if (snap.plans) {
    root.append(plansSection(snap.plans, snap.apiEquivalent));
  }
  root.append(
    el(
      'div',
      { class: 'actions' },
      button('Pin this session', { type: 'command', command: 'pinSession' }, 'pinned'),
      button('Unpin', { type: 'command', command: 'unpinSession' }, 'pin'),
      button('Copy summary', { type: 'command', command: 'copySummary' }, 'copy'),
      button('Export…', { type: 'command', command: 'export' }, 'export'),
      button('Rescan', { type: 'command', command: 'rescan' }, 'refresh'),
      button('Show log', { type: 'command', command: 'showLog' }, 'output'),
    ),
  );
  root.append(el('p', { class: 'muted small' }, `Updated ${new Date(snap.updatedAt).toLocaleTimeString()} · list prices as of ${snap.priceTableAsOf} · figures marked "estimate" rest on this session's own history`));
  const focused = document.activeElement?.id;
  app.replaceChildren(root);
  startCountdown(snap.session?.countdown ?? null);
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

// Redraw the chart in the new colours when the theme changes.
new MutationObserver(() => {
  if (lastSnapshot) {
    render(lastSnapshot);
  }
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

const saved = vscode.getState() as PanelState | undefined;
if (saved && typeof saved.selectedSession === 'string') {
  vscode.postMessage({ type: 'selectSession', sessionId: saved.selectedSession });
}
vscode.postMessage({ type: 'ready' });
