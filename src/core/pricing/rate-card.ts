/**
 * The contract between pricing and the rest of the engine.
 *
 * A RateCard is the fully resolved price of one kind of call: one model, one
 * rate period (prices change on dates), one tier (long-context or not), fast
 * mode or not, US data residency or not. Every multiplier is already applied,
 * so the cost of a token vector on a card is a plain dot product.
 *
 * Cards are interned by the PriceTable that made them: the same combination
 * always yields the same object, so a card can key a Map of integer token sums
 * ("price per entry, sum per bucket, multiply once").
 */
import type { CallTokens } from '../transcript/transcript';

export interface RateCard {
  /** Stable, human-readable identity, e.g. "claude-opus-4-6@2026-03-13|long|fast|us". */
  readonly key: string;
  /** Canonical model id from the table, e.g. "claude-opus-4-6". */
  readonly model: string;
  /** USD per million tokens, every multiplier applied. */
  readonly input: number;
  readonly output: number;
  readonly write5m: number;
  readonly write1h: number;
  readonly read: number;
  /** USD per web search request. */
  readonly webSearch: number;
  /** True when the long-context tier was applied to this call. */
  readonly longContext: boolean;
  /** The combined fast-mode x data-residency multiplier that was applied (1 when none). */
  readonly multiplier: number;
}

/** What pricing needs to know about one API call. */
export interface CallPriceQuery {
  /** Raw model id as logged in `message.model`. */
  readonly model: string;
  /** Call time, epoch milliseconds (UTC instant). */
  readonly timestampMs: number;
  /** input + cache_creation + cache_read tokens of this request (output excluded). */
  readonly promptTokens: number;
  /** `usage.speed === "fast"`. */
  readonly fast: boolean;
  /** `usage.inference_geo === "us"`. */
  readonly geoUs: boolean;
}

/** Cost in USD of token counts on a card. Unrounded. */
export function costOn(card: RateCard, t: CallTokens): number {
  return (
    (t.input * card.input + t.output * card.output + t.write5m * card.write5m + t.write1h * card.write1h + t.read * card.read) /
      1_000_000 +
    t.webSearches * card.webSearch
  );
}
