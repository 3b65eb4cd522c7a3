import { strict as assert } from 'node:assert';
import { activeNudges, emptyNudgeMemory, evaluateNudges, REMIND_EVERY_MS, snoozeNudge, type NudgeFacts } from '../../../src/core/nudges';
import { defaultSettings, type Settings } from '../../../src/core/settings';
import { FIVE_MINUTES_MS, ONE_HOUR_MS } from '../../../src/core/metrics';

const NOW = Date.parse('2026-11-22T12:00:00.000Z');

function facts(over: Partial<NudgeFacts> = {}): NudgeFacts {
  return {
    sessionId: 's1',
    contextTokens: 10_000,
    contextWindow: 200_000,
    sessionCostUSD: 1,
    today: '2026-11-22',
    todayUSD: 2,
    lastActivityMs: NOW - 60_000,
    cacheTtlMs: FIVE_MINUTES_MS,
    nextTurn: { warmUSD: 0.05, coldUSD: 0.53, basis: 'estimate' },
    nowMs: NOW,
    ...over,
  };
}

const kinds = (f: NudgeFacts, s: Settings = defaultSettings()) => activeNudges(f, s).map((n) => `${n.kind}:${n.level}`);

describe('nudge rules', () => {
  it('/compact: at the token threshold (100,000), not one token below', () => {
    assert.deepEqual(kinds(facts({ contextTokens: 99_999, contextWindow: 1_000_000 })), []);
    assert.deepEqual(kinds(facts({ contextTokens: 100_000, contextWindow: 1_000_000 })), ['compact:warning']);
  });

  it('/compact: at 70% of the window, whichever comes first', () => {
    assert.deepEqual(kinds(facts({ contextTokens: 69_999, contextWindow: 100_000 })), []);
    assert.deepEqual(kinds(facts({ contextTokens: 70_000, contextWindow: 100_000 })), ['compact:warning']);
  });

  it('/compact names the size and what each further turn costs', () => {
    const n = activeNudges(facts({ contextTokens: 142_000 }), defaultSettings())[0];
    assert.match(n?.message ?? '', /142,000 tokens \(71% of the 200,000 window\)/);
    assert.match(n?.message ?? '', /\$0\.05 with a warm cache, \$0\.53 cold/);
    assert.deepEqual(n?.actions, ['sendCompact', 'copyCompact', 'openPanel', 'snooze']);
  });

  it('/clear: cold cache (idle past the 5-minute TTL) with a large context', () => {
    const big = { contextTokens: 60_000 };
    assert.deepEqual(kinds(facts({ ...big, lastActivityMs: NOW - FIVE_MINUTES_MS })), []);
    assert.deepEqual(kinds(facts({ ...big, lastActivityMs: NOW - FIVE_MINUTES_MS - 1 })), ['clear:warning']);
    assert.deepEqual(kinds(facts({ contextTokens: 49_999, lastActivityMs: NOW - ONE_HOUR_MS })), []);
  });

  it('/clear: a session writing the 1-hour cache stays warm for an hour', () => {
    const f = { contextTokens: 60_000, cacheTtlMs: ONE_HOUR_MS };
    assert.deepEqual(kinds(facts({ ...f, lastActivityMs: NOW - 30 * 60_000 })), []);
    assert.deepEqual(kinds(facts({ ...f, lastActivityMs: NOW - ONE_HOUR_MS - 1 })), ['clear:warning']);
    const n = activeNudges(facts({ ...f, lastActivityMs: NOW - 2 * ONE_HOUR_MS }), defaultSettings())[0];
    assert.match(n?.message ?? '', /re-writes all 60,000 tokens of context, about \$0\.53/);
  });

  it('budgets warn at 80% and turn to error at 100%; 0 turns a budget off', () => {
    assert.deepEqual(kinds(facts({ sessionCostUSD: 3.99 })), []);
    assert.deepEqual(kinds(facts({ sessionCostUSD: 4 })), ['sessionBudget:warning']);
    assert.deepEqual(kinds(facts({ sessionCostUSD: 5 })), ['sessionBudget:error']);
    assert.deepEqual(kinds(facts({ todayUSD: 16 })), ['dailyBudget:warning']);
    assert.deepEqual(kinds(facts({ todayUSD: 20 })), ['dailyBudget:error']);
    const off = { ...defaultSettings(), 'budgets.dailyUSD': 0 };
    assert.deepEqual(kinds(facts({ todayUSD: 1000 }), off), []);
  });
});

