import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { Engine } from '../../../src/core/engine';
import { bundledPriceTable } from '../../../src/core/pricing/price-table';
import { buildReport } from '../../../src/core/report';
import { coldScan } from '../../../src/node/cold-scan';
import { listTranscriptFiles, scanAllSync } from '../../../src/node/scan';

const FIXTURES = path.resolve(__dirname, '../../../../test/fixtures');
const WORKER = path.resolve(__dirname, '../../../src/node/scan-worker.js');
const trees = ['golden', 'claude-code-2.1.330-compact', 'claude-code-2.1.330-subagent', 'claude-code-2.1.330-web-search'].map((t) => path.join(FIXTURES, t, 'projects'));

describe('coldScan (workers, and a share read on the calling thread)', () => {
  for (const [label, options] of [
    ['two workers', { workers: 2 }],
    ['one worker + 40% on this thread', { workers: 1, mainThreadShare: 0.4 }],
    ['one worker + 90% on this thread', { workers: 1, mainThreadShare: 0.9 }],
  ] as const) {
    it(`gives the report of a synchronous scan: ${label}`, async () => {
      for (const dir of trees) {
        const sync = new Engine({ prices: bundledPriceTable(), timeZone: 'UTC' });
        scanAllSync(sync, [dir]);
        const engine = new Engine({ prices: bundledPriceTable(), timeZone: 'UTC' });
        const files = listTranscriptFiles(dir);
        const r = await coldScan(engine, files, { workerPath: WORKER, ...options });
        assert.equal(r.errors.length, 0);
        assert.equal(r.cursors.size, files.length);
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
      }
    });
  }
});
