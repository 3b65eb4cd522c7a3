import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { parseLine } from '../../../../src/core/transcript/transcript';
import { LineKernel } from '../../../../src/node/scan/line-kernel';
import { assistantLine, CALL_SPECS, mutated } from '../../support/lines';

const decode = (b: Uint8Array, s: number, e: number): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8', s, e);

let kernel: LineKernel | undefined;

/** The kernel's reading of `line` (placed at an odd offset, with other bytes after it): undefined when unsure. */
function extractUsageLine(line: Buffer): ReturnType<LineKernel['extract']> {
  kernel ??= LineKernel.create(1 << 16) as LineKernel;
  const b = kernel.buffer.length >= line.length + 64 ? kernel.buffer : kernel.grow(line.length + 64);
  b.fill(0x7d);
  line.copy(b, 5);
  return kernel.extract(5, 5 + line.length, decode);
}

/** The kernel's answer for a line, checked against parseLine when it answers. */
function both(text: string | Buffer) {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const fast = extractUsageLine(bytes);
  const slow = parseLine(bytes.toString('utf8'));
  if (fast !== undefined) {
    assert.deepEqual(fast, slow, `fast reader differs on ${bytes.toString('utf8').slice(0, 300)}`);
  }
  return { fast, slow };
}

function fixtureUsageLines(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        walk(p);
      } else if (e.name.endsWith('.jsonl')) {
        out.push(...fs.readFileSync(p, 'utf8').split('\n').filter((l) => l.includes('"usage"')));
      }
    }
  };
  walk(path.join(__dirname, '../../../../../test/fixtures'));
  return out;
}

