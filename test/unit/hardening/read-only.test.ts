/**
 * Read-only guarantee (README: "never writes under Claude's folders"): the CLI
 * scan and a LiveSource run against a tree made read-only with chmod -R a-w,
 * and every entry under it (content hash, size, mode, mtime, ctime, inode,
 * folder listing, symlink target) is the same afterwards.
 *
 * Under root the modes do not stop writes, which makes the snapshot the real
 * check; main-thread fs calls that would write under the tree are also
 * recorded while the code runs (workers have their own fs and are covered by
 * the snapshot only).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
// The module object itself (not the namespace copy of `import * as`), so its functions can be wrapped.
import nodeFs from 'node:fs';
import * as path from 'node:path';
import { bundledPriceTable } from '../../../src/core/pricing/price-table';
import { buildReport } from '../../../src/core/report';
import { runCli } from '../support/cli';
import { LiveSource } from '../../../src/node/live/live-source';
import { assistantLine } from '../support/lines';
import { diffSnapshots, removeTree, repoRoot, sleep, snapshotTree, tempDir, type TreeEntry } from './helpers';

const GOLDEN = path.join(repoRoot(), 'test', 'fixtures', 'golden', 'projects');
const S = 'abababab-0000-4000-8000-000000000001';

function chmodTree(p: string, remove: boolean): void {
  const st = fs.lstatSync(p);
  if (st.isSymbolicLink()) {
    return;
  }
  if (st.isDirectory()) {
    for (const n of fs.readdirSync(p)) {
      chmodTree(path.join(p, n), remove);
    }
  }
  // a-w, like chmod -R a-w (and u+w back for clean-up).
  fs.chmodSync(p, remove ? st.mode & 0o7555 : st.mode | 0o200);
}

type FsModule = Record<string, unknown>;
const WRITERS = [
  'writeFileSync', 'appendFileSync', 'mkdirSync', 'mkdtempSync', 'renameSync', 'unlinkSync', 'rmSync', 'rmdirSync', 'truncateSync',
  'chmodSync', 'chownSync', 'utimesSync', 'lutimesSync', 'symlinkSync', 'linkSync', 'copyFileSync', 'cpSync',
  'writeFile', 'appendFile', 'mkdir', 'rename', 'unlink', 'rm', 'rmdir', 'truncate', 'chmod', 'utimes', 'symlink', 'copyFile', 'createWriteStream',
];

/** Records main-thread fs calls that would write under `root` (openSync/open with a write flag included). */
function recordWrites(root: string): { calls: string[]; restore: () => void } {
  const calls: string[] = [];
  const saved: Array<[FsModule, string, unknown]> = [];
  const under = (p: unknown): boolean => (typeof p === 'string' || p instanceof URL || Buffer.isBuffer(p)) && path.resolve(String(p instanceof URL ? p.pathname : p)).startsWith(root);
  const patch = (mod: FsModule, name: string, isWrite: (args: unknown[]) => boolean): void => {
    const original = mod[name];
    if (typeof original !== 'function') {
      return;
    }
    saved.push([mod, name, original]);
    mod[name] = function (this: unknown, ...args: unknown[]) {
      if (isWrite(args)) {
        calls.push(`${name}(${String(args[0])})`);
      }
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    };
  };
  const writeFlag = (flags: unknown): boolean => (typeof flags === 'string' ? /[wa+]/.test(flags) : typeof flags === 'number' ? (flags & (fs.constants.O_WRONLY | fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_APPEND)) !== 0 : false);
  const fsAny = nodeFs as unknown as FsModule;
  const promisesAny = nodeFs.promises as unknown as FsModule;
  for (const name of WRITERS) {
    patch(fsAny, name, (a) => under(a[0]) || under(a[1]));
    patch(promisesAny, name, (a) => under(a[0]) || under(a[1]));
  }
  for (const name of ['openSync', 'open']) {
    patch(fsAny, name, (a) => under(a[0]) && writeFlag(a[1]));
    patch(promisesAny, name, (a) => under(a[0]) && writeFlag(a[1]));
  }
  return {
    calls,
    restore: () => {
      for (const [mod, name, original] of saved.reverse()) {
        mod[name] = original;
      }
    },
  };
}

