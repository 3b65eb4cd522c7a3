/**
 * The meter's own thread. In the extension host, the whole meter runs here:
 * merging the first scan's results, the live engine, building reports and
 * snapshots. The host's thread only receives finished snapshots (a few
 * milliseconds to deserialise on a 1 GB history), so neither the first scan
 * nor a live update can hold it for long.
 */
import { parentPort } from 'node:worker_threads';
import type { Nudge } from '../../core/nudges';
import { bundledPriceTable } from '../../core/pricing/price-table';
import { Meter, type MeterSnapshot } from './meter';
import type { FromMeterWorker, ToMeterWorker, WatchedDetail } from './meter-protocol';

function describe(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

if (parentPort) {
  const port = parentPort;
  const post = (m: FromMeterWorker): void => port.postMessage(m);
  let meter: Meter | undefined;
  let watchedId: string | undefined;

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
  const sendUpdate = (snapshot: MeterSnapshot): void => post({ type: 'update', snapshot, watched: watched(snapshot) });

  const run = async (id: number, work: () => Promise<void>): Promise<void> => {
    let error: string | undefined;
    try {
      await work();
    } catch (err) {
      error = describe(err);
    }
    post({ type: 'done', id, error });
  };

  port.on('message', (m: ToMeterWorker) => {
    if (m.type === 'init') {
      meter = new Meter({
        ...m.options,
        prices: bundledPriceTable(),
        log: (level, message) => post({ type: 'log', level, message }),
      });
      meter.on('update', sendUpdate);
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
            void run(m.id, () => current.updateSettings(m.settings));
            return;
          case 'dispose':
            void run(m.id, async () => {
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
