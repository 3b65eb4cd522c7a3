import { strict as assert } from 'node:assert';
import { pickCurrentSession, isInside } from '../../../src/core/current-session';
import { csvCell, exportCsv } from '../../../src/core/export';
import { escapeMarkdown, formatUsd } from '../../../src/core/format';
import { findSpikes, modelWhatIf, nextTurnCost, turnHabits, ONE_HOUR_MS, FIVE_MINUTES_MS, type TurnPoint } from '../../../src/core/metrics';
import { bundledPriceTable } from '../../../src/core/pricing/price-table';
import { defaultSettings, parseSettings } from '../../../src/core/settings';
import { isClaudeCommand } from '../../../src/node/claude-terminal';
import { assistantLine } from '../support/lines';
import { feed, newEngine, reportOf } from '../support/engine';

const session = (id: string, project: string | null, last: string) => ({ sessionId: id, project, lastTimestamp: last, contextState: 'known' as const });

describe('current session', () => {
  const sessions = [session('a', '/work/alpha', '2026-11-22T10:00:00Z'), session('b', '/other', '2026-11-22T11:00:00Z'), session('c', '/work/alpha/sub', '2026-11-22T09:00:00Z')];
  it('prefers the latest session inside a workspace folder', () => {
    assert.deepEqual(pickCurrentSession(sessions, ['/work/alpha'], 'any'), { sessionId: 'a', reason: 'workspace' });
  });
  it('falls back to the latest anywhere, or to none with scope "workspace"', () => {
    assert.deepEqual(pickCurrentSession(sessions, ['/nowhere'], 'any'), { sessionId: 'b', reason: 'any' });
    assert.deepEqual(pickCurrentSession(sessions, ['/nowhere'], 'workspace'), { sessionId: undefined, reason: 'none' });
  });
  it('a pinned session wins while it exists', () => {
    assert.deepEqual(pickCurrentSession(sessions, ['/work/alpha'], 'any', 'c'), { sessionId: 'c', reason: 'pinned' });
    assert.equal(pickCurrentSession(sessions, ['/work/alpha'], 'any', 'gone').reason, 'workspace');
  });
  it('compares paths by segments, Windows case-insensitively', () => {
    assert.equal(isInside('/work/alphabet', '/work/alpha'), false);
    assert.equal(isInside('C:\\Users\\X\\proj', 'c:\\users\\x'), true);
  });
});

describe('next-turn cost', () => {
  const prices = bundledPriceTable();
  const turn = (prompt: number, output: number): TurnPoint => ({ timestampMs: 0, costUSD: 0, promptTokens: prompt, advisor: false, outputTokens: output, sidechain: false, model: 'claude-sonnet-4-6', writeTokens: 0, readTokens: 0, fast: false, longContext: false, messageId: undefined, filePath: '/f' });
  it('warm = read the context + write the growth + output; cold = write it all', () => {
    const habits = turnHabits([turn(10_000, 100), turn(12_000, 300)]);
    assert.deepEqual(habits, { meanOutput: 200, meanGrowth: 2000, calls: 2 });
    const at = Date.parse('2026-11-22T00:00:00Z');
    const five = nextTurnCost(prices, 'claude-sonnet-4-6', 100_000, habits, FIVE_MINUTES_MS, at);
    assert.ok(five);
    assert.ok(Math.abs(five.warmUSD - (100_000 * 0.3 + 2000 * 3.75 + 200 * 15) / 1e6) < 1e-12);
    assert.ok(Math.abs(five.coldUSD - (102_000 * 3.75 + 200 * 15) / 1e6) < 1e-12);
    const hour = nextTurnCost(prices, 'claude-sonnet-4-6', 100_000, habits, ONE_HOUR_MS, at);
    assert.ok(Math.abs((hour?.coldUSD ?? 0) - (102_000 * 6 + 200 * 15) / 1e6) < 1e-12);
    assert.match(five.basis, /^estimate: 2 earlier turn/);
    assert.equal(nextTurnCost(prices, 'claude-nova-1', 1000, habits, ONE_HOUR_MS, at), null);
  });
});

