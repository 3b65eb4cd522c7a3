/**
 * File-system faults under a real watcher (issue "Hardening"): a LiveSource on
 * a temp HOME while files are truncated, replaced, deleted, re-created, made
 * unreadable, looped by symlinks, multiplied, or appear late; and the CLI on
 * config dirs it cannot read. The oracle is always a fresh cold scan of the
 * final state: nothing may crash and no counted data may be lost or doubled.
 *
 * Permission tests need a process that honours file modes. Under root they run
 * in a child process as `nobody` (uid 65534); when that is impossible they are
 * skipped with the reason.
 */
import { strict as assert } from 'node:assert';
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { bundledPriceTable } from '../../../src/core/pricing/price-table';
import { buildReport, type Report } from '../../../src/core/report';
import { runCli } from '../support/cli';
import { LiveSource } from '../../../src/node/live/live-source';
import { assistantLine } from '../support/lines';
import {
  canRunAsNobody,
  closeUSD,
  coldReport,
  lastJson,
  NOBODY,
  permissionsIgnored,
  removeTree,
  runNodeScript,
  sleep,
  tempDir,
  tokenTotals,
  waitFor,
} from './helpers';

const S = 'eeeeeeee-0000-4000-8000-000000000001';
const T = 'eeeeeeee-0000-4000-8000-000000000002';

/** One assistant line; `id === null` makes a line that is never de-duplicated (a double read would show). */
const line = (id: string | null, output: number, session = S): string => `${assistantLine({ session, id, req: id === null ? null : `r_${id}`, output, input: 1 })}\n`;

/** Live and cold reports agree on every token total, the cost and the skipped lines. */
function sameAsCold(live: Report, cold: Report): boolean {
  return (
    JSON.stringify(tokenTotals(live)) === JSON.stringify(tokenTotals(cold)) &&
    closeUSD(live.totals.costUSD, cold.totals.costUSD) &&
    live.skipped.malformedLines === cold.skipped.malformedLines &&
    live.sessions.length === cold.sessions.length
  );
}

/** How this run can test permission denial: in-process, as `nobody` in a child, or not at all. */
type PermissionMode = { kind: 'in-process' } | { kind: 'nobody' } | { kind: 'skip'; reason: string };
let permissionModeCache: PermissionMode | undefined;
function permissionMode(): PermissionMode {
  if (!permissionModeCache) {
    if (!permissionsIgnored()) {
      permissionModeCache = { kind: 'in-process' };
    } else if (canRunAsNobody()) {
      permissionModeCache = { kind: 'nobody' };
    } else {
      permissionModeCache = { kind: 'skip', reason: 'this process ignores file modes (root or CAP_DAC_OVERRIDE) and cannot start a child as nobody, so chmod 000 denies nothing' };
    }
  }
  return permissionModeCache;
}

