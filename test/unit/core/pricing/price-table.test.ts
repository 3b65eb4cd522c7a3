import { strict as assert } from 'node:assert';
import { bundledPriceTable, type PriceTable } from '../../../../src/core/pricing/price-table';
import { costOn, type CallPriceQuery, type RateCard } from '../../../../src/core/pricing/rate-card';

const NOW = Date.parse('2026-11-22T12:00:00Z');

/** A plain call: now, a small prompt, standard speed, global residency. */
function q(model: string, over: Partial<CallPriceQuery> = {}): CallPriceQuery {
  return { model, timestampMs: NOW, promptTokens: 1_000, fast: false, geoUs: false, ...over };
}

/** Rates in docs/pricing.md column order: input | 5m write | 1h write | cache read | output. */
type Row = [input: number, write5m: number, write1h: number, read: number, output: number];

function rates(card: RateCard | null): Row {
  assert.ok(card, 'expected a priced model');
  return [card.input, card.write5m, card.write1h, card.read, card.output];
}

/** Closeness for sums of products (the card rates themselves are compared exactly). */
function near(actual: number, expected: number): void {
  assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} != ${expected}`);
}

describe('pricing/price-table', () => {
  let table: PriceTable;
  beforeEach(() => {
    table = bundledPriceTable();
  });

  describe('every model row of docs/pricing.md §1, standard call on 2026-11-22', () => {
    // Hand-copied from docs/pricing.md §1, not from the JSON.
    const rows: [string, Row][] = [
      ['claude-fable-5-2', [8, 10, 16, 0.2, 40]],
      ['claude-mythos-5-2', [8, 10, 16, 0.2, 40]],
      ['claude-fable-5-1', [10, 12.5, 20, 0.25, 50]],
      ['claude-mythos-5-1', [10, 12.5, 20, 0.25, 50]],
      ['claude-fable-5', [10, 12.5, 20, 1, 50]],
      ['claude-mythos-5', [10, 12.5, 20, 1, 50]],
      ['claude-opus-5-5', [4, 5, 8, 0.2, 20]],
      ['claude-opus-5', [5, 6.25, 10, 0.5, 25]],
      ['claude-opus-4-8', [5, 6.25, 10, 0.5, 25]],
      ['claude-opus-4-7', [5, 6.25, 10, 0.5, 25]],
      ['claude-opus-4-7-20260416', [5, 6.25, 10, 0.5, 25]],
      ['claude-opus-4-6', [5, 6.25, 10, 0.5, 25]],
      ['claude-opus-4-6-20260205', [5, 6.25, 10, 0.5, 25]],
      ['claude-opus-4-5-20251101', [5, 6.25, 10, 0.5, 25]],
      ['claude-opus-4-5', [5, 6.25, 10, 0.5, 25]],
      ['claude-opus-4-1-20250805', [15, 18.75, 30, 1.5, 75]],
      ['claude-opus-4-20250514', [15, 18.75, 30, 1.5, 75]],
      ['claude-3-opus-20240229', [15, 18.75, 30, 1.5, 75]],
      ['claude-sonnet-5-5', [2, 2.5, 4, 0.1, 10]],
      ['claude-sonnet-5', [2, 2.5, 4, 0.2, 10]],
      ['claude-sonnet-4-6', [3, 3.75, 6, 0.3, 15]],
      ['claude-sonnet-4-5-20250929', [3, 3.75, 6, 0.3, 15]],
      ['claude-sonnet-4-20250514', [3, 3.75, 6, 0.3, 15]],
      ['claude-3-7-sonnet-20250219', [3, 3.75, 6, 0.3, 15]],
      ['claude-3-5-sonnet-20241022', [3, 3.75, 6, 0.3, 15]],
      ['claude-3-5-sonnet-20240620', [3, 3.75, 6, 0.3, 15]],
      ['claude-haiku-5-5', [0.1, 0.125, 0.2, 0.01, 0.5]],
      ['claude-haiku-4-5-20251001', [1, 1.25, 2, 0.1, 5]],
      ['claude-haiku-4-5', [1, 1.25, 2, 0.1, 5]],
      ['claude-3-5-haiku-20241022', [0.8, 1, 1.6, 0.08, 4]],
      ['claude-3-haiku-20240307', [0.25, 0.3, 0.5, 0.03, 1.25]],
    ];
    for (const [model, expected] of rows) {
      it(`${model}: ${expected.join(' / ')}`, () => {
        const card = table.rateFor(q(model));
        assert.deepEqual(rates(card), expected);
        assert.equal(card?.webSearch, 0.01);
        assert.equal(card?.longContext, false);
        assert.equal(card?.multiplier, 1);
      });
    }

    it('prices every model of the table (no row left without a test)', () => {
      const tested = new Set(rows.map(([m]) => table.canonicalModel(m)));
      assert.deepEqual(
        table.models().map((m) => m.id).filter((id) => !tested.has(id)),
        [],
      );
    });
  });

  describe('unpriced and synthetic models', () => {
    for (const model of ['<synthetic>', 'claude-opus-5-6', 'claude-opus-4-9', 'claude-sonnet-4-7', 'gpt-4o', 'opus', '', 'claude-opus']) {
      it(`${JSON.stringify(model)} is unpriced`, () => {
        assert.equal(table.rateFor(q(model)), null);
        assert.equal(table.canonicalModel(model), null);
        assert.equal(table.contextWindow(model), null);
        assert.equal(table.family(model), null);
      });
    }
  });

  describe('long-context tier (prompt strictly over the threshold; the whole request)', () => {
    it('Sonnet 4.5 at 199,999 and exactly 200,000 prompt tokens: low tier', () => {
      for (const promptTokens of [199_999, 200_000]) {
        const card = table.rateFor(q('claude-sonnet-4-5-20250929', { promptTokens }));
        assert.deepEqual(rates(card), [3, 3.75, 6, 0.3, 15]);
        assert.equal(card?.longContext, false);
      }
    });
    it('Sonnet 4.5 at 200,001 prompt tokens: every bucket, output included, at $6 / 7.50 / 12 / 0.60 / $22.50', () => {
      const card = table.rateFor(q('claude-sonnet-4-5-20250929', { promptTokens: 200_001 }));
      assert.deepEqual(rates(card), [6, 7.5, 12, 0.6, 22.5]);
      assert.equal(card?.longContext, true);
      assert.equal(card?.key, 'claude-sonnet-4-5|long');
    });
    it('Sonnet 4 has the same 200K tier, still applied today', () => {
      assert.deepEqual(rates(table.rateFor(q('claude-sonnet-4-20250514', { promptTokens: 200_000 }))), [3, 3.75, 6, 0.3, 15]);
      assert.deepEqual(rates(table.rateFor(q('claude-sonnet-4-20250514', { promptTokens: 900_000 }))), [6, 7.5, 12, 0.6, 22.5]);
    });
    it('Haiku 5.5 at 99,999 and exactly 100,000: low tier; at 100,001: $0.50 / 0.625 / 1.00 / 0.05 / $2.50', () => {
      assert.deepEqual(rates(table.rateFor(q('claude-haiku-5-5', { promptTokens: 99_999 }))), [0.1, 0.125, 0.2, 0.01, 0.5]);
      assert.deepEqual(rates(table.rateFor(q('claude-haiku-5-5', { promptTokens: 100_000 }))), [0.1, 0.125, 0.2, 0.01, 0.5]);
      const high = table.rateFor(q('claude-haiku-5-5', { promptTokens: 100_001 }));
      assert.deepEqual(rates(high), [0.5, 0.625, 1, 0.05, 2.5]);
      assert.equal(high?.longContext, true);
    });
    it('models without a tier stay on standard rates at 900K', () => {
      for (const model of ['claude-opus-4-8', 'claude-opus-5', 'claude-sonnet-5-5', 'claude-fable-5-2']) {
        const card = table.rateFor(q(model, { promptTokens: 900_000 }));
        assert.equal(card?.longContext, false);
        assert.equal(card, table.rateFor(q(model)));
      }
    });
  });

  describe('date-effective prices (UTC)', () => {
    it('Sonnet 5.5 cache read is $0.20 until 2026-10-06T23:59:59Z and $0.10 from 2026-10-07T00:00:00Z', () => {
      const before = table.rateFor(q('claude-sonnet-5-5', { timestampMs: Date.parse('2026-10-06T23:59:59Z') }));
      const lastMs = table.rateFor(q('claude-sonnet-5-5', { timestampMs: Date.parse('2026-10-07T00:00:00Z') - 1 }));
      const from = table.rateFor(q('claude-sonnet-5-5', { timestampMs: Date.parse('2026-10-07T00:00:00Z') }));
      assert.deepEqual(rates(before), [2, 2.5, 4, 0.2, 10]);
      assert.equal(lastMs, before);
      assert.deepEqual(rates(from), [2, 2.5, 4, 0.1, 10]);
      assert.equal(from?.key, 'claude-sonnet-5-5@2026-10-07');
    });
    it('Opus 4.6 over 200K costs $10 / 12.50 / 20 / 1.00 / $37.50 before 2026-03-13 and standard from then', () => {
      const long = { promptTokens: 300_000 };
      const before = table.rateFor(q('claude-opus-4-6', { ...long, timestampMs: Date.parse('2026-03-12T23:59:59Z') }));
      const after = table.rateFor(q('claude-opus-4-6', { ...long, timestampMs: Date.parse('2026-03-13T00:00:00Z') }));
      assert.deepEqual(rates(before), [10, 12.5, 20, 1, 37.5]);
      assert.equal(before?.longContext, true);
      assert.deepEqual(rates(after), [5, 6.25, 10, 0.5, 25]);
      assert.equal(after?.longContext, false);
      // Before the date, at the threshold: low tier.
      assert.deepEqual(rates(table.rateFor(q('claude-opus-4-6', { promptTokens: 200_000, timestampMs: Date.parse('2026-02-20T00:00:00Z') }))), [5, 6.25, 10, 0.5, 25]);
    });
    it('Sonnet 4.6 over 200K costs $6 / 7.50 / 12 / 0.60 / $22.50 before 2026-03-13 and standard from then', () => {
      const before = table.rateFor(q('claude-sonnet-4-6', { promptTokens: 250_000, timestampMs: Date.parse('2026-03-01T00:00:00Z') }));
      const after = table.rateFor(q('claude-sonnet-4-6', { promptTokens: 250_000, timestampMs: Date.parse('2026-03-13T00:00:00Z') }));
      assert.deepEqual(rates(before), [6, 7.5, 12, 0.6, 22.5]);
      assert.deepEqual(rates(after), [3, 3.75, 6, 0.3, 15]);
    });
    it('a non-finite timestamp takes the latest period', () => {
      assert.equal(table.rateFor(q('claude-sonnet-5-5', { timestampMs: Number.NaN }))?.read, 0.1);
    });
  });

  describe('fast mode (multiplies every token category)', () => {
    const fast = { fast: true };
    it('6x on Opus 4.6 and 4.7: $30 / 37.50 / 60 / 3 / $150', () => {
      for (const model of ['claude-opus-4-6', 'claude-opus-4-7']) {
        const card = table.rateFor(q(model, fast));
        assert.deepEqual(rates(card), [30, 37.5, 60, 3, 150]);
        assert.equal(card?.multiplier, 6);
      }
    });
    it('2x on Opus 4.8 and Opus 5: $10 / 12.50 / 20 / 1 / $50', () => {
      for (const model of ['claude-opus-4-8', 'claude-opus-5']) {
        assert.deepEqual(rates(table.rateFor(q(model, fast))), [10, 12.5, 20, 1, 50]);
      }
    });
    it('2x on Opus 5.5: $8 / 10 / 16 / 0.40 / $40', () => {
      assert.deepEqual(rates(table.rateFor(q('claude-opus-5-5', fast))), [8, 10, 16, 0.4, 40]);
    });
    it('2x on Fable 5.2 (and Mythos 5.2, same rate card): $16 / 20 / 32 / 0.40 / $80', () => {
      assert.deepEqual(rates(table.rateFor(q('claude-fable-5-2', fast))), [16, 20, 32, 0.4, 80]);
      assert.deepEqual(rates(table.rateFor(q('claude-mythos-5-2', fast))), [16, 20, 32, 0.4, 80]);
    });
    it('a fast call on a model without fast mode is priced at standard rates (same card)', () => {
      for (const model of ['claude-fable-5-1', 'claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-opus-4-5']) {
        const card = table.rateFor(q(model, fast));
        assert.equal(card, table.rateFor(q(model)));
        assert.equal(card?.multiplier, 1);
      }
    });
    it('stacks on the long-context tier (Opus 4.6 before 2026-03-13)', () => {
      const card = table.rateFor(q('claude-opus-4-6', { fast: true, promptTokens: 300_000, timestampMs: Date.parse('2026-03-01T00:00:00Z') }));
      assert.deepEqual(rates(card), [60, 75, 120, 6, 225]);
    });
    it('does not multiply web search', () => {
      assert.equal(table.rateFor(q('claude-opus-4-6', { fast: true, geoUs: true }))?.webSearch, 0.01);
    });
  });

  describe('US data residency (1.1x on Opus/Sonnet 4.6 and later)', () => {
    const us = { geoUs: true };
    it('Opus 4.6: $5.50 / 6.875 / 11 / 0.55 / $27.50', () => {
      const card = table.rateFor(q('claude-opus-4-6', us));
      assert.deepEqual(rates(card), [5.5, 6.875, 11, 0.55, 27.5]);
      assert.equal(card?.multiplier, 1.1);
      assert.equal(card?.key, 'claude-opus-4-6@2026-03-13|us');
    });
    it('Sonnet 4.6: $3.30 / 4.125 / 6.60 / 0.33 / $16.50', () => {
      assert.deepEqual(rates(table.rateFor(q('claude-sonnet-4-6', us))), [3.3, 4.125, 6.6, 0.33, 16.5]);
    });
    it('Haiku 5.5 (both tiers), Sonnet 5.5, Opus 5.5 and Fable 5.2', () => {
      assert.deepEqual(rates(table.rateFor(q('claude-haiku-5-5', us))), [0.11, 0.1375, 0.22, 0.011, 0.55]);
      assert.deepEqual(rates(table.rateFor(q('claude-haiku-5-5', { ...us, promptTokens: 150_000 }))), [0.55, 0.6875, 1.1, 0.055, 2.75]);
      assert.deepEqual(rates(table.rateFor(q('claude-sonnet-5-5', us))), [2.2, 2.75, 4.4, 0.11, 11]);
      assert.deepEqual(rates(table.rateFor(q('claude-opus-5-5', us))), [4.4, 5.5, 8.8, 0.22, 22]);
      assert.deepEqual(rates(table.rateFor(q('claude-fable-5-2', us))), [8.8, 11, 17.6, 0.22, 44]);
    });
    it('every model from 4.6 on has it', () => {
      for (const model of [
        'claude-opus-4-6', 'claude-opus-4-7', 'claude-opus-4-8', 'claude-opus-5', 'claude-opus-5-5', 'claude-sonnet-4-6', 'claude-sonnet-5',
        'claude-sonnet-5-5', 'claude-haiku-5-5', 'claude-fable-5', 'claude-fable-5-1', 'claude-fable-5-2', 'claude-mythos-5', 'claude-mythos-5-1',
        'claude-mythos-5-2',
      ]) {
        assert.equal(table.rateFor(q(model, us))?.multiplier, 1.1, model);
      }
    });
    it('not on Haiku 4.5, Sonnet 4.5, Opus 4.5 and older (same card as global)', () => {
      for (const model of ['claude-haiku-4-5', 'claude-sonnet-4-5', 'claude-opus-4-5', 'claude-opus-4-1', 'claude-sonnet-4', 'claude-3-haiku']) {
        const card = table.rateFor(q(model, us));
        assert.equal(card, table.rateFor(q(model)), model);
        assert.equal(card?.multiplier, 1);
      }
    });
    it('fast x geo on Opus 4.6: 6.6x, $33 / $165', () => {
      const card = table.rateFor(q('claude-opus-4-6', { fast: true, geoUs: true }));
      assert.deepEqual(rates(card), [33, 41.25, 66, 3.3, 165]);
      assert.equal(card?.multiplier, 6.6);
      assert.equal(card?.key, 'claude-opus-4-6@2026-03-13|fast|us');
    });
  });

  describe('interning', () => {
    it('the same (model, period, tier, fast, geo) returns the same object', () => {
      const a = table.rateFor(q('claude-opus-4-6'));
      assert.ok(a);
      assert.equal(table.rateFor(q('claude-opus-4-6', { promptTokens: 5, timestampMs: NOW + 86_400_000 })), a);
      assert.equal(table.rateFor(q('claude-opus-4-6-20260205')), a);
      assert.equal(table.rateFor(q('us.anthropic.claude-opus-4-6-v1')), a);
      assert.equal(table.rateFor(q('claude-opus-4-6[1m]', { promptTokens: 900_000 })), a);
    });
    it('different combinations give different cards with different keys', () => {
      const combos: CallPriceQuery[] = [];
      for (const timestampMs of [Date.parse('2026-03-01T00:00:00Z'), NOW]) {
        for (const promptTokens of [1_000, 300_000]) {
          for (const fast of [false, true]) {
            for (const geoUs of [false, true]) {
              combos.push(q('claude-opus-4-6', { timestampMs, promptTokens, fast, geoUs }));
            }
          }
        }
      }
      const cards = new Set(combos.map((c) => table.rateFor(c)));
      // After 2026-03-13 the prompt size makes no difference: 8 + 4 distinct cards.
      assert.equal(cards.size, 12);
      assert.equal(new Set([...cards].map((c) => c?.key)).size, 12);
    });
    it('cards are frozen', () => {
      const card = table.rateFor(q('claude-haiku-4-5'));
      assert.ok(Object.isFrozen(card));
    });
    it('each table has its own cards', () => {
      assert.notEqual(bundledPriceTable(), table);
      assert.notEqual(bundledPriceTable().rateFor(q('claude-haiku-4-5')), table.rateFor(q('claude-haiku-4-5')));
    });
  });

  describe('costOn', () => {
    it('worked example: Sonnet 4.5 request of 210,005 prompt tokens on the long tier, with 2 web searches', () => {
      // 5 input + 60,000 1h writes + 150,000 reads = 210,005 > 200,000: every token at the premium.
      const card = table.rateFor(q('claude-sonnet-4-5-20250929', { promptTokens: 210_005 }));
      assert.ok(card);
      const cost = costOn(card, { input: 5, output: 2_000, write5m: 0, write1h: 60_000, read: 150_000, webSearches: 2 });
      // (5 x 6 + 2,000 x 22.50 + 60,000 x 12 + 150,000 x 0.60) / 1e6 + 2 x 0.01
      // = (30 + 45,000 + 720,000 + 90,000) / 1e6 + 0.02 = 0.85503 + 0.02
      near(cost, 0.87503);
    });
    it('worked example: the usage sample of docs/pricing.md §3 on Opus 4.6', () => {
      const card = table.rateFor(q('claude-opus-4-6', { promptTokens: 2 + 30_222 + 19_067 }));
      assert.ok(card);
      const cost = costOn(card, { input: 2, output: 365, write5m: 0, write1h: 30_222, read: 19_067, webSearches: 0 });
      // (2 x 5 + 365 x 25 + 30,222 x 10 + 19,067 x 0.50) / 1e6 = 320,888.5 / 1e6
      near(cost, 0.3208885);
    });
    it('worked example: Haiku 5.5 over 100K bills its output at the high tier', () => {
      const card = table.rateFor(q('claude-haiku-5-5', { promptTokens: 120_000 }));
      assert.ok(card);
      // (20,000 x 0.625 + 100,000 x 0.05 + 1,000 x 2.50) / 1e6 = (12,500 + 5,000 + 2,500) / 1e6
      near(costOn(card, { input: 0, output: 1_000, write5m: 20_000, write1h: 0, read: 100_000, webSearches: 0 }), 0.02);
    });
  });

  describe('model facts', () => {
    it('context windows follow docs/pricing.md §2.4', () => {
      const expected: Record<string, number> = {
        'claude-3-haiku': 200_000, 'claude-3-5-haiku': 200_000, 'claude-3-opus': 200_000, 'claude-3-5-sonnet': 200_000,
        'claude-3-7-sonnet': 200_000, 'claude-haiku-4-5': 200_000, 'claude-opus-4': 200_000, 'claude-opus-4-1': 200_000,
        'claude-opus-4-5': 200_000, 'claude-sonnet-4': 200_000, 'claude-sonnet-4-5': 200_000,
        'claude-opus-4-6': 1_000_000, 'claude-sonnet-4-6': 1_000_000, 'claude-opus-4-7': 1_000_000, 'claude-opus-4-8': 1_000_000,
        'claude-opus-5': 1_000_000, 'claude-opus-5-5': 1_000_000, 'claude-sonnet-5': 1_000_000, 'claude-sonnet-5-5': 1_000_000,
        'claude-fable-5': 1_000_000, 'claude-fable-5-1': 1_000_000, 'claude-fable-5-2': 1_000_000, 'claude-mythos-5': 1_000_000,
        'claude-mythos-5-1': 1_000_000, 'claude-mythos-5-2': 1_000_000, 'claude-haiku-5-5': 1_000_000,
      };
      const actual = Object.fromEntries(table.models().map((m) => [m.id, m.contextWindow]));
      assert.deepEqual(actual, expected);
      assert.equal(table.contextWindow('claude-sonnet-4-5-20250929[1m]'), 200_000);
      assert.equal(table.contextWindow('us.anthropic.claude-opus-4-6-v1'), 1_000_000);
    });
    it('families, canonical ids and release dates', () => {
      assert.equal(table.family('claude-3-5-haiku-20241022'), 'haiku');
      assert.equal(table.family('claude-mythos-5-2'), 'mythos');
      assert.equal(table.family('claude-fable-5'), 'fable');
      assert.equal(table.family('claude-3-opus-20240229'), 'opus');
      assert.equal(table.canonicalModel('claude-4-opus-20250514'), 'claude-opus-4');
      assert.equal(table.canonicalModel('claude-4-sonnet-20250514'), 'claude-sonnet-4');
      assert.equal(table.canonicalModel('anthropic/claude-4.6-opus-20260205'), 'claude-opus-4-6');
      assert.equal(table.canonicalModel('claude-opus-4-5@20251101'), 'claude-opus-4-5');
      assert.equal(table.canonicalModel('anthropic/claude-sonnet-4-5'), 'claude-sonnet-4-5');
      const fable52 = table.models().find((m) => m.id === 'claude-fable-5-2');
      assert.deepEqual(fable52, { id: 'claude-fable-5-2', family: 'fable', released: '2026-11-09', contextWindow: 1_000_000 });
    });
    it('asOf is the table date', () => {
      assert.equal(table.asOf, '2026-11-22');
    });
  });
});
