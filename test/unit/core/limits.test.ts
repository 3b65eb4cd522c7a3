import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import {
  fresherReading,
  limitsView,
  limitSeverity,
  paceEstimate,
  readingFromClaudeConfig,
  readingFromSnapshot,
  statuslineFacts,
  statusLineText,
  statuslineWindows,
  windowCell,
  windowsFromStatusline,
  windowState,
  type LimitsReading,
} from '../../../src/core/limits';
import { configFixture } from '../support/limits';

const ROOT = path.resolve(__dirname, '../../../..');
const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);
const H = 3600_000;

const fmt = (ms: number) => new Date(ms).toISOString().slice(11, 16);

describe('plan limits: Claude Code config', () => {
  it('reads every window of the fixture exactly, with the plan, the model-scoped window and extra usage', () => {
    const r = readingFromClaudeConfig(configFixture(NOW, 600_000));
    assert.equal(r.problem, null);
    const reading = r.reading as LimitsReading;
    assert.equal(reading.source, 'claude-config');
    assert.equal(reading.plan, 'claude_max');
    assert.equal(reading.fetchedAtMs, NOW - 600_000);
    assert.deepEqual(
      reading.windows.map((w) => [w.id, w.percent, w.resetsAtMs]),
      [
        ['five_hour', 37.5, NOW + 2 * H],
        ['seven_day', 61, NOW + 72 * H],
        ['seven_day_opus', 0, NOW + 72 * H],
        ['seven_day_sonnet', 12.25, NOW + 72 * H],
        ['model:Fable', 44, NOW + 72 * H],
      ],
    );
    assert.deepEqual(reading.extraUsage, { isEnabled: true, monthlyLimit: 5000, usedCredits: 1250, utilization: 25, currency: 'USD' });
    const view = limitsView(reading, NOW, r.plan, []);
    assert.equal(view.ageSeconds, 600);
    assert.equal(view.fetchedAt, new Date(NOW - 600_000).toISOString());
  });

  it('gives no reading, with a reason, for a foreign or partial config; never a number', () => {
    for (const foreign of [null, 42, 'text', [1, 2], { name: 'some-package', version: '1.0.0' }]) {
      const r = readingFromClaudeConfig(foreign);
      assert.equal(r.reading, null, JSON.stringify(foreign));
      assert.ok(r.problem !== null && r.problem.length > 0);
    }
    for (const cached of [{}, { fetchedAtMs: 'yesterday', utilization: {} }, { fetchedAtMs: 1, utilization: 'full' }, [], 7]) {
      const r = readingFromClaudeConfig({ cachedUsageUtilization: cached });
      assert.equal(r.reading, null, JSON.stringify(cached));
      assert.match(r.problem ?? '', /unknown shape/);
    }
  });

  it('shows a window with no number as "no reading", a passed reset as "stale since …", and an unknown window not at all', () => {
    const r = readingFromClaudeConfig({
      cachedUsageUtilization: {
        fetchedAtMs: NOW - 3 * H,
        utilization: {
          five_hour: { utilization: 80, resets_at: new Date(NOW - H).toISOString() },
          seven_day: { utilization: null, resets_at: null },
          seven_day_opus: { utilization: 'lots', resets_at: 'soon' },
          seven_day_sonnet: { utilization: -5, resets_at: null },
          cinder_cove: { utilization: 99, resets_at: null },
          limits: [{ kind: 'weekly_scoped', percent: 'x', scope: { model: { display_name: 'Fable' } } }, 'garbage'],
        },
      },
    });
    const reading = r.reading as LimitsReading;
    const byId = new Map(reading.windows.map((w) => [w.id, w]));
    assert.deepEqual([...byId.keys()], ['five_hour', 'seven_day', 'seven_day_opus', 'seven_day_sonnet', 'model:Fable']);
    assert.deepEqual(reading.ignored, ['cinder_cove']);
    const five = byId.get('five_hour');
    assert.ok(five);
    assert.equal(windowCell(five, NOW), 'stale');
    assert.match(windowState(five, NOW, fmt), /^stale since 11:00/);
    assert.equal(limitSeverity(five, NOW, 50, 90), 'none', 'a stale 80% colours nothing');
    for (const id of ['seven_day', 'seven_day_opus', 'seven_day_sonnet', 'model:Fable']) {
      const w = byId.get(id);
      assert.ok(w);
      assert.equal(w.percent, null, id);
      assert.equal(windowCell(w, NOW), '-');
      assert.equal(windowState(w, NOW, fmt), 'no reading');
    }
    const view = limitsView(reading, NOW, null, []);
    assert.equal(view.windows[0]?.stale, true);
    assert.equal(view.windows[1]?.stale, false);
  });

  it('colours a window at the warning and error thresholds, and not at all when a threshold is 0', () => {
    const w = { id: 'five_hour', label: '5-hour', percent: 80, resetsAtMs: NOW + H };
    assert.equal(limitSeverity(w, NOW, 80, 95), 'warning');
    assert.equal(limitSeverity({ ...w, percent: 79.9 }, NOW, 80, 95), 'none');
    assert.equal(limitSeverity({ ...w, percent: 95 }, NOW, 80, 95), 'error');
    assert.equal(limitSeverity({ ...w, percent: 99 }, NOW, 0, 0), 'none');
  });
});