describe('hardening: read-only Claude folders are never written', function () {
  this.timeout(60_000);
  let home = '';
  let before: Map<string, TreeEntry> = new Map();
  const claude = () => path.join(home, '.claude');
  const xdg = () => path.join(home, '.config', 'claude');

  beforeEach(() => {
    home = tempDir('ccm-readonly-');
    fs.cpSync(GOLDEN, path.join(claude(), 'projects'), { recursive: true });
    const live = path.join(xdg(), 'projects', '-work-ro');
    fs.mkdirSync(path.join(live, S, 'subagents'), { recursive: true });
    fs.writeFileSync(path.join(live, `${S}.jsonl`), `${assistantLine({ session: S, id: 'ro1', output: 7 })}\nnot json\n${assistantLine({ session: S, id: 'ro2', output: 3 }).slice(0, 40)}`);
    fs.writeFileSync(path.join(live, S, 'subagents', 'agent-ro.jsonl'), `${assistantLine({ session: S, id: 'ro3', output: 2, side: true })}\n`);
    fs.writeFileSync(path.join(live, S, 'subagents', 'agent-ro.meta.json'), '{"agentType":"Explore","description":"read-only"}');
    fs.writeFileSync(path.join(claude(), 'settings.json'), '{}');
    fs.symlinkSync('..', path.join(live, 'loop'));
    chmodTree(home, true);
    before = snapshotTree(home);
    // The tree really is read-only as far as the modes go.
    assert.equal(before.get('.')?.mode && before.get('.')!.mode & 0o222, 0);
  });

  afterEach(() => {
    if (home !== '' && fs.existsSync(home)) {
      chmodTree(home, false);
    }
    removeTree(home);
  });

  function assertUntouched(what: string): void {
    const diffs = diffSnapshots(before, snapshotTree(home));
    assert.deepEqual(diffs, [], `${what} changed the read-only tree:\n${diffs.join('\n')}`);
  }

  it('the CLI (--json and tables, both roots) creates and modifies nothing', async () => {
    const rec = recordWrites(home);
    const runs: Array<{ code: number; stdout: string; stderr: string }> = [];
    try {
      for (const argv of [
        ['report', '--json', '--config-dir', claude(), '--config-dir', xdg()],
        ['report', '--config-dir', path.join(claude(), 'projects'), '--tz', 'UTC'],
        ['report', '--json', '--config-dir', xdg(), '--since', '2026-01-01'],
      ]) {
        runs.push(await runCli(argv));
      }
    } finally {
      rec.restore();
    }
    for (const r of runs) {
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.stdout.length > 0);
    }
    const report = JSON.parse(runs[0]?.stdout ?? '') as { totals: { outputTokens: number; messages: number } };
    assert.equal(report.totals.outputTokens, 5390 + 7 + 2, 'the golden tree plus the extra root were read');
    assert.deepEqual(rec.calls, [], 'write calls under the tree');
    assertUntouched('the CLI');
  });

  it('a LiveSource (cold scan in workers, watcher, rescan) creates and modifies nothing', async () => {
    const rec = recordWrites(home);
    let outputTokens = 0;
    try {
      const source = new LiveSource({ prices: bundledPriceTable(), timeZone: 'UTC', env: {}, home, rootPollMs: 50 });
      try {
        await source.start();
        assert.equal(source.state.kind, 'ready');
        assert.equal(source.projectsDirs.length, 2);
        await sleep(400);
        await source.rescan();
        await sleep(400);
        outputTokens = buildReport(source.engine).totals.outputTokens;
      } finally {
        await source.dispose();
      }
    } finally {
      rec.restore();
    }
    assert.equal(outputTokens, 5390 + 7 + 2);
    assert.deepEqual(rec.calls, [], 'write calls under the tree');
    assertUntouched('the LiveSource');
  });
});
