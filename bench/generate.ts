/**
 * Benchmark corpus generator: a realistic Claude Code 2.1.x transcript tree
 * and its exact ground truth.
 *
 *   node out/bench/generate.js <outDir> [--size 1GB|256MB|...] [--seed N] [--end YYYY-MM-DD] [--advisor-share 0.1] [--shape bench|heldout]
 *
 * Writes `<outDir>/projects/<enc-cwd>/<uuid>.jsonl` (plus subagent files under
 * `<uuid>/subagents/agent-<17 hex>.jsonl`) and `<outDir>/ground-truth.json`.
 *
 * The tree follows docs/transcript-format.md §2–3 and test/fixtures/claude-code-2.1.330-*:
 * user, assistant, attachment, api-request(-blob,-shape), file-history-snapshot,
 * queue-operation, compact_boundary, `<synthetic>` error lines; each API call
 * as 1–4 rows with the same message.id + requestId and a growing output_tokens
 * (streaming snapshots: the last, largest row is the truth); subagent files
 * (isSidechain, agentId, the parent's sessionId); forked sessions that copy an
 * earlier session's first calls (global de-dup); a few files with a torn last
 * line; rare 1–5 MB tool results and one to three 50–100 MB session files per GB.
 *
 * `--shape heldout` writes a tree the scanner was not tuned on: about 970
 * files per GB, no giant file and no 1–5 MB tool result, tool results about
 * 69% of the bytes, fewer streaming duplicates, and 2.1.330-style sessions
 * whose 20–76 KB `api-request-shape` and attachment lines come back as the
 * prompt shape changes. Its ground truth is computed the same way.
 *
 * Ground truth is computed while writing, never by reading the tree back: per
 * bucket integer token sums of the de-duplicated calls, the number of unique
 * non-synthetic calls and the exact cost on the repo's own price table (token
 * sums per rate card, multiplied once, as the engine does).
 *
 * Deterministic: the same seed, size and end date give byte-identical trees.
 * The default end date is the price table's `asOf`, so "the last 60 days" and
 * the rate periods in force do not depend on the day the benchmark runs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundledPriceTable, type PriceTable } from '../src/core/pricing/price-table';
import { costOn, type RateCard } from '../src/core/pricing/rate-card';
import type { CallTokens } from '../src/core/transcript/transcript';

export const GENERATOR_VERSION = 1;

/** The advisor's model in generated advisor turns. */
const ADVISOR_MODEL = 'claude-opus-4-6';

const KB = 1024;
const MB = 1024 * KB;
const GB = 1024 * MB;
const DAY_MS = 86_400_000;

// ---------------------------------------------------------------- randomness

/** A small seeded PRNG (sfc32): fast, 128-bit state, good enough for a corpus. */
class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 16; i++) {
      this.u32();
    }
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Picks by weight: `[[value, weight], ...]`. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of items) {
      total += w;
    }
    let x = this.next() * total;
    for (const [v, w] of items) {
      x -= w;
      if (x < 0) {
        return v;
      }
    }
    return items[items.length - 1]![0];
  }

  gauss(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Log-normal with the given median, clamped to [lo, hi]. */
  logNormal(median: number, sigma: number, lo: number, hi: number): number {
    return Math.min(hi, Math.max(lo, Math.round(median * Math.exp(sigma * this.gauss()))));
  }

  hex(n: number): string {
    let s = '';
    while (s.length < n) {
      s += this.u32().toString(16).padStart(8, '0');
    }
    return s.slice(0, n);
  }

  base62(n: number): string {
    const chars = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
    let s = '';
    for (let i = 0; i < n; i++) {
      s += chars[this.u32() % 62];
    }
    return s;
  }

  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[this.u32() % 4]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}

// ---------------------------------------------------------------- text pool

/**
 * A few MB of code-like text, already JSON-escaped (quotes, backslashes,
 * newlines, tabs, ANSI escapes, some non-ASCII), with the offsets where it can
 * be cut without splitting an escape sequence. Slices of it fill tool results,
 * thinking blocks and prompts without a JSON.stringify per line.
 */
class TextPool {
  readonly text: string;
  private readonly cuts: number[];

  constructor(rng: Rng, targetChars: number) {
    const words = [
      'const', 'let', 'return', 'function', 'await', 'async', 'import', 'export', 'interface', 'type', 'if', 'else',
      'for', 'while', 'throw', 'new', 'class', 'extends', 'this', 'null', 'undefined', 'true', 'false', 'string',
      'number', 'Promise', 'Map', 'Set', 'engine', 'report', 'session', 'tokens', 'cache', 'offset', 'buffer',
      'parse', 'line', 'file', 'path', 'value', 'result', 'error', 'options', 'config', 'index', 'items', 'total',
      'usage', 'model', 'request', 'response', 'handler', 'stream', 'chunk', 'resolve', 'reject', 'timeout',
      'résumé', 'naïve', '→', '—', '✓', '…', 'über', 'café', '日本語', 'Ωmega',
    ];
    const punct = ['(', ')', '{', '}', '[', ']', ';', ',', '.', ' = ', ' => ', ' + ', ' === ', ': ', '?.', '!'];
    const parts: string[] = [];
    const cuts: number[] = [0];
    let length = 0;
    let lineNo = 1;
    while (length < targetChars) {
      const indent = '  '.repeat(rng.int(0, 4));
      const n = rng.int(2, 14);
      let line = indent;
      for (let i = 0; i < n; i++) {
        line += rng.pick(words);
        line += rng.chance(0.4) ? rng.pick(punct) : ' ';
      }
      const kind = rng.next();
      let escaped: string;
      if (kind < 0.08) {
        escaped = `${String(lineNo).padStart(6, ' ')}\\t${line}  // \\"${rng.pick(words)}\\"`;
      } else if (kind < 0.11) {
        escaped = `\\u001b[32m✓\\u001b[39m ${line} \\u001b[2m(${rng.int(1, 900)} ms)\\u001b[22m`;
      } else if (kind < 0.14) {
        escaped = `    at ${rng.pick(words)} (C:\\\\Users\\\\dev\\\\src\\\\${rng.pick(words)}.ts:${rng.int(1, 999)}:${rng.int(1, 80)})`;
      } else {
        escaped = line.replace(/"/g, '\\"');
      }
      escaped += '\\n';
      parts.push(escaped);
      length += escaped.length;
      cuts.push(length);
      lineNo++;
    }
    this.text = parts.join('');
    this.cuts = cuts;
  }

  /** About `chars` characters of escaped text, starting at a random line. */
  slice(rng: Rng, chars: number): string {
    if (chars <= 0) {
      return '';
    }
    const out: string[] = [];
    let need = chars;
    while (need > 0) {
      const startIdx = rng.int(0, this.cuts.length - 2);
      const start = this.cuts[startIdx]!;
      const wantEnd = start + need;
      if (wantEnd >= this.text.length) {
        out.push(this.text.slice(start));
        need -= this.text.length - start;
        continue;
      }
      // First cut at or after wantEnd (binary search).
      let lo = startIdx + 1;
      let hi = this.cuts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.cuts[mid]! >= wantEnd) {
          hi = mid;
        } else {
          lo = mid + 1;
        }
      }
      const end = this.cuts[lo]!;
      out.push(this.text.slice(start, end));
      need -= end - start;
    }
    return out.length === 1 ? out[0]! : out.join('');
  }
}

