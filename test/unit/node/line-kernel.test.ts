import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { LINE_CLEAN, LINE_NEEDLE, LineKernel } from '../../../src/node/line-kernel';

const NEEDLES = ['"usage"', 'compact_boundary', '"cost-state"'];

/** The answer by plain searches, for the bytes `b[s, e)`. */
function expected(b: Buffer, s: number, e: number): number {
  const line = b.subarray(s, e);
  const needle = NEEDLES.some((n) => line.indexOf(n) >= 0) ? LINE_NEEDLE : 0;
  const clean = line.every((c) => c >= 0x20) ? LINE_CLEAN : 0;
  return needle | clean;
}

/** Pieces that make lines hard for the kernel: needles, their prefixes and near-misses, control bytes, UTF-8. */
const piece = fc.oneof(
  fc.constantFrom(...NEEDLES),
  fc.constantFrom('"usag', 'usage"', '"usa"e"', '"uXage"', 'compact_boundar', 'ompact_boundary', 'compact-boundary', '"cost-stat', 'cost-state"', '"cXst-state"', '"c', '"u', '_', 'y'),
  fc.constantFrom('\u0000', '\u0001', '\t', '\n', '\r', '\u001f', ' ', 'é', '日本'),
  fc.string({ maxLength: 20 }),
);

describe('LineKernel (the SIMD line test)', () => {
  it('answers what plain searches answer, for any bytes, at any alignment, whatever lies past the line', () => {
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
        assert.equal(kernel.test(at, at + line.length), expected(b, at, at + line.length));
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
        assert.equal(kernel.test(0, end), LINE_NEEDLE | LINE_CLEAN, `${needle} ending at ${end}`);
        assert.equal(kernel.test(0, end - 1), LINE_CLEAN, `${needle} cut at ${end - 1}`);
        assert.equal(kernel.test(at + 1, end + 20), LINE_CLEAN, `${needle} starting before the line`);
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
    assert.equal(kernel.test(10, 21), LINE_NEEDLE | LINE_CLEAN);
    assert.equal(kernel.test(21, 1_000_000), LINE_NEEDLE | LINE_CLEAN);
  });
});
