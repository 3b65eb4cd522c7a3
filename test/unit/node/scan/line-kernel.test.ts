import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { parseLine } from '../../../../src/core/transcript/transcript';
import { LineKernel } from '../../../../src/node/scan/line-kernel';
import { advisorTurnSpec, assistantLine, CALL_SPECS, iteration, ITERATION_SPECS, mutated } from '../../support/lines';

const NEEDLES = ['"usage"', 'compact_boundary', '"cost-state"'];

/** The answer by plain searches, for the bytes `b[s, e)`. */
function expected(b: Buffer, s: number, e: number): boolean {
  const line = b.subarray(s, e);
  return NEEDLES.some((n) => line.indexOf(n) >= 0);
}

/** Pieces that make lines hard for the kernel: needles, their prefixes and near-misses, control bytes, UTF-8. */
const piece = fc.oneof(
  fc.constantFrom(...NEEDLES),
  fc.constantFrom('"usag', 'usage"', '"usa"e"', '"uXage"', 'compact_boundar', 'ompact_boundary', 'compact-boundary', '"cost-stat', 'cost-state"', '"cXst-state"', '"c', '"u', '_', 'y'),
  fc.constantFrom('\u0000', '\u0001', '\t', '\n', '\r', '\u001f', ' ', 'é', '日本'),
  fc.string({ maxLength: 20 }),
);

