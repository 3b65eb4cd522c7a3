/**
 * `claude-cost push`: the all-time totals of this machine's transcripts, sent
 * once to a Prometheus Pushgateway (for machines without VS Code: cron, CI).
 *
 *   claude-cost push --pushgateway URL [--instance NAME] [--hash-projects]
 *                    [--print] [--config-dir DIR]...
 *
 * The token, when the Pushgateway wants one, comes from CLAUDE_COST_PUSH_TOKEN.
 * Rows of sessions whose transcripts Claude Code has deleted are kept in the
 * cache folder's history, so the counters never go down.
 */
import { exportFigures, instanceProblem, renderExposition } from '../../core/prometheus';
import { runReport, type RunResult } from './cli';
import { UsageError, VERSION, type ReportArgs } from './cli-args';
import { defaultInstance, hashProjectName, loadPushModule } from '../export/push-loader';
import { safeText } from '../../core/format';

export const TOKEN_ENV = 'CLAUDE_COST_PUSH_TOKEN';

export interface PushRunOptions {
  /** Attempts and the first wait between them (then doubled). */
  attempts?: number;
  baseDelayMs?: number;
  timeoutMs?: number;
  /** Where the push module is (default: next to this file). */
  moduleDir?: string;
}

/** The exposition text of this machine's totals, and the result it was built from. */
export async function buildPushBody(args: ReportArgs, env: NodeJS.ProcessEnv): Promise<{ body: string; result: RunResult }> {
  const result = await runReport({ ...args, since: undefined, until: undefined }, env);
  const engine = result.engine;
  if (engine === undefined) {
    throw new Error('internal: no engine for push');
  }
  // The sessions kept in the history (transcripts gone) were merged and saved by runReport, as for `report`.
  const kept = result.keptRows ?? [];
  const figures = exportFigures(engine, result.report, {
    kept,
    projectLabel: args.hashProjects === true ? hashProjectName : undefined,
    current: result.report.sessions[0],
    version: VERSION,
  });
  return { body: renderExposition(figures), result };
}

/** Runs `push`; resolves to the exit code (0 sent, 1 not sent, 2 bad arguments). */
export async function push(args: ReportArgs, out: NodeJS.WritableStream, err: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env, options: PushRunOptions = {}): Promise<number> {
  const instance = args.instance ?? defaultInstance();
  const problem = instanceProblem(instance);
  if (problem !== undefined) {
    err.write(`claude-cost: push: ${problem} (--instance NAME)\n`);
    return 2;
  }
  const mod = args.print === true ? undefined : loadPushModule(options.moduleDir);
  let url: URL | undefined;
  if (mod !== undefined) {
    const checked = mod.checkPushgatewayUrl(args.pushgateway ?? '');
    if ('problem' in checked) {
      err.write(`claude-cost: push: ${checked.problem}\n`);
      return 2;
    }
    url = checked.url;
  }
  let body: string;
  let result: RunResult;
  try {
    ({ body, result } = await buildPushBody(args, env));
  } catch (e) {
    err.write(`claude-cost: ${e instanceof Error ? e.message : String(e)}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
  for (const w of result.warnings) {
    err.write(`claude-cost: ${safeText(w)}\n`);
  }
  if (mod === undefined || url === undefined) {
    out.write(body);
    return 0;
  }
  const token = env[TOKEN_ENV];
  const sent = await mod.pushWithRetry({ url, instance, token: token === '' ? undefined : token, timeoutMs: options.timeoutMs }, body, options.attempts ?? 3, options.baseDelayMs ?? 1_000);
  if (!sent.ok) {
    err.write(`claude-cost: push failed after ${sent.attempts} attempt(s): ${safeText(sent.message)}; ${mod.failureHint(sent)}\n`);
    return 1;
  }
  out.write(`pushed $${result.report.totals.costUSD} (${result.report.totals.messages} calls) to ${url.host} as instance "${safeText(instance)}"\n`);
  return 0;
}
