import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { buildReport } from '../../../src/core/report';
import { engineSink } from '../../../src/node/scan/scan';
import { LineSplitter } from '../support/line-splitter';
import { assistantLine } from '../support/lines';
import { newEngine, reportOf } from '../support/engine';
import { bundledPriceTable } from '../../../src/core/pricing/price-table';
import { costOn } from '../../../src/core/pricing/rate-card';

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

describe('report dollars', () => {
  // 400 sessions over 28 days, two models, random token counts: hundreds of cells (day, session, model).
  let seed = 7;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const files: Record<string, string> = {};
  for (let i = 0; i < 400; i++) {
    const session = `s${String(i).padStart(3, '0')}`;
    const lines: string[] = [];
    for (let k = 0; k < 3; k++) {
      lines.push(
        assistantLine({
          session,
          id: `m${i}-${k}`,
          req: `r${i}-${k}`,
          model: i % 3 === 0 ? 'claude-opus-4-6' : 'claude-sonnet-4-6',
          // Prompts stay under the long-context threshold: one rate card per model.
          input: rand(5000) + 1,
          output: rand(20000) + 1,
          w5: rand(30000),
          w1: rand(3000),
          read: rand(150000),
          ts: `2026-10-${String(1 + (i % 28)).padStart(2, '0')}T12:0${k}:00.000Z`,
        }),
      );
    }
    files[`-w${i % 7}/${session}.jsonl`] = `${lines.join('\n')}\n`;
  }

  it('are the same to the last bit in whatever order the files are merged', () => {
    const forward = reportOf(files);
    const backward = reportOf(Object.fromEntries(Object.entries(files).reverse()));
    const shuffled = reportOf(Object.fromEntries(Object.entries(files).sort(() => rand(3) - 1)));
    assert.equal(forward.sessions.length, 400);
    assert.equal(JSON.stringify(backward), JSON.stringify(forward));
    assert.equal(JSON.stringify(shuffled), JSON.stringify(forward));
  });

  it("are each rate card's prices applied once to the integer sums, for the totals and for every model", () => {
    const r = reportOf(files);
    const prices = bundledPriceTable();
    const cardOf = (model: string) => {
      const card = prices.rateFor({ model, timestampMs: Date.parse('2026-10-15T00:00:00Z'), promptTokens: 1000, fast: false, geoUs: false });
      assert.ok(card, model);
      return card;
    };
    const tokensOf = (t: { inputTokens: number; outputTokens: number; cacheWrite5mTokens: number; cacheWrite1hTokens: number; cacheReadTokens: number; webSearchRequests: number }) => ({
      input: t.inputTokens,
      output: t.outputTokens,
      write5m: t.cacheWrite5mTokens,
      write1h: t.cacheWrite1hTokens,
      read: t.cacheReadTokens,
      webSearches: t.webSearchRequests,
    });
    assert.equal(r.models.length, 2);
    for (const m of r.models) {
      assert.equal(m.costUSD, costOn(cardOf(m.model), tokensOf(m)), m.model);
    }
    // The totals: the two cards' dollars, in the order of their keys.
    const [a, b] = [...r.models].map((m) => ({ card: cardOf(m.model), m })).sort((x, y) => (x.card.key < y.card.key ? -1 : 1));
    assert.ok(a && b);
    assert.equal(r.totals.costUSD, 0 + costOn(a.card, tokensOf(a.m)) + costOn(b.card, tokensOf(b.m)));
  });
});
