/**
 * Figures derived from one session's calls: the per-turn series, the prompt
 * cache's time to live, and what the next turn will cost. Pure.
 */
import type { Engine, Entry } from './engine';
import { contextTokensOf, pricedPartsOf, promptTokens } from './engine';
import type { PriceTable } from './pricing/price-table';
import { costOn } from './pricing/rate-card';

export const FIVE_MINUTES_MS = 5 * 60 * 1000;
export const ONE_HOUR_MS = 60 * 60 * 1000;

export interface TurnPoint {
  timestampMs: number;
  /** Null for an unpriced model. */
  costUSD: number | null;
  /**
   * Context the call leaves (input + cache read + cache write of its last
   * request: `contextTokensOf`); 0 for an advisor inference.
   */
  promptTokens: number;
  /** An advisor inference (`advisor_message`), not a main-model call: it never sets the context. */
  advisor: boolean;
  outputTokens: number;
  sidechain: boolean;
  model: string;
  /** Cache-write tokens of the call (5m + 1h). */
  writeTokens: number;
  readTokens: number;
  fast: boolean;
  longContext: boolean;
  /** `message.id` of the call and the file it was read from (to look up its tool calls on demand). */
  messageId: string | undefined;
  filePath: string;
}

/** Dollars of one kept call (all its parts), or null when its model is unpriced. */
export function costOfEntry(e: Entry): number | null {
  let cost = 0;
  for (const part of pricedPartsOf(e)) {
    if (part.card === null) {
      return null;
    }
    cost += costOn(part.card, part.tokens);
  }
  return cost;
}

/** The session's kept calls in time order (main chain, advisor inferences and subagents). */
export function sessionTurns(engine: Engine, sessionId: string): TurnPoint[] {
  const entries: Entry[] = [...engine.sessionEntries(sessionId)];
  entries.sort((a, b) => a.raw.timestampMs - b.raw.timestampMs || (a.file.path < b.file.path ? -1 : a.file.path > b.file.path ? 1 : a.offset - b.offset));
  return entries.map((e) => ({
    timestampMs: e.raw.timestampMs,
    costUSD: costOfEntry(e),
    promptTokens: contextTokensOf(e),
    advisor: e.advisor,
    outputTokens: e.raw.tokens.output,
    sidechain: e.sidechain,
    model: e.model,
    writeTokens: e.raw.tokens.write5m + e.raw.tokens.write1h,
    readTokens: e.raw.tokens.read,
    fast: e.raw.fast,
    longContext: pricedPartsOf(e).some((p) => p.card?.longContext === true),
    messageId: e.raw.messageId,
    filePath: e.file.path,
  }));
}

/**
 * The prompt cache's time to live for the session: 1 hour when its latest
 * main-chain cache write used the 1-hour cache, else 5 minutes.
 */
export function cacheTtlMs(engine: Engine, sessionId: string): number {
  let latest: Entry | undefined;
  for (const e of engine.sessionEntries(sessionId)) {
    const t = e.raw.tokens;
    if (!e.sidechain && !e.advisor && t.write5m + t.write1h > 0 && (!latest || e.raw.timestampMs > latest.raw.timestampMs)) {
      latest = e;
    }
  }
  return latest && latest.raw.tokens.write1h > 0 ? ONE_HOUR_MS : FIVE_MINUTES_MS;
}

/** Time of the session's latest main-chain call (what keeps the cache warm), or undefined. */
export function lastMainActivityMs(engine: Engine, sessionId: string): number | undefined {
  let last: number | undefined;
  for (const e of engine.sessionEntries(sessionId)) {
    if (!e.sidechain && !e.advisor && (last === undefined || e.raw.timestampMs > last)) {
      last = e.raw.timestampMs;
    }
  }
  return last;
}

export interface TurnHabits {
  /** Mean output tokens of the session's main-chain calls. */
  meanOutput: number;
  /** Mean growth of the prompt from one main-chain call to the next (never negative). */
  meanGrowth: number;
  /** Main-chain calls the means rest on. */
  calls: number;
}

/** How the session's turns have behaved so far (main chain only). */
export function turnHabits(turns: readonly TurnPoint[]): TurnHabits {
  const main = turns.filter((t) => !t.sidechain && !t.advisor && t.promptTokens > 0);
  if (main.length === 0) {
    return { meanOutput: 0, meanGrowth: 0, calls: 0 };
  }
  const meanOutput = main.reduce((s, t) => s + t.outputTokens, 0) / main.length;
  let growth = 0;
  let steps = 0;
  for (let i = 1; i < main.length; i++) {
    const d = (main[i]?.promptTokens ?? 0) - (main[i - 1]?.promptTokens ?? 0);
    if (d > 0) {
      growth += d;
    }
    steps++;
  }
  return { meanOutput, meanGrowth: steps > 0 ? growth / steps : 0, calls: main.length };
}

export interface NextTurnCost {
  /** Cache still warm: the context is read from the cache, the new part written. */
  warmUSD: number;
  /** Cache cold: the whole context is written again. */
  coldUSD: number;
  /** What the estimate rests on, in words. */
  basis: string;
}

