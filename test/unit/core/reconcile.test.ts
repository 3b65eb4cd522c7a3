import { strict as assert } from 'node:assert';
import { assistantLine } from '../support/lines';
import { reportOf } from '../support/engine';

const S = 'eeeeeeee-0000-4000-8000-000000000005';
const costState = (models: Record<string, Record<string, number>>, total: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ type: 'cost-state', sessionId: S, totalCostUSD: total, modelUsage: models, hasUnknownModelCost: false, ...extra });
const usage = (input: number, output: number, read = 0, w5 = 0, w1 = 0, web = 0) => ({
  inputTokens: input,
  outputTokens: output,
  cacheReadInputTokens: read,
  cacheCreationInputTokens: w5 + w1,
  cacheCreationEphemeral5mInputTokens: w5,
  cacheCreationEphemeral1hInputTokens: w1,
  webSearchRequests: web,
});
const file = (...lines: string[]) => ({ [`-p/${S}.jsonl`]: lines.join('\n') + '\n' });
const call = (id: string, ts: string, input: number, output: number, read = 0) => assistantLine({ session: S, id, req: `r${id}`, ts, input, output, read });

describe('reconciliation with cost-state', () => {
  it('labels a session without cost-state as transcript-only', () => {
    const r = reportOf(file(call('a', '2026-11-20T10:00:00.000Z', 10, 10)));
    assert.equal(r.sessions[0]?.itemisation, 'transcript-only');
    assert.equal(r.sessions[0]?.unitemisedCostUSD, null);
    assert.equal(r.sessions[0]?.claudeCodeCostUSD, null);
    assert.equal(r.totals.claudeCodeCostUSD, null);
  });

  it('adds usage beyond the itemised calls as not itemised, priced by our table; messages stay itemised', () => {
    // itemised: 10 in, 10 out; cost-state: 1010 in, 210 out, 5000 read (a compaction call of 1000 / 200 / 5000).
    const r = reportOf(file(call('a', '2026-11-20T10:00:00.000Z', 10, 10), costState({ 'claude-sonnet-4-6': usage(1010, 210, 5000) }, 0.123)));
    const s = r.sessions[0];
    assert.ok(s);
    const compaction = (1000 * 3 + 200 * 15 + 5000 * 0.3) / 1e6;
    assert.ok(Math.abs((s.unitemisedCostUSD ?? NaN) - compaction) < 1e-12);
    assert.ok(Math.abs(s.costUSD - (compaction + (10 * 3 + 10 * 15) / 1e6)) < 1e-12);
    assert.equal(s.inputTokens, 1010);
    assert.equal(s.outputTokens, 210);
    assert.equal(s.messages, 1);
    assert.equal(s.claudeCodeCostUSD, 0.123);
    assert.equal(r.totals.claudeCodeCostUSD, 0.123);
    assert.equal(r.days[0]?.date, '2026-11-20');
    assert.equal(r.models[0]?.inputTokens, 1010);
  });

  it('uses the latest cost-state of the file and ignores calls written after it', () => {
    const r = reportOf(
      file(
        call('a', '2026-11-20T10:00:00.000Z', 10, 10),
        costState({ 'claude-sonnet-4-6': usage(10, 10) }, 0.0002),
        call('b', '2026-11-20T10:01:00.000Z', 10, 10),
        costState({ 'claude-sonnet-4-6': usage(1020, 20) }, 0.0033),
        call('c', '2026-11-20T10:02:00.000Z', 500, 500),
      ),
    );
    const s = r.sessions[0];
    assert.ok(s);
    // Not itemised: 1020 - 20 = 1000 input, nothing else; call c (after the last cost-state) is itemised normally.
    assert.ok(Math.abs((s.unitemisedCostUSD ?? NaN) - 1000 * 3 / 1e6) < 1e-12);
    assert.equal(s.inputTokens, 1020 + 500);
    assert.equal(s.messages, 3);
  });

  it('never subtracts: a cost-state below the itemised usage adds nothing', () => {
    const r = reportOf(file(call('a', '2026-11-20T10:00:00.000Z', 100, 100), costState({ 'claude-sonnet-4-6': usage(50, 50) }, 0.001)));
    assert.equal(r.sessions[0]?.unitemisedCostUSD, 0);
    assert.equal(r.totals.inputTokens, 100);
  });

  it('keeps an unknown model in cost-state as unpriced tokens', () => {
    const r = reportOf(file(call('a', '2026-11-20T10:00:00.000Z', 1, 1), costState({ 'claude-nova-9': usage(40, 4) }, 0)));
    const nova = r.models.find((m) => m.model === 'claude-nova-9');
    assert.equal(nova?.priced, false);
    assert.equal(nova?.costUSD, null);
    assert.equal(nova?.inputTokens, 40);
  });

  it('does not count cost-state lines as malformed even without a timestamp', () => {
    const r = reportOf(file(call('a', '2026-11-20T10:00:00.000Z', 1, 1), costState({}, 0)));
    assert.equal(r.skipped.malformedLines, 0);
  });

  it('never counts a subagent twice when it ran after the last call of the main file', () => {
    const sub = assistantLine({ session: S, id: 'sub1', req: 'rs1', side: true, ts: '2026-11-20T10:05:00.000Z', input: 100, output: 100 });
    const r = reportOf({
      ...file(call('a', '2026-11-20T10:00:00.000Z', 10, 10), costState({ 'claude-sonnet-4-6': usage(110, 110) }, 0.002)),
      [`-p/${S}/subagents/agent-x.jsonl`]: sub + '\n',
    });
    assert.equal(r.sessions[0]?.unitemisedCostUSD, 0);
    assert.equal(r.totals.inputTokens, 110);
  });
});