describe('plan limits: the statusLine hook', () => {
  const input = () => {
    const i = JSON.parse(fs.readFileSync(path.join(ROOT, 'test/fixtures/limits/statusline-input.json'), 'utf8')) as {
      rate_limits: Record<string, { resets_at: number }>;
      prompt_cache: { expires_at: number };
    };
    i.rate_limits.five_hour!.resets_at = (NOW + 2 * H) / 1000;
    i.rate_limits.seven_day!.resets_at = (NOW + 50 * H) / 1000;
    i.prompt_cache.expires_at = (NOW + 150_000) / 1000;
    return i;
  };

  it('reads the hook JSON: model, cost, context, cache expiry and windows (resets in epoch seconds)', () => {
    const f = statuslineFacts(input());
    assert.equal(f.sessionId, 'abababab-0000-4000-8000-000000000001');
    assert.equal(f.model, 'Opus 4.6');
    assert.equal(f.claudeCodeCostUSD, 0.4968794);
    assert.equal(f.contextPercent, 42);
    assert.equal(f.cacheExpiresAtMs, NOW + 150_000);
    assert.deepEqual(
      f.windows.map((w) => [w.id, w.percent, w.resetsAtMs]),
      [
        ['five_hour', 48.3, NOW + 2 * H],
        ['seven_day', 63, NOW + 50 * H],
      ],
    );
  });

  it('prints one line with the model, dollars, context, cache countdown and both shares with their resets', () => {
    const line = statusLineText({ facts: statuslineFacts(input()), sessionUSD: 0.52, todayUSD: 3.1, nowMs: NOW });
    const d = new Date(NOW + 2 * H);
    const hm = `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
    assert.equal(line.includes('\n'), false);
    assert.match(line, /^Opus 4\.6 · session \$0\.52 · today \$3\.10 · ctx 42% · cache 3m · 5h 48\.3% \(resets (\d\d:\d\d)\) · 7d 63% \(resets .+\)$/);
    assert.ok(line.includes(`5h 48.3% (resets ${hm})`));
    // With no price of ours, Claude Code's own figure, said to be theirs; no limits: no shares.
    const none = statusLineText({ facts: statuslineFacts({ model: { display_name: 'S\u001b[31m' }, cost: { total_cost_usd: 0.25 } }), sessionUSD: null, todayUSD: null, nowMs: NOW });
    assert.equal(none, 'S?[31m · session $0.25 (Claude Code) · today - · ctx -');
  });

  it('reads rate_limits by hand exactly as the zod schemas do (generated inputs)', () => {
    const value = fc.oneof(
      fc.constant(null),
      fc.constant(undefined),
      fc.double({ noNaN: false }),
      fc.integer({ min: -10, max: 2_000_000_000 }),
      fc.string({ maxLength: 5 }),
      fc.constantFrom('2026-12-06T14:00:00Z', 'soon', 'x'.repeat(201)),
    );
    const windowValue = fc.oneof(fc.record({ used_percentage: value, utilization: value, resets_at: value }, { requiredKeys: [] }), value, fc.constant([]));
    const scoped = fc.oneof(fc.array(fc.record({ display_name: fc.oneof(fc.string({ maxLength: 6 }), value), utilization: value, resets_at: value }, { requiredKeys: [] }), { maxLength: 3 }), value);
    const rateLimits = fc.oneof(
      fc.record({ five_hour: windowValue, seven_day: windowValue, seven_day_opus: windowValue, seven_day_sonnet: windowValue, model_scoped: scoped, spend_limit: windowValue, newer_window: windowValue }, { requiredKeys: [] }),
      value,
    );
    fc.assert(
      fc.property(rateLimits, (rl) => {
        assert.deepEqual(statuslineWindows(rl), windowsFromStatusline(rl));
      }),
      { numRuns: 500 },
    );
  });
});

describe('plan limits: which source, and the pace', () => {
  const config = readingFromClaudeConfig(configFixture(NOW, 600_000)).reading as LimitsReading;
  const hook: LimitsReading = { source: 'statusline', fetchedAtMs: NOW - 5_000, plan: null, windows: [{ id: 'five_hour', label: '5-hour', percent: 50, resetsAtMs: NOW + H }], extraUsage: null, ignored: [] };

  it('answers from the fresher source, with the plan from the config either way', () => {
    assert.equal(fresherReading(config, hook, 'claude_max')?.source, 'statusline');
    assert.equal(fresherReading(config, hook, 'claude_max')?.plan, 'claude_max');
    assert.equal(fresherReading(config, { ...hook, fetchedAtMs: NOW - 700_000 }, 'claude_max')?.source, 'claude-config');
    assert.equal(fresherReading(null, null, null), null);
    assert.equal(
      readingFromSnapshot({ version: 1, recordedAtMs: NOW, limitsAtMs: null, sessionId: null, model: null, windows: [], ignored: [], claudeCodeCostUSD: null }),
      null,
      'a hook with no rate_limits (API key) is no reading',
    );
  });

  it('estimates when the window runs out from the share per dollar and the recent pace', () => {
    const w = { id: 'five_hour', label: '5-hour', percent: 40, resetsAtMs: NOW + 3 * H };
    // 40% for $8 = 5%/$; the last 30 min cost $2 = 10% per 30 min; 60% left = 3 h > the reset in 3 h? exactly at it.
    assert.deepEqual(paceEstimate({ window: w, nowMs: NOW, windowCostUSD: 8, recentCostUSD: 2, recentMs: 30 * 60_000 }), { kind: 'lastsToReset', resetsAtMs: NOW + 3 * H });
    // Twice the pace: 20% per 30 min, 60% left = 90 minutes.
    assert.deepEqual(paceEstimate({ window: w, nowMs: NOW, windowCostUSD: 8, recentCostUSD: 4, recentMs: 30 * 60_000 }), { kind: 'runsOut', atMs: NOW + 90 * 60_000 });
    assert.deepEqual(paceEstimate({ window: w, nowMs: NOW, windowCostUSD: 8, recentCostUSD: 0, recentMs: 30 * 60_000 }), { kind: 'idle' });
    assert.equal(paceEstimate({ window: w, nowMs: NOW, windowCostUSD: 0, recentCostUSD: 0, recentMs: 30 * 60_000 }), null, 'no usage in the window: no estimate');
    assert.equal(paceEstimate({ window: { ...w, resetsAtMs: NOW - 1 }, nowMs: NOW, windowCostUSD: 8, recentCostUSD: 4, recentMs: 1 }), null, 'stale: no estimate');
  });
});
