/**
 * `claude-cost limits [--json] [--config-dir DIR] [--cache-dir DIR]`: the
 * plan's 5-hour and weekly windows from the fresher of Claude Code's global
 * config and the statusline snapshot. Read-only everywhere.
 */
import { safeText } from '../../core/format';
import { clockTime, shortDuration, type LimitsView } from '../../core/limits-view';
import { expandHome } from '../claude-roots';
import { limitsJson, limitsPaths } from '../limits-source';

export interface LimitsArgs {
  json: boolean;
  configDir: string | undefined;
  cacheDir: string | undefined;
}

/** Parses `limits`' options (argv after the command); a message for a bad one. */
export function parseLimitsArgs(argv: readonly string[]): LimitsArgs | string {
  const args: LimitsArgs = { json: false, configDir: undefined, cacheDir: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--json') {
      args.json = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (flag !== '--config-dir' && flag !== '--cache-dir') {
      return `unknown option "${arg}" for limits (options: --json, --config-dir DIR, --cache-dir DIR)`;
    }
    const value = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '' || value.startsWith('--')) {
      return `${flag} needs a value`;
    }
    if (flag === '--config-dir') {
      args.configDir = expandHome(value);
    } else {
      args.cacheDir = expandHome(value);
    }
  }
  return args;
}

/** The table `limits` prints without `--json`. */
export function formatLimitsTable(v: LimitsView, nowMs: number): string {
  const lines: string[] = [];
  if (v.source === null) {
    lines.push('Plan limits: no reading.');
    for (const p of v.problems) {
      lines.push(`  ${safeText(p)}`);
    }
    return `${lines.join('\n')}\n`;
  }
  const fetched = v.fetchedAt === null ? null : Date.parse(v.fetchedAt);
  lines.push(
    `Plan limits${v.plan !== null ? ` (${safeText(v.plan)})` : ''} from ${v.source === 'statusline' ? 'the status line snapshot' : "Claude Code's config"}, read ${shortDuration((v.ageSeconds ?? 0) * 1000)} ago${fetched !== null ? ` (${clockTime(fetched, nowMs)})` : ''}`,
    '',
  );
  const rows = v.windows.map((w) => {
    const resets = w.resetsAt === null ? '' : Date.parse(w.resetsAt);
    const share = w.percent === null ? 'no reading' : w.stale ? `stale since ${typeof resets === 'number' ? clockTime(resets, nowMs) : '?'}` : `${Math.round(w.percent * 10) / 10}%`;
    const reset = typeof resets !== 'number' ? '-' : w.stale ? 'passed' : `${clockTime(resets, nowMs)} (in ${shortDuration(resets - nowMs)})`;
    return [safeText(w.label), share, reset];
  });
  const head = ['Window', 'Used', 'Resets'];
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]) => r.map((c, i) => c.padEnd(width[i] ?? 0)).join('  ').trimEnd();
  lines.push(fmt(head), ...rows.map(fmt));
  if (v.windows.length === 0) {
    lines.push('(no windows in this reading)');
  }
  if (v.extraUsage !== null && v.extraUsage.isEnabled) {
    const e = v.extraUsage;
    lines.push('', `Extra usage: ${e.utilization === null ? 'no reading' : `${Math.round(e.utilization * 10) / 10}%`}${e.usedCredits !== null && e.monthlyLimit !== null ? ` (${e.usedCredits} of ${e.monthlyLimit} ${safeText(e.currency ?? '')} minor units)` : ''}`);
  }
  if (v.ignored.length > 0) {
    lines.push('', `Not shown (unknown windows): ${v.ignored.map(safeText).join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Runs `limits`; resolves to the exit code. */
export function runLimits(argv: readonly string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env, nowMs: number = Date.now()): number {
  const args = parseLimitsArgs(argv);
  if (typeof args === 'string') {
    err.write(`claude-cost: ${args}\n`);
    return 2;
  }
  const view = limitsJson(limitsPaths({ configDir: args.configDir, cacheDir: args.cacheDir, env }), nowMs);
  out.write(args.json ? `${JSON.stringify(view)}\n` : formatLimitsTable(view, nowMs));
  return 0;
}
