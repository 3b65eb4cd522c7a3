/**
 * `usage.iterations` (pricing.md §3): advisor inferences billed under their
 * own model, per-request tiers and context when a line holds several
 * `message` iterations, fallbacks never billed; and the other new fields of
 * 2.1.3xx lines, which must neither break a line nor count twice.
 */
import { strict as assert } from 'node:assert';
import { buildReport } from '../../../src/core/report';
import { parseLine } from '../../../src/core/transcript/transcript';
import { sessionTurns } from '../../../src/core/metrics';
import { liveHistoryRows } from '../../../src/core/history';
import { exportRows } from '../../../src/core/export';
import { advisorTurnSpec, assistantLine, iteration } from '../support/lines';
import { feed, near, newEngine, reportOf } from '../support/engine';

const S = 'aaaaaaaa-0000-4000-8000-000000000018';
const REL = `-work-p/${S}.jsonl`;
const TS = '2026-11-20T10:00:00.000Z';

/** The advisor turn of the issue: Sonnet 4.6 twice around an Opus 4.6 advisor (50,000 in, 3,000 out). */
const first = { input: 10, read: 50_000, w1: 2_000, output: 300 };
const second = { input: 4, read: 52_000, w1: 500, output: 200 };
const advisor = { model: 'claude-opus-4-6', input: 50_000, output: 3_000 };
const advisorLine = (over: Parameters<typeof assistantLine>[0] = {}) => assistantLine(advisorTurnSpec({ id: 'msg_adv', req: 'req_adv', session: S, ts: TS, ...over }, first, second, advisor));
/** Sonnet 4.6 ($3 in, $15 out, $6 1h write, $0.30 read) for the two main requests; Opus 4.6 ($5 / $25) for the advisor. */
const mainUSD = (14 * 3 + 102_000 * 0.3 + 2_500 * 6 + 500 * 15) / 1e6;
const advisorUSD = (50_000 * 5 + 3_000 * 25) / 1e6;

