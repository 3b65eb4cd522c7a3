/**
 * Messages between the extension host's `RemoteMeter` and the meter running
 * in its worker thread (`meter-worker.ts`). Everything here is plain data:
 * it crosses the thread boundary by structured clone.
 */
import type { Nudge } from '../../core/nudges';
import type { Settings } from '../../core/settings';
import type { MeterOptions, SessionDetail } from './meter';
import type { MeterSnapshot } from './meter-view';
import type { ExportStatus } from './meter-export';

/**
 * The meter's options that are data: all of `MeterOptions` but the price
 * table (the worker uses the bundled one), the log (it comes back as
 * messages) and the clock and time format (the worker's own).
 */
export type MeterWorkerOptions = Omit<MeterOptions, 'prices' | 'log' | 'formatTime' | 'now'>;

/** The calls whose end the host waits for. */
export type MeterCall = { method: 'start' } | { method: 'rebuild' } | { method: 'updateSettings'; settings: Settings } | { method: 'dispose' };

export type ToMeterWorker =
  | { type: 'init'; options: MeterWorkerOptions }
  | ({ type: 'call'; id: number } & MeterCall)
  | { type: 'setWorkspaceFolders'; folders: readonly string[] }
  | { type: 'setPinnedSession'; sessionId: string | undefined }
  | { type: 'snooze'; key: string }
  | { type: 'watchSession'; sessionId: string | undefined }
  /** The team export's token (from the host's secret storage); undefined: none. */
  | { type: 'setExportToken'; token: string | undefined };

/** The details of the watched session, sent with every snapshot. */
export interface WatchedDetail {
  sessionId: string;
  detail: SessionDetail | undefined;
}

export type FromMeterWorker =
  | { type: 'update'; snapshot: MeterSnapshot; watched: WatchedDetail | undefined }
  /** The watched session's details, between snapshots (it was just chosen). */
  | { type: 'detail'; watched: WatchedDetail }
  | { type: 'nudge'; nudge: Nudge }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  /** The team export's state (undefined: off). */
  | { type: 'export'; status: ExportStatus }
  | { type: 'done'; id: number; error: string | undefined };
