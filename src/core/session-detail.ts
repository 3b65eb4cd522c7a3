/**
 * Everything the panel, the nudges and `claude-cost session` say about one
 * session: its calls, habits, cache lifetime, next-turn cost, the 10-turn
 * projection, the cache countdown, the model what-if and the spikes. Pure:
 * the clock and the post-compact estimate are passed in.
 */
import type { Engine } from './engine';
import { cacheCountdown, projectTurns, type CacheCountdown, type PostCompactEstimate, type Projection } from './forecast';
import {
  cacheTtlMs,
  findSpikes,
  lastMainActivityMs,
  modelWhatIf,
  nextTurnCost,
  sessionTurns,
  turnHabits,
  type NextTurnCost,
  type Spike,
  type TurnHabits,
  type TurnPoint,
  type WhatIfRow,
} from './metrics';
import type { PriceTable } from './pricing/price-table';
import type { SessionReport } from './report';
import type { SessionCauses } from './causes';

/** Per-session figures behind the panel and the nudges. */
export interface SessionDetail {
  sessionId: string;
  turns: TurnPoint[];
  habits: TurnHabits;
  cacheTtlMs: number;
  lastActivityMs: number | undefined;
  nextTurn: NextTurnCost | null;
  whatIf: WhatIfRow[];
  spikes: Spike[];
  /** The next 10 turns as the session goes, against the same after /compact (estimate). */
  projection: Projection | null;
  /** The prompt cache's countdown (from the latest main-chain call). */
  countdown: CacheCountdown | null;
  /** Where the money goes (read from the session's lines on demand; absent until read). */
  causes?: SessionCauses | undefined;
}

/** The session's figures at `nowMs`; undefined when the engine has no call of it. */
export function buildSessionDetail(
  engine: Engine,
  prices: PriceTable,
  sessionId: string,
  session: SessionReport | undefined,
  nowMs: number,
  postCompact: PostCompactEstimate,
): SessionDetail | undefined {
  if (engine.sessionEntries(sessionId).size === 0) {
    return undefined;
  }
  const turns = sessionTurns(engine, sessionId);
  const habits = turnHabits(turns);
  const ttl = cacheTtlMs(engine, sessionId);
  const lastMain = [...turns].reverse().find((t) => !t.sidechain && !t.advisor && t.promptTokens > 0);
  const context = session?.contextTokens ?? lastMain?.promptTokens ?? null;
  const model = session?.currentModel ?? lastMain?.model;
  const lastActivityMs = lastMainActivityMs(engine, sessionId);
  const known = model !== undefined && model !== null && context !== null;
  const nextTurn = known ? nextTurnCost(prices, model, context, habits, ttl, nowMs) : null;
  const coldNow = lastActivityMs === undefined || nowMs - lastActivityMs >= ttl;
  return {
    sessionId,
    turns,
    habits,
    cacheTtlMs: ttl,
    lastActivityMs,
    nextTurn,
    whatIf: modelWhatIf(engine, prices, sessionId),
    spikes: findSpikes(turns),
    projection: known ? projectTurns(prices, model, context, habits, ttl, nowMs, coldNow, postCompact) : null,
    countdown: known && lastActivityMs !== undefined ? cacheCountdown(lastActivityMs, ttl, nowMs, context, habits.meanGrowth, nextTurn) : null,
  };
}
