/**
 * The first scan of a history, off the main thread: worker threads read and
 * parse; this side merges their results into the engine in slices of a few
 * milliseconds, yielding between slices so the extension host never stalls.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Engine } from '../core/engine';
import { forEachLine, type LineBatch } from './call-batch';
import type { CursorState } from './file-cursor';
import { ExtractCaches } from '../core/usage-extract';
import { describe, newScanBuffer, scanFile, type ScanMessage, type ScanPost, type ScanRequest } from './scan-file';
import type { TranscriptFile } from './scan';
import { fileRoleFromPath } from '../core/session-path';

export interface ScanProgress {
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
}

export interface ColdScanResult {
  cursors: Map<string, CursorState>;
  errors: Array<{ path: string; message: string }>;
  bytes: number;
}

export interface ColdScanOptions {
  onProgress?: (p: ScanProgress) => void;
  /** Longest time spent merging before yielding to the event loop. */
  sliceMs?: number;
  /** Worker script; defaults to `scan-worker.js` beside this module. */
  workerPath?: string;
  /** Number of workers; default 1, or for a large history 2 when there are more than two cores. */
  workers?: number;
  /**
   * Share of the bytes read on this thread too, between merges (0 to 1;
   * default 0). Only for a process with nothing else to do (the CLI): one
   * worker and this thread then keep two cores busy with one isolate less
   * than two workers would need. Never in the extension host.
   */
  mainThreadShare?: number;
  /** Sees every batch of parsed lines as it is merged (the CLI records them for its index). */
  onLines?: (path: string, lines: LineBatch) => void;
  /** Workers started early (`startScanWorker`), used before any new one is started; unused ones are stopped. */
  started?: StartedWorker[];
}

/** A scan worker started ahead of need: its start-up overlaps the caller's own (listing, time zone, prices). */
export interface StartedWorker {
  readonly worker: Worker;
  /** An error the worker raised before it was used. */
  early: Error | undefined;
  detach(): void;
}

/**
 * Starts a scan worker now, for a scan about to come: a worker takes tens of
 * milliseconds to load its bundle, which can then happen while this thread
 * lists the files.
 */
export function startScanWorker(workerPath?: string): StartedWorker {
  const worker = newScanWorker(workerPath ?? path.join(__dirname, 'scan-worker.js'));
  const started: StartedWorker = {
    worker,
    early: undefined,
    detach: () => worker.off('error', onEarly),
  };
  const onEarly = (err: Error) => {
    started.early = err;
  };
  worker.on('error', onEarly);
  return started;
}

const LARGE_HISTORY_BYTES = 64 * 1024 * 1024;

/** A worker's young generation: its garbage is short-lived, so a small one keeps memory low at little cost. */
const YOUNG_MB = 8;

function newScanWorker(workerPath: string): Worker {
  return new Worker(workerPath, { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_MB } });
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Splits files into lists whose bytes follow `weights` (largest file first, each to the least loaded list). */
function partition(files: readonly TranscriptFile[], weights: readonly number[]): TranscriptFile[][] {
  const parts = weights.map((weight) => ({ weight, bytes: 0, files: [] as TranscriptFile[] }));
  for (const f of [...files].sort((a, b) => b.size - a.size)) {
    const target = parts.reduce((min, p) => ((p.bytes + f.size) / p.weight < (min.bytes + f.size) / min.weight ? p : min));
    target.files.push(f);
    target.bytes += f.size;
  }
  return parts.map((p) => p.files);
}