describe('iterations: the advisor and several requests in one line', () => {
  it('parses an advisor turn into the top-level call plus its advisor inference', () => {
    const parsed = parseLine(advisorLine());
    assert.equal(parsed.kind, 'call');
    if (parsed.kind !== 'call') {
      return;
    }
    assert.deepEqual(parsed.call.tokens, { input: 14, output: 500, write5m: 0, write1h: 2_500, read: 102_000, webSearches: 0 });
    assert.equal(parsed.call.iterations?.requests.length, 2);
    assert.deepEqual(
      parsed.call.iterations?.advisors.map((a) => [a.index, a.model, a.tokens.input, a.tokens.output]),
      [[1, 'claude-opus-4-6', 50_000, 3_000]],
    );
  });

  it('bills the advisor under its own model, once, with exact tokens, advisorCalls and cost; messages stay main-model calls', () => {
    // Written three times while streaming (the same ids), and an early snapshot without the advisor yet.
    const early = assistantLine({ id: 'msg_adv', req: 'req_adv', session: S, ts: TS, input: 10, read: 50_000, w1: 2_000, output: 1 });
    const r = reportOf({ [REL]: [early, advisorLine(), advisorLine(), advisorLine()].join('\n') + '\n' });
    assert.equal(r.totals.messages, 1);
    assert.equal(r.totals.advisorCalls, 1);
    assert.equal(r.totals.inputTokens, 14 + 50_000);
    assert.equal(r.totals.outputTokens, 500 + 3_000);
    assert.equal(r.totals.cacheReadTokens, 102_000);
    assert.equal(r.totals.cacheWrite1hTokens, 2_500);
    assert.ok(near(r.totals.costUSD, mainUSD + advisorUSD, 2), `${r.totals.costUSD}`);
    const opus = r.models.find((m) => m.model === 'claude-opus-4-6');
    assert.deepEqual(opus && { messages: opus.messages, advisorCalls: opus.advisorCalls, input: opus.inputTokens, output: opus.outputTokens }, { messages: 0, advisorCalls: 1, input: 50_000, output: 3_000 });
    assert.ok(near(opus?.costUSD ?? null, advisorUSD));
    const sonnet = r.models.find((m) => m.model === 'claude-sonnet-4-6');
    assert.equal(sonnet?.messages, 1);
    assert.equal(sonnet?.advisorCalls, 0);
    const s = r.sessions[0];
    assert.equal(s?.advisorCalls, 1);
    assert.equal(s?.messages, 1);
    assert.deepEqual(s?.models, ['claude-opus-4-6', 'claude-sonnet-4-6']);
    assert.equal(r.days[0]?.advisorCalls, 1);
    assert.equal(r.days[0]?.messages, 1);
  });

  it('takes the context of an advisor turn from the last message iteration, never the doubled top level', () => {
    const r = reportOf({ [REL]: `${advisorLine()}\n` });
    assert.equal(r.sessions[0]?.contextTokens, 4 + 52_000 + 500);
    const engine = newEngine();
    feed(engine, { [REL]: `${advisorLine()}\n` });
    const turns = sessionTurns(engine, S);
    assert.equal(turns.length, 2);
    const main = turns.find((t) => !t.advisor);
    const adv = turns.find((t) => t.advisor);
    assert.equal(main?.promptTokens, 52_504);
    assert.equal(adv?.promptTokens, 0);
    assert.ok(near(main?.costUSD ?? null, mainUSD));
    assert.ok(near(adv?.costUSD ?? null, advisorUSD));
  });

  it('keeps the advisor in the stored history (its own model row) and in exports', () => {
    const engine = newEngine();
    feed(engine, { [REL]: `${advisorLine()}\n` });
    const report = buildReport(engine);
    const projects = new Map(report.sessions.map((x) => [x.sessionId, x.project]));
    const rows = liveHistoryRows(engine, (id) => projects.get(id) ?? null).rows;
    const opus = rows.find((r) => r.model === 'claude-opus-4-6');
    assert.ok(opus && near(opus.costUSD, advisorUSD) && opus.tokens.input === 50_000 && opus.messages === 0);
    const session = exportRows(report, rows).find((r) => r[0] === 'session');
    assert.ok(session && near(session[4] as number, mainUSD + advisorUSD, 2), String(session));
  });

  it('decides the Haiku 5.5 100k tier per request when a line holds two message iterations', () => {
    // Each request 60,000 tokens of prompt (low tier); the summed top level (120,000) would be the high tier.
    const it1 = { input: 60_000, output: 1_000 };
    const line = assistantLine({ id: 'msg_h', req: 'req_h', session: S, ts: TS, model: 'claude-haiku-5-5', input: 120_000, output: 2_000, iterations: [iteration('message', it1), iteration('message', it1)] });
    const r = reportOf({ [REL]: `${line}\n` });
    assert.ok(near(r.totals.costUSD, (120_000 * 0.1 + 2_000 * 0.5) / 1e6), `${r.totals.costUSD}`);
    assert.equal(r.totals.inputTokens, 120_000);
    assert.equal(r.sessions[0]?.contextTokens, 60_000);
    // One request over 100,000: that one alone at the high tier, the other low.
    const it2 = { input: 110_000, output: 1_000 };
    const high = assistantLine({ id: 'msg_h2', req: 'req_h2', session: S, ts: TS, model: 'claude-haiku-5-5', input: 170_000, output: 2_000, iterations: [iteration('message', it1), iteration('message', it2)] });
    const r2 = reportOf({ [REL]: `${high}\n` });
    assert.ok(near(r2.totals.costUSD, (60_000 * 0.1 + 1_000 * 0.5 + 110_000 * 0.5 + 1_000 * 2.5) / 1e6), `${r2.totals.costUSD}`);
  });

  it('prices the top level as one request on the last iteration tier when the iterations do not add up to it', () => {
    const it1 = { input: 60_000, output: 1_000 };
    const line = assistantLine({ id: 'msg_m', req: 'req_m', session: S, ts: TS, model: 'claude-haiku-5-5', input: 130_000, output: 2_000, iterations: [iteration('message', it1), iteration('message', it1)] });
    const r = reportOf({ [REL]: `${line}\n` });
    assert.equal(r.totals.inputTokens, 130_000);
    assert.ok(near(r.totals.costUSD, (130_000 * 0.1 + 2_000 * 0.5) / 1e6), `${r.totals.costUSD}`);
  });

  it('never bills a fallback_message iteration, and adds no message iteration to the top level again', () => {
    const line = assistantLine({
      id: 'msg_f',
      req: 'req_f',
      session: S,
      ts: TS,
      input: 100,
      output: 10,
      iterations: [iteration('fallback_message', { input: 100, output: 5, model: 'claude-opus-4-6' }), iteration('message', { input: 100, output: 10 })],
    });
    const r = reportOf({ [REL]: `${line}\n` });
    assert.equal(r.totals.inputTokens, 100);
    assert.equal(r.totals.outputTokens, 10);
    assert.equal(r.totals.advisorCalls, 0);
    assert.deepEqual(
      r.models.map((m) => m.model),
      ['claude-sonnet-4-6'],
    );
  });

  it('counts a forked copy of an advisor turn (same message ids, another session file) once', () => {
    const fork = 'bbbbbbbb-0000-4000-8000-000000000018';
    const copy = advisorLine({ session: fork, ts: '2026-11-21T10:00:00.000Z' });
    const r = reportOf({ [REL]: `${advisorLine()}\n`, [`-work-p/${fork}.jsonl`]: `${copy}\n` });
    assert.equal(r.totals.messages, 1);
    assert.equal(r.totals.advisorCalls, 1);
    assert.ok(near(r.totals.costUSD, mainUSD + advisorUSD, 2));
  });

  it('withdraws the advisor with its file (truncated or deleted), and a copy elsewhere takes over', () => {
    const engine = newEngine();
    feed(engine, { [REL]: `${advisorLine()}\n` });
    assert.equal(buildReport(engine).totals.advisorCalls, 1);
    engine.removeFile(`/projects/${REL}`);
    const empty = buildReport(engine);
    assert.equal(empty.totals.advisorCalls, 0);
    assert.equal(empty.totals.costUSD, 0);
    assert.equal(empty.models.length, 0);
  });

  it('sees the advisor as itemised against cost-state: only what the transcript lacks is un-itemised', () => {
    // cost-state as Claude Code writes it: the main model's usage plus the advisor's under its model, plus a compaction call (Sonnet, 1,000 in, 100 out) absent from the transcript.
    const costState = JSON.stringify({
      type: 'cost-state',
      sessionId: S,
      totalCostUSD: mainUSD + advisorUSD + (1_000 * 3 + 100 * 15) / 1e6,
      modelUsage: {
        'claude-sonnet-4-6': { inputTokens: 14 + 1_000, outputTokens: 500 + 100, cacheReadInputTokens: 102_000, cacheCreationInputTokens: 2_500, cacheCreationEphemeral5mInputTokens: 0, cacheCreationEphemeral1hInputTokens: 2_500, webSearchRequests: 0 },
        'claude-opus-4-6': { inputTokens: 50_000, outputTokens: 3_000, cacheReadInputTokens: 0, cacheCreationInputTokens: 0, webSearchRequests: 0, costUSD: advisorUSD },
      },
    });
    const r = reportOf({ [REL]: `${advisorLine()}\n${costState}\n` });
    const s = r.sessions[0];
    assert.equal(s?.itemisation, 'reconciled');
    assert.ok(near(s?.unitemisedCostUSD ?? null, (1_000 * 3 + 100 * 15) / 1e6), `${s?.unitemisedCostUSD}`);
    assert.ok(near(r.totals.costUSD, s?.claudeCodeCostUSD ?? 0, 3));
  });

  it('counts a line whose advisor iteration lacks its model, or carries a bad count, as malformed (never priced in half)', () => {
    const noModel = assistantLine({ id: 'msg_x', session: S, ts: TS, iterations: [iteration('message', { input: 1, output: 1 }), iteration('advisor_message', { input: 5, output: 5 })] });
    const badCount = assistantLine({ id: 'msg_y', session: S, ts: TS, iterations: [{ ...iteration('advisor_message', { input: 5, model: 'claude-opus-4-6' }), output_tokens: -1 }] });
    for (const text of [noModel, badCount]) {
      const parsed = parseLine(text);
      assert.equal(parsed.kind, 'malformed', text);
    }
    const r = reportOf({ [REL]: `${noModel}\n${badCount}\n` });
    assert.equal(r.skipped.malformedLines, 2);
    assert.equal(r.totals.costUSD, 0);
  });
});

