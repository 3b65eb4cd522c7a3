/**
 * Extension activation and first-scan responsiveness, without an extension
 * host: loads the built dist/extension.js with a stubbed `vscode` module,
 * times the synchronous part of `activate`, then watches the event loop
 * while the first scan of a tree runs (worker threads read; this thread
 * merges in slices) until the scan is merged and the status bar refreshed.
 *
 *   node out/bench/activation.js [--size 1GB] [--seed 1] [--tree DIR] [--runs 3] [--warm-intl]
 *
 * --warm-intl formats one date before activating, as the extension host has
 * done long before an extension activates: ICU's time-zone data is then
 * loaded, as it is in VS Code (without it, the first time-zone lookup in
 * `activate` pays for loading it).
 *
 * The longest block is measured two ways: a 1 ms interval timer (the
 * largest gap between two ticks, minus 1 ms) and perf_hooks'
 * monitorEventLoopDelay (max). Results go to bench/.work/results-activation.json.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import Module from 'node:module';
import { REPO_ROOT, WORK_DIR, ensureTree, machine } from './common';
import { parseSize } from './generate';

// ---------------------------------------------------------------- a stubbed `vscode`

type Any = Record<string | symbol, unknown> & ((...args: unknown[]) => unknown);

/** A value that accepts any property access, call or construction (for APIs the run never really needs). */
function anything(name: string): Any {
  const target = function () {
    /* stub */
  };
  return new Proxy(target, {
    get(_t, k) {
      if (k === 'then' || k === Symbol.iterator || k === 'toJSON') {
        return undefined;
      }
      if (k === Symbol.toPrimitive) {
        return () => name;
      }
      return anything(`${name}.${String(k)}`);
    },
    apply: () => anything(`${name}()`),
    construct: () => anything(`new ${name}`),
  }) as unknown as Any;
}

const disposable = () => ({ dispose() {} });

class EventEmitter<T> {
  private listeners: Array<(e: T) => void> = [];
  readonly event = (l: (e: T) => void) => {
    this.listeners.push(l);
    return { dispose: () => (this.listeners = this.listeners.filter((x) => x !== l)) };
  };
  fire(e: T): void {
    for (const l of this.listeners) {
      l(e);
    }
  }
  dispose(): void {
    this.listeners = [];
  }
}

class MarkdownString {
  value = '';
  isTrusted = false;
  supportThemeIcons = false;
  constructor(v = '') {
    this.value = v;
  }
  appendMarkdown(s: string): this {
    this.value += s;
    return this;
  }
  appendText(s: string): this {
    this.value += s;
    return this;
  }
  appendCodeblock(s: string): this {
    this.value += s;
    return this;
  }
}

const uri = (p: string) => ({ fsPath: p, path: p, scheme: 'file', toString: () => `file://${p}` });

