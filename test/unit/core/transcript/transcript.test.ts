import { strict as assert } from 'node:assert';
import { parseLine, type ParsedLine, type RawCall } from '../../../../src/core/transcript/transcript';
import { assistantLine, compactLine } from '../../support/lines';

function call(p: ParsedLine): RawCall {
  assert.equal(p.kind, 'call', JSON.stringify(p));
  if (p.kind !== 'call') {
    throw new Error('unreachable');
  }
  return p.call;
}

describe('parseLine', () => {
  it('reads every usage bucket of a 2.1.x assistant line', () => {
    const c = call(parseLine(assistantLine({ input: 3, output: 212, w5: 7, w1: 12176, read: 13967, web: 2 })));
    assert.deepEqual(c.tokens, { input: 3, output: 212, write5m: 7, write1h: 12176, read: 13967, webSearches: 2 });
    assert.equal(c.messageId, 'msg_1');
    assert.equal(c.requestId, 'req_1');
    assert.equal(c.model, 'claude-sonnet-4-6');
    assert.equal(c.timestampMs, Date.parse('2026-11-20T10:00:00.000Z'));
    assert.equal(c.fast, false);
    assert.equal(c.geoUs, false);
  });

  it('counts a flat cache_creation_input_tokens as 5m only when the breakdown is absent', () => {
    assert.deepEqual(call(parseLine(assistantLine({ w5: 3000, flat: true }))).tokens.write5m, 3000);
    const withBreakdown = call(parseLine(assistantLine({ w1: 3000 })));
    assert.equal(withBreakdown.tokens.write5m, 0);
    assert.equal(withBreakdown.tokens.write1h, 3000);
  });

  it('reads fast mode and US data residency', () => {
    const c = call(parseLine(assistantLine({ speed: 'fast', geo: 'us' })));
    assert.equal(c.fast, true);
    assert.equal(c.geoUs, true);
    assert.equal(call(parseLine(assistantLine({ geo: 'global' }))).geoUs, false);
  });

  it('treats null as absent (P21)', () => {
    const line = JSON.parse(assistantLine()) as Record<string, unknown>;
    line.requestId = null;
    line.cwd = null;
    (line.message as Record<string, unknown>).stop_details = null;
    ((line.message as Record<string, unknown>).usage as Record<string, unknown>).cache_read_input_tokens = null;
    ((line.message as Record<string, unknown>).usage as Record<string, unknown>).service_tier = null;
    const c = call(parseLine(JSON.stringify(line)));
    assert.equal(c.requestId, undefined);
    assert.equal(c.cwd, undefined);
    assert.equal(c.tokens.read, 0);
  });

  it('marks <synthetic> and API error lines as synthetic, not calls', () => {
    assert.equal(parseLine(assistantLine({ model: '<synthetic>', input: 0, output: 0 })).kind, 'synthetic');
    assert.equal(parseLine(assistantLine({ apiError: true })).kind, 'synthetic');
  });

  it('recognises compact boundaries', () => {
    const p = parseLine(compactLine('2026-11-20T10:05:00.000Z'));
    assert.equal(p.kind, 'compact');
    if (p.kind === 'compact') {
      assert.equal(p.boundary.preTokens, 1000);
      assert.equal(p.boundary.trigger, 'manual');
    }
  });

  it('tolerates unknown line types and fields', () => {
    assert.equal(parseLine('{"type":"mode","mode":"plan","sessionId":"s"}').kind, 'other');
    assert.equal(parseLine('{"type":"file-history-snapshot","snapshot":{"trackedFileBackups":{}}}').kind, 'other');
    const extra = JSON.parse(assistantLine()) as Record<string, unknown>;
    extra.somethingNew = { deep: [1, 2, 3] };
    assert.equal(parseLine(JSON.stringify(extra)).kind, 'call');
  });

  it('does not treat a user line that mentions "usage" as a call', () => {
    assert.equal(parseLine('{"type":"user","message":{"role":"user","content":"what is \\"usage\\"?"}}').kind, 'other');
  });

  it('rejects negative, fractional, string and absurd token counts as malformed', () => {
    for (const bad of [-1, 1.5, '12', 1e12, null]) {
      const line = JSON.parse(assistantLine()) as { message: { usage: Record<string, unknown> } };
      line.message.usage.output_tokens = bad;
      assert.equal(parseLine(JSON.stringify(line)).kind, 'malformed', String(bad));
    }
  });

  it('never throws on garbage', () => {
    for (const text of ['', '{', 'null', '[]', '"x"', '{"type":"assistant","message":{"usage":{}}}', '{"type":7}', '\u0000{}']) {
      assert.doesNotThrow(() => parseLine(text));
    }
    assert.equal(parseLine('{"type":"assistant","message":{"usage":{}}}').kind, 'malformed');
    assert.equal(parseLine('{"type":"assistant","timestamp":"x","message":{"model":"m","usage":{"input_tokens":1,"output_tokens":1}}}').kind, 'malformed');
  });
});
