/**
 * A meter in a worker thread (`meter-worker.ts`), seen from the extension
 * host: the same `MeterView` as a `Meter`, with snapshots arriving as
 * messages. The first scan's merge, the live engine and every report are
 * computed on the worker, so the host's thread only takes in finished
 * snapshots. If the worker dies it is started again (a few times), with
 * the settings, folders and pinned session it last had.
 */
import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import { withOverrides, bundledPriceTable } from '../../core/pricing/price-table';
import type { Settings } from '../../core/settings';
import { apiEquivalentLabel, buildStatusModel } from '../../core/status-model';
import type { SessionDetail } from './meter';
import type { MeterSnapshot, MeterView } from './meter-view';
import type { ExportStatus } from './meter-export';
import type { FromMeterWorker, MeterCall, MeterWorkerOptions, ToMeterWorker, WatchedDetail } from './meter-protocol';

/** What only the host side uses. */
interface HostOptions {
  /** The worker's script (dist/meter-worker.js). */
  meterWorkerPath: string;
  log?: ((level: 'info' | 'warn' | 'error', message: string) => void) | undefined;
  /** How many times a worker that stopped unexpectedly is started again (default 3). */
  maxRestarts?: number | undefined;
  /** How long `dispose` waits for the worker to save and stop before it is terminated, ms (default 5000). */
  disposeTimeoutMs?: number | undefined;
}

export type RemoteMeterOptions = MeterWorkerOptions & HostOptions;

/** The snapshot before the worker's first: the same as a new `Meter`'s (nothing read, nothing started). */
export function startingSnapshot(settings: Settings, nowMs: number): MeterSnapshot {
  const { errors } = withOverrides(bundledPriceTable(), settings.priceOverrides);
  const current = { sessionId: undefined, reason: 'none' as const };
  const status = { kind: 'starting' as const };
  return {
    limits: null,
    report: undefined,
    nudges: [],
    currentDetail: undefined,
    history: undefined,
    priceOverrideErrors: errors,
    apiEquivalent: apiEquivalentLabel(settings),
    current,
    status: buildStatusModel({
      status,
      report: undefined,
      current,
      settings,
      today: '',
      updatedAtMs: nowMs,
      formatTime: (ms) => new Date(ms).toLocaleTimeString(),
      nudges: [],
      budgets: [],
      countdown: null,
      projection: null,
      nowMs,
    }),
    source: status,
    today: '',
    updatedAtMs: nowMs,
    sequence: 0,
    compactThreshold: { tokens: settings['nudges.compactTokens'], windowShare: settings['nudges.compactWindowShare'] },
  };
}

interface Pending {
  resolve(): void;
  reject(err: Error): void;
}

/**
 * Events: `update` (MeterSnapshot), `nudge` (Nudge), `failed` (message: the
 * worker stopped for good; the status bar says so, and `rebuild` starts a
 * new one), `export` (ExportStatus: the team export's state changed).
 */
export class RemoteMeter extends EventEmitter implements MeterView {
  private readonly host: HostOptions;
  /** Sent to every worker started; kept up to date with settings, folders and pin. */
  private options: MeterWorkerOptions;
  private worker: Worker;
  private snapshotValue: MeterSnapshot;
  private sequence = 0;
  private watchedId: string | undefined;
  private watched: WatchedDetail | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextCall = 1;
  private startCalled = false;
  private disposed = false;
  /** False once the worker has stopped for good (too many restarts). */
  private running = true;
  private restarts = 0;
  private exportToken: string | undefined;
  private exportStatusValue: ExportStatus;

  constructor(options: RemoteMeterOptions) {
    super();
    const { meterWorkerPath, log, maxRestarts, disposeTimeoutMs, ...meter } = options;
    this.host = { meterWorkerPath, log, maxRestarts, disposeTimeoutMs };
    this.options = meter;
    this.snapshotValue = startingSnapshot(options.settings, Date.now());
    this.worker = this.spawn();
  }

  private spawn(): Worker {
    const worker = new Worker(this.host.meterWorkerPath);
    worker.on('message', (m: FromMeterWorker) => this.receive(m));
    worker.on('error', (err) => this.host.log?.('error', `the meter's worker failed: ${err.stack ?? err.message}`));
    worker.on('exit', (code) => this.exited(worker, code));
    worker.postMessage({ type: 'init', options: this.options } satisfies ToMeterWorker);
    if (this.watchedId !== undefined) {
      worker.postMessage({ type: 'watchSession', sessionId: this.watchedId } satisfies ToMeterWorker);
    }
    if (this.exportToken !== undefined) {
      worker.postMessage({ type: 'setExportToken', token: this.exportToken } satisfies ToMeterWorker);
    }
    return worker;
  }

  private exited(worker: Worker, code: number): void {
    if (worker !== this.worker || this.disposed) {
      return;
    }
    for (const p of this.pending.values()) {
      p.reject(new Error(`the meter's worker stopped (exit code ${code})`));
    }
    this.pending.clear();
    if (this.restarts >= (this.host.maxRestarts ?? 3)) {
      this.running = false;
      const message = `the meter's worker stopped (exit code ${code}); not started again after ${this.restarts} restarts`;
      this.host.log?.('error', message);
      this.showStopped();
      this.emit('failed', message);
      return;
    }
    this.restarts++;
    this.host.log?.('warn', `the meter's worker stopped (exit code ${code}); starting it again (${this.restarts})`);
    this.worker = this.spawn();
    if (this.startCalled) {
      this.call({ method: 'start' }).catch((err: unknown) => this.host.log?.('error', `scan after the restart failed: ${String(err)}`));
    }
  }

