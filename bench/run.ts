/**
 * The performance benchmark: our CLI (cold and warm) against ccusage, side by
 * side on the same generated tree, checked against the tree's ground truth.
 *
 *   node out/bench/run.js [--size 1GB] [--runs 5] [--seed 1] [--shapes bench,heldout | --shape NAME] [--session-kb 400] [--tree DIR] [--keep-extra-ca-certs]
 *   node out/bench/run.js --scaling [--runs 3] [--keep-trees] [--shapes ...] [--keep-extra-ca-certs]
 *
 * (a) cold:    node dist/cli.js report --json --no-cache --config-dir TREE
 * (b) warm:    node dist/cli.js report --json --cache-dir TMP --config-dir TREE
 *              (run once untimed to fill the index, then timed)
 * (c) ccusage: ccusage daily --json --offline   with CLAUDE_CONFIG_DIR=TREE
 *
 * Both tree shapes are measured by default (`bench`, the tree the scanner
 * was tuned on, and `heldout`, see generate.ts); `--shape` picks one.
 *
 * Every tool runs in this process's environment with NODE_EXTRA_CA_CERTS
 * cleared: when set, Node parses that certificate store at every start (a
 * Rust binary never does), a quirk of the build machine, not of users'.
 * `--keep-extra-ca-certs` keeps it; its start-up cost is measured and printed.
 *
 * Each is run once untimed (page cache, index), then N timed runs in
 * alternating order. Wall time is the median; peak RSS comes from
 * `/usr/bin/time -v` when present, else from polling /proc/<pid>/status
 * (VmHWM) of the process tree. Results go to bench/.work/results-<size>.json.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseShape, parseSize, readGroundTruth, sizeLabel, TREE_SHAPES, type GroundTruth, type TreeShape } from './generate';
import type { TokenFields, Totals } from '../src/core/report';
import { CCUSAGE_BIN, CLI_PATH, DEFAULT_SESSION_KB, REPO_ROOT, WORK_DIR, ensureTree, machine, mb, median, secs, table, treeDirFor } from './common';

const TIME_BIN = '/usr/bin/time';

interface Measurement {
  wallMs: number;
  /** User CPU time of the process tree, ms (NaN when unknown: no /usr/bin/time). */
  userMs: number;
  /** Peak resident set size, KiB (0 when unknown). */
  rssKB: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

interface Tool {
  name: 'cold' | 'warm' | 'ccusage';
  label: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

function readVmHWM(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return fs
      .readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .split(/\s+/)
      .filter((s) => s !== '')
      .map(Number);
  } catch {
    return [];
  }
}

/** Runs a command to completion; stdout goes to a file (then read back), stderr is kept. */
async function measure(command: string, args: readonly string[], env: NodeJS.ProcessEnv, scratch: string): Promise<Measurement> {
  const outFile = path.join(scratch, 'stdout');
  const timeFile = path.join(scratch, 'time');
  const useTime = fs.existsSync(TIME_BIN);
  const argv = useTime ? ['-v', '-o', timeFile, command, ...args] : [...args];
  const outFd = fs.openSync(outFile, 'w');
  const started = performance.now();
  const child = spawn(useTime ? TIME_BIN : command, argv, { stdio: ['ignore', outFd, 'pipe'], env });
  fs.closeSync(outFd);
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => {
    if (stderr.length < 64 * 1024) {
      stderr += d;
    }
  });
  // Without /usr/bin/time: poll the tree's VmHWM (max over processes).
  let polledKB = 0;
  const poll = useTime
    ? undefined
    : setInterval(() => {
        const stack = child.pid === undefined ? [] : [child.pid];
        while (stack.length > 0) {
          const pid = stack.pop()!;
          polledKB = Math.max(polledKB, readVmHWM(pid));
          stack.push(...childrenOf(pid));
        }
      }, 10);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c) => resolve(c));
  });
  const wallMs = performance.now() - started;
  if (poll) {
    clearInterval(poll);
  }
  let rssKB = polledKB;
  let userMs = NaN;
  if (useTime) {
    const text = fs.existsSync(timeFile) ? fs.readFileSync(timeFile, 'utf8') : '';
    const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(text);
    rssKB = m ? Number(m[1]) : 0;
    const u = /User time \(seconds\): ([\d.]+)/.exec(text);
    userMs = u ? Number(u[1]) * 1000 : NaN;
    // /usr/bin/time prefixes "Command exited with non-zero status N" when the command failed.
  }
  return { wallMs, userMs, rssKB, code, stdout: fs.readFileSync(outFile, 'utf8'), stderr };
}

