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
import { describe, newScanBuffer, scanFile, type ScanBuffer, type ScanMessage, type ScanPost, type ScanRequest } from './scan-file';
import type { TranscriptFile } from './list-files';
import { fileRoleFromPath } from '../../core/transcript/session-path';
import { gentleScanWorkers } from './worker-count';

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
  /** Worker threads the scan used (0 when there was nothing to read). */
  workers: number;
}

export interface ColdScanOptions {
  onProgress?: (p: ScanProgress) => void;
  /** Longest time spent merging before yielding to the event loop. */
  sliceMs?: number;
  /** Worker script; defaults to `scan-worker.js` beside this module. */
  workerPath?: string;
  /** Number of workers (at most one per file); default `gentleScanWorkers`: 1, or for a large history 2 when there are more than two cores. */
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
  return new ColdScanScheduler(engine, files, options).run();
}

/**
 * One cold scan: the files still to read, the workers reading them, the
 * messages waiting to be merged and the result being built.
 */
class ColdScanScheduler {
  private readonly sliceMs: number;
  private readonly workerCount: number;
  private readonly workerPath: string;
  private readonly chunkBytes: number;
  private readonly result: ColdScanResult = { cursors: new Map(), errors: [], bytes: 0, filesReadHere: 0, workers: 0 };
  private readonly progress: ScanProgress;
  private readonly pending: FileQueue;
  /** Messages from the workers (and this thread's reads) waiting to be merged. */
  private readonly queue: ScanMessage[] = [];
  private wake: (() => void) | undefined;
  private readonly states: ScanWorkerState[] = [];
  private readonly spare: StartedWorker[];

  constructor(
    private readonly engine: Engine,
    private readonly files: readonly TranscriptFile[],
    private readonly options: ColdScanOptions,
  ) {
    this.sliceMs = options.sliceMs ?? 8;
    const bytesTotal = files.reduce((s, f) => s + f.size, 0);
    // By default the scan is gentle (a core is left to this thread: merging,
    // and the collector's helpers, then never wait for a core; on two cores,
    // one worker gave the same first scan with shorter pauses than two).
    const size = { cores: os.availableParallelism(), files: files.length, bytes: bytesTotal };
    this.workerCount = options.workers !== undefined ? Math.max(1, Math.min(options.workers, files.length)) : gentleScanWorkers(size);
    this.workerPath = options.workerPath ?? SCAN_WORKER_PATH;
    this.progress = { filesDone: 0, filesTotal: files.length, bytesDone: 0, bytesTotal };
    this.chunkBytes = options.chunkBytes ?? Math.min(Math.max(bytesTotal / this.workerCount / 32, 1 << 20), 8 << 20);
    this.pending = new FileQueue(files);
    this.spare = [...(options.started ?? [])];
  }

  async run(): Promise<ColdScanResult> {
    if (this.files.length === 0) {
      await Promise.all(this.spare.map((s) => s.worker.terminate()));
      this.options.onProgress?.(this.progress);
      return this.result;
    }
    const ownBuffer = newScanBuffer(this.options.readHere ? undefined : 0);
    for (let i = 0; i < this.workerCount; i++) {
      this.startWorker();
    }
    this.result.workers = this.workerCount;
    try {
      while (this.working() || this.queue.length > 0 || !this.pending.empty) {
        // This thread reads when it may (or when no worker is left), one file
        // at a time; the workers' results that arrived meanwhile are merged
        // first (the loop turn below).
        const readHere = this.options.readHere === true || !this.states.some((s) => s.alive);
        if (this.queue.length === 0 && readHere && !this.pending.empty) {
          this.readOneHere(ownBuffer);
          await yieldToLoop();
          continue;
        }
        if (this.queue.length === 0) {
          await new Promise<void>((resolve) => {
            this.wake = resolve;
          });
          this.wake = undefined;
          continue;
        }
        this.mergeSlice();
        this.options.onProgress?.({ ...this.progress });
        await yieldToLoop();
      }
    } finally {
      await Promise.all([...this.states.map((s) => s.worker), ...this.spare.map((s) => s.worker)].map((w) => w.terminate()));
    }
    return this.result;
  }

  private working(): boolean {
    return this.states.some((s) => s.alive && s.requests > 0);
  }

