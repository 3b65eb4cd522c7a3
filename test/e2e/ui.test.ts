/**
 * The UI as a user sees it (issue #25): the panel in Light, Dark and High
 * Contrast at 1400 and 900 px (and a 500 px wide panel), its height measured;
 * the warning state without colour; the toast's buttons whole; the charts'
 * axis labels apart. Screenshots go to CCM_SCREENSHOTS_DIR; with
 * CCM_README_PICTURES=1 the README's pictures are written to media/readme/.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { frameShowing, openWorkbench, runCommand, tearDown, waitForStatusBarText, type Workbench } from './support/browser';
import { startCodeServer, type CodeServer } from './support/code-server';
import { writeIntelligenceTree } from '../support/intelligence-tree';

const ROOT = path.resolve(__dirname, '../../..');
const VSIX = path.join(ROOT, 'dist/claude-code-cost-meter.vsix');
const SHOTS = process.env.CCM_SCREENSHOTS_DIR;
const README_DIR = process.env.CCM_README_PICTURES ? path.join(ROOT, 'media/readme') : undefined;
const THEMES = [
  ['light', 'Default Light Modern'],
  ['dark', 'Default Dark Modern'],
  ['hc', 'Default High Contrast'],
] as const;

interface Box {
  axis: number;
  text: string;
  left: number;
  top: number;
  right: number;
  bottom: number;
}

const intersects = (a: Box, b: Box) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

async function shot(page: Page, name: string, clip?: { x: number; y: number; width: number; height: number }): Promise<void> {
  for (const dir of [SHOTS, README_DIR]) {
    if (dir && (dir === SHOTS || name.startsWith('readme-'))) {
      fs.mkdirSync(dir, { recursive: true });
      await page.screenshot({ path: path.join(dir, `${dir === README_DIR ? name.replace(/^readme-/, '') : name}.png`), ...(clip ? { clip } : {}) });
    }
  }
}

describe('the UI as a user sees it (themes, widths, warning state, toast, charts)', function () {
  this.timeout(300_000);
  let temp = '';
  let workspaceDir = '';
  let server: CodeServer | undefined;
  let wb: Workbench | undefined;
  let frame: Frame;

  const setTheme = async (theme: string) => {
    // As a user would: Preferences: Color Theme, type the name, Enter.
    const page = wb!.page;
    // The palette's key needs the focus in the workbench, not in the panel's frame.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await runCommand(page, 'Preferences: Color Theme', 10_000, false);
    await page.locator('.quick-input-widget input').fill(theme);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: theme }).first().waitFor({ timeout: 10_000 });
    await page.keyboard.press('Enter');
    const kind = theme.includes('High Contrast') ? 'vscode-high-contrast' : theme.includes('Light') ? 'vscode-light' : 'vscode-dark';
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && !(await frame.evaluate((k) => document.body.classList.contains(k), kind).catch(() => false))) {
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(await frame.evaluate((k) => document.body.classList.contains(k), kind), `the panel follows the theme (${kind})`);
    await new Promise((r) => setTimeout(r, 500));
  };

  /** The panel's layout in its frame: heights in CSS px. */
  const measure = () =>
    frame.evaluate(() => {
      const bottom = (sel: string) => document.querySelector(sel)?.getBoundingClientRect().bottom ?? 0;
      return {
        viewport: window.innerHeight,
        width: document.documentElement.clientWidth,
        scrollWidth: document.documentElement.scrollWidth,
        // The content's own height (the document is at least the frame's height).
        height: Math.ceil((document.querySelector('.footer')?.getBoundingClientRect().bottom ?? 0) + window.scrollY + 16),
        summaryBottom: bottom('[data-testid=summary]'),
        nudgesBottom: bottom('.nudges'),
        cards: Array.from(document.querySelectorAll<HTMLElement>('.card')).map((c) => {
          const r = c.getBoundingClientRect();
          return { top: Math.round(r.top), right: r.right };
        }),
      };
    });

  before(async () => {
    assert.ok(fs.existsSync(VSIX), `${VSIX} exists (npm run package)`);
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-e2e-ui-'));
    workspaceDir = path.join(temp, 'workspace');
    const configDir = path.join(temp, 'claude');
    const home = path.join(temp, 'home');
    for (const d of [workspaceDir, configDir, home]) {
      fs.mkdirSync(d);
    }
    writeIntelligenceTree(configDir, workspaceDir);
    server = await startCodeServer({
      workspaceDir,
      vsixPath: VSIX,
      env: { CLAUDE_CONFIG_DIR: configDir, HOME: home },
      settings: { 'workbench.colorTheme': 'Default Dark Modern', 'claudeCostMeter.budgets.weeklyUSD': 20, 'claudeCostMeter.budgets.monthlyUSD': 100 },
    });
    wb = await openWorkbench(server.url, workspaceDir);
    wb.page.on('console', (m) => {
      if (m.type() === 'error') {
        console.log(`      [console] ${m.text().slice(0, 300)}`);
      }
    });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && SHOTS && wb) {
      await shot(wb.page, `failed-${(this.currentTest.title ?? '').slice(0, 30).replace(/\W+/g, '-')}`);
    }
  });

  after(async () => {
    await tearDown(wb, server, temp);
  });

  it('the /compact toast: one sentence naming its cause, at most two buttons, none cut short at 1400 px', async () => {
    const page = wb!.page;
    await waitForStatusBarText(page, (t) => t.includes('today $'), 60_000);
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'Context passed' }).first();
    await toast.waitFor({ timeout: 30_000 });
    const message = (await toast.locator('.notification-list-item-message').innerText()).trim();
    assert.equal(message, 'Context passed 100k tokens: /compact?');
    const buttons = toast.locator('.notification-list-item-buttons-container .monaco-button');
    assert.deepEqual((await buttons.allInnerTexts()).map((t) => t.trim()), ['Send /compact', 'Open panel']);
    for (const b of await buttons.all()) {
      const fits = await b.evaluate((e) => e.scrollWidth <= e.clientWidth + 1);
      assert.ok(fits, `button "${await b.innerText()}" is not truncated`);
    }
    const box = await toast.boundingBox();
    if (box) {
      await shot(page, 'toast', { x: box.x - 8, y: box.y - 8, width: box.width + 16, height: box.height + 16 });
    }
  });

  it('the warned status bar shows a warning icon, and its tooltip (at most 8 lines) names the cause first', async () => {
    const page = wb!.page;
    const item = page.locator('.statusbar-item', { hasText: 'today $' }).first();
    assert.ok((await item.locator('.codicon-warning, .codicon-error').count()) > 0, 'an icon, not colour alone');
    await page.locator('.notifications-toasts .notification-toast .codicon-notifications-clear, .notifications-toasts .notification-toast .codicon-close').first().click().catch(() => undefined);
    await item.hover();
    const hover = page.locator('.monaco-hover .hover-contents, .workbench-hover .hover-contents, .monaco-hover').filter({ hasText: 'this session' }).first();
    await hover.waitFor({ timeout: 10_000 });
    const lines = (await hover.innerText()).split('\n').map((l) => l.trim()).filter((l) => l !== '');
    assert.ok(lines.length <= 8, `${lines.length} lines: ${lines.join(' / ')}`);
    assert.match(lines[0] ?? '', /Context passed 100k tokens: \/compact\?/);
    assert.ok(lines.some((l) => /cache warm until \d/.test(l)), lines.join(' / '));
    const hb = await hover.boundingBox();
    const ib = await item.boundingBox();
    if (hb && ib) {
      const x = Math.max(0, Math.min(hb.x, ib.x) - 12);
      const y = Math.max(0, hb.y - 12);
      await shot(page, 'readme-status-bar', { x, y, width: Math.min(1400 - x, Math.max(hb.x + hb.width, ib.x + ib.width) - x + 12), height: ib.y + ib.height - y + 4 });
    }
    await page.mouse.move(700, 300);
  });

  it('opens on the summary row and the nudges; folded, the panel is at most 1.5 screens; every theme at 1400 and 900 px', async () => {
    const page = wb!.page;
    await runCommand(page, 'Claude Cost: Open Panel');
    frame = await frameShowing(page, '[data-testid=summary]', 20_000);
    // The side bar off, so the panel has the window's width.
    const sidebar = page.locator('.part.sidebar');
    if (await sidebar.isVisible()) {
      await runCommand(page, 'View: Toggle Primary Side Bar Visibility');
    }
    const seen: string[] = [];
    for (const [name, theme] of THEMES) {
      await setTheme(theme);
      for (const width of [1400, 900]) {
        await page.setViewportSize({ width, height: 900 });
        await new Promise((r) => setTimeout(r, 700));
        const m = await measure();
        seen.push(`${name} ${width}: panel ${m.width}x${m.viewport}, content ${m.height} px (${(m.height / 900).toFixed(2)} screens), nudges end at ${Math.round(m.nudgesBottom)}`);
        assert.ok(m.nudgesBottom > 0 && m.nudgesBottom <= m.viewport, `${name} ${width}: the summary row and the nudges are on the first screen (${m.nudgesBottom} of ${m.viewport})`);
        assert.ok(m.height <= 1.5 * 900, `${name} ${width}: ${m.height} px is at most 1.5 screens`);
        assert.ok(m.scrollWidth <= m.width + 1, `${name} ${width}: no horizontal overflow (${m.scrollWidth} > ${m.width})`);
        await shot(page, `panel-${name}-${width}`);
        if (width === 1400 && name !== 'hc') {
          await shot(page, `readme-panel-${name}`);
        }
        if (name === 'hc') {
          const item = page.locator('.statusbar-item', { hasText: 'today $' }).first();
          assert.ok((await item.locator('.codicon-warning').count()) > 0, 'HC: the warning state shows as an icon');
          const border = await frame.locator('.btn.secondary').first().evaluate((e) => getComputedStyle(e).borderTopStyle + ' ' + getComputedStyle(e).borderTopWidth);
          assert.match(border, /solid [1-9]/, 'HC: buttons have a border');
        }
      }
    }
    console.log(`      ${seen.join('\n      ')}`);
  });

  it('a 500 px panel: cards whole, nothing overflows, and one primary button', async () => {
    const page = wb!.page;
    await setTheme('Default Dark Modern');
    await page.setViewportSize({ width: 548, height: 900 });
    await new Promise((r) => setTimeout(r, 700));
    const m = await measure();
    console.log(`      panel ${m.width} px wide, content ${m.height} px`);
    assert.ok(m.width <= 520, `the panel is narrow (${m.width})`);
    assert.ok(m.scrollWidth <= m.width + 1, `no horizontal overflow (${m.scrollWidth} > ${m.width})`);
    for (const c of m.cards) {
      assert.ok(c.right <= m.width + 1, `a card fits (${c.right} > ${m.width})`);
    }
    assert.equal(await frame.locator('.btn.primary').count(), 1, 'one primary button');
    assert.equal(await frame.locator('[data-testid=cmd-unpin]').count(), 0, 'no Unpin with nothing pinned');
    await shot(page, 'panel-dark-500');
  });

  it('keyboard: a section opens with Enter and stays open when the panel is rebuilt; the charts\' axis labels do not overlap', async () => {
    const page = wb!.page;
    await page.setViewportSize({ width: 1400, height: 900 });
    await frame.locator('#fold-charts > summary').focus();
    await page.keyboard.press('Enter');
    assert.equal(await frame.locator('#fold-charts').evaluate((d) => (d as HTMLDetailsElement).open), true);
    await frame.locator('[data-testid=per-call-chart][data-axis-labels]').waitFor({ state: 'attached', timeout: 10_000 });
    await frame.locator('[data-testid=daily-chart][data-axis-labels]').waitFor({ state: 'attached', timeout: 10_000 });
    for (const id of ['per-call-chart', 'daily-chart']) {
      const boxes = JSON.parse((await frame.locator(`[data-testid=${id}]`).getAttribute('data-axis-labels')) ?? '[]') as Box[];
      assert.ok(boxes.filter((b) => b.axis === 0).length >= 2, `${id}: at least two x labels: ${JSON.stringify(boxes)}`);
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          assert.ok(!intersects(boxes[i]!, boxes[j]!), `${id}: "${boxes[i]!.text}" and "${boxes[j]!.text}" overlap`);
        }
      }
      const xs = boxes.filter((b) => b.axis === 0).map((b) => b.text);
      assert.ok(xs.every((t) => !t.includes('\n')), `${id}: one-line x labels: ${xs.join(' | ')}`);
    }
    const legend = (await frame.locator('[data-testid=per-call-chart] .chart-legend').innerText()).trim();
    assert.match(legend, /largest \$\d/, 'values shown without hovering');
    await frame.locator('[data-testid=charts]').screenshot({ path: path.join(SHOTS ?? temp, 'panel-charts.png') });
    // The panel is rebuilt when shown again: the fold state comes back from the webview state.
    await runCommand(page, 'File: New Untitled Text File');
    await new Promise((r) => setTimeout(r, 500));
    await runCommand(page, 'Claude Cost: Open Panel');
    const again = await frameShowing(page, '#fold-charts', 20_000);
    assert.equal(await again.locator('#fold-charts').evaluate((d) => (d as HTMLDetailsElement).open), true, 'the charts stay open');
    assert.equal(await again.locator('#fold-plans').evaluate((d) => (d as HTMLDetailsElement).open), false, 'the others stay folded');
    // Everything open: how tall the whole panel is, and a picture of each section.
    await again.evaluate(() => document.querySelectorAll('details').forEach((d) => ((d).open = true)));
    await new Promise((r) => setTimeout(r, 800));
    const full = await again.evaluate(() => Math.ceil((document.querySelector('.footer')?.getBoundingClientRect().bottom ?? 0) + window.scrollY + 16));
    console.log(`      every section open: ${full} px (${(full / 900).toFixed(2)} screens)`);
    if (SHOTS) {
      for (const id of ['intelligence', 'buckets', 'budgets', 'history', 'plans']) {
        await again.locator(`#fold-${id}`).screenshot({ path: path.join(SHOTS, `open-${id}.png`) }).catch(() => undefined);
      }
    }
  });
});
