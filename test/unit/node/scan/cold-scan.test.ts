import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../../../../src/core/engine';
import { bundledPriceTable } from '../../../../src/core/pricing/price-table';
import { buildReport } from '../../../../src/core/report';
import { coldScan, startScanWorker } from '../../../../src/node/scan/cold-scan';
import { listTranscriptFiles } from '../../../../src/node/scan/list-files';
import { scanAllSync } from '../../support/scan';
import { newScanBuffer, scanFile } from '../../../../src/node/scan/scan-file';
import { tailHashAt } from '../../../../src/node/scan/file-cursor';
import { assistantLine } from '../../support/lines';

const FIXTURES = path.resolve(__dirname, '../../../../../test/fixtures');
const WORKER = path.resolve(__dirname, '../../../../src/node/scan/scan-worker.js');
const trees = ['golden', 'claude-code-2.1.330-compact', 'claude-code-2.1.330-subagent', 'claude-code-2.1.330-web-search'].map((t) => path.join(FIXTURES, t, 'projects'));

/** Scans `dir` with `coldScan` and checks the report equals a synchronous scan's; returns the scan's result. */
async function sameAsSync(dir: string, options: Parameters<typeof coldScan>[2]): Promise<Awaited<ReturnType<typeof coldScan>>> {
  const sync = new Engine({ prices: bundledPriceTable(), timeZone: 'UTC' });
  scanAllSync(sync, [dir]);
  const engine = new Engine({ prices: bundledPriceTable(), timeZone: 'UTC' });
  const files = listTranscriptFiles(dir);
  const r = await coldScan(engine, files, options);
  assert.equal(r.cursors.size, files.length, dir);
  const a = buildReport(engine);
  const b = buildReport(sync);
  // Torn last lines: the CLI counts them from the cursors (scanAllSync counts them itself).
  const torn = [...r.cursors.values()].filter((c) => c.torn).length;
  assert.equal(a.skipped.malformedLines + torn, b.skipped.malformedLines, dir);
  // Tokens are integers and must match exactly; dollars are sums of products taken in
  // another order (cells merge in another order), so they match to 12 digits.
  const canon = (rep: typeof a) =>
    JSON.stringify({ ...rep, skipped: { ...rep.skipped, malformedLines: 0 }, sessions: [...rep.sessions].sort((x, y) => (x.sessionId < y.sessionId ? -1 : 1)) }, (_k, v: unknown) =>
      typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(12)) : v,
    );
  assert.equal(canon(a), canon(b), dir);
  return r;
}

