/**
 * The plan commands of the full CLI: `limits` (cli-limits.ts) and
 * `statusline` (cli-statusline.ts; the launcher usually answers it alone).
 */
import { runLimits } from './cli-limits';
import { parseStatuslineArgs, readStdin, runStatusline } from './cli-statusline';

/** `claude-cost limits …` or `claude-cost statusline …`; resolves to the exit code. */
export function runPlanCommand(argv: readonly string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env, stdin: () => string = readStdin): number {
  if (argv[0] === 'limits') {
    return runLimits(argv.slice(1), out, err, env);
  }
  const args = parseStatuslineArgs(argv.slice(1));
  if (typeof args === 'string') {
    err.write(`claude-cost: ${args}\n`);
    return 2;
  }
  // No background refresh from here: the launcher (dist/cli.js) starts it when it answers.
  return runStatusline({ args, stdin: stdin(), env, nowMs: Date.now(), out });
}
