import { strict as assert } from 'node:assert';
import { LineSplitter, type LineSink } from '../../../src/node/line-splitter';

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
