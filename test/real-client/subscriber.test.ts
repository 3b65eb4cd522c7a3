/**
 * The real Claude Code as a plan subscriber (test/real-client/subscriber.ts):
 * what it writes into `.claude.json` and hands its status line is read by our
 * `limits --json` and `statusline`, and our line is what Claude Code shows.
 * Skipped without the pinned CLI, dist/cli.js, tmux or openssl.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { claudeBinary } from './run-scenario';
import { runSubscriberSession, subscriberRunUnavailable, type SubscriberRun } from './subscriber';
import { runLimits } from '../../src/node/cli/cli-limits';
import type { LimitsView } from '../../src/core/limits';
import { capture } from '../unit/support/cli';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist/cli.js');

describe('real Claude Code as a plan subscriber (OAuth token, stand-in profile/usage, status line in tmux)', function () {
  this.timeout(180_000);
  let dir = '';
  let run: SubscriberRun | undefined;

  before(async function () {
    const why = subscriberRunUnavailable(claudeBinary(), CLI);
    if (why !== undefined) {
      this.skip();
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-subscriber-'));
    run = await runSubscriberSession(dir, claudeBinary(), CLI);
  });
  after(() => {
    if (dir !== '') {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('Claude Code caches /api/oauth/usage in .claude.json, and limits --json reads it exactly', () => {
    assert.ok(run);
    const out = capture();
    const err = capture();
    // The snapshot our status line recorded is fresher: read the config alone through an empty cache dir.
    assert.equal(runLimits(['--json', '--config-dir', run.configDir, '--cache-dir', path.join(dir, 'no-cache')], out.stream, err.stream, {}), 0, err.text());
    const v = JSON.parse(out.text()) as LimitsView;
    assert.equal(v.source, 'claude-config');
    assert.deepEqual(v.windows.map((w) => [w.id, w.percent, w.stale]), [['five_hour', 42, false], ['seven_day', 63, false], ['seven_day_opus', 12, false], ['seven_day_sonnet', 30, false]]);
    assert.ok(v.ageSeconds !== null && v.ageSeconds >= 0 && v.ageSeconds < 180, String(v.ageSeconds));
    assert.ok(run.oauthRequests.includes('GET /api/oauth/usage'), run.oauthRequests.join('\n'));
  });

  it("the status line gets rate_limits from the unified headers; ours prints the 5-hour share in Claude Code's screen and records it", () => {
    assert.ok(run);
    const withLimits = run.hookInputs.filter((i) => i.rate_limits !== undefined);
    assert.ok(withLimits.length > 0);
    assert.deepEqual((withLimits.at(-1)?.rate_limits as { five_hour?: { used_percentage?: number } }).five_hour?.used_percentage, 42);
    assert.match(run.pane, /5h 42% \(resets/);
    const out = capture();
    const err = capture();
    assert.equal(runLimits(['--json', '--config-dir', path.join(dir, 'no-config'), '--cache-dir', run.cacheDir], out.stream, err.stream, {}), 0, err.text());
    const v = JSON.parse(out.text()) as LimitsView;
    assert.equal(v.source, 'statusline');
    assert.deepEqual(v.windows.map((w) => [w.id, w.percent]), [['five_hour', 42], ['seven_day', 63]]);
  });
});
