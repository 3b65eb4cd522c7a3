/**
 * Shared helpers of the hardening suite (fuzzing, file-system faults,
 * read-only trees, no network). Not a test file itself.
 */
import * as cp from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { Engine } from '../../../src/core/engine';
import { bundledPriceTable } from '../../../src/core/pricing/price-table';
import { buildReport, type Report } from '../../../src/core/report';
import { scanAllSync, type ScanSummary } from '../support/scan';

/** The repository root: the nearest folder above this file with our package.json (works from any outDir). */
export function repoRoot(): string {
  for (const start of [__dirname, process.cwd()]) {
    let dir = start;
    for (;;) {
      const pkg = path.join(dir, 'package.json');
      if (fs.existsSync(pkg) && fs.existsSync(path.join(dir, 'src', 'node', 'cli', 'cli.ts'))) {
        return dir;
      }
      const up = path.dirname(dir);
      if (up === dir) {
        break;
      }
      dir = up;
    }
  }
  throw new Error('repository root not found');
}

export async function waitFor(what: string, predicate: () => boolean, timeoutMs = 8000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await sleep(25);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A fresh temp folder (mode 0755 so a child process running as `nobody` can traverse it). */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755);
  return dir;
}

/** Removes a temp tree even when tests made parts of it unreadable or read-only. */
export function removeTree(dir: string): void {
  if (dir === '' || !fs.existsSync(dir)) {
    return;
  }
  const restore = (p: string): void => {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch {
      return;
    }
    if (st.isSymbolicLink()) {
      return;
    }
    try {
      fs.chmodSync(p, st.isDirectory() ? 0o755 : 0o644);
    } catch {
      // best effort
    }
    if (st.isDirectory()) {
      for (const name of fs.readdirSync(p)) {
        restore(path.join(p, name));
      }
    }
  };
  restore(dir);
  fs.rmSync(dir, { recursive: true, force: true });
}

/** A fresh cold scan (no watcher, no workers) of the given `projects/` folders: the ground truth of a final state. */
export function coldReport(projectsDirs: readonly string[]): { report: Report; summary: ScanSummary } {
  const engine = new Engine({ prices: bundledPriceTable(), timeZone: 'UTC' });
  const summary = scanAllSync(engine, projectsDirs);
  return { report: buildReport(engine), summary };
}

/** The token and message totals of a report (cost compared separately, with a tolerance). */
export function tokenTotals(r: Report): Record<string, number> {
  const t = r.totals;
  return {
    inputTokens: t.inputTokens,
    outputTokens: t.outputTokens,
    cacheWrite5mTokens: t.cacheWrite5mTokens,
    cacheWrite1hTokens: t.cacheWrite1hTokens,
    cacheReadTokens: t.cacheReadTokens,
    webSearchRequests: t.webSearchRequests,
    messages: t.messages,
    unpricedMessages: t.unpricedMessages,
  };
}

export function closeUSD(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

let gcFn: (() => void) | undefined;

/** A full garbage collection (exposed at run time so mocha needs no flag). */
export function collectGarbage(): void {
  if (!gcFn) {
    v8.setFlagsFromString('--expose-gc');
    gcFn = vm.runInNewContext('gc') as () => void;
  }
  gcFn();
  gcFn();
}

/** True when this process ignores file permission bits (root, or CAP_DAC_OVERRIDE). */
export function permissionsIgnored(): boolean {
  const probe = tempDir('ccm-perm-');
  try {
    const f = path.join(probe, 'f');
    fs.writeFileSync(f, 'x');
    fs.chmodSync(f, 0o000);
    try {
      fs.readFileSync(f);
      return true;
    } catch {
      return false;
    }
  } finally {
    removeTree(probe);
  }
}

export const NOBODY = 65534;

/** Whether we can run a child process as `nobody` (we are root and nobody can read the compiled tests). */
export function canRunAsNobody(): boolean {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return false;
  }
  const r = cp.spawnSync(process.execPath, ['-e', `require(${JSON.stringify(__filename)})`], { uid: NOBODY, gid: NOBODY, encoding: 'utf8', timeout: 15_000 });
  return r.status === 0;
}

export interface TreeEntry {
  kind: 'file' | 'dir' | 'symlink' | 'other';
  mode: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  /** sha256 of a file, the sorted listing of a folder, or a symlink's target. */
  digest: string;
}

/** Every entry under `root` (lstat, not following symlinks), with content hashes and folder listings. */
export function snapshotTree(root: string): Map<string, TreeEntry> {
  const out = new Map<string, TreeEntry>();
  const visit = (p: string): void => {
    const st = fs.lstatSync(p);
    const rel = path.relative(root, p) || '.';
    const base = { mode: st.mode, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino };
    if (st.isSymbolicLink()) {
      out.set(rel, { ...base, kind: 'symlink', digest: fs.readlinkSync(p) });
    } else if (st.isDirectory()) {
      const names = fs.readdirSync(p).sort();
      out.set(rel, { ...base, kind: 'dir', digest: names.join('\n') });
      for (const n of names) {
        visit(path.join(p, n));
      }
    } else if (st.isFile()) {
      out.set(rel, { ...base, kind: 'file', digest: crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex') });
    } else {
      out.set(rel, { ...base, kind: 'other', digest: '' });
    }
  };
  visit(root);
  return out;
}

/** Human-readable differences between two snapshots (empty when identical). */
export function diffSnapshots(before: Map<string, TreeEntry>, after: Map<string, TreeEntry>): string[] {
  const diffs: string[] = [];
  for (const [p, a] of before) {
    const b = after.get(p);
    if (!b) {
      diffs.push(`removed: ${p}`);
      continue;
    }
    for (const key of Object.keys(a) as Array<keyof TreeEntry>) {
      if (a[key] !== b[key]) {
        diffs.push(`changed ${key}: ${p} (${String(a[key])} -> ${String(b[key])})`);
      }
    }
  }
  for (const p of after.keys()) {
    if (!before.has(p)) {
      diffs.push(`created: ${p}`);
    }
  }
  return diffs;
}

/** The compiled tree (`out/` or another outDir) this file runs from: child scripts require modules from it. */
export const compiledRoot = path.resolve(__dirname, '..', '..', '..');

export interface ChildResult {
  status: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
}

/**
 * Runs `script` (CommonJS, may `require(COMPILED + '/src/...')`) in a fresh
 * node process, optionally as another user, and kills it after `timeoutMs`.
 */
export function runNodeScript(script: string, options: { uid?: number; timeoutMs?: number; env?: NodeJS.ProcessEnv; nodeArgs?: string[] } = {}): Promise<ChildResult> {
  const dir = tempDir('ccm-child-');
  const file = path.join(dir, 'child.js');
  fs.writeFileSync(file, `const COMPILED = ${JSON.stringify(compiledRoot)};\n${script}`);
  fs.chmodSync(file, 0o644);
  const started = Date.now();
  return new Promise((resolve) => {
    const child = cp.spawn(process.execPath, [...(options.nodeArgs ?? []), file], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH, ...options.env },
      ...(options.uid !== undefined ? { uid: options.uid, gid: options.uid } : {}),
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 15_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      removeTree(dir);
      resolve({ status, stdout, stderr, timedOut, ms: Date.now() - started });
    });
  });
}

/** The last stdout line of a child, parsed as JSON. */
export function lastJson<T>(r: ChildResult): T {
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] ?? 'null') as T;
}
