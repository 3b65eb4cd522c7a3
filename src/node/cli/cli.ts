/**
 * `claude-cost`: the engine's report in a terminal.
 *
 *   claude-cost report [--json] [--config-dir DIR]... [--since YYYY-MM-DD]
 *                      [--until YYYY-MM-DD] [--tz ZONE] [--history-dir DIR | --no-history]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Engine } from '../../core/engine';
import { bundledPriceTable, bundledPriceTableData } from '../../core/pricing/price-table';
import { buildReport, type Report } from '../../core/report';
import { findClaudeRoots } from '../claude-roots';
import { defaultCacheDir, indexExists, isInside } from '../scan/index-store';
import { SCAN_WORKER_PATH, startScanWorker } from '../scan/cold-scan';
import { liveHistoryRows, mergeHistory, withKeptHistory, type HistoryRow } from '../../core/history';
import { historyDirOf, historyStamp } from '../live/history-file';
import { loadHistory, saveMergedHistory } from '../live/history-store';
import { machineZoneName } from '../machine-zone';
import { engineKey, finishWarmScan, warmScan } from '../scan/warm-scan';
import { formatCauses, formatPeriodCauses, formatReportTables, formatSessionForecast, formatSessionTurns, safeText, watchLine } from './report-text';
import { pastCompactions, postCompactEstimate } from '../../core/forecast';
import { buildSessionDetail, type SessionDetail } from '../../core/session-detail';
import { toolNamesIn } from '../live/tool-names';
import { readPeriodCauses, readSessionCauses } from '../live/session-causes';
import { CauseStore } from '../live/cause-store';
import type { CauseRow } from '../../core/causes';
import { lastMissCauseOf } from '../../core/cause-sums';
import { exportCsv } from '../../core/export';
import type * as SettingsModule from '../../core/settings';
import type * as MeterModule from '../live/meter';
import type * as CliPushModule from './cli-push';
import type * as LimitsSourceModule from '../limits-source';
import type { MeterSnapshot } from '../live/meter-view';
import { runPlanCommand } from './cli-plan';
import { checkConfigDirs, endQuietlyWhenReaderLeaves, parseArgs, systemZoneIdentity, USAGE, UsageError, VERSION, type CliArgs, type ReportArgs } from './cli-args';

export { parseArgs, UsageError, USAGE, type CliArgs, type ReportArgs } from './cli-args';

export interface RunResult {
  /** The engine, when the report was built now (not reused from the index). */
  engine: Engine | undefined;
  report: Report;
  /** The report as printed by --json (reused as is from the index when nothing changed). */
  json: string;
  warnings: string[];
  /** The history rows counted in besides the engine's (sessions or files whose transcripts are gone); empty with no history or a reused report. */
  keptRows?: HistoryRow[];
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
  const historyDir = historyDirOf(args, () => defaultCacheDir(env));
  if (historyDir !== undefined && isInside(historyDir, roots.projectsDirs.map((d) => path.dirname(d)))) {
    throw new UsageError(`refusing to keep the history inside a Claude folder (${historyDir}); choose another --history-dir`);
  }
  // The zone is named in the key without asking ICU, which a warm start never loads; the history file's stamp too (another process may have saved it).
  const keyOf = () => JSON.stringify({ since: args.since, until: args.until, timeZone: args.timeZone ?? systemZoneIdentity(), history: historyStamp(historyDir) });
  const reportKey = keyOf();
  let engine: Engine | undefined;
  const workerPath = SCAN_WORKER_PATH;
  // With no index, everything will be read: the worker loads while this thread lists the files.
  const started = roots.projectsDirs.length > 0 && (cacheDir === undefined || !indexExists(cacheDir)) && fs.existsSync(workerPath) ? startScanWorker(workerPath) : undefined;
  let scan: Awaited<ReturnType<typeof warmScan>>;
  try {
    scan = await warmScan(
      // The machine's zone (ICU: tens of ms) is looked up at the first day asked for, once the workers have their files.
      () => (engine = new Engine({ prices: bundledPriceTable(), timeZone: args.timeZone, machineZone: args.timeZone === undefined ? machineZoneName() : undefined })),
      roots.projectsDirs,
      {
        cacheDir,
        engineKey: engineKey(bundledPriceTableData(), VERSION),
        reportKey,
        workerPath,
        reuseReport: args.command === 'report',
        started,
      },
    );
  } finally {
    // Its one owner: stopped here whether the scan used it, did not need it, or threw.
    await started?.worker.terminate();
  }
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
  const built = buildReport(engine, { since: args.since, until: args.until });
  const kept = historyDir !== undefined ? keptHistory(engine, built, historyDir, warnings) : [];
  const report = historyDir !== undefined ? withKeptHistory(built, kept, args.since, args.until) : built;
  // With a cache, every command computes them: the report it stores is what a later `report --json` prints as is.
  const wantCauses = args.causes || cacheDir !== undefined;
  const json = wantCauses ? await withPeriodCauses(engine, report, args, cacheDir, warnings) : JSON.stringify(report);
  const reportWarnings: string[] = [];
  if (report.skipped.malformedLines > 0) {
    reportWarnings.push(`${report.skipped.malformedLines} malformed or torn line(s) skipped`);
  }
  if (report.skipped.unpricedModels.length > 0) {
    reportWarnings.push(`unpriced model(s), shown without a cost: ${report.skipped.unpricedModels.join(', ')}`);
  }
  if (cacheDir !== undefined) {
    // Stored under the history's stamp after this run's save, which the next run will see.
    const problem = finishWarmScan(cacheDir, scan, historyDir !== undefined ? keyOf() : reportKey, json, reportWarnings);
    if (problem) {
      warnings.push(problem);
    }
  }
  warnings.push(...reportWarnings);
  return { engine, report, json, warnings, keptRows: kept };
}

