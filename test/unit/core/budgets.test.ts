/**
 * Budgets over time and API against a subscription (src/core/budgets.ts), at their edges, with hand arithmetic
 * (from intelligence.test.ts, issue #6): claude-sonnet-4-6 is $3 input, $15
 * output, $3.75 5m write, $6 1h write, $0.30 cache read per million tokens.
 */
import { strict as assert } from 'node:assert';
import { addDays, budgetStatus, comparePlans, periodOf } from '../../../src/core/budgets';
import { FIVE_MINUTES_MS } from '../../../src/core/metrics';
import { buildReport } from '../../../src/core/report';
import { activeNudges } from '../../../src/core/nudges';
import { defaultSettings } from '../../../src/core/settings';
import { buildStatusModel } from '../../../src/core/status-model';
import { assistantLine } from '../support/lines';
import { feed, newEngine } from '../support/engine';

const AT = Date.parse('2026-11-22T12:00:00Z');
const close = (a: number | null | undefined, b: number) => assert.ok(a !== null && a !== undefined && Math.abs(a - b) < 1e-12, `${String(a)} != ${b}`);

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
