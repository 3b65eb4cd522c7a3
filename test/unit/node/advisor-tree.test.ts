/**
 * Generated trees with advisor turns, in sessions without `cost-state`
 * (issue 18's acceptance): cost equal to the list price to $0.000001 per
 * call, tokens and advisorCalls exact, the context of an advisor turn the
 * last iteration's prompt; the same through every reading path (on this
 * thread, in scan workers with their WebAssembly kernel and line batches,
 * and replayed from the persisted index).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateTree, type GroundTruth } from '../../../bench/generate';
import { Engine } from '../../../src/core/engine';
import { bundledPriceTable } from '../../../src/core/pricing/price-table';
import { buildReport, type Report } from '../../../src/core/report';
import { coldScan } from '../../../src/node/scan/cold-scan';
import { finishWarmScan, warmScan } from '../../../src/node/scan/warm-scan';
import { listTranscriptFiles } from '../../../src/node/scan/list-files';
import { scanAllSync } from '../support/scan';

const WORKER = path.resolve(__dirname, '../../../src/node/scan/scan-worker.js');
const prices = bundledPriceTable();

function checkAgainstTruth(r: Report, truth: GroundTruth, label: string): void {
  const t = truth.totals;
  const calls = t.messages + (t.advisorCalls ?? 0);
  assert.ok((t.advisorCalls ?? 0) > 20, `${label}: too few advisor turns generated (${t.advisorCalls})`);
  assert.deepEqual(
    [r.totals.inputTokens, r.totals.outputTokens, r.totals.cacheWrite5mTokens, r.totals.cacheWrite1hTokens, r.totals.cacheReadTokens, r.totals.webSearchRequests],
    [t.input, t.output, t.cacheWrite5m, t.cacheWrite1h, t.cacheRead, t.webSearch],
    `${label}: tokens`,
  );
  assert.equal(r.totals.messages, t.messages, `${label}: messages`);
  assert.equal(r.totals.advisorCalls, t.advisorCalls, `${label}: advisorCalls`);
  assert.ok(Math.abs(r.totals.costUSD - t.costUSD) <= 1e-6 * calls, `${label}: $${r.totals.costUSD} vs $${t.costUSD}`);
  for (const [model, m] of Object.entries(truth.models)) {
    const row = r.models.find((x) => x.model === model);
    assert.ok(row, `${label}: model ${model}`);
    assert.equal(row.advisorCalls, m.advisorCalls ?? 0, `${label}: ${model} advisorCalls`);
    assert.equal(row.messages, m.messages, `${label}: ${model} messages`);
    assert.equal(row.inputTokens, m.input, `${label}: ${model} input`);
    assert.ok(Math.abs((row.costUSD ?? NaN) - m.costUSD) <= 1e-6 * (m.messages + (m.advisorCalls ?? 0)), `${label}: ${model} cost`);
  }
  const contexts = Object.entries(truth.advisorContexts ?? {});
  assert.ok(contexts.length > 0, `${label}: no session ends on an advisor turn`);
  for (const [sessionId, context] of contexts) {
    const s = r.sessions.find((x) => x.sessionId === sessionId);
    assert.equal(s?.contextTokens, context, `${label}: context of ${sessionId}`);
  }
}

describe('generated trees with advisor turns (sessions without cost-state)', function () {
  this.timeout(120_000);
  let temp: string;
  let truth: GroundTruth;
  let projects: string;

  before(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-advisor-'));
    truth = generateTree({ outDir: temp, sizeBytes: 6 * 1024 * 1024, seed: 18, advisorShare: 0.3, sessionMedianKB: 60 });
    projects = path.join(temp, 'projects');
  });

  after(() => {
    fs.rmSync(temp, { recursive: true, force: true });
  });

  it('read on this thread: exact tokens, advisorCalls and contexts, cost to $0.000001 per call', () => {
    const engine = new Engine({ prices, timeZone: 'UTC' });
    scanAllSync(engine, [projects]);
    checkAgainstTruth(buildReport(engine), truth, 'sync');
  });

  it('read in scan workers (WebAssembly kernel, line batches): the same', async () => {
    const engine = new Engine({ prices, timeZone: 'UTC' });
    await coldScan(engine, listTranscriptFiles(projects), { workerPath: WORKER, workers: 2, chunkBytes: 1 });
    checkAgainstTruth(buildReport(engine), truth, 'workers');
  });

  it('replayed from the persisted index: the same', async () => {
    const cache = path.join(temp, 'cache');
    for (const run of ['first', 'replayed']) {
      const engine = new Engine({ prices, timeZone: 'UTC' });
      const scan = await warmScan(engine, [projects], { cacheDir: cache, engineKey: 'k', reportKey: 'r', reuseReport: false });
      if (run === 'replayed') {
        assert.ok(scan.replayed > scan.files / 2, `replayed ${scan.replayed} of ${scan.files} (reread ${scan.reread}, appended ${scan.appended})`);
      }
      const report = buildReport(engine);
      checkAgainstTruth(report, truth, run);
      finishWarmScan(cache, scan, 'r', JSON.stringify(report));
    }
  });
});
