/**
 * `claude-cost`: the engine's report in a terminal.
 *
 *   claude-cost report [--json] [--config-dir DIR]... [--since YYYY-MM-DD]
 *                      [--until YYYY-MM-DD] [--tz ZONE]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Engine } from '../core/engine';
import { systemTimeZone, assertTimeZone } from '../core/local-day';
import { bundledPriceTable, bundledPriceTableData } from '../core/pricing/price-table';
import { buildReport, type Report } from '../core/report';
import { expandHome, findClaudeRoots, projectsDirOf } from './claude-roots';
import { defaultCacheDir, isInside } from './index-store';
import { engineKey, finishWarmScan, warmScan } from './warm-scan';
import { formatReportTables, formatSessionForecast, formatSessionTurns, safeText, watchLine } from './report-text';
import { pastCompactions, postCompactEstimate } from '../core/forecast';
import { buildSessionDetail, type SessionDetail } from '../core/session-detail';
import { toolNamesIn } from './tool-names';
import { exportCsv } from '../core/export';
import type * as SettingsModule from '../core/settings';
import type * as MeterModule from './meter';
import type { MeterSnapshot } from './meter';

export class UsageError extends Error {}

declare const __VERSION__: string | undefined;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : 'dev';

export interface ReportArgs {
  command: 'report' | 'session' | 'watch';
  json: boolean;
  /** `report --csv`: sessions, days and projects as CSV. */
  csv: boolean;
  /** `session <id>`: a session id or a unique prefix of one. */
  sessionId: string | undefined;
  configDirs: string[];
  since: string | undefined;
  until: string | undefined;
  timeZone: string | undefined;
  /** Force a cold scan that reads and writes no index. */
  noCache: boolean;
  /** Where the index lives (default: the user's cache folder). */
  cacheDir: string | undefined;
}

export type CliArgs = ReportArgs | { command: 'help' } | { command: 'version' };

export const USAGE = `Usage: claude-cost report [options]        totals, days, sessions and models
       claude-cost session <id> [options]  one session, call by call
       claude-cost watch [options]         a live one-line status (Ctrl+C to stop)

Prices every Claude Code API call in your local transcripts at list price.

Options:
  --json               print one JSON object instead of tables
  --csv                (report) sessions, days and projects as CSV
  --config-dir DIR     a Claude config dir or its projects/ folder (repeatable;
                       default: CLAUDE_CONFIG_DIR, else ~/.config/claude and ~/.claude)
  --since YYYY-MM-DD   first local day to include
  --until YYYY-MM-DD   last local day to include
  --tz ZONE            IANA time zone for days (default: this machine's)
  --no-cache           cold scan: read every file, use and write no index
  --cache-dir DIR      where the index lives (default: $XDG_CACHE_HOME or
                       ~/.cache, then claude-code-cost-meter/)
  -h, --help           show this help
  --version            print the version`;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function validDate(flag: string, value: string): string {
  if (!DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new UsageError(`${flag} expects a date as YYYY-MM-DD, got "${value}"`);
  }
  const d = new Date(`${value}T00:00:00Z`);
  if (d.toISOString().slice(0, 10) !== value) {
    throw new UsageError(`${flag} expects a real calendar date, got "${value}"`);
  }
  return value;
}

/** Parses argv (without node and script). Throws UsageError with a one-line message. */
export function parseArgs(argv: readonly string[]): CliArgs {
  if (argv.length === 0 || argv[0] === '-h' || argv[0] === '--help' || argv[0] === 'help') {
    return { command: 'help' };
  }
  if (argv[0] === '--version') {
    return { command: 'version' };
  }
  const [command, ...rest] = argv;
  if (command !== 'report' && command !== 'session' && command !== 'watch') {
    throw new UsageError(`unknown command "${command ?? ''}" (try: claude-cost --help)`);
  }
  const args: ReportArgs = {
    command,
    json: false,
    csv: false,
    sessionId: undefined,
    configDirs: [],
    since: undefined,
    until: undefined,
    timeZone: undefined,
    noCache: false,
    cacheDir: undefined,
  };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] ?? '';
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string => {
      if (inline !== undefined) {
        return inline;
      }
      const v = rest[++i];
      if (v === undefined || (v.startsWith('--') && v.length > 2)) {
        throw new UsageError(`${flag} needs a value`);
      }
      return v;
    };
    switch (flag) {
      case '--json':
        args.json = true;
        break;
      case '--csv':
        args.csv = true;
        break;
      case '--config-dir':
        args.configDirs.push(value());
        break;
      case '--since':
        args.since = validDate(flag, value());
        break;
      case '--until':
        args.until = validDate(flag, value());
        break;
      case '--tz':
      case '--timezone': {
        const tz = value();
        try {
          assertTimeZone(tz);
        } catch {
          throw new UsageError(`unknown time zone "${tz}" (use an IANA name such as Europe/Paris or UTC)`);
        }
        args.timeZone = tz;
        break;
      }
      case '--no-cache':
        args.noCache = true;
        break;
      case '--cache-dir':
        args.cacheDir = expandHome(value());
        break;
      case '-h':
      case '--help':
        return { command: 'help' };
      default:
        if (command === 'session' && args.sessionId === undefined && !arg.startsWith('-')) {
          args.sessionId = arg;
          break;
        }
        throw new UsageError(`unknown option "${arg}" (try: claude-cost --help)`);
    }
  }
  if (command === 'session' && args.sessionId === undefined) {
    throw new UsageError('session needs a session id (or a unique prefix of one)');
  }
  if (args.json && args.csv) {
    throw new UsageError('--json and --csv cannot be combined');
  }
  if (args.csv && command !== 'report') {
    throw new UsageError('--csv is for the report command');
  }
  if (args.since !== undefined && args.until !== undefined && args.since > args.until) {
    throw new UsageError(`--since ${args.since} is after --until ${args.until}`);
  }
  return args;
}

