import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { buildReport } from '../../../src/core/report';
import { engineSink } from '../../../src/node/scan';
import { LineSplitter } from '../../../src/node/line-splitter';
import { assistantLine } from '../support/lines';
import { newEngine } from '../support/engine';

const SESSION = 'cccccccc-0000-4000-8000-000000000003';

/** A call and the rows Claude Code may have written for it (streaming snapshots). */
const callArb = fc.record({
  id: fc.integer({ min: 0, max: 30 }),
  model: fc.constantFrom('claude-sonnet-4-6', 'claude-opus-4-6', 'claude-haiku-5-5', 'claude-nova-1'),
  input: fc.nat(5000),
  read: fc.nat(150_000),
  w1: fc.nat(20_000),
  outputs: fc.array(fc.nat(4000), { minLength: 1, maxLength: 4 }),
  side: fc.boolean(),
  minute: fc.nat(600),
});

type Call = typeof callArb extends fc.Arbitrary<infer T> ? T : never;

function rowsOf(calls: Call[]): string[] {
  const seen = new Set<number>();
  const rows: string[] = [];
  for (const c of calls) {
    if (seen.has(c.id)) {
      continue; // one spec per message id, so the expected answer is well defined
    }
    seen.add(c.id);
    const ts = new Date(Date.parse('2026-11-20T00:00:00.000Z') + c.minute * 60_000).toISOString();
    for (const output of c.outputs) {
      rows.push(
        assistantLine({ session: SESSION, id: `msg_${c.id}`, req: `req_${c.id}`, model: c.model, input: c.input, read: c.read, w1: c.w1, output, side: c.side, ts }),
      );
    }
  }
  return rows;
}

/** Feeds files split into chunks at the given cut points; returns the report's comparable parts. */
function totalsOf(files: string[][], cuts: number[]): unknown {
  const engine = newEngine();
  files.forEach((rows, i) => {
    // Other files are forked/resumed copies (another session file, or another root).
    const rel = i === 0 ? `-p/${SESSION}.jsonl` : `-p${i}/dddddddd-0000-4000-8000-00000000000${i}.jsonl`;
    const file = engine.openFile(`/projects/${rel}`, rel);
    const bytes = Buffer.from(rows.map((r) => `${r}\n`).join(''));
    const splitter = new LineSplitter(0);
    const sink = engineSink(engine, file);
    let pos = 0;
    for (const cut of [...cuts.map((c) => c % (bytes.length + 1))].sort((a, b) => a - b)) {
      splitter.push(bytes.subarray(pos, Math.max(pos, cut)), sink);
      pos = Math.max(pos, cut);
    }
    splitter.push(bytes.subarray(pos), sink);
  });
  const r = buildReport(engine);
  return {
    totals: { ...r.totals, costUSD: Math.round(r.totals.costUSD * 1e9) },
    models: r.models.map((m) => ({ ...m, costUSD: m.costUSD === null ? null : Math.round(m.costUSD * 1e9) })),
    days: r.days.map((d) => ({ ...d, costUSD: Math.round(d.costUSD * 1e9) })),
  };
}

describe('Engine properties (fast-check)', () => {
  it('totals do not depend on chunking, file placement or the order of duplicate rows', () => {
    fc.assert(
      fc.property(
        fc.array(callArb, { minLength: 1, maxLength: 25 }),
        fc.array(fc.nat(1_000_000), { maxLength: 6 }),
        fc.array(fc.nat(2), { maxLength: 200 }),
        fc.infiniteStream(fc.nat()),
        (calls, cuts, placement, shuffleSeed) => {
          const rows = rowsOf(calls);
          const reference = totalsOf([rows], []);
          // Shuffle rows (duplicates land in any order) and scatter them over three files.
          const order = rows.map((r, i) => ({ r, k: shuffleSeed.next().value as number, i }));
          order.sort((a, b) => a.k - b.k || a.i - b.i);
          const files: string[][] = [[], [], []];
          order.forEach(({ r }, i) => files[placement[i] ?? 0]?.push(r));
          assert.deepEqual(totalsOf(files, cuts), reference);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a call is counted once however many rows carry it, and keeps its largest output', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(100_000), { minLength: 1, maxLength: 10 }), (outputs) => {
        const engine = newEngine();
        const rel = `-p/${SESSION}.jsonl`;
        const file = engine.openFile(`/projects/${rel}`, rel);
        const splitter = new LineSplitter(0);
        splitter.push(Buffer.from(outputs.map((o) => assistantLine({ session: SESSION, output: o }) + '\n').join('')), engineSink(engine, file));
        const r = buildReport(engine);
        assert.equal(r.totals.messages, 1);
        assert.equal(r.totals.outputTokens, Math.max(...outputs));
      }),
    );
  });
});
