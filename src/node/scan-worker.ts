/**
 * Cold-scan worker: reads and parses transcript files off the extension
 * host's main thread. Only the lines that matter come back (parsed), with
 * where each file's reading stopped, so the main thread merely merges.
 */
import { parentPort } from 'node:worker_threads';
import { ExtractCaches } from '../core/usage-extract';
import { describe, newScanBuffer, scanFile, type ScanMessage, type ScanRequest } from './scan-file';

export type { ScanMessage, ScanRequest } from './scan-file';

if (parentPort) {
  const port = parentPort;
  port.on('message', (req: ScanRequest) => {
    const buffer = newScanBuffer();
    const caches = new ExtractCaches();
    const post = (m: ScanMessage): void => {
      port.postMessage(m);
    };
    for (const f of req.files) {
      try {
        post(scanFile(f.path, f.relativePath, f.subagent, buffer, caches, post));
      } catch (err) {
        port.postMessage({ type: 'error', path: f.path, message: describe(err) } satisfies ScanMessage);
      }
    }
    port.postMessage({ type: 'done' } satisfies ScanMessage);
  });
}