// ---------------------------------------------------------------- checks

/** The fields of the CLI's `totals` the checks compare. */
type OurTotals = Pick<Totals, 'costUSD' | keyof TokenFields | 'messages'>;

interface Check {
  pass: boolean;
  problems: string[];
}

function checkOurs(stdout: string, truth: GroundTruth): Check {
  let totals: OurTotals;
  try {
    totals = (JSON.parse(stdout) as { totals: OurTotals }).totals;
  } catch (e) {
    return { pass: false, problems: [`output is not JSON: ${e instanceof Error ? e.message : String(e)}`] };
  }
  const t = truth.totals;
  const problems: string[] = [];
  const exact: [string, number, number][] = [
    ['inputTokens', totals.inputTokens, t.input],
    ['outputTokens', totals.outputTokens, t.output],
    ['cacheWrite5mTokens', totals.cacheWrite5mTokens, t.cacheWrite5m],
    ['cacheWrite1hTokens', totals.cacheWrite1hTokens, t.cacheWrite1h],
    ['cacheReadTokens', totals.cacheReadTokens, t.cacheRead],
    ['webSearchRequests', totals.webSearchRequests, t.webSearch],
    ['messages', totals.messages, t.messages],
  ];
  for (const [name, got, want] of exact) {
    if (got !== want) {
      problems.push(`${name} ${got} != ${want}`);
    }
  }
  const tolerance = 1e-6 * t.messages;
  if (!(Math.abs(totals.costUSD - t.costUSD) <= tolerance)) {
    problems.push(`costUSD ${totals.costUSD} differs from ${t.costUSD} by more than ${tolerance}`);
  }
  return { pass: problems.length === 0, problems };
}

interface CcusageTotals {
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  totalCost: number;
  unpricedModels?: string[];
}

function checkCcusage(stdout: string, truth: GroundTruth): Check & { costUSD: number | undefined; unpricedModels: string[] } {
  let totals: CcusageTotals;
  try {
    totals = (JSON.parse(stdout) as { totals: CcusageTotals }).totals;
  } catch (e) {
    return { pass: false, problems: [`output is not JSON: ${e instanceof Error ? e.message : String(e)}`], costUSD: undefined, unpricedModels: [] };
  }
  const t = truth.totals;
  const problems: string[] = [];
  const exact: [string, number, number][] = [
    ['inputTokens', totals.inputTokens, t.input],
    ['outputTokens', totals.outputTokens, t.output],
    ['cacheCreationTokens', totals.cacheCreationTokens, t.cacheWrite5m + t.cacheWrite1h],
    ['cacheReadTokens', totals.cacheReadTokens, t.cacheRead],
  ];
  for (const [name, got, want] of exact) {
    if (got !== want) {
      problems.push(`${name} ${got} != ${want}`);
    }
  }
  return { pass: problems.length === 0, problems, costUSD: totals.totalCost, unpricedModels: totals.unpricedModels ?? [] };
}

// ---------------------------------------------------------------- one size

/** Exit code 2 and "unknown option" on stderr: the CLI does not know a flag yet. */
function unknownOption(m: Measurement): boolean {
  return m.code === 2 && /unknown option/i.test(m.stderr);
}

