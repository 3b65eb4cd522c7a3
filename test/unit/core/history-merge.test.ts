/**
 * The history's merge grain (issue #26.1): stored and live rows merge per
 * (session, part, day), so whatever is still on disk is read live and
 * whatever is gone is kept from the store, each dollar once. And which copy
 * wins when two stored copies meet (#24.2).
 *
 * Sonnet 4.6: $3 per million input tokens, so 1,000,000 input = $3.00 and
 * 100,000 input = $0.30.
 */
import { strict as assert } from 'node:assert';
import type { Engine } from '../../../src/core/engine';
import { liveHistoryRows, mergeHistory, unionStored, UNITEMISED_PART, type HistoryRow, type LiveHistory } from '../../../src/core/history';
import { buildReport } from '../../../src/core/report';
import { assistantLine } from '../support/lines';
import { feed, newEngine } from '../support/engine';

const S = 'aaaaaaaa-0000-4000-8000-000000000001';
const T = 'aaaaaaaa-0000-4000-8000-000000000002';
const MAIN = `-p/${S}.jsonl`;
const AGENT = `-p/${S}/subagents/agent-a1.jsonl`;
const OTHER = `-p/${T}.jsonl`;

const mainCall = (id: string, ts: string, input: number) => assistantLine({ session: S, id, req: `r${id}`, ts, input, output: 0 });
const agentCall = (id: string, ts: string, input: number) => assistantLine({ session: S, id, req: `r${id}`, ts, input, output: 0, side: true });
const otherCall = assistantLine({ session: T, id: 'o1', req: 'ro1', ts: '2026-11-20T09:00:00.000Z', input: 2_000_000, output: 0 });

const files: Record<string, string> = {
  [MAIN]: mainCall('m1', '2026-11-01T10:00:00.000Z', 1_000_000) + '\n',
  [AGENT]: agentCall('a1', '2026-11-01T10:05:00.000Z', 100_000) + '\n',
  [OTHER]: otherCall + '\n',
};

function engineOf(tree: Record<string, string>): Engine {
  const engine = newEngine();
  feed(engine, tree);
  return engine;
}

function liveOf(engine: Engine): LiveHistory {
  const report = buildReport(engine);
  const projects = new Map(report.sessions.map((s) => [s.sessionId, s.project]));
  return liveHistoryRows(engine, (id) => projects.get(id) ?? null);
}

