/**
 * Strict schemas for the bundled price table (`price-table.json`) and for a
 * user's price overrides. They are the source of truth for the types.
 *
 * Rates are USD per million tokens. A model's prices change on dates, so each
 * model carries an ordered list of rate periods: the first starts at the
 * beginning of time (`from: null`), each later one on a UTC date, and a call
 * is priced by the last period whose `from` is at or before its timestamp.
 */
import { z } from 'zod';
import { normalizeModelId, SYNTHETIC_MODEL_ID } from './normalize-model';

/** A price in USD (per MTok, or per request for web search): positive and finite. */
const price = z.number().positive();
/** A calendar date `YYYY-MM-DD` (validated as a real date). */
const isoDate = z.iso.date();

/** Model families the UI groups by. */
export const familySchema = z.enum(['haiku', 'sonnet', 'opus', 'fable', 'mythos']);
export type ModelFamily = z.infer<typeof familySchema>;

/** The five token prices of one tier, USD per MTok. */
const tokenRates = {
  input: price,
  output: price,
  /** 5-minute cache write. */
  write5m: price,
  /** 1-hour cache write. */
  write1h: price,
  /** Cache read (hits and refreshes). */
  read: price,
};

/**
 * The long-context (premium) tier: when a request's prompt
 * (input + cache writes + cache reads) is strictly over `thresholdTokens`,
 * every token of that request, output included, is billed at these rates.
 */
export const longContextSchema = z.strictObject({
  thresholdTokens: z.number().int().positive(),
  ...tokenRates,
});
export type LongContextRates = z.infer<typeof longContextSchema>;

/** The rates of one model during one period. */
export const ratePeriodSchema = z.strictObject({
  /** First day (UTC) the rates apply; null for the first period of a model. */
  from: isoDate.nullable(),
  ...tokenRates,
  /** The long-context tier during this period, or null when there is none. */
  longContext: longContextSchema.nullable(),
});
export type RatePeriod = z.infer<typeof ratePeriodSchema>;

/** A model id as stored in the table: non-empty and already normalised. */
const storedModelId = z
  .string()
  .min(1)
  .refine((id) => normalizeModelId(id) === id, { message: 'must be a normalised model id (see normalizeModelId)' })
  .refine((id) => id !== SYNTHETIC_MODEL_ID, { message: '<synthetic> is not a model' });

/** A context window in tokens. */
const contextWindow = z.number().int().positive();
/** A price multiplier (fast mode, data residency): finite and over 1. */
const multiplier = z.number().gt(1);

/** One model of the bundled table. */
export const modelEntrySchema = z
  .strictObject({
    /** Canonical id, e.g. "claude-opus-4-6"; normalised (undated, lower-case). */
    id: storedModelId,
    /**
     * Other ids that mean this model (dated snapshots, LiteLLM-style names).
     * Each is looked up by its normalised form, which must be unique in the table.
     */
    aliases: z.array(z.string().min(1)),
    family: familySchema,
    /** Release date from docs/pricing.md where stated, else the snapshot date of the dated id; null when unknown. */
    released: isoDate.nullable(),
    /** Standard context window in tokens (200K or 1M). */
    contextWindow,
    /** Fast-mode multiplier on every token category; absent when the model has no fast mode. */
    fast: multiplier.optional(),
    /** Multiplier for `inference_geo: "us"`; absent when US residency costs nothing extra. */
    geoUsMultiplier: multiplier.optional(),
    /** Short human note (where a price comes from, caveats). */
    note: z.string().optional(),
    /** Rate periods, oldest first; the first has `from: null`, the rest strictly increasing dates. */
    periods: z.array(ratePeriodSchema).min(1),
  })
  .superRefine((m, ctx) => {
    m.periods.forEach((p, i) => {
      if (i === 0 && p.from !== null) {
        ctx.addIssue({ code: 'custom', path: ['periods', 0, 'from'], message: 'the first period must have from: null' });
      }
      if (i > 0) {
        const prev = m.periods[i - 1]?.from ?? null;
        if (p.from === null) {
          ctx.addIssue({ code: 'custom', path: ['periods', i, 'from'], message: 'only the first period may have from: null' });
        } else if (prev !== null && p.from <= prev) {
          ctx.addIssue({ code: 'custom', path: ['periods', i, 'from'], message: `periods must be in strictly increasing date order (${p.from} after ${prev})` });
        }
      }
    });
  });
export type ModelEntry = z.infer<typeof modelEntrySchema>;

/** The whole bundled price table. */
export const priceTableSchema = z
  .strictObject({
    /** Date the prices were last checked. */
    asOf: isoDate,
    /** Where the prices come from, short strings. */
    sources: z.array(z.string().min(1)).min(1),
    /** USD per web search request (`server_tool_use.web_search_requests`); not multiplied. */
    webSearchUSD: price,
    models: z.array(modelEntrySchema).min(1),
  })
  .superRefine((t, ctx) => {
    // Every lookup key (canonical id or normalised alias) names exactly one model.
    const owner = new Map<string, string>();
    t.models.forEach((m, i) => {
      const keys: [string, (string | number)[]][] = [[m.id, ['models', i, 'id']]];
      m.aliases.forEach((a, j) => keys.push([normalizeModelId(a), ['models', i, 'aliases', j]]));
      for (const [key, path] of keys) {
        const prev = owner.get(key);
        if (prev === undefined) {
          owner.set(key, m.id);
        } else if (prev !== m.id || path.length === 3) {
          ctx.addIssue({ code: 'custom', path, message: `model id "${key}" is already used by ${prev}` });
        }
      }
    });
  });
export type PriceTableData = z.infer<typeof priceTableSchema>;

/**
 * One entry of a user override table: the rates of one model for all dates,
 * plus optional model facts. For a model not in the bundled table, `family`
 * may be given (otherwise it is read from the id) and the context window
 * defaults to 200K.
 */
export const overrideEntrySchema = z.strictObject({
  ...tokenRates,
  longContext: longContextSchema.nullable().optional(),
  contextWindow: contextWindow.optional(),
  fast: multiplier.optional(),
  geoUsMultiplier: multiplier.optional(),
  family: familySchema.optional(),
});
export type OverrideEntry = z.infer<typeof overrideEntrySchema>;

/**
 * A user override table: model id -> rates. Only the outer shape is checked
 * here; each entry is validated on its own with `overrideEntrySchema`, so one
 * bad entry is reported and ignored while the good ones apply.
 */
export const overrideTableSchema = z.record(z.string(), z.unknown());
