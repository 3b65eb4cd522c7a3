/**
 * The live meter's persisted index: what makes a restart of the extension a
 * warm start (docs/architecture.md, "Warm starts and windows").
 *
 * It is the CLI's index format (`index-store.ts`) kept in the extension's own
 * storage folder: per transcript file, the parsed lines the engine took from
 * it and where reading stopped, keyed by path, size, mtime and inode. The
 * first scan replays the files that did not change, reads appended bytes
 * from their offset, and reads everything else from the start (in the scan
 * workers when there is much of it). Live reads keep each file's stored form
 * current, so a save never reads a file again. A changed, corrupt or foreign
 * index is simply not used: a cold scan, and a new index after it.
 *
 * Saved after the first scan (when it read anything), then at most once per
 * `saveMs` after a change, and on dispose; always atomically (temp + rename).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Engine } from '../../core/engine';
import { coldScan, type ScanProgress } from '../scan/cold-scan';
import type { CatchUp, CursorState } from '../scan/file-cursor';
import { forEachLine } from '../scan/call-batch';
import { appendedOnly, engineKey, FileRecorder, isInside, isUsableStoredFile, loadIndex, INDEX_VERSION, saveIndex, storedFile, unchanged, type StoredFile } from '../scan/index-store';
import { readOrReplay } from '../scan/warm-scan';
import { newReadBuffer } from '../scan/scan';
import { describeError, type ListProblem, type TranscriptFile } from '../scan/list-files';
import { bundledPriceTableData } from '../../core/pricing/price-table';
import { VERSION } from '../version';
import { HistorySaveError, lockFile } from './history-store';

/** The lock a window holds while it reads the index, scans and writes it back (the others wait, then start warm). */
export const SCAN_LOCK = 'first-scan.lock';

/** Default time between a change and the save it leads to, ms. */
export const LIVE_INDEX_SAVE_MS = 60_000;

export interface FirstScanResult {
  cursors: Map<string, CursorState>;
  errors: ListProblem[];
  /** Bytes read from transcripts (not replayed). */
  bytes: number;
  replayed: number;
  appended: number;
  reread: number;
  /** Workers the cold part of the scan used (0 when every file was replayed). */
  workers: number;
  /** Why the stored index was not used ('none yet', 'corrupt (not JSON)', 'another version'), undefined when it was. */
  rejected: string | undefined;
}

export interface LiveIndexOptions {
  dir: string;
  /** Claude's folders: an index is never written inside them. */
  claudeDirs: readonly string[];
  saveMs?: number;
  /** Longest wait for another window's first scan before scanning anyway, ms (default 2 minutes). */
  lockWaitMs?: number;
  /** A scan lock older than this is stale even if its process runs, ms (default 2 minutes). */
  staleLockMs?: number;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

/** The key an index must carry to be used: the index format and the build that parses. */
export function liveIndexKey(): string {
  return engineKey(bundledPriceTableData(), VERSION);
}

export class LiveIndex {
  private readonly key = liveIndexKey();
  /** Each file's stored form, current with what the engine holds of it; a file missing here is read again at the next start. */
  private readonly stored = new Map<string, StoredFile>();
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private loaded = false;
  private disposed = false;
  /** Saves done (for tests and the log). */
  saves = 0;
  /** What the last `scan` did (for tests and the log). */
  lastScan: Omit<FirstScanResult, 'cursors' | 'errors'> | undefined;

  constructor(private readonly options: LiveIndexOptions) {}

  private get writable(): boolean {
    return !isInside(this.options.dir, this.options.claudeDirs);
  }

  /**
   * Fills `engine` with `files`: replayed from the index when unchanged, read
   * on from their offset when appended, read from the start otherwise (in the
   * scan workers). The index is read once, at the first call.
   */
  async scan(engine: Engine, files: readonly TranscriptFile[], scanOptions: { workerPath?: string | undefined; workers?: number; onProgress?: (p: ScanProgress) => void }): Promise<FirstScanResult> {
    if (this.loaded) {
      return this.scanFrom({}, 'already used', engine, files, scanOptions);
    }
    this.loaded = true;
    // One window scans at a time: a window started beside another that is scanning waits for its index.
    const release = await this.takeScanLock();
    try {
      const loaded = loadIndex(this.options.dir, this.key);
      return await this.scanFrom(loaded.index?.files ?? {}, loaded.rejected, engine, files, scanOptions);
    } finally {
      release();
    }
  }