/** The report's causes over the period (`report --causes`). */
export interface PeriodCausesFields {
  causes?: CauseRow[];
  cacheMissCostUSD?: number;
  cacheMissCount?: number;
}

/**
 * The report's JSON with the causes of the period: main-chain files are
 * summarised through the cause cache beside the index (unchanged files are
 * not read again), so they come by default with a cache folder.
 */
async function withPeriodCauses(engine: Engine, report: Report & PeriodCausesFields, args: ReportArgs, cacheDir: string | undefined, warnings: string[]): Promise<string> {
  const store = CauseStore.load(cacheDir, engineKey(bundledPriceTableData(), VERSION));
  const period = await readPeriodCauses(engine, report.sessions.map((s) => s.sessionId), { since: args.since, until: args.until }, (p) => store.summaryOf(p));
  if (period.problems.length > 0) {
    warnings.push(`causes: ${period.problems.length} file(s) could not be read`);
  }
  const mainFiles = [...engine.sessionFiles().values()].flatMap((fs) => fs.filter((f) => !f.role.subagent).map((f) => f.path));
  const problem = store.save(mainFiles);
  if (problem !== undefined) {
    warnings.push(problem);
  }
  report.causes = period.causes;
  report.cacheMissCostUSD = period.cacheMissCostUSD;
  report.cacheMissCount = period.cacheMisses;
  return JSON.stringify(report);
}

/**
 * The rows kept in our history for what the transcripts no longer hold: the
 * history is read, merged with this run's live rows and saved under its lock
 * (the same code as the extension's meter); the report then counts them in.
 */
function keptHistory(engine: Engine, report: Report, dir: string, warnings: string[]): HistoryRow[] {
  const projects = new Map(report.sessions.map((s) => [s.sessionId, s.project]));
  const files = engine.sessionFiles();
  // A session outside --since/--until is not in the report: its project from its files.
  const projectOf = (id: string): string | null => projects.get(id) ?? files.get(id)?.find((f) => !f.role.subagent && f.cwd !== undefined)?.cwd ?? files.get(id)?.find((f) => f.cwd !== undefined)?.cwd ?? null;
  const live = liveHistoryRows(engine, projectOf);
  const loaded = loadHistory(dir);
  if (loaded.problem !== undefined) {
    warnings.push(loaded.problem);
  }
  let stored = loaded.rows;
  try {
    const outcome = saveMergedHistory(dir, loaded.rows, live);
    stored = outcome.rows;
    if (outcome.setAside !== undefined) {
      warnings.push(`the history file could not be used as it stood (${outcome.setAsideReason ?? 'damaged'}); its bytes were kept in ${outcome.setAside} and every readable row was kept`);
    }
  } catch (err) {
    warnings.push(err instanceof Error ? err.message : String(err));
  }
  return mergeHistory(stored, live).keptRows;
}