/** Scans `files` into `engine` using worker threads. */
export async function coldScan(engine: Engine, files: readonly TranscriptFile[], options: ColdScanOptions = {}): Promise<ColdScanResult> {
  const sliceMs = options.sliceMs ?? 8;
  const bytesTotal = files.reduce((s, f) => s + f.size, 0);
  // By default a core is left to this thread: merging, and the collector's
  // helpers, then never wait for a core (on two cores, one worker gave the
  // same first scan with shorter pauses than two).
  const cores = os.cpus().length;
  const byDefault = bytesTotal > LARGE_HISTORY_BYTES ? Math.min(2, cores - 1) : 1;
  const workerCount = Math.max(1, Math.min(options.workers ?? byDefault, cores, files.length));
  const workerPath = options.workerPath ?? path.join(__dirname, 'scan-worker.js');
  const result: ColdScanResult = { cursors: new Map(), errors: [], bytes: 0 };
  const progress: ScanProgress = { filesDone: 0, filesTotal: files.length, bytesDone: 0, bytesTotal };
  if (files.length === 0) {
    await Promise.all((options.started ?? []).map((s) => s.worker.terminate()));
    options.onProgress?.(progress);
    return result;
  }
  const queue: ScanMessage[] = [];
  let wake: (() => void) | undefined;
  let running = 0;
  const workers: Worker[] = [];
  const share = Math.min(Math.max(options.mainThreadShare ?? 0, 0), 0.9);
  const parts = partition(files, share > 0 ? [...Array.from({ length: workerCount }, () => (1 - share) / workerCount), share] : Array.from({ length: workerCount }, () => 1));
  const own = share > 0 ? (parts.pop() ?? []) : [];
  const ownBuffer = newScanBuffer(own.length > 0 ? undefined : 0);
  const ownCaches = new ExtractCaches();
  const spare = [...(options.started ?? [])];
  for (const part of parts.filter((p) => p.length > 0)) {
    const early = spare.shift();
    early?.detach();
    const worker = early?.worker ?? newScanWorker(workerPath);
    workers.push(worker);
    running++;
    worker.on('message', (m: ScanPost) => {
      if (m.type === 'batch') {
        queue.push(...m.messages);
      } else {
        queue.push(m);
      }
      wake?.();
    });
    worker.on('error', (err) => {
      queue.push({ type: 'error', path: workerPath, message: err.message });
      queue.push({ type: 'done' });
      wake?.();
    });
    if (early?.early) {
      queue.push({ type: 'error', path: workerPath, message: early.early.message });
      queue.push({ type: 'done' });
    }
    const request: ScanRequest = {
      files: part.map((f) => ({ path: f.path, relativePath: f.relativePath, subagent: fileRoleFromPath(f.relativePath).subagent })),
    };
    worker.postMessage(request);
  }
  try {
    while (running > 0 || queue.length > 0 || own.length > 0) {
      if (queue.length === 0 && own.length > 0) {
        // This thread's own share, one file at a time; the workers' results
        // that arrived meanwhile are merged first (the loop turn below).
        const f = own.shift() as TranscriptFile;
        try {
          queue.push(scanFile(f.path, f.relativePath, fileRoleFromPath(f.relativePath).subagent, ownBuffer, ownCaches, (m) => queue.push(m)));
        } catch (err) {
          queue.push({ type: 'error', path: f.path, message: describe(err) });
        }
        await yieldToLoop();
        continue;
      }
      if (queue.length === 0) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
        continue;
      }
      const started = Date.now();
      while (queue.length > 0 && Date.now() - started < sliceMs) {
        const m = queue.shift();
        if (!m) {
          break;
        }
        if (m.type === 'done') {
          running--;
        } else if (m.type === 'error') {
          result.errors.push({ path: m.path, message: m.message });
          progress.filesDone++;
        } else if (m.type === 'lines') {
          const file = engine.openFile(m.path, m.relativePath);
          forEachLine(m.lines, (offset, parsed) => engine.ingest(file, parsed, offset));
          options.onLines?.(m.path, m.lines);
        } else {
          const file = engine.openFile(m.path, m.relativePath);
          file.agentMeta = m.agentMeta;
          forEachLine(m.lines, (offset, parsed) => engine.ingest(file, parsed, offset));
          options.onLines?.(m.path, m.lines);
          if (m.malformed > 0) {
            engine.countMalformed(file, m.malformed);
          }
          result.cursors.set(m.path, m.cursor);
          result.bytes += m.bytes;
          progress.filesDone++;
          progress.bytesDone += m.bytes;
        }
      }
      options.onProgress?.({ ...progress });
      await yieldToLoop();
    }
  } finally {
    await Promise.all([...workers, ...spare.map((s) => s.worker)].map((w) => w.terminate()));
  }
  return result;
}