interface ToolResult {
  available: boolean;
  note?: string;
  command?: string;
  runsMs: number[];
  medianMs: number;
  /** User CPU per run and its median, ms. */
  userMs: number[];
  medianUserMs: number;
  rssKB: number[];
  medianRssKB: number;
  maxRssKB: number;
  exitCodes: number[];
  check?: Check;
}

export interface SizeResult {
  /** The tree's shape (generate.ts `--shape`). */
  shape: TreeShape;
  size: string;
  sizeBytes: number;
  seed: number;
  tree: string;
  treeBytes: number;
  files: number;
  calls: number;
  assistantRows: number;
  runs: number;
  machine: ReturnType<typeof machine>;
  timedAt: string;
  /** `os.loadavg()` (1, 5, 15 min) before and after the timed runs: the machine may be shared. */
  loadAverage: { before: number[]; after: number[] };
  cold: ToolResult;
  warm: ToolResult;
  ccusage: ToolResult & { costUSD?: number | undefined; unpricedModels?: string[]; truthCostUSD?: number };
  ratios: { coldVsCcusage: number | null; warmVsCcusage: number | null; coldRssVsCcusage: number | null; warmRssVsCcusage: number | null };
  /** Whether every tool ran with NODE_EXTRA_CA_CERTS cleared (the default; `--keep-extra-ca-certs` keeps it). */
  extraCaCertsCleared: boolean;
  /** When NODE_EXTRA_CA_CERTS is set: median start of `node -e 0` with it and with it empty, ms. */
  nodeStartMs?: { withExtraCaCerts: number; without: number } | undefined;
  groundTruth: { cold: 'PASS' | 'FAIL' | 'n/a'; warm: 'PASS' | 'FAIL' | 'n/a' };
}

function emptyResult(note: string): ToolResult {
  return { available: false, note, runsMs: [], medianMs: NaN, userMs: [], medianUserMs: NaN, rssKB: [], medianRssKB: NaN, maxRssKB: NaN, exitCodes: [] };
}

/** Median wall time of `node -e 0` with NODE_EXTRA_CA_CERTS as set and empty, alternating. */
async function nodeStartCost(env: NodeJS.ProcessEnv, scratch: string): Promise<SizeResult['nodeStartMs']> {
  if (!env.NODE_EXTRA_CA_CERTS) {
    return undefined;
  }
  const withCerts: number[] = [];
  const without: number[] = [];
  for (let i = 0; i < 7; i++) {
    withCerts.push((await measure(process.execPath, ['-e', '0'], env, scratch)).wallMs);
    without.push((await measure(process.execPath, ['-e', '0'], { ...env, NODE_EXTRA_CA_CERTS: '' }, scratch)).wallMs);
  }
  return { withExtraCaCerts: median(withCerts), without: median(without) };
}