/**
 * What one more turn costs at `contextTokens`, with a warm and with a cold
 * cache, assuming the session's own mean output and growth per turn.
 * Null when the model is unpriced.
 */
export function nextTurnCost(
  prices: PriceTable,
  model: string,
  contextTokens: number,
  habits: TurnHabits,
  ttlMs: number,
  atMs: number,
): NextTurnCost | null {
  const growth = Math.round(habits.meanGrowth);
  const output = Math.round(habits.meanOutput);
  const card = prices.rateFor({ model, timestampMs: atMs, promptTokens: contextTokens + growth, fast: false, geoUs: false });
  if (!card) {
    return null;
  }
  const oneHour = ttlMs >= ONE_HOUR_MS;
  const write = (n: number) => ({ write5m: oneHour ? 0 : n, write1h: oneHour ? n : 0 });
  const warmUSD = costOn(card, { input: 0, output, read: contextTokens, ...write(growth), webSearches: 0 });
  const coldUSD = costOn(card, { input: 0, output, read: 0, ...write(contextTokens + growth), webSearches: 0 });
  const basis =
    habits.calls > 0
      ? `estimate: ${habits.calls} earlier turn(s) of this session averaged ${output} output tokens and ${growth} new context tokens; ${oneHour ? '1-hour' : '5-minute'} cache`
      : `estimate: no earlier turn to learn from; ${oneHour ? '1-hour' : '5-minute'} cache`;
  return { warmUSD, coldUSD, basis };
}

export interface WhatIfRow {
  model: string;
  family: string;
  /** This session's real calls repriced on `model` (standard speed, same residency). */
  costUSD: number;
}

/**
 * The session's real token vectors repriced on the latest model of each
 * family in the table. An estimate: another model would not have produced
 * the same tokens, and switching mid-session loses the prompt cache.
 */
export function modelWhatIf(engine: Engine, prices: PriceTable, sessionId: string): WhatIfRow[] {
  const latest = new Map<string, { id: string; released: string }>();
  for (const m of prices.models()) {
    if (m.released === null || !['haiku', 'sonnet', 'opus', 'fable'].includes(m.family)) {
      continue;
    }
    const cur = latest.get(m.family);
    if (!cur || m.released > cur.released) {
      latest.set(m.family, { id: m.id, released: m.released });
    }
  }
  const entries = [...engine.sessionEntries(sessionId)];
  const rows: WhatIfRow[] = [];
  for (const [family, { id }] of latest) {
    let cost = 0;
    for (const e of entries) {
      for (const { tokens } of pricedPartsOf(e)) {
        const card = prices.rateFor({ model: id, timestampMs: e.raw.timestampMs, promptTokens: promptTokens(tokens), fast: false, geoUs: e.raw.geoUs });
        if (card) {
          cost += costOn(card, tokens);
        }
      }
    }
    rows.push({ model: id, family, costUSD: cost });
  }
  return rows.sort((a, b) => a.costUSD - b.costUSD);
}

export interface Spike {
  timestampMs: number;
  costUSD: number;
  /** How many times the session's median call cost. */
  times: number;
  cause: string;
  model: string;
  sidechain: boolean;
  /** Index of the call in the session's turns. */
  turnIndex: number;
  /** The call just before it on the same chain (whose tool results this call read), if any. */
  previousIndex: number | undefined;
  /** The tools that previous call ran, once looked up (src/node/live/tool-names.ts); undefined until then. */
  tools?: string[];
}

/** Calls costing more than `factor` x the session's median call, each with its likely cause. */
export function findSpikes(turns: readonly TurnPoint[], factor = 5): Spike[] {
  const costs = turns.map((t) => t.costUSD).filter((c): c is number => c !== null && c > 0).sort((a, b) => a - b);
  if (costs.length < 3) {
    return [];
  }
  const mid = Math.floor(costs.length / 2);
  const median = costs.length % 2 === 1 ? (costs[mid] ?? 0) : ((costs[mid - 1] ?? 0) + (costs[mid] ?? 0)) / 2;
  const out: Spike[] = [];
  const lastOnChain = new Map<string, number>();
  turns.forEach((t, index) => {
    const chain = t.sidechain ? t.filePath : '';
    const previousIndex = lastOnChain.get(chain);
    lastOnChain.set(chain, index);
    if (t.costUSD === null || median <= 0 || t.costUSD <= factor * median) {
      return;
    }
    const cause = t.longContext
      ? 'long-context tier (the whole request at the higher rate)'
      : t.fast
        ? 'fast mode'
        : t.writeTokens > 0.5 * t.promptTokens
          ? `cold cache: ${t.writeTokens.toLocaleString('en-US')} tokens written again`
          : t.outputTokens > 4 * (t.promptTokens > 0 ? t.promptTokens / 10 : 1)
            ? 'long output'
            : 'large new input (e.g. a big tool result)';
    out.push({ timestampMs: t.timestampMs, costUSD: t.costUSD, times: t.costUSD / median, cause, model: t.model, sidechain: t.sidechain, turnIndex: index, previousIndex });
  });
  return out;
}
