/**
 * Forecasts for the current session: the next ten turns as the session goes
 * against the same after `/compact`, and the prompt cache's countdown. Every
 * figure here is an estimate and carries the words saying what it rests on.
 * Pure: the engine, the price table and the clock are passed in.
 */
import type { Engine, Entry } from './engine';
import { promptTokens } from './engine';
import { formatInt } from './format';
import { ONE_HOUR_MS, type TurnHabits } from './metrics';
import type { PriceTable } from './pricing/price-table';
import { costOn } from './pricing/rate-card';
import type { CallTokens } from './transcript/transcript';

/** One `/compact` seen in the user's transcripts. */
export interface CompactionSeen {
  sessionId: string;
  atMs: number;
  /** Prompt size of the first main-chain call after the boundary. */
  nextPromptTokens: number;
  /** The summary's size as Claude Code recorded it (`compactMetadata.postTokens`), when it did. */
  summaryTokens: number | undefined;
}

/** Used when no compaction of this user's is known: Claude Code's system prompt and tools plus a summary. */
export const DEFAULT_POST_COMPACT_TOKENS = 20_000;
/** Used when no compaction recorded its summary size. */
export const DEFAULT_SUMMARY_TOKENS = 3_000;
/** How many of the latest compactions the estimate rests on. */
const RECENT_COMPACTIONS = 20;

/**
 * The latest `latest` compactions in the engine whose session made a
 * main-chain call after them: what the context was right after (the next
 * call's prompt), oldest first.
 */