// ---------------------------------------------------------------- writing

/** Buffered, synchronous line writer for one file. */
class LineWriter {
  private readonly fd: number;
  private parts: string[] = [];
  private pending = 0;
  /** Characters written (≈ bytes: the text is mostly ASCII). */
  chars = 0;
  /** Bytes actually written (UTF-8). */
  bytes = 0;
  lines = 0;

  constructor(readonly filePath: string) {
    fs.mkdirSync(path.dirname(filePath), { recursive: true });
    this.fd = fs.openSync(filePath, 'w');
  }

  line(s: string): void {
    this.parts.push(s, '\n');
    this.pending += s.length + 1;
    this.chars += s.length + 1;
    this.lines++;
    if (this.pending >= MB) {
      this.flush();
    }
  }

  /** Text without a newline (a torn last line). */
  raw(s: string): void {
    this.parts.push(s);
    this.pending += s.length;
    this.chars += s.length;
    this.flush();
  }

  private flush(): void {
    if (this.parts.length > 0) {
      this.bytes += fs.writeSync(this.fd, this.parts.length === 1 ? this.parts[0]! : this.parts.join(''));
      this.parts = [];
      this.pending = 0;
    }
  }

  close(mtimeMs: number): void {
    this.flush();
    fs.closeSync(this.fd);
    const t = new Date(mtimeMs);
    fs.utimesSync(this.filePath, t, t);
  }
}

// ---------------------------------------------------------------- ground truth

export interface TruthTotals {
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
  webSearch: number;
  /** Unique non-synthetic calls. */
  messages: number;
  /** Advisor inferences (`advisor_message` iterations; absent in trees written before `--advisor-share`: 0). */
  advisorCalls?: number;
  costUSD: number;
}

export interface GroundTruth {
  generatorVersion: number;
  seed: number;
  targetBytes: number;
  endDate: string;
  /** The median session size asked for, KB (absent in trees written before it was an option: 400). */
  sessionMedianKB?: number;
  /** The tree's shape (absent in trees written before it was an option: `bench`). */
  shape?: TreeShape;
  /** Share of main-chain calls that consult the advisor (absent: 0). */
  advisorShare?: number;
  /**
   * Sessions whose latest main-chain call (with no compaction after it) is
   * an advisor turn, with that turn's context: the prompt of its last
   * `message` iteration (absent without `--advisor-share`).
   */
  advisorContexts?: Record<string, number>;
  priceTableAsOf: string;
  totals: TruthTotals;
  models: Record<string, TruthTotals>;
  stats: {
    bytes: number;
    files: number;
    mainFiles: number;
    subagentFiles: number;
    projects: number;
    sessions: number;
    forkedSessions: number;
    lines: number;
    assistantRows: number;
    duplicateRows: number;
    copiedRows: number;
    syntheticLines: number;
    compactBoundaries: number;
    tornFiles: number;
    hugeLines: number;
    largestFileBytes: number;
    largestFile: string;
    firstTimestamp: string;
    lastTimestamp: string;
    /** Bytes of the tool-result lines (absent in trees written before it was counted). */
    toolResultBytes?: number;
    /** Lines of 20 to 76 KB: request shapes and prompt snapshots (absent likewise). */
    shapeLines?: number;
  };
  generatedInMs: number;
}

function emptyCounts(): CallTokens {
  return { input: 0, output: 0, write5m: 0, write1h: 0, read: 0, webSearches: 0 };
}

/** Token sums per rate card; cost = one dot product per card (engine trap 4). */
class Truth {
  private readonly byCard = new Map<RateCard, { tokens: CallTokens; messages: number; advisorCalls: number }>();

  constructor(private readonly prices: PriceTable) {}

  /** One request priced on its own card; `count` says what it adds to: a call (default), nothing (a further request of the same call) or an advisor inference. */
  add(model: string, timestampMs: number, t: CallTokens, fast: boolean, geoUs: boolean, count: 'call' | 'none' | 'advisor' = 'call'): void {
    const card = this.prices.rateFor({ model, timestampMs, promptTokens: t.input + t.write5m + t.write1h + t.read, fast, geoUs });
    if (card === null) {
      throw new Error(`generator bug: model ${model} is unpriced`);
    }
    let slot = this.byCard.get(card);
    if (!slot) {
      slot = { tokens: emptyCounts(), messages: 0, advisorCalls: 0 };
      this.byCard.set(card, slot);
    }
    const s = slot.tokens;
    s.input += t.input;
    s.output += t.output;
    s.write5m += t.write5m;
    s.write1h += t.write1h;
    s.read += t.read;
    s.webSearches += t.webSearches;
    if (count === 'call') {
      slot.messages++;
    } else if (count === 'advisor') {
      slot.advisorCalls++;
    }
  }

  summarize(): { totals: TruthTotals; models: Record<string, TruthTotals> } {
    const zero = (): TruthTotals => ({ input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, webSearch: 0, messages: 0, advisorCalls: 0, costUSD: 0 });
    const totals = zero();
    const models: Record<string, TruthTotals> = {};
    const cards = [...this.byCard.entries()].sort((a, b) => (a[0].key < b[0].key ? -1 : 1));
    for (const [card, { tokens, messages, advisorCalls }] of cards) {
      const cost = costOn(card, tokens);
      const m = (models[card.model] ??= zero());
      for (const t of [totals, m]) {
        t.input += tokens.input;
        t.output += tokens.output;
        t.cacheWrite5m += tokens.write5m;
        t.cacheWrite1h += tokens.write1h;
        t.cacheRead += tokens.read;
        t.webSearch += tokens.webSearches;
        t.messages += messages;
        t.advisorCalls = (t.advisorCalls ?? 0) + advisorCalls;
        t.costUSD += cost;
      }
    }
    return { totals, models };
  }
}

// ---------------------------------------------------------------- the corpus

/** The trees the generator can write: `bench` (the default, the tree the figures were tuned on) and `heldout`. */
export const TREE_SHAPES = ['bench', 'heldout'] as const;
export type TreeShape = (typeof TREE_SHAPES)[number];

export function parseShape(text: string): TreeShape {
  const found = TREE_SHAPES.find((s) => s === text);
  if (found === undefined) {
    throw new Error(`unknown shape "${text}" (one of ${TREE_SHAPES.join(', ')})`);
  }
  return found;
}

