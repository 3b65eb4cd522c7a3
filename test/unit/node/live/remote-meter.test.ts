/**
 * The meter in a worker thread, as the extension runs it: the host side sees
 * the same snapshots, details, pins and settings as with a `Meter` on its own
 * thread, and the worker is started again when it dies.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { bundledPriceTable } from '../../../../src/core/pricing/price-table';
import { defaultSettings, type Settings } from '../../../../src/core/settings';
import { Meter } from '../../../../src/node/live/meter';
import type { MeterSnapshot, MeterView } from '../../../../src/node/live/meter-view';
import { RemoteMeter, type RemoteMeterOptions } from '../../../../src/node/live/remote-meter';
import { assistantLine } from '../../support/lines';

const METER_WORKER = path.resolve(__dirname, '../../../../src/node/live/meter-worker.js');

/** Resolves with the first snapshot (the current one included) that `test` accepts. */
function nextSnapshot(meter: MeterView, test: (s: MeterSnapshot) => boolean, timeoutMs = 20_000): Promise<MeterSnapshot> {
  if (test(meter.snapshot)) {
    return Promise.resolve(meter.snapshot);
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      meter.off('update', onUpdate);
      reject(new Error('no such snapshot in time'));
    }, timeoutMs);
    const onUpdate = (s: MeterSnapshot) => {
      if (test(s)) {
        clearTimeout(timer);
        meter.off('update', onUpdate);
        resolve(s);
      }
    };
    meter.on('update', onUpdate);
  });
}

