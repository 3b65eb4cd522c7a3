/**
 * The first scan of a history, off the main thread: worker threads read and
 * parse; this side merges their results into the engine in slices of a few
 * milliseconds, yielding between slices so the extension host never stalls.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Engine } from '../../core/engine';
import { forEachLine, type LineBatch } from './call-batch';
import type { CursorState } from './file-cursor';
import { describe, newScanBuffer, scanFile, type ScanMessage, type ScanPost, type ScanRequest } from './scan-file';
import type { TranscriptFile } from './list-files';
import { fileRoleFromPath } from '../../core/transcript/session-path';

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
  /** Files read on the calling thread (`readHere`, or no worker left). */
  filesReadHere: number;
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
   * This thread reads files too, the smallest first, whenever it has nothing
   * to merge (default false). Only for a process with nothing else to do (the
   * CLI): one worker and this thread then keep two cores busy with one
   * isolate less than two workers would need. Never in the extension host.
   */
  readHere?: boolean;
  /** Bytes of files per request to a worker (default: a 32nd of a worker's share, 1 to 8 MiB). */
  chunkBytes?: number;
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

/** The scan worker's script, beside this module (dist/ when bundled, out/src/node/scan/ in tests). */
export const SCAN_WORKER_PATH = path.join(__dirname, 'scan-worker.js');

/**
 * Starts a scan worker now, for a scan about to come: a worker takes tens of
 * milliseconds to load its bundle, which can then happen while this thread
 * lists the files.
 */
