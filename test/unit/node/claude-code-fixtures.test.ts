import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkAgainstGroundTruth, reportOfTree } from '../../real-client/ground-truth';
import type { GroundTruth } from '../../real-client/run-scenario';

const FIXTURES = path.resolve(__dirname, '../../../../test/fixtures');

describe('committed trees written by the real Claude Code 2.1.330', () => {
  const trees = fs.readdirSync(FIXTURES).filter((d) => d.startsWith('claude-code-2.1.330-'));

  it('are present', () => {
    assert.ok(trees.length >= 3, trees.join(', '));
  });

  for (const tree of trees) {
    it(`${tree}: our report equals the served usage and Claude Code's cost-state`, () => {
      const dir = path.join(FIXTURES, tree);
      const truth = JSON.parse(fs.readFileSync(path.join(dir, 'ground-truth.json'), 'utf8')) as GroundTruth;
      checkAgainstGroundTruth(reportOfTree(path.join(dir, 'projects')), truth);
    });
  }

  it('compaction is priced as not itemised, and the session says what Claude Code said', () => {
    const dir = path.join(FIXTURES, 'claude-code-2.1.330-compact');
    const report = reportOfTree(path.join(dir, 'projects'));
    const s = report.sessions[0];
    assert.ok(s);
    assert.ok(s.unitemisedCostUSD !== null && s.unitemisedCostUSD > 0);
    assert.equal(s.contextState, 'known');
  });
});
