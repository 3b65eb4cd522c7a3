/**
 * Activation to final figures in the real workbench: code-server (VS Code
 * 1.100.3, its real Node extension host) driven in Chromium, the extension
 * installed from dist/claude-code-cost-meter.vsix (`npm run package`), the
 * transcripts a generated tree given as CLAUDE_CONFIG_DIR.
 *
 *   npm run bench:workbench -- --sizes 256MB,1GB,4GB --runs 3 [--windows 1,2,3] [--window-size 1GB] [--idle-s 30] [--seed 1] [--out FILE] [--delete-trees]
 *
 * Per size and run: a first start (fresh user data) and a restart (the
 * window closed, the server stopped, then both started again on the same
 * user data). The start is VS Code's own log line that activates the
 * extension (`ExtensionService#_doActivateExtension cost-meter.…` in the
 * extension host's log, wall clock); the end is the first time a recorder in
 * the page (every 20 ms, `Date.now()`, the same clock) sees the status bar
 * item show the final figures: the text the status bar model gives for the
 * CLI's report of the same tree (`report --json --no-cache`; its totals are
 * checked against the tree's ground truth), with no "scanning".
 *
 * Windows: 1, 2, 3 pages on different folders of one fresh server; once
 * every page shows the final figures, the CPU time (/proc/<pid>/stat utime +
 * stime) and RSS of every extension host (processes of the server's group
 * started with `--type=extensionHost`), then the CPU they use over
 * `--idle-s` seconds of idling.
 *
 * Results: a table, and bench/.work/results-workbench.json (or --out).
 * Trees are generated in bench/.work/ (or reused) and kept unless --delete-trees.
 */
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { startCodeServer, type CodeServer } from '../test/e2e/support/code-server';
import { openAnotherWindow, openWorkbench, type Workbench } from '../test/e2e/support/browser';
import { CLI_PATH, REPO_ROOT, WORK_DIR, ensureTree, machine, mb, median, secs, table } from './common';
import { parseSize, sizeLabel, type GroundTruth } from './generate';
import { pickCurrentSession } from '../src/core/current-session';
import { formatUsd } from '../src/core/format';

const VSIX = path.join(REPO_ROOT, 'dist', 'claude-code-cost-meter.vsix');
const EXTENSION_ID = 'cost-meter.claude-code-cost-meter';
const FINAL_TIMEOUT_MS = 600_000;

// ---------------------------------------------------------------- the final figures

interface Expected {
  /** What the status bar item's text must contain once final (codicons are not text in the DOM). */
  figures: string;
  sessionId: string | undefined;
  totalUSD: number;
  files: number;
  bytes: number;
  truthExact: boolean;
}

interface ReportJson {
  totals: { costUSD: number; inputTokens: number; outputTokens: number; cacheWrite5mTokens: number; cacheWrite1hTokens: number; cacheReadTokens: number; messages: number };
  sessions: Array<{ sessionId: string; project: string | null; lastTimestamp: string | null; contextState: 'known' | 'compacted' | 'none'; costUSD: number }>;
  days: Array<{ date: string; costUSD: number }>;
}

