import { strict as assert } from 'node:assert';
import { Engine } from '../../../../src/core/engine';
import { bundledPriceTable } from '../../../../src/core/pricing/price-table';
import { buildReport } from '../../../../src/core/report';
import { parseLine, type ParsedLine } from '../../../../src/core/transcript/transcript';
import { forEachLine, LineBatchBuilder } from '../../../../src/node/scan/call-batch';
import { assistantLine } from '../../support/lines';

const SESSION = 'aaaaaaaa-0000-4000-8000-000000000001';

function engineOf(lines: Array<[number, ParsedLine]>, subagent = false): Engine {
  const engine = new Engine({ prices: bundledPriceTable(), timeZone: 'UTC' });
  const file = engine.openFile(`/p/${subagent ? `${SESSION}/subagents/agent-a1.jsonl` : `${SESSION}.jsonl`}`, subagent ? `proj/${SESSION}/subagents/agent-a1.jsonl` : `proj/${SESSION}.jsonl`);
  for (const [offset, parsed] of lines) {
    engine.ingest(file, parsed, offset);
  }
  return engine;
}

describe('LineBatchBuilder (compact worker results)', () => {
  it('round-trips every kind of line in offset order', () => {
    const lines: Array<[number, ParsedLine]> = [
      [0, parseLine(assistantLine({ id: 'm1', req: 'r1', input: 3, output: 4, w5: 5, w1: 6, read: 7, web: 1, speed: 'fast', geo: 'us', side: true }))],
      [100, { kind: 'other', cwd: '/x', lineSessionId: undefined }],
      [200, parseLine(assistantLine({ id: null, req: null, cwd: '/w' }))],
      [300, { kind: 'malformed', reason: 'not valid JSON' }],
      // Past 2 GB in one file: offsets that do not fit a small integer come back exact.
      [2 ** 31 - 1, parseLine(assistantLine({ id: 'm2', req: 'r2', input: 100_000_000, output: 99_999_999 }))],
      [2 ** 31, { kind: 'other', cwd: '/y', lineSessionId: undefined }],
      [5_000_000_123, parseLine(assistantLine({ id: 'm3', req: 'r3', read: 1 }))],
    ];
    const b = new LineBatchBuilder();
    for (const [o, p] of lines) {
      b.add(o, p);
    }
    const out: Array<[number, ParsedLine]> = [];
    forEachLine(structuredClone(b.take()), (o, p) => out.push([o, p]));
    assert.deepEqual(out, lines);
    assert.equal(b.size, 0);
  });

  it('drops only the rows the engine would drop: the report is the same with and without thinning', () => {
    for (const subagent of [false, true]) {
      const lines: Array<[number, ParsedLine]> = [];
      let offset = 0;
      const push = (p: ParsedLine) => lines.push([(offset += 1000), p]);
      for (let i = 0; i < 30; i++) {
        // Streaming snapshots: the same call, output growing; a side-chain copy; an earlier timestamp tie.
        for (let k = 1; k <= 3; k++) {
          push(parseLine(assistantLine({ id: `m${i % 12}`, req: `r${i % 12}`, output: 10 * k + i, side: k === 2, ts: `2026-11-20T10:${String(i).padStart(2, '0')}:0${k}.000Z`, session: SESSION, cwd: i > 3 ? '/late' : undefined })));
        }
        if (i % 7 === 0) {
          push({ kind: 'compact', cwd: undefined, boundary: { timestampMs: Date.UTC(2026, 10, 20, 10, i), lineSessionId: undefined, preTokens: 5, postTokens: undefined, trigger: 'auto' } });
        }
      }
      const b = new LineBatchBuilder(subagent);
      for (const [o, p] of lines) {
        b.add(o, p);
      }
      const batch = b.take();
      assert.ok(batch.count < 90, `thinned to ${batch.count}`);
      const thinned: Array<[number, ParsedLine]> = [];
      forEachLine(batch, (o, p) => thinned.push([o, p]));
      const full = engineOf(lines, subagent);
      const thin = engineOf(thinned, subagent);
      assert.deepEqual(buildReport(thin), buildReport(full));
      const f1 = [...full.allFiles()][0];
      const f2 = [...thin.allFiles()][0];
      assert.equal(f2?.cwd, f1?.cwd);
      assert.equal(f2?.lastTimestampMs, f1?.lastTimestampMs);
    }
  });

  it('gives the same batches reused from file to file as new builders, and drops what a failed file left', () => {
    const files = [
      { subagent: false, lines: [parseLine(assistantLine({ id: 'm1', req: 'r1', input: 1 })), parseLine(assistantLine({ id: 'm1', req: 'r1', input: 9 }))] },
      // In a subagent file every row is side-chain, so the larger row wins; in another file the main-chain one would.
      { subagent: true, lines: [parseLine(assistantLine({ id: 'm5', req: 'r5', input: 1 })), parseLine(assistantLine({ id: 'm5', req: 'r5', input: 50, side: true })), parseLine(assistantLine({ id: 'm2', req: 'r2', side: true }))] },
      { subagent: false, lines: [parseLine(assistantLine({ id: 'm3', req: 'r3' }))] },
    ];
    const reused = new LineBatchBuilder();
    // A file whose reading failed half-way: its lines were never taken.
    reused.startFile(true).add(0, parseLine(assistantLine({ id: 'lost', req: 'lost' })));
    for (const f of files) {
      const fresh = new LineBatchBuilder(f.subagent);
      const again = reused.startFile(f.subagent);
      f.lines.forEach((p, i) => {
        fresh.add(i * 100, p);
        again.add(i * 100, p);
      });
      assert.deepEqual(again.take(), fresh.take());
    }
  });

  it('does not thin a batch that holds a cost-state line', () => {
    const b = new LineBatchBuilder();
    b.add(0, parseLine(assistantLine({ id: 'm', req: 'r', output: 1 })));
    b.add(10, parseLine(assistantLine({ id: 'm', req: 'r', output: 2 })));
    b.add(20, { kind: 'cost-state', cwd: undefined, state: { timestampMs: undefined, lineSessionId: undefined, totalCostUSD: 1, hasUnknownModelCost: false, models: {} } });
    assert.equal(b.take().count, 2);
  });
});