/** Checks explicit config dirs: each must exist and be a readable directory. */
function checkConfigDirs(dirs: readonly string[]): void {
  for (const raw of dirs) {
    const dir = expandHome(raw);
    let st: fs.Stats;
    try {
      st = fs.statSync(dir);
    } catch {
      throw new UsageError(`cannot read config dir "${raw}": no such directory`);
    }
    if (!st.isDirectory()) {
      throw new UsageError(`cannot read config dir "${raw}": not a directory`);
    }
    const projects = projectsDirOf(dir);
    try {
      fs.accessSync(fs.existsSync(projects) ? projects : dir, fs.constants.R_OK | fs.constants.X_OK);
    } catch {
      throw new UsageError(`cannot read config dir "${raw}": permission denied`);
    }
  }
}

export interface RunResult {
  /** The engine, when the report was built now (not reused from the index). */
  engine: Engine | undefined;
  report: Report;
  /** The report as printed by --json (reused as is from the index when nothing changed). */
  json: string;
  warnings: string[];
}

/** Runs a report: finds roots, scans, builds the report. */
export async function runReport(args: ReportArgs, env: NodeJS.ProcessEnv = process.env): Promise<RunResult> {
  checkConfigDirs(args.configDirs);
  const roots = findClaudeRoots({ configDirs: args.configDirs, env });
  const warnings: string[] = [];
  if (roots.explicit && args.configDirs.length === 0 && roots.projectsDirs.length === 0) {
    throw new UsageError(`CLAUDE_CONFIG_DIR has no readable projects/ folder (looked in ${roots.lookedAt.join(', ')})`);
  }
  if (roots.projectsDirs.length === 0) {
    warnings.push(`no Claude Code transcripts found (looked in ${roots.lookedAt.join(', ')})`);
  }
  const cacheDir = args.noCache ? undefined : (args.cacheDir ?? defaultCacheDir(env));
  if (cacheDir !== undefined && isInside(cacheDir, roots.projectsDirs.map((d) => path.dirname(d)))) {
    throw new UsageError(`refusing to keep the index inside a Claude folder (${cacheDir}); choose another --cache-dir`);
  }
  // The zone is named in the key without asking ICU, which a warm start never loads.
  const reportKey = JSON.stringify({ since: args.since, until: args.until, timeZone: args.timeZone ?? systemZoneIdentity() });
  let engine: Engine | undefined;
  const scan = await warmScan(
    () => (engine = new Engine({ prices: bundledPriceTable(), timeZone: args.timeZone ?? systemTimeZone() })),
    roots.projectsDirs,
    {
      cacheDir,
      engineKey: engineKey(bundledPriceTableData(), VERSION),
      reportKey,
      workerPath: path.join(__dirname, 'scan-worker.js'),
      reuseReport: args.command === 'report',
    },
  );
  for (const p of scan.problems) {
    warnings.push(`skipped ${p.path}: ${p.message}`);
  }
  if (scan.cachedReport !== undefined || engine === undefined) {
    const json = scan.cachedReport ?? '{}';
    let parsed: Report | undefined;
    warnings.push(...(scan.cachedWarnings ?? []));
    return {
      engine: undefined,
      // Parsed only when something other than --json needs it.
      get report(): Report {
        return (parsed ??= JSON.parse(json) as Report);
      },
      json,
      warnings,
    };
  }
  const report = buildReport(engine, { since: args.since, until: args.until });
  const json = JSON.stringify(report);
  const reportWarnings: string[] = [];
  if (report.skipped.malformedLines > 0) {
    reportWarnings.push(`${report.skipped.malformedLines} malformed or torn line(s) skipped`);
  }
  if (report.skipped.unpricedModels.length > 0) {
    reportWarnings.push(`unpriced model(s), shown without a cost: ${report.skipped.unpricedModels.join(', ')}`);
  }
  if (cacheDir !== undefined) {
    const problem = finishWarmScan(cacheDir, scan, reportKey, json, reportWarnings);
    if (problem) {
      warnings.push(problem);
    }
  }
  warnings.push(...reportWarnings);
  return { engine, report, json, warnings };
}

/**
 * What sets this machine's time zone, read without ICU: `TZ`, else where
 * /etc/localtime points; else (no such link) the zone ICU resolves.
 */
