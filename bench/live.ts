/**
 * The live benchmark: how long from Claude Code appending a line to the meter
 * showing it.
 *
 *   node out/bench/live.js [--size 256MB] [--seed 1] [--tree DIR] [--appends 300]
 *                          [--min-ms 50] [--max-ms 100] [--paths source,meter0,meter150,remote150,refresh]
 *
 * Against a generated tree (bench/.work/, reused), plus a separate temporary
 * config dir holding one live session file (the tree itself is never
 * written to, so its ground truth stays valid):
 *
 * - source:   LiveSource (src/node/live/live-source.ts). Latency = appendFileSync
 *             return -> the first 'change' event after which buildReport shows
 *             the appended call (also reported: -> that report built).
 * - meter<N>: Meter (src/node/live/meter.ts) with throttleMs N. Latency =
 *             appendFileSync return -> the first 'update' whose snapshot
 *             report shows the call.
 * - remote<N>: RemoteMeter (src/node/live/remote-meter.ts), as the extension runs
 *             it: the meter in dist/meter-worker.js, throttleMs N. Latency =
 *             appendFileSync return -> the first 'update' on this thread
 *             (the extension host's) whose snapshot shows the call.
 * - refresh:  Meter with no timer of its own: on each change of its source,
 *             `refreshNow()` is called and timed (the main-thread cost of
 *             one full snapshot: report, history, session detail, status).
 *
 * Appends one assistant line (a new call) every min..max ms, `--appends` times.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { bundledPriceTable } from '../src/core/pricing/price-table';
import { buildReport, ReportCache, type Report } from '../src/core/report';
import { defaultSettings } from '../src/core/settings';
import { LiveSource } from '../src/node/live/live-source';
import { Meter } from '../src/node/live/meter';
import type { MeterSnapshot, MeterView } from '../src/node/live/meter-view';
import { RemoteMeter } from '../src/node/live/remote-meter';
import { parseSize, readGroundTruth } from './generate';
import { REPO_ROOT, WORK_DIR, ensureTree, machine, mb, percentile, secs, table } from './common';

interface PathResult {
  path: string;
  startMs: number;
  appends: number;
  seen: number;
  /** appendFileSync return -> event (ms), one per append seen. */
  toEvent: number[];
  /** appendFileSync return -> report built (source path only). */
  toReport: number[];
  events: number;
  reportBuildMs: number[];
}

