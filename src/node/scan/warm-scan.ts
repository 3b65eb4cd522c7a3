/**
 * The CLI's scan with the persisted index: unchanged files are replayed from
 * the index, appended files are read from their offset, anything else is read
 * again; when no file changed at all, the previous report is reused as is.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { coldScan, type StartedWorker } from './cold-scan';
import { allCoresScanWorkers } from './worker-count';
import { forEachLine } from './call-batch';
import { tailHashAt } from './file-cursor';
import type { Engine } from '../../core/engine';
export { engineKey } from './index-store';
import {
  appendedOnly,
  fingerprint,
  FileRecorder,
  INDEX_VERSION,
  isUsableStoredFile,
  loadCachedReport,
  loadIndex,
  replayStoredFile,
  saveIndex,
  storedFile,
  unchanged,
  type StoredFile,
  type StoredIndex,
} from './index-store';
import { newReadBuffer, parseShortened, readAgentMeta, readLinesSync } from './scan';
import type { LineKernel } from './line-kernel';
import { describeError, listTranscriptFiles, type ListProblem, type TranscriptFile } from './list-files';
import { listForStoring, type StoredListing } from './list-files';
import type { LineSink } from './line-splitter';

export interface WarmScanResult {
  files: number;
  bytesRead: number;
  replayed: number;
  appended: number;
  reread: number;
  tornLines: number;
  problems: ListProblem[];
  /** Of the files listed; empty when no index is kept (nothing compares it then). */
  fingerprint: string;
  /** The previous report's JSON, when nothing changed and the report key matches. */
  cachedReport: string | undefined;
  /** The warnings that report gave. */
  cachedWarnings: string[] | undefined;
  /** Why the stored index was not used, if it was not. */
  indexRejected: string | undefined;
  /** The listing to keep with the report, when it can be (see `StoredListing`). */
  listing: StoredListing | undefined;
  /** Present when an index is kept: fill `report` and pass to `finish`. */
  index: StoredIndex | undefined;
}


function recordingSink(engine: Engine, file: ReturnType<Engine['openFile']>, recorder: FileRecorder): LineSink {
  return {
    parsed(parsed, offset) {
      recorder.record(parsed, offset);
      engine.ingest(file, parsed, offset);
    },
    line(text, offset, full) {
      const parsed = parseShortened(text, full);
      recorder.record(parsed, offset);
      engine.ingest(file, parsed, offset);
    },
    malformed() {
      engine.countMalformed(file);
    },
  };
}

export interface WarmScanOptions {
  /** Worker script for reading many bytes in parallel (dist/scan-worker.js); none = read on this thread. */
  workerPath?: string | undefined;
  /** Read in workers only when the files to read add up to more than this (default 32 MB). */
  workerThresholdBytes?: number;
  /** Where the index lives; undefined = no index at all (a cold scan touching nothing). */
  cacheDir: string | undefined;
  engineKey: string;
  /** Identifies the report options (dates, zone): a cached report is reused only for the same key. */
  reportKey: string;
  /** False when the caller needs the engine filled (e.g. a per-call view), not just the report. */
  reuseReport?: boolean;
  /** A worker the caller started early: the cold scan uses it if it reads in workers (the caller stops it in any case). */
  started?: StartedWorker | undefined;
}

/**
 * Scans `projectsDirs` into `engine`, using and refreshing the index in
 * `cacheDir`. `engine` may be a factory, called only when the stored report
 * cannot be reused (so a warm start with nothing changed builds no engine
 * and no price table).
 */
export async function warmScan(engineOrFactory: Engine | (() => Engine), projectsDirs: readonly string[], options: WarmScanOptions): Promise<WarmScanResult> {
  const problems: ListProblem[] = [];
  // With an index, the listing is kept with the report: the next start stats the folders instead of reading them.
  const listed = options.cacheDir !== undefined ? listForStoring(projectsDirs, problems) : { files: projectsDirs.flatMap((d) => listTranscriptFiles(d, problems)), listing: undefined };
  const files: TranscriptFile[] = listed.files;
  // Only an index compares it: a cold scan with no cache folder skips sorting and hashing every path.
  const fp = options.cacheDir !== undefined ? fingerprint(files) : '';
  const result: WarmScanResult = {
    files: files.length,
    bytesRead: 0,
    replayed: 0,
    appended: 0,
    reread: 0,
    tornLines: 0,
    problems,
    fingerprint: fp,
    cachedReport: undefined,
    cachedWarnings: undefined,
    indexRejected: undefined,
    listing: listed.listing,
    index: undefined,
  };
  if (options.cacheDir !== undefined && problems.length === 0 && options.reuseReport !== false) {
    const cached = loadCachedReport(options.cacheDir, options.engineKey, options.reportKey, fp);
    if (cached !== undefined) {
      result.cachedReport = cached.json;
      result.cachedWarnings = cached.warnings;
      return result;
    }
  }
  const engine = typeof engineOrFactory === 'function' ? engineOrFactory() : engineOrFactory;
  const loaded = options.cacheDir !== undefined ? loadIndex(options.cacheDir, options.engineKey) : { index: undefined, rejected: 'disabled' };
  const old = loaded.index;
  result.indexRejected = loaded.rejected;
  const next: StoredIndex | undefined = options.cacheDir !== undefined ? { version: INDEX_VERSION, engineKey: options.engineKey, files: {}, report: null } : undefined;
  const buffer = newReadBuffer(256 * 1024);
  const kept = new Map<string, StoredFile>();
  // Files to read from the start: in worker threads when they are many bytes.
  const fresh = files.filter((f) => {
    const raw: unknown = old?.files[f.path];
    return !(isUsableStoredFile(raw) && raw.cursor.relativePath === f.relativePath && (unchanged(raw.cursor, f) || appendedOnly(raw.cursor, f)));
  });
  const freshBytes = fresh.reduce((sum, f) => sum + f.size, 0);
  const inWorkers = options.workerPath !== undefined && fs.existsSync(options.workerPath) && freshBytes > (options.workerThresholdBytes ?? 32 * 1024 * 1024) ? new Set(fresh.map((f) => f.path)) : new Set<string>();
  if (inWorkers.size > 0) {
    await readInWorkers(engine, fresh.filter((f) => inWorkers.has(f.path)), options, next !== undefined, kept, result);
  }
  for (const f of files) {
    if (inWorkers.has(f.path)) {
      continue;
    }
    const raw: unknown = old?.files[f.path];
    const stored: StoredFile | undefined = isUsableStoredFile(raw) && raw.cursor.relativePath === f.relativePath ? raw : undefined;
    try {
      kept.set(f.path, readOrReplay(engine, f, stored, buffer, result));
    } catch (err) {
      problems.push({ path: f.path, message: describeError(err) });
    }
  }
  keepFiles(engine, kept, next, result);
  result.index = next;
  return result;
}

