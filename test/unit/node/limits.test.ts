import { strict as assert } from 'node:assert';
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { claudeConfigFile, readConfigLimits, LimitsWatcher, limitsPaths } from '../../../src/node/limits-source';
import { runPlanCommand } from '../../../src/node/cli/cli-plan';
import { SNAPSHOT_FILE } from '../../../src/node/statusline-snapshot';
import type { LimitsView } from '../../../src/core/limits';
import { capture } from '../support/cli';
import { configFixture } from '../support/limits';
import { removeTree, sleep, tempDir } from '../hardening/helpers';

const ROOT = path.resolve(__dirname, '../../../..');

function run(argv: string[], stdin = '', env: NodeJS.ProcessEnv = {}): { code: number; stdout: string; stderr: string } {
  const out = capture();
  const err = capture();
  const code = runPlanCommand(argv, out.stream, err.stream, { PATH: process.env.PATH, HOME: '/nonexistent-home', ...env }, () => stdin);
  return { code, stdout: out.text(), stderr: err.text() };
}

function hookInput(fiveHour: number, nowMs: number): string {
  const i = JSON.parse(fs.readFileSync(path.join(ROOT, 'test/fixtures/limits/statusline-input.json'), 'utf8')) as Record<string, Record<string, unknown>>;
  i.rate_limits = { five_hour: { used_percentage: fiveHour, resets_at: Math.floor(nowMs / 1000) + 7200 }, seven_day: { used_percentage: 63, resets_at: Math.floor(nowMs / 1000) + 200_000 } };
  return JSON.stringify(i);
}

