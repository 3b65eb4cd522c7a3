/**
 * Splits transcript bytes into complete lines, cheaply.
 *
 * Only lines that can matter are decoded and parsed: those containing
 * `"usage"`, `compact_boundary` or `"cost-state"`. Every other line is checked
 * for shape only (`{ ... }`) so torn and garbage lines are still counted,
 * without paying for JSON.parse on the attachments and tool results that make
 * up most of a transcript's bytes. A partial last line waits for its newline.
 */

import type { ParsedLine } from '../../core/transcript/transcript';
import { LineKernel } from './line-kernel';

const decodeUtf8 = (b: Uint8Array, s: number, e: number): string => (b as Buffer).toString('utf8', s, e);

const NEWLINE = 0x0a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const NEEDLES = [Buffer.from('"usage"'), Buffer.from('compact_boundary'), Buffer.from('"cost-state"')];
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Lines longer than this are skipped and counted (they cannot be decoded safely). */
export const MAX_LINE_BYTES = 256 * 1024 * 1024;

export interface LineSink {
  /**
   * A complete line worth parsing, decoded, with the byte offset where it
   * starts. For a large assistant line `text` leaves out `message.content`
   * (the bulk of it, never needed); `full` decodes the whole line, for when
   * the shortened text does not parse.
   */
  line(text: string, offset: number, full?: () => string): void;
  /**
   * When present and the bytes are read through a `LineKernel`, usage lines
   * are read straight from their bytes by the kernel and handed over parsed;
   * `line` then sees only the lines the kernel was unsure of.
   */
  parsed?(parsed: ParsedLine, offset: number): void;
  /** A complete line that is not a JSON object (torn, garbage, oversized). */
  malformed(offset: number, reason: string): void;
}

function isSpace(b: number | undefined): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0d;
}

const USAGE = NEEDLES[0] as Buffer;
/** `"usage"` is found through its tail `ge"`: a search led by `g`, far rarer than `"` in JSON, runs about 1.6x faster. */
const USAGE_TAIL = Buffer.from('ge"');
const USAGE_HEAD = [0x22, 0x75, 0x73, 0x61]; // `"usa`

/** Where the first `"usage"` at or after `from` starts in `chunk`, or -1. */
export function indexOfUsage(chunk: Buffer, from: number): number {
  let p = chunk.indexOf(USAGE_TAIL, from + 4);
  while (p >= 0) {
    if (chunk[p - 4] === USAGE_HEAD[0] && chunk[p - 3] === USAGE_HEAD[1] && chunk[p - 2] === USAGE_HEAD[2] && chunk[p - 1] === USAGE_HEAD[3]) {
      return p - 4;
    }
    p = chunk.indexOf(USAGE_TAIL, p + 1);
  }
  return -1;
}
/**
 * For each rare needle, a piece of it that Buffer#indexOf finds several
 * times faster (a search led by an uncommon byte): a line holding the piece
 * is then checked for the whole needle, so the lines chosen are the same.
 */
const RARE = [
  { needle: NEEDLES[1] as Buffer, piece: Buffer.from('_bounda') },
  { needle: NEEDLES[2] as Buffer, piece: Buffer.from('-state"') },
];

/**
 * The JavaScript "is this line worth parsing" test (the kernel has its own,
 * `hasNeedle`), for the lines of one chunk, in order: each needle (or its
 * piece) is searched through the chunk once, and again only past a hit, so
 * every byte is searched once per needle whatever the number of lines.
 */
export function chunkNeedles(chunk: Buffer): (s: number, e: number) => boolean {
  let nextUsage = -2;
  const nextRare = RARE.map(() => -2);
  return (s, e) => {
    if (nextUsage !== -1 && nextUsage < s) {
      nextUsage = indexOfUsage(chunk, s);
    }
    if (nextUsage !== -1 && nextUsage + USAGE.length <= e) {
      return true;
    }
    for (let i = 0; i < RARE.length; i++) {
      const { needle, piece } = RARE[i] as { needle: Buffer; piece: Buffer };
      let at = nextRare[i] as number;
      if (at !== -1 && at < s) {
        at = chunk.indexOf(piece, s);
        nextRare[i] = at;
      }
      if (at !== -1 && at + piece.length <= e && chunk.subarray(s, e).indexOf(needle) >= 0) {
        return true;
      }
    }
    return false;
  };
}