  /** The last snapshot, with a status bar that says the figures are no longer live and how to start again. */
  private showStopped(): void {
    const status = this.snapshotValue.status;
    this.snapshotValue = {
      ...this.snapshotValue,
      status: {
        ...status,
        severity: 'error',
        reasons: ['the meter stopped', ...status.reasons],
        text: '$(error) Claude cost: stopped',
        tooltip:
          '**The cost meter stopped** (its worker thread failed again and again); the figures are no longer updated.\n\n' +
          'Run **Claude Cost: Rescan Transcripts** to start it again; **Claude Cost: Show Log** has the details.',
      },
      sequence: ++this.sequence,
    };
    this.emit('update', this.snapshotValue);
  }

  private receive(m: FromMeterWorker): void {
    switch (m.type) {
      case 'update':
        // Numbered here, so the sequence keeps increasing across a worker restart.
        this.snapshotValue = { ...m.snapshot, sequence: ++this.sequence };
        this.watched = m.watched;
        this.emit('update', this.snapshotValue);
        return;
      case 'detail':
        this.watched = m.watched;
        if (m.watched.sessionId === this.watchedId) {
          this.emit('update', this.snapshotValue);
        }
        return;
      case 'nudge':
        this.emit('nudge', m.nudge);
        return;
      case 'log':
        this.host.log?.(m.level, m.message);
        return;
      case 'export':
        this.exportStatusValue = m.status;
        this.emit('export', m.status);
        return;
      case 'done': {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (m.error === undefined) {
          p?.resolve();
        } else {
          p?.reject(new Error(m.error));
        }
        return;
      }
      default: {
        const never: never = m;
        return never;
      }
    }
  }

  /** The team export's state as the worker last reported it (undefined: off). */
  get exportStatus(): ExportStatus {
    return this.exportStatusValue;
  }

  /** The team export's token (kept for a restarted worker); undefined: none. */
  setExportToken(token: string | undefined): void {
    this.exportToken = token;
    this.post({ type: 'setExportToken', token });
  }

  private post(m: ToMeterWorker): void {
    if (!this.disposed && this.running) {
      this.worker.postMessage(m);
    }
  }

  private call(c: MeterCall): Promise<void> {
    if (this.disposed && c.method !== 'dispose') {
      return Promise.resolve();
    }
    if (!this.running) {
      return Promise.reject(new Error("the meter's worker has stopped (see the log)"));
    }
    const id = this.nextCall++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ type: 'call', id, ...c } satisfies ToMeterWorker);
    });
  }

  get snapshot(): MeterSnapshot {
    return this.snapshotValue;
  }

  get pinnedSession(): string | undefined {
    return this.options.pinnedSession;
  }

  sessionDetail(sessionId: string): SessionDetail | undefined {
    if (this.snapshotValue.currentDetail?.sessionId === sessionId) {
      return this.snapshotValue.currentDetail;
    }
    return this.watched?.sessionId === sessionId ? this.watched.detail : undefined;
  }

  watchSession(sessionId: string | undefined): void {
    if (sessionId === this.watchedId) {
      return;
    }
    this.watchedId = sessionId;
    this.post({ type: 'watchSession', sessionId });
  }

  /** Starts scanning; resolves when the first scan is merged. */
  start(): Promise<void> {
    this.startCalled = true;
    return this.call({ method: 'start' });
  }

  /** Forgets everything and scans again; after the worker stopped for good, starts a new one (the way back from `failed`). */
  rebuild(): Promise<void> {
    if (!this.running && !this.disposed) {
      this.running = true;
      this.restarts = 0;
      this.worker = this.spawn();
      this.startCalled = true;
      return this.call({ method: 'start' });
    }
    return this.call({ method: 'rebuild' });
  }

  /** Applies new settings (kept for the next worker when this one has stopped for good). */
  updateSettings(settings: Settings): Promise<void> {
    this.options = { ...this.options, settings };
    return this.running ? this.call({ method: 'updateSettings', settings }) : Promise.resolve();
  }

  setWorkspaceFolders(folders: readonly string[]): void {
    this.options = { ...this.options, workspaceFolders: [...folders] };
    this.post({ type: 'setWorkspaceFolders', folders: [...folders] });
  }

  setPinnedSession(sessionId: string | undefined): void {
    this.options = { ...this.options, pinnedSession: sessionId };
    this.post({ type: 'setPinnedSession', sessionId });
  }

  snooze(key: string): void {
    this.post({ type: 'snooze', key });
  }

  /**
   * Lets the worker's meter stop (it writes the history), then ends the
   * worker. Every call returns the same promise: the extension's
   * subscriptions start it (VS Code does not wait for a disposable), and
   * `deactivate` returns it (VS Code waits for that, up to 5 s).
   */
  dispose(): Promise<void> {
    this.stopping ??= this.stop();
    return this.stopping;
  }

  private stopping: Promise<void> | undefined;

  private async stop(): Promise<void> {
    const stopped = this.call({ method: 'dispose' });
    this.disposed = true;
    this.removeAllListeners();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.host.disposeTimeoutMs ?? 5000);
    });
    try {
      await Promise.race([stopped.catch((err: unknown) => this.host.log?.('warn', `the meter did not stop cleanly: ${String(err)}`)), timeout]);
    } finally {
      clearTimeout(timer);
      for (const p of this.pending.values()) {
        p.resolve();
      }
      this.pending.clear();
      await this.worker.terminate();
    }
  }
}