describe('coldScan (workers, and files read on the calling thread)', () => {
  for (const [label, options] of [
    ['two workers', { workers: 2 }],
    ['two workers, one file per request', { workers: 2, chunkBytes: 1 }],
    ['one worker, and this thread reading', { workers: 1, readHere: true }],
    ['one worker, one file per request, and this thread reading', { workers: 1, readHere: true, chunkBytes: 1 }],
  ] as const) {
    it(`gives the report of a synchronous scan: ${label}`, async () => {
      for (const dir of trees) {
        const r = await sameAsSync(dir, { workerPath: WORKER, ...options });
        assert.deepEqual(r.errors, []);
      }
    });
  }

  /** Runs `body` with a scan worker that runs `prelude` (its own message listener, first) before the real worker; the temp folder is removed after. */
  async function withWrappedWorker(prelude: string, body: (workerPath: string) => Promise<void>): Promise<void> {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-wrappedworker-'));
    try {
      const workerPath = path.join(tmp, 'worker.js');
      fs.writeFileSync(workerPath, `const { parentPort } = require('node:worker_threads');\n${prelude}\nrequire(${JSON.stringify(WORKER)});\n`);
      await body(workerPath);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }

  it('shares the files out as they are read: a slow worker reads only the two requests it was given first', async () => {
    // A worker that sleeps 50 ms per request, one file per request: this
    // thread, reading too, reads every other file meanwhile.
    await withWrappedWorker("parentPort.on('message', () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50));", async (slow) => {
      const dir = trees[0] as string;
      const r = await sameAsSync(dir, { workerPath: slow, workers: 1, readHere: true, chunkBytes: 1 });
      assert.deepEqual(r.errors, []);
      assert.equal(r.filesReadHere, listTranscriptFiles(dir).length - 2);
    });
  });

  it('reads the files of a worker that stopped mid-scan on this thread, and reports it', async () => {
    // The worker exits on its second request, before reading it.
    await withWrappedWorker("let n = 0;\nparentPort.on('message', () => { if (++n === 2) process.exit(3); });", async (dying) => {
      const r = await sameAsSync(trees[0] as string, { workerPath: dying, workers: 1, chunkBytes: 1 });
      assert.equal(r.errors.length, 1, JSON.stringify(r.errors));
      assert.match(r.errors[0]?.message ?? '', /exited \(code 3\)/);
    });
  });

  it('uses a worker started early, and stops one it did not need', async () => {
    const dir = trees[0] as string;
    const sync = new Engine({ prices: bundledPriceTable(), timeZone: 'UTC' });
    scanAllSync(sync, [dir]);
    const engine = new Engine({ prices: bundledPriceTable(), timeZone: 'UTC' });
    const used = startScanWorker(WORKER);
    const spare = startScanWorker(WORKER);
    let sparedExited = false;
    spare.worker.once('exit', () => (sparedExited = true));
    const r = await coldScan(engine, listTranscriptFiles(dir), { workerPath: WORKER, workers: 1, started: [used, spare] });
    assert.equal(r.errors.length, 0);
    assert.equal(buildReport(engine).totals.outputTokens, buildReport(sync).totals.outputTokens);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(sparedExited, true, 'the unused worker was stopped');
    // The used one is stopped too: a second terminate resolves at once.
    assert.equal(await used.worker.terminate(), undefined);
  });

  it('reports a worker that failed before it was used, and still ends', async () => {
    const broken = startScanWorker(path.join(FIXTURES, 'no-such-worker.js'));
    await new Promise((resolve) => broken.worker.once('error', resolve));
    // Its files are read on this thread instead: nothing is lost.
    const r = await sameAsSync(trees[0] as string, { workerPath: WORKER, workers: 1, started: [broken] });
    assert.ok(r.errors.some((e) => e.message.includes('no-such-worker')), JSON.stringify(r.errors));
  });
});

describe('scanFile cursors', () => {
  let dir = '';
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-scanfile-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('end at the size found before reading, with the tail hash of the bytes before the offset, however the file ends', () => {
    const call = (n: number) => assistantLine({ id: `m${n}`, req: `r${n}`, output: n });
    const files: Record<string, string> = {
      short: `${call(1)}\n`,
      tiny: '{"type":"user"}\n',
      many: `${Array.from({ length: 3000 }, (_, i) => call(i)).join('\n')}\n`,
      torn: `${call(1)}\n${call(2)}\n{"type":"assistant","message":{"usage":{"input_tok`,
      // A line longer than the reading buffer, then a torn tail after it: the tail bytes are no longer all held.
      long: `${call(1)}\n{"type":"user","t":"${'x'.repeat(600_000)}"}\n{"type":"us`,
      empty: '',
    };
    const buffer = newScanBuffer();
    for (const [name, text] of Object.entries(files)) {
      const p = path.join(dir, `${name}.jsonl`);
      fs.writeFileSync(p, text);
      const m = scanFile(p, `-p/${name}.jsonl`, false, buffer, () => undefined);
      assert.equal(m.type, 'file');
      if (m.type !== 'file') {
        continue;
      }
      assert.equal(m.cursor.size, Buffer.byteLength(text), name);
      assert.equal(m.cursor.tailHash, tailHashAt(p, m.cursor.offset), name);
      assert.equal(m.cursor.torn, name === 'torn' || name === 'long', name);
    }
  });
});