/** Reads `files` from the start in a worker thread (and this one), into `engine`; each file's stored form goes into `kept` (its lines recorded when `record`). */
async function readInWorkers(engine: Engine, files: TranscriptFile[], options: WarmScanOptions, record: boolean, kept: Map<string, StoredFile>, result: WarmScanResult): Promise<void> {
  const recorders = new Map<string, FileRecorder>();
  const scanned = await coldScan(
    engine,
    files,
    {
      workerPath: options.workerPath,
      // Every core but one, and this thread reads too between merges (the
      // small files): on two cores, one worker and this thread keep both busy
      // with one isolate less than two workers.
      workers: allCoresScanWorkers({ cores: os.availableParallelism(), files: files.length, bytes: 0 }),
      readHere: true,
      sliceMs: 1_000_000,
      started: options.started ? [options.started] : undefined,
      // With no index to write, nothing needs recording.
      onLines:
        !record
          ? undefined
          : (p, lines) => {
              let r = recorders.get(p);
              if (!r) {
                r = new FileRecorder();
                recorders.set(p, r);
              }
              const rec = r;
              forEachLine(lines, (offset, parsed) => rec.record(parsed, offset));
            },
    },
  );
  for (const e of scanned.errors) {
    result.problems.push(e);
  }
  for (const [p, cursor] of scanned.cursors) {
    const file = engine.file(p);
    if (file) {
      kept.set(p, storedFile(file, cursor, recorders.get(p) ?? new FileRecorder()));
      result.reread++;
      result.bytesRead += cursor.size;
    }
  }
}

/** One file read on this thread: replayed from `stored` when unchanged, else read on from its cursor (appended only) or from the start. */
export function readOrReplay(
  engine: Engine,
  f: TranscriptFile,
  stored: StoredFile | undefined,
  buffer: Buffer | LineKernel,
  result: Pick<WarmScanResult, 'bytesRead' | 'replayed' | 'appended' | 'reread'>,
): StoredFile {
  if (stored && unchanged(stored.cursor, f)) {
    replayStoredFile(engine, f.path, stored);
    result.replayed++;
    return stored;
  }
  const resume =
    stored && appendedOnly(stored.cursor, f) && (stored.cursor.tailHash === undefined || tailHashAt(f.path, stored.cursor.offset) === stored.cursor.tailHash)
      ? stored
      : undefined;
  const file = resume ? replayStoredFile(engine, f.path, resume) : engine.openFile(f.path, f.relativePath);
  if (!resume) {
    readAgentMeta(file);
  }
  const recorder = new FileRecorder();
  const from = resume ? resume.cursor.offset : 0;
  const r = readLinesSync(f.path, from, recordingSink(engine, file, recorder), buffer);
  result.bytesRead += r.bytesRead;
  const st = fs.statSync(f.path);
  const cursor = { path: f.path, relativePath: f.relativePath, offset: r.consumedOffset, size: from + r.bytesRead, mtimeMs: st.mtimeMs, ino: st.ino, torn: r.torn, tailHash: tailHashAt(f.path, r.consumedOffset) };
  if (resume) {
    result.appended++;
  } else {
    result.reread++;
  }
  return storedFile(file, cursor, recorder, resume);
}

/** Counts the torn last lines (as malformed, for the CLI) and puts the files kept in the index to store. */
function keepFiles(engine: Engine, kept: Map<string, StoredFile>, next: StoredIndex | undefined, result: WarmScanResult): void {
  for (const [p, k] of kept) {
    if (k.cursor.torn) {
      // The CLI reports a torn last line as malformed (it is not stored so: it may still complete).
      result.tornLines++;
      const file = engine.file(p);
      if (file) {
        engine.countMalformed(file);
      }
    }
    if (next) {
      next.files[p] = k;
    }
  }
}

/** Stores the index with the report just built (and the warnings it gives); failures to write only warn. */
export function finishWarmScan(cacheDir: string, scan: WarmScanResult, reportKey: string, reportJson: string, warnings: string[] = []): string | undefined {
  if (!scan.index) {
    return undefined;
  }
  scan.index.report = scan.problems.length === 0 ? { key: reportKey, fingerprint: scan.fingerprint, json: reportJson, warnings, listing: scan.listing } : null;
  try {
    saveIndex(cacheDir, scan.index);
    return undefined;
  } catch (err) {
    return `could not write the index in ${cacheDir}: ${describeError(err)}`;
  }
}