function localToday(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/**
 * The default status bar text (`{session} · today {today}`) for the CLI's
 * report of `tree`, as the extension computes it with no workspace session
 * (scope `any`: the latest session anywhere).
 */
function expectedFigures(treeDir: string, truth: GroundTruth): Expected {
  const out = cp.execFileSync(process.execPath, [CLI_PATH, 'report', '--json', '--no-cache', '--config-dir', treeDir], {
    env: { ...process.env, NODE_EXTRA_CA_CERTS: '' },
    maxBuffer: 512 * 1024 * 1024,
  });
  const r = JSON.parse(out.toString('utf8')) as ReportJson;
  const t = r.totals;
  const g = truth.totals;
  const truthExact =
    t.inputTokens === g.input && t.outputTokens === g.output && t.cacheWrite5mTokens === g.cacheWrite5m && t.cacheWrite1hTokens === g.cacheWrite1h && t.cacheReadTokens === g.cacheRead && t.messages === g.messages && Math.abs(t.costUSD - g.costUSD) <= 1e-6 * Math.max(1, g.messages);
  const current = pickCurrentSession(r.sessions, [], 'any');
  const session = r.sessions.find((s) => s.sessionId === current.sessionId);
  const today = r.days.find((d) => d.date === localToday())?.costUSD ?? 0;
  const figures = session ? `${formatUsd(session.costUSD)} · today ${formatUsd(today)}` : `today ${formatUsd(today)}`;
  return { figures, sessionId: current.sessionId, totalUSD: t.costUSD, files: truth.stats.files, bytes: truth.stats.bytes, truthExact };
}

// ---------------------------------------------------------------- the page's recorder

/** Runs in every page: records each change of our status bar item's text with Date.now(). */
const RECORDER = `(() => {
  const seen = [];
  window.__ccmStatus = seen;
  let last;
  setInterval(() => {
    let text;
    for (const el of document.querySelectorAll('.statusbar-item')) {
      const t = (el.textContent || '').replace(/\\s+/g, ' ').trim();
      if (/Claude cost|today \\$/.test(t)) { text = t; break; }
    }
    if (text !== undefined && text !== last) { last = text; seen.push({ t: Date.now(), text }); }
  }, 20);
})();`;

interface Seen {
  t: number;
  text: string;
}

function isFinal(text: string, exp: Expected): boolean {
  return text.includes(exp.figures) && !/scanning/i.test(text);
}

/** Waits until the page's recorder has seen the final figures; returns every text it saw. */
async function waitFinal(page: Page, exp: Expected, timeoutMs = FINAL_TIMEOUT_MS): Promise<{ finalAt: number; seen: Seen[] }> {
  const deadline = Date.now() + timeoutMs;
  let seen: Seen[] = [];
  while (Date.now() < deadline) {
    seen = (await page.evaluate<Seen[] | undefined>('window.__ccmStatus')) ?? [];
    const hit = seen.find((s) => isFinal(s.text, exp));
    if (hit) {
      return { finalAt: hit.t, seen };
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the status bar never showed "${exp.figures}" within ${timeoutMs} ms; saw ${JSON.stringify(seen.slice(-5))}`);
}

// ---------------------------------------------------------------- logs and processes

const ACTIVATE_LINE = new RegExp(`^(\\d{4})-(\\d\\d)-(\\d\\d) (\\d\\d):(\\d\\d):(\\d\\d)\\.(\\d{3}) \\[\\w+\\] ExtensionService#_doActivateExtension ${EXTENSION_ID.replace(/\./g, '\\.')}\\b`);

function logFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) {
    return [];
  }
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.log')).map((e) => path.join(e.parentPath, e.name));
}

/** Wall-clock times (epoch ms) of every activation of the extension logged at or after `sinceMs`. */
function activationTimes(userDataDir: string, sinceMs: number): number[] {
  const times: number[] = [];
  for (const file of logFiles(path.join(userDataDir, 'logs'))) {
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      const m = ACTIVATE_LINE.exec(line);
      if (m) {
        const [y, mo, d, h, mi, s, ms] = m.slice(1).map(Number) as [number, number, number, number, number, number, number];
        const t = new Date(y, mo - 1, d, h, mi, s, ms).getTime(); // the log's times are local
        if (t >= sinceMs) {
          times.push(t);
        }
      }
    }
  }
  return times.sort((a, b) => a - b);
}

/** The extension's own log lines of this start (its output channel's file), for the scan's own timing. */
function extensionLogLines(userDataDir: string, sinceMs: number): string[] {
  const lines: string[] = [];
  for (const file of logFiles(path.join(userDataDir, 'logs')).filter((f) => /Claude Code Cost Meter/i.test(path.basename(f)))) {
    if (fs.statSync(file).mtimeMs >= sinceMs) {
      lines.push(...fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== ''));
    }
  }
  return lines;
}

