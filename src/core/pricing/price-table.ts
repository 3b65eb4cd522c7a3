/**
 * The price table: resolves one API call to an interned RateCard.
 *
 * Pure: no fs, no vscode, no timers, no module-level mutable state. The bundled
 * table is a dated JSON file validated by the strict schema; a user override
 * table can be merged over it.
 */
import bundledData from './price-table.json';
import type { CallPriceQuery, RateCard } from './rate-card';
import { normalizeModelId, SYNTHETIC_MODEL_ID } from './normalize-model';
import type * as TableSchema from './table-schema';
import type { LongContextRates, ModelEntry, ModelFamily, OverrideEntry, PriceTableData, RatePeriod } from './table-schema';

/** The zod schemas, loaded when a table is first validated (a warm start that reuses its report builds none). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tableSchemas = (): typeof TableSchema => require('./table-schema') as typeof TableSchema;

export { isSyntheticModel, normalizeModelId } from './normalize-model';

/** What the model what-if feature needs to know about one model. */
export interface ModelSummary {
  readonly id: string;
  readonly family: ModelFamily;
  /** `YYYY-MM-DD`, or null when unknown. */
  readonly released: string | null;
  readonly contextWindow: number;
}

/** One rate period with its start as epoch milliseconds (UTC midnight; -Infinity for the first). */
interface ResolvedPeriod {
  readonly fromMs: number;
  readonly rates: RatePeriod;
}

/** A model ready for pricing, with its interned cards (indexed by period, tier, fast, geo). */
interface ResolvedModel {
  readonly entry: ModelEntry;
  readonly periods: readonly ResolvedPeriod[];
  readonly fast: number;
  readonly geoUs: number;
  readonly cards: (RateCard | undefined)[];
}

/** Most distinct raw model strings remembered by one table (a guard against unbounded growth). */
const MAX_CACHED_RAW_IDS = 4096;

/** Drop binary floating-point noise from a product of decimal prices (5 x 6 x 1.1 = 33, not 33.000000000000004). */
function roundPrice(x: number): number {
  return Number(x.toPrecision(12));
}

function utcMidnightMs(isoDate: string): number {
  return Date.parse(`${isoDate}T00:00:00Z`);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) {
      deepFreeze(child);
    }
  }
  return value;
}

