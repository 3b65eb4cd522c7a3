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
import {
  cacheTtlMs,
  findSpikes,
  lastMainActivityMs,
  modelWhatIf,
  nextTurnCost,
  sessionTurns,
  turnHabits,
  type NextTurnCost,
  type Spike,
  type TurnHabits,
  type TurnPoint,
  type WhatIfRow,
} from '../core/metrics';
import { emptyNudgeMemory, evaluateNudges, snoozeNudge, type Nudge, type NudgeMemory } from '../core/nudges';
import { withOverrides } from '../core/pricing/price-table';
import { LiveSource, type SourceState } from './live-source';

/** Per-session figures behind the panel and the nudges. */
export interface SessionDetail {
  sessionId: string;
  turns: TurnPoint[];
  habits: TurnHabits;
  cacheTtlMs: number;
  lastActivityMs: number | undefined;
  nextTurn: NextTurnCost | null;
  whatIf: WhatIfRow[];
  spikes: Spike[];
}

/** Totals of a range of days by project and by model. */
export interface RangeBreakdown {
  since: string;
  until: string;
  costUSD: number;
  byProject: Array<{ project: string; costUSD: number }>;
  byModel: Array<{ model: string; costUSD: number | null }>;
}

export interface MeterSnapshot {
  report: Report | undefined;
  /** Active, not snoozed nudges. */
  nudges: Nudge[];
  /** Details of the current session, when there is one. */
  currentDetail: SessionDetail | undefined;
  /** Today and the last 7 days (today included). */
  ranges: { today: RangeBreakdown; week: RangeBreakdown } | undefined;
  /** Problems with the price override setting, one line each. */
  priceOverrideErrors: string[];
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

function daysBefore(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - n);
  return d.toISOString().slice(0, 10);
}

/** Events: `update` (MeterSnapshot), `nudge` (Nudge: to show as a notification now). */
export class Meter extends EventEmitter {
  private nudgeMemory: NudgeMemory = emptyNudgeMemory();
  private prices: PriceTable;
  private priceOverrideErrors: string[] = [];
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
    this.prices = this.pricesFor(options.settings);
    this.source = this.createSource();
    this.snapshotValue = this.compute();
  }

  private timeZone(): string {
    return this.options.settings.timeZone || systemTimeZone();
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

  /** Turns, habits, cache lifetime and next-turn cost of one session. */
  sessionDetail(sessionId: string, report: Report | undefined = this.snapshotValue.report): SessionDetail | undefined {
    const engine = this.source.engine;
    const session = report?.sessions.find((s) => s.sessionId === sessionId);
    if (engine.sessionEntries(sessionId).size === 0) {
      return undefined;
    }
    const turns = sessionTurns(engine, sessionId);
    const habits = turnHabits(turns);
    const ttl = cacheTtlMs(engine, sessionId);
    const lastMain = [...turns].reverse().find((t) => !t.sidechain && t.promptTokens > 0);
    const context = session?.contextTokens ?? lastMain?.promptTokens ?? null;
    const model = session?.currentModel ?? lastMain?.model;
    return {
      sessionId,
      turns,
      habits,
      cacheTtlMs: ttl,
      lastActivityMs: lastMainActivityMs(engine, sessionId),
      nextTurn: model !== undefined && model !== null && context !== null ? nextTurnCost(this.prices, model, context, habits, ttl, this.now()) : null,
      whatIf: modelWhatIf(engine, this.prices, sessionId),
      spikes: findSpikes(turns),
    };
  }

  private range(since: string, until: string): RangeBreakdown {
    const r = buildReport(this.source.engine, { since, until, cache: this.cache });
    return {
      since,
      until,
      costUSD: r.totals.costUSD,
      byProject: r.projects.map((p) => ({ project: p.project, costUSD: p.costUSD })).sort((a, b) => b.costUSD - a.costUSD),
      byModel: r.models.map((m) => ({ model: m.model, costUSD: m.costUSD })).sort((a, b) => (b.costUSD ?? 0) - (a.costUSD ?? 0)),
    };
  }

  private compute(): MeterSnapshot {
    const engine = this.source.engine;
    const status = toStatus(this.source.state);
    // No report while the first scan merges: building one over a growing
    // engine every throttle interval would block the extension host for
    // longer and longer; the status bar shows the scan's progress instead.
    const ready = status.kind === 'ready';
    const settings = this.options.settings;
    const report = ready ? buildReport(engine, { cache: this.cache, contextWindowOverride: settings.contextWindow || undefined }) : undefined;
    const current = report
      ? pickCurrentSession(report.sessions, this.options.workspaceFolders, settings['currentSession.scope'], this.options.pinnedSession)
      : { sessionId: undefined, reason: 'none' as const };
    const nowMs = this.now();
    const today = engine.days.dayOf(nowMs);
    const updatedAtMs = this.source.lastChangeMs || nowMs;
    const formatTime = this.options.formatTime ?? ((ms: number) => new Date(ms).toLocaleTimeString());
    const session = current.sessionId !== undefined ? report?.sessions.find((s) => s.sessionId === current.sessionId) : undefined;
    const currentDetail = session ? this.sessionDetail(session.sessionId, report) : undefined;
    const todayUSD = report?.days.find((d) => d.date === today)?.costUSD ?? 0;
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
    const ranges = report ? { today: this.range(today, today), week: this.range(daysBefore(today, 6), today) } : undefined;
    return {
      report,
      nudges,
      currentDetail,
      ranges,
      priceOverrideErrors: this.priceOverrideErrors,
      current,
      status: buildStatusModel({ status, report, current, settings, today, updatedAtMs, formatTime, nudges }),
      source: status,
      today,
      updatedAtMs,
      sequence: ++this.sequence,
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
    const pricesChanged = JSON.stringify(before.priceOverrides) !== JSON.stringify(settings.priceOverrides);
    if (pricesChanged) {
      this.prices = this.pricesFor(settings);
    }
    if (zoneChanged || dirsChanged || pricesChanged) {
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
