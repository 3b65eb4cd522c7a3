import { strict as assert } from 'node:assert';
import { bundledPriceTable, withOverrides } from '../../../../src/core/pricing/price-table';
import type { CallPriceQuery } from '../../../../src/core/pricing/rate-card';

function q(model: string, over: Partial<CallPriceQuery> = {}): CallPriceQuery {
  return { model, timestampMs: Date.parse('2026-11-22T12:00:00Z'), promptTokens: 1_000, fast: false, geoUs: false, ...over };
}

const rates = { input: 1, output: 2, write5m: 3, write1h: 4, read: 0.5 };

describe('pricing/withOverrides', () => {
  it('no overrides: the same table, no errors', () => {
    const base = bundledPriceTable();
    assert.deepEqual(withOverrides(base, undefined), { table: base, errors: [] });
    assert.deepEqual(withOverrides(base, null), { table: base, errors: [] });
    const empty = withOverrides(base, {});
    assert.deepEqual(empty.errors, []);
    assert.equal(empty.table, base, "the setting's default ({}) builds no new table");
    assert.equal(empty.table.rateFor(q('claude-opus-4-6'))?.input, 5);
    const allBad = withOverrides(base, { '<synthetic>': rates });
    assert.equal(allBad.table, base, 'nothing applied: the same table');
    assert.equal(allBad.errors.length, 1);
  });

  it('a good entry replaces an existing model for all dates and keeps its multipliers', () => {
    const base = bundledPriceTable();
    const { table, errors } = withOverrides(base, { 'claude-sonnet-5-5': rates });
    assert.deepEqual(errors, []);
    for (const at of ['2026-10-01T00:00:00Z', '2026-11-22T00:00:00Z']) {
      const card = table.rateFor(q('claude-sonnet-5-5', { timestampMs: Date.parse(at) }));
      assert.deepEqual([card?.input, card?.output, card?.write5m, card?.write1h, card?.read], [1, 2, 3, 4, 0.5]);
    }
    assert.equal(table.rateFor(q('claude-sonnet-5-5', { geoUs: true }))?.input, 1.1);
    assert.equal(table.contextWindow('claude-sonnet-5-5'), 1_000_000);
    // The base table is untouched.
    assert.equal(base.rateFor(q('claude-sonnet-5-5'))?.input, 2);
  });

  it('an override keyed by an alias or a cloud id applies to the canonical model', () => {
    const { table, errors } = withOverrides(bundledPriceTable(), { 'us.anthropic.claude-opus-4-6-20260205-v1:0': { ...rates, fast: 3 } });
    assert.deepEqual(errors, []);
    assert.equal(table.rateFor(q('claude-opus-4-6'))?.input, 1);
    assert.equal(table.rateFor(q('claude-opus-4-6', { fast: true }))?.output, 6);
  });

  it('an override replaces the long-context tier: none unless given', () => {
    const base = bundledPriceTable();
    const none = withOverrides(base, { 'claude-sonnet-4-5': rates }).table;
    assert.equal(none.rateFor(q('claude-sonnet-4-5', { promptTokens: 500_000 }))?.longContext, false);
    const tiered = withOverrides(base, {
      'claude-sonnet-4-5': { ...rates, longContext: { thresholdTokens: 1_000, input: 10, output: 20, write5m: 30, write1h: 40, read: 5 } },
    }).table;
    assert.equal(tiered.rateFor(q('claude-sonnet-4-5', { promptTokens: 1_000 }))?.output, 2);
    assert.equal(tiered.rateFor(q('claude-sonnet-4-5', { promptTokens: 1_001 }))?.output, 20);
  });

  it('a new model id adds a model', () => {
    const { table, errors } = withOverrides(bundledPriceTable(), {
      'claude-opus-5-6': { ...rates, contextWindow: 1_000_000, fast: 2 },
      'my-gateway-model': { ...rates, family: 'sonnet' },
    });
    assert.deepEqual(errors, []);
    assert.equal(table.rateFor(q('claude-opus-5-6'))?.input, 1);
    assert.equal(table.rateFor(q('claude-opus-5-6-20270101', { fast: true }))?.input, 2);
    assert.equal(table.family('claude-opus-5-6'), 'opus');
    assert.equal(table.contextWindow('claude-opus-5-6'), 1_000_000);
    assert.equal(table.family('my-gateway-model'), 'sonnet');
    assert.equal(table.contextWindow('my-gateway-model'), 200_000);
    assert.ok(table.models().some((m) => m.id === 'claude-opus-5-6' && m.released === null));
    // Still exact: a neighbour of the new id is not priced.
    assert.equal(table.rateFor(q('claude-opus-5-7')), null);
  });

  it('each bad entry is reported once, by name, and ignored while good ones apply', () => {
    const { table, errors } = withOverrides(bundledPriceTable(), {
      'claude-haiku-4-5': { ...rates, input: -1 },
      'claude-opus-4-5': { ...rates, cacheRead: 0.1, output: 'lots' },
      'claude-opus-4-7': rates,
      'gpt-x': rates,
      '<synthetic>': rates,
      'claude-opus-4-7-20260416': { ...rates, input: 9 },
    });
    assert.equal(errors.length, 5, errors.join('\n'));
    assert.match(errors[0]!, /^Price override "claude-haiku-4-5": input: .*ignored\.$/);
    assert.match(errors[1]!, /^Price override "claude-opus-4-5": .*output.*cacheRead|^Price override "claude-opus-4-5": .*cacheRead.*output/);
    assert.match(errors[2]!, /^Price override "gpt-x": a new model needs "family"/);
    assert.match(errors[3]!, /^Price override "<synthetic>": not a model id/);
    assert.match(errors[4]!, /^Price override "claude-opus-4-7-20260416": the same model \(claude-opus-4-7\) as the override "claude-opus-4-7"/);
    // The bad ones are ignored, the good one applies.
    assert.equal(table.rateFor(q('claude-haiku-4-5'))?.input, 1);
    assert.equal(table.rateFor(q('claude-opus-4-5'))?.output, 25);
    assert.equal(table.rateFor(q('claude-opus-4-7'))?.input, 1);
    assert.equal(table.rateFor(q('gpt-x')), null);
  });

  it('a table that is not an object is one error and no change', () => {
    const base = bundledPriceTable();
    for (const raw of [[rates], 'claude-opus-4-6', 42]) {
      const result = withOverrides(base, raw);
      assert.equal(result.table, base);
      assert.equal(result.errors.length, 1);
      assert.match(result.errors[0]!, /^Price overrides: expected an object/);
    }
  });
});