describe('LineKernel (the WebAssembly line test and usage reader)', () => {
  it('finds the needles plain searches find, in any bytes, at any alignment, whatever lies past the line', () => {
    const kernel = LineKernel.create(4096) as LineKernel;
    assert.ok(kernel, 'WebAssembly SIMD is available in Node 20');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), fc.nat(40), fc.array(piece, { maxLength: 4 }), (parts, at, after) => {
        const line = Buffer.from(parts.join(''));
        const past = Buffer.from(after.join(''));
        const b = kernel.buffer;
        b.fill(0x61);
        line.copy(b, at);
        past.copy(b, at + line.length);
        assert.equal(kernel.hasNeedle(at, at + line.length), expected(b, at, at + line.length));
      }),
      { numRuns: 3000 },
    );
  });

  it('finds a needle that ends exactly at the line end, and none that crosses it, in every lane', () => {
    const kernel = LineKernel.create(256) as LineKernel;
    for (const needle of NEEDLES) {
      for (let at = 0; at < 40; at++) {
        const b = kernel.buffer;
        b.fill(0x20);
        b.write(needle, at, 'latin1');
        const end = at + needle.length;
        assert.equal(kernel.hasNeedle(0, end), true, `${needle} ending at ${end}`);
        assert.equal(kernel.hasNeedle(0, end - 1), false, `${needle} cut at ${end - 1}`);
        assert.equal(kernel.hasNeedle(at + 1, end + 20), false, `${needle} starting before the line`);
      }
    }
  });

  it('keeps its bytes when it grows, and answers over the new memory', () => {
    const kernel = LineKernel.create(100) as LineKernel;
    kernel.buffer.write('{"usage":1}', 10);
    const old = kernel.buffer;
    const grown = kernel.grow(1_000_000); // past the memory's first 5 pages
    assert.equal(old.length, 0, 'the old view is detached');
    assert.equal(grown.toString('latin1', 10, 21), '{"usage":1}');
    grown.fill(0x20, 21);
    grown.write('compact_boundary', 999_000);
    assert.equal(kernel.hasNeedle(10, 21), true);
    assert.equal(kernel.hasNeedle(21, 1_000_000), true);
  });

  /** Copies `text` into the kernel at `at` with `after` past it; answers the skipper's result relative to `at`. */
  function skipIn(kernel: LineKernel, text: Buffer, at: number, after: Buffer): number {
    const b = kernel.buffer;
    b.fill(0x20);
    text.copy(b, at);
    after.copy(b, at + text.length);
    const q = kernel.skip(at, at + text.length);
    return q < 0 ? q : q - at;
  }

  const valid = (t: Buffer): boolean => {
    try {
      JSON.parse(t.toString('utf8'));
      return true;
    } catch {
      return false;
    }
  };

  it('steps over exactly the JSON values JSON.parse accepts, and no further than their end', () => {
    const kernel = LineKernel.create(1 << 16) as LineKernel;
    fc.assert(
      fc.property(fc.json({ maxDepth: 6 }), fc.nat(40), fc.constantFrom('', '"', ']', '}', '1', 'x', ',"a":1}'), (json, at, after) => {
        const text = Buffer.from(json);
        assert.equal(skipIn(kernel, text, at, Buffer.from(after)), text.length, json);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses a mutated value unless the bytes it stops at are a valid value themselves', () => {
    const kernel = LineKernel.create(1 << 16) as LineKernel;
    fc.assert(
      fc.property(fc.json({ maxDepth: 4 }), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'remove'), fc.nat(40), (json, where, byte, op, at) => {
        const base = Buffer.from(json);
        const k = where % (base.length + 1);
        const text = mutated(base, k, byte, op);
        const q = skipIn(kernel, text, at, Buffer.from('"x"'));
        if (q >= 0) {
          assert.ok(q <= text.length, `${text.toString('latin1')} -> ${q}`);
          assert.ok(valid(text.subarray(0, q)), `${text.toString('latin1')} stops at ${q} on an invalid value`);
        }
        if (valid(text) && text.length > 0 && !/^\s|\s$/.test(text.toString('latin1'))) {
          assert.equal(q, text.length, text.toString('latin1'));
        }
      }),
      { numRuns: 4000 },
    );
  });

  it('refuses bad escapes, raw control bytes, bad numbers and literals, unclosed values and nesting past 60 levels', () => {
    const kernel = LineKernel.create(4096) as LineKernel;
    const bs = '\\';
    const bads = [
      `"a${bs}xb"`,
      `"${bs}u12G4"`,
      `"${bs}u12"`,
      '"a\u0001b"',
      '"a\tb"',
      '"abc',
      `"abc${bs}"`,
      '-',
      '-a',
      '1.',
      '1.e5',
      '1e',
      '1e+',
      'tru',
      'nul',
      'fals',
      'True',
      '[1,]',
      '[1 2]',
      '{"a"}',
      '{"a":}',
      '{"a":1,}',
      '{a:1}',
      '[',
      '{',
      '{"a":1]',
      '[1}',
    ];
    for (const bad of bads) {
      const t = Buffer.from(bad);
      assert.equal(valid(t), false, bad);
      const q = skipIn(kernel, t, 3, Buffer.alloc(0));
      assert.ok(q < 0 || (q < t.length && valid(t.subarray(0, q))), `${bad} -> ${q}`);
    }
    // "01": the value is "0"; what follows is the caller's to refuse.
    assert.equal(skipIn(kernel, Buffer.from('01'), 0, Buffer.alloc(0)), 1);
    assert.equal(skipIn(kernel, Buffer.from(`${'['.repeat(60)}${']'.repeat(60)}`), 0, Buffer.alloc(0)), 120);
    assert.equal(skipIn(kernel, Buffer.from(`${'['.repeat(61)}${']'.repeat(61)}`), 0, Buffer.alloc(0)), -1);
    const escaped = Buffer.from(JSON.stringify('a\n\u00e9\\"b/\u0001'));
    assert.equal(skipIn(kernel, escaped, 5, Buffer.alloc(0)), escaped.length);
  });

  /**
   * The kernel's reading of `line` (placed at an odd offset, with other bytes
   * after it), and the reference parser's; whenever the kernel answers, it
   * answers exactly what parseLine does.
   */
  function readBoth(kernel: LineKernel, line: Buffer) {
    const b = kernel.buffer.length >= line.length + 64 ? kernel.buffer : kernel.grow(line.length + 64);
    b.fill(0x7d);
    line.copy(b, 7);
    const wasm = kernel.extract(7, 7 + line.length, decode);
    const ref = parseLine(line.toString('utf8'));
    if (wasm !== undefined) {
      assert.deepEqual(wasm, ref, line.toString('latin1').slice(0, 300));
    }
    return { wasm, ref };
  }
  const decode = (b: Uint8Array, s: number, e: number): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8', s, e);

  it('reads usage lines as parseLine does whenever it answers, and answers every well-formed call', () => {
    const kernel = LineKernel.create(1 << 16) as LineKernel;
    const specs = [...CALL_SPECS, { ts: '2026-11-30T10:00:00.000Z' }, { ts: '2026-11-20T10:00:00Z' }];
    const lines = specs.map((spec) => assistantLine(spec));
    lines.push(
      lines[0]!.replace('"type":"assistant"', '"type":"assistant","type":"user"'),
      lines[0]!.replace('"type":"assistant"', '"type":"user","type":"assistant"'),
      lines[0]!.replace('"usage":{', '"usage":null,"usage":{'),
      lines[0]!.replace('"usage":{', '"usage":{"input_tokens":3,'),
      lines[0]!.replace('"message":{', '"message":{"id":"msg_x","usage":{"input_tokens":1,"output_tokens":1}},"message":{'),
      lines[0]!.replace('"cwd":"/work/p"', '"cwd":"/w\\u00e9rk/p\\n"'),
      lines[0]!.replace('"cwd":"/work/p"', '"cwd":null'),
      lines[0]!.replace('"cwd":"/work/p"', '"cwd":5'),
      lines[0]!.replace('"cwd":"/work/p"', '"c\\u0077d":"/x"'),
      lines[0]!.replace('"input_tokens":1', '"input_tokens":1.5'),
      lines[0]!.replace('"input_tokens":1', '"input_tokens":1e2'),
      lines[0]!.replace('"input_tokens":1', '"input_tokens":-1'),
      lines[0]!.replace('"input_tokens":1', '"input_tokens":100000001'),
      lines[0]!.replace('"input_tokens":1', '"input_tokens":100000000'),
      lines[0]!.replace('"input_tokens":1', '"input_tokens":01'),
      lines[0]!.replace('"input_tokens":1', '"input_tokens":null'),
      lines[0]!.replace('"isSidechain":false', '"isSidechain":null'),
      lines[0]!.replace('"isSidechain":false', '"isSidechain":"yes"'),
      lines[0]!.replace('"server_tool_use":{', '"server_tool_use":null,"x":{'),
      lines[0]!.replace('"cache_creation":{', '"cache_creation":[],"x":{'),
      `  ${lines[0]!}  `,
      `${lines[0]!}x`,
      '[1,2]',
      '{}',
    );
    let answered = 0;
    for (const text of lines) {
      if (readBoth(kernel, Buffer.from(text)).wasm !== undefined) {
        answered++;
      }
    }
    for (const text of lines.slice(0, specs.length)) {
      assert.notEqual(readBoth(kernel, Buffer.from(text)).wasm, undefined, text);
    }
    assert.ok(answered >= specs.length, `answered ${answered}`);
  });

  it('reads a line with one message iteration (every 2.1.x line) on the fast path, and leaves every line whose iterations count to parseLine', () => {
    const kernel = LineKernel.create(1 << 16) as LineKernel;
    const single = assistantLine({ input: 3, output: 4, read: 5, iterations: [iteration('message', { input: 3, output: 4, read: 5 })] });
    for (const text of [single, single.replace('"type":"message"}]', '"type":"message","type":"message"}]'), single.replace('"iterations":[', '"iterations": [ ').replace('}]', '} ]')]) {
      const { wasm, ref } = readBoth(kernel, Buffer.from(text));
      assert.notEqual(wasm, undefined, text);
      assert.equal(ref.kind, 'call');
    }
    // `message` spelt with an escape: the kernel leaves it to parseLine.
    const escaped = single.replace('"type":"message"}]', '"type":"mess\\u0061ge"}]');
    assert.deepEqual(readBoth(kernel, Buffer.from(escaped)), { wasm: undefined, ref: parseLine(escaped) });
    const deferred = [
      ...ITERATION_SPECS.map((spec) => assistantLine(spec)),
      single.replace('"type":"message"}]', '"type":"message","type":"advisor_message"}]'),
      single.replace('"type":"message"}]', '"type":null}]'),
      single.replace('"iterations":[', '"iterations":[{"type":"message"},'),
      single.replace('"iterations":[', '"iterations":{"x":').replace('}]', '}}'),
    ];
    for (const text of deferred) {
      assert.equal(readBoth(kernel, Buffer.from(text)).wasm, undefined, text);
    }
  });

  it('agrees with parseLine on an advisor turn whatever it is mutated into', () => {
    const kernel = LineKernel.create(1 << 16) as LineKernel;
    const base = Buffer.from(assistantLine(advisorTurnSpec({ id: 'msg_a', req: 'req_a' }, { input: 1, read: 20, w1: 3, output: 4 }, { input: 2, read: 25, w1: 1, output: 5 }, { model: 'claude-opus-4-6', input: 60, output: 7 })));
    let answered = 0;
    let deferred = 0;
    fc.assert(
      fc.property(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'remove'), (at, byte, op) => {
        const line = mutated(base, at, byte, op);
        const { wasm, ref } = readBoth(kernel, line);
        deferred += wasm === undefined && ref.kind === 'call' ? 1 : 0;
        answered += wasm !== undefined ? 1 : 0;
        if (ref.kind === 'call' && ref.call.iterations !== undefined) {
          assert.equal(wasm, undefined);
        }
      }),
      { numRuns: 3000 },
    );
    // Most mutations leave the iterations as they were (the line is then left to parseLine); those that break them open are read by both alike.
    assert.ok(answered > 0 && deferred > 1000, `answered ${answered}, deferred ${deferred}`);
  });

  it('reads a timestamp to the milliseconds Date.parse gives, and leaves every other form to Date.parse', () => {
    const kernel = LineKernel.create(1 << 16) as LineKernel;
    const two = (n: number) => String(n).padStart(2, '0');
    const stamp = fc
      .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 61 }), fc.integer({ min: 0, max: 61 }), fc.integer({ min: 0, max: 999 }))
      .map(([y, mo, d, h, mi, se, ms]) => `${String(y).padStart(4, '0')}-${two(mo)}-${two(d)}T${two(h)}:${two(mi)}:${two(se)}.${String(ms).padStart(3, '0')}Z`);
    const other = fc.constantFrom('2026-11-20T10:00:00Z', '2026-11-20T10:00:00.000+01:00', '2026-11-20 10:00:00.000Z', '2026-11-20T10:00:00.000z', '2026-02-29T00:00:00.000Z', '2026-04-31T12:00:00.000Z', '2026-01-31T24:00:00.000Z', '2026-1a-20T10:00:00.000Z', '2026-11-20T10:00:00.0-0Z', '1969-12-31T23:59:59.999Z', '1970-01-01T00:00:00.000Z', '2400-02-28T23:59:59.999Z', '9999-12-28T23:59:59.999Z', '');
    fc.assert(
      fc.property(fc.oneof(stamp, other), (ts) => {
        const { wasm } = readBoth(kernel, Buffer.from(assistantLine({ ts })));
        const ms = Date.parse(ts);
        assert.equal(wasm?.kind === 'call' ? wasm.call.timestampMs : undefined, Number.isNaN(ms) ? undefined : ms, ts);
      }),
      { numRuns: 3000 },
    );
  });

  it('reuses the string of a field only while its bytes repeat, field by field', () => {
    const kernel = LineKernel.create(1 << 16) as LineKernel;
    const long = `/p/${'x'.repeat(300)}`;
    const specs = [
      { cwd: '/work/a', session: 's-1', id: 'msg_1', req: 'req_1' },
      { cwd: '/work/a', session: 's-1', id: 'msg_1', req: 'req_1' },
      { cwd: '/work/b', session: 's-1', id: 'msg_2', req: 'req_1' },
      { cwd: '/work/b', session: '/work/b', id: 'msg_2', req: 'req_2' },
      { cwd: '/work/\u00e9', session: 's-1', id: 'msg_2', req: 'req_2' },
      { cwd: '/work/é', session: 's-1', id: 'msg_2', req: 'req_2' },
      { cwd: long, session: 's-1', id: 'msg_2', req: 'req_2' },
      { cwd: `${long.slice(0, -1)}y`, session: 's-1', id: 'msg_2', req: 'req_2' },
      { cwd: '', session: 's-1', id: '', req: 'req_2' },
      { cwd: '/work/a', session: 's-1', id: 'msg_1', req: 'req_1' },
    ];
    for (const spec of specs) {
      const text = assistantLine(spec).replace('\\\\u00e9', '\\u00e9');
      const { wasm } = readBoth(kernel, Buffer.from(text));
      assert.notEqual(wasm, undefined, text.slice(0, 200));
    }
  });

  it('reads every usage line of the Claude Code fixtures as parseLine does, most of them on its own', () => {
    const kernel = LineKernel.create(1 << 16) as LineKernel;
    const walk = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.jsonl') ? fs.readFileSync(path.join(dir, e.name), 'utf8').split('\n').filter((l) => l.includes('"usage"')) : []));
    const lines = walk(path.join(__dirname, '../../../../../test/fixtures'));
    assert.ok(lines.length > 20);
    let answered = 0;
    for (const text of lines) {
      answered += readBoth(kernel, Buffer.from(text.trim())).wasm !== undefined ? 1 : 0;
    }
    assert.ok(answered > lines.length / 2, `answered ${answered} of ${lines.length}`);
  });

  it('reads a usage line as parseLine does, whatever it is mutated into', () => {
    const kernel = LineKernel.create(1 << 16) as LineKernel;
    const base = Buffer.from(assistantLine({ id: 'msg_m', req: 'req_m', input: 12, output: 34, w5: 5, w1: 6, read: 78, web: 1 }).replace('"text":"hi"', '"text":"h\\u00e9\\n","more":[1,-2.5e3,true,false,null,{"k":[]}]'));
    let answered = 0;
    fc.assert(
      fc.property(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'remove'), (at, byte, op) => {
        const line = mutated(base, at, byte, op);
        answered += readBoth(kernel, line).wasm !== undefined ? 1 : 0;
      }),
      { numRuns: 5000 },
    );
    assert.ok(answered > 1000, `answered ${answered}`);
  });
});
