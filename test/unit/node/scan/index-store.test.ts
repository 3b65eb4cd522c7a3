import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../../../../src/core/engine';
import { bundledPriceTable } from '../../../../src/core/pricing/price-table';
import { buildReport } from '../../../../src/core/report';
import { engineKey, finishWarmScan, warmScan, type WarmScanResult } from '../../../../src/node/scan/warm-scan';
import { scanAllSync } from '../../support/scan';
import { assistantLine } from '../../support/lines';

const prices = bundledPriceTable();
const KEY = engineKey(prices.data, 'test');
const S = '12121212-0000-4000-8000-000000000012';
const GOLDEN = path.resolve(__dirname, '../../../../../test/fixtures/golden/projects');

function copyDir(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true });
}

describe('the persisted index (warm start)', () => {
  let temp = '';
  let projects = '';
  let cache = '';

  beforeEach(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-index-'));
    projects = path.join(temp, 'projects');
    cache = path.join(temp, 'cache');
    copyDir(GOLDEN, projects);
  });

  afterEach(() => {
    fs.rmSync(temp, { recursive: true, force: true });
  });

  /** One CLI-like run: warm scan, build, store. */
  async function run(key = KEY, reportKey = 'r'): Promise<{ scan: WarmScanResult; json: string }> {
    const engine = new Engine({ prices, timeZone: 'UTC' });
    const scan = await warmScan(engine, [projects], { cacheDir: cache, engineKey: key, reportKey });
    if (scan.cachedReport !== undefined) {
      return { scan, json: scan.cachedReport };
    }
    const json = JSON.stringify(buildReport(engine));
    assert.equal(finishWarmScan(cache, scan, reportKey, json), undefined);
    return { scan, json };
  }

  function cold(): string {
    const engine = new Engine({ prices, timeZone: 'UTC' });
    const summary = scanAllSync(engine, [projects]);
    assert.deepEqual(summary.problems, []);
    return JSON.stringify(buildReport(engine));
  }

  const file = () => path.join(projects, '-work-beta', '22222222-bbbb-4bbb-8bbb-222222222222.jsonl');
  /** The last report is kept in a small file of its own; without it the index itself is read. */
  const dropStoredReport = () => {
    for (const f of fs.readdirSync(cache).filter((n) => n.startsWith('report-'))) {
      fs.rmSync(path.join(cache, f));
    }
  };

  it('gives exactly the cold result, first from files, then from the index', async () => {
    const first = await run();
    assert.equal(first.scan.reread, 6);
    assert.equal(first.json, cold());
    const second = await run();
    assert.ok(second.scan.cachedReport !== undefined, 'nothing changed: the stored report is reused');
    assert.equal(second.json, first.json);
    const otherOptions = await run(KEY, 'other-report-key');
    assert.equal(otherOptions.scan.replayed, 6, 'other options: every file replayed from the index, none read');
    assert.equal(otherOptions.scan.bytesRead, 0);
    assert.equal(otherOptions.json, cold());
  });

  it('reads an appended file only from its offset (size change)', async () => {
    await run();
    fs.appendFileSync(file(), assistantLine({ session: '22222222-bbbb-4bbb-8bbb-222222222222', id: 'msg_new', req: 'req_new', output: 77, ts: '2026-11-22T03:00:00.000Z' }) + '\n');
    const r = await run();
    assert.equal(r.scan.appended, 1);
    assert.equal(r.scan.replayed, 5);
    assert.ok(r.scan.bytesRead < 1000, `read only the new line (${r.scan.bytesRead} bytes)`);
    assert.equal(r.json, cold());
  });

  it('re-reads a file whose mtime changed with the same size', async () => {
    await run();
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(file(), later, later);
    const r = await run();
    assert.equal(r.scan.reread, 1);
    assert.equal(r.json, cold());
  });

  it('re-reads a truncated file and forgets a deleted one', async () => {
    await run();
    const text = fs.readFileSync(file(), 'utf8').split('\n');
    fs.writeFileSync(file(), text.slice(0, 3).join('\n') + '\n');
    const truncated = await run();
    assert.equal(truncated.scan.reread, 1);
    assert.equal(truncated.json, cold());
    fs.rmSync(path.join(projects, '-work-beta', 'agent-1234abcd.jsonl'));
    const deleted = await run();
    assert.equal(deleted.scan.files, 5);
    assert.equal(deleted.json, cold());
  });

  it('rebuilds on a version bump and on a corrupt or half-written index, never trusting it', async () => {
    await run();
    const bumped = await run('another-engine-version');
    assert.equal(bumped.scan.indexRejected, 'another version');
    assert.equal(bumped.scan.reread, 6);
    assert.equal(bumped.json, cold());
    const indexFile = fs.readdirSync(cache).find((f) => f.startsWith('index-'));
    assert.ok(indexFile);
    dropStoredReport();
    const full = fs.readFileSync(path.join(cache, indexFile), 'utf8');
    fs.writeFileSync(path.join(cache, indexFile), full.slice(0, Math.floor(full.length / 2)));
    const corrupt = await run('another-engine-version');
    assert.equal(corrupt.scan.indexRejected, 'corrupt (not JSON)');
    assert.equal(corrupt.json, cold());
  });

  it('ignores a stored file entry of the wrong shape', async () => {
    await run();
    const indexFile = path.join(cache, fs.readdirSync(cache).find((f) => f.startsWith('index-')) ?? '');
    const index = JSON.parse(fs.readFileSync(indexFile, 'utf8')) as { files: Record<string, { calls: unknown[] }>; report: unknown };
    index.report = null;
    dropStoredReport();
    const entry = index.files[file()];
    assert.ok(entry);
    entry.calls = [['garbage']];
    fs.writeFileSync(indexFile, JSON.stringify(index));
    const r = await run();
    assert.equal(r.scan.reread, 1);
    assert.equal(r.json, cold());
  });

  it('writes atomically: no temporary file is left behind', async () => {
    await run();
    fs.appendFileSync(file(), assistantLine({ session: S, id: 'x2', req: 'r2' }) + '\n');
    await run();
    assert.deepEqual(
      fs.readdirSync(cache).filter((f) => f.endsWith('.tmp')),
      [],
    );
  });
});
