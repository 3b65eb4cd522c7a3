/**
 * End to end, as a user sees it: the packaged .vsix installed into a real VS
 * Code (code-server 4.100.3), driven in Debian's Chromium.
 */
import { strict as assert } from 'node:assert';
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { notificationTexts, openWorkbench, screenshot, statusBarTexts, waitForStatusBarText, type Workbench } from './support/browser';
import { startCodeServer, type CodeServer } from './support/code-server';
import { CURRENT_SESSION, HOSTILE_PROJECT, HOSTILE_SESSION, SONNET_CALL_USD, sonnetLine, usd, writeTodayTree, type TodayTree } from '../support/today-tree';

const ROOT = path.resolve(__dirname, '../../..');
const VSIX = path.join(ROOT, 'dist/claude-code-cost-meter.vsix');
const SHOTS = process.env.CCM_SCREENSHOTS_DIR;

interface CliSession {
  sessionId: string;
  costUSD: number;
}

function cliReport(configDir: string): { sessions: CliSession[]; days: Array<{ date: string; costUSD: number }> } {
  const out = cp.execFileSync(process.execPath, [path.join(ROOT, 'dist/cli.js'), 'report', '--json', '--no-cache', '--config-dir', configDir], { encoding: 'utf8' });
  return JSON.parse(out) as { sessions: CliSession[]; days: Array<{ date: string; costUSD: number }> };
}

function localToday(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** The status bar item of ours (its text starts with a dollar amount or names Claude). */
const ours = (t: string) => /Claude cost|today \$/.test(t);

async function panelFrame(page: Page, timeoutMs = 15_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      try {
        if ((await frame.locator('[data-testid=today-cost]').count()) > 0) {
          return frame;
        }
      } catch {
        // frame detached while looking
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the cost panel did not render');
}

describe('Claude Code Cost Meter in a real VS Code workbench (code-server + Chromium)', function () {
  this.timeout(180_000);
  let temp = '';
  let workspaceDir = '';
  let configDir = '';
  let server: CodeServer | undefined;
  let wb: Workbench | undefined;
  let tree: TodayTree | undefined;

  before(async () => {
    assert.ok(fs.existsSync(VSIX), `${VSIX} exists (npm run package)`);
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-e2e-'));
    workspaceDir = path.join(temp, 'workspace');
    configDir = path.join(temp, 'claude');
    fs.mkdirSync(workspaceDir);
    fs.mkdirSync(configDir);
    server = await startCodeServer({ workspaceDir, vsixPath: VSIX, env: { CLAUDE_CONFIG_DIR: configDir } });
    wb = await openWorkbench(server.url, workspaceDir);
  });

  after(async () => {
    if (SHOTS && wb) {
      fs.mkdirSync(SHOTS, { recursive: true });
      await screenshot(wb.page, path.join(SHOTS, 'workbench.png'));
    }
    await wb?.close();
    await server?.stop();
    if (temp) {
      fs.rmSync(temp, { recursive: true, force: true });
    }
  });

  it('with no transcripts: a calm empty state and no error notification', async () => {
    const page = wb!.page;
    const text = await waitForStatusBarText(page, (t) => t.includes('Claude cost: no transcripts'), 60_000);
    assert.match(text, /no transcripts/);
    const toasts = await notificationTexts(page);
    assert.deepEqual(toasts, [], `no notifications: ${toasts.join(' | ')}`);
  });

  it('shows exactly the current session and today, equal to the CLI, once transcripts appear', async () => {
    const page = wb!.page;
    tree = writeTodayTree(configDir, workspaceDir, true);
    const cli = cliReport(configDir);
    const session = cli.sessions.find((s) => s.sessionId === CURRENT_SESSION);
    assert.ok(session);
    assert.ok(Math.abs(session.costUSD - tree.sessionUSD) < 1e-12);
    const today = cli.days.find((d) => d.date === localToday())?.costUSD ?? NaN;
    assert.ok(Math.abs(today - tree.todayUSD) < 1e-12, `CLI today ${today} vs ${tree.todayUSD}`);
    const expected = `${usd(session.costUSD)} · today ${usd(today)}`;
    const text = await waitForStatusBarText(page, (t) => t.includes(expected), 30_000);
    assert.equal(text.trim(), expected);
  });

  it('moves live when Claude Code appends lines', async () => {
    const page = wb!.page;
    const started = Date.now();
    fs.appendFileSync(tree!.currentFile, `${sonnetLine(CURRENT_SESSION, workspaceDir, 'e2e-append', 0)}\n`);
    const expected = `${usd(tree!.sessionUSD + SONNET_CALL_USD)} · today ${usd(tree!.todayUSD + SONNET_CALL_USD)}`;
    await waitForStatusBarText(page, (t) => t.includes(expected), 5_000);
    const cli = cliReport(configDir);
    assert.ok(Math.abs((cli.sessions.find((s) => s.sessionId === CURRENT_SESSION)?.costUSD ?? NaN) - (tree!.sessionUSD + SONNET_CALL_USD)) < 1e-12);
    console.log(`      append -> status bar: ${Date.now() - started} ms`);
  });

  it('opens the panel from the status bar, with the numbers of the fixture', async () => {
    const page = wb!.page;
    await page.locator('.statusbar-item', { hasText: 'today $' }).first().click();
    const frame = await panelFrame(page);
    const sessionCost = await frame.locator('[data-testid=session-cost]').textContent();
    assert.equal(sessionCost, usd(tree!.sessionUSD + SONNET_CALL_USD));
    // 4 identical calls: read 10000 of 10000 + 1000 + 10 prompt tokens each.
    assert.equal(await frame.locator('[data-testid=cache-hit]').textContent(), `${((10000 / 11010) * 100).toFixed(1)}%`);
    assert.equal(await frame.locator('[data-testid=context-tokens]').textContent(), '11,010 / 1,000,000');
  });

  it('shows a hostile project path as text, and runs no script from it', async () => {
    const page = wb!.page;
    const frame = await panelFrame(page);
    await frame.locator('#session-select').selectOption(HOSTILE_SESSION);
    await frame.locator('[data-testid=project]', { hasText: 'onerror' }).waitFor({ timeout: 10_000 });
    assert.equal(await frame.locator('[data-testid=project]').textContent(), HOSTILE_PROJECT);
    assert.equal(await frame.locator('img').count(), 0);
    assert.equal(await frame.evaluate(() => (window as unknown as { __ccmPwned?: number }).__ccmPwned), undefined);
    const toasts = await notificationTexts(page);
    assert.deepEqual(toasts, [], `no notifications: ${toasts.join(' | ')}`);
    assert.ok((await statusBarTexts(page)).some(ours));
  });
});