function vscodeStub(): Record<string, unknown> {
  const log = { info() {}, warn() {}, error() {}, debug() {}, trace() {}, append() {}, appendLine() {}, show() {}, hide() {}, clear() {}, dispose() {}, replace() {}, name: 'log', logLevel: 2, onDidChangeLogLevel: () => disposable() };
  const stub: Record<string, unknown> = {
    window: new Proxy(
      {
        createOutputChannel: () => log,
        createStatusBarItem: () => ({ text: '', tooltip: undefined, command: undefined, backgroundColor: undefined, name: '', show() {}, hide() {}, dispose() {} }),
        withProgress: (_o: unknown, task: (p: { report(): void }, t: unknown) => Promise<unknown>) => task({ report() {} }, { isCancellationRequested: false, onCancellationRequested: () => disposable() }),
        registerWebviewPanelSerializer: () => disposable(),
        showInformationMessage: () => Promise.resolve(undefined),
        showWarningMessage: () => Promise.resolve(undefined),
        showErrorMessage: () => Promise.resolve(undefined),
        terminals: [],
        activeTerminal: undefined,
      },
      { get: (t, k) => (k in t ? t[k as keyof typeof t] : anything(`window.${String(k)}`)) },
    ),
    workspace: new Proxy(
      {
        workspaceFolders: undefined,
        getConfiguration: () => ({ get: () => undefined, has: () => false, inspect: () => undefined, update: () => Promise.resolve() }),
        onDidChangeConfiguration: () => disposable(),
        onDidChangeWorkspaceFolders: () => disposable(),
        isTrusted: true,
      },
      { get: (t, k) => (k in t ? t[k as keyof typeof t] : anything(`workspace.${String(k)}`)) },
    ),
    commands: { registerCommand: () => disposable(), executeCommand: () => Promise.resolve(undefined) },
    env: anything('env'),
    Uri: { file: uri, joinPath: (u: { fsPath: string }, ...p: string[]) => uri(path.join(u.fsPath, ...p)), parse: (s: string) => uri(s) },
    EventEmitter,
    MarkdownString,
    Disposable: class {
      static from(...d: Array<{ dispose(): void }>) {
        return { dispose: () => d.forEach((x) => x.dispose()) };
      }
      constructor(private readonly fn: () => void) {}
      dispose() {
        this.fn();
      }
    },
    ThemeColor: class {
      constructor(readonly id: string) {}
    },
    ThemeIcon: class {
      constructor(readonly id: string) {}
    },
    StatusBarAlignment: { Left: 1, Right: 2 },
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    ViewColumn: { Active: -1, Beside: -2, One: 1 },
    ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
    LogLevel: { Off: 0, Trace: 1, Debug: 2, Info: 3, Warning: 4, Error: 5 },
  };
  return new Proxy(stub, { get: (t, k) => (k in t ? t[k as string] : anything(`vscode.${String(k)}`)) });
}

// ---------------------------------------------------------------- one run

interface RunResult {
  requireMs: number;
  activateSyncMs: number;
  /** RSS of the process once the first scan is shown (plus the settle time). */
  rssMb: number;
  firstScanMs: number;
  /** Longest gap between two 1 ms timer ticks, minus the 1 ms, during activation + first scan + settling. */
  longestBlockMs: number;
  /** monitorEventLoopDelay's max over the same span. */
  loopDelayMaxMs: number;
  loopDelayP99Ms: number;
  blocksOver50: number;
  blocksOver16: number;
  /** The five longest gaps, with when they ended (ms since activate). */
  top: Array<{ atMs: number; ms: number; gcMs: number; gc: string }>;
  /** When the merge of worker results began (the watcher's walk and the listing are done), ms since activate. */
  mergeStartMs: number;
  /** Longest block per phase: watcher walk + listing, merging worker results, the first full snapshot after. */
  phases: { watchAndListMs: number; mergeMs: number; afterMergeMs: number };
}