/**
 * Classifies and forwards one complete line `buf[start, end)`. `hasNeedle`
 * is the chunk's needle test (`chunkNeedles`), when the caller keeps one for
 * the lines of a chunk. With `kernel` (whose buffer `buf` then is) the
 * needles are found and usage lines read by its WebAssembly code; without,
 * every line worth parsing goes to `sink.line` (the reference parser).
 */
export function handleLine(buf: Buffer, start: number, end: number, offset: number, sink: LineSink, hasNeedle?: (s: number, e: number) => boolean, kernel?: LineKernel): void {
  let s = start;
  let e = end;
  if (buf[s] === BOM[0] && buf[s + 1] === BOM[1] && buf[s + 2] === BOM[2]) {
    s += 3;
  }
  while (s < e && isSpace(buf[s])) {
    s++;
  }
  while (e > s && isSpace(buf[e - 1])) {
    e--;
  }
  if (s === e) {
    return;
  }
  if (buf[s] !== OPEN_BRACE || buf[e - 1] !== CLOSE_BRACE) {
    sink.malformed(offset, 'not a JSON object (torn or garbage line)');
    return;
  }
  if (kernel ? kernel.hasNeedle(s, e) : (hasNeedle ?? chunkNeedles(buf))(s, e)) {
    if (kernel && sink.parsed) {
      const fast = kernel.extract(s, e, decodeUtf8);
      if (fast !== undefined) {
        sink.parsed(fast, offset);
        return;
      }
    }
    const short = withoutContent(buf, s, e);
    if (short === undefined) {
      sink.line(buf.toString('utf8', s, e), offset);
    } else {
      sink.line(short, offset, () => buf.toString('utf8', s, e));
    }
  }
}

const MESSAGE_KEY = Buffer.from('"message":{');
const CONTENT_KEY = Buffer.from('"content":');
const STOP_KEY = Buffer.from(',"stop_reason":');
/** Lines shorter than this are decoded whole: shortening would not pay. */
const SHORTEN_ABOVE = 4096;

/**
 * An assistant line with its `message.content` array replaced by `[]`, or
 * undefined when the line is short or not of that shape. A raw `"key":`
 * byte sequence never occurs inside a JSON string (quotes are escaped), so
 * the first `"content":` after `"message":{` starts the content and the last
 * `,"stop_reason":` follows it. A wrong guess only costs a full parse: the
 * caller falls back to the whole line when the short one does not parse.
 */
export function withoutContent(buf: Buffer, s: number, e: number): string | undefined {
  if (e - s < SHORTEN_ABOVE) {
    return undefined;
  }
  const view = buf.subarray(s, e);
  const m = view.indexOf(MESSAGE_KEY);
  if (m < 0) {
    return undefined;
  }
  const c = view.indexOf(CONTENT_KEY, m);
  const stop = view.lastIndexOf(STOP_KEY);
  if (c < 0 || stop <= c) {
    return undefined;
  }
  return `${view.toString('utf8', 0, c)}"content":[]${view.toString('utf8', stop)}`;
}

/** Reads up to `length` bytes at file `position` into `buf` at `offset`; returns the count (0 at the end). */
export type ReadAt = (buf: Buffer, offset: number, length: number, position: number) => number;

export interface ReadLinesResult {
  /** Offset just past the last complete line consumed. */
  consumedOffset: number;
  /** Bytes read in total. */
  bytesRead: number;
  /** Bytes of an unterminated last line (not consumed). */
  pendingBytes: number;
  /** True when that remainder is not a complete JSON object. */
  torn: boolean;
  /** The buffer used last: the one passed in, or a larger one if a long line needed it (pass it again to keep it). */
  buffer: Buffer;
  /** The file's bytes still in `buffer` at the end: [from, to) of the file are buffer[0, to - from). */
  held: { from: number; to: number };
}

/** Bytes asked of each read: small enough that the copy lands in the CPU cache. */
export const READ_BYTES = 128 * 1024;

