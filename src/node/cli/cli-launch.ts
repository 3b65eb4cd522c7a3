/**
 * `dist/cli.js`, the `claude-cost` command. It answers the most frequent
 * call, `claude-cost report --json` with no transcript changed since the last
 * run, from the stored report, loading only what that needs (arguments,
 * folders, a listing, a fingerprint); everything else is handed to the full
 * CLI in `dist/cli-main.js` (src/node/cli/cli.ts), which gives the same output
 * for that case too.
 */
import * as path from 'node:path';
import bundledPriceTable from '../../core/pricing/price-table.json';
import { safeText } from '../../core/format';
import { checkConfigDirs, endQuietlyWhenReaderLeaves, fdWriter, parseArgs, systemZoneIdentity, VERSION, type TextWriter } from './cli-args';
import { findClaudeRoots } from '../claude-roots';
import { defaultCacheDir, engineKey, fingerprint, isInside, readStoredReport } from '../scan/index-store';
import { checkListing, listTranscriptFiles, type ListProblem } from '../scan/list-files';
import { parseStatuslineArgs, readStdin, refreshInProcess, runStatusline } from './cli-statusline';
import { historyDirOf, historyStamp } from '../live/history-file';

/**
 * Prints the stored report when it is still the answer; undefined (nothing
 * written) when the full CLI must run.
 */
export function storedReportAnswer(argv: readonly string[], env: NodeJS.ProcessEnv, out: TextWriter, err: TextWriter): number | undefined {
  try {
    const args = parseArgs(argv);
    if (args.command !== 'report' || !args.json || args.noCache) {
      return undefined;
    }
    checkConfigDirs(args.configDirs);
    const roots = findClaudeRoots({ configDirs: args.configDirs, env });
    if (roots.projectsDirs.length === 0) {
      return undefined; // the full CLI explains what it looked at
    }
    const cacheDir = args.cacheDir ?? defaultCacheDir(env);
    if (isInside(cacheDir, roots.projectsDirs.map((d) => path.dirname(d)))) {
      return undefined;
    }
    const stored = readStoredReport(cacheDir);
    const reportKey = JSON.stringify({ since: args.since, until: args.until, timeZone: args.timeZone ?? systemZoneIdentity(), history: historyStamp(historyDirOf(args, () => cacheDir)) });
    if (stored === undefined || stored.engineKey !== engineKey(bundledPriceTable, VERSION) || stored.key !== reportKey) {
      return undefined;
    }
    // The folders and files as they were when the report was made: only stats, compared as numbers.
    const check = stored.listing ? checkListing(stored.listing, roots.projectsDirs) : 'folders-changed';
    if (check === 'files-changed') {
      return undefined;
    }
    if (check === 'folders-changed') {
      // The set of files may have changed: list it again and compare its fingerprint.
      const problems: ListProblem[] = [];
      const files = roots.projectsDirs.flatMap((d) => listTranscriptFiles(d, problems));
      if (problems.length > 0 || stored.fingerprint !== fingerprint(files)) {
        return undefined;
      }
    }
    out.write(stored.json);
    out.write('\n');
    for (const w of stored.warnings) {
      err.write(`claude-cost: ${safeText(w)}\n`);
    }
    return 0;
  } catch {
    return undefined; // a usage error or anything unexpected: the full CLI says it properly
  }
}

/** The full CLI, its own bundle next to this file. */
function loadFullCli(): typeof import('./cli') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(__dirname, 'cli-main.js')) as typeof import('./cli');
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  let stdoutWatched = false;
  const stdout = (): NodeJS.WritableStream => {
    if (!stdoutWatched) {
      stdoutWatched = true;
      endQuietlyWhenReaderLeaves(process.stdout);
    }
    return process.stdout;
  };
  // Straight to the descriptors: the stored answer needs no stream (see
  // fdWriter). Not on Windows, where only the streams write a console in Unicode.
  const direct = process.platform !== 'win32';
  const out = direct ? fdWriter(1, stdout, () => process.exit(0)) : stdout();
  const err = direct ? fdWriter(2, () => process.stderr, () => undefined) : process.stderr;
  // `statusline` runs several times a second: answered here, with no engine and no zod.
  const statusline = argv[0] === 'statusline' ? parseStatuslineArgs(argv.slice(1)) : undefined;
  const answered =
    statusline !== undefined && typeof statusline !== 'string'
      ? runStatusline({ args: statusline, stdin: readStdin(), env: process.env, nowMs: Date.now(), out, refresh: refreshInProcess(loadFullCli) })
      : storedReportAnswer(argv, process.env, out, err);
  if (answered !== undefined) {
    process.exitCode = answered;
  } else {
    stdout();
    // Not bundled into this file: the full CLI is its own bundle next to it.
    void loadFullCli().main(argv).then((code) => {
      process.exitCode = code;
    });
  }
}
