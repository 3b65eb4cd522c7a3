import { strict as assert } from 'node:assert';
import { buildReport } from '../../../src/core/report';
import { assistantLine, compactLine } from '../support/lines';
import { feed, newEngine, reportOf } from '../support/engine';

const S = 'aaaaaaaa-0000-4000-8000-000000000001';
const T = 'bbbbbbbb-0000-4000-8000-000000000002';
const main = (...lines: string[]) => ({ [`-work-p/${S}.jsonl`]: lines.join('\n') + '\n' });
// Sonnet 4.6: $3 in, $15 out, $3.75 5m, $6 1h, $0.30 read per MTok.
const SONNET = (i: number, o: number, w5 = 0, w1 = 0, r = 0) => (i * 3 + o * 15 + w5 * 3.75 + w1 * 6 + r * 0.3) / 1e6;

describe('Engine: de-duplication', () => {
  it('keeps the row with the largest total among streaming snapshots, whatever their order', () => {
    for (const order of [
      [5, 250, 100],
      [250, 5, 100],
      [100, 5, 250],
    ]) {
      const r = reportOf(main(...order.map((o) => assistantLine({ session: S, output: o, input: 10 }))));
      assert.equal(r.totals.outputTokens, 250, String(order));
      assert.equal(r.totals.messages, 1);
      assert.ok(Math.abs(r.totals.costUSD - SONNET(10, 250)) < 1e-12);
    }
  });

  it('never sums duplicate rows of one call (2.1.x writes the final usage on every row)', () => {
    const row = assistantLine({ session: S, input: 3, output: 212, w1: 12176, read: 13967 });
    const r = reportOf(main(row, row, row));
    assert.equal(r.totals.messages, 1);
    assert.equal(r.totals.cacheWrite1hTokens, 12176);
  });

  it('de-duplicates across files and attributes a forked copy to the original', () => {
    const original = assistantLine({ session: S, id: 'msg_X', req: 'req_X', ts: '2026-11-20T10:00:00.000Z', output: 50 });
    const copy = assistantLine({ session: T, id: 'msg_X', req: 'req_X', ts: '2026-11-21T10:00:00.000Z', output: 50 });
    const r = reportOf({ [`-work-p/${T}.jsonl`]: copy + '\n', [`-work-p/${S}.jsonl`]: original + '\n' });
    assert.equal(r.totals.messages, 1);
    assert.deepEqual(
      r.sessions.map((s) => s.sessionId),
      [S],
    );
    assert.equal(r.days[0]?.date, '2026-11-20');
  });

  it('falls back to message.id alone when requestId is missing', () => {
    const r = reportOf(main(assistantLine({ session: S, req: null, output: 5 }), assistantLine({ session: S, req: null, output: 9 })));
    assert.equal(r.totals.messages, 1);
    assert.equal(r.totals.outputTokens, 9);
  });

  it('never merges lines that have no message id', () => {
    const row = assistantLine({ session: S, id: null, req: null, output: 4 });
    const r = reportOf(main(row, row));
    assert.equal(r.totals.messages, 2);
    assert.equal(r.totals.outputTokens, 8);
  });

  it('prefers the main-chain row over a side-chain row of the same call, even a larger one', () => {
    const r = reportOf(main(assistantLine({ session: S, side: true, output: 999 }), assistantLine({ session: S, output: 10 })));
    assert.equal(r.totals.outputTokens, 10);
  });

  it('drops /btw replays: the same message id on a side chain under another request id', () => {
    const r = reportOf({
      ...main(assistantLine({ session: S, id: 'msg_A', req: 'req_A', read: 20000 })),
      [`-work-p/${S}/subagents/agent-btw.jsonl`]: assistantLine({ session: S, id: 'msg_A', req: 'req_B', side: true, read: 20000 }) + '\n',
    });
    assert.equal(r.totals.messages, 1);
    assert.equal(r.totals.cacheReadTokens, 20000);
  });

  it('keeps two request ids of one message id in one file as two calls, each with its own best row', () => {
    const row = (req: string, output: number, side = false) => assistantLine({ session: S, id: 'msg_A', req, output, side });
    // r1, then r2, then a larger snapshot of r1, then a smaller one of r2: two calls, 40 + 30.
    const r = reportOf(main(row('req_1', 10), row('req_2', 30), row('req_1', 40), row('req_2', 20)));
    assert.equal(r.totals.messages, 2);
    assert.equal(r.totals.outputTokens, 70);
    // The same in the other order of first appearance.
    const back = reportOf(main(row('req_2', 30), row('req_1', 10), row('req_2', 20), row('req_1', 40)));
    assert.equal(back.totals.messages, 2);
    assert.equal(back.totals.outputTokens, 70);
    // Within one file too, the side-chain replay under another request id is dropped.
    const replay = reportOf(main(row('req_1', 10), row('req_2', 500, true)));
    assert.equal(replay.totals.messages, 1);
    assert.equal(replay.totals.outputTokens, 10);
  });

  it('withdraws a file and lets a copy elsewhere take over', () => {
    const engine = newEngine();
    const a = assistantLine({ session: S, id: 'msg_Y', req: 'req_Y', ts: '2026-11-20T10:00:00.000Z' });
    const b = assistantLine({ session: T, id: 'msg_Y', req: 'req_Y', ts: '2026-11-21T10:00:00.000Z' });
    feed(engine, { [`-work-p/${S}.jsonl`]: a + '\n', [`-work-p/${T}.jsonl`]: b + '\n' });
    assert.equal(buildReport(engine).sessions[0]?.sessionId, S);
    engine.removeFile(`/projects/-work-p/${S}.jsonl`);
    const r = buildReport(engine);
    assert.equal(r.totals.messages, 1);
    assert.equal(r.sessions[0]?.sessionId, T);
    engine.resetFile(`/projects/-work-p/${T}.jsonl`);
    assert.equal(buildReport(engine).totals.messages, 0);
    assert.equal(buildReport(engine).sessions.length, 0);
  });
});