export function pastCompactions(engine: Engine, latest = RECENT_COMPACTIONS): CompactionSeen[] {
  // The boundaries first (cheap), newest first; a session's calls are sorted only for the ones used.
  const boundaries: Array<{ sessionId: string; atMs: number; summaryTokens: number | undefined }> = [];
  for (const [sessionId, files] of engine.sessionFiles()) {
    for (const f of files) {
      if (!f.role.subagent) {
        for (const b of f.compacts) {
          boundaries.push({ sessionId, atMs: b.timestampMs, summaryTokens: b.postTokens });
        }
      }
    }
  }
  boundaries.sort((a, b) => b.atMs - a.atMs);
  const mainOf = new Map<string, Entry[]>();
  const out: CompactionSeen[] = [];
  for (const b of boundaries) {
    if (out.length >= latest) {
      break;
    }
    let main = mainOf.get(b.sessionId);
    if (!main) {
      main = [...engine.sessionEntries(b.sessionId)].filter((e) => !e.sidechain && promptTokens(e.raw.tokens) > 0);
      main.sort((x, y) => x.raw.timestampMs - y.raw.timestampMs || x.offset - y.offset);
      mainOf.set(b.sessionId, main);
    }
    const next = main.find((e) => e.raw.timestampMs > b.atMs);
    if (next) {
      out.push({ sessionId: b.sessionId, atMs: b.atMs, nextPromptTokens: promptTokens(next.raw.tokens), summaryTokens: b.summaryTokens });
    }
  }
  return out.sort((a, b) => a.atMs - b.atMs);
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

export interface PostCompactEstimate {
  /** Context size right after /compact (tokens). */
  contextTokens: number;
  /** Output of the /compact call itself (the summary, tokens). */
  summaryTokens: number;
  /** Compactions the estimate rests on (0: the defaults). */
  observed: number;
  basis: string;
}

/** The context after /compact: the median over the user's latest compactions, else the stated default. */
export function postCompactEstimate(seen: readonly CompactionSeen[], defaultTokens = DEFAULT_POST_COMPACT_TOKENS): PostCompactEstimate {
  const recent = seen.slice(-RECENT_COMPACTIONS);
  if (recent.length === 0) {
    return {
      contextTokens: defaultTokens,
      summaryTokens: DEFAULT_SUMMARY_TOKENS,
      observed: 0,
      basis: `no /compact of yours seen yet, so a default of ${formatInt(defaultTokens)} tokens after it (system prompt, tools and summary)`,
    };
  }
  const summaries = recent.map((c) => c.summaryTokens).filter((n): n is number => n !== undefined && n > 0);
  const contextTokens = Math.round(median(recent.map((c) => c.nextPromptTokens)));
  return {
    contextTokens,
    summaryTokens: summaries.length > 0 ? Math.round(median(summaries)) : DEFAULT_SUMMARY_TOKENS,
    observed: recent.length,
    basis: `your last ${recent.length} /compact${recent.length === 1 ? '' : 's'} left a median of ${formatInt(contextTokens)} tokens of context`,
  };
}

export interface Projection {
  turns: number;
  /** The next `turns` turns if the session goes on as it has. */
  continueUSD: number;
  /** The /compact call, then the same turns from the smaller context. */
  compactUSD: number;
  /** The /compact call alone. */
  compactCallUSD: number;
  postCompact: PostCompactEstimate;
  /** Turns after which compacting has cost less in total; null when it never does within `turns`. */
  paysOffAfter: number | null;
  /** Whether the first turn re-writes the cache (the cache is cold now). */
  coldNow: boolean;
  basis: string;
}

function tokens(partial: Partial<CallTokens>): CallTokens {
  return { input: 0, output: 0, write5m: 0, write1h: 0, read: 0, webSearches: 0, ...partial };
}

/**
 * The next `n` turns at `contextTokens`, each adding the session's mean
 * growth and mean output, against `/compact` now and the same turns after
 * it. Each turn is priced at its own prompt size (so a long-context tier
 * applies where it would). Null when the model is unpriced.
 */
export function projectTurns(
  prices: PriceTable,
  model: string,
  contextTokens: number,
  habits: TurnHabits,
  ttlMs: number,
  atMs: number,
  coldNow: boolean,
  postCompact: PostCompactEstimate,
  n = 10,
): Projection | null {
  const growth = Math.round(habits.meanGrowth);
  const output = Math.round(habits.meanOutput);
  const oneHour = ttlMs >= ONE_HOUR_MS;
  const write = (w: number) => (oneHour ? { write1h: w } : { write5m: w });
  const price = (prompt: number, t: CallTokens): number | null => {
    const card = prices.rateFor({ model, timestampMs: atMs, promptTokens: prompt, fast: false, geoUs: false });
    return card ? costOn(card, t) : null;
  };
  /** Cost of turn i (0-based) from a starting context, the first one cold when `firstCold`. */
  const turn = (start: number, i: number, firstCold: boolean): number | null => {
    const before = start + i * growth;
    const cold = i === 0 && firstCold;
    return price(before + growth, tokens({ output, read: cold ? 0 : before, ...write(cold ? before + growth : growth) }));
  };
  const compactCall = price(contextTokens, tokens(coldNow ? { output: postCompact.summaryTokens, ...write(contextTokens) } : { output: postCompact.summaryTokens, read: contextTokens }));
  if (compactCall === null) {
    return null;
  }
  let goOn = 0;
  let compacted = compactCall;
  let paysOffAfter: number | null = null;
  for (let i = 0; i < n; i++) {
    const a = turn(contextTokens, i, coldNow);
    // After /compact the conversation starts again: its first turn writes the new, smaller context.
    const b = turn(postCompact.contextTokens, i, true);
    if (a === null || b === null) {
      return null;
    }
    goOn += a;
    compacted += b;
    if (paysOffAfter === null && compacted < goOn) {
      paysOffAfter = i + 1;
    }
  }
  const basis =
    `estimate: ${n} turns of ${formatInt(output)} output tokens, the context growing ${formatInt(growth)} tokens a turn ` +
    `(this session's ${habits.calls} turn${habits.calls === 1 ? '' : 's'} so far), ${coldNow ? 'starting with a cold cache' : 'warm cache'}; ` +
    `after /compact: ${postCompact.basis}, a summary of ${formatInt(postCompact.summaryTokens)} output tokens`;
  return { turns: n, continueUSD: goOn, compactUSD: compacted, compactCallUSD: compactCall, postCompact, paysOffAfter, coldNow, basis };
}

export interface CacheCountdown {
  /** When the prompt cache goes cold (last main-chain call + lifetime). */
  coldAtMs: number;
  /** Time left, never below zero. */
  remainingMs: number;
  cold: boolean;
  ttlMs: number;
  /** What the next prompt writes again once cold (context + the usual growth). */
  rewriteTokens: number;
  /** Next turn's cost once cold, and while still warm (null when unpriced). */
  coldTurnUSD: number | null;
  warmTurnUSD: number | null;
}

/** The prompt cache's countdown from the session's latest main-chain call. */
export function cacheCountdown(
  lastActivityMs: number,
  ttlMs: number,
  nowMs: number,
  contextTokens: number,
  growthTokens: number,
  nextTurn: { warmUSD: number; coldUSD: number } | null,
): CacheCountdown {
  const coldAtMs = lastActivityMs + ttlMs;
  return {
    coldAtMs,
    remainingMs: Math.max(0, coldAtMs - nowMs),
    cold: nowMs >= coldAtMs,
    ttlMs,
    rewriteTokens: contextTokens + Math.round(growthTokens),
    coldTurnUSD: nextTurn?.coldUSD ?? null,
    warmTurnUSD: nextTurn?.warmUSD ?? null,
  };
}

/** `m:ss` (or `h:mm:ss`) for a countdown. */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