function systemZoneIdentity(): string {
  if (process.env.TZ !== undefined) {
    return `TZ=${process.env.TZ}`;
  }
  try {
    return `localtime=${fs.readlinkSync('/etc/localtime')}`;
  } catch {
    return systemTimeZone();
  }
}

/** Entry point; resolves to the exit code. */
export async function main(argv: readonly string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    err.write(`claude-cost: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  if (args.command === 'help') {
    out.write(`${USAGE}\n`);
    return 0;
  }
  if (args.command === 'version') {
    out.write(`${VERSION}\n`);
    return 0;
  }
  if (args.command === 'watch') {
    return watch(args, out, err);
  }
  let result: RunResult;
  try {
    result = await runReport(args);
  } catch (e) {
    if (e instanceof UsageError) {
      err.write(`claude-cost: ${e.message}\n`);
      return 2;
    }
    err.write(`claude-cost: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  if (args.command === 'session') {
    const code = await printSession(result, args, out, err);
    if (code !== 0) {
      return code;
    }
  } else if (args.csv) {
    out.write(exportCsv(result.report));
  } else if (args.json) {
    out.write(`${result.json}\n`);
  } else {
    out.write(formatReportTables(result.report));
  }
  for (const w of result.warnings) {
    // Warnings can quote transcript strings (model ids, paths): no terminal escapes.
    err.write(`claude-cost: ${safeText(w)}\n`);
  }
  return 0;
}


if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

/** Looks up the tools run by the call before each spike (one read per file). */
async function fillSpikeTools(detail: SessionDetail | undefined): Promise<void> {
  const byFile = new Map<string, Set<string>>();
  const before = (i: number | undefined) => (i !== undefined ? detail?.turns[i] : undefined);
  for (const spike of detail?.spikes ?? []) {
    const t = before(spike.previousIndex);
    if (t?.messageId !== undefined) {
      byFile.set(t.filePath, (byFile.get(t.filePath) ?? new Set<string>()).add(t.messageId));
    }
  }
  const found = new Map<string, Map<string, string[]>>();
  for (const [file, ids] of byFile) {
    found.set(file, await toolNamesIn(file, ids).catch(() => new Map<string, string[]>()));
  }
  for (const spike of detail?.spikes ?? []) {
    const t = before(spike.previousIndex);
    spike.tools = t?.messageId !== undefined ? (found.get(t.filePath)?.get(t.messageId) ?? []) : [];
  }
}

/** `claude-cost session <id>`: the session's calls, one per line. */
async function printSession(result: RunResult, args: ReportArgs, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const wanted = args.sessionId ?? '';
  const matches = result.report.sessions.filter((s) => s.sessionId === wanted || s.sessionId.startsWith(wanted));
  const exact = matches.find((s) => s.sessionId === wanted);
  const session = exact ?? (matches.length === 1 ? matches[0] : undefined);
  if (!session) {
    err.write(`claude-cost: ${matches.length === 0 ? `no session matches "${wanted}"` : `"${wanted}" matches ${matches.length} sessions; give more of the id`}\n`);
    return 2;
  }
  const engine = result.engine;
  const nowMs = Date.now();
  const detail = engine ? buildSessionDetail(engine, engine.options.prices, session.sessionId, session, nowMs, postCompactEstimate(pastCompactions(engine))) : undefined;
  const turns = detail?.turns ?? [];
  await fillSpikeTools(detail);
  const forecast = detail
    ? { cacheTtlMs: detail.cacheTtlMs, nextTurn: detail.nextTurn, projection: detail.projection, countdown: detail.countdown, whatIf: detail.whatIf, spikes: detail.spikes }
    : null;
  if (args.json) {
    out.write(`${JSON.stringify({ session, turns, forecast, atMs: nowMs })}\n`);
    return 0;
  }
  out.write(formatSessionTurns(session, turns));
  if (detail) {
    out.write(formatSessionForecast(detail, nowMs));
  }
  return 0;
}

/** `claude-cost watch`: a live one-line status of the current session and today. */
async function watch(args: ReportArgs, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  // Loaded here, not at startup: `report` never needs the live machinery (or zod, which settings use).
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { defaultSettings } = require('../core/settings') as typeof SettingsModule;
  const { Meter } = require('./meter') as typeof MeterModule;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const settings = { ...defaultSettings(), configDirs: args.configDirs, timeZone: args.timeZone ?? '' };
  const meter = new Meter({ prices: bundledPriceTable(), settings, workspaceFolders: [process.cwd()], workerPath: path.join(__dirname, 'scan-worker.js') });
  const tty = (out as NodeJS.WriteStream).isTTY === true;
  let last = '';
  meter.on('update', (snap: MeterSnapshot) => {
    const line = watchLine(snap);
    if (line !== last) {
      last = line;
      out.write(tty ? `\r\u001b[2K${line}` : `${line}\n`);
    }
  });
  try {
    await meter.start();
  } catch (e) {
    err.write(`claude-cost: ${e instanceof Error ? e.message : String(e)}\n`);
    await meter.dispose();
    return 1;
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await meter.dispose();
  if (tty) {
    out.write('\n');
  }
  return 0;
}
