/**
 * The cold scan's fast path for usage lines: reads an assistant line straight
 * from its UTF-8 bytes, without decoding it to a string or building its
 * object graph (`message.content`, the bulk of the bytes, is only stepped
 * over).
 *
 * It is a JSON reader, not a pattern match: the structure of the whole line
 * is checked (objects, arrays, commas, colons, numbers, literals, string
 * ends, no trailing bytes), duplicate keys resolve as in `JSON.parse` (the
 * last one wins), and nested objects never shadow the fields read at the top
 * level. The keys and values it reads are checked in full and decoded as
 * JSON.parse would; the strings it only steps over are delimited (escapes
 * respected) and their escapes checked at each backslash, and a raw control
 * character anywhere in the line sends the line to the general path. So it
 * takes no line that JSON.parse would refuse.
 *
 * Whenever it is unsure (not an assistant line, an escaped key, a number
 * that is not a plain integer, a field of the wrong type, deep nesting) it
 * answers `undefined` and the caller takes the general path (`parseLine`:
 * JSON.parse, then zod to explain a rejection).
 */
import { callTokens, MAX_TOKENS_PER_FIELD, type ParsedLine } from './transcript';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MAX_DEPTH = 64;

/** Marker for a JSON null (absent) as opposed to a field never seen (undefined). */
const NULL = null;

const HEX = new Uint8Array(256);
for (const c of '0123456789abcdefABCDEF') {
  HEX[c.charCodeAt(0)] = 1;
}
const ESCAPABLE = new Uint8Array(256);
for (const c of '"\\/bfnrtu') {
  ESCAPABLE[c.charCodeAt(0)] = 1;
}

/** Every backslash in b[from, to) starts a valid JSON escape; else the reader is unsure. */
function checkEscapes(b: Uint8Array, from: number, to: number): void {
  for (let k = b.indexOf(BACKSLASH, from); k >= 0 && k < to; k = b.indexOf(BACKSLASH, k)) {
    const n = b[k + 1] as number;
    if (!ESCAPABLE[n]) {
      throw UNSURE;
    }
    if (n === 0x75) {
      if (!(HEX[b[k + 2] as number] && HEX[b[k + 3] as number] && HEX[b[k + 4] as number] && HEX[b[k + 5] as number])) {
        throw UNSURE;
      }
      k += 6;
    } else {
      k += 2;
    }
  }
}

/** Offsets (from the opening quote) of the digits of `"YYYY-MM-DDTHH:MM:SS.mmmZ"`, and its other bytes with their values. */
const TIMESTAMP_DIGITS = [1, 2, 3, 4, 6, 7, 9, 10, 12, 13, 15, 16, 18, 19, 21, 22, 23];
const TIMESTAMP_MARKS = [5, 0x2d, 8, 0x2d, 11, 0x54, 14, 0x3a, 17, 0x3a, 20, 0x2e, 24, 0x5a];
/** `Fields.timestamp` once the timestamp was read from its bytes (`Fields.timestampMs` holds it). */
export const TIMESTAMP_READ = '';

/**
 * A timestamp written as Claude Code writes it (`"2026-11-16T06:17:35.801Z"`,
 * plain ASCII, fields in range) whose opening quote is at `b[i]` and which
 * ends by `end`, read straight from its bytes to epoch ms: the value
 * `Date.parse` gives for it, with no string made. Anything else (another
 * form, a day past 28) answers NaN: the caller then decodes the string and
 * `Date.parse` decides.
 */