async function benchTree(tree: string, truth: GroundTruth, runs: number, clearExtraCaCerts: boolean, log: (m: string) => void): Promise<SizeResult> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-bench-'));
  const cacheDir = path.join(scratch, 'index-cache');
  const probeTree = path.join(scratch, 'probe');
  fs.mkdirSync(path.join(probeTree, 'projects'), { recursive: true });
  fs.mkdirSync(cacheDir);
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.CLAUDE_CONFIG_DIR;
  const nodeStartMs = await nodeStartCost(env, scratch);
  const extraCaCertsCleared = clearExtraCaCerts && env.NODE_EXTRA_CA_CERTS !== undefined;
  if (clearExtraCaCerts) {
    delete env.NODE_EXTRA_CA_CERTS;
  }
  const node = process.execPath;
  try {
    if (!fs.existsSync(CLI_PATH)) {
      throw new Error(`${path.relative(REPO_ROOT, CLI_PATH)} is missing: run npm run build first`);
    }
    // Which flags does the CLI know today?
    const probe = async (flags: string[]) => unknownOption(await measure(node, [CLI_PATH, 'report', '--json', ...flags, '--config-dir', probeTree], env, scratch));
    const noCacheMissing = await probe(['--no-cache']);
    const cacheDirMissing = await probe(['--cache-dir', path.join(scratch, 'probe-cache')]);

    const tools: Tool[] = [];
    const coldArgs = [CLI_PATH, 'report', '--json', ...(noCacheMissing ? [] : ['--no-cache']), '--config-dir', tree];
    tools.push({ name: 'cold', label: 'ours cold', command: node, args: coldArgs, env });
    if (!cacheDirMissing) {
      tools.push({ name: 'warm', label: 'ours warm', command: node, args: [CLI_PATH, 'report', '--json', '--cache-dir', cacheDir, '--config-dir', tree], env });
    }
    const ccusageAvailable = fs.existsSync(CCUSAGE_BIN);
    if (ccusageAvailable) {
      tools.push({ name: 'ccusage', label: 'ccusage daily', command: CCUSAGE_BIN, args: ['daily', '--json', '--offline'], env: { ...env, CLAUDE_CONFIG_DIR: tree } });
    }
    const results = new Map<Tool['name'], SizeResult['ccusage']>();
    for (const tool of tools) {
      results.set(tool.name, { available: true, command: `${tool.name === 'ccusage' ? `CLAUDE_CONFIG_DIR=${tree} ` : ''}${[tool.command, ...tool.args].join(' ')}`, runsMs: [], medianMs: NaN, userMs: [], medianUserMs: NaN, rssKB: [], medianRssKB: NaN, maxRssKB: NaN, exitCodes: [] });
    }
    if (noCacheMissing) {
      results.get('cold')!.note = 'the CLI has no --no-cache flag yet; ran without it (it has no cache to skip)';
    }

    const checks = new Map<Tool['name'], Check>();
    const record = (tool: Tool, m: Measurement): void => {
      const r = results.get(tool.name)!;
      r.runsMs.push(m.wallMs);
      r.userMs.push(m.userMs);
      r.rssKB.push(m.rssKB);
      r.exitCodes.push(m.code ?? -1);
      if (m.code !== 0) {
        const c = checks.get(tool.name) ?? { pass: false, problems: [] };
        c.pass = false;
        c.problems.push(`exit code ${m.code}: ${m.stderr.trim().split('\n').slice(-3).join(' | ')}`);
        checks.set(tool.name, c);
        return;
      }
      const c = tool.name === 'ccusage' ? checkCcusage(m.stdout, truth) : checkOurs(m.stdout, truth);
      const prev = checks.get(tool.name);
      if (!prev) {
        checks.set(tool.name, c);
      } else if (!c.pass) {
        prev.pass = false;
        for (const p of c.problems) {
          if (!prev.problems.includes(p)) {
            prev.problems.push(p);
          }
        }
      }
      if (tool.name === 'ccusage') {
        const cc = checkCcusage(m.stdout, truth);
        const r2 = results.get('ccusage')!;
        r2.costUSD = cc.costUSD;
        r2.unpricedModels = cc.unpricedModels;
        r2.truthCostUSD = truth.totals.costUSD;
      }
    };

    // Untimed warm-up: page cache for everyone, and the index for the warm start.
    for (const tool of tools) {
      const m = await measure(tool.command, tool.args, tool.env, scratch);
      log(`  warm-up ${tool.label}: ${secs(m.wallMs)}, exit ${m.code}`);
      if (m.code !== 0) {
        log(`    ${m.stderr.trim().split('\n').slice(-3).join('\n    ')}`);
      }
    }
    const loadBefore = os.loadavg();
    for (let i = 0; i < runs; i++) {
      const order = i % 2 === 0 ? tools : [...tools].reverse();
      const parts: string[] = [];
      for (const tool of order) {
        const m = await measure(tool.command, tool.args, tool.env, scratch);
        record(tool, m);
        parts.push(`${tool.name} ${secs(m.wallMs)} (user ${secs(m.userMs)}) ${Math.round(m.rssKB / 1024)} MB`);
      }
      log(`  run ${i + 1}/${runs}: ${parts.join(' · ')} · load ${os.loadavg()[0]!.toFixed(2)}`);
    }
    const loadAfter = os.loadavg();
    for (const [name, r] of results) {
      r.medianMs = median(r.runsMs);
      r.medianUserMs = median(r.userMs);
      r.medianRssKB = median(r.rssKB);
      r.maxRssKB = Math.max(...r.rssKB);
      const c = checks.get(name);
      if (c) {
        r.check = c;
      }
    }
    const cold = results.get('cold')!;
    const warm = results.get('warm') ?? emptyResult('not available: the CLI has no --cache-dir flag yet');
    const cc: SizeResult['ccusage'] = results.get('ccusage') ?? emptyResult('not installed: run bench/install.sh');
    const ratio = (a: number, b: number): number | null => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : null);
    const st = truth.stats;
    return {
      shape: truth.shape ?? 'bench',
      size: sizeLabel(truth.targetBytes),
      sizeBytes: truth.targetBytes,
      seed: truth.seed,
      tree,
      treeBytes: st.bytes,
      files: st.files,
      calls: truth.totals.messages,
      assistantRows: st.assistantRows,
      runs,
      machine: machine(),
      timedAt: new Date().toISOString(),
      loadAverage: { before: loadBefore.map(round2), after: loadAfter.map(round2) },
      cold,
      warm,
      ccusage: cc,
      ratios: {
        coldVsCcusage: ratio(cold.medianMs, cc.medianMs),
        warmVsCcusage: ratio(warm.medianMs, cc.medianMs),
        coldRssVsCcusage: ratio(cold.medianRssKB, cc.medianRssKB),
        warmRssVsCcusage: ratio(warm.medianRssKB, cc.medianRssKB),
      },
      extraCaCertsCleared,
      nodeStartMs,
      groundTruth: {
        cold: cold.check ? (cold.check.pass ? 'PASS' : 'FAIL') : 'n/a',
        warm: warm.available && warm.check ? (warm.check.pass ? 'PASS' : 'FAIL') : 'n/a',
      },
    };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function ratioText(r: number | null): string {
  return r === null ? 'n/a' : `${r.toFixed(2)}×`;
}

