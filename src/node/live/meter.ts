/**
 * The meter: a live source plus everything derived from it (report, current
 * session, status model), recomputed at most a few times per second. The
 * vscode adapters subscribe to `update`; tests drive it directly.
 */
import * as path from 'node:path';
import { EventEmitter } from 'node:events';
import { pickCurrentSession } from '../../core/current-session';
import { systemTimeZone } from '../../core/local-day';
import { type PriceTable, withOverrides } from '../../core/pricing/price-table';
import { buildReport, prepareSessions, ReportCache, type Report } from '../../core/report';
import type { Settings } from '../../core/settings';
import { apiEquivalentLabel, buildStatusModel, type SourceStatus } from '../../core/status-model';
import { buildSessionDetail, type SessionDetail } from '../../core/session-detail';
import { emptyNudgeMemory, evaluateNudges, snoozeNudge, type Nudge, type NudgeMemory } from '../../core/nudges';
import { pastCompactions, postCompactEstimate, type PostCompactEstimate } from '../../core/forecast';
import { liveHistoryRows, mergeHistory, type HistoryRow, type MergedHistory, HistoryRowsCache, type LiveHistory } from '../../core/history';
import { loadHistory, HistorySaveError, saveMergedHistory } from './history-store';
import { exportFigures, type ExportFigures } from '../../core/prometheus';
import { VERSION } from '../version';
import { ToolNameLookup } from './tool-names';
import { SessionCauseLookup } from './session-causes';
import { PeriodCauseLookup } from './period-causes';
import { LiveSource, type SourceState } from './live-source';
import { LimitsWatcher, limitsPaths } from '../limits-source';
import { limitsState } from './limits-pace';
import { historyFiguresOf, type HistoryNotice, type MeterHistory } from './meter-history';
import type { MeterSnapshot, MeterView } from './meter-view';

export type { SessionDetail } from '../../core/session-detail';

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
  /** Our own folder for the daily history (never under Claude's folders); none: nothing is kept. */
  storageDir?: string | undefined;
  /** Minimum time between two writes of the history, ms (default 1 hour; also written after the first scan and on dispose). */
  historySaveMs?: number;
  /**
   * Read the plan limits (Claude Code's config and the statusline snapshot in
   * `cacheDir`, default the CLI's cache folder) and watch both; absent: not read.
   */
  limits?: { cacheDir?: string | undefined } | undefined;
  /** After a save that failed, the time before the next try, ms (default 5 minutes). */
  historyRetryMs?: number;
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

/** Longest slice of the first snapshot's preparation before the event loop turns. */
const PREPARE_SLICE_MS = 8;

/** Events: `update` (MeterSnapshot), `nudge` (Nudge: to show as a notification now). */
export class Meter extends EventEmitter implements MeterView {
  private nudgeMemory: NudgeMemory = emptyNudgeMemory();
  private prices: PriceTable;
  private priceOverrideErrors: string[] = [];
  private source: LiveSource;
  private cache = new ReportCache();
  private timer: NodeJS.Timeout | undefined;
  /** Wakes the meter when time alone changes a figure: the cache going cold, the status bar countdown. */
  private clockTimer: NodeJS.Timeout | undefined;
  private lastEmitMs = 0;
  private snapshotValue: MeterSnapshot;
  private sequence = 0;
  private options: MeterOptions;
  private storedHistory: HistoryRow[] | undefined;
  private merged: { revision: number; source: LiveSource; stored: HistoryRow[]; live: LiveHistory; history: MergedHistory } | undefined;
  private historyRows = new HistoryRowsCache();
  private historyNotice: HistoryNotice | undefined;
  private historyRetry: NodeJS.Timeout | undefined;
  private historySaveFailedMs: number | undefined;
  private compactions: { revision: number; source: LiveSource; estimate: PostCompactEstimate; defaultTokens: number } | undefined;
  private lastHistorySaveMs = 0;
  /** The plan-limit readings, watched (when `options.limits` asks for them). */
  private limitsWatcher: LimitsWatcher | undefined;
  /** Tool names of the calls before spikes, read on demand. */
  private tools: ToolNameLookup;
  private causes: SessionCauseLookup;
  private periodCauses: PeriodCauseLookup;
  private savedRevision = -1;
  private saveScheduled = false;
  private disposed = false;
  /** Set while the first snapshot's parts are computed in slices (timer-driven refreshes wait). */
  private preparing = false;
  /** The report built while preparing: the first snapshot takes it when nothing changed since. */
  private prepared: { revision: number; source: LiveSource; cache: ReportCache; contextWindow: number | undefined; report: Report } | undefined;