describe('Engine: sessions, subagents and context', () => {
  it('counts subagent usage toward the parent session cost, never toward its context', () => {
    const r = reportOf({
      ...main(assistantLine({ session: S, id: 'm1', input: 5, w1: 1000, read: 2000, ts: '2026-11-20T10:00:00.000Z' })),
      [`-work-p/${S}/subagents/agent-a1.jsonl`]:
        assistantLine({ session: S, id: 's1', side: true, model: 'claude-haiku-4-5', input: 3, w5: 40000, ts: '2026-11-20T10:01:00.000Z' }) + '\n',
    });
    const s = r.sessions[0];
    assert.ok(s);
    assert.equal(r.sessions.length, 1);
    assert.equal(s.contextTokens, 3005);
    assert.equal(s.messages, 2);
    const haiku = (3 * 1 + 1 * 5 + 40000 * 1.25) / 1e6;
    assert.ok(Math.abs(s.subagentCostUSD - haiku) < 1e-12);
    assert.ok(Math.abs(s.costUSD - (SONNET(5, 1, 0, 1000, 2000) + haiku)) < 1e-12);
    assert.deepEqual(s.models, ['claude-haiku-4-5', 'claude-sonnet-4-6']);
  });

  it('marks the context compacted after a boundary, until the next call', () => {
    const before = reportOf(main(assistantLine({ session: S, input: 100, ts: '2026-11-20T10:00:00.000Z' }), compactLine('2026-11-20T10:05:00.000Z', S)));
    assert.equal(before.sessions[0]?.contextTokens, null);
    assert.equal(before.sessions[0]?.contextState, 'compacted');
    const after = reportOf(
      main(
        assistantLine({ session: S, id: 'm1', input: 100, ts: '2026-11-20T10:00:00.000Z' }),
        compactLine('2026-11-20T10:05:00.000Z', S),
        assistantLine({ session: S, id: 'm2', input: 7, read: 3000, ts: '2026-11-20T10:06:00.000Z' }),
      ),
    );
    assert.equal(after.sessions[0]?.contextTokens, 3007);
    assert.equal(after.sessions[0]?.contextState, 'known');
  });

  it('skips synthetic lines for cost, models and context', () => {
    const r = reportOf(
      main(
        assistantLine({ session: S, id: 'm1', input: 50, ts: '2026-11-20T10:00:00.000Z' }),
        assistantLine({ session: S, id: 'err', req: null, model: '<synthetic>', input: 0, output: 0, ts: '2026-11-20T10:01:00.000Z' }),
      ),
    );
    assert.equal(r.sessions[0]?.contextTokens, 50);
    assert.deepEqual(
      r.models.map((m) => m.model),
      ['claude-sonnet-4-6'],
    );
    assert.equal(r.skipped.syntheticLines, 1);
  });

  it('uses a 200k window for Haiku 4.5, switches to 1M once context passes 200k, and honours an override', () => {
    const small = reportOf(main(assistantLine({ session: S, model: 'claude-haiku-4-5', read: 150000 })));
    assert.equal(small.sessions[0]?.contextWindow, 200_000);
    const big = reportOf(main(assistantLine({ session: S, model: 'claude-sonnet-4-5', read: 200001 })));
    assert.equal(big.sessions[0]?.contextWindow, 1_000_000);
    const at = reportOf(main(assistantLine({ session: S, model: 'claude-sonnet-4-5', input: 0, read: 200000 })));
    assert.equal(at.sessions[0]?.contextWindow, 200_000);
    const over = reportOf(main(assistantLine({ session: S, model: 'claude-haiku-4-5' })), { contextWindowOverride: 500_000 });
    assert.equal(over.sessions[0]?.contextWindow, 500_000);
  });

  it('takes the project from the cwd field, not the encoded folder', () => {
    const r = reportOf({ [`-work-my-proj/${S}.jsonl`]: assistantLine({ session: S, cwd: '/work/my.proj' }) + '\n' });
    assert.equal(r.sessions[0]?.project, '/work/my.proj');
    assert.equal(r.projects[0]?.project, '/work/my.proj');
  });

  it('computes the cache hit rate as read / (input + read + writes)', () => {
    const r = reportOf(main(assistantLine({ session: S, input: 10, w5: 20, w1: 70, read: 900 })));
    assert.equal(r.sessions[0]?.cacheHitRate, 0.9);
  });
});

