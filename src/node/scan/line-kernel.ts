/**
 * The cold scan's WebAssembly kernel (src/node/scan/line-kernel.wat): a reading
 * buffer kept in the module's memory; one SIMD pass per line that tells
 * whether the line is worth parsing; and a reader of usage lines that checks the whole line as
 * JSON.parse would and leaves in its answer slots where the few fields it
 * needs are. It is the only accelerator: where it is missing, or unsure of a
 * line, the line goes to the reference parser (`parseLine`: JSON.parse, then
 * the schema's rules), which it answers exactly as.
 */
import type { ParsedLine } from '../../core/transcript/transcript';
import { lineFromFields, LineFields, TIMESTAMP_READ, type Utf8Decoder } from './line-fields';
import { LINE_KERNEL_WASM } from './line-kernel-wasm';
import { SLOT, SLOT_COUNT } from './line-slots';

const PAGE_BYTES = 65536;
/** Where the reading buffer starts in the memory (below: the reader's key table and answer slots). */
const BASE = 4096;
/** Where the reader's answer slots are (see `readUsageLine` in the .wat; named in line-slots.ts, generated from line-field-table.json). */
const SLOTS_AT = 512;
/** Where the reader leaves a timestamp it read to epoch ms (slot `timestampRead` says so). */
const TIMESTAMP_AT = 1016;
/** Bytes kept past the buffer: the kernel's loads may read up to 31 bytes past a line's end. */
const SLACK_BYTES = 64;

interface Exports {
  memory: WebAssembly.Memory;
  hasNeedle(s: number, e: number): number;
  skipValue(p: number, e: number): number;
  readUsageLine(s: number, e: number): number;
  remember(i: number): void;
}

export class LineKernel {
  private view: Buffer;
  private slots: Int32Array;
  private timestampMs: Float64Array;
  /** Per string slot, the string the kernel was asked to remember (its bytes are in the kernel). */
  private readonly remembered: Array<string | undefined> = [];
  /** Reused for every line (`lineFromFields` keeps nothing of it). */
  private fields: LineFields | undefined;

  private constructor(
    private readonly exports: Exports,
    size: number,
  ) {
    this.view = Buffer.alloc(0);
    this.slots = new Int32Array(0);
    this.timestampMs = new Float64Array(0);
    this.grow(size);
  }

  /** A kernel whose buffer holds `size` bytes; undefined where WebAssembly SIMD is missing (the caller reads with a plain buffer). */
  static create(size: number): LineKernel | undefined {
    try {
      const module = new WebAssembly.Module(Buffer.from(LINE_KERNEL_WASM, 'base64'));
      const instance = new WebAssembly.Instance(module, {});
      return new LineKernel(instance.exports as unknown as Exports, size);
    } catch {
      return undefined;
    }
  }

  /** The reading buffer. Indexes given to the other methods are this buffer's. */
  get buffer(): Buffer {
    return this.view;
  }

  /**
   * Grows the buffer to `size` bytes, keeping its contents, and answers the
   * new view: growing the memory detaches every earlier view of it.
   */
  grow(size: number): Buffer {
    const memory = this.exports.memory;
    const need = BASE + size + SLACK_BYTES;
    if (need > memory.buffer.byteLength) {
      memory.grow(Math.ceil((need - memory.buffer.byteLength) / PAGE_BYTES));
    }
    this.view = Buffer.from(memory.buffer, BASE, size);
    this.slots = new Int32Array(memory.buffer, SLOTS_AT, SLOT_COUNT);
    this.timestampMs = new Float64Array(memory.buffer, TIMESTAMP_AT, 1);
    return this.view;
  }

  /** Whether `buffer[s, e)` holds `"usage"`, `compact_boundary` or `"cost-state"` (the line is worth parsing). */
  hasNeedle(s: number, e: number): boolean {
    return this.exports.hasNeedle(s + BASE, e + BASE) === 1;
  }