  constructor(options: MeterOptions) {
    super();
    this.options = options;
    this.tools = new ToolNameLookup(() => this.schedule(), options.log);
    this.causes = new SessionCauseLookup(() => this.schedule(), options.log);
    this.periodCauses = new PeriodCauseLookup(() => this.schedule(), options.log);
    this.prices = this.pricesFor(options.settings);
    this.source = this.createSource();
    this.snapshotValue = this.compute();
  }

  /** The zone of the settings; undefined: the machine's, which the engine looks up only when first needed. */
  private timeZone(): string | undefined {
    return this.options.settings.timeZone || undefined;
  }

  private pricesFor(settings: Settings): PriceTable {
    const { table, errors } = withOverrides(this.options.prices, settings.priceOverrides);
    this.priceOverrideErrors = errors;
    for (const e of errors) {
      this.options.log?.('warn', `price override ignored: ${e}`);
    }
    return table;
  }

  private createSource(): LiveSource {
    const source = new LiveSource({
      prices: this.prices,
      timeZone: this.timeZone(),
      configDirs: this.options.settings.configDirs,
      env: this.options.env,
      home: this.options.home,
      workerPath: this.options.workerPath,
      indexDir: this.options.storageDir !== undefined ? path.join(this.options.storageDir, 'scan-index') : undefined,
      rootPollMs: this.options.rootPollMs,
      watchMode: this.options.settings['watcher.mode'],
      pollIntervalMs: this.options.settings['watcher.pollIntervalMs'],
      firstScanWorkers: this.options.settings['scan.firstScanWorkers'],
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
    const source = this.source;
    if (this.options.limits !== undefined && this.limitsWatcher === undefined && !this.disposed) {
      try {
        this.limitsWatcher = new LimitsWatcher(limitsPaths({ cacheDir: this.options.limits.cacheDir, env: this.options.env ?? process.env, ...(this.options.home !== undefined ? { home: this.options.home } : {}) }), () => this.schedule());
      } catch (err) {
        this.options.log?.('warn', `plan limits not watched: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    await source.start();
    this.preparing = true;
    try {
      await this.prepareFirstSnapshot(source);
    } finally {
      this.preparing = false;
    }
    this.refreshNow();
  }

  /**
   * The first full snapshot after a scan computes every session's figures,
   * the compaction estimate and the history at once: about 100 ms on a 1 GB
   * history. Its parts are computed here first, in slices with the event
   * loop turning between them, so the snapshot that follows finds them
   * cached and the extension host is never held for long.
   */
  private async prepareFirstSnapshot(source: LiveSource): Promise<void> {
    const turn = () => new Promise<void>((r) => setImmediate(r));
    const engine = source.engine;
    const options = { cache: this.cache, contextWindowOverride: this.options.settings.contextWindow || undefined };
    const ids = [...engine.sessionFiles().keys()];
    let next = 0;
    do {
      await turn();
      if (this.source !== source) {
        return;
      }
      next = prepareSessions(engine, ids, next, options, PREPARE_SLICE_MS, Date.now);
    } while (next < ids.length);
    await turn();
    this.postCompact();
    await turn();
    if (this.source === source && source.state.kind === 'ready') {
      const report = buildReport(engine, options);
      this.prepared = { revision: engine.revision, source, cache: this.cache, contextWindow: options.contextWindowOverride, report };
      await turn();
      this.mergedHistory(report);
      await turn();
    }
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** The figures a team export sends: all-time totals by model and project, kept rows included (undefined before the first scan). */
  exportFigures(projectLabel?: (name: string) => string): ExportFigures | undefined {
    const snap = this.snapshotValue;
    if (snap.report === undefined) {
      return undefined;
    }
    const currentId = snap.current.sessionId;
    return exportFigures(this.source.engine, snap.report, {
      cache: this.cache,
      kept: this.historyEnabled() ? (snap.history?.keptRows ?? []) : [],
      projectLabel,
      current: currentId !== undefined ? snap.report.sessions.find((s) => s.sessionId === currentId) : undefined,
      version: VERSION,
    });
  }

  /** Turns, habits, cache lifetime, forecasts, what-if and spikes of one session. */
  sessionDetail(sessionId: string, report: Report | undefined = this.snapshotValue.report): SessionDetail | undefined {
    const session = report?.sessions.find((s) => s.sessionId === sessionId);
    const detail = buildSessionDetail(this.source.engine, this.prices, sessionId, session, this.now(), this.postCompact());
    for (const spike of detail?.spikes ?? []) {
      const before = spike.previousIndex !== undefined ? detail?.turns[spike.previousIndex] : undefined;
      spike.tools = before?.messageId !== undefined ? this.tools.get(before.filePath, before.messageId) : [];
    }
    if (detail) {
      const miss = this.limitsWatcher?.answer.lastMiss;
      detail.causes = this.causes.get(this.source.engine, sessionId, { lastMissCause: miss?.sessionId === sessionId ? miss.cause : undefined });
    }
    return detail;
  }

  /** Nothing to do here: this meter computes any session's details on demand. */
  watchSession(_sessionId: string | undefined): void {}

  /** The context after /compact, from the user's own compactions (recomputed when the data changes). */
  private postCompact(): PostCompactEstimate {
    const engine = this.source.engine;
    const defaultTokens = this.options.settings['forecast.postCompactTokens'];
    const c = this.compactions;
    if (c && c.revision === engine.revision && c.source === this.source && c.defaultTokens === defaultTokens) {
      return c.estimate;
    }
    const estimate = postCompactEstimate(pastCompactions(engine), defaultTokens);
    this.compactions = { revision: engine.revision, source: this.source, estimate, defaultTokens };
    return estimate;
  }

  private historyEnabled(): boolean {
    return this.options.storageDir !== undefined && this.options.settings['history.enabled'];
  }

  /** Live rows merged with the stored history (loaded once, then re-read at each save). */
  private mergedHistory(report: Report): MergedHistory {
    const engine = this.source.engine;
    const m = this.merged;
    if (m && m.revision === engine.revision && m.source === this.source && m.stored === this.storedHistory) {
      return m.history;
    }
    if (this.storedHistory === undefined) {
      this.storedHistory = [];
      if (this.historyEnabled() && this.options.storageDir !== undefined) {
        const loaded = loadHistory(this.options.storageDir);
        this.storedHistory = loaded.rows;
        if (loaded.problem !== undefined) {
          this.options.log?.('warn', loaded.problem);
        }
      }
    }
    const projects = new Map(report.sessions.map((s) => [s.sessionId, s.project]));
    const live = liveHistoryRows(engine, (id) => projects.get(id) ?? null, this.historyRows, this.cache);
    const stored = this.historyEnabled() ? this.storedHistory : [];
    const history = mergeHistory(stored, live);
    this.merged = { revision: engine.revision, source: this.source, stored: this.storedHistory, live, history };
    return history;
  }

  /**
   * Writes the history, at most once per `historySaveMs` and only after a
   * full scan: under the folder's lock, the file as it is now (other
   * windows' rows included) is merged with the rows this meter holds and its
   * live rows. After a failure, tried again `historyRetryMs` later.
   */
  private maybeSaveHistory(latest: { live: LiveHistory; revision: number }, force = false): void {
    const dir = this.options.storageDir;
    if (dir === undefined || !this.historyEnabled() || this.source.state.kind !== 'ready' || this.storedHistory === undefined) {
      return;
    }
    // Hourly is plenty: what the history guards against is Claude Code deleting
    // transcripts weeks old, and the meter also writes it when it stops.
    const every = this.options.historySaveMs ?? 3_600_000;
    const failedMs = this.historySaveFailedMs;
    if (!force && failedMs !== undefined && Date.now() - failedMs < (this.options.historyRetryMs ?? 300_000)) {
      return;
    }
    if (failedMs === undefined && (latest.revision === this.savedRevision || (!force && Date.now() - this.lastHistorySaveMs < every && this.savedRevision !== -1))) {
      return;
    }
    const held = this.storedHistory;
    try {
      const outcome = saveMergedHistory(dir, held, latest.live);
      this.storedHistory = outcome.rows;
      this.savedRevision = latest.revision;
      this.lastHistorySaveMs = Date.now();
      this.historySaveFailedMs = undefined;
      if (outcome.setAside !== undefined) {
        const message = `The stored cost history could not be used as it stood (${outcome.setAsideReason ?? 'damaged'}). Its bytes were kept in ${outcome.setAside}, and every row that could be read was kept.`;
        this.options.log?.('warn', message);
        this.historyNotice = { kind: 'set-aside', message, folder: dir, file: outcome.setAside, key: `set-aside:${outcome.setAside}` };
      } else if (this.historyNotice?.kind !== 'set-aside') {
        this.historyNotice = undefined;
      }
      if (outcome.written) {
        this.options.log?.('info', `history saved: ${outcome.rows.length} row(s) in ${dir}`);
      }
    } catch (err) {
      const e = err instanceof HistorySaveError ? err : new HistorySaveError('write', `could not save the history in ${dir}: ${err instanceof Error ? err.message : String(err)}`);
      this.historySaveFailedMs = Date.now();
      this.options.log?.(e.kind === 'busy' ? 'info' : 'warn', e.message);
      if (e.kind !== 'busy') {
        this.historyNotice = { kind: e.kind === 'unreadable' ? 'unreadable' : 'not-saved', message: e.message, folder: dir, file: undefined, key: `${e.kind}:${e.code ?? ''}` };
      }
      this.scheduleHistoryRetry(e.kind === 'busy' ? 10_000 : (this.options.historyRetryMs ?? 300_000));
    }
    // The merge may have brought rows of other windows, or a notice: shown at the next snapshot.
    if (!this.disposed && (this.storedHistory !== held || this.historyNotice !== this.snapshotValue.history?.notice)) {
      this.schedule();
    }
  }

  private scheduleHistoryRetry(ms: number): void {
    if (this.historyRetry || this.disposed) {
      return;
    }
    this.historyRetry = setTimeout(() => {
      this.historyRetry = undefined;
      const m = this.merged;
      if (!this.disposed && m && m.source === this.source) {
        this.maybeSaveHistory(m, true);
      }
    }, ms);
    this.historyRetry.unref();
  }

  private historyFigures(report: Report, today: string): MeterHistory {
    const settings = this.options.settings;
    const merged = this.mergedHistory(report);
    // Written in a turn of its own: serialising and writing the file is no part of showing a snapshot.
    if (!this.saveScheduled) {
      this.saveScheduled = true;
      setImmediate(() => {
        this.saveScheduled = false;
        // The latest merge (a later snapshot may have made a newer one meanwhile).
        const latest = this.merged?.source === this.source ? this.merged : undefined;
        if (!this.disposed && latest) {
          this.maybeSaveHistory(latest);
        }
      });
    }
    return historyFiguresOf(merged, settings, today, this.historyEnabled(), this.historyNotice);
  }

  private compute(): MeterSnapshot {
    const engine = this.source.engine;
    const status = toStatus(this.source.state);
    // No report while the first scan merges: building one over a growing
    // engine every throttle interval would block the extension host for
    // longer and longer; the status bar shows the scan's progress instead.
    const ready = status.kind === 'ready';
    const settings = this.options.settings;
    const contextWindow = settings.contextWindow || undefined;
    const prepared = this.prepared;
    this.prepared = undefined;
    const reusable = prepared !== undefined && prepared.revision === engine.revision && prepared.source === this.source && prepared.cache === this.cache && prepared.contextWindow === contextWindow;
    const report = ready ? (reusable ? prepared.report : buildReport(engine, { cache: this.cache, contextWindowOverride: contextWindow })) : undefined;
    const current = report
      ? pickCurrentSession(report.sessions, this.options.workspaceFolders, settings['currentSession.scope'], this.options.pinnedSession)
      : { sessionId: undefined, reason: 'none' as const };
    const nowMs = this.now();
    // Before the source has even started (the snapshot made in the constructor,
    // during activation) no figure needs a day: ICU is not touched yet.
    const today = status.kind === 'starting' ? '' : engine.days.dayOf(nowMs);
    const updatedAtMs = this.source.lastChangeMs || nowMs;
    const formatTime = this.options.formatTime ?? ((ms: number) => new Date(ms).toLocaleTimeString());
    const session = current.sessionId !== undefined ? report?.sessions.find((s) => s.sessionId === current.sessionId) : undefined;
    const currentDetail = session ? this.sessionDetail(session.sessionId, report) : undefined;
    const todayUSD = report?.days.find((d) => d.date === today)?.costUSD ?? 0;
    const history = report ? this.historyFigures(report, today) : undefined;
    const limits = limitsState(this.limitsWatcher?.answer, report, engine, nowMs);
    const fiveHour = limits?.reading?.windows.find((w) => w.id === 'five_hour');
    let nudges: Nudge[] = [];
    if (report) {
      const evaluation = evaluateNudges(
        this.nudgeMemory,
        {
          sessionId: session?.sessionId,
          contextTokens: session?.contextTokens ?? null,
          contextWindow: session?.contextWindow ?? 200_000,
          sessionCostUSD: session?.costUSD,
          today,
          todayUSD,
          lastActivityMs: currentDetail?.lastActivityMs,
          cacheTtlMs: currentDetail?.cacheTtlMs ?? 300_000,
          nextTurn: currentDetail?.nextTurn ?? null,
          projection: currentDetail?.projection ?? null,
          periodBudgets: history?.budgets.filter((b) => b.period !== 'day') ?? [],
          fiveHour,
          nowMs,
        },
        settings,
      );
      this.nudgeMemory = evaluation.memory;
      nudges = evaluation.visible;
      for (const n of evaluation.notify) {
        this.emit('nudge', n);
      }
    }
    return {
      limits,
      report,
      nudges,
      currentDetail,
      history,
      ...(report && today !== '' ? { periodCauses: this.periodCauses.of(engine, report, today) } : {}),
      priceOverrideErrors: this.priceOverrideErrors,
      apiEquivalent: apiEquivalentLabel(settings),
      current,
      status: buildStatusModel({ status, report, current, settings, today, updatedAtMs, formatTime, nudges, budgets: history?.budgets ?? [], countdown: currentDetail?.countdown ?? null, projection: currentDetail?.projection ?? null, limits, causes: currentDetail?.causes?.causes, nowMs }),
      source: status,
      today,
      updatedAtMs,
      sequence: ++this.sequence,
      compactThreshold: { tokens: settings['nudges.compactTokens'], windowShare: settings['nudges.compactWindowShare'] },
    };
  }

  /** Hides a nudge for the snooze period of the settings. */
  snooze(key: string): void {
    this.nudgeMemory = snoozeNudge(this.nudgeMemory, key, this.now() + this.options.settings['nudges.snoozeMinutes'] * 60_000);
    this.refreshNow();
  }

  /** Coalesces updates: at most one snapshot per throttle interval. */
  private schedule(): void {
    if (this.timer) {
      return;
    }
    const throttle = this.options.throttleMs ?? 150;
    const wait = Math.max(0, this.lastEmitMs + throttle - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.preparing) {
        // `start` refreshes once the parts are ready.
        return;
      }
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
    this.scheduleClock(this.snapshotValue);
    this.emit('update', this.snapshotValue);
    return this.snapshotValue;
  }

  /**
   * Time passing changes some figures with no new transcript line: the
   * cold-cache nudge at the moment the cache expires, and the status bar's
   * `{cacheCountdown}` once a minute while it is in the format.
   */
  private scheduleClock(snap: MeterSnapshot): void {
    if (this.clockTimer) {
      clearTimeout(this.clockTimer);
      this.clockTimer = undefined;
    }
    const cd = snap.currentDetail?.countdown;
    // A plan-limits reading ages, and its windows reset: looked at again each minute.
    const limitsWait = snap.limits?.reading ? 60_000 : Infinity;
    if ((!cd || cd.cold) && limitsWait === Infinity) {
      return;
    }
    let wait = limitsWait;
    if (cd && !cd.cold) {
      const remaining = cd.coldAtMs - this.now();
      wait = Math.min(wait, remaining);
      if (this.options.settings['statusBar.format'].includes('{cacheCountdown}')) {
        wait = Math.min(wait, ((remaining - 1) % 60_000) + 1);
      }
    }
    this.clockTimer = setTimeout(() => {
      this.clockTimer = undefined;
      this.refreshNow();
    }, Math.max(0, wait) + 50);
    this.clockTimer.unref();
  }

  /** Applies new settings: a new source when the zone or folders change, else a recompute. */
  async updateSettings(settings: Settings): Promise<void> {
    const before = this.options.settings;
    this.options = { ...this.options, settings };
    if (before['history.enabled'] !== settings['history.enabled']) {
      this.storedHistory = undefined;
      this.merged = undefined;
      this.savedRevision = -1;
    }
    const zoneChanged = (before.timeZone || systemTimeZone()) !== (settings.timeZone || systemTimeZone());
    const dirsChanged = JSON.stringify(before.configDirs) !== JSON.stringify(settings.configDirs);
    const pricesChanged = JSON.stringify(before.priceOverrides) !== JSON.stringify(settings.priceOverrides);
    if (pricesChanged) {
      this.prices = this.pricesFor(settings);
    }
    if (zoneChanged || dirsChanged || pricesChanged) {
      await this.rebuild();
    } else {
      // Watching differently needs no new scan: the watchers start again, and the tree is looked at once.
      this.source.setWatching(settings['watcher.mode'], settings['watcher.pollIntervalMs']);
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
    this.disposed = true;
    if (this.timer) {
      clearTimeout(this.timer);
    }
    if (this.clockTimer) {
      clearTimeout(this.clockTimer);
      this.clockTimer = undefined;
    }
    this.tools.dispose();
    this.limitsWatcher?.dispose();
    this.limitsWatcher = undefined;
    if (this.historyRetry) {
      clearTimeout(this.historyRetry);
      this.historyRetry = undefined;
    }
    this.causes.dispose();
    this.periodCauses.dispose();
    if (this.merged && this.merged.source === this.source) {
      this.maybeSaveHistory(this.merged, true);
    }
    this.removeAllListeners();
    await this.source.dispose();
  }
}