describe('Engine: prices and unknown models', () => {
  it('keeps an unknown model as unpriced, never $0', () => {
    const r = reportOf(main(assistantLine({ session: S, id: 'a', model: 'claude-nova-1', input: 10, output: 20 }), assistantLine({ session: S, id: 'b', input: 10 })));
    const nova = r.models.find((m) => m.model === 'claude-nova-1');
    assert.ok(nova);
    assert.equal(nova.priced, false);
    assert.equal(nova.costUSD, null);
    assert.equal(nova.inputTokens, 10);
    assert.equal(r.totals.unpricedMessages, 1);
    assert.equal(r.totals.messages, 1);
    assert.equal(r.totals.inputTokens, 20);
    assert.deepEqual(r.skipped.unpricedModels, ['claude-nova-1']);
    assert.equal(r.sessions[0]?.unpricedMessages, 1);
  });

  it('prices each call at the rate in force at its timestamp (Sonnet 5.5 cache read 0.20 -> 0.10 on 2026-10-07)', () => {
    const r = reportOf(
      main(
        assistantLine({ session: S, id: 'a', model: 'claude-sonnet-5-5', input: 0, output: 0, read: 1_000_000, ts: '2026-10-06T23:59:59.999Z' }),
        assistantLine({ session: S, id: 'b', model: 'claude-sonnet-5-5', input: 0, output: 0, read: 1_000_000, ts: '2026-10-07T00:00:00.000Z' }),
      ),
    );
    assert.deepEqual(
      r.days.map((d) => [d.date, Math.round(d.costUSD * 1e6) / 1e6]),
      [
        ['2026-10-06', 0.2],
        ['2026-10-07', 0.1],
      ],
    );
  });
});

describe('Engine: local days', () => {
  const at = (ts: string, id: string) => assistantLine({ session: S, id, ts });
  const daysIn = (tz: string, ...ts: string[]) =>
    reportOf(main(...ts.map((t, i) => at(t, `m${i}`))), {}, tz).days.map((d) => [d.date, d.messages]);

  it('buckets by the local day of the chosen zone', () => {
    assert.deepEqual(daysIn('UTC', '2026-11-20T23:59:59.999Z', '2026-11-21T00:00:00.000Z'), [
      ['2026-11-20', 1],
      ['2026-11-21', 1],
    ]);
    assert.deepEqual(daysIn('America/New_York', '2026-11-21T04:59:59.999Z', '2026-11-21T05:00:00.000Z'), [
      ['2026-11-20', 1],
      ['2026-11-21', 1],
    ]);
  });

  it('handles half-hour zones and daylight-saving changes', () => {
    assert.deepEqual(daysIn('Asia/Kolkata', '2026-11-20T18:29:59.999Z', '2026-11-20T18:30:00.000Z'), [
      ['2026-11-20', 1],
      ['2026-11-21', 1],
    ]);
    // New York leaves DST on 2026-11-01 at 02:00 EDT (06:00Z): midnight of 11-01 is 04:00Z (EDT), of 11-02 05:00Z (EST).
    assert.deepEqual(daysIn('America/New_York', '2026-11-01T03:59:59.000Z', '2026-11-01T04:00:00.000Z', '2026-11-02T04:59:59.000Z', '2026-11-02T05:00:00.000Z'), [
      ['2026-10-31', 1],
      ['2026-11-01', 2],
      ['2026-11-02', 1],
    ]);
  });

  it('filters by --since / --until on local days', () => {
    const r = reportOf(main(at('2026-11-19T12:00:00.000Z', 'a'), at('2026-11-20T12:00:00.000Z', 'b'), at('2026-11-21T12:00:00.000Z', 'c')), {
      since: '2026-11-20',
      until: '2026-11-20',
    });
    assert.equal(r.totals.messages, 1);
    assert.equal(r.sessions[0]?.messages, 1);
  });
});

describe('Engine: files by session', () => {
  it('is kept while nothing changes, and follows new files, removals and a session named only by a non-usage line', () => {
    const engine = newEngine();
    const a = engine.openFile(`/p/-w/${S}.jsonl`, `-w/${S}.jsonl`);
    engine.ingest(a, { kind: 'other', cwd: '/w', lineSessionId: S }, 0);
    const first = engine.sessionFiles();
    assert.equal(engine.sessionFiles(), first, 'the same map while nothing changed');
    // A loose agent file: only its lines name its session, here a line with no usage (no revision change).
    const loose = engine.openFile('/p/-w/agent-x.jsonl', '-w/agent-x.jsonl');
    assert.deepEqual([...engine.sessionFiles().keys()], [S]);
    engine.ingest(loose, { kind: 'other', cwd: '/w', lineSessionId: T }, 0);
    assert.deepEqual(engine.sessionFiles().get(T)?.map((f) => f.path), ['/p/-w/agent-x.jsonl']);
    engine.removeFile('/p/-w/agent-x.jsonl');
    assert.equal(engine.sessionFiles().get(T), undefined);
  });
});