/** `keepHome`: the same home (and global storage) for every run, kept: each run after the first is a restart. */
async function runOnce(tree: string, settleMs: number, warmIntl: boolean, keepHome?: string): Promise<RunResult> {
  if (warmIntl) {
    new Intl.DateTimeFormat('en-CA', { timeZone: 'UTC', year: 'numeric' }).format(0);
    void Intl.DateTimeFormat().resolvedOptions().timeZone;
  }
  const home = keepHome ?? fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-activation-'));
  process.env.CLAUDE_CONFIG_DIR = tree;
  process.env.HOME = home;
  const stub = vscodeStub();
  const modules = Module as unknown as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };
  const load = modules._load;
  modules._load = function (request: string, parent: unknown, isMain: boolean) {
    return request === 'vscode' ? stub : load.call(this, request, parent, isMain);
  };
  const extPath = path.join(REPO_ROOT, 'dist', 'extension.js');
  const r0 = performance.now();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ext = require(extPath) as {
    activate(ctx: unknown): { ready: Promise<void>; onDidUpdate(l: (s: { source: { kind: string } }) => void): { dispose(): void } };
    deactivate?: () => unknown;
  };
  const requireMs = performance.now() - r0;

  const gaps: Array<{ atMs: number; ms: number }> = [];
  let last = performance.now();
  let t0 = 0;
  const probe = setInterval(() => {
    const now = performance.now();
    gaps.push({ atMs: now - t0, ms: now - last - 1 });
    last = now;
  }, 1);
  const h = monitorEventLoopDelay({ resolution: 1 });
  // Garbage collection on this thread, to tell our code's blocks from the collector's pauses.
  const gcs: Array<{ startMs: number; ms: number; kind: string }> = [];
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcs.push({ startMs: e.startTime - t0, ms: e.duration, kind: gcKind((e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind) });
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  h.enable();
  const subscriptions: Array<{ dispose(): unknown }> = [];
  const memento = () => {
    const m = new Map<string, unknown>();
    return { get: (k: string, d?: unknown) => (m.has(k) ? m.get(k) : d), update: (k: string, v: unknown) => (m.set(k, v), Promise.resolve()), keys: () => [...m.keys()] };
  };
  const context = {
    subscriptions,
    extensionPath: REPO_ROOT,
    extensionUri: uri(REPO_ROOT),
    globalStorageUri: uri(path.join(home, 'global')),
    storageUri: uri(path.join(home, 'ws')),
    logUri: uri(path.join(home, 'log')),
    workspaceState: memento(),
    globalState: { ...memento(), setKeysForSync() {} },
    // The team export reads its token here (none).
    secrets: { get: () => Promise.resolve(undefined), store: () => Promise.resolve(), delete: () => Promise.resolve(), onDidChange: () => ({ dispose() {} }) },
    extensionMode: 1,
    asAbsolutePath: (p: string) => path.join(REPO_ROOT, p),
  };
  // Let the probe start ticking before activation.
  await new Promise((r) => setTimeout(r, 20));
  last = performance.now();
  gaps.length = 0;
  h.reset();
  t0 = performance.now();
  const api = ext.activate(context);
  const activateSyncMs = performance.now() - t0;
  let mergeStartMs = NaN;
  const sub = api.onDidUpdate((snap) => {
    if (snap.source.kind === 'scanning' && Number.isNaN(mergeStartMs)) {
      mergeStartMs = performance.now() - t0;
    }
  });
  await api.ready;
  const firstScanMs = performance.now() - t0;
  sub.dispose();
  await new Promise((r) => setTimeout(r, settleMs));
  // The whole process, meter and scan workers included (a run's garbage may linger into the next: read run 1).
  const rssMb = process.memoryUsage().rss / (1024 * 1024);
  clearInterval(probe);
  h.disable();
  gcObserver.disconnect();
  for (const s of subscriptions) {
    await s.dispose();
  }
  await ext.deactivate?.();
  modules._load = load;
  delete require.cache[require.resolve(extPath)];
  if (keepHome === undefined) {
    fs.rmSync(home, { recursive: true, force: true });
  }
  const sorted = [...gaps].sort((a, b) => b.ms - a.ms);
  // A gap belongs to the phase in which it began.
  const longest = (from: number, to: number) => Math.max(0, ...gaps.filter((g) => g.atMs - g.ms >= from && g.atMs - g.ms < to).map((g) => g.ms));
  return {
    mergeStartMs,
    phases: { watchAndListMs: longest(-Infinity, mergeStartMs), mergeMs: longest(mergeStartMs, firstScanMs - 1), afterMergeMs: longest(firstScanMs - 1, Infinity) },
    requireMs,
    activateSyncMs,
    firstScanMs,
    rssMb,
    longestBlockMs: sorted[0]?.ms ?? 0,
    loopDelayMaxMs: h.max / 1e6,
    loopDelayP99Ms: h.percentile(99) / 1e6,
    blocksOver50: gaps.filter((g) => g.ms > 50).length,
    blocksOver16: gaps.filter((g) => g.ms > 16).length,
    top: sorted.slice(0, 5).map((g) => {
      // Collector pauses that began within the block, and of what kind.
      const within = gcs.filter((c) => c.startMs >= g.atMs - g.ms - 1 && c.startMs < g.atMs);
      return {
        atMs: Math.round(g.atMs),
        ms: Math.round(g.ms * 10) / 10,
        gcMs: Math.round(within.reduce((sum, c) => sum + c.ms, 0) * 10) / 10,
        gc: within.map((c) => `${c.kind} ${c.ms.toFixed(1)}`).join(', '),
      };
    }),
  };
}