describe('export', () => {
  it('quotes CSV cells and defuses spreadsheet formulas', () => {
    assert.equal(csvCell('plain'), 'plain');
    assert.equal(csvCell('a,b'), '"a,b"');
    assert.equal(csvCell('say "hi"'), '"say ""hi"""');
    assert.equal(csvCell('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
    assert.equal(csvCell(null), '');
  });
  it('writes sessions, days and projects with unrounded costs', () => {
    const r = reportOf({ '-p/s1.jsonl': assistantLine({ session: 's1', input: 10, output: 100, cwd: '/work/x,y' }) + '\n' });
    const rows = exportCsv(r).trim().split('\r\n');
    assert.equal(rows.length, 4);
    assert.match(rows[1] ?? '', /^session,s1,2026-11-20,"\/work\/x,y",0\.00153,10,100,0,0,0,0,1$/);
    assert.match(rows[2] ?? '', /^day,2026-11-20,2026-11-20,,0\.00153,/);
  });
});

describe('settings', () => {
  it('uses defaults and reports each bad value once by name', () => {
    const raw: Record<string, unknown> = { 'budgets.sessionUSD': -3, 'statusBar.format': '{nope}', timeZone: 'Mars/Base', 'nudges.compactTokens': 'lots', 'budgets.dailyUSD': 50 };
    const { settings, problems } = parseSettings((k) => raw[k]);
    assert.equal(settings['budgets.sessionUSD'], 5);
    assert.equal(settings['budgets.dailyUSD'], 50);
    assert.equal(settings['statusBar.format'], defaultSettings()['statusBar.format']);
    assert.deepEqual(problems.map((p) => p.key).sort(), ['claudeCostMeter.budgets.sessionUSD', 'claudeCostMeter.nudges.compactTokens', 'claudeCostMeter.statusBar.format', 'claudeCostMeter.timeZone']);
  });
});

describe('formatting', () => {
  it('keeps tiny amounts visible and escapes Markdown from transcripts', () => {
    assert.equal(formatUsd(0.00003), '$0.000030');
    assert.equal(formatUsd(1234.567), '$1,234.57');
    assert.equal(formatUsd(null), 'unpriced');
    assert.equal(escapeMarkdown('[x](command:evil) <b>'), '\\[x\\]\\(command\\:evil\\) \\<b\\>');
  });
  it('recognises Claude Code processes', () => {
    assert.equal(isClaudeCommand(['/usr/local/bin/claude']), true);
    assert.equal(isClaudeCommand(['node', '/x/node_modules/@anthropic-ai/claude-code/cli.js']), true);
    assert.equal(isClaudeCommand(['bash']), false);
  });
});

describe('model what-if and spikes', () => {
  const point = (cost: number, over: Partial<TurnPoint> = {}): TurnPoint => ({
    timestampMs: 0,
    costUSD: cost,
    promptTokens: 10_000,
    advisor: false,
    outputTokens: 100,
    sidechain: false,
    model: 'claude-sonnet-4-6',
    writeTokens: 100,
    readTokens: 9_900,
    fast: false,
    longContext: false,
    messageId: undefined,
    filePath: '/f',
    ...over,
  });

  it('flags calls above 5x the median, with their cause', () => {
    const spikes = findSpikes([point(0.01), point(0.01), point(0.012), point(0.01), point(0.011), point(0.06, { writeTokens: 9_000 }), point(0.2, { longContext: true })]);
    assert.deepEqual(
      spikes.map((s) => s.cause.split(':')[0]),
      ['cold cache', 'long-context tier (the whole request at the higher rate)'],
    );
    assert.equal(findSpikes([point(0.01), point(1)]).length, 0, 'needs at least 3 priced calls');
  });

  it('reprices the real token vectors on the latest model of each family', () => {
    const engine = newEngine();
    feed(engine, { '-p/w1.jsonl': assistantLine({ session: 'w1', input: 1000, output: 1000, ts: '2026-11-20T10:00:00.000Z' }) + '\n' });
    const rows = modelWhatIf(engine, bundledPriceTable(), 'w1');
    const haiku = rows.find((r) => r.family === 'haiku');
    assert.equal(haiku?.model, 'claude-haiku-5-5');
    assert.ok(Math.abs((haiku?.costUSD ?? NaN) - (1000 * 0.1 + 1000 * 0.5) / 1e6) < 1e-12);
    assert.ok(rows.some((r) => r.family === 'opus') && rows.some((r) => r.family === 'sonnet'));
  });
});