function rssText(kb: number): string {
  return Number.isFinite(kb) && kb > 0 ? `${Math.round(kb / 1024)} MB` : 'n/a';
}

function printSize(r: SizeResult): string {
  const lines: string[] = [];
  lines.push(`${r.shape} tree ${r.size}: ${mb(r.treeBytes)}, ${r.files} files, ${r.calls} unique calls (${r.assistantRows} assistant rows) · ${r.runs} runs · ${r.machine.cpus} CPU ${r.machine.cpuModel} · node ${r.machine.node}`);
  const rows: string[][] = [['', 'median', 'min', 'max', 'user CPU', 'peak RSS', 'time vs ccusage', 'RSS vs ccusage', 'totals']];
  const row = (label: string, t: ToolResult, timeRatio: number | null, rssRatio: number | null, totals: string): void => {
    if (!t.available) {
      rows.push([label, t.note ?? 'not available', '', '', '', '', '', '', '']);
      return;
    }
    rows.push([label, secs(t.medianMs), secs(Math.min(...t.runsMs)), secs(Math.max(...t.runsMs)), Number.isFinite(t.medianUserMs) ? secs(t.medianUserMs) : 'n/a', rssText(t.medianRssKB), ratioText(timeRatio), ratioText(rssRatio), totals]);
  };
  const verdict = (t: ToolResult): string => (t.check ? (t.check.pass ? 'PASS' : 'FAIL') : 'n/a');
  row('ours cold', r.cold, r.ratios.coldVsCcusage, r.ratios.coldRssVsCcusage, verdict(r.cold));
  row('ours warm', r.warm, r.ratios.warmVsCcusage, r.ratios.warmRssVsCcusage, verdict(r.warm));
  const cc = r.ccusage;
  const ccTotals = cc.check ? (cc.check.pass ? 'tokens match' : 'tokens differ') : 'n/a';
  row('ccusage daily', cc, cc.available ? 1 : null, cc.available ? 1 : null, ccTotals);
  lines.push(table(rows));
  for (const [name, t] of [['cold', r.cold], ['warm', r.warm], ['ccusage', cc]] as const) {
    if (t.note) {
      lines.push(`note (${name}): ${t.note}`);
    }
    if (t.check && !t.check.pass) {
      lines.push(`${name}: ${t.check.problems.slice(0, 6).join('; ')}`);
    }
  }
  if (cc.available && cc.costUSD !== undefined) {
    lines.push(
      `ccusage cost $${cc.costUSD.toFixed(2)} vs ground truth $${(cc.truthCostUSD ?? NaN).toFixed(2)}` +
        `${cc.unpricedModels && cc.unpricedModels.length > 0 ? ` (ccusage leaves unpriced: ${cc.unpricedModels.join(', ')})` : ''}`,
    );
  }
  if (r.nodeStartMs) {
    lines.push(
      `NODE_EXTRA_CA_CERTS is set here: \`node -e 0\` takes ${secs(r.nodeStartMs.withExtraCaCerts)} with it, ${secs(r.nodeStartMs.without)} without; ` +
        (r.extraCaCertsCleared ? 'every tool ran with it cleared (the default)' : 'every tool paid that in every run (--keep-extra-ca-certs)'),
    );
  }
  lines.push(`load average (1 min) ${r.loadAverage.before[0]} before, ${r.loadAverage.after[0]} after`);
  lines.push(`ground truth: cold ${r.groundTruth.cold}, warm ${r.groundTruth.warm}`);
  return lines.join('\n');
}

