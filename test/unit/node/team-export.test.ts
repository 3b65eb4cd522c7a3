/**
 * The team export against the real components: Debian's Prometheus 2.42 and
 * Pushgateway 1.5.1 on free 127.0.0.1 ports (test/support/prometheus-stack.ts),
 * Prometheus scraping the Pushgateway with honor_labels. Five simulated
 * developers push with the real CLI (dist/cli.js, which loads dist/push.js);
 * PromQL through Prometheus's HTTP API must give the sum of their
 * `report --json` figures. Then faults (Pushgateway down, killed mid-push,
 * restarted empty), bad input, and the meter's worker with export on.
 *
 * A missing binary or bundle fails these tests (never a silent skip).
 */
import { strict as assert } from 'node:assert';
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { buildPushBody, push } from '../../../src/node/cli/cli-push';
import { parseArgs, type ReportArgs } from '../../../src/node/cli/cli-args';
import { Pusher, type PushStatus } from '../../../src/node/export/pushgateway';
import type { Report } from '../../../src/core/report';
import { projectName } from '../../../src/core/prometheus';
import { freePort, get, query, requireBinaries, startPrometheus, startPushgateway, until, type Component } from '../../support/prometheus-stack';
import { lastJson, removeTree, repoRoot, runNodeScript, tempDir } from '../hardening/helpers';
import { assistantLine } from '../support/lines';

const ROOT = repoRoot();
const CLI = path.join(ROOT, 'dist', 'cli.js');
const DEVS = 5;
const MODELS = ['claude-opus-4-6', 'claude-sonnet-4-6', 'claude-haiku-4-5'];

/** Deterministic pseudo-random integers (a small LCG). */
function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

/** Appends `calls` calls to developer `dev`'s tree: three projects (one shared by name), three models, an unpriced one for dev 3. */
function addCalls(root: string, dev: number, calls: number, from: number): void {
  const r = rng(dev * 7919 + from);
  const projects = [`/home/dev${dev}/shop`, `/home/dev${dev}/api-${dev}`, '/srv/work/tools'];
  for (let i = from; i < from + calls; i++) {
    const cwd = projects[r(projects.length)] as string;
    const session = `${dev}000000-0000-4000-8000-00000000000${i % 4}`;
    const dir = path.join(root, 'projects', cwd.replace(/[/.]/g, '-'));
    fs.mkdirSync(dir, { recursive: true });
    const model = dev === 3 && i % 9 === 0 ? 'claude-nova-1' : (MODELS[r(MODELS.length)] as string);
    const line = assistantLine({
      id: `msg_${dev}_${i}`,
      req: `req_${dev}_${i}`,
      session,
      cwd,
      model,
      ts: new Date(Date.UTC(2026, 10, 10 + (i % 20), r(24), r(60), r(60), r(1000))).toISOString(),
      input: 1 + r(5000),
      output: 1 + r(3000),
      w5: r(20_000),
      w1: r(3) === 0 ? r(10_000) : 0,
      read: r(200_000),
      web: r(5) === 0 ? 1 + r(3) : 0,
      side: r(6) === 0,
      // Several rate cards per model: US-only inference (1.1x) on some calls, fast mode on some Opus 4.6 calls.
      geo: r(4) === 0 ? 'us' : undefined,
      speed: model === 'claude-opus-4-6' && r(5) === 0 ? 'fast' : undefined,
    });
    fs.appendFileSync(path.join(dir, `${session}.jsonl`), `${line}\n`);
  }
}

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = cp.spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, CLAUDE_COST_PUSH_TOKEN: '' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function reportOf(root: string): Report {
  const r = cli(['report', '--json', '--no-cache', '--tz', 'UTC', '--config-dir', root]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Report;
}

function cliPush(root: string, instance: string, port: number): void {
  const r = cli(['push', '--pushgateway', `http://127.0.0.1:${port}`, '--instance', instance, '--no-cache', '--tz', 'UTC', '--config-dir', root]);
  assert.equal(r.status, 0, `push ${instance}: ${r.stderr}`);
  assert.match(r.stdout, new RegExp(`pushed .* as instance "${instance}"`));
}

/** Equal up to the last bits of a double (the sums are added in different orders). */
function assertClose(actual: number | undefined, expected: number, what: string): void {
  assert.ok(actual !== undefined, `${what}: no value`);
  assert.ok(Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected)), `${what}: ${actual} != ${expected}`);
}

