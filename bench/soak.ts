/**
 * The soak benchmark (issue #24.5): the meter as the extension runs it (a
 * RemoteMeter, its meter in dist/meter-worker.js) under a long, busy stream
 * of appends, with the churn a real machine has.
 *
 *   node out/bench/soak.js [--minutes 10] [--rate 500] [--sessions 20] [--seed 1]
 *
 * - `--rate` lines per second across `--sessions` live session files, in
 *   batches every 20 ms;
 * - every few seconds: a file rotated (replaced by a rename: the same session,
 *   a new inode, its lines written again), a session deleted, a new session
 *   started; some lines written torn (half, then the rest a moment later);
 * - a probe session gets one line every 250 ms: append -> the first `update`
 *   on this thread (the extension host's) whose status model counts it is the
 *   append -> status bar latency;
 * - every 10 s: the process RSS (host and worker threads together: the
 *   worker is a thread of the extension host, as in VS Code), this thread's
 *   heap, and the worker's heap as its meter sees it is not reachable from
 *   here, so the RSS is the figure;
 * - at the end, once quiet: the live report against a cold scan of the same
 *   folder: every token total and the cost must be equal.
 *
 * Goals (issue #24): RSS flat after warm-up (growth < 10%), p95 <= 200 ms
 * throughout, totals exact.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Engine } from '../src/core/engine';
import { bundledPriceTable } from '../src/core/pricing/price-table';
import { buildReport, type Report } from '../src/core/report';
import { defaultSettings } from '../src/core/settings';
import type { MeterSnapshot } from '../src/node/live/meter-view';
import { RemoteMeter } from '../src/node/live/remote-meter';
import { scanAllSync } from '../test/unit/support/scan';
import { REPO_ROOT, machine, mb, percentile, table } from './common';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function lcg(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 4294967296;
  };
}

let counter = 0;
function uuid(rand: () => number): string {
  const h = Array.from({ length: 4 }, () => Math.floor(rand() * 0x100000000).toString(16).padStart(8, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function line(sessionId: string, n: number, rand: () => number): string {
  counter++;
  const id = `msg_soak_${counter}_${Math.floor(rand() * 1e9)}`;
  return `{"parentUuid":null,"isSidechain":false,"message":{"model":"claude-sonnet-4-6","id":"${id}","type":"message","role":"assistant","content":[{"type":"text","text":"soak ${n}"}],"usage":{"input_tokens":4,"cache_creation_input_tokens":300,"cache_read_input_tokens":${20_000 + (n % 1000) * 50},"output_tokens":${50 + (n % 200)},"cache_creation":{"ephemeral_5m_input_tokens":300,"ephemeral_1h_input_tokens":0},"service_tier":"standard","speed":"standard"}},"requestId":"req_${id}","type":"assistant","uuid":"${uuid(rand)}","timestamp":"${new Date().toISOString()}","cwd":"/bench/soak","sessionId":"${sessionId}","version":"2.1.330"}\n`;
}

interface Live {
  id: string;
  file: string;
  n: number;
}

function tokenTotals(r: Report | undefined): string {
  const t = r?.totals;
  return t ? JSON.stringify([t.inputTokens, t.outputTokens, t.cacheWrite5mTokens, t.cacheWrite1hTokens, t.cacheReadTokens, t.messages]) : 'none';
}

async function main(): Promise<void> {
  const minutes = arg('minutes', 10);
  const rate = arg('rate', 500);
  const sessionCount = arg('sessions', 20);
  const rand = lcg(arg('seed', 1));
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-soak-'));
  const claude = path.join(temp, 'claude');
  const dir = path.join(claude, 'projects', '-bench-soak');
  fs.mkdirSync(dir, { recursive: true });
  const newSession = (): Live => {
    const id = uuid(rand);
    const file = path.join(dir, `${id}.jsonl`);
    fs.writeFileSync(file, '');
    return { id, file, n: 0 };
  };
  const live: Live[] = Array.from({ length: sessionCount }, newSession);
  const probe = newSession();

  const meter = new RemoteMeter({
    meterWorkerPath: path.join(REPO_ROOT, 'dist', 'meter-worker.js'),
    workerPath: path.join(REPO_ROOT, 'dist', 'scan-worker.js'),
    settings: { ...defaultSettings(), configDirs: [claude] },
    workspaceFolders: [],
    storageDir: path.join(temp, 'storage'),
    log: () => undefined,
  });
  let probeSent: number[] = [];
  let probeSeen = 0;
  const latencies: Array<{ atS: number; ms: number }> = [];
  const started = performance.now();
  meter.on('update', (s: MeterSnapshot) => {
    const seen = s.report?.sessions.find((x) => x.sessionId === probe.id)?.messages ?? 0;
    const at = performance.now();
    while (probeSeen < seen && probeSeen < probeSent.length) {
      latencies.push({ atS: (at - started) / 1000, ms: at - (probeSent[probeSeen] ?? at) });
      probeSeen++;
    }
  });
  await meter.start();

  const rss: Array<{ atS: number; rssMB: number; heapMB: number }> = [];
  const sample = () => {
    const m = process.memoryUsage();
    rss.push({ atS: (performance.now() - started) / 1000, rssMB: m.rss / 1e6, heapMB: m.heapUsed / 1e6 });
  };
  sample();
  const endAt = performance.now() + minutes * 60_000;
  const perBatch = Math.max(1, Math.round((rate * 20) / 1000));
  let lines = 0;
  let torn = 0;
  let rotations = 0;
  let deletions = 0;
  let created = 0;
  let nextChurn = performance.now() + 3000;
  let nextProbe = performance.now();
  let nextSample = performance.now() + 10_000;
  const pendingTails: Array<{ file: string; rest: string }> = [];
  while (performance.now() < endAt) {
    for (const t of pendingTails.splice(0)) {
      fs.appendFileSync(t.file, t.rest);
    }
    // As many lines as the rate asks for by now (a batch takes longer than its 20 ms on a busy machine).
    const due = Math.min(perBatch * 5, Math.floor(((performance.now() - (endAt - minutes * 60_000)) / 1000) * rate) - lines);
    for (let i = 0; i < due; i++) {
      const s = live[Math.floor(rand() * live.length)] as Live;
      const text = line(s.id, ++s.n, rand);
      if (rand() < 0.01) {
        // Torn: half now, the rest in the next batch.
        const cut = Math.floor(text.length / 2);
        fs.appendFileSync(s.file, text.slice(0, cut));
        pendingTails.push({ file: s.file, rest: text.slice(cut) });
        torn++;
      } else {
        fs.appendFileSync(s.file, text);
      }
      lines++;
    }
    const now = performance.now();
    if (now >= nextProbe) {
      probeSent.push(performance.now());
      fs.appendFileSync(probe.file, line(probe.id, ++probe.n, rand));
      nextProbe = now + 250;
    }
    if (now >= nextChurn && pendingTails.length === 0) {
      const i = Math.floor(rand() * live.length);
      const s = live[i] as Live;
      const roll = rand();
      if (roll < 0.4) {
        // Rotation: the file replaced by a rename (a new inode), same content.
        const copy = `${s.file}.new`;
        fs.copyFileSync(s.file, copy);
        fs.renameSync(copy, s.file);
        rotations++;
      } else if (roll < 0.7) {
        fs.rmSync(s.file);
        live[i] = newSession();
        deletions++;
        created++;
      } else {
        live.push(newSession());
        created++;
      }
      nextChurn = now + 2000 + rand() * 3000;
    }
    if (now >= nextSample) {
      sample();
      nextSample = now + 10_000;
    }
    await sleep(20);
  }
  for (const t of pendingTails.splice(0)) {
    fs.appendFileSync(t.file, t.rest);
  }
  sample();
  // Quiet: wait for the probe's last line, then until the live totals have
  // not moved for 3 s (the meter may still be reading the last batches).
  const quietBy = performance.now() + 60_000;
  while (probeSeen < probeSent.length && performance.now() < quietBy) {
    await sleep(100);
  }
  let stableSince = performance.now();
  let lastTotals = tokenTotals(meter.snapshot.report);
  while (performance.now() - stableSince < 3000 && performance.now() < quietBy) {
    await sleep(200);
    const t = tokenTotals(meter.snapshot.report);
    if (t !== lastTotals) {
      lastTotals = t;
      stableSince = performance.now();
    }
  }
  const liveReport = meter.snapshot.report;
  const engine = new Engine({ prices: bundledPriceTable() });
  scanAllSync(engine, [path.join(claude, 'projects')]);
  const cold = buildReport(engine);
  await meter.dispose();
  fs.rmSync(temp, { recursive: true, force: true });

  const secsRun = (performance.now() - started) / 1000;
  const windows: string[][] = [];
  const minuteCount = Math.ceil(minutes);
  for (let m = 0; m < minuteCount; m++) {
    const inMinute = latencies.filter((l) => l.atS >= m * 60 && l.atS < (m + 1) * 60).map((l) => l.ms);
    const rssIn = rss.filter((r) => r.atS >= m * 60 && r.atS < (m + 1) * 60);
    const lastRss = rssIn[rssIn.length - 1];
    windows.push([
      `${m + 1}`,
      `${inMinute.length}`,
      inMinute.length ? percentile(inMinute, 50).toFixed(0) : '-',
      inMinute.length ? percentile(inMinute, 95).toFixed(0) : '-',
      inMinute.length ? Math.max(...inMinute).toFixed(0) : '-',
      lastRss ? lastRss.rssMB.toFixed(0) : '-',
      lastRss ? lastRss.heapMB.toFixed(0) : '-',
    ]);
  }
  const all = latencies.map((l) => l.ms);
  const warm = rss.filter((r) => r.atS >= 60);
  const growth = warm.length >= 2 ? ((warm[warm.length - 1] as { rssMB: number }).rssMB / (warm[0] as { rssMB: number }).rssMB - 1) * 100 : NaN;
  const exact = tokenTotals(liveReport) === tokenTotals(cold) && Math.abs((liveReport?.totals.costUSD ?? NaN) - cold.totals.costUSD) < 1e-9;
  const m = machine();
  console.log(`soak: ${m.cpus} x ${m.cpuModel}, ${m.memGB} GB, Node ${m.node}, ${m.platform}`);
  console.log(`${secsRun.toFixed(0)} s, ${lines} lines (${(lines / (minutes * 60)).toFixed(0)}/s) over ${sessionCount}+ sessions; ${torn} torn, ${rotations} rotations, ${deletions} deletions, ${created} new sessions; probe lines ${probeSent.length}, seen ${probeSeen}`);
  console.log(table([['minute', 'probes', 'p50 ms', 'p95 ms', 'max ms', 'RSS MB', 'host heap MB'], ...windows]));
  console.log(`append -> status bar: p50 ${percentile(all, 50).toFixed(0)} ms, p95 ${percentile(all, 95).toFixed(0)} ms, max ${Math.max(...all).toFixed(0)} ms`);
  console.log(`RSS after warm-up (from 60 s): ${warm.length ? (warm[0] as { rssMB: number }).rssMB.toFixed(0) : '-'} -> ${mb((rss[rss.length - 1]?.rssMB ?? 0) * 1e6)}; growth ${Number.isNaN(growth) ? '-' : `${growth.toFixed(1)}%`}`);
  console.log(`totals: live ${tokenTotals(liveReport)} $${liveReport?.totals.costUSD.toFixed(6) ?? '-'}; cold ${tokenTotals(cold)} $${cold.totals.costUSD.toFixed(6)}: ${exact ? 'EXACT' : 'DIFFERENT'}`);
  probeSent = [];
  process.exitCode = exact ? 0 : 1;
}

void main();
