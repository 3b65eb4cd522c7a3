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
import { Engine } from '../../src/core/engine';
import { bundledPriceTable } from '../../src/core/pricing/price-table';
import { scanAllSync } from '../unit/support/scan';
import { readCauseFiles, readSessionCauses } from '../../src/node/live/session-causes';
import { assignCauses } from '../../src/core/causes';

const claude = claudeBinary();

describe(`real Claude Code ${claudeVersionOf(claude) ?? '(not installed)'} against the stand-in API`, function () {
  this.timeout(300_000);
  let outDir = '';
  const results = new Map<string, { truth: GroundTruth; report: Report; projectsDir: string }>();

  before(async function () {
    if (!fs.existsSync(claude)) {
      this.skip();
    }
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-real-client-'));
    for (const scenario of SCENARIOS) {
      const dir = path.join(outDir, scenario.name);
      const out = await runScenario(scenario.name, dir, { claudeBin: claude });
      const truth = JSON.parse(fs.readFileSync(out.groundTruthPath, 'utf8')) as GroundTruth;
      results.set(scenario.name, { truth, report: reportOfTree(out.projectsDir), projectsDir: out.projectsDir });
    }
  });

  after(() => {
    if (outDir) {
      fs.rmSync(outDir, { recursive: true, force: true });
    }
  });

  it('mcp: a tiny stdio MCP server (--mcp-config) shows as mcp:github with the dollars of the served follow-up call (#20)', async () => {
    const r = results.get('mcp');
    assert.ok(r);
    const engine = new Engine({ prices: bundledPriceTable(), timeZone: 'UTC' });
    scanAllSync(engine, [r.projectsDir]);
    const [sessionId] = [...engine.sessionIds()];
    assert.ok(sessionId);
    const causes = await readSessionCauses(engine, sessionId);
    // The follow-up call served u5m(6, 52, 420, 16700) on Sonnet 4.6: $3 in, $15 out, $3.75 5m write, $0.30 read.
    const mcp = causes.causes.find((c) => c.cause === 'mcp:github');
    assert.equal(mcp?.calls, 1);
    assert.ok(Math.abs((mcp?.costUSD ?? 0) - (6 * 3 + 52 * 15 + 420 * 3.75 + 16_700 * 0.3) / 1e6) < 1e-12, String(mcp?.costUSD));
    assert.ok(Math.abs(causes.itemisedCostUSD - (r.report.sessions[0]?.costUSD ?? 0) + (r.report.sessions[0]?.unitemisedCostUSD ?? 0)) < 1e-12);
    // Claude Code's own attributionMcpServer is on the call that read the MCP result: the rule agrees there.
    const { files } = await readCauseFiles(engine, sessionId);
    const assigned = assignCauses(files);
    const marked = files.flatMap((f) => f.lines.flatMap((l) => (l.kind === 'assistant' && l.attribution.mcpServer !== undefined ? [assigned.get(`${f.path}\u0000${l.messageId}`)?.cause] : [])));
    assert.deepEqual(marked, ['mcp:github']);
  });

  for (const scenario of SCENARIOS) {
    it(`${scenario.name}: totals and every session equal the served usage and Claude Code's cost-state`, () => {
      const r = results.get(scenario.name);
      assert.ok(r);
      checkAgainstGroundTruth(r.report, r.truth);
    });
  }
});
