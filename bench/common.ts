/**
 * Shared by the benchmark scripts: where things are, cached trees, statistics
 * and formatting. Compiled to out/bench/ (see bench/README.md).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateTree, readGroundTruth, sizeLabel, type GroundTruth, type TreeShape } from './generate';

/** The repository root (this file runs from out/bench/). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const BENCH_DIR = path.join(REPO_ROOT, 'bench');
/** Generated trees and results; gitignored. */
export const WORK_DIR = path.join(BENCH_DIR, '.work');
export const CLI_PATH = path.join(REPO_ROOT, 'dist', 'cli.js');
export const CCUSAGE_BIN = path.join(BENCH_DIR, 'node_modules', '.bin', 'ccusage');

/** Median session size of the generator's default shape, KB. */
export const DEFAULT_SESSION_KB = 400;

export function treeDirFor(sizeBytes: number, seed: number, sessionKB: number = DEFAULT_SESSION_KB, shape: TreeShape = 'bench'): string {
  if (shape !== 'bench') {
    return path.join(WORK_DIR, `tree-${shape}-${sizeLabel(sizeBytes)}-seed${seed}`);
  }
  return path.join(WORK_DIR, `tree-${sizeLabel(sizeBytes)}-seed${seed}${sessionKB === DEFAULT_SESSION_KB ? '' : `-kb${sessionKB}`}`);
}

/** Free bytes on the file system holding `dir` (or its nearest existing parent). */
export function freeBytes(dir: string): number {
  let d = dir;
  while (!fs.existsSync(d)) {
    d = path.dirname(d);
  }
  const st = fs.statfsSync(d);
  return st.bavail * st.bsize;
}

/**
 * The tree for (size, seed) under bench/.work/, generated unless a complete
 * one (same generator version, size and seed) is already there.
 */
export function ensureTree(
  sizeBytes: number,
  seed: number,
  log: (m: string) => void,
  sessionKB: number = DEFAULT_SESSION_KB,
  shape: TreeShape = 'bench',
): { dir: string; truth: GroundTruth; generated: boolean } {
  const dir = treeDirFor(sizeBytes, seed, sessionKB, shape);
  const existing = readGroundTruth(dir);
  // Trees written before the shape was recorded have the default one; the held-out shape has its own session size.
  const sameShape = (existing?.shape ?? 'bench') === shape && (shape !== 'bench' || (existing?.sessionMedianKB ?? DEFAULT_SESSION_KB) === sessionKB);
  if (existing && sameShape && existing.targetBytes === sizeBytes && existing.seed === seed && fs.existsSync(path.join(dir, 'projects'))) {
    log(`reusing ${path.relative(REPO_ROOT, dir)} (${mb(existing.stats.bytes)}, ${existing.stats.files} files)`);
    return { dir, truth: existing, generated: false };
  }
  const free = freeBytes(WORK_DIR);
  if (free < sizeBytes * 1.5 + 512 * 1024 * 1024) {
    throw new Error(`not enough disk for a ${sizeLabel(sizeBytes)} tree: ${mb(free)} free under ${WORK_DIR}`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  log(`generating ${sizeLabel(sizeBytes)} ${shape} tree (seed ${seed}${shape === 'bench' ? `, sessions of median ${sessionKB} KB` : ''}) in ${path.relative(REPO_ROOT, dir)} ...`);
  const truth = generateTree({ outDir: dir, sizeBytes, seed, sessionMedianKB: shape === 'bench' ? sessionKB : undefined, shape, log });
  log(`  ${mb(truth.stats.bytes)} in ${truth.stats.files} files, ${truth.totals.messages} calls, ${(truth.generatedInMs / 1000).toFixed(1)} s`);
  return { dir, truth, generated: true };
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) {
    return NaN;
  }
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Nearest-rank percentile, p in [0, 100]. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) {
    return NaN;
  }
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.min(s.length, Math.max(1, Math.ceil((p / 100) * s.length)));
  return s[rank - 1]!;
}

export function mb(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(2)} GB` : `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}

export function secs(ms: number): string {
  return Number.isFinite(ms) ? (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`) : 'n/a';
}

export function machine(): { cpus: number; cpuModel: string; memGB: number; node: string; platform: string } {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memGB: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}

/** Pads a table (first column left-aligned, the rest right-aligned). */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) {
    r.forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 0, c.length);
    });
  }
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
}