describe('new fields of Claude Code 2.1.3xx lines', () => {
  /** Real shapes (field names from the 2.1.330-2.1.332 bundles and transcripts; values made up). */
  const withNewFields = (spec: Parameters<typeof assistantLine>[0]): string => {
    const o = JSON.parse(assistantLine(spec)) as Record<string, unknown>;
    Object.assign(o, {
      attributionSource: 'cli',
      attributionAgent: null,
      attribution: { kind: 'user', id: 'u1' },
      sessionKind: 'interactive',
      effort: 'high',
      isAbortedMidStream: false,
      apiErrorStatus: null,
    });
    return JSON.stringify(o);
  };
  const systemLines = [
    { type: 'system', subtype: 'model_fallback', originalModel: 'claude-opus-4-8', fallbackModel: 'claude-sonnet-4-6', sessionId: S, timestamp: TS, content: 'Switched to claude-sonnet-4-6' },
    { type: 'fork-context-ref', sessionId: S, forkedFrom: { sessionId: 'cccccccc-0000-4000-8000-000000000018', messageUuid: 'u-9' }, timestamp: TS },
    { type: 'relocated', sessionId: S, from: '/old/path', to: '/work/p', timestamp: TS },
    { type: 'user', rowSource: 'prompt', sentAtMs: 1_763_632_800_000, sessionId: S, timestamp: TS, message: { role: 'user', content: 'hi "usage" there' } },
  ].map((o) => JSON.stringify(o));

  it('reads assistant lines with attribution*, sessionKind, effort, isAbortedMidStream and apiErrorStatus as before', () => {
    const plain = parseLine(assistantLine({ id: 'msg_n', session: S, ts: TS, input: 3, output: 4 }));
    const rich = parseLine(withNewFields({ id: 'msg_n', session: S, ts: TS, input: 3, output: 4 }));
    assert.deepEqual(rich, plain);
    const aborted = JSON.parse(withNewFields({ id: 'msg_ab', session: S, ts: TS, input: 3, output: 4 })) as Record<string, unknown>;
    aborted.isAbortedMidStream = true;
    aborted.apiErrorStatus = 529;
    assert.equal(parseLine(JSON.stringify(aborted)).kind, 'call');
  });

  it('takes system, fork-context-ref, relocated and user lines with the new fields as other lines: nothing counted, nothing malformed', () => {
    for (const text of systemLines) {
      assert.equal(parseLine(text).kind, 'other', text);
    }
    const r = reportOf({ [REL]: [...systemLines, withNewFields({ id: 'msg_n', req: 'req_n', session: S, ts: TS, input: 3, output: 4 }), withNewFields({ id: 'msg_n', req: 'req_n', session: S, ts: TS, input: 3, output: 4 })].join('\n') + '\n' });
    assert.equal(r.skipped.malformedLines, 0);
    assert.equal(r.totals.messages, 1);
    assert.equal(r.totals.inputTokens, 3);
  });
});