describe('claude-cost limits and statusline', () => {
  let dir: string;
  let config: string;
  let cache: string;
  beforeEach(() => {
    dir = tempDir('ccm-limits-');
    config = path.join(dir, 'claude');
    cache = path.join(dir, 'cache');
    fs.mkdirSync(config);
  });
  afterEach(() => removeTree(dir));

  it('finds .claude.json in CLAUDE_CONFIG_DIR, else beside ~/.claude', () => {
    assert.equal(claudeConfigFile({ env: { CLAUDE_CONFIG_DIR: '/x/cfg' }, home: '/h' }), '/x/cfg/.claude.json');
    assert.equal(claudeConfigFile({ env: { CLAUDE_CONFIG_DIR: ' , ~/cfg,/y' }, home: '/h' }), '/h/cfg/.claude.json');
    assert.equal(claudeConfigFile({ env: {}, home: '/h' }), '/h/.claude.json');
    assert.equal(claudeConfigFile({ configDir: '/d', env: { CLAUDE_CONFIG_DIR: '/x' }, home: '/h' }), '/d/.claude.json');
  });

  it('acceptance: a reading 10 minutes old gives each window exactly and an age of about 600 s', () => {
    fs.writeFileSync(path.join(config, '.claude.json'), JSON.stringify(configFixture(Date.now(), 600_000)));
    const r = run(['limits', '--json', '--config-dir', config, '--cache-dir', cache]);
    assert.equal(r.code, 0, r.stderr);
    const v = JSON.parse(r.stdout) as LimitsView;
    assert.equal(v.source, 'claude-config');
    assert.equal(v.plan, 'claude_max');
    assert.ok(v.ageSeconds !== null && Math.abs(v.ageSeconds - 600) <= 2, String(v.ageSeconds));
    assert.deepEqual(
      v.windows.map((w) => [w.id, w.percent, w.stale]),
      [
        ['five_hour', 37.5, false],
        ['seven_day', 61, false],
        ['seven_day_opus', 0, false],
        ['seven_day_sonnet', 12.25, false],
        ['model:Fable', 44, false],
      ],
    );
    assert.deepEqual(Object.keys(v).slice(0, 6), ['source', 'fetchedAt', 'ageSeconds', 'plan', 'windows', 'extraUsage']);
    assert.deepEqual(Object.keys(v.windows[0] ?? {}), ['id', 'label', 'percent', 'resetsAt', 'stale']);
    // The same through CLAUDE_CONFIG_DIR, and as a table.
    const table = run(['limits', '--cache-dir', cache], '', { CLAUDE_CONFIG_DIR: config });
    assert.match(table.stdout, /read 10m ago/);
    assert.match(table.stdout, /^5-hour\s+37\.5%\s+\d\d:\d\d \(in 1h 59m\)$/m);
  });

  it('gives "no reading" with the reason for a missing, partial, corrupt, huge or foreign config (exit 0, no number)', () => {
    const file = path.join(config, '.claude.json');
    const whole = JSON.stringify(configFixture(Date.now(), 60_000));
    const cases: Array<[string, () => void, RegExp]> = [
      ['missing', () => undefined, /no Claude Code config at/],
      ['partial', () => fs.writeFileSync(file, whole.slice(0, Math.floor(whole.length / 2))), /not valid JSON/],
      ['corrupt', () => fs.writeFileSync(file, Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x22])), /not valid JSON/],
      ['empty', () => fs.writeFileSync(file, ''), /not valid JSON/],
      ['foreign', () => fs.writeFileSync(file, JSON.stringify({ name: 'left-pad', version: '1.3.0' })), /no cachedUsageUtilization/],
      ['a list', () => fs.writeFileSync(file, '[1,2,3]'), /not a Claude Code config/],
      ['a folder', () => fs.mkdirSync(file), /not a file/],
    ];
    for (const [name, make, reason] of cases) {
      removeTree(file);
      make();
      const r = run(['limits', '--json', '--config-dir', config, '--cache-dir', cache]);
      assert.equal(r.code, 0, name);
      const v = JSON.parse(r.stdout) as LimitsView;
      assert.equal(v.source, null, name);
      assert.deepEqual(v.windows, [], name);
      assert.equal(v.ageSeconds, null, name);
      assert.match(v.problems.join('\n'), reason, name);
      const table = run(['limits', '--config-dir', config, '--cache-dir', cache]);
      assert.match(table.stdout, /^Plan limits: no reading\./, name);
      assert.doesNotMatch(table.stdout, /%/, name);
    }
  });

  it('refuses a huge config without reading it', () => {
    const file = path.join(config, '.claude.json');
    fs.writeFileSync(file, JSON.stringify(configFixture(Date.now(), 60_000)));
    assert.match(readConfigLimits(file, 100).problem ?? '', /over the 0 MB we read; not read/);
    // A sparse 65 MB file: over the real cap, refused by its size.
    fs.truncateSync(file, 65 * 1024 * 1024);
    const v = JSON.parse(run(['limits', '--json', '--config-dir', config, '--cache-dir', cache]).stdout) as LimitsView;
    assert.equal(v.source, null);
    assert.match(v.problems.join(' '), /65 MB, over the 64 MB/);
  });

  it('acceptance: after a fresher snapshot is piped to statusline, limits answers from it and the line shows the 5-hour share', () => {
    fs.writeFileSync(path.join(config, '.claude.json'), JSON.stringify(configFixture(Date.now(), 600_000)));
    const line = run(['statusline', '--config-dir', config, '--cache-dir', cache], hookInput(48.3, Date.now()));
    assert.equal(line.code, 0, line.stderr);
    assert.equal(line.stdout.split('\n').length, 2, 'one line');
    assert.match(line.stdout, /· 5h 48\.3% \(resets \d\d:\d\d\) · 7d 63% /);
    assert.match(line.stdout, /^Opus 4\.6 · session \$0\.50 \(Claude Code\) · today - · ctx 42% /);
    assert.ok(fs.existsSync(path.join(cache, SNAPSHOT_FILE)));
    const v = JSON.parse(run(['limits', '--json', '--config-dir', config, '--cache-dir', cache]).stdout) as LimitsView;
    assert.equal(v.source, 'statusline');
    assert.equal(v.plan, 'claude_max', 'the plan still comes from the config');
    assert.deepEqual(
      v.windows.map((w) => [w.id, w.percent]),
      [
        ['five_hour', 48.3],
        ['seven_day', 63],
      ],
    );
    assert.ok(v.ageSeconds !== null && v.ageSeconds <= 2);
  });

  it('statusline: bad stdin still prints a line and records nothing; never writes inside a Claude folder', () => {
    const bad = run(['statusline', '--cache-dir', cache], '{"model": {"display_name": "Sonnet"');
    assert.equal(bad.code, 0);
    assert.equal(bad.stdout, 'Claude · session - · today - · ctx -\n');
    assert.equal(fs.existsSync(cache), false);
    const inside = path.join(config, 'cache');
    const r = run(['statusline', '--config-dir', config, '--cache-dir', inside], hookInput(10, Date.now()));
    assert.match(r.stdout, /5h 10%/);
    assert.equal(fs.existsSync(inside), false);
    assert.equal(run(['statusline', '--bogus'], '{}').code, 2);
  });

  it('statusline writes its snapshot only when something changed (or every 15 s), not on every run', () => {
    const now = Date.now();
    run(['statusline', '--cache-dir', cache], hookInput(20, now));
    const file = path.join(cache, SNAPSHOT_FILE);
    const first = fs.statSync(file);
    run(['statusline', '--cache-dir', cache], hookInput(20, now));
    assert.equal(fs.statSync(file).ino, first.ino, 'same content: not rewritten');
    run(['statusline', '--cache-dir', cache], hookInput(21, now));
    assert.notEqual(fs.statSync(file).ino, first.ino, 'a new share: rewritten');
  });

  it('statusline takes our dollars from the stored report when the index knows the session', function () {
    const cli = path.join(ROOT, 'dist/cli.js');
    if (!fs.existsSync(cli)) {
      this.skip();
    }
    const golden = path.join(ROOT, 'test/fixtures/golden');
    const report = cp.spawnSync(process.execPath, [cli, 'report', '--json', '--config-dir', golden, '--cache-dir', cache], { encoding: 'utf8' });
    assert.equal(report.status, 0, report.stderr);
    const parsed = JSON.parse(report.stdout) as { sessions: Array<{ sessionId: string; costUSD: number }> };
    const s = parsed.sessions[0];
    assert.ok(s);
    const input = JSON.parse(hookInput(30, Date.now())) as Record<string, unknown>;
    input.session_id = s.sessionId;
    const r = cp.spawnSync(process.execPath, [cli, 'statusline', '--config-dir', golden, '--cache-dir', cache], { input: JSON.stringify(input), encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.includes(`session $${s.costUSD.toFixed(s.costUSD < 0.01 ? 4 : 2)} · `), r.stdout);
    assert.match(r.stdout, /5h 30% \(resets/);
  });

  it('the watcher follows a change of the config file and of the snapshot, debounced', async () => {
    const file = path.join(config, '.claude.json');
    fs.writeFileSync(file, JSON.stringify(configFixture(Date.now(), 600_000)));
    const seen: Array<number | null> = [];
    const w = new LimitsWatcher(limitsPaths({ configDir: config, cacheDir: cache, env: {} }), (a) => seen.push(a.reading?.windows[0]?.percent ?? null), { debounceMs: 50, pollMs: 200 });
    try {
      assert.equal(w.answer.reading?.windows[0]?.percent, 37.5);
      const c = configFixture(Date.now(), 60_000) as { cachedUsageUtilization: { utilization: { five_hour: { utilization: number } } } };
      c.cachedUsageUtilization.utilization.five_hour.utilization = 71;
      const temp = `${file}.tmp`;
      fs.writeFileSync(temp, JSON.stringify(c));
      fs.renameSync(temp, file);
      for (let i = 0; i < 100 && seen.length === 0; i++) {
        await sleep(20);
      }
      assert.deepEqual(seen, [71]);
      // The cache folder does not exist yet: the stat check finds the snapshot once it does.
      run(['statusline', '--cache-dir', cache], hookInput(88, Date.now()));
      for (let i = 0; i < 100 && seen.length === 1; i++) {
        await sleep(20);
      }
      assert.deepEqual(seen, [71, 88]);
    } finally {
      w.dispose();
    }
  });
});