describe('RemoteMeter (the meter in its worker thread)', function () {
  this.timeout(30_000);
  let temp = '';
  let claude = '';
  const meters: MeterView[] = [];

  beforeEach(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-remote-'));
    claude = path.join(temp, 'claude');
    const a = path.join(claude, 'projects', '-work-a');
    const b = path.join(claude, 'projects', '-work-b');
    fs.mkdirSync(a, { recursive: true });
    fs.mkdirSync(b, { recursive: true });
    fs.writeFileSync(
      path.join(a, 'sess-a.jsonl'),
      [
        assistantLine({ session: 'sess-a', cwd: '/work/a', id: 'm1', req: 'r1', input: 10, output: 20, w1: 1000, read: 5000, ts: '2026-11-20T10:00:00.000Z' }),
        assistantLine({ session: 'sess-a', cwd: '/work/a', id: 'm2', req: 'r2', input: 3, output: 40, w5: 200, read: 6000, ts: '2026-11-20T10:01:00.000Z' }),
      ].join('\n') + '\n',
    );
    fs.writeFileSync(
      path.join(b, 'sess-b.jsonl'),
      assistantLine({ session: 'sess-b', cwd: '/work/b', model: 'claude-opus-4-6', id: 'm3', req: 'r3', input: 7, output: 90, w1: 300, read: 900, ts: '2026-11-21T09:00:00.000Z' }) + '\n',
    );
  });

  afterEach(async () => {
    await Promise.all(meters.splice(0).map((m) => m.dispose()));
    fs.rmSync(temp, { recursive: true, force: true });
  });

  const settings = (over: Partial<Settings> = {}): Settings => ({ ...defaultSettings(), timeZone: 'UTC', ...over });
  const remote = (over: Partial<RemoteMeterOptions> = {}): RemoteMeter => {
    const m = new RemoteMeter({ meterWorkerPath: METER_WORKER, settings: settings(), workspaceFolders: ['/work/a'], env: { CLAUDE_CONFIG_DIR: claude }, home: temp, rootPollMs: 0, throttleMs: 0, ...over });
    meters.push(m);
    return m;
  };
  const local = (s: Settings = settings()): Meter => {
    const m = new Meter({ prices: bundledPriceTable(), settings: s, workspaceFolders: ['/work/a'], env: { CLAUDE_CONFIG_DIR: claude }, home: temp, rootPollMs: 0, throttleMs: 0 });
    meters.push(m);
    return m;
  };
  const withoutClock = (s: MeterSnapshot) => ({ ...s, updatedAtMs: 0, sequence: 0, status: { ...s.status, tooltip: s.status.tooltip.replace(/_Updated [^·]*·/, '_Updated ·') } });

  it('has the snapshot a new Meter has before the worker answers, bad price overrides included', () => {
    for (const s of [settings(), settings({ priceOverrides: { 'claude-x': { input: -1 } } as unknown as Settings['priceOverrides'] })]) {
      const r = remote({ settings: s });
      const l = local(s);
      assert.deepEqual(withoutClock(r.snapshot), withoutClock(l.snapshot));
    }
    assert.ok(meters[2]?.snapshot.priceOverrideErrors.length, 'the bad override is reported');
  });

  const withoutCauses = (d: { causes?: unknown } | undefined) => (d === undefined ? undefined : { ...d, causes: undefined });

  it('gives the same report, current session and details as a Meter on this thread', async () => {
    const r = remote();
    const l = local();
    const updates: number[] = [];
    r.on('update', (s: MeterSnapshot) => updates.push(s.sequence));
    await Promise.all([r.start(), l.start()]);
    const rs = await nextSnapshot(r, (s) => s.source.kind === 'ready');
    const ls = l.refreshNow();
    assert.ok(rs.report && ls.report);
    assert.deepEqual(rs.report, ls.report);
    assert.equal(rs.report.sessions.length, 2);
    assert.equal(rs.current.sessionId, 'sess-a', 'the session of the workspace folder');
    // Causes (#20) are read from the files on demand, by each meter in its own time: compared without them.
    assert.deepEqual(withoutCauses(rs.currentDetail), withoutCauses(ls.currentDetail));
    assert.deepEqual(withoutCauses(r.sessionDetail('sess-a')), withoutCauses(ls.currentDetail));
    assert.ok(updates.length >= 2 && updates.every((n, i) => i === 0 || n > (updates[i - 1] ?? 0)), `sequence increases: ${updates.join(',')}`);

    // Another session's details: none until watched, then an update brings them.
    assert.equal(r.sessionDetail('sess-b'), undefined);
    const arrived = nextSnapshot(r, () => r.sessionDetail('sess-b') !== undefined);
    r.watchSession('sess-b');
    await arrived;
    assert.deepEqual(withoutCauses(r.sessionDetail('sess-b')), withoutCauses(l.sessionDetail('sess-b')));
    assert.equal(r.sessionDetail('sess-b')?.sessionId, 'sess-b');
  });

  it('pins, follows workspace folders and applies settings in the worker', async () => {
    const r = remote();
    await r.start();
    await nextSnapshot(r, (s) => s.current.sessionId === 'sess-a');
    r.setPinnedSession('sess-b');
    assert.equal(r.pinnedSession, 'sess-b');
    await nextSnapshot(r, (s) => s.current.sessionId === 'sess-b' && s.current.reason === 'pinned');
    r.setPinnedSession(undefined);
    r.setWorkspaceFolders(['/work/b']);
    await nextSnapshot(r, (s) => s.current.sessionId === 'sess-b' && s.current.reason !== 'pinned');
    await r.updateSettings(settings({ 'statusBar.format': 'TODAY {today}' }));
    const s = await nextSnapshot(r, (x) => x.status.text.includes('TODAY'));
    assert.match(s.status.text, /^\S+ TODAY \$/);
  });

  it('watches as the settings say, in the worker: events by default, polling once set, with the log saying so and appends seen', async () => {
    const logs: string[] = [];
    const projects = path.join(claude, 'projects');
    const r = remote({ log: (level, message) => logs.push(`${level}: ${message}`) });
    await r.start();
    await nextSnapshot(r, (s) => s.report?.totals.outputTokens === 150);
    assert.ok(logs.some((l) => l.startsWith(`info: watching ${projects}: file-system events (`)), logs.join('\n'));
    await r.updateSettings(settings({ 'watcher.mode': 'polling', 'watcher.pollIntervalMs': 200 }));
    assert.ok(logs.some((l) => l === `info: watching ${projects}: polling every 0.2 s (the setting says "polling")`), logs.join('\n'));
    fs.appendFileSync(path.join(projects, '-work-b', 'sess-b.jsonl'), assistantLine({ session: 'sess-b', cwd: '/work/b', id: 'm4', req: 'r4', output: 7, ts: '2026-11-21T09:05:00.000Z' }) + '\n');
    await nextSnapshot(r, (s) => s.report?.totals.outputTokens === 157, 10_000);
    assert.equal(logs.filter((l) => l.startsWith('info: scanned ')).length, 1, 'no second scan');
  });

  it("passes on the worker's log and is started again, with its pin, when the worker dies", async () => {
    const logs: string[] = [];
    const r = remote({ log: (level, message) => logs.push(`${level}: ${message}`), settings: settings({ priceOverrides: { 'claude-x': { input: -1 } } as unknown as Settings['priceOverrides'] }) });
    await r.start();
    r.setPinnedSession('sess-b');
    const before = await nextSnapshot(r, (s) => s.current.sessionId === 'sess-b' && s.report !== undefined);
    assert.ok(logs.some((l) => l.startsWith('warn: price override ignored')), logs.join('\n'));
    const worker = (r as unknown as { worker: Worker }).worker;
    const restarted = nextSnapshot(r, (s) => s.sequence > before.sequence && s.source.kind === 'ready' && s.current.sessionId === 'sess-b');
    await worker.terminate();
    const after = await restarted;
    assert.deepEqual(after.report, before.report);
    assert.ok(logs.some((l) => /^warn: the meter's worker stopped .*starting it again \(1\)/.test(l)), logs.join('\n'));
    assert.notEqual((r as unknown as { worker: Worker }).worker, worker);
  });

  it('after its last restart, says so in the status bar, rejects calls instead of waiting forever, and a rescan starts it again', async () => {
    const logs: string[] = [];
    const r = remote({ maxRestarts: 0, log: (level, message) => logs.push(`${level}: ${message}`) });
    await r.start();
    const ready = await nextSnapshot(r, (s) => s.report !== undefined);
    const failed = new Promise<string>((resolve) => r.once('failed', resolve));
    const stopped = nextSnapshot(r, (s) => s.status.severity === 'error');
    await (r as unknown as { worker: Worker }).worker.terminate();
    assert.match(await failed, /not started again/);
    const shown = await stopped;
    assert.match(shown.status.text, /stopped/);
    assert.match(shown.status.tooltip, /Rescan Transcripts/);
    assert.deepEqual(shown.report, ready.report, 'the last figures stay');
    await assert.rejects(r.start(), /has stopped/);
    await r.updateSettings(settings({ 'statusBar.format': 'TODAY {today}' })); // kept for the next worker
    assert.ok(logs.some((l) => /^error: the meter's worker stopped .*not started again/.test(l)), logs.join('\n'));
    await r.rebuild();
    const again = await nextSnapshot(r, (s) => s.sequence > shown.sequence && s.source.kind === 'ready' && s.report !== undefined);
    assert.match(again.status.text, /TODAY/, 'the next worker has the settings given meanwhile');
    assert.deepEqual(again.report, ready.report);
  });

  it('lets the meter stop, then ends its worker; later calls do nothing and do not hang', async () => {
    const storage = path.join(temp, 'storage');
    const r = remote({ storageDir: storage });
    await r.start();
    await nextSnapshot(r, (s) => s.history !== undefined);
    await new Promise((resolve) => setTimeout(resolve, 100)); // the first history write (after the first scan)
    assert.ok(fs.existsSync(storage));
    fs.rmSync(storage, { recursive: true, force: true });
    // A new call: not written at once (hourly), but when the meter stops.
    fs.appendFileSync(path.join(claude, 'projects', '-work-a', 'sess-a.jsonl'), assistantLine({ session: 'sess-a', cwd: '/work/a', id: 'm9', req: 'r9', ts: '2026-11-20T11:00:00.000Z' }) + '\n');
    await nextSnapshot(r, (s) => s.report?.totals.messages === 4);
    assert.ok(!fs.existsSync(storage));
    const worker = (r as unknown as { worker: Worker }).worker;
    const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
    // The subscriptions' dispose starts it and deactivate asks again: the
    // second call is the same promise, so it too waits for the history.
    const first = r.dispose();
    const second = r.dispose();
    assert.equal(second, first);
    await second;
    assert.ok(fs.existsSync(storage), "the meter's own dispose ran in the worker (it writes the history) before the second call's promise resolved");
    await exited;
    r.setPinnedSession('sess-b');
    await r.rebuild();
    await r.dispose();
  });

  it('a restart is a warm start: the second meter on the same storage replays the index the first wrote', async () => {
    const storage = path.join(temp, 'storage');
    const logs: string[] = [];
    const first = remote({ storageDir: storage, log: (_l, m) => logs.push(m) });
    await first.start();
    const cold = await nextSnapshot(first, (s) => s.source.kind === 'ready' && s.report !== undefined);
    await first.dispose();
    assert.ok(logs.some((m) => m.startsWith('index: replayed 0 file(s), read on 0, read 2 from the start (index not used: none yet; scanned cold)')), logs.join('\n'));
    logs.length = 0;
    const second = remote({ storageDir: storage, log: (_l, m) => logs.push(m) });
    await second.start();
    const warm = await nextSnapshot(second, (s) => s.source.kind === 'ready' && s.report !== undefined);
    assert.ok(logs.includes('index: replayed 2 file(s), read on 0, read 0 from the start'), logs.join('\n'));
    assert.deepEqual(warm.report, cold.report);
  });
});
