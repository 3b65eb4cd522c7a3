/**
 * The report's sums (report.ts): integer tokens per rate card and the dollars
 * made from them once, for one group of cells.
 */
import { costOn, type RateCard } from './pricing/rate-card';
import { addTokens, emptyTokens, type Cell } from './engine';
import type { CallTokens } from './transcript/transcript';
import type { BucketCosts, TokenFields } from './report';

function emptyBuckets(): BucketCosts {
  return { input: 0, output: 0, write5m: 0, write1h: 0, read: 0, webSearch: 0 };
}

/**
 * Integer sums plus their cost, for one group of cells. The tokens are kept
 * per rate card as integers, and the dollars computed from them once, card by
 * card in the order of their keys: the same cells give the same dollars to
 * the last bit, in whatever order the scan merged them, and each (bucket,
 * card) is one multiplication, not a sum of many rounded ones.
 */
export class Sum {
  readonly tokens: CallTokens = emptyTokens();
  /** Priced tokens per rate card, by the card's key. */
  private readonly byCard = new Map<string, { card: RateCard; tokens: CallTokens }>();
  messages = 0;
  unpricedMessages = 0;
  advisorCalls = 0;
  private priced: { cost: number; buckets: BucketCosts; cacheSavings: number } | undefined;

  addCell(cell: Cell): void {
    for (const [card, t] of cell.byCard) {
      addTokens(this.tokens, t);
      if (card) {
        this.addCard(card, t);
      }
    }
    if (cell.byCard.has(null)) {
      this.unpricedMessages += cell.messages;
    } else {
      this.messages += cell.messages;
    }
    this.advisorCalls += cell.advisorCalls;
  }

  /** Adds another sum (tokens, per card too, and messages). */
  add(other: Sum): void {
    addTokens(this.tokens, other.tokens);
    for (const { card, tokens } of other.byCard.values()) {
      this.addCard(card, tokens);
    }
    this.messages += other.messages;
    this.unpricedMessages += other.unpricedMessages;
    this.advisorCalls += other.advisorCalls;
  }

  private addCard(card: RateCard, t: CallTokens): void {
    let entry = this.byCard.get(card.key);
    if (!entry) {
      entry = { card, tokens: emptyTokens() };
      this.byCard.set(card.key, entry);
    }
    addTokens(entry.tokens, t);
    this.priced = undefined;
  }

  /** Dollars of the priced tokens (unpriced ones count nothing). */
  get cost(): number {
    return this.dollars().cost;
  }

  /** The same dollars, per bucket. */
  get buckets(): BucketCosts {
    return this.dollars().buckets;
  }

  /** Dollars saved by caching compared with sending every prompt token as plain input. */
  get cacheSavings(): number {
    return this.dollars().cacheSavings;
  }

  private dollars(): { cost: number; buckets: BucketCosts; cacheSavings: number } {
    if (this.priced) {
      return this.priced;
    }
    const buckets = emptyBuckets();
    let cost = 0;
    let cacheSavings = 0;
    const keys = [...this.byCard.keys()].sort();
    for (const key of keys) {
      const { card, tokens: t } = this.byCard.get(key) as { card: RateCard; tokens: CallTokens };
      cost += costOn(card, t);
      buckets.input += (t.input * card.input) / 1e6;
      buckets.output += (t.output * card.output) / 1e6;
      buckets.write5m += (t.write5m * card.write5m) / 1e6;
      buckets.write1h += (t.write1h * card.write1h) / 1e6;
      buckets.read += (t.read * card.read) / 1e6;
      buckets.webSearch += t.webSearches * card.webSearch;
      cacheSavings += (t.read * (card.input - card.read) - t.write5m * (card.write5m - card.input) - t.write1h * (card.write1h - card.input)) / 1e6;
    }
    this.priced = { cost, buckets, cacheSavings };
    return this.priced;
  }

  fields(): TokenFields {
    return tokenFields(this.tokens);
  }
}

export function tokenFields(t: CallTokens): TokenFields {
  return {
    inputTokens: t.input,
    outputTokens: t.output,
    cacheWrite5mTokens: t.write5m,
    cacheWrite1hTokens: t.write1h,
    cacheReadTokens: t.read,
    webSearchRequests: t.webSearches,
  };
}