const CLK_TCK = Number(cp.execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

interface ProcSample {
  pid: number;
  cpuMs: number;
  rssMB: number;
  hwmMB: number;
}

/** Every extension host of the server: processes of its process group started with `--type=extensionHost`. */
function extensionHosts(serverPid: number): number[] {
  const pids: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) {
      continue;
    }
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== serverPid) {
        continue; // field 5, pgrp
      }
      if (fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('--type=extensionHost')) {
        pids.push(Number(name));
      }
    } catch {
      // gone while looking
    }
  }
  return pids.sort((a, b) => a - b);
}

function sample(pid: number): ProcSample | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
    return { pid, cpuMs: (ticks * 1000) / CLK_TCK, rssMB: kb('VmRSS') / 1024, hwmMB: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

function loadAvg(): number[] {
  return os.loadavg().map((x) => Math.round(x * 100) / 100);
}

function commit(): string {
  try {
    const hash = cp.execFileSync('git', ['-C', REPO_ROOT, 'rev-parse', '--short', 'HEAD']).toString().trim();
    const dirty = cp.execFileSync('git', ['-C', REPO_ROOT, 'status', '--porcelain', '--', 'src', 'webview', 'package.json', 'esbuild.mjs']).toString().trim() !== '';
    return dirty ? `${hash}+changes` : hash;
  } catch {
    return 'unknown';
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- one start

interface StartResult {
  kind: 'first' | 'restart';
  /** Server spawned -> answering HTTP. */
  serverMs: number;
  /** Page opened -> activation logged. */
  pageToActivationMs: number;
  /** Activation logged -> status bar showing the final figures. */
  activationToFinalMs: number;
  /** Activation -> the first text of our item (the "scanning" placeholder or figures). */
  activationToFirstTextMs: number;
  texts: string[];
  exthosts: ProcSample[];
  /** Whether every extension host had exited within 10 s of the window closing (before the server was stopped). */
  exthostExitedOnClose: boolean;
  extensionLog: string[];
  load: number[];
}

interface StartContext {
  stateDir: string;
  treeDir: string;
  folder: string;
  expected: Expected;
}

async function oneStart(kind: StartResult['kind'], ctx: StartContext, log: (m: string) => void): Promise<StartResult> {
  const load = loadAvg();
  let server: CodeServer | undefined;
  let wb: Workbench | undefined;
  try {
    const spawnAt = Date.now();
    server = await startCodeServer({
      workspaceDir: ctx.folder,
      env: { CLAUDE_CONFIG_DIR: ctx.treeDir },
      stateDir: ctx.stateDir,
      ...(kind === 'first' ? { vsixPath: VSIX } : {}),
      startTimeoutMs: 60_000,
    });
    const upAt = Date.now();
    const sinceMs = upAt - 1000;
    wb = await openWorkbench(server.url, ctx.folder, { initScript: RECORDER, timeoutMs: 120_000 });
    const { finalAt, seen } = await waitFinal(wb.page, ctx.expected);
    const activations = activationTimes(server.userDataDir, sinceMs);
    const activatedAt = activations[0];
    if (activatedAt === undefined) {
      throw new Error(`no "_doActivateExtension ${EXTENSION_ID}" line in ${server.userDataDir}/logs`);
    }
    const exthosts = extensionHosts(server.pid).map(sample).filter((s): s is ProcSample => s !== undefined);
    // Let whatever the extension keeps for the next start be written, as a user's window would stay open.
    await sleep(3000);
    const extensionLog = extensionLogLines(server.userDataDir, sinceMs);
    const pids = extensionHosts(server.pid);
    await wb.page.close({ runBeforeUnload: true });
    const closedAt = Date.now();
    while (Date.now() - closedAt < 10_000 && pids.some((p) => fs.existsSync(`/proc/${p}`))) {
      await sleep(100);
    }
    const exthostExitedOnClose = !pids.some((p) => fs.existsSync(`/proc/${p}`));
    const result: StartResult = {
      kind,
      serverMs: upAt - spawnAt,
      pageToActivationMs: activatedAt - upAt,
      activationToFinalMs: finalAt - activatedAt,
      activationToFirstTextMs: (seen[0]?.t ?? NaN) - activatedAt,
      texts: seen.map((s) => `+${s.t - activatedAt} ms ${s.text}`),
      exthosts,
      exthostExitedOnClose,
      extensionLog,
      load,
    };
    log(`  ${kind.padEnd(7)} activation -> final ${secs(result.activationToFinalMs)} (server up ${secs(result.serverMs)}, page -> activation ${secs(result.pageToActivationMs)}; load ${load.join(' ')}; exthost ${exthosts.map((e) => `${Math.round(e.rssMB)} MB, ${(e.cpuMs / 1000).toFixed(1)} s CPU`).join('; ')})`);
    return result;
  } finally {
    await wb?.close();
    await server?.stop();
  }
}

// ---------------------------------------------------------------- windows

interface WindowsResult {
  windows: number;
  /** Page opened -> every window showing the final figures. */
  allFinalMs: number;
  /** Per extension host, once every window shows the final figures. */
  settled: ProcSample[];
  idleSeconds: number;
  /** Per extension host, CPU over the idle period, % of one core. */
  idleCpuPercent: number[];
  /** Per extension host, after the idle period. */
  afterIdle: ProcSample[];
  sumRssMB: number;
  sumStartCpuS: number;
  sumIdleCpuPercent: number;
  load: number[];
}

async function measureWindows(n: number, treeDir: string, expected: Expected, idleS: number, log: (m: string) => void): Promise<WindowsResult> {
  const stateDir = fs.mkdtempSync(path.join(WORK_DIR, 'wb-state-'));
  const folders = Array.from({ length: n }, (_, i) => fs.mkdtempSync(path.join(WORK_DIR, `wb-folder${i + 1}-`)));
  const load = loadAvg();
  let server: CodeServer | undefined;
  let wb: Workbench | undefined;
  try {
    server = await startCodeServer({ workspaceDir: folders[0]!, env: { CLAUDE_CONFIG_DIR: treeDir }, stateDir, vsixPath: VSIX, startTimeoutMs: 60_000 });
    const openedAt = Date.now();
    wb = await openWorkbench(server.url, folders[0]!, { initScript: RECORDER, timeoutMs: 120_000 });
    const pages = [wb.page];
    for (const folder of folders.slice(1)) {
      pages.push(await openAnotherWindow(wb, server.url, folder, 120_000));
    }
    const finals = await Promise.all(pages.map((p) => waitFinal(p, expected)));
    const allFinalMs = Math.max(...finals.map((f) => f.finalAt)) - openedAt;
    await sleep(2000);
    const pids = extensionHosts(server.pid);
    if (pids.length !== n) {
      log(`  note: ${pids.length} extension hosts for ${n} windows`);
    }
    const settled = pids.map(sample).filter((s): s is ProcSample => s !== undefined);
    const t0 = Date.now();
    await sleep(idleS * 1000);
    const elapsed = Date.now() - t0;
    const afterIdle = pids.map(sample).filter((s): s is ProcSample => s !== undefined);
    const idleCpuPercent = afterIdle.map((a) => {
      const b = settled.find((s) => s.pid === a.pid);
      return b ? Math.round(((a.cpuMs - b.cpuMs) / elapsed) * 1000) / 10 : NaN;
    });
    const result: WindowsResult = {
      windows: n,
      allFinalMs,
      settled,
      idleSeconds: Math.round(elapsed / 100) / 10,
      idleCpuPercent,
      afterIdle,
      sumRssMB: Math.round(afterIdle.reduce((s, a) => s + a.rssMB, 0)),
      sumStartCpuS: Math.round(settled.reduce((s, a) => s + a.cpuMs, 0) / 100) / 10,
      sumIdleCpuPercent: Math.round(idleCpuPercent.reduce((s, x) => s + x, 0) * 10) / 10,
      load,
    };
    log(`  ${n} window(s): ${pids.length} extension hosts, all final ${secs(allFinalMs)} after the first page opened; CPU until then ${result.sumStartCpuS} s; RSS ${result.sumRssMB} MB; idle CPU ${idleCpuPercent.join(' + ')} % over ${result.idleSeconds} s; load ${load.join(' ')}`);
    return result;
  } finally {
    await wb?.close();
    await server?.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
    for (const f of folders) {
      fs.rmSync(f, { recursive: true, force: true });
    }
  }
}

// ---------------------------------------------------------------- main

interface Args {
  sizes: number[];
  runs: number;
  seed: number;
  windows: number[];
  windowSize: number;
  idleS: number;
  keepTrees: boolean;
  out: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { sizes: [parseSize('256MB'), parseSize('1GB')], runs: 3, seed: 1, windows: [1, 2, 3], windowSize: parseSize('1GB'), idleS: 30, keepTrees: true, out: path.join(WORK_DIR, 'results-workbench.json') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      const x = argv[++i];
      if (x === undefined) {
        throw new Error(`${a} needs a value`);
      }
      return x;
    };
    if (a === '--sizes') {
      args.sizes = v().split(',').filter(Boolean).map(parseSize);
    } else if (a === '--runs') {
      args.runs = Number(v());
    } else if (a === '--seed') {
      args.seed = Number(v());
    } else if (a === '--windows') {
      const w = v();
      args.windows = w === '0' || w === 'none' ? [] : w.split(',').map(Number);
    } else if (a === '--window-size') {
      args.windowSize = parseSize(v());
    } else if (a === '--idle-s') {
      args.idleS = Number(v());
    } else if (a === '--out') {
      args.out = path.resolve(v());
    } else if (a === '--delete-trees') {
      args.keepTrees = false;
    } else {
      throw new Error(`unknown option ${a}; usage: node out/bench/workbench.js [--sizes 256MB,1GB,4GB] [--runs 3] [--windows 1,2,3] [--window-size 1GB] [--idle-s 30] [--seed 1] [--out FILE] [--delete-trees]`);
    }
  }
  return args;
}

interface SizeResult {
  size: string;
  tree: { files: number; bytes: number; totalUSD: number; totalsExactVsGroundTruth: boolean; figures: string };
  runs: StartResult[];
  medians: { first: number; restart: number };
}

async function measureSize(sizeBytes: number, args: Args, log: (m: string) => void, trees: Map<number, { dir: string; expected: Expected }>): Promise<SizeResult> {
  const { dir, expected } = treeFor(sizeBytes, args.seed, log, trees);
  const folder = fs.mkdtempSync(path.join(WORK_DIR, 'wb-folder-'));
  const runs: StartResult[] = [];
  try {
    for (let run = 1; run <= args.runs; run++) {
      log(`${sizeLabel(sizeBytes)}, run ${run}/${args.runs}`);
      const stateDir = fs.mkdtempSync(path.join(WORK_DIR, 'wb-state-'));
      try {
        const ctx = { stateDir, treeDir: dir, folder, expected };
        runs.push(await oneStart('first', ctx, log));
        runs.push(await oneStart('restart', ctx, log));
      } finally {
        fs.rmSync(stateDir, { recursive: true, force: true });
      }
    }
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
  const of = (k: StartResult['kind']) => median(runs.filter((r) => r.kind === k).map((r) => r.activationToFinalMs));
  return {
    size: sizeLabel(sizeBytes),
    tree: { files: expected.files, bytes: expected.bytes, totalUSD: expected.totalUSD, totalsExactVsGroundTruth: expected.truthExact, figures: expected.figures },
    runs,
    medians: { first: of('first'), restart: of('restart') },
  };
}

function treeFor(sizeBytes: number, seed: number, log: (m: string) => void, trees: Map<number, { dir: string; expected: Expected }>): { dir: string; expected: Expected } {
  const known = trees.get(sizeBytes);
  if (known) {
    return known;
  }
  const { dir, truth } = ensureTree(sizeBytes, seed, log);
  const expected = expectedFigures(dir, truth);
  log(`  final figures: "${expected.figures}" (CLI totals ${expected.truthExact ? 'exact against' : 'DIFFER from'} the ground truth; all-time ${formatUsd(expected.totalUSD)})`);
  const entry = { dir, expected };
  trees.set(sizeBytes, entry);
  return entry;
}

function printTables(sizes: SizeResult[], windows: WindowsResult[]): void {
  const rows: string[][] = [['size', 'files', 'first start (median)', 'restart (median)', 'first, each run', 'restart, each run']];
  for (const s of sizes) {
    const each = (k: StartResult['kind']) => s.runs.filter((r) => r.kind === k).map((r) => secs(r.activationToFinalMs)).join(', ');
    rows.push([s.size, String(s.tree.files), secs(s.medians.first), secs(s.medians.restart), each('first'), each('restart')]);
  }
  process.stdout.write(`\nactivation -> final figures in the status bar\n${table(rows)}\n`);
  if (windows.length > 0) {
    const w: string[][] = [['windows', 'ext. hosts', 'all final after', 'CPU to settle', 'RSS (sum)', 'idle CPU (sum)', 'idle CPU per host']];
    for (const r of windows) {
      w.push([String(r.windows), String(r.afterIdle.length), secs(r.allFinalMs), `${r.sumStartCpuS} s`, `${r.sumRssMB} MB`, `${r.sumIdleCpuPercent} %`, r.idleCpuPercent.map((x) => `${x} %`).join(', ')]);
    }
    process.stdout.write(`\nwindows (fresh user data, ${windows[0]?.idleSeconds ?? 0} s idle)\n${table(w)}\n`);
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(VSIX)) {
    throw new Error(`${VSIX} not found: run npm run package`);
  }
  fs.mkdirSync(WORK_DIR, { recursive: true });
  const log = (m: string) => process.stderr.write(`${m}\n`);
  const startedAt = new Date().toISOString();
  const loadBefore = loadAvg();
  const trees = new Map<number, { dir: string; expected: Expected }>();
  const sizes: SizeResult[] = [];
  for (const size of args.sizes) {
    sizes.push(await measureSize(size, args, log, trees));
  }
  const windows: WindowsResult[] = [];
  if (args.windows.length > 0) {
    const { dir, expected } = treeFor(args.windowSize, args.seed, log, trees);
    log(`windows, ${sizeLabel(args.windowSize)} tree`);
    for (const n of args.windows) {
      windows.push(await measureWindows(n, dir, expected, args.idleS, log));
    }
  }
  printTables(sizes, windows);
  const results = {
    startedAt,
    finishedAt: new Date().toISOString(),
    commit: commit(),
    machine: machine(),
    loadBefore,
    loadAfter: loadAvg(),
    args: { ...args, sizes: args.sizes.map(sizeLabel), windowSize: sizeLabel(args.windowSize) },
    sizes,
    windows,
  };
  const file = args.out;
  fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\ncommit ${results.commit}; load average ${loadBefore.join(' ')} before, ${results.loadAfter.join(' ')} after; trees: ${[...trees.values()].map((t) => `${mb(t.expected.bytes)}`).join(', ')}\nresults: ${path.relative(REPO_ROOT, file)}\n`);
  if (!args.keepTrees) {
    for (const t of trees.values()) {
      fs.rmSync(t.dir, { recursive: true, force: true });
    }
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
