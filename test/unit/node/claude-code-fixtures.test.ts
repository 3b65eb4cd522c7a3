import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkAgainstGroundTruth, reportOfTree } from '../../real-client/ground-truth';
import type { GroundTruth } from '../../real-client/run-scenario';

const FIXTURES = path.resolve(__dirname, '../../../../test/fixtures');

describe('committed trees written by the real Claude Code (2.1.330, 2.1.332)', () => {
  const trees = fs.readdirSync(FIXTURES).filter((d) => d.startsWith('claude-code-2.1.3'));

  it('are present', () => {
    assert.ok(trees.length >= 4, trees.join(', '));
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

  it('2.1.332 advisor turn: the advisor itemised under Opus 4.6, nothing un-itemised, context = the last iteration; its fork copy (new fields, same ids) counts once', () => {
    const dir = path.join(FIXTURES, 'claude-code-2.1.332-advisor');
    const report = reportOfTree(path.join(dir, 'projects'));
    const s = report.sessions.find((x) => x.sessionId === '49206d10-d1fe-4cac-996d-87ca03ecbf90');
    assert.ok(s);
    const opus = report.models.find((m) => m.model === 'claude-opus-4-6');
    assert.deepEqual(opus && [opus.advisorCalls, opus.messages, opus.inputTokens, opus.outputTokens], [1, 0, 50_000, 3_000]);
    assert.ok(Math.abs((opus?.costUSD ?? 0) - 0.325) < 1e-9);
    assert.equal(s.unitemisedCostUSD, 0);
    assert.ok(Math.abs(s.costUSD - 0.407362) < 1e-9 && Math.abs((s.claudeCodeCostUSD ?? 0) - 0.407362) < 1e-9);
    // The second message iteration: 4 input + 16,200 read + 3,140 written (the top level sums both: 35,549).
    assert.equal(s.contextTokens, 4 + 16_200 + 3_140);
    assert.equal(report.skipped.malformedLines, 0);
    assert.equal(report.totals.messages, 1);
    assert.equal(report.totals.advisorCalls, 1);
    const fork = report.sessions.find((x) => x.sessionId === 'f0e1d2c3-0000-4000-8000-000000000332');
    assert.equal(fork, undefined, 'the fork copy adds no call of its own');
  });
});