  /** The scan lock of the index folder, waited for without blocking (short sleeps, only while another window scans). */
  private async takeScanLock(): Promise<() => void> {
    if (!this.writable) {
      return () => undefined;
    }
    const file = path.join(this.options.dir, SCAN_LOCK);
    const started = Date.now();
    const waitMs = this.options.lockWaitMs ?? 120_000;
    for (let logged = false; ; ) {
      try {
        fs.mkdirSync(this.options.dir, { recursive: true });
        const release = lockFile(file, 0, this.options.staleLockMs ?? 120_000, 'another window is scanning');
        if (logged) {
          this.options.log?.('info', `index: waited ${Date.now() - started} ms for another window's scan`);
        }
        return release;
      } catch (err) {
        if (!(err instanceof HistorySaveError && err.kind === 'busy') || this.disposed || Date.now() - started > waitMs) {
          this.options.log?.('warn', `index: scanning without the scan lock: ${describeError(err)}`);
          return () => undefined;
        }
      }
      if (!logged) {
        logged = true;
        this.options.log?.('info', 'index: another window is scanning; waiting for its index');
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private async scanFrom(
    old: Record<string, unknown>,
    rejected: string | undefined,
    engine: Engine,
    files: readonly TranscriptFile[],
    scanOptions: { workerPath?: string | undefined; workers?: number; onProgress?: (p: ScanProgress) => void },
  ): Promise<FirstScanResult> {
    const result: FirstScanResult = { cursors: new Map(), errors: [], bytes: 0, replayed: 0, appended: 0, reread: 0, workers: 0, rejected };
    const usable = (f: TranscriptFile): StoredFile | undefined => {
      const raw = old[f.path];
      return isUsableStoredFile(raw) && raw.cursor.relativePath === f.relativePath && (unchanged(raw.cursor, f) || appendedOnly(raw.cursor, f)) ? raw : undefined;
    };
    const fresh = files.filter((f) => usable(f) === undefined);
    const counts = { bytesRead: 0, replayed: 0, appended: 0, reread: 0 };
    const buffer = newReadBuffer(256 * 1024);
    for (const f of files) {
      const s = usable(f);
      if (s === undefined) {
        continue;
      }
      try {
        const kept = readOrReplay(engine, f, s, buffer, counts);
        this.stored.set(f.path, kept);
        result.cursors.set(f.path, kept.cursor);
      } catch (err) {
        result.errors.push({ path: f.path, message: describeError(err) });
      }
    }
    const recorders = new Map<string, FileRecorder>();
    const scanned = await coldScan(engine, fresh, {
      workerPath: scanOptions.workerPath,
      workers: scanOptions.workers,
      onProgress: scanOptions.onProgress,
      onLines: (p, lines) => {
        let r = recorders.get(p);
        if (!r) {
          r = new FileRecorder();
          recorders.set(p, r);
        }
        const rec = r;
        forEachLine(lines, (offset, parsed) => rec.record(parsed, offset));
      },
    });
    for (const [p, cursor] of scanned.cursors) {
      const file = engine.file(p);
      if (file) {
        this.stored.set(p, storedFile(file, cursor, recorders.get(p) ?? new FileRecorder()));
      }
      result.cursors.set(p, cursor);
    }
    result.errors.push(...scanned.errors);
    result.bytes = counts.bytesRead + scanned.bytes;
    result.replayed = counts.replayed;
    result.appended = counts.appended;
    result.reread = counts.reread + scanned.cursors.size;
    result.workers = scanned.workers;
    this.lastScan = { bytes: result.bytes, replayed: result.replayed, appended: result.appended, reread: result.reread, workers: result.workers, rejected };
    if (result.bytes > 0 || result.reread > 0 || result.appended > 0 || Object.keys(old).length !== result.replayed) {
      this.dirty = true;
      this.save();
    }
    return result;
  }

  /** A recorder for a live read of `p` (to pass to `catchUp`). */
  recorder(): FileRecorder {
    return new FileRecorder();
  }

  /** Keeps the stored form of a file just caught up with (`catchUp`'s result and the recorder it was given). */
  update(engine: Engine, p: string, change: CatchUp, state: CursorState | undefined, recorder: FileRecorder): void {
    if (change === 'unchanged') {
      return;
    }
    const file = engine.file(p);
    const previous = this.stored.get(p);
    if (state === undefined || file === undefined || change === 'gone') {
      this.stored.delete(p);
    } else if (change === 'reread') {
      this.stored.set(p, storedFile(file, state, recorder));
    } else if (previous !== undefined) {
      this.stored.set(p, storedFile(file, state, recorder, previous));
    } else {
      // Appended to a file whose earlier lines were never recorded: left out, read again next start.
      this.stored.delete(p);
    }
    this.dirty = true;
    this.scheduleSave();
  }

  /** Forgets every file (a rescan reads them all again). */
  clear(): void {
    this.stored.clear();
    this.dirty = true;
  }

  private scheduleSave(): void {
    if (this.timer !== undefined) {
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.save();
    }, this.options.saveMs ?? LIVE_INDEX_SAVE_MS);
    this.timer.unref?.();
  }

  /** Writes the index now when something changed since the last save; a failure only warns. */
  save(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (!this.dirty || !this.writable) {
      return;
    }
    this.dirty = false;
    try {
      saveIndex(this.options.dir, { version: INDEX_VERSION, engineKey: this.key, files: Object.fromEntries(this.stored), report: null });
      this.saves++;
    } catch (err) {
      this.options.log?.('warn', `could not write the scan index in ${this.options.dir}: ${describeError(err)}`);
    }
  }

  /** Saves what is pending and stops the timer. */
  dispose(): void {
    this.disposed = true;
    this.save();
  }
}