/** `results-<size>[-kbN].json` for the bench shape (as before shapes), `results-<shape>-<size>.json` for another. */
function resultName(r: SizeResult, truth: GroundTruth): string {
  if (r.shape !== 'bench') {
    return `${r.shape}-${r.size}`;
  }
  return `${r.size}${(truth.sessionMedianKB ?? DEFAULT_SESSION_KB) === DEFAULT_SESSION_KB ? '' : `-kb${truth.sessionMedianKB}`}`;
}

/** One line per shape: the ratios the goals are about, best and worst run included. */
function shapesSummary(results: readonly SizeResult[]): string {
  const lines = ['cold and warm vs ccusage, by shape (median, and the best and worst ratio of the runs made back to back):'];
  for (const r of results) {
    // Run i of each tool ran back to back (in alternating order): their ratio is the fairest pair on a shared machine.
    const pairs = r.cold.runsMs.map((ms, i) => ms / (r.ccusage.runsMs[i] ?? NaN)).filter(Number.isFinite);
    const best = pairs.length > 0 ? Math.min(...pairs) : NaN;
    const worst = pairs.length > 0 ? Math.max(...pairs) : NaN;
    const user = r.ccusage.medianUserMs > 0 ? r.cold.medianUserMs / r.ccusage.medianUserMs : NaN;
    lines.push(
      `  ${r.shape.padEnd(8)} ${r.size}: cold ${ratioText(r.ratios.coldVsCcusage)} (range ${Number.isFinite(best) ? best.toFixed(2) : 'n/a'}–${Number.isFinite(worst) ? worst.toFixed(2) : 'n/a'}), ` +
        `warm ${ratioText(r.ratios.warmVsCcusage)}, cold user CPU ${Number.isFinite(user) ? `${user.toFixed(2)}×` : 'n/a'}, load ${r.loadAverage.before[0]}→${r.loadAverage.after[0]}, totals cold ${r.groundTruth.cold} / warm ${r.groundTruth.warm}`,
    );
  }
  return lines.join('\n');
}

