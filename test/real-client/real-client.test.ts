/**
 * The real Claude Code CLI as our test client: every scenario is run against
 * the stand-in API, and our report must equal the usage the stand-in served
 * (tokens exactly, cost to $0.000001 per call), per session and in total.
 * CI runs the pinned devDependency; `REAL_CLIENT_CLAUDE=<path to claude>`
 * runs another release (`npm run test:real-client -- --version X` installs
 * one and sets it).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { claudeBinary, claudeVersionOf, runScenario, type GroundTruth } from './run-scenario';
import { SCENARIOS } from './scenarios';
import { checkAgainstGroundTruth, reportOfTree } from './ground-truth';
import type { Report } from '../../src/core/report';

const claude = claudeBinary();

describe(`real Claude Code ${claudeVersionOf(claude) ?? '(not installed)'} against the stand-in API`, function () {
  this.timeout(300_000);
  let outDir = '';
  const results = new Map<string, { truth: GroundTruth; report: Report }>();

  before(async function () {
    if (!fs.existsSync(claude)) {
      this.skip();
    }
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-real-client-'));
    for (const scenario of SCENARIOS) {
      const dir = path.join(outDir, scenario.name);
      const out = await runScenario(scenario.name, dir, { claudeBin: claude });
      const truth = JSON.parse(fs.readFileSync(out.groundTruthPath, 'utf8')) as GroundTruth;
      results.set(scenario.name, { truth, report: reportOfTree(out.projectsDir) });
    }
  });

  after(() => {
    if (outDir) {
      fs.rmSync(outDir, { recursive: true, force: true });
    }
  });

  for (const scenario of SCENARIOS) {
    it(`${scenario.name}: totals and every session equal the served usage and Claude Code's cost-state`, () => {
      const r = results.get(scenario.name);
      assert.ok(r);
      checkAgainstGroundTruth(r.report, r.truth);
    });
  }
});
