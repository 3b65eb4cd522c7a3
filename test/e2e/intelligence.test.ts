/**
 * End to end, the cost-intelligence figures (issue #6) in a real VS Code
 * workbench (code-server + Chromium), on a tree whose answers are worked out
 * by hand in test/support/intelligence-tree.ts, and the CLI giving the same.
 */
import { strict as assert } from 'node:assert';
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Frame } from 'playwright-core';
import { frameShowing, tearDown, openWorkbench, runCommand, screenshot, waitForStatusBarText, type Workbench } from './support/browser';
import { startCodeServer, type CodeServer } from './support/code-server';
import { CURRENT, EXPECTED, writeIntelligenceTree, writeStoredHistory, type IntelligenceTree } from '../support/intelligence-tree';
import { usd } from '../support/today-tree';

const ROOT = path.resolve(__dirname, '../../..');
const VSIX = path.join(ROOT, 'dist/claude-code-cost-meter.vsix');
const EXTENSION_ID = 'cost-meter.claude-code-cost-meter';

const text = async (frame: Frame, testId: string) => ((await frame.locator(`[data-testid=${testId}]`).first().textContent()) ?? '').trim();
const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

describe('cost intelligence in a real VS Code workbench', function () {
  this.timeout(180_000);
  let temp = '';
  let workspaceDir = '';
  let configDir = '';
  let server: CodeServer | undefined;
  let wb: Workbench | undefined;
  let tree: IntelligenceTree;
  let frame: Frame;

  before(async () => {
    assert.ok(fs.existsSync(VSIX), `${VSIX} exists (npm run package)`);
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-e2e-intel-'));
    workspaceDir = path.join(temp, 'workspace');
    configDir = path.join(temp, 'claude');
    const home = path.join(temp, 'home');
    for (const d of [workspaceDir, configDir, home]) {
      fs.mkdirSync(d);
    }
    tree = writeIntelligenceTree(configDir, workspaceDir);
    server = await startCodeServer({
      workspaceDir,
      vsixPath: VSIX,
      env: { CLAUDE_CONFIG_DIR: configDir, HOME: home },
      settings: {
        'claudeCostMeter.budgets.weeklyUSD': 2,
        'claudeCostMeter.budgets.monthlyUSD': 100,
        'claudeCostMeter.plan.subscription': 'max5x',
        'claudeCostMeter.statusBar.format': '{session} · today {today} · week {week} · cache {cacheCountdown}',
        'claudeCostMeter.nudges.notifications': 'never',
      },
    });
    // Our history from before Claude Code's cleanup deleted a session: in the extension's global storage.
    writeStoredHistory(path.join(server.userDataDir, 'User', 'globalStorage', EXTENSION_ID), tree.goneDay);
    wb = await openWorkbench(server.url, workspaceDir);
  });

  after(async () => {
    const shots = process.env.CCM_SCREENSHOTS_DIR;
    if (shots && wb) {
      fs.mkdirSync(shots, { recursive: true });
      await screenshot(wb.page, path.join(shots, 'intelligence.png'));
      for (const part of frame === undefined ? [] : ['projection', 'daily', 'plans']) {
        await frame.locator(`[data-testid=${part}]`).screenshot({ path: path.join(shots, `panel-${part}.png`) }).catch(() => undefined);
      }
      await frame?.locator('section.budgets').screenshot({ path: path.join(shots, 'panel-budgets.png') }).catch(() => undefined);
    }
    await tearDown(wb, server, temp);
  });

  it('the status bar says API-equivalent, the budget week and the cache countdown in minutes', async () => {
    const page = wb!.page;
    const s = usd(EXPECTED.sessionUSD);
    const bar = await waitForStatusBarText(page, (t) => t.includes(`API-eq. ${s} · today ${s} · week ${s} · cache `), 60_000);
    const minutes = Number(/cache (\d+)m/.exec(bar)?.[1]);
    const left = (tree.lastCallMs + 3_600_000 - Date.now()) / 60_000;
    assert.ok(minutes >= Math.floor(left) && minutes <= Math.ceil(left) + 1, `1-hour cache: ${minutes}m shown, ${left.toFixed(1)} min left`);
  });

  it('the panel shows the next turn and the next ten against /compact, labelled as estimates', async () => {
    const page = wb!.page;
    await runCommand(page, 'Claude Cost: Open Panel');
    frame = await frameShowing(page, '[data-testid=projection-continue]', 20_000);
    assert.equal(await text(frame, 'session-cost'), usd(EXPECTED.sessionUSD));
    assert.equal(await text(frame, 'next-warm'), usd(EXPECTED.nextWarmUSD));
    assert.equal(await text(frame, 'projection-continue'), usd(EXPECTED.continueUSD));
    assert.equal(await text(frame, 'projection-compact'), usd(EXPECTED.compactUSD));
    assert.equal(await text(frame, 'projection-saving'), usd(EXPECTED.continueUSD - EXPECTED.compactUSD));
    const box = (await frame.locator('[data-testid=projection]').textContent()) ?? '';
    assert.match(box, /Next 10 turns \(estimate\)/);
    assert.ok(box.includes(`incl. the /compact call ${usd(EXPECTED.compactCallUSD)}; context after ≈ 20,010 tokens`), box);
    assert.ok(box.includes(`compacting is cheaper from turn ${EXPECTED.paysOffAfter}`), box);
    const basis = await text(frame, 'projection-basis');
    assert.match(basis, /^estimate: 10 turns of 500 output tokens, the context growing 10,000 tokens a turn \(this session's 3 turns so far\), warm cache; after \/compact: your last 1 \/compact left a median of 20,010 tokens of context, a summary of 4,000 output tokens\.$/);
    // Beside the /compact nudge too.
    const nudge = (await frame.locator('[data-testid=nudge-compact]').textContent()) ?? '';
    assert.ok(nudge.includes(`Next 10 turns (estimate): about ${usd(EXPECTED.continueUSD)} as is, ${usd(EXPECTED.compactUSD)} after /compact (cheaper from turn 6)`), nudge);
  });

  it('the prompt-cache countdown gives a clock time and ticks, with the price of being late', async () => {
    const first = await text(frame, 'cache-countdown');
    const m = /^Warm until (.+) \((\d+):(\d\d) left\)$/.exec(first);
    assert.ok(m, first);
    const coldAt = new Date(tree.lastCallMs + 3_600_000).toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' });
    assert.equal(m[1], coldAt, 'the clock time the cache goes cold');
    const shownMs = (Number(m[2]) * 60 + Number(m[3])) * 1000;
    const left = tree.lastCallMs + 3_600_000 - Date.now();
    assert.ok(Math.abs(shownMs - left) < 5_000, `${first} vs ${left} ms left`);
    assert.equal(await text(frame, 'cache-cold-cost'), `1-hour cache; cold, the next prompt re-writes 160k tokens ≈ ${usd(EXPECTED.nextColdUSD)}`);
    await new Promise((r) => setTimeout(r, 2_100));
    assert.notEqual(await text(frame, 'cache-countdown'), first, 'it ticks every second');
  });

  it('the model what-if and the spike are there with their numbers', async () => {
    const whatIf = (await frame.locator('[data-testid=what-if] tr', { hasText: 'claude-opus-5-5' }).textContent()) ?? '';
    assert.ok(whatIf.includes(usd(EXPECTED.opus55USD)), whatIf);
    const spike = (await frame.locator('[data-testid=spikes] tbody tr').first().textContent()) ?? '';
    assert.ok(spike.includes(usd(0.78753)) && spike.includes(`${EXPECTED.spikeTimes.toFixed(1)}x`) && spike.includes('cold cache: 130,000 tokens written again'), spike);
  });

  it('where the money goes: the cost by cause and what cache misses cost (#20)', async () => {
    // The session's lines are read on demand: the table replaces "Reading the session…" when done.
    await frame.locator('[data-testid=causes] table').waitFor({ state: 'attached', timeout: 20_000 });
    // No tool calls in this session: every call follows a prompt, so the one cause is the whole session.
    assert.equal(await text(frame, 'cause-prompt'), usd(EXPECTED.sessionUSD));
    // Its later calls read the first call's 130,000 tokens warm: no miss.
    assert.equal(await text(frame, 'cache-miss-cost'), 'No cache misses in this session.');
    assert.equal(await frame.locator('[data-testid=cause-chart] .cause-bar-row').count(), 1, 'one bar: the prompt');
    // Today and 30 days, reached with the keyboard (arrow keys move between the tabs).
    const fold = frame.locator('[data-testid=causes]');
    if (!(await fold.evaluate((d) => (d as HTMLDetailsElement).open))) {
      await fold.locator('summary').first().click();
    }
    await frame.locator('[data-testid=cause-tab-session]').focus();
    await frame.locator('[data-testid=cause-tab-session]').press('ArrowRight');
    await frame.locator('[data-testid=cause-panel-today]').waitFor({ state: 'attached', timeout: 10_000 });
    await frame.locator('[data-testid=cause-tab-today]').press('ArrowRight');
    await frame.locator('[data-testid=cause-panel-last30] table').waitFor({ state: 'attached', timeout: 20_000 });
    assert.equal(await frame.locator('[data-testid=cause-tab-last30]').getAttribute('aria-selected'), 'true');
    // The session of 40 days ago is outside; the current one is all of it.
    await frame.waitForFunction((want) => document.querySelector('[data-testid=cause-panel-last30] [data-testid=cause-prompt]')?.textContent === want, usd(EXPECTED.sessionUSD), { timeout: 20_000 });
    assert.equal(await text(frame, 'week-miss-cost'), 'No cache misses this week.');
    await frame.locator('[data-testid=cause-tab-last30]').click();
    await frame.locator('[data-testid=cause-tab-session]').click();
    await frame.locator('[data-testid=cause-panel-session]').waitFor({ state: 'attached', timeout: 10_000 });
  });

  it('budgets show their pace', async () => {
    const now = new Date();
    const dayOfWeek = ((now.getDay() + 6) % 7) + 1; // weeks start on Monday by default
    const week = await text(frame, 'budget-week-pace');
    assert.ok(week.startsWith(`${pct(EXPECTED.sessionUSD / 2)} of the week's $2.00 used on day ${dayOfWeek} of 7; safe pace ${pct(dayOfWeek / 7)}`), week);
    assert.equal(week.includes('at this rate about'), EXPECTED.sessionUSD / 2 > dayOfWeek / 7, 'a projection only when ahead of pace');
    assert.equal(await text(frame, 'budget-week-spent'), `${usd(EXPECTED.sessionUSD)} / $2.00`);
    const daysInMonth = new Date(now.getFullYear(), now.getMonth() + 1, 0).getDate();
    assert.equal(await text(frame, 'budget-month-pace'), `${pct(EXPECTED.sessionUSD / 100)} of the month's $100.00 used on day ${now.getDate()} of ${daysInMonth}; safe pace ${pct(now.getDate() / daysInMonth)}`);
  });

  it('API against the plans, and the API-equivalent label', async () => {
    assert.match(await text(frame, 'api-equivalent'), /Dollar figures are API-equivalent \(you are on Max 5x\)/);
    assert.equal(await text(frame, 'plans-api'), usd(EXPECTED.sessionUSD));
    assert.equal(await text(frame, 'plans-best'), 'Paying per token was the cheapest.');
    const max5 = (await frame.locator('[data-testid=plan-max5x]').textContent()) ?? '';
    // $100 a month: $3.33 a day; one active day in the window, so $100.00 per active day.
    assert.ok(max5.includes('$100.00') && max5.includes('$3.33') && max5.includes(usd(EXPECTED.sessionUSD - 100).replace('$-', '-$')) && max5.includes('(API cheaper)'), max5);
  });

  it('history kept in our storage outlives the deleted transcript: the 90-day view and the note', async () => {
    assert.equal(await text(frame, 'today-cost'), usd(EXPECTED.sessionUSD), 'today is in the summary row (and not repeated under Cost over days)');
    assert.equal(await frame.locator('[data-testid=range-today]').count(), 0);
    assert.equal(await text(frame, 'range-month'), usd(EXPECTED.sessionUSD));
    assert.equal(await text(frame, 'range-quarter'), usd(EXPECTED.sessionUSD + EXPECTED.olderUSD + EXPECTED.goneUSD));
    const note = await text(frame, 'history-note');
    assert.equal(note, `1 session (${tree.goneDay} to ${tree.goneDay}) comes from the meter's own history: Claude Code has deleted its transcript (cleanupPeriodDays).`);
  });

  it('the 30-day daily chart is drawn, stacked by model or by project, with its table', async () => {
    await frame.locator('#fold-charts > summary').click();
    assert.ok((await frame.locator('[data-testid=daily] canvas').count()) > 0, 'a chart canvas');
    await frame.locator('[data-testid=daily] summary').click();
    const row = frame.locator(`[data-testid=daily-table] tr[data-day="${tree.today}"]`);
    assert.equal(((await row.locator('td').nth(1).textContent()) ?? '').trim(), usd(EXPECTED.sessionUSD));
    assert.ok(((await frame.locator('[data-testid=daily-table] thead').textContent()) ?? '').includes('claude-sonnet-4-6'));
    await frame.locator('#daily-by').selectOption('byProject');
    await frame.locator('[data-testid=daily-table] thead', { hasText: workspaceDir }).waitFor({ state: 'attached', timeout: 10_000 });
    assert.ok(((await frame.locator('[data-testid=daily-table] thead').textContent()) ?? '').includes(workspaceDir));
  });

  it('the CLI gives the same numbers (claude-cost session --json)', () => {
    const out = cp.execFileSync(process.execPath, [path.join(ROOT, 'dist/cli.js'), 'session', CURRENT, '--json', '--no-cache', '--config-dir', configDir], { encoding: 'utf8' });
    const j = JSON.parse(out) as { session: { costUSD: number }; forecast: { nextTurn: { warmUSD: number; coldUSD: number }; projection: { continueUSD: number; compactUSD: number; compactCallUSD: number; paysOffAfter: number } } };
    const near = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);
    near(j.session.costUSD, EXPECTED.sessionUSD);
    near(j.forecast.nextTurn.warmUSD, EXPECTED.nextWarmUSD);
    near(j.forecast.nextTurn.coldUSD, EXPECTED.nextColdUSD);
    near(j.forecast.projection.continueUSD, EXPECTED.continueUSD);
    near(j.forecast.projection.compactUSD, EXPECTED.compactUSD);
    near(j.forecast.projection.compactCallUSD, EXPECTED.compactCallUSD);
    assert.equal(j.forecast.projection.paysOffAfter, EXPECTED.paysOffAfter);
  });
});
