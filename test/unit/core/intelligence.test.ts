/**
 * Cost intelligence (issue #6) at its edges, with hand arithmetic:
 * claude-sonnet-4-6 is $3 input, $15 output, $3.75 5m write, $6 1h write,
 * $0.30 cache read per million tokens.
 */
import { strict as assert } from 'node:assert';
import { addDays, budgetStatus, comparePlans, periodOf } from '../../../src/core/budgets';
import { cacheCountdown, formatCountdown, pastCompactions, postCompactEstimate, projectTurns, type PostCompactEstimate } from '../../../src/core/forecast';
import { dailyCost, liveHistoryRows, mergeHistory, rangeTotals, stackedDaily, type HistoryRow } from '../../../src/core/history';
import { exportCsv, exportJson } from '../../../src/core/export';
import { FIVE_MINUTES_MS, ONE_HOUR_MS } from '../../../src/core/metrics';
import { bundledPriceTable } from '../../../src/core/pricing/price-table';
import { buildReport, ReportCache } from '../../../src/core/report';
import { activeNudges } from '../../../src/core/nudges';
import { defaultSettings } from '../../../src/core/settings';
import { buildStatusModel } from '../../../src/core/status-model';
import { assistantLine, compactLine } from '../support/lines';
import { feed, newEngine } from '../support/engine';

const prices = bundledPriceTable();
const AT = Date.parse('2026-11-22T12:00:00Z');
const close = (a: number | null | undefined, b: number) => assert.ok(a !== null && a !== undefined && Math.abs(a - b) < 1e-12, `${String(a)} != ${b}`);
const habits = { meanOutput: 200, meanGrowth: 2000, calls: 4 };
const after20k: PostCompactEstimate = { contextTokens: 20_000, summaryTokens: 3_000, observed: 0, basis: 'a default' };