  /** The index just past the JSON value at `buffer[p]`, checked as JSON.parse would check it, or -1 (invalid, nested past 60 levels, or not ended by `e`). */
  skip(p: number, e: number): number {
    const q = this.exports.skipValue(p + BASE, e + BASE);
    return q < 0 ? q : q - BASE;
  }

  /**
   * The usage line `buffer[s, e)` (trimmed),
   * read to exactly what `parseLine` answers for it, or undefined when
   * unsure (then the caller takes `parseLine`).
   */
  extract(s: number, e: number, decode: Utf8Decoder): ParsedLine | undefined {
    if (this.exports.readUsageLine(s + BASE, e + BASE) !== 1) {
      return undefined;
    }
    const o = this.slots;
    const type = this.string(SLOT.type, decode);
    if (type !== 'assistant' || o[SLOT.message] !== 1 || o[SLOT.usage] !== 1) {
      return undefined; // what lineFromFields answers for such a line
    }
    const f = (this.fields ??= new LineFields());
    f.type = type;
    f.message = true;
    f.usage = true;
    f.subtype = this.string(SLOT.subtype, decode);
    if (o[SLOT.timestampRead] === 1) {
      f.timestampMs = this.timestampMs[0] as number;
      f.timestamp = TIMESTAMP_READ;
    } else {
      f.timestampMs = NaN;
      f.timestamp = this.string(SLOT.timestamp, decode, false);
    }
    f.sessionId = this.string(SLOT.sessionId, decode);
    f.cwd = this.string(SLOT.cwd, decode);
    f.requestId = this.string(SLOT.requestId, decode);
    f.agentId = this.string(SLOT.agentId, decode);
    f.messageId = this.string(SLOT.messageId, decode);
    f.model = this.string(SLOT.model, decode);
    f.speed = this.string(SLOT.speed, decode);
    f.geo = this.string(SLOT.geo, decode);
    f.isSidechain = this.bool(SLOT.isSidechain);
    f.isApiErrorMessage = this.bool(SLOT.isApiErrorMessage);
    f.cacheCreation = o[SLOT.cacheCreation] === 1;
    f.serverToolUse = o[SLOT.serverToolUse] === 1;
    f.input = this.tokens(SLOT.input);
    f.output = this.tokens(SLOT.output);
    f.write = this.tokens(SLOT.write);
    f.read = this.tokens(SLOT.read);
    f.w5 = this.tokens(SLOT.w5);
    f.w1 = this.tokens(SLOT.w1);
    f.web = this.tokens(SLOT.web);
    return lineFromFields(f);
  }

  /**
   * The string in slots `i`. A plain one up to 252 bytes is remembered here
   * and in the kernel, which marks it 4 when the next line has the same
   * bytes there: the ids, folder, model and kind of a line mostly repeat
   * the line before's, and are then not decoded again.
   */
  private string(i: number, decode: Utf8Decoder, remember = true): string | null | undefined {
    const o = this.slots;
    const kind = o[i];
    if (kind === 4) {
      return this.remembered[i];
    }
    if (kind === 0) {
      return undefined;
    }
    if (kind === 1) {
      return null;
    }
    const s = (o[i + 1] as number) - BASE;
    const e = (o[i + 2] as number) - BASE;
    if (kind === 3) {
      return JSON.parse(decode(this.view, s - 1, e + 1)) as string;
    }
    const value = decode(this.view, s, e);
    if (remember && e - s <= 252) {
      this.remembered[i] = value;
      this.exports.remember(i);
    }
    return value;
  }

  private bool(i: number): boolean | null | undefined {
    const kind = this.slots[i];
    return kind === 0 ? undefined : kind === 1 ? null : kind === 3;
  }

  private tokens(i: number): number | null | undefined {
    const kind = this.slots[i];
    return kind === 0 ? undefined : kind === 1 ? null : this.slots[i + 1];
  }
}
