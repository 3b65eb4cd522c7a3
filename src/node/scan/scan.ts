/**
 * Finding transcript files and reading them into the engine.
 */
import * as fs from 'node:fs';
import type { Engine, FileState } from '../../core/engine';
import { parseAgentMeta, parseLine, type ParsedLine } from '../../core/transcript/transcript';
import { READ_BYTES, readLines, type LineSink, type ReadLinesResult } from './line-splitter';
import { LineKernel } from './line-kernel';

/** Parses a (possibly shortened) line; when the short form does not parse, the whole line. */
export function parseShortened(text: string, full?: () => string): ParsedLine {
  const parsed = parseLine(text);
  return parsed.kind === 'malformed' && full ? parseLine(full()) : parsed;
}

/** A sink that parses candidate lines into the engine. */
export function engineSink(engine: Engine, file: FileState): LineSink {
  return {
    parsed(parsed, offset) {
      engine.ingest(file, parsed, offset);
    },
    line(text, offset, full) {
      engine.ingest(file, parseShortened(text, full), offset);
    },
    malformed() {
      engine.countMalformed(file);
    },
  };
}

export type ReadResult = ReadLinesResult;

/** The reading buffer: two reads' worth, so it stays in the CPU cache (it grows for a longer line). */
const CHUNK_BYTES = 2 * READ_BYTES;

/** The thread's kernel for reads given no buffer (made on first use; false where WebAssembly SIMD is missing). */
let sharedKernel: LineKernel | false | undefined;

/** A reading buffer for `readLinesSync`: a `LineKernel` (the reader of usage lines), or a plain buffer where WebAssembly is missing. */
export function newReadBuffer(size = CHUNK_BYTES): Buffer | LineKernel {
  return LineKernel.create(size) ?? Buffer.allocUnsafe(size);
}

/**
 * Reads `filePath` from `fromOffset` to its current end, feeding complete
 * lines to `sink`. Throws only for I/O errors (the caller reports them).
 * Without `buffer`, through the thread's shared kernel (reads are synchronous, so never interleaved).
 */
export function readLinesSync(filePath: string, fromOffset: number, sink: LineSink, buffer?: Buffer | LineKernel): ReadResult {
  if (buffer === undefined) {
    sharedKernel ??= LineKernel.create(CHUNK_BYTES) ?? false;
  }
  const fd = fs.openSync(filePath, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    return readLines((b, off, len, pos) => fs.readSync(fd, b, off, len, pos), fromOffset, sink, buffer ?? (sharedKernel || Buffer.allocUnsafe(CHUNK_BYTES)));
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads `agent-<id>.meta.json` beside a subagent transcript, if there is one. */
export function readAgentMeta(file: FileState): void {
  if (!file.role.subagent) {
    return;
  }
  try {
    file.agentMeta = parseAgentMeta(fs.readFileSync(file.path.replace(/\.jsonl$/, '.meta.json'), 'utf8'));
  } catch {
    file.agentMeta = undefined;
  }
}