export function startScanWorker(workerPath?: string): StartedWorker {
  const worker = newScanWorker(workerPath ?? SCAN_WORKER_PATH);
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

/**
 * The files still to read, largest first. Workers take requests from the
 * large end; the calling thread (when it reads) takes single files from the
 * small end, so both run out at about the same moment, however unevenly the
 * bytes were spread or however late a worker started.
 */
class FileQueue {
  private readonly files: TranscriptFile[];
  private head = 0;
  private tail: number;

  constructor(files: readonly TranscriptFile[]) {
    this.files = [...files].sort((a, b) => b.size - a.size);
    this.tail = this.files.length;
  }

  get empty(): boolean {
    return this.head >= this.tail;
  }

  /** Files from the large end, at least one, until `bytes` are reached. */
  takeLarge(bytes: number): TranscriptFile[] {
    const taken: TranscriptFile[] = [];
    let sum = 0;
    while (this.head < this.tail && (taken.length === 0 || sum < bytes)) {
      const f = this.files[this.head++] as TranscriptFile;
      taken.push(f);
      sum += f.size;
    }
    return taken;
  }

  takeSmall(): TranscriptFile | undefined {
    return this.head < this.tail ? this.files[--this.tail] : undefined;
  }

  /** Puts files back (a worker stopped before reading them). */
  putBack(files: readonly TranscriptFile[]): void {
    this.files.splice(this.head, 0, ...files);
    this.tail += files.length;
  }
}

/** Requests a worker holds at once: one being read, one waiting, so it never waits for this thread. */
const IN_FLIGHT = 2;

interface ScanWorkerState {
  worker: Worker;
  alive: boolean;
  /** Requests sent and not yet done. */
  requests: number;
  /** Files sent and not yet reported on, by path; `started` once a message about the file came back. */
  outstanding: Map<string, { file: TranscriptFile; started: boolean }>;
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
  const workerPath = options.workerPath ?? SCAN_WORKER_PATH;
  const result: ColdScanResult = { cursors: new Map(), errors: [], bytes: 0, filesReadHere: 0 };
  const progress: ScanProgress = { filesDone: 0, filesTotal: files.length, bytesDone: 0, bytesTotal };
  if (files.length === 0) {
    await Promise.all((options.started ?? []).map((s) => s.worker.terminate()));
    options.onProgress?.(progress);
    return result;
  }
  const chunkBytes = options.chunkBytes ?? Math.min(Math.max(bytesTotal / workerCount / 32, 1 << 20), 8 << 20);
  const pending = new FileQueue(files);
  const queue: ScanMessage[] = [];
  let wake: (() => void) | undefined;
  const states: ScanWorkerState[] = [];
  const ownBuffer = newScanBuffer(options.readHere ? undefined : 0);
  const spare = [...(options.started ?? [])];
  const send = (s: ScanWorkerState): void => {
    const part = pending.takeLarge(chunkBytes);
    if (part.length === 0) {
      return;
    }
    for (const f of part) {
      s.outstanding.set(f.path, { file: f, started: false });
    }
    s.requests++;
    const request: ScanRequest = {
      files: part.map((f) => ({ path: f.path, relativePath: f.relativePath, subagent: fileRoleFromPath(f.relativePath).subagent })),
    };
    s.worker.postMessage(request);
  };
  const received = (s: ScanWorkerState, m: ScanMessage): void => {
    if (m.type === 'done') {
      s.requests--;
      send(s);
      return;
    }
    const entry = s.outstanding.get(m.path);
    if (m.type === 'lines') {
      if (entry) {
        entry.started = true;
      }
    } else {
      s.outstanding.delete(m.path);
    }
    queue.push(m);
  };
  const failed = (s: ScanWorkerState, message: string): void => {
    if (!s.alive) {
      return;
    }
    s.alive = false;
    s.requests = 0;
    queue.push({ type: 'error', path: workerPath, message });
    // Files the worker never began go back to the queue; one it had begun
    // (some of its lines already merged) is reported, not read twice.
    const unread: TranscriptFile[] = [];
    for (const { file, started } of s.outstanding.values()) {
      if (started) {
        queue.push({ type: 'error', path: file.path, message: `the scan worker stopped while reading it: ${message}` });
      } else {
        unread.push(file);
      }
    }
    s.outstanding.clear();
    pending.putBack(unread);
    for (const other of states) {
      if (other.alive) {
        for (let i = other.requests; i < IN_FLIGHT; i++) {
          send(other);
        }
      }
    }
  };
  for (let i = 0; i < workerCount; i++) {
    const early = spare.shift();
    early?.detach();
    const s: ScanWorkerState = { worker: early?.worker ?? newScanWorker(workerPath), alive: true, requests: 0, outstanding: new Map() };
    states.push(s);
    s.worker.on('message', (m: ScanPost) => {
      if (!s.alive) {
        return; // late news from a worker given up on: its unread files were handed out again
      }
      if (m.type === 'batch') {
        for (const one of m.messages) {
          received(s, one);
        }
      } else {
        received(s, m);
      }
      wake?.();
    });
    s.worker.on('error', (err) => {
      failed(s, err.message);
      wake?.();
    });
    s.worker.on('exit', (code) => {
      if (s.alive && s.requests > 0) {
        failed(s, `the scan worker exited (code ${code})`);
        wake?.();
      }
    });
    if (early?.early) {
      failed(s, early.early.message);
      continue;
    }
    for (let r = 0; r < IN_FLIGHT; r++) {
      send(s);
    }
  }
  const working = () => states.some((s) => s.alive && s.requests > 0);
  try {
    while (working() || queue.length > 0 || !pending.empty) {
      // This thread reads when it may (or when no worker is left), one file
      // at a time; the workers' results that arrived meanwhile are merged
      // first (the loop turn below).
      const readHere = options.readHere === true || !states.some((s) => s.alive);
      if (queue.length === 0 && readHere && !pending.empty) {
        const f = pending.takeSmall() as TranscriptFile;
        result.filesReadHere++;
        try {
          queue.push(scanFile(f.path, f.relativePath, fileRoleFromPath(f.relativePath).subagent, ownBuffer, (m) => queue.push(m)));
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
          continue;
        } else if (m.type === 'error') {
          result.errors.push({ path: m.path, message: m.message });
          if (m.path !== workerPath) {
            progress.filesDone++;
          }
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
    await Promise.all([...states.map((s) => s.worker), ...spare.map((s) => s.worker)].map((w) => w.terminate()));
  }
  return result;
}