/** perf_hooks' names for the kinds of collection (constants.NODE_PERFORMANCE_GC_*). */
function gcKind(kind: number | undefined): string {
  switch (kind) {
    case 1:
      return 'minor';
    case 4:
      return 'major';
    case 8:
      return 'incremental';
    case 16:
      return 'weak callbacks';
    default:
      return `kind ${kind}`;
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const get = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const runs = Number(get('--runs') ?? 3);
  const log = (m: string) => process.stderr.write(`${m}\n`);
  const tree = get('--tree') ?? ensureTree(parseSize(get('--size') ?? '1GB'), Number(get('--seed') ?? 1), log).dir;
  const results: RunResult[] = [];
  // --restart: run 1 is a first start, every later run a restart with the same global storage.
  const keepHome = argv.includes('--restart') ? fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-activation-')) : undefined;
  for (let i = 0; i < runs; i++) {
    const r = await runOnce(tree, 600, argv.includes('--warm-intl'), keepHome);
    results.push(r);
    log(
      `run ${i + 1}/${runs}: require ${r.requireMs.toFixed(1)} ms · activate (sync) ${r.activateSyncMs.toFixed(1)} ms · first scan ${(r.firstScanMs / 1000).toFixed(2)} s · RSS ${r.rssMb.toFixed(0)} MB · ` +
        `longest block ${r.longestBlockMs.toFixed(1)} ms [watch+list ${r.phases.watchAndListMs.toFixed(0)}, merge ${r.phases.mergeMs.toFixed(0)} (from ${Math.round(r.mergeStartMs)} ms), after ${r.phases.afterMergeMs.toFixed(0)}] (loop delay max ${r.loopDelayMaxMs.toFixed(1)}, p99 ${r.loopDelayP99Ms.toFixed(1)}) · blocks >50 ms: ${r.blocksOver50}, >16 ms: ${r.blocksOver16} · top ${JSON.stringify(r.top)}`,
    );
  }
  const med = (f: (r: RunResult) => number) => {
    const v = results.map(f).sort((a, b) => a - b);
    return v[Math.floor(v.length / 2)] ?? NaN;
  };
  const summary = {
    tree,
    runs,
    warmIntl: argv.includes('--warm-intl'),
    machine: machine(),
    timedAt: new Date().toISOString(),
    median: {
      requireMs: med((r) => r.requireMs),
      activateSyncMs: med((r) => r.activateSyncMs),
      firstScanMs: med((r) => r.firstScanMs),
      longestBlockMs: med((r) => r.longestBlockMs),
      loopDelayMaxMs: med((r) => r.loopDelayMaxMs),
      watchAndListBlockMs: med((r) => r.phases.watchAndListMs),
      mergeBlockMs: med((r) => r.phases.mergeMs),
      afterMergeBlockMs: med((r) => r.phases.afterMergeMs),
    },
    worst: { longestBlockMs: Math.max(...results.map((r) => r.longestBlockMs)), activateSyncMs: Math.max(...results.map((r) => r.activateSyncMs)) },
    results,
  };
  if (keepHome !== undefined) {
    fs.rmSync(keepHome, { recursive: true, force: true });
  }
  fs.mkdirSync(WORK_DIR, { recursive: true });
  fs.writeFileSync(path.join(WORK_DIR, `results-activation${summary.warmIntl ? '-warm-intl' : ''}.json`), `${JSON.stringify(summary, null, 2)}\n`);
  process.stdout.write(
    `activation (${runs} runs, median): require dist/extension.js ${summary.median.requireMs.toFixed(1)} ms · activate() synchronous part ${summary.median.activateSyncMs.toFixed(1)} ms (worst ${summary.worst.activateSyncMs.toFixed(1)})\n` +
      `first scan of ${path.basename(tree)}: ${(summary.median.firstScanMs / 1000).toFixed(2)} s · longest main-thread block ${summary.median.longestBlockMs.toFixed(1)} ms (worst ${summary.worst.longestBlockMs.toFixed(1)}; loop delay max ${summary.median.loopDelayMaxMs.toFixed(1)} ms)\n` +
      `  by phase (median of each): watcher walk + listing ${summary.median.watchAndListBlockMs.toFixed(1)} ms · merging worker results ${summary.median.mergeBlockMs.toFixed(1)} ms · first full snapshot ${summary.median.afterMergeBlockMs.toFixed(1)} ms\n`,
  );
  process.exit(0);
}

main().catch((e: unknown) => {
  process.stderr.write(`activation: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