/** Median session size of the held-out shape, KB: with its subagents, about 970 files per GB. */
export const HELDOUT_SESSION_KB = 900;

interface ModelSpec {
  id: string;
  weight: number;
  /** Share of sessions on this model that run in fast mode. */
  fastShare: number;
  window: number;
}

const MAIN_MODELS: readonly ModelSpec[] = [
  { id: 'claude-sonnet-4-6', weight: 34, fastShare: 0, window: 1_000_000 },
  { id: 'claude-opus-4-6', weight: 20, fastShare: 0.3, window: 1_000_000 },
  { id: 'claude-sonnet-5-5', weight: 22, fastShare: 0, window: 1_000_000 },
  { id: 'claude-opus-5-5', weight: 16, fastShare: 0, window: 1_000_000 },
  { id: 'claude-haiku-4-5-20251001', weight: 8, fastShare: 0, window: 200_000 },
];

type ToolName = 'Bash' | 'Read' | 'Edit' | 'Write' | 'Grep' | 'Glob' | 'Agent' | 'WebSearch' | 'TodoWrite' | 'WebFetch';
const TOOL_WEIGHTS: readonly (readonly [ToolName, number])[] = [
  ['Bash', 30], ['Read', 28], ['Edit', 14], ['Write', 4], ['Grep', 9], ['Glob', 4], ['Agent', 3], ['WebSearch', 2], ['TodoWrite', 4], ['WebFetch', 2],
];

interface Project {
  cwd: string;
  dir: string;
  /** First lines of the latest session (for a forked copy), with its session id. */
  lastPrefix: { sessionId: string; lines: string[]; endMs: number } | undefined;
}

interface SessionCtx {
  sessionId: string;
  project: Project;
  w: LineWriter;
  env: string;
  model: ModelSpec;
  fast: boolean;
  ttl1h: boolean;
  geoUs: boolean;
  sidechain: boolean;
  agentId: string | undefined;
  clock: number;
  parent: string | null;
  ctx: number;
  lastCallMs: number;
  /** Budget in characters for this file. */
  target: number;
  /** Tool-result size scale (giant sessions read big files). */
  bigTools: boolean;
  prefix: string[] | undefined;
  allowAgents: boolean;
}

export interface GenerateOptions {
  outDir: string;
  sizeBytes: number;
  seed: number;
  /** `YYYY-MM-DD`; the newest day of the corpus. Default: the price table's asOf. */
  endDate?: string | undefined;
  /** Median size of an ordinary session file, KB (default 400); smaller makes more, shorter sessions for the same bytes. */
  sessionMedianKB?: number | undefined;
  /**
   * Share (0 to 1) of main-chain calls that consult the server-side advisor:
   * two `message` iterations of the session's model around an
   * `advisor_message` on Opus 4.6, the top level summing the two (docs/pricing.md
   * §3). 0 (default) leaves the tree byte for byte as without the option.
   */
  advisorShare?: number | undefined;
  /** The tree's shape (default `bench`: byte for byte as before the option). */
  shape?: TreeShape | undefined;
  log?: ((message: string) => void) | undefined;
}

/** Parses `1GB`, `256MB`, `0.5GB`, `1.5G`, `800m`, or a plain byte count. */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$/i.exec(text);
  if (!m) {
    throw new Error(`bad size "${text}" (examples: 1GB, 256MB, 0.5GB)`);
  }
  const unit = (m[2] ?? '').toLowerCase();
  const mul = unit === 'k' ? KB : unit === 'm' ? MB : unit === 'g' ? GB : unit === 't' ? 1024 * GB : 1;
  return Math.round(Number(m[1]) * mul);
}

/** `1GB`, `256MB`: the label used in file names. */
export function sizeLabel(bytes: number): string {
  if (bytes >= GB && bytes % (GB / 4) === 0) {
    return `${bytes / GB}GB`;
  }
  if (bytes >= MB) {
    return `${Math.round(bytes / MB)}MB`;
  }
  return `${bytes}B`;
}

class Generator {
  private readonly rng: Rng;
  private readonly pool: TextPool;
  private readonly sig: string;
  private readonly truth: Truth;
  /** Decides advisor turns apart from `rng`, so a tree without them is the same bytes as before the option. */
  private readonly advisorRng: Rng;
  /** Per main session: the context of its latest main-chain call when that was an advisor turn, else null. */
  private readonly advisorContexts = new Map<string, number | null>();
  private readonly prices: PriceTable;
  private readonly endMs: number;
  private readonly projectsDir: string;
  private readonly stats: GroundTruth['stats'];
  private firstMs = Infinity;
  private lastMs = -Infinity;
  private written = 0;
  /** The held-out shape (`--shape heldout`); false leaves every draw as in the bench tree. */
  private readonly heldout: boolean;

  constructor(private readonly opts: GenerateOptions) {
    this.rng = new Rng(opts.seed);
    this.pool = new TextPool(this.rng, 6 * MB);
    const b64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    let sig = '';
    for (let i = 0; i < 8192; i++) {
      sig += b64[this.rng.u32() % 64];
    }
    this.sig = sig;
    this.prices = bundledPriceTable();
    this.truth = new Truth(this.prices);
    this.advisorRng = new Rng((opts.seed ^ 0x5eed_ad71) >>> 0);
    const end = opts.endDate ?? this.prices.asOf;
    this.endMs = Date.parse(`${end}T23:59:59Z`);
    if (Number.isNaN(this.endMs)) {
      throw new Error(`bad end date "${end}"`);
    }
    this.projectsDir = path.join(opts.outDir, 'projects');
    this.stats = {
      bytes: 0, files: 0, mainFiles: 0, subagentFiles: 0, projects: 0, sessions: 0, forkedSessions: 0, lines: 0,
      assistantRows: 0, duplicateRows: 0, copiedRows: 0, syntheticLines: 0, compactBoundaries: 0, tornFiles: 0,
      hugeLines: 0, largestFileBytes: 0, largestFile: '', firstTimestamp: '', lastTimestamp: '', toolResultBytes: 0, shapeLines: 0,
    };
    this.heldout = opts.shape === 'heldout';
  }

