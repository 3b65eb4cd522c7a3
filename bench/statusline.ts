/**
 * The status-line benchmark: the wall time of one `claude-cost statusline`
 * run, as Claude Code makes it several times a second, beside Node's own
 * start (`node -e 0`) measured alternately under the same load.
 *
 *   node out/bench/statusline.js --tree DIR [--runs 60] [--cache DIR] [--refresh] [--cli dist/cli.js]
 *
 * The tree is a generated one (bench/generate.ts); its index is built first
 * (`report --json`), so every measured run finds a warm index. The hook's
 * JSON names a real session of the tree and carries `rate_limits`, so each
 * run prints the whole line and records the snapshot. The once-a-minute
 * refresh of the stored report is measured separately (`--refresh`: the
 * stored report is made older than a minute before each run).
 */
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
}

function wall(argv: string[], input?: string): number {
  const t = process.hrtime.bigint();
  const r = cp.spawnSync(process.execPath, argv, { input, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) {
    throw new Error(`${argv.join(' ')}: exit ${r.status}: ${r.stderr}`);
  }
  return ms;
}

function main(): void {
  const tree = arg('--tree', '');
  const runs = Number(arg('--runs', '60'));
  const refresh = process.argv.includes('--refresh');
  const cache = arg('--cache', fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-statusline-bench-')));
  const cli = path.resolve(arg('--cli', path.join(__dirname, '../../dist/cli.js')));
  const report = cp.spawnSync(process.execPath, [cli, 'report', '--json', '--config-dir', tree, '--cache-dir', cache], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const parsed = JSON.parse(report.stdout) as { sessions: Array<{ sessionId: string }> };
  const now = Math.floor(Date.now() / 1000);
  const input = JSON.stringify({
    session_id: parsed.sessions[0]?.sessionId,
    model: { id: 'claude-opus-4-6', display_name: 'Opus 4.6' },
    cost: { total_cost_usd: 1.25 },
    context_window: { used_percentage: 42 },
    prompt_cache: { expires_at: now + 200 },
    rate_limits: { five_hour: { used_percentage: 48.3, resets_at: now + 7200 }, seven_day: { used_percentage: 63, resets_at: now + 200_000 } },
  });
  const line = cp.spawnSync(process.execPath, [cli, 'statusline', '--config-dir', tree, '--cache-dir', cache], { input, encoding: 'utf8' }).stdout.trim();
  const baseline: number[] = [];
  const statusline: number[] = [];
  const old = new Date(Date.now() - 3_600_000);
  for (let i = 0; i < runs; i++) {
    baseline.push(wall(['-e', '0']));
    if (refresh) {
      fs.utimesSync(path.join(cache, 'report-v5.json'), old, old);
      fs.rmSync(path.join(cache, 'statusline-refresh.lock'), { force: true });
    }
    statusline.push(wall([cli, 'statusline', '--config-dir', tree, '--cache-dir', cache], input));
  }
  const row = (name: string, xs: number[]) => `${name.padEnd(22)} median ${percentile(xs, 50).toFixed(1)} ms  p95 ${percentile(xs, 95).toFixed(1)} ms`;
  console.log(`line: ${line}`);
  console.log(row('node -e 0', baseline));
  console.log(row(refresh ? 'statusline (refresh)' : 'statusline', statusline));
  console.log(`added to Node's start: median ${(percentile(statusline, 50) - percentile(baseline, 50)).toFixed(1)} ms, p95 ${(percentile(statusline, 95) - percentile(baseline, 95)).toFixed(1)} ms (${runs} alternating runs)`);
  if (!process.argv.includes('--cache')) {
    fs.rmSync(cache, { recursive: true, force: true });
  }
}

main();
