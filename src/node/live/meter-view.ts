/**
 * What a meter offers its subscribers: the snapshot it emits and the
 * interface the vscode adapters use (the `Meter`, or a `RemoteMeter`).
 */
import type { CurrentSession } from '../../core/current-session';
import type { LimitsState } from '../../core/limits-view';
import type { Nudge } from '../../core/nudges';
import type { Report } from '../../core/report';
import type { SessionDetail } from '../../core/session-detail';
import type { Settings } from '../../core/settings';
import type { SourceStatus, StatusModel } from '../../core/status-model';
import type { MeterHistory } from './meter-history';
import type { PeriodCauses } from './period-causes';

/**
 * What the vscode adapters use of a meter: the `Meter` itself, or a
 * `RemoteMeter` that runs one in a worker thread. Events: `update`
 * (MeterSnapshot), `nudge` (Nudge: to show as a notification now).
 */
export interface MeterView {
  readonly snapshot: MeterSnapshot;
  readonly pinnedSession: string | undefined;
  /**
   * The details of a session, when known now. Call `watchSession` first: a
   * remote meter has them only for the session it was asked to watch (an
   * `update` follows once they arrive).
   */
  sessionDetail(sessionId: string): SessionDetail | undefined;
  /** The session whose details `sessionDetail` must have at hand (undefined: none). */
  watchSession(sessionId: string | undefined): void;
  start(): Promise<void>;
  rebuild(): Promise<void>;
  updateSettings(settings: Settings): Promise<void>;
  setWorkspaceFolders(folders: readonly string[]): void;
  setPinnedSession(sessionId: string | undefined): void;
  snooze(key: string): void;
  dispose(): Promise<void>;
  on(event: 'update', listener: (s: MeterSnapshot) => void): this;
  on(event: 'nudge', listener: (n: Nudge) => void): this;
  off(event: 'update', listener: (s: MeterSnapshot) => void): this;
  off(event: 'nudge', listener: (n: Nudge) => void): this;
}

export interface MeterSnapshot {
  report: Report | undefined;
  /** Active, not snoozed nudges. */
  nudges: Nudge[];
  /** Details of the current session, when there is one. */
  currentDetail: SessionDetail | undefined;
  /** Budgets, plans, 7/30/90-day ranges and the 30-day chart; undefined before the first scan. */
  history: MeterHistory | undefined;
  /** Where the money went today and in the last 30 days, and this week's cache misses (#20); undefined before the first report. */
  periodCauses?: PeriodCauses | undefined;
  /** Problems with the price override setting, one line each. */
  priceOverrideErrors: string[];
  /** Non-empty for subscribers: the label of every dollar figure ("API-equivalent …"). */
  apiEquivalent: string;
  current: CurrentSession;
  status: StatusModel;
  source: SourceStatus;
  /** The local day (`YYYY-MM-DD`); '' before the source has started (no figure needs it then). */
  today: string;
  updatedAtMs: number;
  /** Plan limits (the 5-hour and weekly windows), when the meter reads them; null otherwise. */
  limits: LimitsState | null;
  /** Increases with every snapshot. */
  sequence: number;
  /** The /compact nudge's thresholds (0: off), for the panel's context gauge. */
  compactThreshold?: { tokens: number; windowShare: number };
}

