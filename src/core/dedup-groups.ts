/**
 * The engine's de-dup groups: which rows of one message id count
 * (docs/transcript-format.md §8 rule 5), and where a file keeps its best row
 * of one call. Pure, like the engine it serves.
 */
import type { Entry, FileState } from './engine';
import { compareRows } from './call-order';

/**
 * True when `a` should be kept over `b` for the same call (`compareRows`): the main-chain row,
 * then the larger token total (never an early streaming snapshot), then the
 * earlier timestamp (a copy in a forked session loses to its original), then a
 * stable order of path and offset so the outcome never depends on read order.
 */
export function isBetter(a: Entry, b: Entry): boolean {
  const order = compareRows(a.sidechain, a.total, a.raw.timestampMs, b.sidechain, b.total, b.raw.timestampMs);
  if (order !== 0) {
    return order > 0;
  }
  if (a.file.path !== b.file.path) {
    return a.file.path < b.file.path;
  }
  return a.offset < b.offset;
}

/** Picks the winners of one message-id group (see docs/transcript-format.md §8 rule 5). */
export function winnersOf(candidates: readonly Entry[]): Entry[] {
  const best = new Map<string, Entry>();
  for (const c of candidates) {
    const call = c.raw.requestId ?? '';
    const cur = best.get(call);
    if (!cur || isBetter(c, cur)) {
      best.set(call, c);
    }
  }
  const winners = [...best.values()];
  if (winners.length > 1 && winners.some((w) => !w.sidechain)) {
    // Same message id under another request id on a side chain: a /btw replay.
    return winners.filter((w) => !w.sidechain);
  }
  return winners;
}

/**
 * The rows of one message-id group, and which of them count (`winnersOf`).
 * `winners` is replaced, never changed in place; while it is the group's one
 * candidate (almost every group) it is the candidates array itself, so a
 * group costs one array, not two (`changeCandidates` separates them first).
 */
export interface Group {
  candidates: Entry[];
  winners: readonly Entry[];
}

export const NO_WINNERS: readonly Entry[] = Object.freeze([]);

/** The candidates of a group, ready to be changed: no longer shared with its winners. */
export function changeCandidates(group: Group): Entry[] {
  if (group.winners === group.candidates) {
    group.winners = group.candidates.slice();
  }
  return group.candidates;
}

/**
 * Where a file keeps its best row of one call, and that row if any. Under
 * the group alone (no key string made per call) unless the group's slot
 * holds another request id; then under the group and the request id.
 */
export function slotOf(file: FileState, group: string, requestId: string | undefined): [string, Entry | undefined] {
  const first = file.candidates.get(group);
  if (first === undefined || (first.raw.requestId ?? '') === (requestId ?? '')) {
    return [group, first];
  }
  const slot = `${group}\u0000${requestId ?? ''}`;
  return [slot, file.candidates.get(slot)];
}