  run(): GroundTruth {
    const started = Date.now();
    const rng = this.rng;
    const size = this.opts.sizeBytes;
    fs.rmSync(this.projectsDir, { recursive: true, force: true });
    fs.mkdirSync(this.projectsDir, { recursive: true });

    const gb = size / GB;
    const projectCount = Math.max(4, Math.round(12 + 28 * Math.sqrt(gb)));
    const projects: Project[] = [];
    const roots = ['/home/dev/work', '/home/dev/src/github.com/acme', '/Users/sam/code', '/srv/repos', '/home/dev/work/client_sites'];
    const names = ['api', 'web', 'cli', 'infra', 'billing', 'search', 'mobile', 'docs', 'ml', 'etl', 'auth', 'gateway', 'cost-meter', 'dotfiles', 'blog'];
    for (let i = 0; i < projectCount; i++) {
      const cwd = `${rng.pick(roots)}/${rng.pick(names)}${rng.chance(0.4) ? `_${rng.pick(names)}` : ''}${rng.chance(0.2) ? '.v2' : ''}-${i}`;
      projects.push({ cwd, dir: path.join(this.projectsDir, cwd.replace(/[^A-Za-z0-9]/g, '-')), lastPrefix: undefined });
    }
    this.stats.projects = projectCount;

    // One to three giant sessions (50–100 MB each at >= 1 GB, scaled down below).
    const giantCount = this.heldout ? 0 : gb >= 1 ? Math.floor(gb) + 1 : 1;
    const giants: number[] = [];
    for (let i = 0; i < giantCount; i++) {
      giants.push(Math.round(rng.int(50, 100) * MB * Math.min(1, gb)));
    }
    let tornLeft = Math.max(3, Math.round(8 * gb));

    let sessionNo = 0;
    while (this.written < size) {
      const left = size - this.written;
      const giant = giants.length > 0 && sessionNo % 97 === 50 ? giants.pop()! : undefined;
      const target = Math.min(left, giant ?? rng.logNormal(this.sessionMedianKB() * KB, this.heldout ? 0.9 : 1.3, 3 * KB, this.heldout ? 12 * MB : 40 * MB));
      const project = rng.pick(projects);
      const forkFrom = project.lastPrefix && rng.chance(0.03) ? project.lastPrefix : undefined;
      const torn = tornLeft > 0 && rng.chance(0.01);
      if (torn) {
        tornLeft--;
      }
      this.session(project, target, giant !== undefined, forkFrom, torn);
      sessionNo++;
      if (sessionNo % 200 === 0) {
        this.opts.log?.(`  ${(this.written / MB).toFixed(0)} / ${(size / MB).toFixed(0)} MB, ${sessionNo} sessions`);
      }
    }
    this.stats.sessions = sessionNo;
    this.stats.firstTimestamp = new Date(this.firstMs).toISOString();
    this.stats.lastTimestamp = new Date(this.lastMs).toISOString();
    const { totals, models } = this.truth.summarize();
    return {
      generatorVersion: GENERATOR_VERSION,
      seed: this.opts.seed,
      targetBytes: size,
      endDate: new Date(this.endMs).toISOString().slice(0, 10),
      sessionMedianKB: this.sessionMedianKB(),
      ...(this.heldout ? { shape: 'heldout' as const } : {}),
      ...((this.opts.advisorShare ?? 0) > 0
        ? { advisorShare: this.opts.advisorShare, advisorContexts: Object.fromEntries([...this.advisorContexts].filter((e): e is [string, number] => e[1] !== null)) }
        : {}),
      priceTableAsOf: this.prices.asOf,
      totals,
      models,
      stats: this.stats,
      generatedInMs: Date.now() - started,
    };
  }

  private sessionMedianKB(): number {
    return this.opts.sessionMedianKB ?? (this.heldout ? HELDOUT_SESSION_KB : 400);
  }

  // ---- envelope pieces

  private ts(ms: number): string {
    if (ms < this.firstMs) {
      this.firstMs = ms;
    }
    if (ms > this.lastMs) {
      this.lastMs = ms;
    }
    return new Date(ms).toISOString();
  }

  private tick(s: SessionCtx, lo: number, hi: number): string {
    s.clock += this.rng.int(lo, hi);
    return this.ts(s.clock);
  }

  private head(s: SessionCtx, uuid: string): string {
    const p = s.parent === null ? 'null' : `"${s.parent}"`;
    s.parent = uuid;
    return `{"parentUuid":${p},"isSidechain":${s.sidechain}${s.agentId ? `,"agentId":"${s.agentId}"` : ''}`;
  }

  private emit(s: SessionCtx, line: string): void {
    s.w.line(line);
    if (s.prefix && s.prefix.length < 400) {
      s.prefix.push(line);
    }
  }

  // ---- one session (main file, its subagents)

  private session(project: Project, target: number, giant: boolean, forkFrom: Project['lastPrefix'], torn: boolean): void {
    const rng = this.rng;
    const sessionId = rng.uuid();
    const startMs = this.endMs - rng.int(1 * DAY_MS, 60 * DAY_MS);
    const model = rng.weighted(MAIN_MODELS.map((m) => [m, m.weight] as const));
    const version = `2.1.${rng.int(280, 330)}`;
    const entry = rng.weighted([['cli', 6], ['claude-vscode', 3], ['sdk-cli', 1]] as const);
    const branch = rng.pick(['main', 'main', 'develop', `feat/${rng.pick(['cache', 'ui', 'perf', 'auth'])}`, 'HEAD']);
    const file = path.join(project.dir, `${sessionId}.jsonl`);
    const w = new LineWriter(file);
    const s: SessionCtx = {
      sessionId,
      project,
      w,
      env: `"userType":"external","entrypoint":"${entry}","cwd":${JSON.stringify(project.cwd)},"sessionId":"${sessionId}","version":"${version}","gitBranch":"${branch}"`,
      model,
      fast: rng.chance(model.fastShare),
      ttl1h: rng.chance(0.85),
      geoUs: rng.chance(0.04),
      sidechain: false,
      agentId: undefined,
      clock: startMs,
      parent: null,
      ctx: 0,
      lastCallMs: -Infinity,
      target,
      bigTools: giant,
      prefix: [],
      allowAgents: rng.chance(0.45),
    };
    this.stats.mainFiles++;

    if (forkFrom) {
      // A forked / resumed-into-new-file session: the copied history first (same ids, same usage).
      this.stats.forkedSessions++;
      for (const line of forkFrom.lines) {
        const copied = line.split(`"sessionId":"${forkFrom.sessionId}"`).join(`"sessionId":"${sessionId}"`);
        w.line(copied);
        if (copied.includes('"type":"assistant"') && !copied.includes('"isApiErrorMessage":true')) {
          this.stats.copiedRows++;
          this.stats.assistantRows++;
        }
      }
      s.clock = Math.max(s.clock, forkFrom.endMs + rng.int(60_000, 3 * 3_600_000));
      s.prefix = undefined;
    }

    if (entry !== 'cli') {
      this.emit(s, `{"type":"queue-operation","operation":"enqueue","timestamp":"${this.tick(s, 0, 50)}","sessionId":"${sessionId}","content":"${this.pool.slice(rng, rng.int(20, 200))}"}`);
      this.emit(s, `{"type":"queue-operation","operation":"dequeue","timestamp":"${this.tick(s, 1, 10)}","sessionId":"${sessionId}"}`);
    }
    this.sessionHeader(s);
    while (w.chars < target) {
      this.turn(s);
      if (s.prefix && s.prefix.length >= 400) {
        project.lastPrefix = { sessionId, lines: s.prefix, endMs: s.clock };
        s.prefix = undefined;
      }
    }
    if (s.prefix) {
      project.lastPrefix = { sessionId, lines: s.prefix, endMs: s.clock };
    }
    this.emit(s, `{"type":"last-prompt","lastPrompt":"${this.pool.slice(rng, rng.int(20, 120))}","leafUuid":"${s.parent ?? ''}","sessionId":"${sessionId}"}`);
    if (torn) {
      // Claude Code was killed mid-write: a new call's first row, cut short, no newline.
      const row = this.assistantRow(s, rng.uuid(), `msg_01${rng.base62(22)}`, `req_011C${rng.base62(20)}`, this.textBlock(400), 'null', { input: 3, output: 1, write5m: 0, write1h: 0, read: s.ctx, webSearches: 0 }, this.tick(s, 100, 2000));
      w.raw(row.slice(0, Math.floor(row.length * (0.3 + 0.5 * rng.next()))));
      this.stats.tornFiles++;
    }
    this.closeFile(w, s.clock);
  }

