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
import { frameShowing, tearDown, notificationTexts, openWorkbench, runCommand, screenshot, statusBarTexts, waitForStatusBarText, type Workbench } from './support/browser';
import { startCodeServer, type CodeServer } from './support/code-server';
import { CURRENT_SESSION, HOSTILE_MODEL, HOSTILE_PROJECT, HOSTILE_SESSION, SONNET_CALL_USD, sonnetLine, usd, writeTodayTree, type TodayTree } from '../support/today-tree';

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

/** The cost panel's frame, once it shows `selector`. */
function panelFrame(page: Page, timeoutMs = 15_000, selector = '[data-testid=today-cost]'): Promise<Frame> {
  return frameShowing(page, selector, timeoutMs);
}

describe('Claude Code Cost Meter in a real VS Code workbench (code-server + Chromium)', function () {
  this.timeout(180_000);
  let temp = '';
  let workspaceDir = '';
  let configDir = '';
  let server: CodeServer | undefined;
  let wb: Workbench | undefined;
  let tree: TodayTree | undefined;
  let outboundLog = '';

  before(async () => {
    assert.ok(fs.existsSync(VSIX), `${VSIX} exists (npm run package)`);
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-e2e-'));
    workspaceDir = path.join(temp, 'workspace');
    configDir = path.join(temp, 'claude');
    fs.mkdirSync(workspaceDir);
    fs.mkdirSync(configDir);
    // A home of its own, so nothing the workbench writes (exports, terminals) lands in the real one.
    const home = path.join(temp, 'home');
    fs.mkdirSync(home);
    outboundLog = path.join(temp, 'outbound.log');
    // Every outbound connection of the test VS Code is refused and logged (see no-outbound.js).
    const preload = path.join(ROOT, 'test/e2e/support/no-outbound.js');
    server = await startCodeServer({
      workspaceDir,
      vsixPath: VSIX,
      env: { CLAUDE_CONFIG_DIR: configDir, HOME: home, NODE_OPTIONS: `--require ${preload}`, CCM_OUTBOUND_LOG: outboundLog },
    });
    wb = await openWorkbench(server.url, workspaceDir);
  });

  after(async () => {
    if (SHOTS && wb) {
      fs.mkdirSync(SHOTS, { recursive: true });
      await screenshot(wb.page, path.join(SHOTS, 'workbench.png'));
    }
    await tearDown(wb, server, temp);
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
    // Wait for the settled text: while the first scan finishes it may still end in "(scanning 100%)".
    const text = await waitForStatusBarText(page, (t) => t.trim() === expected, 30_000);
    assert.equal(text.trim(), expected);
  });

  it('offers "Unpin Session" in the command palette only while a session is pinned', async () => {
    const page = wb!.page;
    const input = page.locator('.quick-input-widget input');
    const rows = page.locator('.quick-input-list .monaco-list-row');
    /** The palette's rows for our commands, once they are listed (the pin command always is). */
    const paletteRows = async (): Promise<string[]> => {
      await page.keyboard.press('F1');
      if (!(await input.waitFor({ state: 'visible', timeout: 2000 }).then(() => true, () => false))) {
        await page.locator('.monaco-workbench .part.editor').first().click();
        await page.keyboard.press('F1');
      }
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill('>Claude Cost: ');
      await rows.filter({ hasText: 'Pin Session' }).first().waitFor({ state: 'visible', timeout: 10_000 });
      const texts = await rows.allInnerTexts();
      await page.keyboard.press('Escape');
      await input.waitFor({ state: 'hidden', timeout: 10_000 });
      return texts;
    };
    const offersUnpin = (texts: string[]) => texts.some((t) => t.includes('Unpin Session'));
    assert.ok(!offersUnpin(await paletteRows()), 'nothing pinned: no Unpin Session');
    await runCommand(page, 'Claude Cost: Pin Session', 10_000, false);
    await page.locator('.quick-input-widget input[placeholder*="pinned session"]').waitFor({ state: 'visible', timeout: 10_000 });
    await rows.first().waitFor({ state: 'visible', timeout: 10_000 });
    await page.keyboard.press('Enter');
    await input.waitFor({ state: 'hidden', timeout: 10_000 });
    let pinned: string[] = [];
    for (const deadline = Date.now() + 10_000; Date.now() < deadline && !offersUnpin(pinned); ) {
      pinned = await paletteRows();
    }
    assert.ok(offersUnpin(pinned), `pinned: Unpin Session offered (rows: ${pinned.join(' | ')})`);
    await runCommand(page, 'Claude Cost: Unpin Session');
    // The context key is set after the command's await: look until it is (or 10 s pass).
    let unpinned: string[] = pinned;
    for (const deadline = Date.now() + 10_000; Date.now() < deadline && offersUnpin(unpinned); ) {
      unpinned = await paletteRows();
    }
    assert.ok(!offersUnpin(unpinned), `unpinned again: no Unpin Session (rows: ${unpinned.join(' | ')})`);
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
    // Its per-call figures come from the meter's worker once the panel asks for this session (watchSession).
    await frame.locator('[aria-label="Cost per call and context size over 2 calls"]').waitFor({ state: 'attached', timeout: 10_000 });
    const notes = (await frame.locator('.notes').textContent()) ?? '';
    assert.ok(notes.includes(HOSTILE_MODEL), `the hostile model id is shown as text: ${notes}`);
    assert.ok(((await frame.locator('.warning').allTextContents()).join(' ')).includes(HOSTILE_MODEL), 'and named as unpriced');
    assert.equal(await frame.locator('script', { hasText: '__ccmPwned' }).count(), 0, 'no script element was made from transcript text');
    assert.equal(await frame.locator('a').count(), 0, 'no link was made from a javascript: string');
    assert.equal(await frame.locator('img').count(), 0);
    assert.equal(await frame.evaluate(() => (window as unknown as { __ccmPwned?: number }).__ccmPwned), undefined);
    const toasts = await notificationTexts(page);
    assert.deepEqual(toasts, [], `no notifications: ${toasts.join(' | ')}`);
    assert.ok((await statusBarTexts(page)).some(ours));
  });

  it('lowering a threshold in the settings shows the /compact nudge in the panel and turns the status bar warning-coloured', async () => {
    const page = wb!.page;
    const frame = await panelFrame(page);
    await frame.locator('#session-select').selectOption('');
    assert.equal(await frame.locator('[data-testid=nudge-compact]').count(), 0);
    assert.equal(await page.locator('.statusbar-item.warning-kind', { hasText: 'today $' }).count(), 0);
    // Through the Settings editor, as a user would.
    await runCommand(page, 'Preferences: Open User Settings');
    const search = page.locator('.settings-editor .suggest-input-container textarea, .settings-editor .settings-header input').first();
    await search.waitFor({ timeout: 15_000 });
    await search.fill('claudeCostMeter.nudges.compactTokens');
    // Wait for the search to filter the list down to our setting before typing.
    const field = page.locator('.settings-editor .setting-item-contents', { hasText: 'Compact Tokens' }).locator('input').first();
    await field.waitFor({ timeout: 15_000 });
    await field.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('10000');
    await page.keyboard.press('Tab');
    await new Promise((r) => setTimeout(r, 1000));
    await page.keyboard.press('Control+W');
    // The panel's webview is rebuilt when it shows again: look in the current frames.
    const nudge = (await panelFrame(page, 20_000, '[data-testid=nudge-compact]')).locator('[data-testid=nudge-compact]');
    assert.match((await nudge.textContent()) ?? '', /11,010 tokens/);
    await page.locator('.statusbar-item.warning-kind', { hasText: 'today $' }).waitFor({ timeout: 10_000 });
  });

  it('"Send /compact to Claude" types /compact into the terminal running Claude Code', async () => {
    const page = wb!.page;
    const bin = path.join(temp, 'bin');
    const received = path.join(temp, 'claude-received.txt');
    fs.mkdirSync(bin, { recursive: true });
    const fake = path.join(bin, 'claude');
    fs.writeFileSync(fake, `#!/bin/sh\necho "fake claude ready"\nwhile IFS= read -r line; do printf '%s\\n' "$line" >> '${received}'; done\n`, { mode: 0o755 });
    await runCommand(page, 'Terminal: Create New Terminal');
    await page.locator('.terminal-wrapper.active .xterm-helper-textarea, .xterm-helper-textarea').first().waitFor({ timeout: 15_000 });
    await new Promise((r) => setTimeout(r, 1500));
    await page.locator('.terminal-wrapper .xterm').first().click();
    await page.keyboard.type(`${fake}\n`);
    // The terminal renders on a canvas: wait for the process itself.
    const running = () =>
      fs.readdirSync('/proc').some((d) => {
        try {
          return /^\d+$/.test(d) && fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(fake);
        } catch {
          return false;
        }
      });
    const until = Date.now() + 15_000;
    while (!running() && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(running(), 'the fake claude runs in the integrated terminal');
    const frame = await panelFrame(page);
    await frame.locator('[data-testid=action-sendCompact]').first().click();
    const deadline = Date.now() + 10_000;
    while (!(fs.existsSync(received) && fs.readFileSync(received, 'utf8').includes('/compact')) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(fs.existsSync(received) ? fs.readFileSync(received, 'utf8').trim() : '(nothing)', '/compact');
  });

  it('exports a CSV whose rows match the report', async () => {
    const page = wb!.page;
    const target = path.join(temp, 'export.csv');
    await runCommand(page, 'Claude Cost: Export Costs (CSV or JSON)…', 10_000, false);
    const input = page.locator('.quick-input-widget input.input');
    await page.locator('.quick-input-widget', { hasText: 'Export Claude Code costs as' }).waitFor({ timeout: 10_000 });
    await input.fill('CSV');
    await page.keyboard.press('Enter');
    // code-server's save dialog is a quick input pre-filled with the suggested path.
    const start = Date.now();
    while (!/claude-code-costs-.*\.csv$/.test((await input.inputValue().catch(() => '')) ?? '') && Date.now() - start < 10_000) {
      await new Promise((r) => setTimeout(r, 100));
    }
    await input.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type(target);
    await new Promise((r) => setTimeout(r, 500));
    await page.keyboard.press('Enter');
    // The dialog may first complete the typed path; confirm again if it is still open.
    for (let i = 0; i < 3 && !fs.existsSync(target); i++) {
      await new Promise((r) => setTimeout(r, 1000));
      if (!fs.existsSync(target) && (await input.isVisible())) {
        await page.locator('.quick-input-widget .monaco-button', { hasText: 'OK' }).first().click().catch(() => page.keyboard.press('Enter'));
      }
    }
    const deadline = Date.now() + 10_000;
    while (!fs.existsSync(target) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
    }
    const rows = fs.readFileSync(target, 'utf8').trim().split('\r\n');
    assert.equal(rows[0], 'kind,id,date,project,costUSD,inputTokens,outputTokens,cacheWrite5mTokens,cacheWrite1hTokens,cacheReadTokens,webSearchRequests,messages');
    const cli = cliReport(configDir);
    const sessionRows = rows.filter((r) => r.startsWith('session,'));
    assert.equal(sessionRows.length, cli.sessions.length);
    const current = sessionRows.find((r) => r.includes(CURRENT_SESSION));
    assert.ok(current);
    assert.equal(Number(current.split(',')[4]), cli.sessions.find((s) => s.sessionId === CURRENT_SESSION)?.costUSD);
    const hostile = sessionRows.find((r) => r.includes(HOSTILE_SESSION));
    assert.ok(hostile?.includes('"'), 'a project with quotes is quoted');
  });

  it('the extension host made no outbound connection (all refused and logged)', () => {
    const records = fs.existsSync(outboundLog) ? fs.readFileSync(outboundLog, 'utf8').trim().split('\n').filter((l) => l !== '') : [];
    assert.ok(
      records.some((l) => l.includes('"extensionHost"') && l.includes('"loaded"')),
      `the trap was loaded into the extension host: ${records.join('; ')}`,
    );
    const attempts = records.filter((l) => !l.includes('"loaded"'));
    const fromHost = attempts.filter((l) => l.includes('"extensionHost"'));
    assert.deepEqual(fromHost, [], `outbound attempts from the extension host: ${fromHost.join('\n')}`);
    if (attempts.length > 0) {
      console.log(`      (other processes of the test VS Code tried: ${attempts.join('; ')})`);
    }
  });
});
