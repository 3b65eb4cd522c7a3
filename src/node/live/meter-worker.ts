/**
 * The meter's own thread. In the extension host, the whole meter runs here:
 * merging the first scan's results, the live engine, building reports and
 * snapshots. The host's thread only receives finished snapshots (a few
 * milliseconds to deserialise on a 1 GB history), so neither the first scan
 * nor a live update can hold it for long.
 */
import { parentPort } from 'node:worker_threads';
import type { Nudge } from '../../core/nudges';
import type { Settings } from '../../core/settings';
import { bundledPriceTable } from '../../core/pricing/price-table';
import { Meter } from './meter';
import type { MeterSnapshot } from './meter-view';
import { MeterExport } from './meter-export';
import type { FromMeterWorker, ToMeterWorker, WatchedDetail } from './meter-protocol';

function describe(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

if (parentPort) {
  const port = parentPort;
  const post = (m: FromMeterWorker): void => port.postMessage(m);
  let meter: Meter | undefined;
  let watchedId: string | undefined;
  // The team export lives here, beside the meter: pushing never touches the extension host's thread.
  const exporter = new MeterExport({
    figures: (label) => meter?.exportFigures(label),
    log: (level, message) => post({ type: 'log', level, message }),
    onStatus: (status) => post({ type: 'export', status }),
  });

  const watched = (snapshot: MeterSnapshot): WatchedDetail | undefined => {
    if (meter === undefined || watchedId === undefined) {
      return undefined;
    }
    // The current session's details are in the snapshot already.
    if (snapshot.currentDetail?.sessionId === watchedId) {
      return { sessionId: watchedId, detail: snapshot.currentDetail };
    }
    return { sessionId: watchedId, detail: meter.sessionDetail(watchedId, snapshot.report) };
  };
  const sendUpdate = (snapshot: MeterSnapshot): void => {
    post({ type: 'update', snapshot, watched: watched(snapshot) });
    if (snapshot.report !== undefined) {
      exporter.changed();
    }
  };

  const run = async (id: number, work: () => Promise<void>): Promise<void> => {
    let error: string | undefined;
    try {
      await work();
    } catch (err) {
      error = describe(err);
    }
    post({ type: 'done', id, error });
  };

  const configureExport = (settings: Settings): void => {
    try {
      exporter.configure(settings);
    } catch (err) {
      post({ type: 'log', level: 'error', message: `team export not started: ${describe(err)}` });
    }
  };

  port.on('message', (m: ToMeterWorker) => {
    if (m.type === 'init') {
      meter = new Meter({
        ...m.options,
        prices: bundledPriceTable(),
        log: (level, message) => post({ type: 'log', level, message }),
      });
      meter.on('update', sendUpdate);
      configureExport(m.options.settings);
      meter.on('nudge', (nudge: Nudge) => post({ type: 'nudge', nudge }));
      sendUpdate(meter.snapshot);
      return;
    }
    const current = meter;
    if (current === undefined) {
      post({ type: 'log', level: 'error', message: `meter worker: "${m.type}" before "init", ignored` });
      return;
    }
    switch (m.type) {
      case 'call':
        switch (m.method) {
          case 'start':
            void run(m.id, () => current.start());
            return;
          case 'rebuild':
            void run(m.id, () => current.rebuild());
            return;
          case 'updateSettings':
            configureExport(m.settings);
            void run(m.id, () => current.updateSettings(m.settings));
            return;
          case 'dispose':
            void run(m.id, async () => {
              // The last push, while the meter still has its figures.
              await exporter.flush().catch((err: unknown) => post({ type: 'log', level: 'warn', message: `team export: ${describe(err)}` }));
              meter = undefined;
              await current.dispose();
            });
            return;
          default: {
            const never: never = m;
            return never;
          }
        }
      case 'setWorkspaceFolders':
        current.setWorkspaceFolders(m.folders);
        return;
      case 'setPinnedSession':
        current.setPinnedSession(m.sessionId);
        return;
      case 'snooze':
        current.snooze(m.key);
        return;
      case 'setExportToken':
        exporter.setToken(m.token);
        return;
      case 'watchSession':
        watchedId = m.sessionId;
        {
          const w = watched(current.snapshot);
          if (w !== undefined) {
            post({ type: 'detail', watched: w });
          }
        }
        return;
      default: {
        const never: never = m;
        return never;
      }
    }
  });
}