  private closeFile(w: LineWriter, mtimeMs: number): void {
    w.close(mtimeMs);
    this.written += w.bytes;
    this.stats.bytes += w.bytes;
    this.stats.files++;
    this.stats.lines += w.lines;
    if (w.bytes > this.stats.largestFileBytes) {
      this.stats.largestFileBytes = w.bytes;
      this.stats.largestFile = path.relative(this.opts.outDir, w.filePath);
    }
  }

  private attachment(s: SessionCtx, body: string, rendered: number): void {
    const uuid = this.rng.uuid();
    this.emit(
      s,
      `${this.head(s, uuid)},"attachment":${body},"type":"attachment","uuid":"${uuid}","timestamp":"${this.tick(s, 0, 3)}","rendered":[{"content":"<system-reminder>\\n${this.pool.slice(this.rng, rendered)}</system-reminder>"}],"renderedRole":"system",${s.env}}`,
    );
  }

  private sessionHeader(s: SessionCtx): void {
    const rng = this.rng;
    this.userPrompt(s);
    this.attachment(s, `{"type":"environment","snapshot":{"workingDirectory":${JSON.stringify(s.project.cwd)},"isWorktree":false,"isGitRepo":true,"additionalWorkingDirectories":[],"platform":"linux","shell":"bash","osVersion":"Linux 6.18.44"}}`, 700);
    this.attachment(s, `{"type":"model","identity":{"modelId":"${s.model.id}"},"text":"You are powered by ${s.model.id}."}`, 150);
    this.attachment(s, `{"type":"deferred_tools_delta","addedNames":["CronCreate","Monitor","NotebookEdit","WebFetch","WebSearch"],"removedNames":[]}`, 600);
    if (!s.sidechain || rng.chance(0.5)) {
      this.attachment(s, `{"type":"skill_listing","content":"${this.pool.slice(rng, rng.int(3000, 7000))}"}`, rng.int(3000, 6500));
      this.attachment(s, `{"type":"agent_listing_delta","addedTypes":["claude","Explore","general-purpose","Plan"],"addedLines":["${this.pool.slice(rng, 1800)}"]}`, 1800);
    }
    if (this.heldout || rng.chance(s.sidechain ? 0.3 : 0.6)) {
      this.requestShape(s);
    }
    if (rng.chance(s.sidechain ? 0.2 : 0.35)) {
      this.promptSnapshot(s);
    }
  }

  /** The big request-shape record 2.1.3xx writes once per prompt shape (20 to 76 KB in the held-out shape). */
  private requestShape(s: SessionCtx): void {
    const rng = this.rng;
    // The draws in the bench tree's order (hash, then each size before its text), so its bytes do not change.
    const hash = rng.hex(64);
    const system = this.pool.slice(rng, this.heldout ? rng.int(16_000, 58_000) : rng.int(20_000, 70_000));
    const tools = this.pool.slice(rng, this.heldout ? rng.int(3_500, 17_000) : rng.int(5_000, 20_000));
    this.emit(s, `{"type":"api-request-shape","sessionId":"${s.sessionId}","shapeHash":"${hash}","timestamp":"${this.ts(s.clock)}","version":"2.1.330","shape":{"system":[{"type":"text","text":"${system}"}],"tools":[{"name":"Bash","description":"${tools}"}]}}`);
    this.stats.shapeLines = (this.stats.shapeLines ?? 0) + 1;
  }

  private promptSnapshot(s: SessionCtx): void {
    const rng = this.rng;
    this.attachment(s, `{"type":"prompt_snapshot","systemPrompt":["${this.pool.slice(rng, rng.int(20_000, this.heldout ? 72_000 : 60_000))}"]}`, 200);
    this.stats.shapeLines = (this.stats.shapeLines ?? 0) + 1;
  }

  private userPrompt(s: SessionCtx): string {
    const rng = this.rng;
    const uuid = rng.uuid();
    const text = this.pool.slice(rng, rng.logNormal(300, 1.2, 10, 20_000));
    this.emit(
      s,
      `${this.head(s, uuid)},"promptId":"${rng.uuid()}","type":"user","message":{"role":"user","content":"${text}"},"uuid":"${uuid}","timestamp":"${this.tick(s, 1000, 600_000)}","permissionMode":"default",${s.env}}`,
    );
    if (!s.sidechain) {
      const n = rng.chance(0.97) ? rng.int(0, 12) : rng.int(200, 2500);
      const backups: string[] = [];
      for (let i = 0; i < n; i++) {
        backups.push(`"src/${rng.base62(8)}/${rng.base62(10)}.ts":{"backupFileName":"${rng.hex(16)}@v${rng.int(1, 9)}","version":${rng.int(1, 9)},"backupTime":"${this.ts(s.clock)}"}`);
      }
      this.emit(s, `{"type":"file-history-snapshot","messageId":"${uuid}","snapshot":{"messageId":"${uuid}","trackedFileBackups":{${backups.join(',')}},"timestamp":"${this.ts(s.clock)}"},"isSnapshotUpdate":${rng.chance(0.3)}}`);
    }
    return uuid;
  }