describe('nudge memory: crossing, hysteresis, snooze, notifications', () => {
  const s = defaultSettings();
  const at = (contextTokens: number, nowMs = NOW) => facts({ contextTokens, contextWindow: 1_000_000, nowMs, lastActivityMs: nowMs - 60_000 });

  it('fires on crossing, not again while above', () => {
    let m = emptyNudgeMemory();
    let e = evaluateNudges(m, at(90_000), s);
    assert.equal(e.notify.length, 0);
    m = e.memory;
    e = evaluateNudges(m, at(100_000), s);
    assert.deepEqual(e.notify.map((n) => n.kind), ['compact']);
    e = evaluateNudges(e.memory, at(120_000), s);
    assert.equal(e.notify.length, 0);
    assert.equal(e.visible.length, 1, 'still shown while above');
  });

  it('re-arms only after dropping below 90% of the threshold (hysteresis)', () => {
    let e = evaluateNudges(emptyNudgeMemory(), at(100_000), s);
    assert.equal(e.notify.length, 1);
    e = evaluateNudges(e.memory, at(95_000), s); // below, but within 10%: not re-armed
    assert.equal(e.visible.length, 0);
    e = evaluateNudges(e.memory, at(100_500), s);
    assert.equal(e.notify.length, 0, 'no second notification for a wobble');
    e = evaluateNudges(e.memory, at(80_000), s); // well below: re-armed
    e = evaluateNudges(e.memory, at(100_000), s);
    assert.equal(e.notify.length, 1, 'a real second crossing notifies again');
  });

  it('a snoozed nudge is hidden until the snooze ends, and does not notify again', () => {
    let e = evaluateNudges(emptyNudgeMemory(), at(100_000), s);
    const key = e.visible[0]?.key ?? '';
    const m = snoozeNudge(e.memory, key, NOW + 60 * 60_000);
    e = evaluateNudges(m, at(110_000, NOW + 30 * 60_000), s);
    assert.equal(e.visible.length, 0);
    e = evaluateNudges(e.memory, at(110_000, NOW + 61 * 60_000), s);
    assert.equal(e.visible.length, 1);
    assert.equal(e.notify.length, 0);
  });

  it('notification modes: never and always', () => {
    const never = { ...s, 'nudges.notifications': 'never' as const };
    const e1 = evaluateNudges(emptyNudgeMemory(), at(100_000), never);
    assert.equal(e1.notify.length, 0);
    assert.equal(e1.visible.length, 1);
    const always = { ...s, 'nudges.notifications': 'always' as const };
    let e = evaluateNudges(emptyNudgeMemory(), at(100_000), always);
    assert.equal(e.notify.length, 1);
    e = evaluateNudges(e.memory, at(100_000, NOW + REMIND_EVERY_MS - 1), always);
    assert.equal(e.notify.length, 0);
    e = evaluateNudges(e.memory, at(100_000, NOW + REMIND_EVERY_MS), always);
    assert.equal(e.notify.length, 1, 'reminded while still above');
  });

  it('a daily budget crossing is per day', () => {
    let e = evaluateNudges(emptyNudgeMemory(), facts({ todayUSD: 20 }), s);
    assert.equal(e.notify.length, 1);
    e = evaluateNudges(e.memory, facts({ todayUSD: 21 }), s);
    assert.equal(e.notify.length, 0);
    e = evaluateNudges(e.memory, facts({ todayUSD: 20, today: '2026-11-23' }), s);
    assert.equal(e.notify.length, 1);
  });
});