export function timestampAt(b: Uint8Array, i: number, end: number): number {
  if (i + 26 > end || b[i] !== QUOTE || b[i + 25] !== QUOTE) {
    return NaN;
  }
  const d = (k: number): number => (b[i + k] as number) - 0x30;
  for (const k of TIMESTAMP_DIGITS) {
    const v = d(k);
    if (v < 0 || v > 9) {
      return NaN;
    }
  }
  for (let k = 0; k < TIMESTAMP_MARKS.length; k += 2) {
    if (b[i + (TIMESTAMP_MARKS[k] as number)] !== TIMESTAMP_MARKS[k + 1]) {
      return NaN;
    }
  }
  const year = d(1) * 1000 + d(2) * 100 + d(3) * 10 + d(4);
  const month = d(6) * 10 + d(7);
  const day = d(9) * 10 + d(10);
  const hour = d(12) * 10 + d(13);
  const minute = d(15) * 10 + d(16);
  const second = d(18) * 10 + d(19);
  const ms = d(21) * 100 + d(22) * 10 + d(23);
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > 28 || hour > 23 || minute > 59 || second > 59) {
    return NaN;
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

/** Thrown (and caught in `extractUsageLine`) when the reader is unsure; never escapes. */
class Unsure extends Error {}
const UNSURE = new Unsure('unsure');

type Str = string | null | undefined;
type Num = number | null | undefined;

/**
 * The fields read from one usage line (by this module's reader, or by the
 * cold scan's WebAssembly one); undefined = key absent, null = JSON null.
 */
export class LineFields {
  constructor(readonly caches: ExtractCaches) {}
  type: Str;
  subtype: Str;
  timestamp: Str;
  /** The timestamp read from its bytes, or NaN (then `timestamp` holds the string, if any). */
  timestampMs = NaN;
  sessionId: Str;
  cwd: Str;
  requestId: Str;
  agentId: Str;
  isSidechain: boolean | null | undefined;
  isApiErrorMessage: boolean | null | undefined;
  /** True once `message` was an object (false: absent or null). */
  message = false;
  messageId: Str;
  model: Str;
  /** True once `message.usage` was an object. */
  usage = false;
  input: Num;
  output: Num;
  write: Num;
  read: Num;
  /** 0 absent/null, 1 object. */
  cacheCreation = false;
  w5: Num;
  w1: Num;
  serverToolUse = false;
  web: Num;
  speed: Str;
  geo: Str;
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** A cursor over one line's bytes. */
class Reader {
  i: number;
  /**
   * The bytes, which may go on past the line's end (a view cut at the end
   * would cost more to make than the rest of a short line): a read past
   * `end` can only move the cursor past it, and a line is answered only when
   * the cursor stops exactly at `end`, so such reads never shape an answer.
   */
  readonly b: Uint8Array;
  constructor(
    bytes: Uint8Array,
    start: number,
    readonly end: number,
    private readonly decode: (b: Uint8Array, s: number, e: number) => string,
  ) {
    this.b = bytes;
    this.i = start;
  }

  ws(): void {
    const b = this.b;
    let i = this.i;
    while (i < this.end && isWs(b[i] as number)) {
      i++;
    }
    this.i = i;
  }

  expect(c: number): void {
    if (this.i >= this.end || this.b[this.i] !== c) {
      throw UNSURE;
    }
    this.i++;
  }

  /**
   * Steps over a string whose opening quote is at `i`, checking it in full;
   * returns 0 when it was plain ASCII (its bytes are its characters), 1 when
   * it has non-ASCII bytes but no escapes, 2 when it has escapes. Raw control
   * characters are invalid JSON (unsure).
   */
  skipString(): number {
    const b = this.b;
    const end = this.end;
    let i = this.i + 1;
    let plain = 0;
    for (;;) {
      if (i >= end) {
        throw UNSURE;
      }
      const c = b[i] as number;
      if (c === QUOTE) {
        this.i = i + 1;
        return plain;
      }
      if (c < 0x20) {
        throw UNSURE;
      }
      if (c === BACKSLASH) {
        plain = 2;
        const n = b[i + 1];
        if (n === 0x75) {
          // \uXXXX
          for (let k = 2; k < 6; k++) {
            const h = b[i + k];
            if (h === undefined || !((h >= 0x30 && h <= 0x39) || (h >= 0x41 && h <= 0x46) || (h >= 0x61 && h <= 0x66))) {
              throw UNSURE;
            }
          }
          i += 6;
          continue;
        }
        if (n === QUOTE || n === BACKSLASH || n === 0x2f || n === 0x62 || n === 0x66 || n === 0x6e || n === 0x72 || n === 0x74) {
          i += 2;
          continue;
        }
        throw UNSURE;
      }
      if (c >= 0x80 && plain === 0) {
        plain = 1;
      }
      i++;
    }
  }

  /**
   * Steps over a string in a value that is not read (such as
   * `message.content`): finds its closing quote, respecting escapes, with a
   * native byte search, then checks each escape in it (only at backslashes,
   * so plain text costs nothing more): a bad escape, which JSON.parse would
   * refuse, makes the reader unsure. Raw control bytes are caught for the
   * whole line before the reader starts.
   */
  delimitString(): void {
    const b = this.b;
    const start = this.i + 1;
    let from = start;
    // Short strings (keys, small values) end sooner than a native call returns.
    const near = Math.min(from + 16, this.end);
    for (let i = from; i < near; i++) {
      const c = b[i];
      if (c === QUOTE) {
        this.i = i + 1;
        return;
      }
      if (c === BACKSLASH) {
        break;
      }
      from = i + 1;
    }
    for (;;) {
      const q = b.indexOf(QUOTE, from);
      if (q < 0) {
        throw UNSURE;
      }
      let k = q - 1;
      while (b[k] === BACKSLASH) {
        k--;
      }
      if ((q - 1 - k) % 2 === 0) {
        checkEscapes(b, start, q);
        this.i = q + 1;
        return;
      }
      from = q + 1;
    }
  }

  /**
   * A string value, decoded exactly as JSON.parse would. `cache` remembers
   * the last plain value of a field, so a value repeated on every line (model,
   * session, folder) is not decoded again.
   */
  string(cache?: StringCache): string {
    if (this.b[this.i] !== QUOTE) {
      throw UNSURE;
    }
    const start = this.i;
    const kind = this.skipString();
    if (kind === 0) {
      return cache ? cache.get(this.b, start + 1, this.i - 1, this.decode) : this.decode(this.b, start + 1, this.i - 1);
    }
    if (kind === 1) {
      return this.decode(this.b, start + 1, this.i - 1);
    }
    return JSON.parse(this.decode(this.b, start, this.i)) as string;
  }

  /** Whether the plain string `b[s, e)` is `lit`. */
  is(s: number, e: number, lit: Uint8Array): boolean {
    if (e - s !== lit.length) {
      return false;
    }
    const b = this.b;
    for (let k = 0; k < lit.length; k++) {
      if (b[s + k] !== lit[k]) {
        return false;
      }
    }
    return true;
  }

  literal(word: string): void {
    for (let k = 0; k < word.length; k++) {
      if (this.b[this.i + k] !== word.charCodeAt(k)) {
        throw UNSURE;
      }
    }
    this.i += word.length;
  }

  /** Steps over a JSON number, checking its grammar. */
  skipNumber(): void {
    const b = this.b;
    let i = this.i;
    if (b[i] === 0x2d) {
      i++;
    }
    const digits = (): void => {
      const s = i;
      while (i < this.end && (b[i] as number) >= 0x30 && (b[i] as number) <= 0x39) {
        i++;
      }
      if (i === s) {
        throw UNSURE;
      }
    };
    if (b[i] === 0x30) {
      i++;
    } else {
      digits();
    }
    if (b[i] === 0x2e) {
      i++;
      digits();
    }
    if (b[i] === 0x65 || b[i] === 0x45) {
      i++;
      if (b[i] === 0x2b || b[i] === 0x2d) {
        i++;
      }
      digits();
    }
    this.i = i;
  }

  /** A plain non-negative integer (`0` or `[1-9][0-9]*`), else unsure. */
  integer(): number {
    const b = this.b;
    let i = this.i;
    let v = 0;
    const first = b[i];
    if (first === 0x30) {
      i++;
    } else {
      const s = i;
      while (i < this.end && (b[i] as number) >= 0x30 && (b[i] as number) <= 0x39 && i - s < 15) {
        v = v * 10 + ((b[i] as number) - 0x30);
        i++;
      }
      if (i === s) {
        throw UNSURE;
      }
    }
    const next = b[i];
    if (next === 0x2e || next === 0x65 || next === 0x45 || (next !== undefined && next >= 0x30 && next <= 0x39)) {
      throw UNSURE; // a fraction, an exponent or a very long number: JSON.parse decides
    }
    this.i = i;
    return v;
  }

  /** Steps over any JSON value, checking its grammar. */
  skipValue(depth: number): void {
    if (depth > MAX_DEPTH) {
      throw UNSURE;
    }
    const c = this.b[this.i];
    if (c === QUOTE) {
      this.delimitString();
    } else if (c === 0x7b) {
      this.skipObject(depth + 1);
    } else if (c === 0x5b) {
      this.i++;
      this.ws();
      if (this.b[this.i] === 0x5d) {
        this.i++;
        return;
      }
      for (;;) {
        this.ws();
        this.skipValue(depth + 1);
        this.ws();
        const d = this.b[this.i];
        this.i++;
        if (d === 0x5d) {
          return;
        }
        if (d !== 0x2c) {
          throw UNSURE;
        }
      }
    } else if (c === 0x74) {
      this.literal('true');
    } else if (c === 0x66) {
      this.literal('false');
    } else if (c === 0x6e) {
      this.literal('null');
    } else if (c === 0x2d || (c !== undefined && c >= 0x30 && c <= 0x39)) {
      this.skipNumber();
    } else {
      throw UNSURE;
    }
  }

  /** Steps over an object whose members are not read (keys only delimited). */
  skipObject(depth: number): void {
    this.expect(0x7b);
    this.ws();
    if (this.b[this.i] === 0x7d) {
      this.i++;
      return;
    }
    for (;;) {
      this.ws();
      if (this.b[this.i] !== QUOTE) {
        throw UNSURE;
      }
      this.delimitString();
      this.ws();
      this.expect(0x3a);
      this.ws();
      this.skipValue(depth);
      this.ws();
      const d = this.b[this.i];
      this.i++;
      if (d === 0x7d) {
        return;
      }
      if (d !== 0x2c) {
        throw UNSURE;
      }
    }
  }

  /**
   * Opens an object at `i`: true when a member follows (read it with
   * `key`, its value, then `more`), false when the object is empty.
   * Members are read in a loop rather than through a callback per object:
   * one call site per object kind keeps the hot path monomorphic.
   */
  open(): boolean {
    this.expect(0x7b);
    this.ws();
    if (this.b[this.i] === 0x7d) {
      this.i++;
      return false;
    }
    return true;
  }

  /**
   * Reads a member's key and its colon; answers the key's index in `keys`
   * (-1 for any other key). An escaped key may spell a field we read, so it
   * makes the reader unsure; a raw control byte is invalid JSON.
   */
  key(keys: KeySet): number {
    this.ws();
    const b = this.b;
    if (b[this.i] !== QUOTE) {
      throw UNSURE;
    }
    const s = this.i + 1;
    let i = s;
    const end = this.end;
    for (;;) {
      if (i >= end) {
        throw UNSURE;
      }
      const c = b[i] as number;
      if (c === QUOTE) {
        break;
      }
      if (c === BACKSLASH || c < 0x20) {
        throw UNSURE;
      }
      i++;
    }
    this.i = i + 1;
    this.ws();
    this.expect(0x3a);
    this.ws();
    return keys.find(this, s, i);
  }

  /** After a member's value: true when another member follows, false at the object's end. */
  more(): boolean {
    this.ws();
    const d = this.b[this.i];
    this.i++;
    if (d === 0x2c) {
      return true;
    }
    if (d === 0x7d) {
      return false;
    }
    throw UNSURE;
  }

  /** See `timestampAt`: reads the timestamp at the cursor, moving past it, or answers NaN and stays. */
  timestamp(): number {
    const ms = timestampAt(this.b, this.i, this.end);
    if (!Number.isNaN(ms)) {
      this.i += 26;
    }
    return ms;
  }

  isNull(): boolean {
    if (this.b[this.i] === 0x6e) {
      this.literal('null');
      return true;
    }
    return false;
  }

  /** A string or null; any other type is unsure (the general path reports it). */
  optString(cache?: StringCache): string | null {
    return this.isNull() ? NULL : this.string(cache);
  }

  optBool(): boolean | null {
    const c = this.b[this.i];
    if (c === 0x74) {
      this.literal('true');
      return true;
    }
    if (c === 0x66) {
      this.literal('false');
      return false;
    }
    if (c === 0x6e) {
      this.literal('null');
      return NULL;
    }
    throw UNSURE;
  }

  /** A token count or null; anything else is unsure. */
  optTokens(): number | null {
    if (this.isNull()) {
      return NULL;
    }
    const v = this.integer();
    if (v > MAX_TOKENS_PER_FIELD) {
      throw UNSURE;
    }
    return v;
  }
}

/** Known keys of one object, grouped by length so a key is compared with at most a few. */
class KeySet {
  private readonly byLength: Array<Array<{ bytes: Uint8Array; index: number }> | undefined> = [];
  constructor(keys: readonly string[]) {
    const encoder = new TextEncoder();
    keys.forEach((k, index) => {
      const bytes = encoder.encode(k);
      (this.byLength[bytes.length] ??= []).push({ bytes, index });
    });
  }

  /** Index of the key `b[s, e)`, or -1. */
  find(r: Reader, s: number, e: number): number {
    const list = this.byLength[e - s];
    if (list === undefined) {
      return -1;
    }
    for (let k = 0; k < list.length; k++) {
      const key = list[k] as { bytes: Uint8Array; index: number };
      if (r.is(s, e, key.bytes)) {
        return key.index;
      }
    }
    return -1;
  }
}

const USAGE_KEYS = new KeySet(['input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens', 'cache_creation', 'server_tool_use', 'speed', 'inference_geo']);
const CACHE_KEYS = new KeySet(['ephemeral_5m_input_tokens', 'ephemeral_1h_input_tokens']);
const TOOL_KEYS = new KeySet(['web_search_requests']);
const MESSAGE_KEYS = new KeySet(['id', 'model', 'usage']);
const TOP_KEYS = new KeySet(['type', 'subtype', 'timestamp', 'sessionId', 'cwd', 'requestId', 'agentId', 'isSidechain', 'isApiErrorMessage', 'message']);

function readCacheCreation(r: Reader, f: LineFields): void {
  if (r.open()) {
    do {
      const k = r.key(CACHE_KEYS);
      if (k === 0) {
        f.w5 = r.optTokens();
      } else if (k === 1) {
        f.w1 = r.optTokens();
      } else {
        r.skipValue(4);
      }
    } while (r.more());
  }
}

function readServerToolUse(r: Reader, f: LineFields): void {
  if (r.open()) {
    do {
      if (r.key(TOOL_KEYS) === 0) {
        f.web = r.optTokens();
      } else {
        r.skipValue(4);
      }
    } while (r.more());
  }
}

function readUsage(r: Reader, f: LineFields): void {
  f.usage = true;
  f.input = f.output = f.write = f.read = undefined;
  f.cacheCreation = false;
  f.w5 = f.w1 = undefined;
  f.serverToolUse = false;
  f.web = undefined;
  f.speed = f.geo = undefined;
  if (!r.open()) {
    return;
  }
  do {
    switch (r.key(USAGE_KEYS)) {
      case 0:
        f.input = r.optTokens();
        break;
      case 1:
        f.output = r.optTokens();
        break;
      case 2:
        f.write = r.optTokens();
        break;
      case 3:
        f.read = r.optTokens();
        break;
      case 4:
        f.w5 = f.w1 = undefined;
        f.cacheCreation = !r.isNull();
        if (f.cacheCreation) {
          readCacheCreation(r, f);
        }
        break;
      case 5:
        f.web = undefined;
        f.serverToolUse = !r.isNull();
        if (f.serverToolUse) {
          readServerToolUse(r, f);
        }
        break;
      case 6:
        f.speed = r.optString(f.caches.speed);
        break;
      case 7:
        f.geo = r.optString(f.caches.geo);
        break;
      default:
        r.skipValue(3);
    }
  } while (r.more());
}

function readMessage(r: Reader, f: LineFields): void {
  f.message = true;
  f.messageId = f.model = undefined;
  f.usage = false;
  if (!r.open()) {
    return;
  }
  do {
    switch (r.key(MESSAGE_KEYS)) {
      case 0:
        f.messageId = r.optString(f.caches.messageId);
        break;
      case 1:
        f.model = r.optString(f.caches.model);
        break;
      case 2:
        if (r.isNull()) {
          f.usage = false;
        } else if (r.b[r.i] === 0x7b) {
          readUsage(r, f);
        } else {
          throw UNSURE;
        }
        break;
      default:
        r.skipValue(2);
    }
  } while (r.more());
}

function readTop(r: Reader, f: LineFields): void {
  if (!r.open()) {
    return;
  }
  do {
    switch (r.key(TOP_KEYS)) {
      case 0:
        f.type = r.optString(f.caches.type);
        break;
      case 1:
        f.subtype = r.optString(f.caches.type);
        break;
      case 2:
        f.timestampMs = r.timestamp();
        f.timestamp = Number.isNaN(f.timestampMs) ? r.optString() : TIMESTAMP_READ;
        break;
      case 3:
        f.sessionId = r.optString(f.caches.sessionId);
        break;
      case 4:
        f.cwd = r.optString(f.caches.cwd);
        break;
      case 5:
        f.requestId = r.optString(f.caches.requestId);
        break;
      case 6:
        f.agentId = r.optString(f.caches.agentId);
        break;
      case 7:
        f.isSidechain = r.optBool();
        break;
      case 8:
        f.isApiErrorMessage = r.optBool();
        break;
      case 9:
        if (r.isNull()) {
          f.message = false;
        } else if (r.b[r.i] === 0x7b) {
          readMessage(r, f);
        } else {
          throw UNSURE;
        }
        break;
      default:
        r.skipValue(1);
    }
  } while (r.more());
}

/** The last plain value seen for one field, with its bytes. */
export class StringCache {
  private bytes = new Uint8Array(0);
  private value = '';

  get(b: Uint8Array, s: number, e: number, decode: Utf8Decoder): string {
    const len = e - s;
    const last = this.bytes;
    if (len === last.length) {
      let k = 0;
      while (k < len && b[s + k] === last[k]) {
        k++;
      }
      if (k === len) {
        return this.value;
      }
    }
    if (len > 512) {
      return decode(b, s, e);
    }
    // A copy: `b` is a reading buffer that is about to be overwritten (and
    // Buffer#slice would only be a view of it).
    const copy = new Uint8Array(len);
    copy.set(b.subarray(s, e));
    this.bytes = copy;
    this.value = decode(b, s, e);
    return this.value;
  }
}

/** Per-field caches, kept by the caller across the lines of a scan. */
export class ExtractCaches {
  readonly type = new StringCache();
  readonly sessionId = new StringCache();
  readonly cwd = new StringCache();
  readonly agentId = new StringCache();
  readonly model = new StringCache();
  /** The rows of one call (streaming snapshots, then the final row) follow each other: their ids repeat. */
  readonly messageId = new StringCache();
  readonly requestId = new StringCache();
  readonly speed = new StringCache();
  readonly geo = new StringCache();
}

/**
 * Whether `b[s, e)` holds a byte below 0x20. A raw control character is
 * invalid anywhere in a JSON line but as whitespace between tokens (which
 * Claude Code never writes), and the strings that are only delimited are not
 * checked byte by byte: so any such byte sends the line to JSON.parse. Four
 * bytes at a time (a byte below n in a word x: (x - n*0x01010101) & ~x &
 * 0x80808080, for n <= 128).
 */
export function hasControlByte(b: Uint8Array, s: number, e: number): boolean {
  let i = s;
  while (i < e && ((b.byteOffset + i) & 3) !== 0) {
    if ((b[i] as number) < 0x20) {
      return true;
    }
    i++;
  }
  const words = (e - i) >> 2;
  if (words > 0) {
    // Int32 words and `| 0` keep the arithmetic in 32-bit integers (a
    // Uint32 word above 2^31 would be a double, several times slower).
    const w = new Int32Array(b.buffer, b.byteOffset + i, words);
    for (let k = 0; k < words; k++) {
      const x = w[k] as number;
      if ((((x - 0x20202020) | 0) & ~x & 0x80808080) !== 0) {
        return true;
      }
    }
    i += words * 4;
  }
  while (i < e) {
    if ((b[i] as number) < 0x20) {
      return true;
    }
    i++;
  }
  return false;
}

/** Decodes `b[s, e)` as UTF-8 (Buffer#toString or TextDecoder). */
export type Utf8Decoder = (b: Uint8Array, s: number, e: number) => string;

const textDecoder = new TextDecoder();
const defaultDecode: Utf8Decoder = (b, s, e) => textDecoder.decode(b.subarray(s, e));

const u = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);

/**
 * Reads an assistant usage line from `b[s, e)` (one complete line, trimmed).
 * Returns exactly what `parseLine` returns for it, or undefined when unsure
 * (then call `parseLine`).
 */
export function extractUsageLine(
  b: Uint8Array,
  s: number,
  e: number,
  decode: Utf8Decoder = defaultDecode,
  caches: ExtractCaches = new ExtractCaches(),
): ParsedLine | undefined {
  if (hasControlByte(b, s, e)) {
    return undefined;
  }
  const f = new LineFields(caches);
  const r = new Reader(b, s, e, decode);
  try {
    r.ws();
    readTop(r, f);
    r.ws();
    if (r.i !== e) {
      return undefined;
    }
  } catch (err) {
    if (err === UNSURE || err instanceof RangeError || err instanceof SyntaxError) {
      return undefined;
    }
    throw err;
  }
  return lineFromFields(f);
}

/** The line the fields of a fully read usage line make, or undefined when they do not make a well-typed assistant line with usage. */
export function lineFromFields(f: LineFields): ParsedLine | undefined {
  // Only a well-typed assistant line with usage is answered here.
  if (f.type !== 'assistant' || !f.message || !f.usage || typeof f.timestamp !== 'string') {
    return undefined;
  }
  if (typeof f.input !== 'number' || typeof f.output !== 'number') {
    return undefined;
  }
  const model = u(f.model);
  if (f.isApiErrorMessage === true || model === '<synthetic>') {
    return { kind: 'synthetic', cwd: u(f.cwd), lineSessionId: u(f.sessionId) };
  }
  if (model === undefined || model === '') {
    return undefined;
  }
  const timestampMs = Number.isNaN(f.timestampMs) ? Date.parse(f.timestamp) : f.timestampMs;
  if (Number.isNaN(timestampMs)) {
    return undefined;
  }
  let write5m: number;
  let write1h: number;
  if (f.cacheCreation && (u(f.w5) !== undefined || u(f.w1) !== undefined)) {
    write5m = u(f.w5) ?? 0;
    write1h = u(f.w1) ?? 0;
  } else {
    write5m = u(f.write) ?? 0;
    write1h = 0;
  }
  return {
    kind: 'call',
    call: {
      messageId: u(f.messageId) || undefined,
      requestId: u(f.requestId) || undefined,
      lineSessionId: u(f.sessionId) || undefined,
      agentId: u(f.agentId) || undefined,
      sidechain: f.isSidechain === true,
      model,
      timestampMs,
      tokens: callTokens(f.input, f.output, write5m, write1h, u(f.read) ?? 0, (f.serverToolUse ? u(f.web) : undefined) ?? 0),
      fast: u(f.speed) === 'fast',
      geoUs: u(f.geo) === 'us',
      cwd: u(f.cwd) || undefined,
    },
  };
}
