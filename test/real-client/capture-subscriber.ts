/**
 * Regenerates test/fixtures/limits/real-client-<version>/ from a subscriber
 * run of the real Claude Code (test/real-client/subscriber.ts):
 *
 *   npm run build && node scripts/build-tests.mjs && node out/test/real-client/capture-subscriber.js
 *
 * `claude-json.json` is the `.claude.json` it wrote (the keys about plan
 * limits and the account, plus the rest of the keys' names); `statusline-stdin.json`
 * the last JSON its status line received. Temp paths become `/tmp/subscriber`,
 * random ids fixed ones. The stand-in's account is made up.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { claudeBinary, claudeVersionOf } from './run-scenario';
import { runSubscriberSession } from './subscriber';

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '../../..');
  const cli = path.join(root, 'dist/cli.js');
  const claude = claudeBinary();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-subscriber-'));
  try {
    const run = await runSubscriberSession(dir, claude, cli);
    const found = [...run.hookInputs].reverse().find((i) => typeof i.session_id === 'string')?.session_id;
    const sessionId = typeof found === 'string' ? found : '\u0000';
    const scrub = (v: unknown): unknown =>
      JSON.parse(
        JSON.stringify(v)
          .split(run.root)
          .join('/tmp/subscriber')
          .split(os.tmpdir())
          .join('/tmp')
          .split(sessionId)
          .join('00000000-0000-4000-8000-00000000c0de')
          .replace(/-tmp-ccm-subscriber-[A-Za-z0-9]+-/g, '-tmp-subscriber-'),
      ) as unknown;
    const c = run.claudeJson;
    const kept = { oauthAccount: c.oauthAccount, cachedUsageUtilization: c.cachedUsageUtilization, otherKeys: Object.keys(c).filter((k) => k !== 'oauthAccount' && k !== 'cachedUsageUtilization') };
    const last = [...run.hookInputs].reverse().find((i) => i.rate_limits !== undefined) ?? {};
    const hook = { ...last, prompt_id: '00000000-0000-4000-8000-00000000f00d' };
    const out = path.join(root, 'test/fixtures/limits', `real-client-${claudeVersionOf(claude) ?? 'unknown'}`);
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'claude-json.json'), `${JSON.stringify(scrub(kept), null, 2)}\n`);
    fs.writeFileSync(path.join(out, 'statusline-stdin.json'), `${JSON.stringify(scrub(hook), null, 2)}\n`);
    process.stdout.write(`wrote ${out}\nOAuth stand-in saw:\n${run.oauthRequests.join('\n')}\n`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exitCode = 1;
});
