/**
 * Claude Code's own cause of a cache miss (#20): when the status-line
 * snapshot (recorded by `claude-cost statusline`, from the hook's
 * `prompt_cache.last_miss_cause`) is of the session, its latest miss takes
 * that cause, in `claude-cost session --json` and in the meter's details.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { assistant, prompt } from '../../support/cause-session';
import { runCli } from '../../support/cli';
import type { CacheMiss } from '../../../../src/core/causes';
import { lastMissCauseOf } from '../../../../src/core/cause-sums';
import { statuslineFacts } from '../../../../src/core/limits-view';
import { bundledPriceTable } from '../../../../src/core/pricing/price-table';
import { defaultSettings } from '../../../../src/core/settings';
import { Meter } from '../../../../src/node/live/meter';
import { recordStatuslineSnapshot } from '../../../../src/node/statusline-snapshot';

const S = 'dddddddd-0000-4000-8000-000000000020';
const U = { input: 10, output: 50, w5: 20_000 };

describe("Claude Code's last miss cause from the status line (#20)", () => {
  let temp = '';
  let cache = '';
  before(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-last-miss-'));
    cache = path.join(temp, 'cache');
    const file = path.join(temp, 'claude', 'projects', '-work-causes', `${S}.jsonl`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // A call, 20 idle minutes, a call that writes the whole cache again: one miss.
    fs.writeFileSync(file, `${[prompt('hi', 0, false, S), assistant({ id: 'msg_1', at: 0.1, usage: U, session: S }), prompt('again', 20, false, S), assistant({ id: 'msg_2', at: 20.1, usage: U, session: S })].join('\n')}\n`);
  });
  after(() => fs.rmSync(temp, { recursive: true, force: true }));

  const hook = (sessionId: string, promptCache: unknown) => recordStatuslineSnapshot(cache, statuslineFacts({ session_id: sessionId, prompt_cache: promptCache }), Date.now());
  const missesOf = async (): Promise<CacheMiss[]> => {
    const r = await runCli(['session', S, '--json', '--cache-dir', cache, '--config-dir', path.join(temp, 'claude'), '--no-history']);
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as { cacheMisses: CacheMiss[] }).cacheMisses;
  };

  it('reads the field leniently', () => {
    assert.equal(lastMissCauseOf({ last_miss_cause: 'ttl_expired' }), 'ttl_expired');
    assert.equal(lastMissCauseOf({ last_miss_cause: { type: 'tools_changed', at: 1 } }), 'tools_changed');
    assert.equal(lastMissCauseOf({ last_miss_cause: null }), undefined);
    assert.equal(lastMissCauseOf({ expires_at: 1 }), undefined);
    assert.equal(lastMissCauseOf(undefined), undefined);
  });

  it('claude-cost session --json: the snapshot of this session names the latest miss; of another session, the rule stays', async () => {
    hook('another-session', { last_miss_cause: 'model_changed' });
    const own = await missesOf();
    assert.equal(own.length, 1);
    assert.deepEqual([own[0]?.reason, own[0]?.reasonSource, own[0]?.claudeCodeCause], ['idle', 'transcript', null]);
    hook(S, { last_miss_cause: 'ttl_expired' });
    const theirs = await missesOf();
    assert.deepEqual([theirs[0]?.reason, theirs[0]?.reasonSource, theirs[0]?.claudeCodeCause], ['idle', 'claude-code', 'ttl_expired']);
  });

  it("the meter's session details prefer Claude Code's cause once the snapshot names it", async function () {
    this.timeout(20_000);
    hook(S, { last_miss_cause: 'system_prompt_changed' });
    const meter = new Meter({ prices: bundledPriceTable(), settings: defaultSettings(), workspaceFolders: ['/work/causes'], env: { CLAUDE_CONFIG_DIR: path.join(temp, 'claude') }, home: temp, throttleMs: 0, limits: { cacheDir: cache } });
    try {
      await meter.start();
      const miss = () => meter.sessionDetail(S)?.causes?.cacheMisses[0];
      for (let i = 0; i < 50 && miss() === undefined; i++) {
        await new Promise<void>((resolve) => meter.once('update', () => resolve()));
      }
      assert.deepEqual([miss()?.reasonSource, miss()?.claudeCodeCause], ['claude-code', 'system_prompt_changed']);
    } finally {
      await meter.dispose();
    }
  });
});