  /** One user prompt and the calls that answer it. */
  private turn(s: SessionCtx): void {
    const rng = this.rng;
    this.userPrompt(s);
    if (rng.chance(0.25)) {
      this.attachment(s, `{"type":"edited_text_file","filename":"src/${rng.base62(8)}.ts","snippet":"${this.pool.slice(rng, rng.int(200, 3000))}"}`, 300);
    }
    if (rng.chance(0.1)) {
      this.attachment(s, `{"type":"total_tokens_reminder","text":"<total_tokens>${rng.int(1, 15) * 1_000_000} tokens left</total_tokens>"}`, 60);
    }
    if (this.heldout && rng.chance(0.12)) {
      // The prompt's shape changed (a tool, a skill, a mode): 2.1.330 writes it again.
      if (rng.chance(0.6)) {
        this.requestShape(s);
      } else {
        this.promptSnapshot(s);
      }
    }
    const calls = rng.logNormal(4, 0.9, 1, 60);
    for (let i = 0; i < calls && s.w.chars < s.target; i++) {
      const last = i === calls - 1;
      const tool: ToolName | undefined = last ? undefined : rng.weighted(TOOL_WEIGHTS);
      this.call(s, tool);
      if (!s.sidechain && rng.chance(0.006)) {
        this.synthetic(s);
      }
    }
    if (!s.sidechain) {
      this.emit(s, `{"parentUuid":"${s.parent ?? ''}","isSidechain":false,"type":"system","subtype":"turn_duration","durationMs":${rng.int(2000, 900_000)},"timestamp":"${this.tick(s, 1, 100)}","uuid":"${rng.uuid()}","isMeta":false,${s.env}}`);
      if (s.ctx > (s.model.window >= 1_000_000 && rng.chance(0.3) ? 400_000 : 150_000)) {
        this.compact(s);
      }
    }
  }

  /**
   * An advisor turn around the call whose last request is `last` (what the
   * call would have been alone): a first request on the same context, then
   * the advisor reading it, then `last` with the advisor's answer written to
   * the cache. Rows write the top level (both requests summed) and the three
   * iterations; the output of a streaming snapshot only changes the last.
   */
  private advisorTurn(last: CallTokens): { first: CallTokens; advisor: CallTokens; context: number; top(t: CallTokens): CallTokens; iterations(t: CallTokens): string } {
    const rng = this.advisorRng;
    const first: CallTokens = { input: last.input, output: rng.int(40, 400), write5m: last.write5m, write1h: last.write1h, read: last.read, webSearches: 0 };
    const advisor: CallTokens = { input: last.input + last.write5m + last.write1h + last.read, output: rng.int(300, 4000), write5m: 0, write1h: 0, read: 0, webSearches: 0 };
    const context = last.input + last.write5m + last.write1h + last.read;
    const it = (type: string, t: CallTokens, model = ''): string =>
      `{"input_tokens":${t.input},"output_tokens":${t.output},"cache_read_input_tokens":${t.read},"cache_creation_input_tokens":${t.write5m + t.write1h},"cache_creation":{"ephemeral_5m_input_tokens":${t.write5m},"ephemeral_1h_input_tokens":${t.write1h}},${model ? `"model":"${model}",` : ''}"type":"${type}"}`;
    const sum = (a: CallTokens, b: CallTokens): CallTokens => ({ input: a.input + b.input, output: a.output + b.output, write5m: a.write5m + b.write5m, write1h: a.write1h + b.write1h, read: a.read + b.read, webSearches: b.webSearches });
    return {
      first,
      advisor,
      context,
      top: (t) => sum(first, t),
      iterations: (t) => `${it('message', first)},${it('advisor_message', advisor, ADVISOR_MODEL)},${it('message', t)}`,
    };
  }

  private compact(s: SessionCtx): void {
    this.advisorContexts.set(s.sessionId, null);
    const rng = this.rng;
    const pre = s.ctx;
    const post = rng.int(8_000, 30_000);
    const uuid = rng.uuid();
    const logical = s.parent ?? '';
    s.parent = null;
    this.emit(
      s,
      `{"parentUuid":null,"logicalParentUuid":"${logical}","isSidechain":false,"type":"system","subtype":"compact_boundary","content":"Conversation compacted","isMeta":false,"timestamp":"${this.tick(s, 10_000, 90_000)}","uuid":"${uuid}","level":"info","compactMetadata":{"trigger":"${rng.chance(0.8) ? 'auto' : 'manual'}","preTokens":${pre},"durationMs":${rng.int(10_000, 90_000)},"postTokens":${post}},${s.env}}`,
    );
    s.parent = uuid;
    const summary = rng.uuid();
    this.emit(
      s,
      `${this.head(s, summary)},"type":"user","message":{"role":"user","content":"This session is being continued from a previous conversation that ran out of context. The summary below covers the earlier portion of the conversation.\\n\\nSummary:\\n${this.pool.slice(rng, rng.int(15_000, 25_000))}"},"isVisibleInTranscriptOnly":true,"isCompactSummary":true,"uuid":"${summary}","timestamp":"${this.ts(s.clock)}",${s.env}}`,
    );
    s.ctx = post;
    s.lastCallMs = -Infinity;
    this.stats.compactBoundaries++;
  }

  private synthetic(s: SessionCtx): void {
    const rng = this.rng;
    const uuid = rng.uuid();
    const text = rng.chance(0.5) ? 'API Error: Request timed out (check API_TIMEOUT_MS)' : `Claude AI usage limit reached|${Math.floor(s.clock / 1000) + 3600}`;
    this.emit(
      s,
      `${this.head(s, uuid)},${s.env},"type":"assistant","uuid":"${uuid}","timestamp":"${this.tick(s, 500, 30_000)}","message":{"id":"${rng.uuid()}","model":"<synthetic>","role":"assistant","stop_reason":"stop_sequence","stop_sequence":"","type":"message","usage":{"input_tokens":0,"output_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"server_tool_use":{"web_search_requests":0},"service_tier":null},"content":[{"type":"text","text":"${text}"}]},"isApiErrorMessage":true}`,
    );
    this.stats.syntheticLines++;
  }

  private textBlock(chars: number): string {
    return `{"type":"text","text":"${this.pool.slice(this.rng, chars)}"}`;
  }

  private assistantRow(s: SessionCtx, uuid: string, msgId: string, reqId: string, block: string, stop: string, t: CallTokens, ts: string, iterations = ''): string {
    const speed = s.fast ? 'fast' : 'standard';
    return `${this.head(s, uuid)},"message":{"model":"${s.model.id}","id":"${msgId}","type":"message","role":"assistant","content":[${block}],"stop_reason":${stop},"stop_sequence":null,"usage":{"input_tokens":${t.input},"cache_creation_input_tokens":${t.write5m + t.write1h},"cache_read_input_tokens":${t.read},"output_tokens":${t.output},"output_tokens_details":{"thinking_tokens":0},"server_tool_use":{"web_search_requests":${t.webSearches},"web_fetch_requests":0},"service_tier":"standard","cache_creation":{"ephemeral_1h_input_tokens":${t.write1h},"ephemeral_5m_input_tokens":${t.write5m}},"inference_geo":"${s.geoUs ? 'us' : ''}","iterations":[${iterations}],"speed":"${speed}"},"stop_details":null},"requestId":"${reqId}","type":"assistant","uuid":"${uuid}","timestamp":"${ts}",${s.env}}`;
  }

