/**
 * The two charts (uPlot, theme colours): cost and context per call for the
 * session, and the daily cost of the last 30 days stacked by model or project.
 * Ticks are whole minutes or days with one-line labels; a legend under each
 * chart shows its figures without hovering. After drawing, each chart writes
 * the boxes of its axis labels to `data-axis-labels` (the e2e test checks that
 * none overlap).
 */
import uPlot from 'uplot';
import type { PanelSession, PanelSnapshot, PanelStacked } from '../../src/shared/protocol';
import { el, foldable, int, themeColor, tokensShort, usd } from '../core';

const PALETTE = ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-purple', '--vscode-charts-red', '--vscode-charts-yellow'];
const FALLBACK = ['#3794ff', '#d18616', '#89d185', '#b180d7', '#f14c4c', '#cca700'];
const MIN = 60;
const DAY = 86_400;
/** Tick steps: whole minutes up to a day (never every 10 s). */
const TIME_INCRS = [MIN, 2 * MIN, 5 * MIN, 10 * MIN, 15 * MIN, 30 * MIN, 3600, 2 * 3600, 3 * 3600, 6 * 3600, 12 * 3600, DAY, 2 * DAY, 7 * DAY];
const DAY_INCRS = [DAY, 2 * DAY, 7 * DAY, 14 * DAY];

const timeLabel = (s: number) => new Date(s * 1000).toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' });
const dayLabel = (s: number) => new Date(s * 1000).toLocaleDateString([], { month: 'short', day: 'numeric' });

/** Charts drawn now, destroyed before the next render. */
const live: uPlot[] = [];
export function destroyCharts(): void {
  for (const c of live.splice(0)) {
    c.destroy();
  }
}

