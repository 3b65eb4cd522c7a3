/**
 * Reconciliation with Claude Code's own `cost-state` lines (Claude Code >= 2.1.3xx).
 *
 * The calls `/compact` makes never appear as assistant lines; they only show
 * in the cumulative per-model usage of the next `cost-state` line
 * (docs/transcript-format.md §10). For a session with such lines, the usage it
 * reports beyond the session's de-duplicated assistant lines (main +
 * subagents; in the cost-state's own file, the calls before it) is real spending the transcript
 * does not itemise: it is priced with our table at the time of the cost-state
 * line and added to the session as "not itemised".
 */
import type { RateCard } from './pricing/rate-card';
import { addTokens, emptyTokens, type Cell, type Engine, type FileState } from './engine';
import type { CallTokens, CostState } from './transcript/transcript';

export interface Reconciliation {
  /** The latest cost-state of the session. */
  state: CostState;
  /** When it was written (see FileState.costStateAtMs); undefined when nothing tells. */
  atMs: number | undefined;
  /** Pseudo-cells of un-itemised usage (messages = 0), one per model. */
  cells: Cell[];
}

/** `reported` less `itemised`, per bucket, never below zero. */
export function clampedDifference(reported: CallTokens, itemised: CallTokens | undefined): CallTokens {
  const i = itemised ?? emptyTokens();
  return {
    input: Math.max(0, reported.input - i.input),
    output: Math.max(0, reported.output - i.output),
    write5m: Math.max(0, reported.write5m - i.write5m),
    write1h: Math.max(0, reported.write1h - i.write1h),
    read: Math.max(0, reported.read - i.read),
    webSearches: Math.max(0, reported.webSearches - i.webSearches),
  };
}

function isZero(t: CallTokens): boolean {
  return t.input + t.output + t.write5m + t.write1h + t.read + t.webSearches === 0;
}

interface Latest {
  state: CostState;
  atMs: number | undefined;
  file: FileState;
}

/** The newest cost-state among a session's main files, with its time and file, if any. */
export function latestCostState(files: readonly FileState[]): Latest | undefined {
  let latest: Latest | undefined;
  for (const f of files) {
    if (!f.costState || f.role.subagent) {
      continue;
    }
    if (!latest || (f.costStateAtMs ?? -Infinity) > (latest.atMs ?? -Infinity)) {
      latest = { state: f.costState, atMs: f.costStateAtMs, file: f };
    }
  }
  return latest;
}

/**
 * Un-itemised usage of one session: cost-state usage per model minus the
 * itemised calls of that model made up to the cost-state's time. Per bucket,
 * never negative.
 */
export function reconcileSession(engine: Engine, sessionId: string, files: readonly FileState[]): Reconciliation | undefined {
  const latest = latestCostState(files);
  if (!latest) {
    return undefined;
  }
  const { state, atMs, file } = latest;
  const prices = engine.options.prices;
  const itemised = new Map<string, CallTokens>();
  let lastEntryMs = -Infinity;
  for (const e of engine.sessionEntries(sessionId)) {
    lastEntryMs = Math.max(lastEntryMs, e.raw.timestampMs);
    // Advisor inferences are calls of their own model here, as in cost-state.
    // Calls written after the cost-state in its own file are not in it yet. Subagent
    // calls are always counted as itemised: a subagent can finish after the main
    // file's last call but before the cost-state, and must never be counted twice.
    if (e.file === file && e.offset > file.costStateOffset) {
      continue;
    }
    let sum = itemised.get(e.model);
    if (!sum) {
      sum = emptyTokens();
      itemised.set(e.model, sum);
    }
    addTokens(sum, e.raw.tokens);
  }
  // Priced at the cost-state's time; without one, at the session's latest call.
  const pricedAtMs = atMs ?? (Number.isFinite(lastEntryMs) ? lastEntryMs : undefined);
  if (pricedAtMs === undefined) {
    return { state, atMs, cells: [] };
  }
  const day = engine.days.dayOf(pricedAtMs);
  const cells: Cell[] = [];
  for (const [rawModel, usage] of Object.entries(state.models)) {
    const model = prices.canonicalModel(rawModel) ?? rawModel;
    const missing = clampedDifference(usage.tokens, itemised.get(model));
    if (isZero(missing)) {
      continue;
    }
    // Aggregated usage has no per-request prompt size or speed: standard tier, standard speed.
    const card: RateCard | null = prices.rateFor({ model: rawModel, timestampMs: pricedAtMs, promptTokens: 0, fast: false, geoUs: false });
    cells.push({ day, sessionId, model, sidechain: false, byCard: new Map([[card, missing]]), messages: 0, advisorCalls: 0 });
  }
  return { state, atMs, cells };
}
