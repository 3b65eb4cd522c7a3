/**
 * How many worker threads a cold scan starts: the one policy, pure, so it is
 * tested at every core count without the machine having them.
 */

/** Most workers any scan starts: past this, merging on the calling thread is the limit, and each isolate costs memory. */
export const MAX_SCAN_WORKERS = 8;
/** A history above this many bytes is "large": a gentle scan may then take a second worker. */
export const LARGE_HISTORY_BYTES = 64 * 1024 * 1024;

export interface ScanSize {
  /** Cores of the machine (`os.availableParallelism()`). */
  cores: number;
  /** Files to read. */
  files: number;
  /** Their bytes. */
  bytes: number;
}

/**
 * A scan that owns the machine (the CLI): every core but the one left to the
 * calling thread (it merges, and reads too), at most {@link MAX_SCAN_WORKERS},
 * at least 1, and never more workers than files.
 */
export function allCoresScanWorkers(size: ScanSize): number {
  return clampWorkers(size.cores - 1, size);
}

/**
 * A scan beside other work (the extension host's first scan): one worker, or
 * two for a large history on a machine with more than two cores. `requested`
 * (a setting; 0 = this default) overrides it, still within the cores and files.
 */
export function gentleScanWorkers(size: ScanSize, requested = 0): number {
  if (requested > 0) {
    return clampWorkers(Math.min(requested, size.cores), size);
  }
  return clampWorkers(size.bytes > LARGE_HISTORY_BYTES ? Math.min(2, size.cores - 1) : 1, size);
}

function clampWorkers(wanted: number, size: ScanSize): number {
  const n = Math.floor(Number.isFinite(wanted) ? wanted : 1);
  return Math.max(1, Math.min(n, MAX_SCAN_WORKERS, size.files));
}