/**
 * Reads a file from `fromOffset` to its end through one sliding buffer and
 * feeds its complete lines to `sink`, as the tests' `LineSplitter` (test/unit/support) fed with the same
 * bytes would (same lines, offsets, malformed and torn verdicts). A line that
 * spans reads stays in place and the next read lands after it, so nothing is
 * copied per line; the buffer grows only for a line longer than itself.
 * With a `LineKernel` the buffer is the kernel's, each line is tested by its
 * SIMD pass and usage lines are read by its reader; with a plain buffer (or
 * none), by native searches, and every line worth parsing goes to `sink.line`.
 */
export function readLines(readAt: ReadAt, fromOffset: number, sink: LineSink, buffer?: Buffer | LineKernel, endOffset = Infinity): ReadLinesResult {
  const kernel = buffer instanceof LineKernel ? buffer : undefined;
  let buf = kernel ? kernel.buffer : (buffer as Buffer | undefined) ?? Buffer.allocUnsafe(2 * READ_BYTES);
  /** File offset of buf[0]. */
  let base = fromOffset;
  /** Start of the current (unterminated) line in buf, and end of the data. */
  let start = 0;
  let end = 0;
  let position = fromOffset;
  let bytesRead = 0;
  /** Set while skipping a line longer than MAX_LINE_BYTES: the file offset where it started. */
  let oversizedAt = -1;
  let oversizedBytes = 0;
  for (;;) {
    // Keep the bytes in play at the front of the buffer (where the CPU cache
    // has them) even when it has grown for a long line.
    if (start >= READ_BYTES || buf.length - end < READ_BYTES / 2) {
      if (start > 0) {
        buf.copyWithin(0, start, end);
        base += start;
        end -= start;
        start = 0;
      }
      if (buf.length - end < READ_BYTES / 2) {
        const size = Math.max(buf.length * 2, end + READ_BYTES);
        if (kernel) {
          buf = kernel.grow(size);
        } else {
          const bigger = Buffer.allocUnsafe(size);
          buf.copy(bigger, 0, 0, end);
          buf = bigger;
        }
      }
    }
    // Up to `endOffset` (the size the caller found): a file that has grown since is read on from there later.
    const want = Math.min(READ_BYTES, buf.length - end, endOffset - position);
    const n = want > 0 ? readAt(buf, end, want, position) : 0;
    if (n <= 0) {
      break;
    }
    position += n;
    bytesRead += n;
    const from = end;
    end += n;
    if (oversizedAt >= 0) {
      const nl = buf.indexOf(NEWLINE, from);
      if (nl < 0 || nl >= end) {
        oversizedBytes += n;
        base += end;
        start = end = 0;
        continue;
      }
      sink.malformed(oversizedAt, `line longer than ${MAX_LINE_BYTES} bytes`);
      oversizedAt = -1;
      oversizedBytes = 0;
      start = nl + 1;
    }
    const chunk = end === buf.length ? buf : buf.subarray(0, end);
    const test = kernel ? undefined : chunkNeedles(chunk);
    // Bytes before `from` belong to the current line and hold no newline.
    let pos = Math.max(start, from);
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, pos);
      if (nl < 0) {
        break;
      }
      handleLine(chunk, start, nl, base + start, sink, test, kernel);
      start = nl + 1;
      pos = start;
    }
    if (end - start > MAX_LINE_BYTES) {
      oversizedAt = base + start;
      oversizedBytes = end - start;
      base += end;
      start = end = 0;
    }
  }
  const held = { from: base, to: base + end };
  if (oversizedAt >= 0) {
    return { consumedOffset: oversizedAt, bytesRead, pendingBytes: oversizedBytes, torn: true, buffer: buf, held };
  }
  const consumedOffset = base + start;
  if (end === start) {
    return { consumedOffset, bytesRead, pendingBytes: 0, torn: false, buffer: buf, held };
  }
  // An unterminated remainder: a line when it is a whole JSON object (Claude
  // Code may not have written the newline yet), else torn and left pending.
  const text = buf.toString('utf8', start, end).replace(/^\uFEFF/, '').trim();
  try {
    JSON.parse(text);
  } catch {
    return { consumedOffset, bytesRead, pendingBytes: end - start, torn: text !== '', buffer: buf, held };
  }
  handleLine(buf, start, end, consumedOffset, sink);
  return { consumedOffset: base + end, bytesRead, pendingBytes: 0, torn: false, buffer: buf, held };
}
