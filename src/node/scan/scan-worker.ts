/**
 * Cold-scan worker: reads and parses transcript files off the extension
 * host's main thread. Only the lines that matter come back (parsed), with
 * where each file's reading stopped, so the main thread merely merges.
 */
import { parentPort } from 'node:worker_threads';
import { BATCH_LINES, BATCH_MESSAGES, describe, newScanBuffer, scanFile, type ScanMessage, type ScanPost, type ScanRequest } from './scan-file';

export type { ScanMessage, ScanPost, ScanRequest } from './scan-file';

if (parentPort) {
  const port = parentPort;
  // Kept from request to request: the reading buffer (a WebAssembly instance).
  const buffer = newScanBuffer();
  port.on('message', (req: ScanRequest) => {
    let pending: ScanMessage[] = [];
    let pendingLines = 0;
    const flush = (): void => {
      if (pending.length > 0) {
        port.postMessage((pending.length === 1 ? (pending[0] as ScanMessage) : { type: 'batch', messages: pending }) satisfies ScanPost);
        pending = [];
        pendingLines = 0;
      }
    };
    const post = (m: ScanMessage): void => {
      pending.push(m);
      pendingLines += m.type === 'lines' || m.type === 'file' ? m.lines.count + m.lines.others.length : 0;
      if (pending.length >= BATCH_MESSAGES || pendingLines >= BATCH_LINES) {
        flush();
      }
    };
    for (const f of req.files) {
      try {
        post(scanFile(f.path, f.relativePath, f.subagent, buffer, post));
      } catch (err) {
        post({ type: 'error', path: f.path, message: describe(err) });
      }
    }
    post({ type: 'done' });
    flush();
  });
}
