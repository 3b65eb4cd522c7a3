/**
 * The line test in WebAssembly (src/wasm/line-flags.wat): a reading buffer
 * kept in the module's memory, one SIMD pass per line that tells whether
 * the line is worth parsing and whether it is free of control bytes, and a
 * checker that steps over the JSON values the usage reader does not read. The
 * JavaScript path (native searches in line-splitter.ts) gives the same
 * answers and stays for any buffer outside this memory.
 */
import { LINE_FLAGS_WASM } from './line-flags-wasm';

/** The line holds a needle: it is worth parsing. */
export const LINE_NEEDLE = 1;
/** The line holds no byte below 0x20 (the usage reader then need not look). */
export const LINE_CLEAN = 2;

const PAGE_BYTES = 65536;
/** Bytes kept past the buffer: the kernel's loads may read up to 31 bytes past a line's end. */
const SLACK_BYTES = 64;

interface Exports {
  memory: WebAssembly.Memory;
  lineFlags(s: number, e: number): number;
  skipValue(p: number, e: number): number;
}

export class LineKernel {
  private view: Buffer;

  private constructor(private readonly exports: Exports, size: number) {
    this.view = Buffer.alloc(0);
    this.grow(size);
  }

  /** A kernel whose buffer holds `size` bytes; undefined where WebAssembly SIMD is missing (the caller reads with a plain buffer). */
  static create(size: number): LineKernel | undefined {
    try {
      const module = new WebAssembly.Module(Buffer.from(LINE_FLAGS_WASM, 'base64'));
      const instance = new WebAssembly.Instance(module, {});
      return new LineKernel(instance.exports as unknown as Exports, size);
    } catch {
      return undefined;
    }
  }

  /** The reading buffer (memory from offset 0). */
  get buffer(): Buffer {
    return this.view;
  }

  /**
   * Grows the buffer to `size` bytes, keeping its contents, and answers the
   * new view: growing the memory detaches every earlier view of it.
   */
  grow(size: number): Buffer {
    const memory = this.exports.memory;
    const need = size + SLACK_BYTES;
    if (need > memory.buffer.byteLength) {
      memory.grow(Math.ceil((need - memory.buffer.byteLength) / PAGE_BYTES));
    }
    this.view = Buffer.from(memory.buffer, 0, size);
    return this.view;
  }

  /** `LINE_NEEDLE | LINE_CLEAN` bits for the bytes `buffer[s, e)`. */
  test(s: number, e: number): number {
    return this.exports.lineFlags(s, e);
  }

  /** A `ValueSkipper` over this buffer: the index just past the JSON value at `p`, or -1 (invalid, unsure, or not ended by `e`). */
  readonly skip = (p: number, e: number): number => this.exports.skipValue(p, e);
}
