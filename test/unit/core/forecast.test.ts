/**
 * The forecast (src/core/forecast.ts): the next turns against /compact and the prompt-cache countdown (with the status model that shows it), at their edges, with hand arithmetic
 * (from intelligence.test.ts, issue #6): claude-sonnet-4-6 is $3 input, $15
 * output, $3.75 5m write, $6 1h write, $0.30 cache read per million tokens.
 */
import { strict as assert } from 'node:assert';
import { cacheCountdown, formatCountdown, pastCompactions, postCompactEstimate, projectTurns, type PostCompactEstimate } from '../../../src/core/forecast';
import { FIVE_MINUTES_MS, ONE_HOUR_MS } from '../../../src/core/metrics';
import { bundledPriceTable } from '../../../src/core/pricing/price-table';
import { buildReport } from '../../../src/core/report';
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
