/**
 * The incremental splitter the tests feed chunks to (moved out of src: the
 * scans read through `readLines`; tests hold it to this simpler reader).
 */
import { chunkNeedles, handleLine, MAX_LINE_BYTES, type LineSink } from '../../../src/node/scan/line-splitter';

const NEWLINE = 0x0a;

/**
 * Incremental splitter: feed chunks in file order; complete lines go to the
 * sink, the unterminated remainder is kept until the next chunk.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  /** Bytes of the unterminated line so far (counted even when too long to keep). */
  private pendingBytes = 0;
  private oversized = false;
  /** Absolute offset of the next byte to be fed. */
  private fed: number;
  /** Absolute offset where the current (unterminated) line starts. */
  private lineStart: number;

  /** @param startOffset byte offset in the file of the first byte fed. */
  constructor(startOffset: number) {
    this.fed = startOffset;
    this.lineStart = startOffset;
  }

  /** Offset just past the last complete line: where a later read resumes. */
  get consumedOffset(): number {
    return this.lineStart;
  }

  /** Bytes of an unterminated last line held back. */
  get pendingLength(): number {
    return this.pendingBytes;
  }

  /** Feeds `chunk` (which the caller may reuse after the call). */
  push(chunk: Buffer, sink: LineSink): void {
    const base = this.fed;
    this.fed += chunk.length;
    let pos = 0;
    const hasNeedle = chunkNeedles(chunk);
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, pos);
      if (nl < 0) {
        break;
      }
      if (this.pendingBytes > 0) {
        this.finishPending(chunk.subarray(pos, nl), sink);
      } else {
        handleLine(chunk, pos, nl, base + pos, sink, hasNeedle);
      }
      pos = nl + 1;
      this.lineStart = base + pos;
    }
    if (pos < chunk.length) {
      const rest = chunk.length - pos;
      this.pendingBytes += rest;
      if (this.oversized || this.pendingBytes > MAX_LINE_BYTES) {
        this.oversized = true;
        this.pending = [];
      } else {
        this.pending.push(Buffer.from(chunk.subarray(pos)));
      }
    }
  }

  private finishPending(tail: Buffer, sink: LineSink): void {
    if (this.oversized || this.pendingBytes + tail.length > MAX_LINE_BYTES) {
      sink.malformed(this.lineStart, `line longer than ${MAX_LINE_BYTES} bytes`);
    } else {
      const whole = Buffer.concat([...this.pending, tail], this.pendingBytes + tail.length);
      handleLine(whole, 0, whole.length, this.lineStart, sink);
    }
    this.pending = [];
    this.pendingBytes = 0;
    this.oversized = false;
  }

  /**
   * At end of file: an unterminated remainder that is a whole JSON object is
   * taken as a line (Claude Code may not have written the newline yet);
   * otherwise it stays pending and `torn` is true.
   */
  flushComplete(sink: LineSink): { torn: boolean } {
    if (this.pendingBytes === 0) {
      return { torn: false };
    }
    if (this.oversized) {
      return { torn: true };
    }
    const whole = Buffer.concat(this.pending, this.pendingBytes);
    const text = whole.toString('utf8').replace(/^\uFEFF/, '').trim();
    try {
      JSON.parse(text);
    } catch {
      return { torn: text !== '' };
    }
    handleLine(whole, 0, whole.length, this.lineStart, sink);
    this.lineStart = this.fed;
    this.pending = [];
    this.pendingBytes = 0;
    return { torn: false };
  }
}