const cost = (rows: readonly HistoryRow[], session?: string) => rows.filter((r) => session === undefined || r.sessionId === session).reduce((a, r) => a + (r.costUSD ?? 0), 0);
const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} != ${b}`);

/** A save: the store as it was, merged with the live rows, as the meter and the CLI write it. */
const save = (stored: readonly HistoryRow[], live: LiveHistory) => mergeHistory(unionStored([], stored), live).rows;

describe('history merge grain: partial deletions', () => {
  const withoutFile = (name: string) => Object.fromEntries(Object.entries(files).filter(([k]) => k !== name));

  it('live rows are per part: the main file, each subagent file', () => {
    const live = liveOf(engineOf(files));
    const parts = live.rows.filter((r) => r.sessionId === S).map((r) => [r.part, r.day, Math.round((r.costUSD ?? 0) * 100) / 100]);
    assert.deepEqual(parts.sort(), [
      ['agent:agent-a1', '2026-11-01', 0.3],
      ['main', '2026-11-01', 3],
    ]);
    assert.ok(live.parts.has(`${S}\u0000main`) && live.parts.has(`${S}\u0000agent:agent-a1`));
  });

  it('main file gone, subagent kept on disk: $3.00 kept from the store, $0.30 live, $3.30 once', () => {
    const stored = save([], liveOf(engineOf(files)));
    close(cost(stored, S), 3.3, 'stored');
    const merged = mergeHistory(stored, liveOf(engineOf(withoutFile(MAIN))));
    close(cost(merged.rows, S), 3.3, 'after the main file is deleted');
    close(cost(merged.rows), 3.3 + 6, 'all sessions');
    assert.deepEqual(
      merged.keptRows.map((r) => r.part),
      ['main'],
    );
    assert.equal(merged.keptSessions, 1);
    // And the next save keeps it: a third look still has every dollar.
    const again = mergeHistory(save(stored, liveOf(engineOf(withoutFile(MAIN)))), liveOf(engineOf(withoutFile(MAIN))));
    close(cost(again.rows, S), 3.3, 'after another save');
  });

  it('subagent file gone, main kept: $0.30 kept, $3.00 live', () => {
    const stored = save([], liveOf(engineOf(files)));
    const merged = mergeHistory(stored, liveOf(engineOf(withoutFile(AGENT))));
    close(cost(merged.rows, S), 3.3, 'after the subagent file is deleted');
    assert.deepEqual(
      merged.keptRows.map((r) => r.part),
      ['agent:agent-a1'],
    );
  });

  it('both gone: the whole session kept; both on disk: nothing kept, nothing doubled', () => {
    const stored = save([], liveOf(engineOf(files)));
    const gone = mergeHistory(stored, liveOf(engineOf({ [OTHER]: files[OTHER] ?? '' })));
    close(cost(gone.rows, S), 3.3, 'both deleted');
    const all = mergeHistory(stored, liveOf(engineOf(files)));
    close(cost(all.rows), 9.3, 'nothing deleted');
    assert.equal(all.keptRows.length, 0);
  });

  it('some days gone from a file still on disk: those days kept, the others live', () => {
    const twoDays = { ...files, [MAIN]: [mainCall('m1', '2026-11-01T10:00:00.000Z', 1_000_000), mainCall('m2', '2026-11-02T10:00:00.000Z', 1_000_000)].join('\n') + '\n' };
    const stored = save([], liveOf(engineOf(twoDays)));
    close(cost(stored, S), 6.3, 'stored');
    // Rewritten with the second day only, and a third day added.
    const rewritten = { ...files, [MAIN]: [mainCall('m2', '2026-11-02T10:00:00.000Z', 1_000_000), mainCall('m3', '2026-11-03T10:00:00.000Z', 1_000_000)].join('\n') + '\n' };
    const merged = mergeHistory(stored, liveOf(engineOf(rewritten)));
    close(cost(merged.rows, S), 9.3, 'day 1 kept, days 2 and 3 live');
    assert.deepEqual(
      merged.keptRows.map((r) => r.day),
      ['2026-11-01'],
    );
  });

  it('a live day always wins over its stored copy (re-priced, or grown)', () => {
    const stored = save([], liveOf(engineOf(files))).map((r) => (r.part === 'main' ? { ...r, costUSD: 99, messages: 50 } : r));
    const merged = mergeHistory(stored, liveOf(engineOf(files)));
    close(cost(merged.rows, S), 3.3, 'live wins');
  });

  it('un-itemised usage of a reconciled session is not counted twice when a subagent file goes', () => {
    const costState = JSON.stringify({
      type: 'cost-state',
      sessionId: S,
      totalCostUSD: 3.31,
      // The cost-state counts main (1,000,000) + subagent (100,000) + a compaction call (10,000 input) of Sonnet.
      modelUsage: { 'claude-sonnet-4-6': { inputTokens: 1_110_000, outputTokens: 0, cacheReadInputTokens: 0, cacheCreationInputTokens: 0, webSearchRequests: 0 } },
      hasUnknownModelCost: false,
      timestamp: '2026-11-01T11:00:00.000Z',
    });
    const tree = { ...files, [MAIN]: `${mainCall('m1', '2026-11-01T10:00:00.000Z', 1_000_000)}\n${costState}\n` };
    const live = liveOf(engineOf(tree));
    close(cost(live.rows, S), 3.33, 'live: main + subagent + compaction');
    assert.ok(live.rows.some((r) => r.part === UNITEMISED_PART));
    const stored = save([], live);
    const withoutAgent = Object.fromEntries(Object.entries(tree).filter(([k]) => k !== AGENT));
    // The engine alone would now call the subagent's 100,000 tokens un-itemised: $3.33 with no history at all.
    close(cost(liveOf(engineOf(withoutAgent)).rows, S), 3.33, 'engine alone');
    const merged = mergeHistory(stored, liveOf(engineOf(withoutAgent)));
    close(cost(merged.rows, S), 3.33, 'merged: the kept subagent row reduces the un-itemised one');
    // Main file gone instead: the un-itemised part is kept from the store with it.
    const withoutMain = Object.fromEntries(Object.entries(tree).filter(([k]) => k !== MAIN));
    close(cost(mergeHistory(stored, liveOf(engineOf(withoutMain))).rows, S), 3.33, 'main and its cost-state gone');
  });
});

describe('history: which stored copy wins', () => {
  const row = (over: Partial<HistoryRow>): HistoryRow => ({
    day: '2026-11-01',
    sessionId: S,
    part: 'main',
    project: '/p',
    model: 'claude-sonnet-4-6',
    costUSD: 1,
    tokens: { input: 1, output: 1, write5m: 0, write1h: 0, read: 0, webSearches: 0 },
    messages: 1,
    ...over,
  });

  it('a unit in one copy only is kept; in both, the copy with more calls wins whole, then more tokens', () => {
    const a = [row({ messages: 3, costUSD: 3 }), row({ day: '2026-11-02' }), row({ sessionId: T })];
    const b = [row({ messages: 5, costUSD: 5 }), row({ messages: 1, model: 'claude-haiku-4-5', costUSD: 0.5 }), row({ day: '2026-11-02', tokens: { input: 9, output: 1, write5m: 0, write1h: 0, read: 0, webSearches: 0 }, costUSD: 2 })];
    const u = unionStored(a, b);
    // Day 1 of S: b has 6 calls against 3, so both of its rows (two models) stand; day 2: equal calls, b has more tokens.
    close(cost(u.filter((r) => r.sessionId === S && r.day === '2026-11-01')), 5.5, 'day 1');
    close(cost(u.filter((r) => r.sessionId === S && r.day === '2026-11-02')), 2, 'day 2');
    close(cost(u.filter((r) => r.sessionId === T)), 1, 'a session only one copy has');
    // Symmetric: the order of the copies does not matter.
    close(cost(unionStored(b, a)), cost(u), 'either order');
  });

  it('un-itemised usage (cumulative): the copy of the later cost-state wins, never both', () => {
    const early = [row({ part: UNITEMISED_PART, day: '2026-11-01', messages: 0, costUSD: 1 })];
    const late = [row({ part: UNITEMISED_PART, day: '2026-11-03', messages: 0, costUSD: 2 })];
    close(cost(unionStored(early, late)), 2, 'later wins');
    close(cost(unionStored(late, early)), 2, 'later wins, either order');
  });

  it('rows of the old whole-session form give way to rows by part of the same session', () => {
    const legacy = [row({ part: '', costUSD: 3.3 })];
    const byPart = [row({ costUSD: 3 }), row({ part: 'agent:agent-a1', costUSD: 0.3 })];
    close(cost(unionStored(legacy, byPart)), 3.3, 'no double count');
    // Alone, old rows are kept, and stand for the whole session.
    const kept = mergeHistory(legacy, liveOf(engineOf({ [OTHER]: otherCall + '\n' })));
    close(cost(kept.rows, S), 3.3, 'kept while the session is gone');
    const live = mergeHistory(legacy, liveOf(engineOf(files)));
    close(cost(live.rows, S), 3.3, 'dropped while any file of it is live');
  });
});
