import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundledPriceTable } from '../../../../src/core/pricing/price-table';
import { buildReport } from '../../../../src/core/report';
import { LiveSource } from '../../../../src/node/live/live-source';
import { SCAN_LOCK } from '../../../../src/node/live/live-index';
import { assistantLine } from '../../support/lines';

const S = 'ffffffff-0000-4000-8000-000000000016';
const T = 'ffffffff-0000-4000-8000-000000000017';
const U = 'ffffffff-0000-4000-8000-000000000018';
const V = 'ffffffff-0000-4000-8000-000000000019';
const W = 'ffffffff-0000-4000-8000-000000000020';

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('LiveSource with its index (warm starts)', function () {
  this.timeout(20_000);
  let home = '';
  let storage = '';
  const sources: LiveSource[] = [];
  const logs: string[] = [];
  const projects = () => path.join(home, '.claude', 'projects');
  const file = (session: string) => path.join(projects(), '-work-p', `${session}.jsonl`);
  const line = (id: string, output: number, session: string) => assistantLine({ session, id, req: `r_${id}`, output, input: 1 }) + '\n';

  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-index-'));
    storage = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-index-storage-'));
    fs.mkdirSync(path.dirname(file(S)), { recursive: true });
    logs.length = 0;
  });

  afterEach(async () => {
    for (const s of sources.splice(0)) {
      await s.dispose();
    }
    fs.rmSync(home, { recursive: true, force: true });
    fs.rmSync(storage, { recursive: true, force: true });
  });

  async function start(indexDir: string | undefined): Promise<LiveSource> {
    const s = new LiveSource({ prices: bundledPriceTable(), timeZone: 'UTC', env: {}, home, rootPollMs: 0, indexDir, indexSaveMs: 50, log: (_l, m) => logs.push(m) });
    sources.push(s);
    await s.start();
    return s;
  }

  async function stop(s: LiveSource): Promise<void> {
    sources.splice(sources.indexOf(s), 1);
    await s.dispose();
  }

  /** What a user sees: everything in the report but its cache-dependent nothing. */
  const figures = (s: LiveSource) => {
    const r = buildReport(s.engine);
    return { totals: r.totals, skipped: r.skipped, sessions: r.sessions, days: r.days };
  };

  function writeTree(): void {
    fs.writeFileSync(file(S), line('a', 10, S) + line('b', 20, S));
    fs.writeFileSync(file(T), line('x', 100, T) + line('y', 200, T));
    fs.writeFileSync(file(U), line('u', 1000, U));
    fs.writeFileSync(file(V), line('v', 3, V) + line('a', 10, V)); // 'a' again: de-duplicated across files
  }

  it('a warm start gives the cold totals after appends, rewrites, deletions and new files, reading only what changed', async () => {
    writeTree();
    const first = await start(storage);
    assert.equal(first.index?.lastScan?.reread, 4);
    await stop(first);
    // Between the two starts:
    fs.appendFileSync(file(S), line('c', 5, S)); // appended
    fs.writeFileSync(file(T), line('x', 100, T) + line('z', 7, T) + line('y2', 9, T)); // rewritten (grew, other bytes)
    fs.rmSync(file(U)); // deleted
    fs.writeFileSync(file(W), line('w', 40, W) + line('b', 20, W)); // added, with a copy of a call of S
    const warm = await start(storage);
    const scan = warm.index?.lastScan;
    assert.deepEqual({ replayed: scan?.replayed, appended: scan?.appended, reread: scan?.reread, rejected: scan?.rejected }, { replayed: 1, appended: 1, reread: 2, rejected: undefined });
    assert.ok(logs.some((m) => m.startsWith('index: replayed 1 file(s), read on 1, read 2 from the start')));
    const cold = await start(undefined);
    assert.equal(cold.index, undefined);
    assert.deepEqual(figures(warm), figures(cold));
    assert.equal(figures(warm).totals.outputTokens, 10 + 20 + 5 + 100 + 7 + 9 + 3 + 40);
  });

  it('keeps live appends in the index: the next start reads nothing', async () => {
    writeTree();
    const first = await start(storage);
    fs.appendFileSync(file(S), line('c', 5, S));
    fs.writeFileSync(file(W), line('w', 40, W));
    await waitFor('live reads', () => figures(first).totals.outputTokens === 1333 + 45);
    const saves = first.index?.saves ?? 0;
    await waitFor('a debounced save', () => (first.index?.saves ?? 0) > saves);
    const expected = figures(first);
    await stop(first);
    const warm = await start(storage);
    assert.deepEqual(warm.index?.lastScan, { bytes: 0, replayed: 5, appended: 0, reread: 0, workers: 0, rejected: undefined });
    assert.deepEqual(figures(warm), expected);
  });

  for (const [name, damage, reason] of [
    ['corrupt', (f: string) => fs.writeFileSync(f, '{"version":4,"files":{'), 'corrupt (not JSON)'],
    ['truncated', (f: string) => fs.truncateSync(f, Math.floor(fs.statSync(f).size / 2)), 'corrupt (not JSON)'],
    ['foreign', (f: string) => fs.writeFileSync(f, JSON.stringify({ version: 4, engineKey: 'another build', files: {} })), 'another version'],
    ['old-version', (f: string) => fs.writeFileSync(f, JSON.stringify({ version: 3, files: {} })), 'another version'],
  ] as const) {
    it(`a ${name} index falls back to a cold scan with nothing lost`, async () => {
      writeTree();
      await stop(await start(storage));
      const indexFile = path.join(storage, fs.readdirSync(storage).find((n) => n.startsWith('index-v'))!);
      damage(indexFile);
      fs.appendFileSync(file(S), line('c', 5, S));
      const warm = await start(storage);
      assert.equal(warm.index?.lastScan?.rejected, reason);
      assert.equal(warm.index?.lastScan?.reread, 4);
      assert.ok(logs.some((m) => m.includes(`index not used: ${reason}; scanned cold`)));
      const cold = await start(undefined);
      assert.deepEqual(figures(warm), figures(cold));
      // And a good index is written in its place.
      await stop(warm);
      const again = await start(storage);
      assert.equal(again.index?.lastScan?.replayed, 4);
    });
  }

  it('never writes its index inside a Claude folder', async () => {
    writeTree();
    const inside = path.join(home, '.claude', 'cost-meter-index');
    await stop(await start(inside));
    assert.equal(fs.existsSync(inside), false);
  });

  describe('several windows sharing one storage folder', () => {
    it('two starting together: one scans, the other waits and starts warm, with the same totals', async () => {
      writeTree();
      const [a, b] = await Promise.all([start(storage), start(storage)]);
      const scans = [a.index?.lastScan, b.index?.lastScan];
      assert.equal(scans.filter((x) => x?.reread === 4).length, 1, JSON.stringify(scans));
      assert.equal(scans.filter((x) => x?.replayed === 4 && x.reread === 0 && x.bytes === 0).length, 1, JSON.stringify(scans));
      assert.ok(logs.includes('index: another window is scanning; waiting for its index'));
      assert.deepEqual(figures(a), figures(b));
      assert.equal(fs.existsSync(path.join(storage, SCAN_LOCK)), false);
    });

    it('a scan lock left by a window that died is taken over at once', async () => {
      writeTree();
      fs.mkdirSync(storage, { recursive: true });
      fs.writeFileSync(path.join(storage, SCAN_LOCK), JSON.stringify({ pid: 4194305, host: os.hostname(), nonce: 'dead' }));
      const t0 = Date.now();
      const s = await start(storage);
      assert.ok(Date.now() - t0 < 3000);
      assert.equal(s.index?.lastScan?.reread, 4);
      assert.equal(fs.existsSync(path.join(storage, SCAN_LOCK)), false);
    });

    it('when one window stops, the other keeps tailing and keeping the index', async () => {
      writeTree();
      const a = await start(storage);
      const b = await start(storage);
      assert.equal(b.index?.lastScan?.reread, 0);
      await stop(a);
      const saves = b.index?.saves ?? 0;
      fs.appendFileSync(file(S), line('c', 5, S));
      await waitFor('the append in the other window', () => figures(b).totals.outputTokens === 1333 + 5);
      await waitFor('its save', () => (b.index?.saves ?? 0) > saves);
      await stop(b);
      const c = await start(storage);
      assert.deepEqual(c.index?.lastScan, { bytes: 0, replayed: 4, appended: 0, reread: 0, workers: 0, rejected: undefined });
      assert.equal(figures(c).totals.outputTokens, 1333 + 5);
    });
  });
});