/** A deterministic LCG for the append intervals and ids. */
function lcg(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 4294967296;
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

class LiveFile {
  readonly sessionId: string;
  readonly file: string;
  private parent: string;
  private n = 0;

  constructor(
    configDir: string,
    private readonly rand: () => number,
  ) {
    this.sessionId = this.uuid();
    const dir = path.join(configDir, 'projects', '-bench-live-project');
    fs.mkdirSync(dir, { recursive: true });
    this.file = path.join(dir, `${this.sessionId}.jsonl`);
    this.parent = this.uuid();
    fs.writeFileSync(
      this.file,
      `{"parentUuid":null,"isSidechain":false,"type":"user","message":{"role":"user","content":"Start the live benchmark."},"uuid":"${this.parent}","timestamp":"${new Date().toISOString()}","userType":"external","entrypoint":"cli","cwd":"/bench/live/project","sessionId":"${this.sessionId}","version":"2.1.330","gitBranch":"main"}\n`,
    );
  }

  private hex(n: number): string {
    let s = '';
    while (s.length < n) {
      s += Math.floor(this.rand() * 0x100000000)
        .toString(16)
        .padStart(8, '0');
    }
    return s.slice(0, n);
  }

  private uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  /** A new call's final assistant row (about 1.5 KB), like Claude Code 2.1.x writes it. */
  nextLine(): string {
    this.n++;
    const uuid = this.uuid();
    const parent = this.parent;
    this.parent = uuid;
    const read = 20_000 + this.n * 900;
    return `{"parentUuid":"${parent}","isSidechain":false,"message":{"model":"claude-sonnet-4-6","id":"msg_01${this.hex(22)}","type":"message","role":"assistant","content":[{"type":"text","text":"Live append number ${this.n}. ${'The meter should show this call quickly. '.repeat(20)}"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":4,"cache_creation_input_tokens":900,"cache_read_input_tokens":${read},"output_tokens":${100 + this.n},"server_tool_use":{"web_search_requests":0,"web_fetch_requests":0},"service_tier":"standard","cache_creation":{"ephemeral_1h_input_tokens":900,"ephemeral_5m_input_tokens":0},"inference_geo":"","iterations":[],"speed":"standard"},"stop_details":null},"requestId":"req_011C${this.hex(20)}","type":"assistant","uuid":"${uuid}","timestamp":"${new Date().toISOString()}","userType":"external","entrypoint":"cli","cwd":"/bench/live/project","sessionId":"${this.sessionId}","version":"2.1.330","gitBranch":"main"}`;
  }
}

function messagesOf(report: Report | undefined, sessionId: string): number {
  return report?.sessions.find((s) => s.sessionId === sessionId)?.messages ?? 0;
}

/**
 * Appends `appends` lines at random intervals; `resolveUpTo(count, now)` is
 * called by the observer when the view shows `count` calls.
 */
function drive(
  live: LiveFile,
  appends: number,
  minMs: number,
  maxMs: number,
  rand: () => number,
  result: PathResult,
): { resolveUpTo: (count: number, eventAt: number, reportAt?: number) => void; done: Promise<void> } {
  const appendedAt: number[] = [];
  let resolved = 0;
  let finish: (() => void) | undefined;
  const allSeen = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const resolveUpTo = (count: number, eventAt: number, reportAt?: number): void => {
    while (resolved < count && resolved < appendedAt.length) {
      result.toEvent.push(eventAt - appendedAt[resolved]!);
      if (reportAt !== undefined) {
        result.toReport.push(reportAt - appendedAt[resolved]!);
      }
      resolved++;
      result.seen = resolved;
    }
    if (resolved >= appends) {
      finish?.();
    }
  };
  const done = (async () => {
    for (let i = 0; i < appends; i++) {
      await sleep(minMs + rand() * (maxMs - minMs));
      const line = live.nextLine();
      fs.appendFileSync(live.file, `${line}\n`);
      appendedAt.push(performance.now());
    }
    await Promise.race([allSeen, sleep(15_000)]);
  })();
  return { resolveUpTo, done };
}

async function sourcePath(tree: string, liveDir: string, appends: number, minMs: number, maxMs: number, rand: () => number): Promise<PathResult> {
  const result: PathResult = { path: 'LiveSource change', startMs: 0, appends, seen: 0, toEvent: [], toReport: [], events: 0, reportBuildMs: [] };
  const live = new LiveFile(liveDir, rand);
  const source = new LiveSource({ prices: bundledPriceTable(), timeZone: 'UTC', configDirs: [tree, liveDir], rootPollMs: 0 });
  const t0 = performance.now();
  await source.start();
  result.startMs = performance.now() - t0;
  const cache = new ReportCache();
  const base = messagesOf(buildReport(source.engine, { cache }), live.sessionId);
  const { resolveUpTo, done } = drive(live, appends, minMs, maxMs, rand, result);
  source.on('change', () => {
    const eventAt = performance.now();
    result.events++;
    const report = buildReport(source.engine, { cache });
    const reportAt = performance.now();
    result.reportBuildMs.push(reportAt - eventAt);
    resolveUpTo(messagesOf(report, live.sessionId) - base, eventAt, reportAt);
  });
  await done;
  await source.dispose();
  return result;
}

/** A meter over the tree and the live folder, days in UTC, with no root polling. */
function benchMeter(tree: string, liveDir: string, throttleMs: number, storageDir?: string): Meter {
  return new Meter({ prices: bundledPriceTable(), settings: { ...defaultSettings(), configDirs: [tree, liveDir], timeZone: 'UTC' }, workspaceFolders: [], rootPollMs: 0, throttleMs, storageDir });
}

/** The same meter in its worker thread, as the extension runs it (the built dist/meter-worker.js). */
function benchRemoteMeter(tree: string, liveDir: string, throttleMs: number): RemoteMeter {
  return new RemoteMeter({
    meterWorkerPath: path.join(REPO_ROOT, 'dist', 'meter-worker.js'),
    workerPath: path.join(REPO_ROOT, 'dist', 'scan-worker.js'),
    settings: { ...defaultSettings(), configDirs: [tree, liveDir], timeZone: 'UTC' },
    workspaceFolders: [],
    rootPollMs: 0,
    throttleMs,
  });
}

async function meterPath(tree: string, liveDir: string, throttleMs: number, remote: boolean, appends: number, minMs: number, maxMs: number, rand: () => number): Promise<PathResult> {
  const result: PathResult = { path: `${remote ? 'RemoteMeter' : 'Meter'} update (throttleMs ${throttleMs})`, startMs: 0, appends, seen: 0, toEvent: [], toReport: [], events: 0, reportBuildMs: [] };
  const live = new LiveFile(liveDir, rand);
  const meter: MeterView = remote ? benchRemoteMeter(tree, liveDir, throttleMs) : benchMeter(tree, liveDir, throttleMs);
  const t0 = performance.now();
  await meter.start();
  result.startMs = performance.now() - t0;
  const base = messagesOf(meter.snapshot.report, live.sessionId);
  const { resolveUpTo, done } = drive(live, appends, minMs, maxMs, rand, result);
  meter.on('update', (snap: MeterSnapshot) => {
    const at = performance.now();
    result.events++;
    resolveUpTo(messagesOf(snap.report, live.sessionId) - base, at);
  });
  await done;
  await meter.dispose();
  return result;
}

async function refreshPath(tree: string, liveDir: string, appends: number, minMs: number, maxMs: number, rand: () => number): Promise<PathResult> {
  const result: PathResult = { path: 'Meter.refreshNow on change', startMs: 0, appends, seen: 0, toEvent: [], toReport: [], events: 0, reportBuildMs: [] };
  const live = new LiveFile(liveDir, rand);
  const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-refresh-'));
  // Its own coalescing timer never fires here: each refresh below is the one measured.
  const meter = benchMeter(tree, liveDir, 1e9, storage);
  try {
    const t0 = performance.now();
    await meter.start();
    result.startMs = performance.now() - t0;
    const base = messagesOf(meter.snapshot.report, live.sessionId);
    const { resolveUpTo, done } = drive(live, appends, minMs, maxMs, rand, result);
    meter.liveSource.on('change', () => {
      const at = performance.now();
      result.events++;
      const snap = meter.refreshNow();
      const builtAt = performance.now();
      result.reportBuildMs.push(builtAt - at);
      resolveUpTo(messagesOf(snap.report, live.sessionId) - base, at, builtAt);
    });
    await done;
  } finally {
    await meter.dispose();
    fs.rmSync(storage, { recursive: true, force: true });
  }
  return result;
}

function summary(r: PathResult): string[] {
  const p = (xs: number[], q: number) => (xs.length > 0 ? `${percentile(xs, q).toFixed(1)} ms` : 'n/a');
  const max = (xs: number[]) => (xs.length > 0 ? `${Math.max(...xs).toFixed(1)} ms` : 'n/a');
  return [
    r.path,
    `${r.seen}/${r.appends}`,
    String(r.events),
    p(r.toEvent, 50),
    p(r.toEvent, 95),
    max(r.toEvent),
    r.toReport.length > 0 ? `${p(r.toReport, 50)} / ${p(r.toReport, 95)}` : '-',
    r.reportBuildMs.length > 0 ? `${p(r.reportBuildMs, 50)} / ${p(r.reportBuildMs, 95)} / ${max(r.reportBuildMs)}` : '-',
    secs(r.startMs),
  ];
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  let size = 256 * 1024 * 1024;
  let seed = 1;
  let treeArg: string | undefined;
  let appends = 300;
  let minMs = 50;
  let maxMs = 100;
  let paths = ['source', 'meter0', 'meter150', 'remote150', 'refresh'];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = (): string => argv[++i] ?? '';
    if (a === '--size') {
      size = parseSize(v());
    } else if (a === '--seed') {
      seed = Number(v());
    } else if (a === '--tree') {
      treeArg = path.resolve(v());
    } else if (a === '--appends') {
      appends = Number(v());
    } else if (a === '--min-ms') {
      minMs = Number(v());
    } else if (a === '--max-ms') {
      maxMs = Number(v());
    } else if (a === '--paths') {
      paths = v().split(',');
    } else {
      throw new Error(`unknown option ${a}`);
    }
  }
  const log = (m: string): void => {
    process.stderr.write(`${m}\n`);
  };
  let tree: string;
  let bytes: number;
  if (treeArg) {
    const t = readGroundTruth(treeArg);
    tree = treeArg;
    bytes = t?.stats.bytes ?? NaN;
  } else {
    const t = ensureTree(size, seed, log);
    tree = t.dir;
    bytes = t.truth.stats.bytes;
  }
  const liveDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-live-'));
  const rand = lcg(seed * 7919 + 17);
  const results: PathResult[] = [];
  try {
    for (const p of paths) {
      log(`${p}: starting (cold scan of ${mb(bytes)}), then ${appends} appends every ${minMs}-${maxMs} ms ...`);
      const r =
        p === 'source'
          ? await sourcePath(tree, liveDir, appends, minMs, maxMs, rand)
          : p === 'refresh'
            ? await refreshPath(tree, liveDir, appends, minMs, maxMs, rand)
            : await meterPath(tree, liveDir, Number(p.replace(/^(meter|remote)/, '')), p.startsWith('remote'), appends, minMs, maxMs, rand);
      results.push(r);
      log(`  start ${secs(r.startMs)}, seen ${r.seen}/${r.appends}, p50 ${percentile(r.toEvent, 50).toFixed(1)} ms`);
    }
  } finally {
    fs.rmSync(liveDir, { recursive: true, force: true });
  }
  const m = machine();
  const header = `live: tree ${mb(bytes)} + 1 live session, ${appends} appends every ${minMs}-${maxMs} ms · ${m.cpus} CPU ${m.cpuModel} · node ${m.node}`;
  const rows = [['path', 'seen', 'events', 'p50', 'p95', 'max', 'to report p50 / p95', 'build p50 / p95 / max', 'start (cold scan)'], ...results.map(summary)];
  const text = `${header}\n${table(rows)}\n`;
  process.stdout.write(text);
  const out = path.join(WORK_DIR, 'results-live.json');
  fs.mkdirSync(WORK_DIR, { recursive: true });
  fs.writeFileSync(
    out,
    `${JSON.stringify(
      {
        tree,
        treeBytes: bytes,
        appends,
        intervalMs: [minMs, maxMs],
        machine: m,
        timedAt: new Date().toISOString(),
        results: results.map((r) => ({
          path: r.path,
          startMs: r.startMs,
          seen: r.seen,
          appends: r.appends,
          events: r.events,
          p50Ms: percentile(r.toEvent, 50),
          p95Ms: percentile(r.toEvent, 95),
          maxMs: r.toEvent.length > 0 ? Math.max(...r.toEvent) : null,
          toReportP50Ms: r.toReport.length > 0 ? percentile(r.toReport, 50) : null,
          toReportP95Ms: r.toReport.length > 0 ? percentile(r.toReport, 95) : null,
          reportBuildP50Ms: r.reportBuildMs.length > 0 ? percentile(r.reportBuildMs, 50) : null,
          reportBuildP95Ms: r.reportBuildMs.length > 0 ? percentile(r.reportBuildMs, 95) : null,
          reportBuildMaxMs: r.reportBuildMs.length > 0 ? Math.max(...r.reportBuildMs) : null,
        })),
      },
      null,
      2,
    )}\n`,
  );
  process.stdout.write(`results: ${path.relative(REPO_ROOT, out)}\n`);
  // Watches and worker handles are closed by dispose(); exit explicitly in case a timer lingers.
  process.exit(results.every((r) => r.seen === r.appends) ? 0 : 1);
}

main().catch((e: unknown) => {
  process.stderr.write(`live: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
