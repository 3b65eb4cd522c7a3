/**
 * The meter: a live source plus everything derived from it (report, current
 * session, status model), recomputed at most a few times per second. The
 * vscode adapters subscribe to `update`; tests drive it directly.
 */
import { EventEmitter } from 'node:events';
import { pickCurrentSession, type CurrentSession } from '../core/current-session';
import { systemTimeZone } from '../core/local-day';
import type { PriceTable } from '../core/pricing/price-table';
import { buildReport, ReportCache, type Report } from '../core/report';
import type { Settings } from '../core/settings';
import { buildStatusModel, type SourceStatus, type StatusModel } from '../core/status-model';
import { LiveSource, type SourceState } from './live-source';

export interface MeterSnapshot {
  report: Report | undefined;
  current: CurrentSession;
  status: StatusModel;
  source: SourceStatus;
  today: string;
  updatedAtMs: number;
  /** Increases with every snapshot. */
  sequence: number;
}

export interface MeterOptions {
  prices: PriceTable;
  settings: Settings;
  workspaceFolders: readonly string[];
  pinnedSession?: string | undefined;
  env?: NodeJS.ProcessEnv;
  home?: string;
  workerPath?: string;
  rootPollMs?: number;
  /** Minimum time between two snapshots, ms (UI updates are coalesced). */
  throttleMs?: number;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  formatTime?: (ms: number) => string;
  now?: () => number;
}

function toStatus(state: SourceState): SourceStatus {
  switch (state.kind) {
    case 'scanning':
      return { kind: 'scanning', ...state.progress };
    case 'empty':
      return { kind: 'empty', lookedAt: state.lookedAt };
    case 'starting':
    case 'ready':
      return { kind: state.kind };
    default: {
      const never: never = state;
      return never;
    }
  }
}

/** Events: `update` (MeterSnapshot). */
export class Meter extends EventEmitter {
  private source: LiveSource;
  private cache = new ReportCache();
  private timer: NodeJS.Timeout | undefined;
  private lastEmitMs = 0;
  private snapshotValue: MeterSnapshot;
  private sequence = 0;
  private options: MeterOptions;

  constructor(options: MeterOptions) {
    super();
    this.options = options;
    this.source = this.createSource();
    this.snapshotValue = this.compute();
  }

  private timeZone(): string {
    return this.options.settings.timeZone || systemTimeZone();
  }

  private createSource(): LiveSource {
    const source = new LiveSource({
      prices: this.options.prices,
      timeZone: this.timeZone(),
      configDirs: this.options.settings.configDirs,
      env: this.options.env,
      home: this.options.home,
      workerPath: this.options.workerPath,
      rootPollMs: this.options.rootPollMs,
      log: this.options.log,
    });
    source.on('change', () => this.schedule());
    source.on('state', () => this.schedule());
    return source;
  }

  get snapshot(): MeterSnapshot {
    return this.snapshotValue;
  }

  get liveSource(): LiveSource {
    return this.source;
  }

  /** Starts scanning; resolves when the first scan is merged. */
  async start(): Promise<void> {
    await this.source.start();
    this.refreshNow();
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private compute(): MeterSnapshot {
    const engine = this.source.engine;
    const status = toStatus(this.source.state);
    const ready = status.kind === 'ready' || status.kind === 'scanning';
    const report = ready
      ? buildReport(engine, { cache: this.cache, contextWindowOverride: this.options.settings.contextWindow || undefined })
      : undefined;
    const current = report
      ? pickCurrentSession(report.sessions, this.options.workspaceFolders, this.options.settings['currentSession.scope'], this.options.pinnedSession)
      : { sessionId: undefined, reason: 'none' as const };
    const today = engine.days.dayOf(this.now());
    const updatedAtMs = this.source.lastChangeMs || this.now();
    const formatTime = this.options.formatTime ?? ((ms: number) => new Date(ms).toLocaleTimeString());
    return {
      report,
      current,
      status: buildStatusModel({ status, report, current, settings: this.options.settings, today, updatedAtMs, formatTime }),
      source: status,
      today,
      updatedAtMs,
      sequence: ++this.sequence,
    };
  }

  /** Coalesces updates: at most one snapshot per throttle interval. */
  private schedule(): void {
    if (this.timer) {
      return;
    }
    const throttle = this.options.throttleMs ?? 250;
    const wait = Math.max(0, this.lastEmitMs + throttle - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refreshNow();
    }, wait);
  }

  /** Recomputes and emits a snapshot right away. */
  refreshNow(): MeterSnapshot {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.lastEmitMs = Date.now();
    this.snapshotValue = this.compute();
    this.emit('update', this.snapshotValue);
    return this.snapshotValue;
  }

  /** Applies new settings: a new source when the zone or folders change, else a recompute. */
  async updateSettings(settings: Settings): Promise<void> {
    const before = this.options.settings;
    this.options = { ...this.options, settings };
    const zoneChanged = (before.timeZone || systemTimeZone()) !== this.timeZone();
    const dirsChanged = JSON.stringify(before.configDirs) !== JSON.stringify(settings.configDirs);
    if (zoneChanged || dirsChanged) {
      await this.rebuild();
    } else {
      this.cache = new ReportCache();
      this.refreshNow();
    }
  }

  setWorkspaceFolders(folders: readonly string[]): void {
    this.options = { ...this.options, workspaceFolders: folders };
    this.refreshNow();
  }

  setPinnedSession(sessionId: string | undefined): void {
    this.options = { ...this.options, pinnedSession: sessionId };
    this.refreshNow();
  }

  get pinnedSession(): string | undefined {
    return this.options.pinnedSession;
  }

  /** Forgets everything and scans again. */
  async rebuild(): Promise<void> {
    await this.source.dispose();
    this.cache = new ReportCache();
    this.source = this.createSource();
    this.refreshNow();
    await this.start();
  }

  async dispose(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
    }
    this.removeAllListeners();
    await this.source.dispose();
  }
}
