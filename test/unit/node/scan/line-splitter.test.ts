import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { indexOfUsage, readLines, type LineSink } from '../../../../src/node/scan/line-splitter';
import { LineSplitter } from '../../support/line-splitter';
import { LineKernel } from '../../../../src/node/scan/line-kernel';

interface Seen {
  lines: Array<{ text: string; offset: number }>;
  malformed: number[];
}

function collector(): { sink: LineSink; seen: Seen } {
  const seen: Seen = { lines: [], malformed: [] };
  return {
    seen,
    sink: {
      line: (text, offset) => seen.lines.push({ text, offset }),
      malformed: (offset) => seen.malformed.push(offset),
    },
  };
}

const U = (n: number) => `{"type":"assistant","n":${n},"message":{"usage":{}}}`;

describe('LineSplitter', () => {
  it('passes only candidate lines, with their byte offsets', () => {
    const text = `${U(1)}\n{"type":"user"}\n${U(2)}\n`;
    const { sink, seen } = collector();
    const s = new LineSplitter(0);
    s.push(Buffer.from(text), sink);
    assert.deepEqual(
      seen.lines.map((l) => l.offset),
      [0, text.indexOf(U(2))],
    );
    assert.equal(s.consumedOffset, Buffer.byteLength(text));
    assert.deepEqual(seen.malformed, []);
  });

  it('keeps a partial last line until its newline arrives, across any chunking', () => {
    const text = `${U(1)}\n${U(2)}\n${U(3)}\n`;
    const bytes = Buffer.from(text);
    for (let cut = 1; cut < bytes.length; cut++) {
      const { sink, seen } = collector();
      const s = new LineSplitter(0);
      s.push(bytes.subarray(0, cut), sink);
      s.push(bytes.subarray(cut), sink);
      assert.deepEqual(
        seen.lines.map((l) => l.text),
        [U(1), U(2), U(3)],
        `cut at ${cut}`,
      );
    }
  });

  it('reports where to resume when the file ends mid-line', () => {
    const { sink, seen } = collector();
    const s = new LineSplitter(100);
    s.push(Buffer.from(`${U(1)}\n{"type":"assis`), sink);
    assert.equal(seen.lines.length, 1);
    assert.equal(s.consumedOffset, 100 + U(1).length + 1);
    assert.equal(s.pendingLength, '{"type":"assis'.length);
    assert.deepEqual(s.flushComplete(sink), { torn: true });
  });

  it('takes an unterminated last line that is complete JSON', () => {
    const { sink, seen } = collector();
    const s = new LineSplitter(0);
    s.push(Buffer.from(U(7)), sink);
    assert.equal(seen.lines.length, 0);
    assert.deepEqual(s.flushComplete(sink), { torn: false });
    assert.equal(seen.lines.length, 1);
    assert.equal(s.consumedOffset, U(7).length);
  });

  it('handles CRLF, a BOM and blank lines', () => {
    const { sink, seen } = collector();
    const s = new LineSplitter(0);
    s.push(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${U(1)}\r\n\r\n\n${U(2)}\r\n`)]), sink);
    assert.deepEqual(
      seen.lines.map((l) => l.text),
      [U(1), U(2)],
    );
    assert.deepEqual(seen.malformed, []);
  });

  it('counts lines that are not JSON objects', () => {
    const { sink, seen } = collector();
    const s = new LineSplitter(0);
    s.push(Buffer.from(`not json\n{"type":"user"\n${U(1)}\n[1,2]\n`), sink);
    assert.equal(seen.malformed.length, 3);
    assert.equal(seen.lines.length, 1);
  });

  it('joins a long line fed in many small chunks', () => {
    const big = `{"type":"assistant","pad":"${'x'.repeat(100_000)}","message":{"usage":{}}}`;
    const bytes = Buffer.from(`${big}\n`);
    const { sink, seen } = collector();
    const s = new LineSplitter(0);
    for (let i = 0; i < bytes.length; i += 4096) {
      s.push(bytes.subarray(i, i + 4096), sink);
    }
    assert.equal(seen.lines.length, 1);
    assert.equal(seen.lines[0]?.text, big);
  });
});

describe('readLines (sliding buffer reader)', () => {
  const lineArb = fc.oneof(
    fc.constantFrom(U(1), U(22), '{"type":"user"}', '{"type":"system","subtype":"compact_boundary","timestamp":"2026-11-20T10:00:00Z"}', '{"type":"cost-state"}', '', ' ', '#garbage', '{"usage" torn'),
    fc.string({ maxLength: 40 }).map((s) => `{"type":"user","t":${JSON.stringify(s)}}`),
    fc.integer({ min: 1, max: 300_000 }).map((n) => `{"type":"user","big":"${'x'.repeat(n)}","message":{"usage":{}}}`),
  );

  it('feeds the same lines, offsets, malformed lines and torn verdict as a LineSplitter, whatever the read sizes, with a plain buffer or a LineKernel', () => {
    fc.assert(
      fc.property(fc.array(lineArb, { maxLength: 12 }), fc.boolean(), fc.array(fc.integer({ min: 1, max: 200_000 }), { minLength: 1, maxLength: 8 }), fc.nat(50), fc.boolean(), (lines, lastNewline, sizes, from, wasm) => {
        const text = Buffer.from(lines.join('\n') + (lastNewline ? '\n' : ''));
        const start = Math.min(from, text.length);
        const a = collector();
        const splitter = new LineSplitter(start);
        splitter.push(text.subarray(start), a.sink);
        const { torn } = splitter.flushComplete(a.sink);
        const b = collector();
        let call = 0;
        const r = readLines(
          (buf, off, len, pos) => {
            const n = Math.max(0, Math.min(len, sizes[call++ % sizes.length] as number, text.length - pos));
            text.copy(buf, off, pos, pos + n);
            return n;
          },
          start,
          b.sink,
          // A kernel starts small too, so long lines make it grow (which detaches its earlier views).
          wasm ? LineKernel.create(1024) : Buffer.alloc(1024),
        );
        assert.deepEqual(b.seen, a.seen);
        assert.equal(r.torn, torn);
        assert.equal(r.consumedOffset, splitter.consumedOffset);
        assert.equal(r.pendingBytes, splitter.pendingLength);
        assert.equal(r.bytesRead, text.length - start);
        // The bytes it says it still holds are the file's, unchanged (the tail hash is taken from them).
        assert.ok(r.held.from >= start && r.held.from <= r.held.to && r.held.to <= text.length);
        assert.ok(r.held.from <= r.consumedOffset || r.torn);
        assert.deepEqual(r.buffer.subarray(0, r.held.to - r.held.from), text.subarray(r.held.from, r.held.to));
      }),
      { numRuns: 300 },
    );
  });

  it('stops at `endOffset` (the size found before reading), as if the file ended there, and never reads past it', () => {
    fc.assert(
      fc.property(fc.array(lineArb, { maxLength: 8 }), fc.nat(400_000), fc.integer({ min: 1, max: 200_000 }), fc.boolean(), (lines, cutAt, size, wasm) => {
        const text = Buffer.from(lines.join('\n') + '\n');
        const cut = Math.min(cutAt, text.length);
        const a = collector();
        const splitter = new LineSplitter(0);
        splitter.push(text.subarray(0, cut), a.sink);
        const { torn } = splitter.flushComplete(a.sink);
        const b = collector();
        const r = readLines(
          (buf, off, len, pos) => {
            assert.ok(pos + len <= cut, `asked for ${len} bytes at ${pos}, past ${cut}`);
            const n = Math.max(0, Math.min(len, size, text.length - pos));
            text.copy(buf, off, pos, pos + n);
            return n;
          },
          0,
          b.sink,
          wasm ? LineKernel.create(1024) : Buffer.alloc(1024),
          cut,
        );
        assert.deepEqual(b.seen, a.seen);
        assert.equal(r.torn, torn);
        assert.equal(r.consumedOffset, splitter.consumedOffset);
        assert.equal(r.bytesRead, cut);
      }),
      { numRuns: 200 },
    );
  });
});

describe('indexOfUsage (the "usage" search through its tail)', () => {
  it('finds exactly what Buffer#indexOf finds, from any position', () => {
    const piece = fc.constantFrom('"usage"', 'ge"', '"usa', '"usag', 'usage"', 'g', '"', 'e"', 'x', '"usage', 'sage"', '\\"usage\\"');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), fc.nat(200), (pieces, at) => {
        const chunk = Buffer.from(pieces.join(''));
        const from = at % (chunk.length + 1);
        assert.equal(indexOfUsage(chunk, from), chunk.indexOf('"usage"', from));
      }),
      { numRuns: 3000 },
    );
  });
});