function pushArgs(root: string, extra: string[] = []): ReportArgs {
  return parseArgs(['push', '--no-cache', '--tz', 'UTC', '--config-dir', root, ...extra]) as ReportArgs;
}

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString()));
  return { stream, text: () => text };
}

describe('team export with a real Prometheus and Pushgateway', function () {
  this.timeout(120_000);
  let work = '';
  let pg: Component | undefined;
  let prom: Component | undefined;
  let pgPort = 0;
  let promPort = 0;
  const roots: string[] = [];
  const reports: Report[] = [];

  /** The team's expected figures from the developers' own reports. */
  function expected() {
    const byModel = new Map<string, number>();
    const byProject = new Map<string, number>();
    let total = 0;
    let read = 0;
    let calls = 0;
    for (const r of reports) {
      total += r.totals.costUSD;
      read += r.totals.cacheReadTokens;
      calls += r.totals.messages + r.totals.unpricedMessages;
      for (const m of r.models) {
        if (m.costUSD !== null) {
          byModel.set(m.model, (byModel.get(m.model) ?? 0) + m.costUSD);
        }
      }
      for (const p of r.projects) {
        byProject.set(projectName(p.project), (byProject.get(projectName(p.project)) ?? 0) + p.costUSD);
      }
    }
    return { total, read, calls, byModel, byProject };
  }

  async function teamTotal(): Promise<number | undefined> {
    return (await query(promPort, 'sum(claude_code_cost_usd_total{job="claude_code_cost"})'))[0]?.value;
  }

  /** Waits until Prometheus's team total is `want` (a scrape after the last push). */
  async function scrapedTotal(want: number): Promise<void> {
    await until(`Prometheus to show the team total ${want}`, async () => {
      const v = await teamTotal();
      return v !== undefined && Math.abs(v - want) <= 1e-12 * Math.max(1, want);
    });
  }

  before(async () => {
    requireBinaries();
    assert.ok(fs.existsSync(CLI) && fs.existsSync(path.join(ROOT, 'dist', 'push.js')), 'dist/cli.js and dist/push.js are built (npm run build)');
    work = tempDir('ccm-team-');
    pgPort = await freePort();
    promPort = await freePort();
    pg = await startPushgateway(pgPort);
    fs.mkdirSync(path.join(work, 'prom'));
    prom = await startPrometheus(promPort, pgPort, path.join(work, 'prom'));
    for (let d = 0; d < DEVS; d++) {
      const root = path.join(work, `dev${d}`);
      addCalls(root, d, 60 + d * 17, 0);
      roots.push(root);
    }
  });

  after(async () => {
    await prom?.stop();
    await pg?.stop();
    removeTree(work);
  });

  it('five developers push with the CLI; PromQL gives the sum of their report --json totals, per model and per project', async () => {
    for (let d = 0; d < DEVS; d++) {
      reports.push(reportOf(roots[d] as string));
      cliPush(roots[d] as string, `dev${d}`, pgPort);
    }
    const want = expected();
    assert.ok(want.total > 1, 'the trees cost something');
    await scrapedTotal(want.total);
    assertClose(await teamTotal(), want.total, 'team total');
    const instances = await query(promPort, 'count by (instance) (claude_code_cost_usd_total)');
    assert.deepEqual(instances.map((s) => s.metric.instance).sort(), ['dev0', 'dev1', 'dev2', 'dev3', 'dev4']);
    const byModel = await query(promPort, 'sum by (model) (claude_code_cost_usd_total)');
    assert.deepEqual(byModel.map((s) => s.metric.model).sort(), [...want.byModel.keys()].sort());
    for (const s of byModel) {
      assertClose(s.value, want.byModel.get(s.metric.model ?? '') ?? NaN, `model ${s.metric.model}`);
    }
    const byProject = await query(promPort, 'sum by (project) (claude_code_cost_usd_total)');
    assert.deepEqual(byProject.map((s) => s.metric.project).sort(), [...want.byProject.keys()].sort());
    for (const s of byProject) {
      assertClose(s.value, want.byProject.get(s.metric.project ?? '') ?? NaN, `project ${s.metric.project}`);
    }
    // Integers are exact.
    assert.equal((await query(promPort, 'sum(claude_code_tokens_total{bucket="cache_read"})'))[0]?.value, want.read);
    assert.equal((await query(promPort, 'sum(claude_code_calls_total)'))[0]?.value, want.calls);
    // The unpriced model is counted, never priced at $0.
    assert.ok(((await query(promPort, 'sum(claude_code_unpriced_calls_total{model="claude-nova-1"})'))[0]?.value ?? 0) > 0);
    assert.deepEqual(await query(promPort, 'claude_code_cost_usd_total{model="claude-nova-1"}'), []);
    // A push replaces the instance's state: pushing again does not double anything.
    cliPush(roots[0] as string, 'dev0', pgPort);
    await new Promise((r) => setTimeout(r, 1500));
    assertClose(await teamTotal(), want.total, 'team total after a second push of dev0');
    // The cache hit rate of the team, from the token counters.
    const hit = await query(promPort, 'sum(claude_code_tokens_total{bucket="cache_read"}) / sum(claude_code_tokens_total{bucket=~"input|cache_write_5m|cache_write_1h|cache_read"})');
    assert.ok((hit[0]?.value ?? 0) > 0 && (hit[0]?.value ?? 1) < 1);
  });

  it("docs/team-dashboard.md: every PromQL query and the Grafana dashboard's expressions run on Prometheus; the per-person query gives each developer's total", async () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs', 'team-dashboard.md'), 'utf8');
    const promql = [...doc.matchAll(/```promql\n([\s\S]*?)\n```/g)].map((m) => (m[1] ?? '').trim());
    const dashboard = JSON.parse(/```json\n([\s\S]*?)\n```/.exec(doc)?.[1] ?? 'null') as { panels: Array<{ targets: Array<{ expr: string }> }> };
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
    assert.ok(promql.length >= 8 && exprs.length >= 7);
    for (const q of [...promql, ...exprs]) {
      await query(promPort, q); // throws on a bad query
    }
    const perPerson = await query(promPort, 'sum by (instance) (claude_code_cost_usd_total)');
    for (const s of perPerson) {
      const d = Number((s.metric.instance ?? '').replace('dev', ''));
      assertClose(s.value, reports[d]?.totals.costUSD ?? NaN, `person ${s.metric.instance}`);
    }
  });

  it('Pushgateway down at push time: retried with backoff, one log line, nothing lost once it is back', async () => {
    assert.ok(pg);
    await pg.stop();
    addCalls(roots[0] as string, 0, 25, 1000);
    reports[0] = reportOf(roots[0] as string);
    const { body } = await buildPushBody(pushArgs(roots[0] as string, ['--print']), process.env);
    const logs: string[] = [];
    const statuses: PushStatus[] = [];
    const pusher = new Pusher({
      target: { url: new URL(`http://127.0.0.1:${pgPort}`), instance: 'dev0' },
      render: () => body,
      intervalMs: 200,
      maxBackoffMs: 800,
      log: (level, m) => logs.push(`${level} ${m}`),
      onStatus: (s) => statuses.push(s),
    });
    try {
      pusher.changed();
      // A burst of changes while it is down: still one attempt per backoff step.
      const burst = setInterval(() => pusher.changed(), 10);
      await until('four failed pushes', () => Promise.resolve(statuses.filter((s) => s.kind === 'failing').length >= 4), 15_000, 20);
      clearInterval(burst);
      const failing = statuses.filter((s): s is Extract<PushStatus, { kind: 'failing' }> => s.kind === 'failing');
      assert.deepEqual(
        failing.slice(0, 4).map((s) => s.retryInMs),
        [400, 800, 800, 800],
        'the wait doubles up to its maximum',
      );
      assert.match(failing[0]?.message ?? '', /refused/);
      assert.ok((failing[0]?.hint ?? '').length > 0, 'a hint for the status bar');
      assert.equal(logs.length, 1, `one log line for the same failure, not one per attempt: ${logs.join(' | ')}`);
      pg = await startPushgateway(pgPort);
      await until('a successful push', () => Promise.resolve(statuses[statuses.length - 1]?.kind === 'ok'), 15_000, 20);
      assert.equal(logs.length, 2);
      assert.match(logs[1] ?? '', /^info .*again after/);
    } finally {
      pusher.dispose();
    }
    // Restarted empty: only dev0 is there until the others push again (their next change or cron run).
    await scrapedTotal(reports[0]?.totals.costUSD ?? NaN);
    for (let d = 1; d < DEVS; d++) {
      cliPush(roots[d] as string, `dev${d}`, pgPort);
    }
    await scrapedTotal(expected().total);
    assertClose(await teamTotal(), expected().total, 'team total after the outage');
  });

  it('Pushgateway killed mid-push, then restarted empty: the next push restores the state', async () => {
    assert.ok(pg);
    // A proxy in front of the Pushgateway: the first push is cut after 300 bytes and the Pushgateway killed (SIGKILL) right then.
    const proxyPort = await freePort();
    let connections = 0;
    const gateway = pg;
    const proxy = net.createServer((client) => {
      connections++;
      const upstream = net.connect(pgPort, '127.0.0.1');
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
      if (connections === 1) {
        client.once('data', (chunk: Buffer) => {
          upstream.write(chunk.subarray(0, 300), () => {
            void gateway.stop('SIGKILL').then(() => {
              client.destroy();
              upstream.destroy();
            });
          });
        });
      } else {
        client.pipe(upstream);
        upstream.pipe(client);
      }
    });
    await new Promise<void>((r) => proxy.listen(proxyPort, '127.0.0.1', r));
    addCalls(roots[0] as string, 0, 30, 2000);
    reports[0] = reportOf(roots[0] as string);
    const { body } = await buildPushBody(pushArgs(roots[0] as string, ['--print']), process.env);
    assert.ok(Buffer.byteLength(body) > 300);
    const statuses: PushStatus[] = [];
    const logs: string[] = [];
    const pusher = new Pusher({
      target: { url: new URL(`http://127.0.0.1:${proxyPort}`), instance: 'dev0', timeoutMs: 3000 },
      render: () => body,
      intervalMs: 300,
      maxBackoffMs: 600,
      log: (level, m) => logs.push(`${level} ${m}`),
      onStatus: (s) => statuses.push(s),
    });
    try {
      pusher.changed();
      await until('the cut push to fail', () => Promise.resolve(statuses.some((s) => s.kind === 'failing')), 15_000, 20);
      assert.equal(connections >= 1, true);
      // Restarted empty.
      pg = await startPushgateway(pgPort);
      await until('the retried push', () => Promise.resolve(statuses[statuses.length - 1]?.kind === 'ok'), 15_000, 20);
      const metrics = (await get(pgPort, '/metrics')).body;
      assert.match(metrics, /instance="dev0"/);
      assert.doesNotMatch(metrics, /instance="dev[1-4]"/, 'the new Pushgateway started empty: only the retried push is in it');
    } finally {
      pusher.dispose();
      await new Promise<void>((r) => proxy.close(() => r()));
    }
    assert.ok(connections >= 2);
    assert.equal(logs.filter((l) => l.startsWith('warn')).length, 1, logs.join(' | '));
    await scrapedTotal(reports[0]?.totals.costUSD ?? NaN);
    for (let d = 1; d < DEVS; d++) {
      cliPush(roots[d] as string, `dev${d}`, pgPort);
    }
    await scrapedTotal(expected().total);
    const byModel = await query(promPort, 'sum by (model) (claude_code_cost_usd_total)');
    for (const s of byModel) {
      assertClose(s.value, expected().byModel.get(s.metric.model ?? '') ?? NaN, `model ${s.metric.model} after the restart`);
    }
  });

  describe('bad input gives one clear line (and exit code) each', () => {
    let stub: http.Server | undefined;
    let stubPort = 0;
    let answer: { status: number; body: string } | 'hang' = { status: 204, body: '' };
    before(async () => {
      stubPort = await freePort();
      stub = http.createServer((req, res) => {
        req.resume();
        if (answer === 'hang') {
          return;
        }
        const a = answer;
        req.on('end', () => {
          res.writeHead(a.status, { 'Content-Type': 'text/plain' });
          res.end(a.body);
        });
      });
      await new Promise<void>((r) => stub?.listen(stubPort, '127.0.0.1', r));
    });
    after(async () => {
      stub?.closeAllConnections();
      await new Promise<void>((r) => (stub ? stub.close(() => r()) : r()));
    });

    const run = async (extra: string[], options: { timeoutMs?: number } = {}) => {
      const out = capture();
      const err = capture();
      const code = await push(pushArgs(roots[1] as string, extra), out.stream, err.stream, { ...process.env, CLAUDE_COST_PUSH_TOKEN: '' }, { attempts: 2, baseDelayMs: 20, timeoutMs: options.timeoutMs ?? 2000 });
      const lines = err.text().split('\n').filter((l) => l !== '');
      return { code, lines, stdout: out.text() };
    };

    it('an invalid URL', async () => {
      for (const url of ['not a url', 'ftp://127.0.0.1/', 'http://user:pw@127.0.0.1:1/', 'http://127.0.0.1:1/?x=1']) {
        const r = await run(['--pushgateway', url]);
        assert.equal(r.code, 2, url);
        assert.equal(r.lines.length, 1, r.lines.join('\n'));
        assert.match(r.lines[0] ?? '', /^claude-cost: push: .*(not a URL|only http|credentials|query)/);
      }
    });

    it('an unreachable host (nothing listening), and a host that never answers', async () => {
      const closed = await freePort();
      let r = await run(['--pushgateway', `http://127.0.0.1:${closed}`]);
      assert.equal(r.code, 1);
      assert.deepEqual(r.lines.length, 1, r.lines.join('\n'));
      assert.match(r.lines[0] ?? '', /push failed after 2 attempt\(s\): connection to 127\.0\.0\.1:\d+ refused .*; check the Pushgateway URL/);
      answer = 'hang';
      r = await run(['--pushgateway', `http://127.0.0.1:${stubPort}`], { timeoutMs: 300 });
      answer = { status: 204, body: '' };
      assert.equal(r.code, 1);
      assert.equal(r.lines.length, 1);
      assert.match(r.lines[0] ?? '', /no answer from 127\.0\.0\.1:\d+ within 0\.3 s/);
    });

    it('a TLS error (https to a plain HTTP server)', async () => {
      const r = await run(['--pushgateway', `https://127.0.0.1:${stubPort}`]);
      assert.equal(r.code, 1);
      assert.equal(r.lines.length, 1, r.lines.join('\n'));
      assert.match(r.lines[0] ?? '', /TLS error with 127\.0\.0\.1:\d+: .*; check the certificate/);
    });

    it('4xx and 5xx answers', async () => {
      answer = { status: 400, body: 'text format parsing error in line 3' };
      let r = await run(['--pushgateway', `http://127.0.0.1:${stubPort}`]);
      assert.equal(r.code, 1);
      assert.equal(r.lines.length, 1);
      assert.match(r.lines[0] ?? '', /answered 400 Bad Request: text format parsing error in line 3; the Pushgateway rejected the push/);
      answer = { status: 401, body: '' };
      r = await run(['--pushgateway', `http://127.0.0.1:${stubPort}`]);
      assert.match(r.lines[0] ?? '', /answered 401 .*; check the push token/);
      answer = { status: 503, body: 'overloaded' };
      r = await run(['--pushgateway', `http://127.0.0.1:${stubPort}`]);
      assert.equal(r.code, 1);
      assert.equal(r.lines.length, 1);
      assert.match(r.lines[0] ?? '', /answered 503 Service Unavailable: overloaded; the Pushgateway failed/);
      answer = { status: 204, body: '' };
    });

    it('a huge label value: an instance too long is refused before any connection; a huge project name is cut and pushed', async () => {
      const r = await run(['--pushgateway', `http://127.0.0.1:${stubPort}`, '--instance', 'x'.repeat(100_000)]);
      assert.equal(r.code, 2);
      assert.equal(r.lines.length, 1);
      assert.match(r.lines[0] ?? '', /the instance label is 100000 characters long; at most 128/);
      const root = path.join(work, 'huge');
      fs.mkdirSync(path.join(root, 'projects', 'p'), { recursive: true });
      fs.writeFileSync(path.join(root, 'projects', 'p', 's.jsonl'), `${assistantLine({ cwd: `/home/x/${'p'.repeat(50_000)}`, session: 'huge-1' })}\n`);
      const out = capture();
      const err = capture();
      const code = await push(pushArgs(root, ['--pushgateway', `http://127.0.0.1:${pgPort}`, '--instance', 'huge']), out.stream, err.stream, process.env, { attempts: 1 });
      assert.equal(code, 0, err.text());
      const metrics = (await get(pgPort, '/metrics')).body;
      const label = /claude_code_cost_usd_total\{instance="huge",job="claude_code_cost",model="[^"]+",project="(p+…)"\}/.exec(metrics)?.[1];
      assert.equal([...(label ?? '')].length, 200);
    });
  });

  it('the meter worker with export on connects only to the configured host, pushes after the scan and at shutdown', async () => {
    const netLog = path.join(work, 'connections.log');
    const preload = path.join(work, 'record-network.js');
    // Records (does not block) every connection and name lookup of the process and its worker threads.
    fs.writeFileSync(
      preload,
      `'use strict';
const fs = require('node:fs');
const log = (s) => fs.appendFileSync(${JSON.stringify(netLog)}, s + '\\n');
const net = require('node:net');
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  const o = Array.isArray(args[0]) ? args[0][0] : args[0];
  log('connect ' + (typeof o === 'object' ? (o.path ? 'ipc:' + o.path : (o.host || 'localhost') + ':' + o.port) : String(o) + ':' + String(args[1])));
  return connect.apply(this, args);
};
const dns = require('node:dns');
const lookup = dns.lookup;
dns.lookup = function (host, ...rest) { log('lookup ' + host); return lookup.call(this, host, ...rest); };
globalThis.fetch = () => { log('fetch'); throw new Error('fetch'); };
`,
    );
    fs.writeFileSync(netLog, '');
    const r = await runNodeScript(
      `
      const { RemoteMeter } = require(COMPILED + '/src/node/live/remote-meter.js');
      const { defaultSettings } = require(COMPILED + '/src/core/settings.js');
      (async () => {
        const settings = { ...defaultSettings(), configDirs: [${JSON.stringify(roots[2])}], timeZone: 'UTC',
          'export.pushgatewayUrl': 'http://127.0.0.1:${pgPort}', 'export.instance': 'meter-dev', 'export.intervalSeconds': 5 };
        const logs = [];
        const m = new RemoteMeter({ meterWorkerPath: ${JSON.stringify(path.join(ROOT, 'dist', 'meter-worker.js'))},
          workerPath: ${JSON.stringify(path.join(ROOT, 'dist', 'scan-worker.js'))},
          settings, workspaceFolders: [], rootPollMs: 0, throttleMs: 0, log: (l, s) => logs.push(l + ' ' + s) });
        const statuses = [];
        const pushed = new Promise((resolve) => m.on('export', (s) => { statuses.push(s && s.kind); if (s && s.kind === 'ok') resolve(); }));
        await m.start();
        await pushed;
        await m.dispose();
        console.log(JSON.stringify({ statuses, logs, total: m.snapshot.report.totals.costUSD }));
      })().catch((e) => { console.error(e); process.exit(3); });`,
      { timeoutMs: 60_000, nodeArgs: ['--require', preload] },
    );
    assert.equal(r.status, 0, r.stderr);
    const out = lastJson<{ statuses: string[]; logs: string[]; total: number }>(r);
    assert.deepEqual(out.statuses.slice(0, 1), ['ok']);
    assert.ok(out.logs.some((l) => /team export: pushing to 127\.0\.0\.1:\d+ as instance "meter-dev"/.test(l)), out.logs.join('\n'));
    const lines = fs.readFileSync(netLog, 'utf8').split('\n').filter((l) => l !== '');
    assert.ok(lines.length >= 2, `the first push and the one at shutdown: ${lines.join(', ')}`);
    assert.deepEqual([...new Set(lines)], [`connect 127.0.0.1:${pgPort}`], 'no other connection or lookup');
    assertClose(out.total, reports[2]?.totals.costUSD ?? NaN, 'the meter saw the same tree');
    const metrics = (await get(pgPort, '/metrics')).body;
    const sum = [...metrics.matchAll(/^claude_code_cost_usd_total\{instance="meter-dev",[^}]*\} (\S+)$/gm)].reduce((a, m) => a + Number(m[1]), 0);
    assertClose(sum, reports[2]?.totals.costUSD ?? NaN, 'the meter pushed its total');
  });
});