describe('hardening: file-system faults under a real watcher', function () {
  this.timeout(60_000);
  let home = '';
  let source: LiveSource | undefined;
  const logs: string[] = [];
  const projects = () => path.join(home, '.claude', 'projects');
  const file = (session: string, project = '-work-p') => path.join(projects(), project, `${session}.jsonl`);
  const live = () => buildReport(source!.engine);
  const cold = () => coldReport([projects()]).report;

  beforeEach(() => {
    home = tempDir('ccm-faults-');
    logs.length = 0;
  });

  afterEach(async () => {
    await source?.dispose();
    source = undefined;
    removeTree(home);
  });

  async function start(options: { rootPollMs?: number } = {}): Promise<LiveSource> {
    source = new LiveSource({
      prices: bundledPriceTable(),
      timeZone: 'UTC',
      env: {},
      home,
      rootPollMs: options.rootPollMs ?? 100,
      log: (level, message) => {
        logs.push(`${level} ${message}`);
        if (process.env.CCM_DEBUG) {
          console.log(level, message);
        }
      },
    });
    await source.start();
    return source;
  }

  /** Waits until the live view equals a cold scan of the final state, then asserts it (with a readable diff). */
  async function assertConverges(what: string, timeoutMs = 10_000): Promise<void> {
    try {
      await waitFor(what, () => sameAsCold(live(), cold()), timeoutMs);
    } catch {
      // fall through to the assertion, which shows the difference
    }
    const l = live();
    const c = cold();
    assert.deepEqual(tokenTotals(l), tokenTotals(c), `${what}: live totals differ from a cold scan of the final state`);
    assert.ok(closeUSD(l.totals.costUSD, c.totals.costUSD), `${what}: cost ${l.totals.costUSD} != ${c.totals.costUSD}`);
    assert.equal(l.skipped.malformedLines, c.skipped.malformedLines, `${what}: malformed lines`);
    assert.equal(l.sessions.length, c.sessions.length, `${what}: sessions`);
  }

  it('survives truncation, replacement by rename, deletion and re-creation while a writer keeps appending', async () => {
    fs.mkdirSync(path.dirname(file(S)), { recursive: true });
    let seed = '';
    for (let i = 0; i < 40; i++) {
      seed += line(i % 3 === 0 ? null : `seed${i}`, 10 + i);
    }
    fs.writeFileSync(file(S), seed);
    fs.writeFileSync(file(T), line('other', 1000, T));
    await start();
    await assertConverges('initial scan');

    let stop = false;
    let n = 0;
    const writer = (async () => {
      while (!stop) {
        // appendFileSync re-creates the file after a deletion, like Claude Code would.
        fs.appendFileSync(file(S), line(n % 2 === 0 ? null : `w${n}`, 1 + (n % 7)));
        n++;
        await sleep(4);
      }
    })();
    try {
      await sleep(400);
      fs.truncateSync(file(S), 0);
      await sleep(400);
      const tmp = `${file(S)}.tmp`;
      fs.writeFileSync(tmp, line('replaced1', 500) + line(null, 501));
      fs.renameSync(tmp, file(S));
      await sleep(400);
      fs.rmSync(file(S));
      await sleep(400);
      fs.rmSync(file(S), { force: true });
      fs.writeFileSync(file(S), line('recreated', 700));
      await sleep(400);
    } finally {
      stop = true;
      await writer;
    }
    assert.ok(n > 50, `the writer appended only ${n} lines`);
    await assertConverges('after truncate/replace/delete/re-create under appends');
    assert.equal(live().totals.outputTokens > 700, true);
    assert.equal([...source!.engine.allFiles()].length, 2, 'files known to the engine');
  });

  // BUG: an in-place rewrite to LONGER content (same inode: fs.writeFileSync,
  // `>` in a shell, O_TRUNC then write) is taken for an append: catchUp in
  // src/node/file-cursor.ts only re-reads when the size shrank or the inode
  // changed, so it reads the new bytes from the old offset. Repro: file = line
  // a (output 10); start; writeFileSync(file, line b (100) + line c (1000));
  // live shows 1010, a cold scan 1100. Fix: keep in CursorState a fingerprint
  // of the bytes just before `offset` (e.g. the last 64 bytes, or at least
  // check that byte offset-1 is still "\n" and compare a hash of the last
  // line) and re-read from 0 when it no longer matches; st.ctimeMs/birthtime
  // alone cannot tell an append from a rewrite.
  it('re-reads a file rewritten in place to longer content, instead of taking it for an append', async () => {
    fs.mkdirSync(path.dirname(file(S)), { recursive: true });
    fs.writeFileSync(file(S), line('a', 10));
    await start();
    fs.writeFileSync(file(S), line('b', 100) + line('c', 1000));
    await assertConverges('in-place rewrite');
  });

  it('ignores a FIFO, a socket and dangling or looping symlinks named *.jsonl at start, without blocking', async function () {
    if (process.platform === 'win32') {
      this.skip();
    }
    const dir = path.dirname(file(S));
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file(S), line('a', 10));
    cp.execFileSync('mkfifo', [path.join(dir, 'fifo.jsonl')]);
    fs.symlinkSync(path.join(dir, 'missing.jsonl'), path.join(dir, 'dangling.jsonl'));
    fs.symlinkSync(path.join(dir, 'ring-b.jsonl'), path.join(dir, 'ring-a.jsonl'));
    fs.symlinkSync(path.join(dir, 'ring-a.jsonl'), path.join(dir, 'ring-b.jsonl'));
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(path.join(dir, 'sock.jsonl'), resolve));
    interface Out {
      startMs: number;
      first: number;
      afterAppend: number;
      live: Record<string, number>;
      cold: Record<string, number>;
      liveMalformed: number;
      coldMalformed: number;
    }
    try {
      // In a child process: a FIFO opened by mistake would block its event loop for good (see the BUG below).
      const r = await runNodeScript(
        `
        const fs = require('node:fs'); const path = require('node:path');
        const { LiveSource } = require(COMPILED + '/src/node/live-source.js');
        const { bundledPriceTable } = require(COMPILED + '/src/core/pricing/price-table.js');
        const { buildReport } = require(COMPILED + '/src/core/report.js');
        const { coldReport, tokenTotals, waitFor, sleep } = require(COMPILED + '/test/unit/hardening/helpers.js');
        const dir = ${JSON.stringify(dir)};
        (async () => {
          const s = new LiveSource({ prices: bundledPriceTable(), timeZone: 'UTC', env: {}, home: ${JSON.stringify(home)}, rootPollMs: 100 });
          const t0 = Date.now();
          await s.start();
          const startMs = Date.now() - t0;
          const out = () => buildReport(s.engine).totals.outputTokens;
          const first = out();
          fs.appendFileSync(${JSON.stringify(file(S))}, ${JSON.stringify(line('b', 5))});
          await waitFor('append next to special files', () => out() === 15).catch(() => {});
          const afterAppend = out();
          // A dangling symlink appearing later is not a crash either.
          fs.symlinkSync(path.join(dir, 'nowhere.jsonl'), path.join(dir, 'late-dangling.jsonl'));
          await sleep(400);
          const l = buildReport(s.engine);
          const c = coldReport(s.projectsDirs).report;
          await s.dispose();
          console.log(JSON.stringify({ startMs, first, afterAppend, live: tokenTotals(l), cold: tokenTotals(c), liveMalformed: l.skipped.malformedLines, coldMalformed: c.skipped.malformedLines }));
        })().catch((e) => { console.error(e); process.exit(3); });`,
        { timeoutMs: 25_000 },
      );
      assert.equal(r.timedOut, false, `the LiveSource process hung (killed after ${r.ms} ms)`);
      assert.equal(r.status, 0, r.stderr);
      const out = lastJson<Out>(r);
      assert.ok(out.startMs < 10_000, `start took ${out.startMs} ms`);
      assert.equal(out.first, 10);
      assert.equal(out.afterAppend, 15);
      assert.deepEqual(out.live, out.cold, 'live == cold scan of the final state');
      assert.equal(out.liveMalformed, out.coldMalformed);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  // BUG: a FIFO named *.jsonl that appears under projects/ after start blocks
  // the whole process: the watcher reports it, LiveSource.readPaths ->
  // catchUp -> readLinesSync -> fs.openSync(fifo, 'r') waits forever for a
  // writer (in the extension host: a frozen host). The cold scan is safe
  // (listTranscriptFiles keeps only isFile()). Repro: start a LiveSource on
  // an empty projects/-w/, then `mkfifo projects/-w/b.jsonl`: the event loop
  // never runs again. Fix in src/node/file-cursor.ts catchUp: after statSync,
  // treat !st.isFile() like a deleted file (withdraw it, return 'gone'); as
  // a second guard open with fs.constants.O_RDONLY | O_NONBLOCK.
  it('does not block the event loop when a FIFO named *.jsonl appears after start', async function () {
    const dir = path.dirname(file(S));
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file(S), line('a', 10));
    const r = await runNodeScript(
      `
      const path = require('node:path'); const cp = require('node:child_process');
      const { LiveSource } = require(COMPILED + '/src/node/live-source.js');
      const { bundledPriceTable } = require(COMPILED + '/src/core/pricing/price-table.js');
      (async () => {
        const s = new LiveSource({ prices: bundledPriceTable(), timeZone: 'UTC', env: {}, home: ${JSON.stringify(home)}, rootPollMs: 0 });
        await s.start();
        let last = Date.now(); let maxGap = 0;
        const iv = setInterval(() => { const t = Date.now(); maxGap = Math.max(maxGap, t - last); last = t; }, 20);
        cp.execFileSync('mkfifo', [${JSON.stringify(path.join(dir, 'late.jsonl'))}]);
        await new Promise((r) => setTimeout(r, 1500));
        clearInterval(iv);
        console.log(JSON.stringify({ maxGap }));
        await s.dispose();
      })();`,
      { timeoutMs: 10_000 },
    );
    assert.equal(r.timedOut, false, `the process hung (killed after ${r.ms} ms): ${r.stderr}`);
    assert.ok(lastJson<{ maxGap: number }>(r).maxGap < 1000, r.stdout);
  });

  it('reports an unreadable file and an unreadable folder (chmod 000), keeps counting the rest, and matches a cold scan', async function () {
    const mode = permissionMode();
    if (mode.kind === 'skip') {
      this.skip();
    }
    fs.mkdirSync(path.dirname(file(S)), { recursive: true });
    fs.writeFileSync(file(S), line('a', 10) + line(null, 20));
    fs.writeFileSync(file(T), line('t', 300, T));
    const lockedDir = path.join(projects(), '-work-locked');
    fs.mkdirSync(lockedDir);
    fs.writeFileSync(path.join(lockedDir, `${T}.jsonl`), line('hidden', 4000, T));
    fs.chmodSync(file(T), 0o000);
    fs.chmodSync(lockedDir, 0o000);
    interface Out {
      live: Record<string, number>;
      cold: Record<string, number>;
      liveProblems: string[];
      coldProblems: string[];
    }
    // The same script runs in-process (non-root) or as nobody (root).
    const script = `
      const fs = require('node:fs');
      const { LiveSource } = require(COMPILED + '/src/node/live-source.js');
      const { bundledPriceTable } = require(COMPILED + '/src/core/pricing/price-table.js');
      const { buildReport } = require(COMPILED + '/src/core/report.js');
      const { coldReport, tokenTotals, waitFor } = require(COMPILED + '/test/unit/hardening/helpers.js');
      (async () => {
        const s = new LiveSource({ prices: bundledPriceTable(), timeZone: 'UTC', env: {}, home: ${JSON.stringify(home)}, rootPollMs: 0 });
        await s.start();
        const c = coldReport(s.projectsDirs);
        const out = {
          live: tokenTotals(buildReport(s.engine)),
          cold: tokenTotals(c.report),
          liveProblems: s.problems.map((p) => p.path),
          coldProblems: c.summary.problems.map((p) => p.path),
        };
        console.log(JSON.stringify(out));
        await s.dispose();
      })().catch((e) => { console.error(e); process.exit(3); });`;
    let out: Out;
    if (mode.kind === 'nobody') {
      const r = await runNodeScript(script, { uid: NOBODY, timeoutMs: 20_000 });
      assert.equal(r.timedOut, false, 'child hung');
      assert.equal(r.status, 0, r.stderr);
      out = lastJson<Out>(r);
    } else {
      await start();
      const c = coldReport([projects()]);
      out = {
        live: tokenTotals(live()),
        cold: tokenTotals(c.report),
        liveProblems: source!.problems.map((p) => p.path),
        coldProblems: c.summary.problems.map((p) => p.path),
      };
    }
    assert.equal(out.live.outputTokens, 30, 'the readable file is counted');
    assert.deepEqual(out.live, out.cold, 'live == cold scan of the same state');
    for (const problems of [out.liveProblems, out.coldProblems]) {
      assert.ok(problems.includes(file(T)), `unreadable file reported: ${problems.join(', ')}`);
      assert.ok(problems.includes(lockedDir), `unreadable folder reported: ${problems.join(', ')}`);
    }
  });

  it('terminates on symlink loops under projects/ and counts each file once', async () => {
    const dir = path.dirname(file(S));
    fs.mkdirSync(path.join(dir, S, 'subagents'), { recursive: true });
    fs.writeFileSync(file(S), line('a', 10) + line(null, 20));
    fs.writeFileSync(path.join(dir, S, 'subagents', 'agent-x.jsonl'), `${assistantLine({ session: S, id: null, output: 5, side: true })}\n`);
    fs.symlinkSync('..', path.join(dir, 'to-parent')); // -work-p/to-parent -> projects/
    fs.symlinkSync('.', path.join(dir, 'to-self'));
    fs.symlinkSync('../..', path.join(dir, S, 'subagents', 'up-two')); // -> -work-p/
    fs.symlinkSync(path.join(dir, 'loop-b'), path.join(dir, 'loop-a'));
    fs.symlinkSync(path.join(dir, 'loop-a'), path.join(dir, 'loop-b'));
    const started = Date.now();
    await start();
    assert.ok(Date.now() - started < 15_000, 'start took too long');
    assert.equal([...source!.engine.allFiles()].length, 2, `files: ${[...source!.engine.allFiles()].map((f) => f.path).join(', ')}`);
    assert.equal(live().totals.outputTokens, 35);
    const c = coldReport([projects()]);
    assert.equal(c.summary.files, 2);
    await assertConverges('symlink loops');
    fs.appendFileSync(file(S), line(null, 100));
    await waitFor('append beside loops', () => live().totals.outputTokens === 135);
    await sleep(400);
    await assertConverges('symlink loops after an append');
  });

  // BUG: the cold scan follows symlinked folders (listTranscriptFiles) but the
  // watcher did not (chokidar `followSymlinks: false`, before the own watcher), so appends and new
  // files behind a symlink are never seen live. Most visible case: a
  // `~/.claude/projects` that is itself a symlink (history moved to another
  // disk): the status bar freezes at the cold-scan total. Repro:
  // projects -> /data/projects; start; append a line: live stays, a cold scan
  // moves. Same for a project folder symlinked into projects/. And when a
  // symlinked alias of a folder is walked before the real one (readdir
  // order), the scan registers files under the alias path while the watcher
  // reports the real path, so the file is read twice (id-less lines and
  // malformed lines double-counted). Fix in src/node/live-source.ts and
  // scan.ts: key every file by its real path (fs.realpathSync) in the scan,
  // the cursors and relativeOf, and watch the real path of every projects/
  // folder and of every symlinked folder met by listTranscriptFiles.
  it('follows appends in a projects/ folder that is a symlink, and in a symlinked project folder', async () => {
    const data = path.join(home, 'data');
    fs.mkdirSync(path.join(data, 'projects', '-work-p'), { recursive: true });
    fs.mkdirSync(path.join(data, 'elsewhere'), { recursive: true });
    fs.mkdirSync(path.join(home, '.claude'));
    fs.symlinkSync(path.join(data, 'projects'), projects());
    fs.symlinkSync(path.join(data, 'elsewhere'), path.join(data, 'projects', '-work-linked'));
    fs.writeFileSync(file(S), line('a', 10));
    fs.writeFileSync(file(T, '-work-linked'), line('t', 100, T));
    await start();
    assert.equal(live().totals.outputTokens, 110);
    fs.appendFileSync(file(S), line('b', 5));
    fs.appendFileSync(file(T, '-work-linked'), line(null, 50, T));
    await assertConverges('appends behind symlinks', 4000);
  });

  it('cold-scans 10,000 small files with exact totals in reasonable time, and still sees appends', async function () {
    this.timeout(120_000);
    let expectedOutput = 0;
    let expectedMessages = 0;
    for (let p = 0; p < 100; p++) {
      const dir = path.join(projects(), `-work-p${p}`);
      fs.mkdirSync(dir, { recursive: true });
      for (let i = 0; i < 100; i++) {
        const k = p * 100 + i;
        const session = `eeeeeeee-0000-4000-8000-${String(k).padStart(12, '0')}`;
        const output = 1 + (k % 997);
        // Every 10th line has no message id (never de-duplicated).
        fs.writeFileSync(path.join(dir, `${session}.jsonl`), line(k % 10 === 0 ? null : `m${k}`, output, session) + (k % 50 === 0 ? 'torn{\n' : ''));
        expectedOutput += output;
        expectedMessages++;
      }
    }
    const t0 = Date.now();
    const c = coldReport([projects()]);
    const coldMs = Date.now() - t0;
    assert.equal(c.summary.files, 10_000);
    assert.equal(c.report.totals.outputTokens, expectedOutput);
    assert.equal(c.report.totals.messages, expectedMessages);
    assert.equal(c.report.skipped.malformedLines, 200);
    assert.ok(coldMs < 20_000, `synchronous cold scan took ${coldMs} ms`);

    const t1 = Date.now();
    await start();
    const liveMs = Date.now() - t1;
    assert.equal(source!.state.kind, 'ready');
    assert.equal(live().totals.outputTokens, expectedOutput);
    assert.equal(live().totals.messages, expectedMessages);
    assert.equal(live().skipped.malformedLines, 200);
    assert.equal(live().sessions.length, 10_000);
    assert.ok(liveMs < 45_000, `LiveSource start (workers + watcher) took ${liveMs} ms`);
    const target = path.join(projects(), '-work-p99', `eeeeeeee-0000-4000-8000-${String(9999).padStart(12, '0')}.jsonl`);
    fs.appendFileSync(target, line(null, 12_345, `eeeeeeee-0000-4000-8000-${String(9999).padStart(12, '0')}`));
    await waitFor('an append among 10,000 watched files', () => live().totals.outputTokens === expectedOutput + 12_345, 15_000);
    if (process.env.CCM_DEBUG) {
      console.log(`10,000 files: cold ${coldMs} ms, live start ${liveMs} ms`);
    }
  });

  it('picks up Claude folders that appear after start, with files already in them, and a second root later', async () => {
    const s = await start();
    assert.equal(s.state.kind, 'empty');
    // ~/.claude/projects appears with 30 transcripts at once, one still being written.
    const staging = path.join(home, 'staging');
    for (let i = 0; i < 30; i++) {
      const session = `eeeeeeee-0000-4000-8000-1000000000${String(i).padStart(2, '0')}`;
      const dir = path.join(staging, 'projects', `-work-late${i % 3}`);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `${session}.jsonl`), line(i % 4 === 0 ? null : `late${i}`, 10 + i, session));
    }
    fs.renameSync(staging, path.join(home, '.claude'));
    fs.appendFileSync(file(S, '-work-late0'), line(null, 1000));
    await waitFor('first root', () => s.state.kind === 'ready' && live().totals.outputTokens > 1000, 10_000);
    // Then the XDG root (~/.config/claude) appears too.
    const xdg = path.join(home, '.config', 'claude', 'projects', '-work-xdg');
    fs.mkdirSync(xdg, { recursive: true });
    fs.writeFileSync(path.join(xdg, `${T}.jsonl`), line('xdg', 5000, T));
    await waitFor('second root', () => s.projectsDirs.length === 2, 10_000);
    await sleep(500);
    const l = live();
    const c = coldReport(s.projectsDirs).report;
    assert.deepEqual(tokenTotals(l), tokenTotals(c));
    assert.equal(l.totals.outputTokens, 6000 + 30 * 10 + (29 * 30) / 2);
  });

  describe('CLI on config dirs it cannot read', () => {
    let dir = '';
    beforeEach(() => {
      dir = tempDir('ccm-cli-faults-');
    });
    afterEach(() => {
      removeTree(dir);
    });

    const oneLine = (r: { code: number; stdout: string; stderr: string }, code: number, pattern: RegExp): void => {
      assert.equal(r.code, code, r.stderr);
      assert.equal(r.stdout, '', 'nothing on stdout');
      assert.equal(r.stderr.split('\n').length, 2, `exactly one line: ${JSON.stringify(r.stderr)}`);
      assert.match(r.stderr, pattern);
    };

    /** Runs main() with PassThrough streams: here, or in a child as nobody when we are root. */
    async function cliDenied(args: string[], mode: PermissionMode): Promise<{ code: number; stdout: string; stderr: string }> {
      // No index: `nobody` has no writable home for one, and this test is about reading.
      const argv = [...args, '--no-cache'];
      if (mode.kind === 'in-process') {
        return runCli(argv);
      }
      const r = await runNodeScript(
        `
        const { PassThrough } = require('node:stream');
        const { main } = require(COMPILED + '/src/node/cli.js');
        const out = new PassThrough(); const err = new PassThrough(); let o = ''; let e = '';
        out.on('data', (c) => (o += c)); err.on('data', (c) => (e += c));
        main(${JSON.stringify(argv)}, out, err).then((code) => setImmediate(() => console.log(JSON.stringify({ code, stdout: o, stderr: e }))));`,
        { uid: NOBODY },
      );
      assert.equal(r.status, 0, r.stderr);
      return lastJson(r);
    }

    it('exits 2 with one line for a config dir or projects/ folder that cannot be read (chmod 000)', async function () {
      const mode = permissionMode();
      if (mode.kind === 'skip') {
        this.skip();
      }
      const locked = path.join(dir, 'locked');
      fs.mkdirSync(path.join(locked, 'projects'), { recursive: true });
      fs.chmodSync(locked, 0o000);
      oneLine(await cliDenied(['report', '--json', '--config-dir', locked], mode), 2, /^claude-cost: cannot read config dir ".*locked": permission denied\n$/);
      fs.chmodSync(locked, 0o755);
      fs.chmodSync(path.join(locked, 'projects'), 0o000);
      oneLine(await cliDenied(['report', '--config-dir', locked], mode), 2, /^claude-cost: cannot read config dir ".*locked": permission denied\n$/);
    });

    it('skips an unreadable project folder and file with a warning and reports the rest', async function () {
      const mode = permissionMode();
      if (mode.kind === 'skip') {
        this.skip();
      }
      const root = path.join(dir, 'claude');
      fs.mkdirSync(path.join(root, 'projects', '-work-ok'), { recursive: true });
      fs.mkdirSync(path.join(root, 'projects', '-work-locked'), { recursive: true });
      fs.writeFileSync(path.join(root, 'projects', '-work-ok', `${S}.jsonl`), line('ok', 10));
      fs.writeFileSync(path.join(root, 'projects', '-work-ok', `${T}.jsonl`), line('locked-file', 20, T));
      fs.writeFileSync(path.join(root, 'projects', '-work-locked', `${T}.jsonl`), line('locked-dir', 40, T));
      fs.chmodSync(path.join(root, 'projects', '-work-ok', `${T}.jsonl`), 0o000);
      fs.chmodSync(path.join(root, 'projects', '-work-locked'), 0o000);
      const r = await cliDenied(['report', '--json', '--config-dir', root], mode);
      assert.equal(r.code, 0, r.stderr);
      const report = JSON.parse(r.stdout) as Report;
      assert.equal(report.totals.outputTokens, 10);
      const warnings = r.stderr.trim().split('\n');
      assert.equal(warnings.filter((w) => /^claude-cost: skipped .*-work-locked: /.test(w)).length, 1, r.stderr);
      assert.equal(warnings.filter((w) => new RegExp(`^claude-cost: skipped .*${T}\\.jsonl: `).test(w)).length, 1, r.stderr);
    });

    it('exits 2 with one line for a config dir that is a file, a FIFO, a dangling symlink or a symlink loop', async () => {
      const plain = path.join(dir, 'plain');
      fs.writeFileSync(plain, 'x');
      const fifo = path.join(dir, 'fifo');
      cp.execFileSync('mkfifo', [fifo]);
      const dangling = path.join(dir, 'dangling');
      fs.symlinkSync(path.join(dir, 'nowhere'), dangling);
      const loop = path.join(dir, 'loop');
      fs.symlinkSync(loop, loop);
      for (const [p, why] of [
        [plain, 'not a directory'],
        [fifo, 'not a directory'],
        [dangling, 'no such directory'],
        [loop, 'no such directory'],
      ] as const) {
        oneLine(await runCli(['report', '--json', '--config-dir', p]), 2, new RegExp(`^claude-cost: cannot read config dir ".*${path.basename(p)}": ${why}\\n$`));
      }
    });
  });
});
