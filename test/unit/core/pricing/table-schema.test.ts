import { strict as assert } from 'node:assert';
import bundled from '../../../../src/core/pricing/price-table.json';
import { createPriceTable } from '../../../../src/core/pricing/price-table';
import { overrideEntrySchema, priceTableSchema, type PriceTableData } from '../../../../src/core/pricing/table-schema';

/** A deep, mutable copy of the bundled JSON to break on purpose. */
function copy(): PriceTableData {
  return JSON.parse(JSON.stringify(bundled)) as PriceTableData;
}

function model(data: PriceTableData, id: string): PriceTableData['models'][number] {
  const m = data.models.find((x) => x.id === id);
  assert.ok(m, id);
  return m;
}

describe('pricing/table-schema', () => {
  it('the bundled price table validates against the strict schema', () => {
    const result = priceTableSchema.safeParse(bundled);
    assert.ok(result.success, result.success ? '' : JSON.stringify(result.error.issues, null, 2));
    assert.equal(result.data.asOf, '2026-11-22');
    assert.equal(result.data.webSearchUSD, 0.01);
    assert.ok(result.data.sources.length > 0);
    // bundledPriceTable() trusts the JSON without this check: that is safe only while the schema changes nothing in it.
    assert.deepEqual(result.data, bundled);
  });

  it('an unchanged copy validates too (the breakages below are the only difference)', () => {
    assert.ok(priceTableSchema.safeParse(copy()).success);
  });

  const breakages: [string, (d: PriceTableData) => void][] = [
    ['a negative rate', (d) => void (model(d, 'claude-opus-4-6').periods[0]!.input = -5)],
    ['a zero rate', (d) => void (model(d, 'claude-haiku-4-5').periods[0]!.read = 0)],
    ['an infinite rate', (d) => void (model(d, 'claude-haiku-4-5').periods[0]!.output = Infinity)],
    ['a rate given as a string', (d) => void ((model(d, 'claude-haiku-4-5').periods[0] as unknown as Record<string, unknown>).output = '5')],
    ['an unknown key on a model', (d) => void ((model(d, 'claude-opus-5') as unknown as Record<string, unknown>).cacheRead = 0.5)],
    ['an unknown top-level key', (d) => void ((d as unknown as Record<string, unknown>).version = 2)],
    ['a missing longContext key', (d) => void delete (model(d, 'claude-opus-5').periods[0] as Partial<Record<string, unknown>>).longContext],
    ['an unknown family', (d) => void ((model(d, 'claude-opus-5') as unknown as Record<string, unknown>).family = 'poem')],
    ['periods out of order', (d) => model(d, 'claude-sonnet-5-5').periods.reverse()],
    ['a first period with a date', (d) => void (model(d, 'claude-sonnet-5-5').periods[0]!.from = '2026-01-01')],
    ['a later period without a date', (d) => void (model(d, 'claude-sonnet-5-5').periods[1]!.from = null)],
    ['two periods on the same date', (d) => {
      const m = model(d, 'claude-sonnet-5-5');
      m.periods.push({ ...m.periods[1]!});
    }],
    ['an impossible date', (d) => void (model(d, 'claude-sonnet-5-5').periods[1]!.from = '2026-02-30')],
    ['a duplicate canonical id', (d) => void (model(d, 'claude-mythos-5').id = 'claude-fable-5')],
    ['an alias that names another model', (d) => model(d, 'claude-opus-4-5').aliases.push('claude-opus-4-1-20250805')],
    ['an alias equal to another model after normalisation', (d) => model(d, 'claude-opus-4-5').aliases.push('us.anthropic.claude-opus-4-6-v1')],
    ['a dated (not normalised) canonical id', (d) => void (model(d, 'claude-haiku-4-5').id = 'claude-haiku-4-5-20251001')],
    ['a fractional context window', (d) => void (model(d, 'claude-haiku-4-5').contextWindow = 200000.5)],
    ['a fast multiplier of 1', (d) => void (model(d, 'claude-opus-5').fast = 1)],
    ['a fractional tier threshold', (d) => void (model(d, 'claude-haiku-5-5').periods[0]!.longContext!.thresholdTokens = 1e5 + 0.5)],
    ['no models', (d) => void (d.models = [])],
  ];
  for (const [name, breakIt] of breakages) {
    it(`rejects a table with ${name}`, () => {
      const data = copy();
      breakIt(data);
      assert.equal(priceTableSchema.safeParse(data).success, false);
      assert.throws(() => createPriceTable(data), /^Error: Invalid price table: /);
    });
  }

  it('the error of createPriceTable names the bad field', () => {
    const data = copy();
    model(data, 'claude-opus-4-6').periods[0]!.input = -5;
    assert.throws(() => createPriceTable(data), (e: unknown) => e instanceof Error && /models\.\d+\.periods\.0\.input/.test(e.message));
  });

  describe('override entries', () => {
    const good = { input: 1, output: 5, write5m: 1.25, write1h: 2, read: 0.1 };
    it('accepts rates with optional model facts', () => {
      assert.ok(overrideEntrySchema.safeParse(good).success);
      assert.ok(
        overrideEntrySchema.safeParse({
          ...good,
          contextWindow: 1_000_000,
          fast: 2,
          geoUsMultiplier: 1.1,
          family: 'haiku',
          longContext: { thresholdTokens: 200_000, input: 2, output: 10, write5m: 2.5, write1h: 4, read: 0.2 },
        }).success,
      );
    });
    it('rejects missing rates, unknown keys and a `from` date', () => {
      assert.equal(overrideEntrySchema.safeParse({ ...good, read: undefined }).success, false);
      assert.equal(overrideEntrySchema.safeParse({ ...good, cacheRead: 0.1 }).success, false);
      assert.equal(overrideEntrySchema.safeParse({ ...good, from: '2026-01-01' }).success, false);
      assert.equal(overrideEntrySchema.safeParse({ ...good, input: Number.NaN }).success, false);
    });
  });
});
