/**
 * Which row of one call is kept (docs/transcript-format.md §8 rule 5): a
 * module of its own so the scan workers' bundle takes the rule without the
 * engine.
 */

/**
 * The de-dup order of two rows of one call on what they carry (the one
 * comparator: `isBetter` here, and the scan's `LineBatchBuilder` for the rows
 * of one file): > 0 when row a is kept over row b, < 0 when b is, 0 when they
 * tie there (the caller then orders them by place: path, then offset). The
 * main-chain row first, then the larger token total, then the earlier timestamp.
 */
export function compareRows(sidechainA: boolean, totalA: number, timestampA: number, sidechainB: boolean, totalB: number, timestampB: number): number {
  if (sidechainA !== sidechainB) {
    return sidechainA ? -1 : 1;
  }
  if (totalA !== totalB) {
    return totalA > totalB ? 1 : -1;
  }
  if (timestampA !== timestampB) {
    return timestampA < timestampB ? 1 : -1;
  }
  return 0;
}