function describeIssues(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  return error.issues
    .map((i) => (i.path.length > 0 ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
}

/**
 * A validated, immutable price table. Build it with `createPriceTable` or
 * `bundledPriceTable`. Lookups are cached per instance and cards interned:
 * the same (model, period, tier, fast, geo) always returns the same object.
 */
export class PriceTable {
  /** The validated table (deep-frozen). */
  readonly data: PriceTableData;
  /** Date the prices were last checked, `YYYY-MM-DD`. */
  readonly asOf: string;
  /** USD per web search request. */
  readonly webSearchUSD: number;
  /** Normalised id or alias -> model. */
  private readonly byKey = new Map<string, ResolvedModel>();
  /** Raw id as logged -> model (null: unpriced). */
  private readonly byRaw = new Map<string, ResolvedModel | null>();

  /**
   * Validates `data` with the strict schema; throws an Error listing the
   * problems when it is invalid. The bundled JSON itself (that very object)
   * skips this: it ships with the code and a unit test proves it valid and unchanged
   * by the schema, and skipping it spares a cold CLI run loading zod.
   */
  constructor(data: unknown) {
    let valid: PriceTableData;
    if (data === bundledData) {
      valid = bundledData as PriceTableData;
    } else {
      const parsed = tableSchemas().priceTableSchema.safeParse(data);
      if (!parsed.success) {
        throw new Error(`Invalid price table: ${describeIssues(parsed.error)}`);
      }
      valid = parsed.data;
    }
    this.data = deepFreeze(valid);
    this.asOf = this.data.asOf;
    this.webSearchUSD = this.data.webSearchUSD;
    for (const entry of this.data.models) {
      const model: ResolvedModel = {
        entry,
        periods: entry.periods.map((rates) => ({ fromMs: rates.from === null ? -Infinity : utcMidnightMs(rates.from), rates })),
        fast: entry.fast ?? 1,
        geoUs: entry.geoUsMultiplier ?? 1,
        cards: [],
      };
      this.byKey.set(entry.id, model);
      for (const alias of entry.aliases) {
        this.byKey.set(normalizeModelId(alias), model);
      }
    }
  }

  /**
   * The fully resolved rates of one call, or null when the model is unpriced
   * (unknown, or `<synthetic>`: callers skip synthetic lines first).
   *
   * Picks the rate period by timestamp (a non-finite timestamp takes the
   * latest period); the long-context tier when `promptTokens` is strictly over
   * the period's threshold (for the whole request, output included); then
   * multiplies by the fast-mode multiplier (when `q.fast` and the model has
   * fast mode) and the US residency multiplier (when `q.geoUs` and the model
   * has one). Fast on a model without fast mode is priced at standard rates.
   */
  rateFor(q: CallPriceQuery): RateCard | null {
    const model = this.resolve(q.model);
    if (model === null) {
      return null;
    }
    const periods = model.periods;
    let pi = periods.length - 1;
    if (Number.isFinite(q.timestampMs)) {
      while (pi > 0 && periods[pi]!.fromMs > q.timestampMs) {
        pi--;
      }
    }
    const rates = periods[pi]!.rates;
    const long = rates.longContext !== null && q.promptTokens > rates.longContext.thresholdTokens;
    const fast = q.fast && model.fast !== 1;
    const geoUs = q.geoUs && model.geoUs !== 1;
    const index = pi * 8 + (long ? 4 : 0) + (fast ? 2 : 0) + (geoUs ? 1 : 0);
    return model.cards[index] ?? (model.cards[index] = this.makeCard(model, rates, long, fast, geoUs));
  }

  /** The canonical id of a raw model id, or null when unpriced. */
  canonicalModel(raw: string): string | null {
    return this.resolve(raw)?.entry.id ?? null;
  }

  /** The standard context window of a model in tokens, or null when unpriced. */
  contextWindow(raw: string): number | null {
    return this.resolve(raw)?.entry.contextWindow ?? null;
  }

  /** The family of a model, or null when unpriced. */
  family(raw: string): ModelFamily | null {
    return this.resolve(raw)?.entry.family ?? null;
  }

  /** Every model of the table, in table order (newest first within a family). */
  models(): ModelSummary[] {
    return this.data.models.map((m) => ({ id: m.id, family: m.family, released: m.released, contextWindow: m.contextWindow }));
  }

  private resolve(raw: string): ResolvedModel | null {
    const cached = this.byRaw.get(raw);
    if (cached !== undefined) {
      return cached;
    }
    const model = this.byKey.get(normalizeModelId(raw)) ?? null;
    if (this.byRaw.size < MAX_CACHED_RAW_IDS) {
      this.byRaw.set(raw, model);
    }
    return model;
  }

  private makeCard(model: ResolvedModel, period: RatePeriod, long: boolean, fast: boolean, geoUs: boolean): RateCard {
    const tier: RatePeriod | LongContextRates = long && period.longContext !== null ? period.longContext : period;
    const fastMul = fast ? model.fast : 1;
    const geoMul = geoUs ? model.geoUs : 1;
    const price = (rate: number): number => roundPrice(rate * fastMul * geoMul);
    const id = model.entry.id;
    const key = `${id}${period.from === null ? '' : `@${period.from}`}${long ? '|long' : ''}${fast ? '|fast' : ''}${geoUs ? '|us' : ''}`;
    return Object.freeze({
      key,
      model: id,
      input: price(tier.input),
      output: price(tier.output),
      write5m: price(tier.write5m),
      write1h: price(tier.write1h),
      read: price(tier.read),
      webSearch: this.webSearchUSD,
      longContext: long,
      multiplier: roundPrice(fastMul * geoMul),
    });
  }
}

/** Validate `data` with the strict schema and build a table; throws an Error naming the problems when invalid. */
export function createPriceTable(data: unknown): PriceTable {
  return new PriceTable(data);
}

/** A new table from the bundled, dated `price-table.json` (a new instance each call: callers cache it). */
/** The bundled table as shipped, not yet validated (what identifies it, e.g. in a cache key). */
export function bundledPriceTableData(): unknown {
  return bundledData;
}

export function bundledPriceTable(): PriceTable {
  return new PriceTable(bundledData);
}

/** The family named by a word of a model id (`my-opus-proxy` -> opus), for new models in an override table. */
function familyFromId(id: string): ModelFamily | null {
  for (const word of id.split(/[^a-z0-9]+/)) {
    const family = tableSchemas().familySchema.safeParse(word);
    if (family.success) {
      return family.data;
    }
  }
  return null;
}

/** The model entry an override produces: one period for all dates. */
function overriddenEntry(id: string, base: ModelEntry | undefined, o: OverrideEntry, family: ModelFamily): ModelEntry {
  const entry: ModelEntry = {
    id,
    aliases: base?.aliases ?? [],
    family,
    released: base?.released ?? null,
    contextWindow: o.contextWindow ?? base?.contextWindow ?? 200_000,
    note: 'User price override.',
    periods: [
      { from: null, input: o.input, output: o.output, write5m: o.write5m, write1h: o.write1h, read: o.read, longContext: o.longContext ?? null },
    ],
  };
  const fast = o.fast ?? base?.fast;
  if (fast !== undefined) {
    entry.fast = fast;
  }
  const geoUs = o.geoUsMultiplier ?? base?.geoUsMultiplier;
  if (geoUs !== undefined) {
    entry.geoUsMultiplier = geoUs;
  }
  return entry;
}

/**
 * Merge a user override table (model id -> rates) over `base`.
 *
 * An override for a known id or alias replaces that model's rates for all
 * dates (its long-context tier too: none unless the override gives one) and
 * may change its context window, fast and US multipliers. A new id adds a
 * model (family from the entry or a word of the id; context window 200K by
 * default). Each bad entry yields one error string naming it and is ignored;
 * the good entries still apply. `undefined`/`null` means no overrides.
 */
export function withOverrides(base: PriceTable, raw: unknown): { table: PriceTable; errors: string[] } {
  if (raw === undefined || raw === null || (typeof raw === 'object' && !Array.isArray(raw) && Object.keys(raw).length === 0)) {
    // No override (the setting's default is `{}`): the table as it is, with no new table to validate.
    return { table: base, errors: [] };
  }
  const outer = tableSchemas().overrideTableSchema.safeParse(raw);
  if (!outer.success || Array.isArray(raw)) {
    return { table: base, errors: ['Price overrides: expected an object mapping model ids to rates; all overrides ignored.'] };
  }
  const errors: string[] = [];
  const models = [...base.data.models];
  const seen = new Map<string, string>();
  for (const [key, value] of Object.entries(outer.data)) {
    const label = `Price override "${key}"`;
    const id = normalizeModelId(key);
    if (id === '' || id === SYNTHETIC_MODEL_ID) {
      errors.push(`${label}: not a model id; ignored.`);
      continue;
    }
    const parsed = tableSchemas().overrideEntrySchema.safeParse(value);
    if (!parsed.success) {
      errors.push(`${label}: ${describeIssues(parsed.error)}; ignored.`);
      continue;
    }
    const canonical = base.canonicalModel(id) ?? id;
    const earlier = seen.get(canonical);
    if (earlier !== undefined) {
      errors.push(`${label}: the same model (${canonical}) as the override "${earlier}"; ignored.`);
      continue;
    }
    const index = models.findIndex((m) => m.id === canonical);
    const existing = index >= 0 ? models[index] : undefined;
    const family = parsed.data.family ?? existing?.family ?? familyFromId(id);
    if (family === null) {
      errors.push(`${label}: a new model needs "family" (one of ${tableSchemas().familySchema.options.join(', ')}); ignored.`);
      continue;
    }
    seen.set(canonical, key);
    const entry = overriddenEntry(canonical, existing, parsed.data, family);
    if (index >= 0) {
      models[index] = entry;
    } else {
      models.push(entry);
    }
  }
  if (seen.size === 0) {
    return { table: base, errors };
  }
  try {
    return { table: new PriceTable({ ...base.data, models }), errors };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { table: base, errors: [...errors, `Price overrides: ${message}; all overrides ignored.`] };
  }
}