describe('LineKernel reading usage lines, against parseLine', () => {
  it('answers exactly what parseLine answers for every usage line of the Claude Code fixtures', () => {
    const lines = fixtureUsageLines();
    assert.ok(lines.length > 20);
    let answered = 0;
    for (const l of lines) {
      if (both(l).fast !== undefined) {
        answered++;
      }
    }
    assert.ok(answered > lines.length / 2, `answered ${answered} of ${lines.length}`);
  });

  it('reads calls, synthetic and API-error lines, flat cache writes, nulls, web searches, fast mode and the US region', () => {
    const specs = CALL_SPECS;
    for (const s of specs) {
      const { fast, slow } = both(assistantLine(s));
      assert.notEqual(fast, undefined, JSON.stringify(s));
      assert.notEqual(slow.kind, 'malformed');
    }
    const nulls = JSON.parse(assistantLine({})) as { message: { usage: Record<string, unknown> }; agentId?: unknown };
    nulls.message.usage.cache_read_input_tokens = null;
    nulls.message.usage.server_tool_use = null;
    nulls.message.usage.cache_creation = null;
    nulls.message.usage.speed = null;
    nulls.agentId = null;
    assert.notEqual(both(JSON.stringify(nulls)).fast, undefined);
  });

  it('lets the last of duplicate keys win and never takes a nested field for a top-level one', () => {
    const line = assistantLine({ id: 'msg_1', output: 10 });
    const dup = line.replace('"usage":{', '"usage":{"output_tokens":999,');
    assert.equal((both(dup).fast as { call: { tokens: { output: number } } }).call.tokens.output, 10);
    const nested = line.replace('"content":[', '"content":[{"type":"tool_use","input":{"model":"evil","usage":{"input_tokens":5},"type":"user"}},');
    const r = both(nested);
    assert.equal(r.slow.kind, 'call');
    assert.equal((r.fast as { call: { model: string } } | undefined)?.call.model, 'claude-sonnet-4-6');
  });

  it('is unsure (never wrong) on escaped keys, fractions, exponents, big or negative counts and wrong types', () => {
    const base = assistantLine({ output: 10 });
    const cases = [
      base.replace('"output_tokens":10', '"output_tokens":10.0'),
      base.replace('"output_tokens":10', '"output_tokens":1e1'),
      base.replace('"output_tokens":10', '"output_tokens":-10'),
      base.replace('"output_tokens":10', '"output_tokens":100000001'),
      base.replace('"output_tokens":10', '"output_tokens":"10"'),
      base.replace('"type":"assistant"', '"t\\u0079pe":"assistant"'),
      base.replace('"isSidechain":false', '"isSidechain":"no"'),
      base.replace('"cwd":', '"cwd":5,"x":'),
    ];
    for (const c of cases) {
      assert.equal(both(c).fast, undefined, c);
    }
  });

  it('leaves torn, trailing-garbage, control-character and non-assistant lines to the general path', () => {
    const base = assistantLine({});
    const cases = [
      base.slice(0, -1),
      `${base} x`,
      `${base}}`,
      base.replace('"content":[', '"content":[1,'),
      base.replace('"content":[{', '"content":[,{'),
      base.replace('"stop_reason"', '"stop_reason" '),
      '{"type":"user","message":{"content":"the \\"usage\\" of tokens","usage":{"input_tokens":1,"output_tokens":1}},"timestamp":"2026-11-20T10:00:00Z"}',
      '{"type":"system","subtype":"compact_boundary","timestamp":"2026-11-20T10:00:00Z","usage":1}',
    ];
    for (const c of cases) {
      const r = both(c);
      assert.equal(r.fast === undefined || r.fast.kind === r.slow.kind, true);
    }
    const nul = Buffer.concat([Buffer.from(base.slice(0, base.indexOf('"content":[') + 20)), Buffer.from([0]), Buffer.from(base.slice(base.indexOf('"content":[') + 20))]);
    assert.equal(both(nul).fast, undefined);
    assert.equal(both(nul).slow.kind, 'malformed');
  });

  it('agrees with parseLine on arbitrary mutations of a usage line (a byte changed, inserted or removed)', () => {
    const base = Buffer.from(assistantLine({ id: 'msg_m', req: 'req_m', input: 12, output: 34, w5: 5, w1: 6, read: 78, web: 1 }), 'utf8');
    fc.assert(
      fc.property(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'remove'), (at, byte, op) => {
        const b = mutated(base, at, byte, op);
        const fast = extractUsageLine(b);
        if (fast === undefined) {
          return;
        }
        const slow = parseLine(b.toString('utf8'));
        assert.deepEqual(fast, slow);
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses a malformed escape even inside the content it steps over, as JSON.parse does', () => {
    for (const bad of ['\\x', '\\u12', '\\u12G4', '\\\'']) {
      const line = assistantLine({ id: 'msg_e', req: 'req_e' }).replace('"text":"hi"', `"text":"a${bad}b"`);
      assert.ok(line.includes(bad));
      assert.equal(extractUsageLine(Buffer.from(line)), undefined, bad);
      assert.equal(parseLine(line).kind, 'malformed');
    }
    const good = assistantLine({ id: 'msg_e', req: 'req_e' }).replace('"text":"hi"', '"text":"a\\n\\u00e9\\\\\\"b"');
    assert.deepEqual(extractUsageLine(Buffer.from(good)), parseLine(good));
  });

  it('reads a timestamp from its bytes as Date.parse would, and leaves every other form to Date.parse', () => {
    const two = (n: number) => String(n).padStart(2, '0');
    const stamp = fc
      .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 61 }), fc.integer({ min: 0, max: 61 }), fc.integer({ min: 0, max: 999 }))
      .map(([y, mo, d, h, mi, se, ms]) => `${String(y).padStart(4, '0')}-${two(mo)}-${two(d)}T${two(h)}:${two(mi)}:${two(se)}.${String(ms).padStart(3, '0')}Z`);
    const other = fc.constantFrom('2026-11-20T10:00:00Z', '2026-11-20T10:00:00.000+01:00', '2026-11-20 10:00:00.000Z', '2026-11-20T10:00:00.000z', '2026-02-29T00:00:00.000Z', '2026-04-31T12:00:00.000Z', '2026-01-31T24:00:00.000Z', 'Fri, 20 Nov 2026 10:00:00 GMT', '');
    fc.assert(
      fc.property(fc.oneof(stamp, other), (ts) => {
        const { fast } = both(assistantLine({ ts }));
        const ms = Date.parse(ts);
        if (Number.isNaN(ms)) {
          assert.equal(fast, undefined);
        } else {
          assert.equal(fast?.kind === 'call' ? fast.call.timestampMs : undefined, ms, ts);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps the last of duplicate timestamps, whichever way each was read', () => {
    const line = assistantLine({ ts: '2026-11-20T10:00:00.000Z' });
    for (const [first, last] of [
      ['"2026-11-20T10:00:00.000Z"', '"2026-11-30T10:00:00Z"'],
      ['"2026-11-30T10:00:00Z"', '"2026-11-20T10:00:00.000Z"'],
      ['"2026-11-20T10:00:00.000Z"', 'null'],
    ]) {
      const text = line.replace('"timestamp":"2026-11-20T10:00:00.000Z"', `"timestamp":${first},"timestamp":${last}`);
      const { fast, slow } = both(text);
      assert.equal(fast === undefined ? slow.kind : fast.kind, last === 'null' ? 'malformed' : 'call', text.slice(-120));
    }
  });
});