  /** One API call: its request records, 1–4 assistant rows, and the tool result. */
  private call(s: SessionCtx, tool: ToolName | undefined): void {
    const rng = this.rng;
    const msgId = `msg_01${rng.base62(22)}`;
    const reqId = `req_011C${rng.base62(20)}`;
    const start = s.clock + rng.int(200, 4000);
    s.clock = start;

    // Tokens: the prompt is the context so far; cached prefix read while warm, the rest written.
    const ttlMs = s.sidechain || !s.ttl1h ? 5 * 60_000 : 60 * 60_000;
    if (s.ctx === 0) {
      s.ctx = rng.int(12_000, 32_000);
    }
    const warm = start - s.lastCallMs < ttlMs;
    const growth = rng.logNormal(900, 1.1, 20, 60_000);
    const prompt = s.ctx + growth;
    const read = warm ? s.ctx : rng.chance(0.5) ? Math.min(s.ctx, rng.int(10_000, 20_000)) : 0;
    const write = prompt - read;
    const input = rng.int(1, 12);
    const writeTotal = Math.max(0, write - input);
    const output = rng.logNormal(tool ? 180 : 500, 1.0, 8, 32_000);
    const webSearches = tool === 'WebSearch' ? rng.int(1, 3) : 0;
    const final: CallTokens = {
      input,
      output,
      write5m: s.ttl1h && !s.sidechain ? 0 : writeTotal,
      write1h: s.ttl1h && !s.sidechain ? writeTotal : 0,
      read,
      webSearches,
    };
    s.lastCallMs = start;
    s.ctx = prompt + output;
    const advisor = !s.sidechain && (this.opts.advisorShare ?? 0) > 0 && this.advisorRng.chance(this.opts.advisorShare ?? 0) ? this.advisorTurn(final) : undefined;
    if (!s.sidechain) {
      this.advisorContexts.set(s.sessionId, advisor ? advisor.context : null);
    }

    // 2.1.x request records.
    const requestRef = rng.uuid();
    this.emit(s, `{"type":"api-request","sessionId":"${s.sessionId}","id":"${requestRef}","timestamp":"${this.ts(start)}","version":"2.1.330","querySource":"${s.sidechain ? 'agent' : 'repl_main_thread'}","shapeHash":"${rng.hex(64)}","params":{"model":"${s.model.id}","max_tokens":32000,"thinking":{"type":"adaptive"}},"keep":0,"tail":["${rng.hex(64)}"],"requestDigest":"${rng.hex(64)}"}`);
    if (rng.chance(0.2)) {
      this.emit(s, `{"type":"api-request-blob","sessionId":"${s.sessionId}","hash":"${rng.hex(64)}","message":{"role":"user","content":[{"type":"text","text":"${this.pool.slice(rng, rng.int(1500, 9000))}"}]}}`);
    }

    // Rows: one per content block, output growing (streaming snapshots), the last is final.
    const rows = rng.weighted(this.heldout ? ([[1, 60], [2, 28], [3, 9], [4, 3]] as const) : ([[1, 30], [2, 40], [3, 20], [4, 10]] as const));
    const toolUseId = `toolu_01${rng.base62(22)}`;
    let lastUuid = '';
    for (let k = 1; k <= rows; k++) {
      const isLast = k === rows;
      let block: string;
      if (isLast && tool) {
        block = this.toolUse(tool, toolUseId);
      } else if (k === 1 && rows > 1) {
        block = `{"type":"thinking","thinking":"${this.pool.slice(rng, rng.logNormal(600, 1.0, 20, 20_000))}","signature":"${this.sig.slice(rng.int(0, 4000), rng.int(4400, 8000))}"}`;
      } else {
        block = this.textBlock(rng.logNormal(isLast ? 700 : 250, 1.0, 5, 12_000));
      }
      const t: CallTokens = isLast ? final : { ...final, output: Math.max(1, Math.min(final.output - 1, Math.floor((final.output * k) / (rows + 1)))) };
      const uuid = rng.uuid();
      lastUuid = uuid;
      const stop = isLast ? (tool ? '"tool_use"' : '"end_turn"') : 'null';
      this.emit(s, this.assistantRow(s, uuid, msgId, reqId, block, stop, advisor ? advisor.top(t) : t, this.tick(s, 50, 3000), advisor ? advisor.iterations(t) : ''));
      this.stats.assistantRows++;
      if (!isLast) {
        this.stats.duplicateRows++;
      }
    }
    // The final row wins de-duplication: its timestamp picks the rate period.
    if (advisor) {
      // Each `message` iteration is a request of its own (its own tier); the advisor is an inference under its model.
      this.truth.add(s.model.id, s.clock, advisor.first, s.fast, s.geoUs);
      this.truth.add(s.model.id, s.clock, final, s.fast, s.geoUs, 'none');
      this.truth.add(ADVISOR_MODEL, s.clock, advisor.advisor, false, s.geoUs, 'advisor');
    } else {
      this.truth.add(s.model.id, s.clock, final, s.fast, s.geoUs);
    }

    if (tool) {
      this.toolResult(s, tool, toolUseId, lastUuid);
    }
  }

  private toolUse(tool: ToolName, id: string): string {
    const rng = this.rng;
    let input: string;
    switch (tool) {
      case 'Bash':
        input = `{"command":"${this.pool.slice(rng, rng.int(20, 300))}","description":"Run the tests"}`;
        break;
      case 'Edit':
        input = `{"file_path":"/src/${rng.base62(10)}.ts","old_string":"${this.pool.slice(rng, rng.logNormal(400, 1, 10, 20_000))}","new_string":"${this.pool.slice(rng, rng.logNormal(500, 1, 10, 20_000))}"}`;
        break;
      case 'Write':
        input = `{"file_path":"/src/${rng.base62(10)}.ts","content":"${this.pool.slice(rng, rng.logNormal(4000, 1, 100, 80_000))}"}`;
        break;
      case 'Agent':
        input = `{"description":"Investigate ${rng.base62(6)}","prompt":"${this.pool.slice(rng, rng.int(200, 2000))}","subagent_type":"${rng.pick(['general-purpose', 'Explore', 'Plan'])}"}`;
        break;
      case 'WebSearch':
        return `{"type":"server_tool_use","id":"srvtoolu_01${rng.base62(22)}","name":"web_search","input":{"query":"${this.pool.slice(rng, 60)}"}}`;
      default:
        input = `{"pattern":"${rng.base62(12)}","path":"/src/${rng.base62(6)}"}`;
    }
    return `{"type":"tool_use","id":"${id}","name":"${tool}","input":${input}}`;
  }

