// CLI: node <compiled>/test/real-client/generate.js <outDir> [--dump] [scenario ...]
// Runs the chosen scenarios (default: all), each into <outDir>/<scenario>/,
// and prints one summary line per scenario.

import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { countFiles, GroundTruth, runScenario } from './run-scenario';
import { SCENARIOS } from './scenarios';

async function main(argv: string[]): Promise<number> {
  const positional = argv.filter((a) => !a.startsWith('--'));
  const dumpRequests = argv.includes('--dump');
  const outDir = positional[0];
  if (outDir === undefined) {
    console.error(`usage: generate.js <outDir> [--dump] [scenario ...]\nscenarios: ${SCENARIOS.map((s) => s.name).join(', ')}`);
    return 2;
  }
  const names = positional.length > 1 ? positional.slice(1) : SCENARIOS.map((s) => s.name);
  let failures = 0;
  for (const name of names) {
    const dir = join(outDir, name);
    rmSync(dir, { recursive: true, force: true });
    const t0 = Date.now();
    try {
      const out = await runScenario(name, dir, { dumpRequests });
      const truth = JSON.parse(readFileSync(out.groundTruthPath, 'utf8')) as GroundTruth;
      const seconds = ((Date.now() - t0) / 1000).toFixed(1);
      const kinds = truth.served.map((c) => c.kind).join(',');
      console.log(
        `${name}: ${truth.served.length} calls served [${kinds}], ${countFiles(out.projectsDir)} files written, ` +
          `${truth.sessions.length} session(s), ${seconds} s`,
      );
    } catch (err) {
      failures++;
      console.error(`${name}: FAILED after ${((Date.now() - t0) / 1000).toFixed(1)} s: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return failures === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
