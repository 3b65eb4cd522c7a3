/**
 * Cold-scan worker: reads and parses transcript files off the extension
 * host's main thread. Only the lines that matter come back (parsed), with
 * where each file's reading stopped, so the main thread merely merges.
 */
import * as fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { parseAgentMeta, type AgentMeta, type ParsedLine } from '../core/transcript';
import { parseShortened } from './scan';
import { LineSplitter } from './line-splitter';
import { tailHashAt, type CursorState } from './file-cursor';

export interface ScanRequest {
  files: Array<{ path: string; relativePath: string; subagent: boolean }>;
}

export type ScanMessage =
  | {
      /** A batch of a large file's parsed lines; the file's last batch comes as `file`. */
      type: 'lines';
      path: string;
      relativePath: string;
      lines: Array<[number, ParsedLine]>;
    }
  | {
      type: 'file';
      path: string;
      relativePath: string;
      /** Parsed lines with their byte offsets. */
      lines: Array<[number, ParsedLine]>;
      malformed: number;
      agentMeta: AgentMeta | undefined;
      cursor: CursorState;
      bytes: number;
    }
  | { type: 'error'; path: string; message: string }
  | { type: 'done' };

const CHUNK = 4 * 1024 * 1024;

/** Lines per message, so the main thread merges in small slices. */
const BATCH_LINES = 2000;

function scanFile(path: string, relativePath: string, subagent: boolean, buf: Buffer, post: (m: ScanMessage) => void): ScanMessage {
  let lines: Array<[number, ParsedLine]> = [];
  let malformed = 0;
  const sink = {
    line(text: string, offset: number, full?: () => string) {
      lines.push([offset, parseShortened(text, full)]);
      if (lines.length >= BATCH_LINES) {
        post({ type: 'lines', path, relativePath, lines });
        lines = [];
      }
    },
    malformed() {
      malformed++;
    },
  };
  const fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  let size = 0;
  let st: fs.Stats;
  const splitter = new LineSplitter(0);
  try {
    st = fs.fstatSync(fd);
    if (!st.isFile()) {
      throw new Error('not a regular file');
    }
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, size);
      if (n <= 0) {
        break;
      }
      size += n;
      splitter.push(n === buf.length ? buf : buf.subarray(0, n), sink);
    }
  } finally {
    fs.closeSync(fd);
  }
  const { torn } = splitter.flushComplete(sink);
  let agentMeta: AgentMeta | undefined;
  if (subagent) {
    try {
      agentMeta = parseAgentMeta(fs.readFileSync(path.replace(/\.jsonl$/, '.meta.json'), 'utf8'));
    } catch {
      agentMeta = undefined;
    }
  }
  return {
    type: 'file',
    path,
    relativePath,
    lines,
    malformed,
    agentMeta,
    bytes: size,
    cursor: { path, relativePath, offset: splitter.consumedOffset, size, mtimeMs: st.mtimeMs, ino: st.ino, torn, tailHash: tailHashAt(path, splitter.consumedOffset) },
  };
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

if (parentPort) {
  const port = parentPort;
  port.on('message', (req: ScanRequest) => {
    const buf = Buffer.allocUnsafe(CHUNK);
    for (const f of req.files) {
      try {
        port.postMessage(scanFile(f.path, f.relativePath, f.subagent, buf, (m) => port.postMessage(m)));
      } catch (err) {
        port.postMessage({ type: 'error', path: f.path, message: describe(err) } satisfies ScanMessage);
      }
    }
    port.postMessage({ type: 'done' } satisfies ScanMessage);
  });
}