  private toolResult(s: SessionCtx, tool: ToolName, toolUseId: string, assistantUuid: string): void {
    const rng = this.rng;
    let chars: number;
    if (this.heldout) {
      chars = rng.logNormal(tool === 'Read' ? 18_000 : 7000, 1.2, 10, 200_000);
    } else if (rng.chance(s.bigTools ? 0.02 : 0.0004)) {
      chars = rng.int(1 * MB, 5 * MB) >> 1; // the text appears twice: content and toolUseResult
      this.stats.hugeLines++;
    } else if (s.bigTools) {
      chars = rng.logNormal(40_000, 1.0, 200, 1 * MB);
    } else {
      chars = rng.logNormal(tool === 'Read' ? 2500 : 900, 1.3, 10, 300_000);
    }
    if (tool === 'Agent' && s.allowAgents && !s.sidechain) {
      this.subagent(s, toolUseId);
    }
    const uuid = rng.uuid();
    const text = this.pool.slice(rng, chars);
    const structured =
      tool === 'Read'
        ? `{"type":"text","file":{"filePath":"/src/${rng.base62(10)}.ts","content":"${text}","numLines":${rng.int(1, 4000)},"startLine":1,"totalLines":${rng.int(1, 9000)}}}`
        : tool === 'Bash'
          ? `{"stdout":"${text}","stderr":"","interrupted":false,"isImage":false}`
          : `{"type":"${tool.toLowerCase()}","summary":"${this.pool.slice(rng, 120)}"}`;
    const line = `${this.head(s, uuid)},"type":"user","message":{"role":"user","content":[{"tool_use_id":"${toolUseId}","type":"tool_result","content":"${text}","is_error":${rng.chance(0.03)}}]},"uuid":"${uuid}","timestamp":"${this.tick(s, 30, 20_000)}","toolUseResult":${structured},"sourceToolAssistantUUID":"${assistantUuid}",${s.env}}`;
    this.emit(s, line);
    this.stats.toolResultBytes = (this.stats.toolResultBytes ?? 0) + Buffer.byteLength(line) + 1;
    // Context grows by roughly a token per 4 characters of tool output.
    s.ctx += Math.round(chars / 4);
  }

  private subagent(parent: SessionCtx, toolUseId: string): void {
    const rng = this.rng;
    const agentId = rng.hex(17);
    const dir = path.join(parent.project.dir, parent.sessionId, 'subagents');
    const w = new LineWriter(path.join(dir, `agent-${agentId}.jsonl`));
    const haiku = MAIN_MODELS.find((m) => m.id.startsWith('claude-haiku-4-5'))!;
    const model = rng.chance(0.65) ? haiku : parent.model;
    const s: SessionCtx = {
      ...parent,
      w,
      model,
      fast: model === parent.model && parent.fast,
      sidechain: true,
      agentId,
      parent: null,
      ctx: 0,
      lastCallMs: -Infinity,
      target: rng.logNormal(60 * KB, 1.1, 4 * KB, 2 * MB),
      bigTools: false,
      prefix: undefined,
      allowAgents: false,
    };
    this.sessionHeader(s);
    const calls = rng.logNormal(6, 0.8, 1, 80);
    for (let i = 0; i < calls && w.chars < s.target; i++) {
      this.call(s, i === calls - 1 ? undefined : rng.weighted(TOOL_WEIGHTS.filter(([t]) => t !== 'Agent' && t !== 'WebSearch')));
    }
    fs.writeFileSync(
      path.join(dir, `agent-${agentId}.meta.json`),
      JSON.stringify({ agentType: 'general-purpose', isBuiltIn: true, description: `Investigate ${agentId.slice(0, 6)}`, toolUseId, spawnDepth: 1, model: model.id, finished: true }),
    );
    this.closeFile(w, s.clock);
    this.stats.subagentFiles++;
    // The parent waited for the agent.
    parent.clock = Math.max(parent.clock, s.clock) + rng.int(100, 2000);
  }
}

/** Generates a tree under `opts.outDir` and writes `ground-truth.json` beside `projects/`. */
export function generateTree(opts: GenerateOptions): GroundTruth {
  fs.mkdirSync(opts.outDir, { recursive: true });
  const truth = new Generator(opts).run();
  fs.writeFileSync(path.join(opts.outDir, 'ground-truth.json'), `${JSON.stringify(truth, null, 2)}\n`);
  return truth;
}

/** Reads a tree's ground truth, or undefined when it is missing or from another generator version. */
export function readGroundTruth(outDir: string): GroundTruth | undefined {
  try {
    const t = JSON.parse(fs.readFileSync(path.join(outDir, 'ground-truth.json'), 'utf8')) as GroundTruth;
    return t.generatorVersion === GENERATOR_VERSION ? t : undefined;
  } catch {
    return undefined;
  }
}

function main(argv: readonly string[]): number {
  let outDir: string | undefined;
  let size = GB;
  let seed = 1;
  let end: string | undefined;
  let sessionMedianKB: number | undefined;
  let advisorShare: number | undefined;
  let shape: TreeShape | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--size') {
      size = parseSize(argv[++i] ?? '');
    } else if (a === '--seed') {
      seed = Number(argv[++i]);
      if (!Number.isInteger(seed)) {
        throw new Error('--seed expects an integer');
      }
    } else if (a === '--end') {
      end = argv[++i];
    } else if (a === '--session-kb') {
      sessionMedianKB = Number(argv[++i]);
      if (!(sessionMedianKB >= 4 && sessionMedianKB <= 40_000)) {
        throw new Error('--session-kb expects a median session size in KB, 4 to 40000');
      }
    } else if (a === '--advisor-share') {
      advisorShare = Number(argv[++i]);
      if (!(advisorShare >= 0 && advisorShare <= 1)) {
        throw new Error('--advisor-share expects a share of main-chain calls, 0 to 1');
      }
    } else if (a === '--shape') {
      shape = parseShape(argv[++i] ?? '');
    } else if (a === '-h' || a === '--help') {
      process.stdout.write('Usage: node out/bench/generate.js <outDir> [--size 1GB] [--seed 1] [--end YYYY-MM-DD] [--session-kb 400] [--advisor-share 0] [--shape bench|heldout]\n');
      return 0;
    } else if (a.startsWith('--')) {
      process.stderr.write(`generate: unknown option ${a}\n`);
      return 2;
    } else {
      outDir = a;
    }
  }
  if (!outDir) {
    process.stderr.write('Usage: node out/bench/generate.js <outDir> [--size 1GB] [--seed 1] [--end YYYY-MM-DD] [--session-kb 400] [--advisor-share 0] [--shape bench|heldout]\n');
    return 2;
  }
  const truth = generateTree({ outDir, sizeBytes: size, seed, endDate: end, sessionMedianKB, advisorShare, shape, log: (m) => process.stderr.write(`${m}\n`) });
  const st = truth.stats;
  process.stdout.write(
    `wrote ${(st.bytes / MB).toFixed(1)} MB in ${st.files} files (${st.mainFiles} sessions, ${st.subagentFiles} subagents, ${st.projects} projects) ` +
      `in ${(truth.generatedInMs / 1000).toFixed(1)} s\n` +
      `${truth.totals.messages} unique calls, ${st.assistantRows} assistant rows, $${truth.totals.costUSD.toFixed(2)}; ground truth in ${path.join(outDir, 'ground-truth.json')}\n`,
  );
  return 0;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