function scalingTable(results: readonly SizeResult[]): string {
  const head = '| Shape | Tree | Files | Calls | Ours cold | Ours warm | ccusage | Cold / ccusage | Warm / ccusage | RSS cold | RSS warm | RSS ccusage | Truth |';
  const sep = '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|';
  const rows = results.map((r) =>
    [
      r.shape,
      `${r.size} (${mb(r.treeBytes)})`,
      String(r.files),
      String(r.calls),
      r.cold.available ? secs(r.cold.medianMs) : 'n/a',
      r.warm.available ? secs(r.warm.medianMs) : 'n/a',
      r.ccusage.available ? secs(r.ccusage.medianMs) : 'n/a',
      ratioText(r.ratios.coldVsCcusage),
      ratioText(r.ratios.warmVsCcusage),
      rssText(r.cold.medianRssKB),
      rssText(r.warm.medianRssKB),
      rssText(r.ccusage.medianRssKB),
      `cold ${r.groundTruth.cold} / warm ${r.groundTruth.warm}`,
    ].join(' | '),
  );
  return [head, sep, ...rows.map((r) => `| ${r} |`)].join('\n');
}

// ---------------------------------------------------------------- main

interface Args {
  size: number;
  runs: number | undefined;
  seed: number;
  /** Median session size of a generated tree (`generate.js --session-kb`). */
  sessionKB: number;
  tree: string | undefined;
  scaling: boolean;
  sizes: number[];
  keepTrees: boolean;
  /** Run every tool with NODE_EXTRA_CA_CERTS as set here (default: cleared). */
  keepExtraCaCerts: boolean;
  shapes: TreeShape[];
}

