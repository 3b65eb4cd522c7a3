import { strict as assert } from 'node:assert';
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs, UsageError } from '../../../../src/node/cli/cli';
import { storedReportAnswer } from '../../../../src/node/cli/cli-launch';
import { fdWriter } from '../../../../src/node/cli/cli-args';
import { capture, runCli } from '../../support/cli';
import { assistantLine } from '../../support/lines';
import type { Report } from '../../../../src/core/report';
import { bundledPriceTable } from '../../../../src/core/pricing/price-table';
import { defaultSettings } from '../../../../src/core/settings';
import { Meter } from '../../../../src/node/live/meter';

const ROOT = path.resolve(__dirname, '../../../..');
const GOLDEN = path.join(ROOT, 'test/fixtures/golden');

interface Expected {
  totals: Record<string, number>;
  sessions: Record<string, Record<string, number | string>>;
  days: Record<string, number>;
  daysNewYork: Record<string, number>;
  malformedLines: number;
  syntheticLines: number;
  unpricedModels: string[];
}
const expected = JSON.parse(fs.readFileSync(path.join(GOLDEN, 'expected.json'), 'utf8')) as Expected;


async function jsonReport(argv: string[]): Promise<Report> {
  const r = await runCli(['report', '--json', '--no-cache', ...argv]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Report;
}

const close = (a: number | null | undefined, b: number) => a !== null && a !== undefined && Math.abs(a - b) < 1e-9;

describe('claude-cost report on the golden tree (hand-checked, see test/fixtures/golden/EXPECTED.md)', () => {
  let report: Report;
  before(async () => {
    report = await jsonReport(['--config-dir', GOLDEN, '--tz', 'UTC']);
  });

  it('gives every total exactly', () => {
    for (const [key, value] of Object.entries(expected.totals)) {
      const actual = (report.totals as unknown as Record<string, number>)[key];
      assert.ok(close(actual, value), `${key}: ${actual} != ${value}`);
    }
  });

  it('gives every session its cost, subagent share, tokens, project and context', () => {
    assert.equal(report.sessions.length, Object.keys(expected.sessions).length);
    for (const [id, fields] of Object.entries(expected.sessions)) {
      const s = report.sessions.find((x) => x.sessionId === id) as unknown as Record<string, unknown> | undefined;
      assert.ok(s, id);
      for (const [key, value] of Object.entries(fields)) {
        if (typeof value === 'number') {
          assert.ok(close(s[key] as number, value), `${id} ${key}: ${String(s[key])} != ${value}`);
        } else {
          assert.equal(s[key], value, `${id} ${key}`);
        }
      }
    }
  });

  it('buckets days in the chosen time zone', async () => {
    assert.deepEqual(
      Object.fromEntries(report.days.map((d) => [d.date, Math.round(d.costUSD * 1e6) / 1e6])),
      expected.days,
    );
    const ny = await jsonReport(['--config-dir', GOLDEN, '--tz', 'America/New_York']);
    assert.deepEqual(
      Object.fromEntries(ny.days.map((d) => [d.date, Math.round(d.costUSD * 1e6) / 1e6])),
      expected.daysNewYork,
    );
  });

  it('counts skipped lines and names unpriced models', () => {
    assert.equal(report.skipped.malformedLines, expected.malformedLines);
    assert.equal(report.skipped.syntheticLines, expected.syntheticLines);
    assert.deepEqual(report.skipped.unpricedModels, expected.unpricedModels);
    const nova = report.models.find((m) => m.model === 'claude-nova-1');
    assert.equal(nova?.costUSD, null);
    assert.equal(nova?.priced, false);
  });

  it('accepts the projects/ folder itself, and de-duplicates a root given twice', async () => {
    const viaProjects = await jsonReport(['--config-dir', path.join(GOLDEN, 'projects'), '--config-dir', GOLDEN, '--tz', 'UTC']);
    assert.deepEqual(viaProjects.totals, report.totals);
  });

  it('reads CLAUDE_CONFIG_DIR (comma-separated) when no --config-dir is given', async () => {
    const r = await runCli(['report', '--json', '--no-cache', '--tz', 'UTC'], { CLAUDE_CONFIG_DIR: `${GOLDEN},${path.join(GOLDEN, 'projects')}` });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((JSON.parse(r.stdout) as Report).totals, report.totals);
  });

  it('prints readable tables without --json', async () => {
    const r = await runCli(['report', '--no-cache', '--config-dir', GOLDEN, '--tz', 'UTC']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /\$0\.86/);
    assert.match(r.stdout, /claude-nova-1\s+unpriced/);
    assert.match(r.stdout, /\/work\/alpha/);
  });
});

describe('claude-cost arguments', () => {
  const bad: Array<[string[], RegExp]> = [
    [['report', '--since', '2026-13-01'], /--since/],
    [['report', '--until', 'yesterday'], /--until/],
    [['report', '--tz', 'Mars/Olympus'], /time zone/],
    [['report', '--config-dir'], /needs a value/],
    [['report', '--bogus'], /unknown option/],
    [['frobnicate'], /unknown command/],
    [['report', '--since', '2026-11-02', '--until', '2026-11-01'], /after/],
  ];
  for (const [argv, message] of bad) {
    it(`rejects ${argv.join(' ')} with one line and exit 2`, async () => {
      assert.throws(() => parseArgs(argv), (e: unknown) => e instanceof UsageError && message.test(e.message));
      const r = await runCli(argv);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.trim().split('\n').length, 1);
    });
  }

  it('fails with exit 2 on a missing config dir', async () => {
    const r = await runCli(['report', '--config-dir', path.join(os.tmpdir(), 'ccm-does-not-exist-42')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no such directory/);
  });

  it('reports an empty tree calmly', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-empty-'));
    try {
      const r = await runCli(['report', '--json', '--no-cache', '--config-dir', dir]);
      assert.equal(r.code, 0);
      const rep = JSON.parse(r.stdout) as Report;
      assert.equal(rep.totals.costUSD, 0);
      assert.deepEqual(rep.sessions, []);
      assert.match(r.stderr, /no Claude Code transcripts found/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs as the built dist/cli.js with exactly one JSON object on stdout', function () {
    const cli = path.join(ROOT, 'dist/cli.js');
    if (!fs.existsSync(cli)) {
      this.skip();
    }
    const ok = cp.spawnSync(process.execPath, [cli, 'report', '--json', '--no-cache', '--config-dir', GOLDEN, '--tz', 'UTC'], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    const parsed = JSON.parse(ok.stdout) as Report;
    assert.ok(close(parsed.totals.costUSD, expected.totals.costUSD ?? NaN));
    const bad = cp.spawnSync(process.execPath, [cli, 'report', '--since', 'nope'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
  });

  it('ends quietly with 0 when its reader stops reading (claude-cost report | head), cold and warm', async function () {
    const cli = path.join(ROOT, 'dist/cli.js');
    if (!fs.existsSync(cli)) {
      this.skip();
    }
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-epipe-'));
    try {
      const run = (args: string[]) =>
        new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
          const child = cp.spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
          child.stdout.destroy(); // the reader is gone before the CLI writes a byte
          let stderr = '';
          child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
          child.once('error', reject);
          child.once('close', (code) => resolve({ code, stderr }));
        });
      const base = ['report', '--json', '--config-dir', GOLDEN, '--tz', 'UTC'];
      for (const args of [[...base, '--no-cache'], [...base, '--cache-dir', cache], [...base, '--cache-dir', cache], ['report', '--config-dir', GOLDEN, '--tz', 'UTC', '--no-cache']]) {
        const r = await run(args);
        assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
        assert.doesNotMatch(r.stderr, /EPIPE|Unhandled|at /, args.join(' '));
      }
      assert.ok(fs.readdirSync(cache).some((f) => f.startsWith('report-')), 'the first run with --cache-dir stored its report, so the next one answered from it');
    } finally {
      fs.rmSync(cache, { recursive: true, force: true });
    }
  });

  it('the warm start writes straight to the descriptor: every byte through partial writes, the stream after EAGAIN, a quiet end on EPIPE', async () => {
    const text = `{"a":"${'é'.repeat(5000)}"}\n`;
    const whole = Buffer.from(text, 'utf8');
    // Partial writes of at most 1,000 bytes: every byte arrives, in order.
    const got: Buffer[] = [];
    const partial = fdWriter(7, () => assert.fail('no stream needed'), () => assert.fail('the reader is there'), (fd, bytes, offset) => {
      assert.equal(fd, 7);
      const n = Math.min(1000, bytes.length - offset);
      got.push(Buffer.from(bytes.subarray(offset, offset + n)));
      return n;
    });
    partial.write(text);
    assert.ok(Buffer.concat(got).equals(whole));
    // A full non-blocking pipe (EAGAIN) after 3,000 bytes: the rest, and every later write, go to the stream.
    const direct: Buffer[] = [];
    const viaStream = capture();
    let streams = 0;
    let calls = 0;
    const full = fdWriter(
      1,
      () => {
        streams++;
        return viaStream.stream;
      },
      () => assert.fail('the reader is there'),
      (_fd, bytes, offset) => {
        if (++calls > 3) {
          throw Object.assign(new Error('EAGAIN: resource temporarily unavailable, write'), { code: 'EAGAIN' });
        }
        direct.push(Buffer.from(bytes.subarray(offset, offset + 1000)));
        return 1000;
      },
    );
    full.write(text);
    full.write('next\n');
    await new Promise((r) => setImmediate(r));
    assert.equal(streams, 1);
    assert.equal(Buffer.concat([...direct, Buffer.from(viaStream.text(), 'utf8')]).toString('utf8'), `${text}next\n`);
    // The reader has gone (EPIPE): told once per refused write, nothing thrown.
    let gone = 0;
    const closed = fdWriter(1, () => assert.fail('no stream for a closed pipe'), () => gone++, () => {
      throw Object.assign(new Error('EPIPE: broken pipe, write'), { code: 'EPIPE' });
    });
    assert.equal(closed.write('x'), false);
    assert.equal(gone, 1);
  });

  it('report --csv prints sessions, days and projects as CSV', async () => {
    const r = await runCli(['report', '--csv', '--no-cache', '--config-dir', GOLDEN, '--tz', 'UTC']);
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout.trim().split('\r\n');
    assert.equal(rows[0]?.split(',')[0], 'kind');
    assert.equal(rows.filter((x) => x.startsWith('session,')).length, 3);
    assert.equal(rows.filter((x) => x.startsWith('day,')).length, 3);
    assert.ok(rows.some((x) => x.startsWith('session,11111111-aaaa-4aaa-8aaa-111111111111,2026-11-20,/work/alpha,0.191963')));
  });

  it('session <prefix> lists the calls of one session with a running total', async () => {
    const r = await runCli(['session', '1111', '--no-cache', '--config-dir', GOLDEN, '--tz', 'UTC']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Session 11111111-aaaa-4aaa-8aaa-111111111111/);
    const calls = r.stdout.split('\n').filter((l) => /^2026-11-20 /.test(l));
    assert.equal(calls.length, 4);
    assert.match(calls[2] ?? '', /claude-haiku-4-5 .* subagent$/);
    assert.match(calls[3] ?? '', /\$0\.19\s*$/);
    const json = await runCli(['session', '1111', '--json', '--no-cache', '--config-dir', GOLDEN]);
    const parsed = JSON.parse(json.stdout) as { turns: Array<{ costUSD: number }> };
    assert.ok(Math.abs(parsed.turns.reduce((a, t) => a + t.costUSD, 0) - 0.191963) < 1e-12);
    const none = await runCli(['session', 'zzz', '--no-cache', '--config-dir', GOLDEN]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no session matches "zzz"/);
  });

  it('session --json gives the same forecasts as the panel (next turn, 10 turns vs /compact, countdown, what-if, spikes)', async function () {
    this.timeout(20_000);
    const dir = path.join(ROOT, 'test/fixtures/claude-code-2.1.330-compact');
    const r = await runCli(['session', '233ad91d', '--json', '--no-cache', '--config-dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    const cli = JSON.parse(r.stdout) as { forecast: Record<string, unknown> & { projection: { postCompact: { observed: number } } } };
    const meter = new Meter({ prices: bundledPriceTable(), settings: defaultSettings(), workspaceFolders: [], env: { CLAUDE_CONFIG_DIR: dir }, home: os.tmpdir(), throttleMs: 0 });
    try {
      await meter.start();
      const d = meter.sessionDetail('233ad91d-5faa-4bdd-a584-602b3c790144');
      assert.ok(d);
      const panel = JSON.parse(JSON.stringify({ cacheTtlMs: d.cacheTtlMs, nextTurn: d.nextTurn, projection: d.projection, whatIf: d.whatIf, spikes: d.spikes, coldAtMs: d.countdown?.coldAtMs })) as Record<string, unknown>;
      const { countdown, ...rest } = cli.forecast;
      const fromCli = { ...rest, coldAtMs: (countdown as { coldAtMs: number }).coldAtMs };
      assert.deepEqual(fromCli, panel);
      assert.equal(cli.forecast.projection.postCompact.observed, 1, "the fixture's own /compact is the basis");
    } finally {
      await meter.dispose();
    }
    const text = await runCli(['session', '233ad91d', '--no-cache', '--config-dir', dir]);
    assert.match(text.stdout, /^Next 10 turns: \$[0-9.]+ as the session goes, \$[0-9.]+ after \/compact now/m);
    assert.match(text.stdout, /^Prompt cache \(5-minute\): cold since 2026-11-22 02:14:03 UTC; the next prompt re-writes 15,206 tokens ≈ \$0\.06$/m);
  });

  it('the launcher answers a warm report --json alone, exactly as the full CLI; anything else goes to the full CLI', async () => {
    const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-launch-'));
    try {
      const tree = path.join(temp, 'claude');
      fs.cpSync(GOLDEN, tree, { recursive: true });
      const cache = path.join(temp, 'cache');
      const argv = ['report', '--json', '--config-dir', tree, '--cache-dir', cache, '--tz', 'UTC'];
      const none = capture();
      assert.equal(storedReportAnswer(argv, {}, none.stream, none.stream), undefined, 'nothing stored yet');
      assert.equal(none.text(), '');
      const full = await runCli(argv);
      assert.equal(full.code, 0);
      const out = capture();
      const err = capture();
      assert.equal(storedReportAnswer(argv, {}, out.stream, err.stream), 0);
      assert.equal(out.text(), full.stdout);
      assert.equal(err.text(), full.stderr);
      assert.equal(storedReportAnswer([...argv.slice(0, -2), '--tz', 'Europe/Paris'], {}, out.stream, err.stream), undefined, 'another zone');
      assert.equal(storedReportAnswer(['report', '--config-dir', tree, '--cache-dir', cache, '--tz', 'UTC'], {}, out.stream, err.stream), undefined, 'tables');
      assert.equal(storedReportAnswer(['report', '--json', '--bogus'], {}, out.stream, err.stream), undefined, 'a usage error is the full CLI\'s to explain');
      const file = path.join(tree, 'projects', '-work-alpha', '11111111-aaaa-4aaa-8aaa-111111111111.jsonl');
      fs.appendFileSync(file, '\n');
      assert.equal(storedReportAnswer(argv, {}, out.stream, err.stream), undefined, 'a changed file');
    } finally {
      fs.rmSync(temp, { recursive: true, force: true });
    }
  });

  it('the launcher stats the folders it listed before instead of reading them, and sees a new file', async () => {
    const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-launch-'));
    try {
      const tree = path.join(temp, 'claude');
      fs.cpSync(GOLDEN, tree, { recursive: true });
      // An old history's folders: changed long before the listing, so it is kept.
      const past = new Date(Date.now() - 3_600_000);
      for (const d of [path.join(tree, 'projects'), ...fs.readdirSync(path.join(tree, 'projects'), { recursive: true }).map((n) => path.join(tree, 'projects', String(n)))].filter((d) => fs.statSync(d).isDirectory())) {
        fs.utimesSync(d, past, past);
      }
      const cache = path.join(temp, 'cache');
      const argv = ['report', '--json', '--config-dir', tree, '--cache-dir', cache, '--tz', 'UTC'];
      const full = await runCli(argv);
      assert.equal(full.code, 0);
      const header = JSON.parse(fs.readFileSync(path.join(cache, 'report-v5.json'), 'utf8').split('\n')[0] ?? '') as { listing?: { files: unknown[] } };
      assert.equal(header.listing?.files.length, 6, 'the listing is kept with the report');
      const out = capture();
      assert.equal(storedReportAnswer(argv, {}, out.stream, capture().stream), 0);
      assert.equal(out.text(), full.stdout);
      // A folder touched, its files the same: listed again, the fingerprint matches, still the answer.
      fs.utimesSync(path.join(tree, 'projects', '-work-beta'), new Date(), new Date());
      const relisted = capture();
      assert.equal(storedReportAnswer(argv, {}, relisted.stream, capture().stream), 0);
      assert.equal(relisted.text(), full.stdout);
      // A file touched, same size and folders: its mtime tells.
      const alpha = path.join(tree, 'projects', '-work-alpha', '11111111-aaaa-4aaa-8aaa-111111111111.jsonl');
      const touchedAt = new Date(fs.statSync(alpha).mtimeMs + 5000);
      fs.utimesSync(alpha, touchedAt, touchedAt);
      assert.equal(storedReportAnswer(argv, {}, capture().stream, capture().stream), undefined, 'a touched file');
      assert.equal((await runCli(argv)).stdout, full.stdout, 'the full CLI: the same numbers');
      assert.equal(storedReportAnswer(argv, {}, capture().stream, capture().stream), 0, 'and the stored report answers again');
      // A new session in an old folder: the folder's mtime moves, so the stored report is not the answer.
      fs.writeFileSync(path.join(tree, 'projects', '-work-beta', '44444444-dddd-4ddd-8ddd-444444444444.jsonl'), `${assistantLine({ session: '44444444-dddd-4ddd-8ddd-444444444444', id: 'msg_new', req: 'req_new', output: 1000 })}\n`);
      assert.equal(storedReportAnswer(argv, {}, capture().stream, capture().stream), undefined, 'a new file');
      const after = await runCli(argv);
      const before = JSON.parse(full.stdout) as { totals: { outputTokens: number; messages: number } };
      const now = JSON.parse(after.stdout) as { totals: { outputTokens: number; messages: number } };
      assert.equal(now.totals.messages, before.totals.messages + 1);
      assert.equal(now.totals.outputTokens, before.totals.outputTokens + 1000);
    } finally {
      fs.rmSync(temp, { recursive: true, force: true });
    }
  });

  it('watch prints a live one-line status and stops on SIGTERM', async function () {
    const cli = path.join(ROOT, 'dist/cli.js');
    if (!fs.existsSync(cli)) {
      this.skip();
    }
    const child = cp.spawn(process.execPath, [cli, 'watch', '--config-dir', GOLDEN, '--tz', 'UTC'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const deadline = Date.now() + 15_000;
    while (!/session \$0\.03 · today/.test(out) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.match(out, /session \$0\.03 · today \$[0-9.]+ · context 10k\/200k · cache 80%/);
  });

  it('never writes terminal escapes from transcripts to stderr or the tables', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-escape-'));
    try {
      fs.mkdirSync(path.join(dir, 'projects', 'p'), { recursive: true });
      const line = JSON.stringify({ type: 'assistant', timestamp: '2026-11-20T10:00:00Z', sessionId: 's', cwd: '/w\u001b]0;pwned\u0007', message: { id: 'm', model: 'evil\u001b[31mred', usage: { input_tokens: 1, output_tokens: 1 } } });
      fs.writeFileSync(path.join(dir, 'projects', 'p', 's.jsonl'), `${line}\n`);
      const r = await runCli(['report', '--no-cache', '--config-dir', dir]);
      assert.equal(r.code, 0);
      assert.match(r.stderr, /evil\?\[31mred/);
      assert.ok(!r.stderr.includes('\u001b') && !r.stdout.includes('\u001b') && !r.stdout.includes('\u0007'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