describe('the next ten turns against /compact', () => {
  it('sums each turn at its own context, warm cache', () => {
    const p = projectTurns(prices, 'claude-sonnet-4-6', 100_000, habits, FIVE_MINUTES_MS, AT, false, after20k);
    assert.ok(p);
    // As is: reads 100k + 2k*i (i = 0..9) = 1,090,000; writes 10 x 2,000; outputs 10 x 200.
    close(p.continueUSD, (1_090_000 * 0.3 + 20_000 * 3.75 + 2_000 * 15) / 1e6); // 0.432
    // /compact: reads the 100k context, writes a 3,000-token summary.
    close(p.compactCallUSD, (100_000 * 0.3 + 3_000 * 15) / 1e6);
    // Then: the first turn writes 22k; turns 2..10 read 20k + 2k*i and write 2k.
    close(p.compactUSD, 0.075 + (22_000 * 3.75 + 200 * 15) / 1e6 + (270_000 * 0.3 + 18_000 * 3.75 + 1_800 * 15) / 1e6); // 0.336
    // Per turn the compacted path saves $0.024 after a $0.12 head start: equal after 6 turns, cheaper from the 7th.
    assert.equal(p.paysOffAfter, 7);
    assert.match(p.basis, /^estimate: 10 turns of 200 output tokens, the context growing 2,000 tokens a turn \(this session's 4 turns so far\), warm cache; after \/compact: a default/);
  });

  it('starts both paths cold when the cache has expired, and uses the 1-hour write price', () => {
    const p = projectTurns(prices, 'claude-sonnet-4-6', 100_000, habits, ONE_HOUR_MS, AT, true, after20k);
    assert.ok(p);
    close(p.compactCallUSD, (100_000 * 6 + 3_000 * 15) / 1e6);
    const first = (102_000 * 6 + 200 * 15) / 1e6;
    const rest = (1_090_000 - 100_000) * 0.3 + 18_000 * 6 + 1_800 * 15;
    close(p.continueUSD, first + rest / 1e6);
    assert.equal(p.coldNow, true);
    assert.match(p.basis, /starting with a cold cache/);
  });

  it('compacting never pays off when the context is already small', () => {
    const p = projectTurns(prices, 'claude-sonnet-4-6', 15_000, habits, FIVE_MINUTES_MS, AT, false, after20k);
    assert.equal(p?.paysOffAfter, null);
    assert.ok((p?.compactUSD ?? 0) > (p?.continueUSD ?? 0));
  });

  it('is null for an unpriced model (never $0)', () => {
    assert.equal(projectTurns(prices, 'claude-nova-1', 100_000, habits, FIVE_MINUTES_MS, AT, false, after20k), null);
  });

  it('learns the post-compact size from the user\'s own compactions, else states its default', () => {
    const engine = newEngine();
    const line = (session: string, ts: string, read: number, id: string) => assistantLine({ session, ts, read, w5: 1000, input: 1, id, req: `r-${id}` });
    feed(engine, {
      '-p/a.jsonl': [line('a', '2026-11-20T10:00:00.000Z', 90_000, 'a1'), compactLine('2026-11-20T10:05:00.000Z', 'a'), line('a', '2026-11-20T10:06:00.000Z', 17_000, 'a2')].join('\n') + '\n',
      '-p/b.jsonl': [line('b', '2026-11-21T10:00:00.000Z', 50_000, 'b1'), compactLine('2026-11-21T10:05:00.000Z', 'b'), line('b', '2026-11-21T10:06:00.000Z', 27_000, 'b2')].join('\n') + '\n',
      // A compaction with no call after it tells nothing yet.
      '-p/c.jsonl': [line('c', '2026-11-21T11:00:00.000Z', 50_000, 'c1'), compactLine('2026-11-21T11:05:00.000Z', 'c')].join('\n') + '\n',
    });
    const seen = pastCompactions(engine);
    assert.deepEqual(
      seen.map((c) => [c.sessionId, c.nextPromptTokens]),
      [
        ['a', 18_001],
        ['b', 28_001],
      ],
    );
    assert.deepEqual(
      pastCompactions(engine, 1).map((c) => c.sessionId),
      ['b'],
      'only the latest ones are looked up',
    );
    const est = postCompactEstimate(seen);
    assert.equal(est.contextTokens, 23_001);
    assert.equal(est.observed, 2);
    assert.equal(est.summaryTokens, 3_000, 'no compactMetadata.postTokens: the default summary size');
    assert.match(est.basis, /your last 2 \/compacts left a median of 23,001 tokens/);
    const none = postCompactEstimate([], 12_345);
    assert.equal(none.contextTokens, 12_345);
    assert.equal(none.observed, 0);
    assert.match(none.basis, /no \/compact of yours seen yet, so a default of 12,345 tokens/);
  });
});

describe('the prompt-cache countdown', () => {
  it('counts down from the last main-chain call and prices being late', () => {
    const c = cacheCountdown(1_000, FIVE_MINUTES_MS, 1_000 + 108_000, 140_000, 2_000.4, { warmUSD: 0.05, coldUSD: 0.53 });
    assert.equal(c.coldAtMs, 301_000);
    assert.equal(c.remainingMs, 192_000);
    assert.equal(formatCountdown(c.remainingMs), '3:12');
    assert.equal(c.cold, false);
    assert.equal(c.rewriteTokens, 142_000);
    assert.equal(c.coldTurnUSD, 0.53);
    const late = cacheCountdown(1_000, FIVE_MINUTES_MS, 301_000, 140_000, 0, null);
    assert.equal(late.cold, true);
    assert.equal(late.remainingMs, 0);
    assert.equal(late.coldTurnUSD, null);
    assert.equal(formatCountdown(ONE_HOUR_MS + 61_000), '1:01:01');
    assert.equal(formatCountdown(-5), '0:00');
    assert.equal(formatCountdown(1), '0:01', 'rounds up: never shows 0:00 while still warm');
  });

  it('appears in the status bar tooltip and the {cacheCountdown} placeholder', () => {
    const engine = newEngine();
    feed(engine, { '-p/s.jsonl': assistantLine({ session: 's', ts: '2026-11-22T12:00:00.000Z', read: 10_000, w5: 100 }) + '\n' });
    const report = buildReport(engine);
    const settings = { ...defaultSettings(), 'statusBar.format': '{session} · cache {cacheCountdown}' };
    const countdown = cacheCountdown(AT, FIVE_MINUTES_MS, AT + 108_000, 10_101, 0, { warmUSD: 0.01, coldUSD: 0.04 });
    const model = buildStatusModel({ status: { kind: 'ready' }, report, current: { sessionId: 's', reason: 'any' }, settings, today: '2026-11-22', updatedAtMs: AT, formatTime: () => '12:05', nudges: [], countdown, nowMs: AT + 108_000 });
    assert.match(model.text, /cache 4m$/, 'whole minutes, rounded up');
    // A clock time, not a stale "left at this update".
    assert.match(model.tooltip, /cache warm until 12:05/);
    assert.doesNotMatch(model.tooltip, /left/);
  });
});

describe('budgets over time', () => {
  it('finds the week (by its first day) and the month', () => {
    assert.deepEqual(periodOf('week', '2026-11-22', 'monday'), { start: '2026-11-16', end: '2026-11-22', days: 7, dayOfPeriod: 7 }); // a Sunday
    assert.deepEqual(periodOf('week', '2026-11-22', 'sunday'), { start: '2026-11-22', end: '2026-11-28', days: 7, dayOfPeriod: 1 });
    assert.deepEqual(periodOf('week', '2026-11-20', 'saturday'), { start: '2026-11-14', end: '2026-11-20', days: 7, dayOfPeriod: 7 });
    assert.deepEqual(periodOf('month', '2026-11-22', 'monday'), { start: '2026-11-01', end: '2026-11-30', days: 30, dayOfPeriod: 22 });
    assert.equal(periodOf('month', '2028-02-10', 'monday').days, 29);
    assert.equal(periodOf('week', '2027-01-01', 'monday').start, '2026-12-28', 'across a year end');
    assert.equal(addDays('2026-03-01', -1), '2026-02-28');
  });

  it('says the pace: "51% of the week used on day 3; safe pace 43%"', () => {
    const daily = new Map([
      ['2026-11-15', 50], // the week before
      ['2026-11-16', 20],
      ['2026-11-17', 31],
      ['2026-11-18', 0],
      ['2026-11-19', 99], // after "today": not counted
    ]);
    const b = budgetStatus('week', 100, daily, '2026-11-18', 'monday');
    assert.ok(b);
    assert.equal(b.spentUSD, 51);
    assert.equal(b.dayOfPeriod, 3);
    close(b.paceShare, 3 / 7);
    close(b.projectedUSD, 119);
    assert.equal(b.summary, "51% of the week's $100.00 used on day 3 of 7; safe pace 43%; at this rate about $119.00 by 2026-11-22 (estimate)");
    const m = budgetStatus('month', 400, daily, '2026-11-18', 'monday');
    assert.equal(m?.spentUSD, 101);
    assert.equal(m?.summary, "25% of the month's $400.00 used on day 18 of 30; safe pace 60%", 'under pace: no projection');
    assert.equal(budgetStatus('week', 0, daily, '2026-11-18', 'monday'), null, '0 turns a budget off');
  });

  it('nudges at the warning share and at 100%, with the pace in the message', () => {
    const daily = new Map([['2026-11-16', 85]]);
    const week = budgetStatus('week', 100, daily, '2026-11-18', 'monday');
    assert.ok(week);
    const facts = { sessionId: undefined, contextTokens: null, contextWindow: 200_000, sessionCostUSD: undefined, today: '2026-11-18', todayUSD: 0, lastActivityMs: undefined, cacheTtlMs: FIVE_MINUTES_MS, nextTurn: null, nowMs: AT };
    const nudges = activeNudges({ ...facts, periodBudgets: [week] }, defaultSettings());
    assert.deepEqual(
      nudges.map((n) => [n.key, n.level]),
      [['weeklyBudget:warning:2026-11-16', 'warning']],
    );
    assert.match(nudges[0]?.message ?? '', /85% of the week's \$100\.00 used on day 3 of 7; safe pace 43%/);
    const over = budgetStatus('week', 80, daily, '2026-11-18', 'monday');
    assert.equal(activeNudges({ ...facts, periodBudgets: over ? [over] : [] }, defaultSettings())[0]?.level, 'error');
  });
});

describe('API against a subscription', () => {
  it('compares the last 30 days with each plan, with the break-even per day and per active day', () => {
    const daily = new Map([
      ['2026-10-23', 1000], // 31 days ago: outside the window
      ['2026-10-24', 10],
      ['2026-11-01', 10],
      ['2026-11-10', 10],
      ['2026-11-20', 10],
      ['2026-11-22', 10],
      ['2026-11-21', 0],
    ]);
    const c = comparePlans(daily, '2026-11-22', { pro: 20, max5x: 100, max20x: 200 });
    assert.equal(c.since, '2026-10-24');
    assert.equal(c.apiUSD, 50);
    assert.equal(c.activeDays, 5);
    assert.equal(c.perActiveDayUSD, 10);
    const [pro, max5, max20] = c.rows;
    assert.deepEqual([pro?.windowUSD, pro?.savesUSD, pro?.cheaper, pro?.breakEvenPerActiveDayUSD], [20, 30, 'plan', 4]);
    close(max5?.breakEvenPerDayUSD, 100 / 30); // $3.33 a day
    assert.deepEqual([max5?.savesUSD, max5?.cheaper], [-50, 'api']);
    assert.deepEqual([max20?.savesUSD, max20?.cheaper], [-150, 'api']);
    assert.equal(c.best, 'pro');
    assert.match(c.basis, /usage limits are not modelled/);
    const idle = comparePlans(new Map(), '2026-11-22', { pro: 20, max5x: 100, max20x: 200 });
    assert.deepEqual([idle.best, idle.activeDays, idle.perActiveDayUSD, idle.rows[0]?.breakEvenPerActiveDayUSD], ['api', 0, null, null]);
  });

  it('labels dollar figures API-equivalent for subscribers', () => {
    const engine = newEngine();
    feed(engine, { '-p/s.jsonl': assistantLine({ session: 's', ts: '2026-11-22T12:00:00.000Z' }) + '\n' });
    const input = { status: { kind: 'ready' } as const, report: buildReport(engine), current: { sessionId: 's', reason: 'any' as const }, today: '2026-11-22', updatedAtMs: AT, formatTime: () => '', nudges: [] };
    const api = buildStatusModel({ ...input, settings: defaultSettings() });
    assert.doesNotMatch(api.text + api.tooltip, /API-eq/);
    const sub = buildStatusModel({ ...input, settings: { ...defaultSettings(), 'plan.subscription': 'max5x' } });
    assert.match(sub.text, /^\$\(pulse\) API-eq\. /);
    assert.match(sub.tooltip, /API-equivalent \(you are on Max 5x\)/);
  });
});

describe('history that outlives the transcripts', () => {
  const row = (day: string, sessionId: string, model: string, costUSD: number | null, project: string | null = '/p'): HistoryRow => ({
    day,
    sessionId,
    part: 'main',
    project,
    model,
    costUSD,
    tokens: { input: 1, output: 1, write5m: 0, write1h: 0, read: 0, webSearches: 0 },
    messages: 1,
  });
  const liveOf = (rows: HistoryRow[]) => ({ rows, parts: new Set(rows.map((r) => `${r.sessionId}\u0000${r.part}`)), sessions: new Set(rows.map((r) => r.sessionId)) });

  it('live rows add up to the report, un-itemised usage included', () => {
    const engine = newEngine();
    feed(engine, {
      '-p/a.jsonl': [assistantLine({ session: 'a', ts: '2026-11-20T10:00:00.000Z', input: 1000, output: 500 }), assistantLine({ session: 'a', ts: '2026-11-21T10:00:00.000Z', id: 'm2', req: 'r2', model: 'claude-haiku-4-5', output: 100 })].join('\n') + '\n',
      '-q/b.jsonl': assistantLine({ session: 'b', cwd: '/q', ts: '2026-11-21T11:00:00.000Z', model: 'claude-nova-1', id: 'm3', req: 'r3' }) + '\n',
    });
    const cache = new ReportCache();
    const report = buildReport(engine, { cache });
    const projects = new Map(report.sessions.map((s) => [s.sessionId, s.project]));
    const rows = liveHistoryRows(engine, (id) => projects.get(id) ?? null, undefined, cache).rows;
    assert.equal(rows.length, 3);
    close(
      rows.reduce((a, r) => a + (r.costUSD ?? 0), 0),
      report.totals.costUSD,
    );
    assert.equal(rows.find((r) => r.sessionId === 'b')?.costUSD, null, 'unpriced stays unpriced');
    assert.equal(rows.find((r) => r.sessionId === 'b')?.project, '/q');
  });

  it('keeps the rows of sessions whose transcripts are gone; live sessions always win', () => {
    const stored = [row('2026-10-01', 'gone', 'm', 5), row('2026-10-03', 'gone', 'm', 1), row('2026-11-20', 'live', 'm', 1)];
    const live = [row('2026-11-20', 'live', 'm', 2), row('2026-11-21', 'live', 'm', 3)];
    const merged = mergeHistory(stored, liveOf(live));
    assert.equal(merged.rows.length, 4);
    assert.equal(merged.keptSessions, 1);
    assert.deepEqual([merged.keptFrom, merged.keptUntil], ['2026-10-01', '2026-10-03']);
    assert.deepEqual([...dailyCost(merged.rows)].sort(), [
      ['2026-10-01', 5],
      ['2026-10-03', 1],
      ['2026-11-20', 2],
      ['2026-11-21', 3],
    ]);
    const empty = mergeHistory([], liveOf(live));
    assert.deepEqual([empty.keptSessions, empty.keptFrom], [0, null]);
  });

  it('ranges by project and model, unpriced models flagged', () => {
    const rows = [row('2026-11-20', 's1', 'opus', 3, '/a'), row('2026-11-21', 's2', 'haiku', 1, '/b'), row('2026-11-21', 's2', 'nova', null, '/b'), row('2026-11-01', 's3', 'opus', 100, null)];
    const r = rangeTotals(rows, '2026-11-16', '2026-11-22', (x) => x.sessionId === 's2');
    assert.equal(r.costUSD, 4);
    assert.deepEqual(r.byProject, [
      { name: '/a', costUSD: 3 },
      { name: '/b', costUSD: 1 },
    ]);
    assert.deepEqual(r.byModel, [
      { name: 'opus', costUSD: 3 },
      { name: 'haiku', costUSD: 1 },
      { name: 'nova', costUSD: null },
    ]);
    assert.equal(r.fromHistory, true);
    assert.equal(rangeTotals(rows, '2026-11-01', '2026-11-01').byProject[0]?.name, '(unknown project)');
  });

  it('exports the sessions kept from history, summed per session and per day', () => {
    const kept = [row('2026-10-01', 'gone', 'opus', 5, '/g'), row('2026-10-02', 'gone', 'haiku', 1, '/g'), row('2026-10-02', 'gone2', 'opus', null, null)];
    const report = buildReport(newEngine());
    const csv = exportCsv(report, kept).trim().split('\r\n');
    assert.deepEqual(csv.slice(1), [
      'session-history,gone,2026-10-02,/g,6,2,2,0,0,0,0,2',
      'session-history,gone2,2026-10-02,,0,1,1,0,0,0,0,1',
      'day-history,2026-10-01,2026-10-01,,5,1,1,0,0,0,0,1',
      'day-history,2026-10-02,2026-10-02,,1,2,2,0,0,0,0,2',
    ]);
    assert.deepEqual((JSON.parse(exportJson(report, kept)) as { keptFromHistory: unknown }).keptFromHistory, kept);
  });

  it('stacks 30 days by model, the smallest groups folded into "other"', () => {
    const rows = ['a', 'b', 'c'].map((m, i) => row('2026-11-22', 's', m, i + 1));
    rows.push(row('2026-10-24', 's', 'a', 7), row('2026-10-23', 's', 'a', 1000));
    const s = stackedDaily(rows, '2026-11-22', 30, 'model', 2);
    assert.equal(s.days.length, 30);
    assert.deepEqual([s.days[0], s.days[29]], ['2026-10-24', '2026-11-22']);
    assert.deepEqual(
      s.series.map((x) => [x.name, x.costUSD[0], x.costUSD[29]]),
      [
        ['a', 7, 1],
        ['c', 0, 3],
        ['other (1)', 0, 2],
      ],
    );
  });
});