  /** Takes a worker started early, or starts one, and hands it its first requests. */
  private startWorker(): void {
    const early = this.spare.shift();
    early?.detach();
    const s: ScanWorkerState = { worker: early?.worker ?? newScanWorker(this.workerPath), alive: true, requests: 0, outstanding: new Map() };
    this.states.push(s);
    s.worker.on('message', (m: ScanPost) => {
      if (!s.alive) {
        return; // late news from a worker given up on: its unread files were handed out again
      }
      if (m.type === 'batch') {
        for (const one of m.messages) {
          this.received(s, one);
        }
      } else {
        this.received(s, m);
      }
      this.wake?.();
    });
    s.worker.on('error', (err) => {
      this.failed(s, err.message);
      this.wake?.();
    });
    s.worker.on('exit', (code) => {
      if (s.alive && s.requests > 0) {
        this.failed(s, `the scan worker exited (code ${code})`);
        this.wake?.();
      }
    });
    if (early?.early) {
      this.failed(s, early.early.message);
      return;
    }
    for (let r = 0; r < IN_FLIGHT; r++) {
      this.send(s);
    }
  }

  /** Sends a worker the next request from the large end of the queue, if any file is left. */
  private send(s: ScanWorkerState): void {
    const part = this.pending.takeLarge(this.chunkBytes);
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
  }

  /** A worker's message: a finished request makes room for the next; the rest waits to be merged. */
  private received(s: ScanWorkerState, m: ScanMessage): void {
    if (m.type === 'done') {
      s.requests--;
      this.send(s);
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
    this.queue.push(m);
  }

  /** A worker failed or exited early: its work goes to the others (or to this thread). */
  private failed(s: ScanWorkerState, message: string): void {
    if (!s.alive) {
      return;
    }
    s.alive = false;
    s.requests = 0;
    this.queue.push({ type: 'error', path: this.workerPath, message });
    // Files the worker never began go back to the queue; one it had begun
    // (some of its lines already merged) is reported, not read twice.
    const unread: TranscriptFile[] = [];
    for (const { file, started } of s.outstanding.values()) {
      if (started) {
        this.queue.push({ type: 'error', path: file.path, message: `the scan worker stopped while reading it: ${message}` });
      } else {
        unread.push(file);
      }
    }
    s.outstanding.clear();
    this.pending.putBack(unread);
    for (const other of this.states) {
      if (other.alive) {
        for (let i = other.requests; i < IN_FLIGHT; i++) {
          this.send(other);
        }
      }
    }
  }

  /** Reads the smallest file left on this thread. */
  private readOneHere(ownBuffer: ScanBuffer): void {
    const f = this.pending.takeSmall() as TranscriptFile;
    this.result.filesReadHere++;
    try {
      this.queue.push(scanFile(f.path, f.relativePath, fileRoleFromPath(f.relativePath).subagent, ownBuffer, (m) => this.queue.push(m)));
    } catch (err) {
      this.queue.push({ type: 'error', path: f.path, message: describe(err) });
    }
  }

  /** Merges queued messages into the engine for at most `sliceMs`. */
  private mergeSlice(): void {
    const started = Date.now();
    while (this.queue.length > 0 && Date.now() - started < this.sliceMs) {
      const m = this.queue.shift();
      if (!m) {
        break;
      }
      this.merge(m);
    }
  }

  private merge(m: ScanMessage): void {
    if (m.type === 'done') {
      return;
    }
    if (m.type === 'error') {
      this.result.errors.push({ path: m.path, message: m.message });
      if (m.path !== this.workerPath) {
        this.progress.filesDone++;
      }
      return;
    }
    const file = this.engine.openFile(m.path, m.relativePath);
    if (m.type !== 'lines') {
      file.agentMeta = m.agentMeta;
    }
    forEachLine(m.lines, (offset, parsed) => this.engine.ingest(file, parsed, offset));
    this.options.onLines?.(m.path, m.lines);
    if (m.type === 'lines') {
      return;
    }
    if (m.malformed > 0) {
      this.engine.countMalformed(file, m.malformed);
    }
    this.result.cursors.set(m.path, m.cursor);
    this.result.bytes += m.bytes;
    this.progress.filesDone++;
    this.progress.bytesDone += m.bytes;
  }
}