/** Entry point; resolves to the exit code. */
export async function main(argv: readonly string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  if (argv[0] === 'limits' || argv[0] === 'statusline') {
    return runPlanCommand(argv, out, err);
  }
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
  if (args.command === 'push') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { push } = require('./cli-push') as typeof CliPushModule;
    return push(args, out, err);
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
    const r: Report & PeriodCausesFields = result.report;
    if (r.causes !== undefined) {
      out.write(formatPeriodCauses(r.causes, r.cacheMissCostUSD ?? 0, r.cacheMissCount ?? 0));
    }
  }
  for (const w of result.warnings) {
    // Warnings can quote transcript strings (model ids, paths): no terminal escapes.
    err.write(`claude-cost: ${safeText(w)}\n`);
  }
  return 0;
}


if (require.main === module) {
  endQuietlyWhenReaderLeaves(process.stdout);
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

/** Claude Code's cause of the session's latest cache miss, from the status-line snapshot in the cache folder, when it is of this session. */
function lastMissCauseFor(sessionId: string, args: ReportArgs): string | undefined {
  // Loaded here: the snapshot's schema needs zod, which `report` never loads.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { readStatuslineSnapshot } = require('../limits-source') as typeof LimitsSourceModule;
  const snap = readStatuslineSnapshot(args.cacheDir ?? defaultCacheDir(process.env));
  return snap?.sessionId === sessionId ? lastMissCauseOf(snap.promptCache) : undefined;
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
  // Causes need the session's lines (the scan keeps none): its files are read now.
  const causes = engine ? await readSessionCauses(engine, session.sessionId, { lastMissCause: lastMissCauseFor(session.sessionId, args) }) : undefined;
  for (const p of causes?.problems ?? []) {
    err.write(`claude-cost: causes: could not read ${safeText(p)}\n`);
  }
  if (args.json) {
    const extra = causes ? { causes: causes.causes, cacheMisses: causes.cacheMisses, cacheMissCostUSD: causes.cacheMissCostUSD } : { causes: [], cacheMisses: [], cacheMissCostUSD: 0 };
    out.write(`${JSON.stringify({ session, turns, forecast, ...extra, atMs: nowMs })}\n`);
    return 0;
  }
  out.write(formatSessionTurns(session, turns));
  if (detail) {
    out.write(formatSessionForecast(detail, nowMs));
  }
  if (causes) {
    out.write(formatCauses(causes.causes, causes.cacheMisses, causes.cacheMissCostUSD));
  }
  return 0;
}

/** `claude-cost watch`: a live one-line status of the current session and today. */
async function watch(args: ReportArgs, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  // Loaded here, not at startup: `report` never needs the live machinery (or zod, which settings use).
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { defaultSettings } = require('../../core/settings') as typeof SettingsModule;
  const { Meter } = require('../live/meter') as typeof MeterModule;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const settings = { ...defaultSettings(), configDirs: args.configDirs, timeZone: args.timeZone ?? '' };
  const meter = new Meter({ prices: bundledPriceTable(), settings, workspaceFolders: [process.cwd()], workerPath: SCAN_WORKER_PATH, storageDir: historyDirOf(args, () => defaultCacheDir()) });
  const tty = (out as NodeJS.WriteStream).isTTY === true;
  // Listen for Ctrl+C / SIGTERM before anything is printed, so a stop during the first scan is clean too.
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
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
  await stopped;
  await meter.dispose();
  if (tty) {
    out.write('\n');
  }
  return 0;
}
