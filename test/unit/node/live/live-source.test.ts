import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import fsModule from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundledPriceTable } from '../../../../src/core/pricing/price-table';
import { buildReport } from '../../../../src/core/report';
import { LiveSource } from '../../../../src/node/live/live-source';
import { assistantLine } from '../../support/lines';

const S = 'ffffffff-0000-4000-8000-000000000006';
const T = 'ffffffff-0000-4000-8000-000000000007';

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('LiveSource (real watcher on a temp folder)', function () {
  this.timeout(20_000);
  let home = '';
  let source: LiveSource | undefined;
  const projects = () => path.join(home, '.claude', 'projects');
  const file = (session: string) => path.join(projects(), '-work-p', `${session}.jsonl`);
  const line = (id: string, output: number, session = S) => assistantLine({ session, id, req: `r_${id}`, output, input: 1 }) + '\n';
  const report = () => buildReport(source!.engine);

  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-live-'));
  });

  afterEach(async () => {
    await source?.dispose();
    source = undefined;
    fs.rmSync(home, { recursive: true, force: true });
  });

  async function start(): Promise<LiveSource> {
    source = new LiveSource({ prices: bundledPriceTable(), timeZone: 'UTC', env: {}, home, rootPollMs: 100, log: (l, m) => { if (process.env.CCM_DEBUG) { console.log(l, m); } } });
    await source.start();
    return source;
  }

  it('scans the history in a worker, then reads appended lines only', async () => {
    fs.mkdirSync(path.dirname(file(S)), { recursive: true });
    fs.writeFileSync(file(S), line('a', 10) + line('b', 20));
    const s = await start();
    assert.equal(s.state.kind, 'ready');
    assert.equal(report().totals.outputTokens, 30);
    fs.appendFileSync(file(S), line('c', 5));
    await waitFor('append', () => report().totals.outputTokens === 35);
  });

  it('scans with the workers the setting asks for (firstScanWorkers), gently by default', async () => {
    fs.mkdirSync(path.dirname(file(S)), { recursive: true });
    fs.writeFileSync(file(S), line('a', 10));
    fs.writeFileSync(file(T), line('b', 20, T));
    fs.writeFileSync(path.join(path.dirname(file(S)), 'ffffffff-0000-4000-8000-000000000008.jsonl'), line('c', 30, 'ffffffff-0000-4000-8000-000000000008'));
    const scans: string[] = [];
    for (const firstScanWorkers of [undefined, 2]) {
      const logged: string[] = [];
      const s = new LiveSource({ prices: bundledPriceTable(), timeZone: 'UTC', env: {}, home, rootPollMs: 0, firstScanWorkers, log: (_l, m) => logged.push(m) });
      source = s;
      await s.start();
      assert.equal(report().totals.outputTokens, 60);
      scans.push(logged.find((m) => m.startsWith('scanned ')) ?? logged.join('\n'));
      await s.dispose();
      source = undefined;
    }
    assert.match(scans[0]!, /^scanned 3 transcript file\(s\), .* \(1 scan worker\(s\)\)$/);
    assert.match(scans[1]!, /\(2 scan worker\(s\)\)$/);
  });

  it('waits for a partial last line to get its newline', async () => {
    fs.mkdirSync(path.dirname(file(S)), { recursive: true });
    fs.writeFileSync(file(S), line('a', 10));
    const s = await start();
    const next = line('b', 7);
    fs.appendFileSync(file(S), next.slice(0, 25));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(report().totals.outputTokens, 10);
    assert.equal(s.pendingFiles(), 1);
    fs.appendFileSync(file(S), next.slice(25));
    await waitFor('completed line', () => report().totals.outputTokens === 17);
    assert.equal(report().skipped.malformedLines, 0);
  });

  it('re-reads a file that was truncated or replaced, and withdraws a deleted one', async () => {
    fs.mkdirSync(path.dirname(file(S)), { recursive: true });
    fs.writeFileSync(file(S), line('a', 10) + line('b', 20));
    fs.writeFileSync(file(T), line('x', 100, T));
    await start();
    assert.equal(report().totals.outputTokens, 130);
    fs.writeFileSync(file(S), line('a', 10));
    await waitFor('truncation', () => report().totals.outputTokens === 110);
    const tmp = `${file(S)}.tmp`;
    fs.writeFileSync(tmp, line('z', 1));
    fs.renameSync(tmp, file(S));
    await waitFor('replacement', () => report().totals.outputTokens === 101);
    fs.rmSync(file(T));
    await waitFor('deletion', () => report().totals.outputTokens === 1);
  });

  it('picks up new files (a /clear session, a subagent)', async () => {
    fs.mkdirSync(path.dirname(file(S)), { recursive: true });
    fs.writeFileSync(file(S), line('a', 10));
    await start();
    fs.writeFileSync(file(T), line('n', 3, T));
    const sub = path.join(projects(), '-work-p', S, 'subagents', 'agent-1.jsonl');
    fs.mkdirSync(path.dirname(sub), { recursive: true });
    fs.writeFileSync(sub, assistantLine({ session: S, id: 'sub', req: 'rs', side: true, output: 4 }) + '\n');
    await waitFor('new files', () => report().totals.outputTokens === 17);
    assert.equal(report().sessions.length, 2);
  });

  it('withdraws every file of a project folder that is deleted, and reads one moved in whole', async () => {
    fs.mkdirSync(path.dirname(file(S)), { recursive: true });
    fs.writeFileSync(file(S), line('a', 10));
    const other = path.join(projects(), '-work-q');
    fs.mkdirSync(path.join(other, T, 'subagents'), { recursive: true });
    fs.writeFileSync(path.join(other, `${T}.jsonl`), line('t', 100, T));
    fs.writeFileSync(path.join(other, T, 'subagents', 'agent-1.jsonl'), assistantLine({ session: T, id: 'sub', req: 'rs', side: true, output: 1000 }) + '\n');
    const s = await start();
    assert.equal(report().totals.outputTokens, 1110);
    fs.rmSync(other, { recursive: true });
    await waitFor('deleted folder withdrawn', () => report().totals.outputTokens === 10);
    // A folder (with a subfolder) prepared elsewhere and moved in at once: no event ever names its files.
    const staged = path.join(home, 'staged');
    fs.mkdirSync(path.join(staged, T, 'subagents'), { recursive: true });
    fs.writeFileSync(path.join(staged, `${T}.jsonl`), line('t', 100, T));
    fs.writeFileSync(path.join(staged, T, 'subagents', 'agent-1.jsonl'), assistantLine({ session: T, id: 'sub', req: 'rs', side: true, output: 1000 }) + '\n');
    fs.renameSync(staged, other);
    await waitFor('moved-in folder read', () => report().totals.outputTokens === 1110);
    // Its subfolder is watched too: an append there is seen.
    fs.appendFileSync(path.join(other, T, 'subagents', 'agent-1.jsonl'), assistantLine({ session: T, id: 'sub2', req: 'rs2', side: true, output: 7 }) + '\n');
    await waitFor('append in the moved-in subfolder', () => report().totals.outputTokens === 1117);
    assert.equal(s.state.kind, 'ready');
  });

  it('reads a projects/ folder that is removed and made again', async () => {
    fs.mkdirSync(path.dirname(file(S)), { recursive: true });
    fs.writeFileSync(file(S), line('a', 10));
    await start();
    fs.rmSync(projects(), { recursive: true });
    await waitFor('removed', () => report().totals.outputTokens === 0);
    fs.mkdirSync(path.dirname(file(S)), { recursive: true });
    fs.writeFileSync(file(S), line('b', 20));
    await waitFor('made again', () => report().totals.outputTokens === 20, 8000);
    fs.appendFileSync(file(S), line('c', 5));
    await waitFor('append after', () => report().totals.outputTokens === 25);
  });

  it('is calm with no Claude folder, and picks it up when it appears', async () => {
    const s = await start();
    assert.equal(s.state.kind, 'empty');
    assert.ok(s.lookedAt.some((p) => p.endsWith(path.join('.claude', 'projects'))));
    fs.mkdirSync(path.dirname(file(S)), { recursive: true });
    fs.writeFileSync(file(S), line('a', 10));
    await waitFor('folder appearing', () => s.state.kind === 'ready' && report().totals.outputTokens === 10, 8000);
  });

  it('treats an empty projects/ folder as "no transcripts" until the first file appears', async () => {
    fs.mkdirSync(projects(), { recursive: true });
    const s = await start();
    assert.equal(s.state.kind, 'empty');
    fs.mkdirSync(path.dirname(file(S)), { recursive: true });
    fs.writeFileSync(file(S), line('a', 10));
    await waitFor('first transcript', () => s.state.kind === 'ready' && report().totals.outputTokens === 10);
  });

  /** Counts fs.watch calls while `body` runs (chokidar reads `watch` from the fs module at each call). */
  async function countingWatches<T>(body: (calls: () => number) => Promise<T>, failFrom = Infinity): Promise<T> {
    const realWatch = fsModule.watch;
    let calls = 0;
    fsModule.watch = ((...args: Parameters<typeof fs.watch>) => {
      calls++;
      if (calls >= failFrom) {
        throw Object.assign(new Error('ENOSPC: System limit for number of file watchers reached'), { code: 'ENOSPC' });
      }
      return realWatch(...args);
    }) as typeof fs.watch;
    try {
      return await body(() => calls);
    } finally {
      fsModule.watch = realWatch;
    }
  }

  /** Append, truncation, a new file in a new folder, and a deletion, each seen (by polling, when the source polls). */
  async function seesEveryKindOfChange(timeoutMs: number): Promise<void> {
    fs.appendFileSync(file(S), line('b', 5));
    await waitFor('an append', () => report().totals.outputTokens === 15, timeoutMs);
    fs.writeFileSync(file(S), line('t', 3));
    await waitFor('a truncation (file rewritten shorter)', () => report().totals.outputTokens === 3, timeoutMs);
    const sub = path.join(projects(), '-work-new', T, 'subagents', 'agent-1.jsonl');
    fs.mkdirSync(path.dirname(sub), { recursive: true });
    fs.writeFileSync(sub, assistantLine({ session: T, id: 'sub', req: 'rs', side: true, output: 100 }) + '\n');
    await waitFor('a new file in a new folder', () => report().totals.outputTokens === 103, timeoutMs);
    fs.rmSync(file(S));
    await waitFor('a deletion', () => report().totals.outputTokens === 100, timeoutMs);
  }

  it('falls back to polling when the OS watcher limit is hit, says so in the log, and keeps counting', async () => {
    fs.mkdirSync(path.dirname(file(S)), { recursive: true });
    fs.writeFileSync(file(S), line('a', 10));
    const logged: string[] = [];
    source = new LiveSource({ prices: bundledPriceTable(), timeZone: 'UTC', env: {}, home, rootPollMs: 0, pollIntervalMs: 200, log: (_l, m) => logged.push(m) });
    await source.start();
    assert.equal(source.usingPolling, false);
    const watchers = (source as unknown as { watchers: Map<string, { watcher: NodeJS.EventEmitter }> }).watchers;
    watchers.get(projects())!.watcher.emit('error', Object.assign(new Error('inotify watch limit reached'), { code: 'ENOSPC' }));
    assert.equal(source.usingPolling, true);
    assert.ok(logged.some((m) => m.includes('watcher limit reached (ENOSPC)') && m.includes('falling back to polling every 0.2 s')), logged.join('\n'));
    assert.ok(logged.some((m) => m.includes(`watching ${projects()}: polling every 0.2 s (the OS file watcher limit was reached)`)), logged.join('\n'));
    await source.watchersReady();
    await countingWatches(async (calls) => {
      await seesEveryKindOfChange(8000);
      assert.equal(calls(), 0, 'polling uses no fs.watch');
    });
  });

  it('falls back to polling when the OS limit is reached halfway through the first walk, once, and keeps counting', async () => {
    for (const p of ['-a', '-b', '-c', '-d']) {
      fs.mkdirSync(path.join(projects(), p), { recursive: true });
    }
    fs.mkdirSync(path.dirname(file(S)), { recursive: true });
    fs.writeFileSync(file(S), line('a', 10));
    const logged: string[] = [];
    await countingWatches(async (calls) => {
      source = new LiveSource({ prices: bundledPriceTable(), timeZone: 'UTC', env: {}, home, rootPollMs: 0, pollIntervalMs: 200, log: (_l, m) => logged.push(m) });
      await source.start();
      await source.watchersReady();
      assert.ok(calls() >= 3, `the third watch failed (${calls()} calls)`);
      assert.equal(source.usingPolling, true);
      assert.equal(logged.filter((m) => m.includes('falling back to polling')).length, 1, logged.join('\n'));
      assert.equal(report().totals.outputTokens, 10);
      const before = calls();
      fs.appendFileSync(file(S), line('b', 5));
      await waitFor('an append seen by polling', () => report().totals.outputTokens === 15, 8000);
      assert.equal(calls(), before, 'no watch was tried after the fallback');
    }, 3);
  });

  it('polls from the start when asked to (no fs.watch at all), and sees appends, truncation, new files and deletions', async () => {
    fs.mkdirSync(path.dirname(file(S)), { recursive: true });
    fs.writeFileSync(file(S), line('a', 10));
    const logged: string[] = [];
    await countingWatches(async (calls) => {
      source = new LiveSource({ prices: bundledPriceTable(), timeZone: 'UTC', env: {}, home, rootPollMs: 0, watchMode: 'polling', pollIntervalMs: 200, log: (_l, m) => logged.push(m) });
      await source.start();
      await source.watchersReady();
      assert.equal(source.usingPolling, true);
      assert.ok(logged.some((m) => m === `watching ${projects()}: polling every 0.2 s (the setting says "polling")`), logged.join('\n'));
      await seesEveryKindOfChange(8000);
      assert.equal(calls(), 0, 'polling uses no fs.watch');
    });
  });

  it('auto: polls a folder whose file system does not report events, and says why in the log', async () => {
    fs.mkdirSync(path.dirname(file(S)), { recursive: true });
    fs.writeFileSync(file(S), line('a', 10));
    const logged: string[] = [];
    const asked: string[] = [];
    const chooseWatch = (setting: string, dir: string) => {
      asked.push(`${setting} ${dir}`);
      return { polling: true, reason: '/home is NFS (network), where file-system events miss changes made elsewhere' };
    };
    await countingWatches(async (calls) => {
      source = new LiveSource({ prices: bundledPriceTable(), timeZone: 'UTC', env: {}, home, rootPollMs: 0, pollIntervalMs: 200, chooseWatch, log: (_l, m) => logged.push(m) });
      await source.start();
      await source.watchersReady();
      assert.deepEqual(asked, [`auto ${projects()}`]);
      assert.ok(logged.some((m) => m.includes(`watching ${projects()}: polling every 0.2 s (/home is NFS (network)`)), logged.join('\n'));
      await seesEveryKindOfChange(8000);
      assert.equal(calls(), 0);
    });
  });

  it('auto on a local disk: file-system events, said in the log; a settings change switches to polling without a new scan', async () => {
    fs.mkdirSync(path.dirname(file(S)), { recursive: true });
    fs.writeFileSync(file(S), line('a', 10));
    const logged: string[] = [];
    source = new LiveSource({ prices: bundledPriceTable(), timeZone: 'UTC', env: {}, home, rootPollMs: 0, log: (_l, m) => logged.push(m) });
    await source.start();
    assert.equal(source.usingPolling, false);
    assert.ok(logged.some((m) => m.startsWith(`watching ${projects()}: file-system events (`)), logged.join('\n'));
    const scans = () => logged.filter((m) => m.startsWith('scanned ')).length;
    source.setWatching('polling', 200);
    assert.equal(source.usingPolling, true);
    await source.watchersReady();
    await countingWatches(async (calls) => {
      await seesEveryKindOfChange(8000);
      assert.equal(calls(), 0);
    });
    assert.equal(scans(), 1, 'no second scan');
  });
});