interface Box {
  axis: number;
  text: string;
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/**
 * The boxes (CSS px, relative to the chart) of every axis label, placed as
 * uPlot draws them: at the axis position shifted by the tick size and gap,
 * aligned right on a left axis, left on a right one, centred under the plot.
 */
function labelBoxes(u: uPlot): Box[] {
  const ctx = u.ctx;
  const boxes: Box[] = [];
  const dpr = window.devicePixelRatio || 1;
  u.axes.forEach((a, i) => {
    const internal = a as uPlot.Axis & { _splits?: number[]; _values?: Array<string | number | null>; _pos?: number; font?: unknown };
    const splits = internal._splits ?? [];
    const values = internal._values ?? [];
    const scale = a.scale ?? (i === 0 ? 'x' : 'y');
    const font: [string, number] = Array.isArray(internal.font) ? (internal.font as unknown as [string, number]) : [ctx.font, 11 * dpr];
    const side: number = a.side ?? (i === 0 ? 2 : 3);
    const tick = a.ticks?.show === false ? 0 : (a.ticks?.size ?? 10);
    const shift = (tick + (a.gap ?? 5)) * (side === 0 || side === 3 ? -1 : 1);
    const at = (internal._pos ?? 0) + shift;
    const h = Number(font[1]) / dpr;
    ctx.save();
    ctx.font = String(font[0]);
    splits.forEach((v, k) => {
      const text = values[k];
      if (text === null || text === undefined || text === '') {
        return;
      }
      const lines = String(text).split('\n');
      const w = Math.max(...lines.map((l) => ctx.measureText(l).width)) / dpr;
      const p = u.valToPos(v, scale, false);
      if (side % 2 === 0) {
        const x = u.bbox.left / dpr + p;
        const top = side === 2 ? at : at - h * lines.length;
        boxes.push({ axis: i, text: String(text), left: x - w / 2, right: x + w / 2, top, bottom: top + h * lines.length });
      } else {
        const y = u.bbox.top / dpr + p;
        const left = side === 3 ? at - w : at;
        boxes.push({ axis: i, text: String(text), left, right: left + w, top: y - h / 2, bottom: y + h / 2 });
      }
    });
    ctx.restore();
  });
  return boxes;
}

function recordLabels(host: HTMLElement): uPlot.Hooks.Arrays {
  return { draw: [(u: uPlot) => host.setAttribute('data-axis-labels', JSON.stringify(labelBoxes(u)))] };
}

function axisStyle(fg: string, grid: string): Partial<uPlot.Axis> {
  return { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, font: `11px ${themeColor('--vscode-font-family', 'sans-serif')}` };
}

function legend(...items: Array<[string, string]>): HTMLElement {
  return el('div', { class: 'chart-legend' }, ...items.map(([color, text]) => {
    const swatch = el('span', { class: 'swatch', 'aria-hidden': 'true' });
    swatch.style.background = color;
    return el('span', { class: 'legend-item' }, swatch, text);
  }));
}

function chartWidth(host: HTMLElement): number {
  return Math.max(280, Math.min(host.clientWidth || 600, 1100));
}

function drawPerCall(host: HTMLElement, s: PanelSession): void {
  host.replaceChildren();
  if (s.turns.t.length < 1) {
    host.append(el('p', { class: 'muted' }, 'No calls to chart yet.'));
    return;
  }
  const fg = themeColor('--vscode-foreground', '#888');
  const grid = themeColor('--vscode-widget-border', 'rgba(128,128,128,0.25)');
  const costColor = themeColor('--vscode-charts-orange', '#d18616');
  const ctxColor = themeColor('--vscode-charts-blue', '#3794ff');
  const base = axisStyle(fg, grid);
  const width = chartWidth(host);
  const canvas = el('div');
  host.append(canvas);
  live.push(
    new uPlot(
      {
        width,
        height: 200,
        scales: { x: { time: true }, usd: { auto: true, range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] }, tok: { auto: true, range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
        series: [
          {},
          { label: 'Cost per call', scale: 'usd', stroke: costColor, width: 0, points: { show: true, size: 5, fill: costColor, stroke: costColor } },
          { label: 'Context', scale: 'tok', stroke: ctxColor, width: 2, spanGaps: true, points: { show: false } },
        ],
        axes: [
          { ...base, space: 70, incrs: TIME_INCRS, values: (_u, ticks) => ticks.map(timeLabel) },
          { ...base, scale: 'usd', side: 3, space: 30, size: 56, values: (_u, ticks) => ticks.map((v) => usd(v)) },
          { ...base, scale: 'tok', side: 1, space: 30, size: 44, grid: { show: false }, values: (_u, ticks) => ticks.map(tokensShort) },
        ],
        legend: { show: false },
        cursor: { y: false },
        hooks: recordLabels(host),
      },
      [s.turns.t, s.turns.costUSD, s.turns.context] as unknown as uPlot.AlignedData,
      canvas,
    ),
  );
  const costs = s.turns.costUSD.filter((x): x is number => x !== null);
  const max = costs.length > 0 ? Math.max(...costs) : null;
  const lastCtx = [...s.turns.context].reverse().find((x) => x !== null) ?? null;
  host.append(legend([costColor, `Cost per call (left axis): largest ${usd(max)}`], [ctxColor, `Context (right axis): now ${lastCtx === null ? '-' : `${int(lastCtx)} tokens`}`]));
}

function drawDaily(host: HTMLElement, data: PanelStacked): void {
  host.replaceChildren();
  if (data.series.length === 0) {
    host.append(el('p', { class: 'muted' }, 'No cost in the last 30 days.'));
    return;
  }
  const fg = themeColor('--vscode-foreground', '#888');
  const grid = themeColor('--vscode-widget-border', 'rgba(128,128,128,0.25)');
  const xs = data.days.map((d) => {
    const [y, m, day] = d.split('-').map(Number);
    return new Date(y ?? 1970, (m ?? 1) - 1, day ?? 1).getTime() / 1000;
  });
  // Stacked: series k is drawn at the sum of groups 0..k, largest sums first so the smaller ones sit on top.
  const cumulative: number[][] = [];
  data.series.forEach((g, k) => cumulative.push(g.costUSD.map((v, i) => v + (k > 0 ? (cumulative[k - 1]?.[i] ?? 0) : 0))));
  const order = data.series.map((_g, k) => k).reverse();
  const colorOf = (k: number) => (data.series[k]?.name.startsWith('other') ? fg : themeColor(PALETTE[k % PALETTE.length] ?? '', FALLBACK[k % FALLBACK.length] ?? '#888'));
  const bars = uPlot.paths.bars ? uPlot.paths.bars({ size: [0.7, 40] }) : undefined;
  const base = axisStyle(fg, grid);
  const canvas = el('div');
  host.append(canvas);
  live.push(
    new uPlot(
      {
        width: chartWidth(host),
        height: 200,
        // Half a day of room either side, so the first and last bars are whole.
        scales: { x: { time: true, range: (_u, min, max) => [min - 43_200, max + 43_200] }, y: { auto: true, range: (_u, _min, max) => [0, max > 0 ? max * 1.05 : 1] } },
        series: [{}, ...order.map((k) => ({ label: data.series[k]?.name ?? '', stroke: colorOf(k), fill: colorOf(k), width: 0, paths: bars, points: { show: false } }))],
        axes: [
          { ...base, space: 60, incrs: DAY_INCRS, values: (_u, ticks) => ticks.map(dayLabel) },
          { ...base, space: 30, size: 60, values: (_u, ticks) => ticks.map((v) => usd(v)) },
        ],
        legend: { show: false },
        cursor: { y: false },
        hooks: recordLabels(host),
      },
      [xs, ...order.map((k) => cumulative[k] ?? [])] as unknown as uPlot.AlignedData,
      canvas,
    ),
  );
  host.append(legend(...data.series.map((g, k): [string, string] => [colorOf(k), `${g.name} ${usd(g.costUSD.reduce((a, b) => a + b, 0))}`])));
}

function dailyBlock(daily: NonNullable<PanelSnapshot['daily']>, by: 'byModel' | 'byProject', onBy: (by: 'byModel' | 'byProject') => void, draws: Array<() => void>): HTMLElement {
  const block = el('div', { 'data-testid': 'daily' });
  const select = el('select', { id: 'daily-by', 'aria-label': 'Stack the daily chart by' });
  select.append(el('option', { value: 'byModel' }, 'by model'), el('option', { value: 'byProject' }, 'by project'));
  select.value = by;
  select.addEventListener('change', () => onBy(select.value === 'byProject' ? 'byProject' : 'byModel'));
  block.append(el('h3', {}, 'Daily cost, last 30 days ', select));
  const data = daily[by];
  const host = el('div', { class: 'chart', role: 'img', 'data-testid': 'daily-chart', 'aria-label': `Daily cost for the last 30 days, stacked ${by === 'byModel' ? 'by model' : 'by project'}` });
  block.append(host);
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
  block.append(el('details', {}, el('summary', {}, 'As a table'), el('div', { class: 'scroll' }, t)));
  draws.push(() => drawDaily(host, data));
  return block;
}

/** The charts section; they are drawn when it is open (now or when opened), at its width. */
export function chartsSection(snap: PanelSnapshot, by: 'byModel' | 'byProject', onBy: (by: 'byModel' | 'byProject') => void): HTMLElement {
  const draws: Array<() => void> = [];
  const content: HTMLElement[] = [];
  const s = snap.session;
  if (s) {
    const host = el('div', { class: 'chart', role: 'img', 'data-testid': 'per-call-chart', 'aria-label': `Cost per call and context size over ${s.turns.t.length} calls` });
    content.push(el('h3', {}, 'Per call: cost and context size'), host);
    draws.push(() => drawPerCall(host, s));
  }
  if (snap.daily) {
    content.push(dailyBlock(snap.daily, by, onBy, draws));
  }
  const d = foldable('charts', 'Charts', content, { testId: 'charts' });
  let drawn = false;
  const draw = () => {
    if (d.open && !drawn) {
      drawn = true;
      draws.forEach((f) => f());
    }
  };
  d.addEventListener('toggle', draw);
  requestAnimationFrame(draw);
  return d;
}
