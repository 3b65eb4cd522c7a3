/**
 * A whole cold scan on the main thread, for tests (moved out of src: the
 * product scans through coldScan / warmScan).
 */
import type { Engine } from '../../../src/core/engine';
import { describeError, listTranscriptFiles, type ListProblem } from '../../../src/node/scan/list-files';
import { engineSink, newReadBuffer, readAgentMeta, readLinesSync } from '../../../src/node/scan/scan';

export interface ScanSummary {
  files: number;
  bytes: number;
  tornLines: number;
  problems: ListProblem[];
}

/** Cold scan: lists and reads every transcript under the given `projects/` folders. */
export function scanAllSync(engine: Engine, projectsDirs: readonly string[]): ScanSummary {
  const problems: ListProblem[] = [];
  const buffer = newReadBuffer();
  let files = 0;
  let bytes = 0;
  let tornLines = 0;
  for (const dir of projectsDirs) {
    for (const f of listTranscriptFiles(dir, problems)) {
      const state = engine.openFile(f.path, f.relativePath);
      readAgentMeta(state);
      try {
        const r = readLinesSync(f.path, 0, engineSink(engine, state), buffer);
        files++;
        bytes += r.bytesRead;
        if (r.torn) {
          tornLines++;
          engine.countMalformed(state);
        }
      } catch (err) {
        problems.push({ path: f.path, message: describeError(err) });
      }
    }
  }
  return { files, bytes, tornLines, problems };
}