function parseArgs(argv: readonly string[]): Args {
  const a: Args = { size: 1024 ** 3, runs: undefined, seed: 1, sessionKB: DEFAULT_SESSION_KB, tree: undefined, scaling: false, sizes: [0.25, 0.5, 1, 2].map((g) => g * 1024 ** 3), keepTrees: false, keepExtraCaCerts: false, shapes: [...TREE_SHAPES] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) {
        throw new Error(`${arg} needs a value`);
      }
      return v;
    };
    switch (arg) {
      case '--size':
        a.size = parseSize(value());
        break;
      case '--runs':
        a.runs = Number(value());
        if (!Number.isInteger(a.runs) || a.runs < 1) {
          throw new Error('--runs expects a positive integer');
        }
        break;
      case '--seed':
        a.seed = Number(value());
        break;
      case '--session-kb':
        a.sessionKB = Number(value());
        if (!(a.sessionKB >= 4 && a.sessionKB <= 40_000)) {
          throw new Error('--session-kb expects a median session size in KB, 4 to 40000');
        }
        break;
      case '--tree':
        a.tree = path.resolve(value());
        break;
      case '--scaling':
        a.scaling = true;
        break;
      case '--sizes':
        a.sizes = value().split(',').map(parseSize);
        break;
      case '--keep-trees':
        a.keepTrees = true;
        break;
      case '--no-extra-ca-certs':
        a.keepExtraCaCerts = false; // the default now; kept for older command lines
        break;
      case '--keep-extra-ca-certs':
        a.keepExtraCaCerts = true;
        break;
      case '--shape':
        a.shapes = [parseShape(value())];
        break;
      case '--shapes':
        a.shapes = value().split(',').map(parseShape);
        break;
      case '-h':
      case '--help':
        process.stdout.write(
          'Usage: node out/bench/run.js [--size 1GB] [--runs 5] [--seed 1] [--shapes bench,heldout | --shape heldout] [--session-kb 400] [--tree DIR] [--keep-extra-ca-certs]\n' +
            '       node out/bench/run.js --scaling [--sizes 0.25GB,0.5GB,1GB,2GB] [--runs 3] [--shapes bench,heldout] [--session-kb 400] [--keep-trees] [--keep-extra-ca-certs]\n',
        );
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${arg}`);
    }
  }
  return a;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const log = (m: string): void => {
    process.stderr.write(`${m}\n`);
  };
  fs.mkdirSync(WORK_DIR, { recursive: true });
  if (!fs.existsSync(CCUSAGE_BIN)) {
    log('ccusage is not installed in bench/ (run bench/install.sh); measuring ours only');
  }
  const clear = !args.keepExtraCaCerts;
  if (!args.scaling) {
    const trees: Array<{ tree: string; truth: GroundTruth }> = [];
    if (args.tree) {
      const t = readGroundTruth(args.tree);
      if (!t) {
        throw new Error(`${args.tree} has no ground-truth.json from this generator (make one with: node out/bench/generate.js ${args.tree} --size ...)`);
      }
      trees.push({ tree: args.tree, truth: t });
    } else {
      for (const shape of args.shapes) {
        const { dir, truth } = ensureTree(args.size, args.seed, log, args.sessionKB, shape);
        trees.push({ tree: dir, truth });
      }
    }
    const results: SizeResult[] = [];
    for (const { tree, truth } of trees) {
      log(`benchmarking the ${truth.shape ?? 'bench'} tree, ${sizeLabel(truth.targetBytes)} ...`);
      const result = await benchTree(tree, truth, args.runs ?? 5, clear, log);
      results.push(result);
      const out = path.join(WORK_DIR, `results-${resultName(result, truth)}.json`);
      fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
      process.stdout.write(`${printSize(result)}\nresults: ${path.relative(REPO_ROOT, out)}\n\n`);
    }
    if (results.length > 1) {
      process.stdout.write(`${shapesSummary(results)}\n`);
    }
    process.exitCode = results.some((r) => r.groundTruth.cold === 'FAIL' || r.groundTruth.warm === 'FAIL') ? 1 : 0;
    return;
  }
  const results: SizeResult[] = [];
  for (const shape of args.shapes) {
    for (const size of args.sizes) {
      const { dir, truth } = ensureTree(size, args.seed, log, args.sessionKB, shape);
      log(`benchmarking the ${shape} tree, ${sizeLabel(size)} ...`);
      const r = await benchTree(dir, truth, args.runs ?? 3, clear, log);
      results.push(r);
      fs.writeFileSync(path.join(WORK_DIR, `results-${resultName(r, truth)}.json`), `${JSON.stringify(r, null, 2)}\n`);
      process.stdout.write(`${printSize(r)}\n\n`);
      if (!args.keepTrees && size !== 1024 ** 3 && dir === treeDirFor(size, args.seed, args.sessionKB, shape)) {
        fs.rmSync(dir, { recursive: true, force: true });
        log(`removed ${path.relative(REPO_ROOT, dir)} (keep it with --keep-trees)`);
      }
    }
  }
  const md = scalingTable(results);
  const m = results[0]?.machine ?? machine();
  const header = `Measured ${new Date().toISOString().slice(0, 10)} on ${m.cpus} × ${m.cpuModel}, ${m.memGB} GB RAM, node ${m.node}; median of ${args.runs ?? 3} runs, page cache warm${clear ? '; NODE_EXTRA_CA_CERTS cleared for every tool' : '; NODE_EXTRA_CA_CERTS as set'}.`;
  fs.writeFileSync(path.join(WORK_DIR, 'results-scaling.json'), `${JSON.stringify({ results }, null, 2)}\n`);
  fs.writeFileSync(path.join(WORK_DIR, 'results-scaling.md'), `${header}\n\n${md}\n`);
  process.stdout.write(`${header}\n\n${md}\n`);
  process.exitCode = results.some((r) => r.groundTruth.cold === 'FAIL' || r.groundTruth.warm === 'FAIL') ? 1 : 0;
}

main().catch((e: unknown) => {
  process.stderr.write(`run: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
