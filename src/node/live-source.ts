/**
 * The live data source behind the status bar and the panel: finds Claude's
 * folders, runs the cold scan in workers, then tails every transcript with
 * chokidar, reading only appended bytes (no rescan on a change). Still no
 * vscode: the extension and tests drive it the same way.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EventEmitter } from 'node:events';
import { watch, type FSWatcher } from 'chokidar';
import { Engine } from '../core/engine';
import type { PriceTable } from '../core/pricing/price-table';
import { findClaudeRoots, type RootSearch } from './claude-roots';
import { coldScan, type ScanProgress } from './cold-scan';
import { catchUp, type CursorState } from './file-cursor';
import { describeError, listTranscriptFiles, type ListProblem } from './scan';

export type SourceState =
  | { kind: 'starting' }
  | { kind: 'scanning'; progress: ScanProgress }
  | { kind: 'empty'; lookedAt: string[] }
  | { kind: 'ready' };

export interface LiveSourceOptions {
  prices: PriceTable;
  timeZone: string;
  /** Explicit config dirs (a setting); empty means CLAUDE_CONFIG_DIR or the defaults. */
  configDirs?: readonly string[];
  env?: NodeJS.ProcessEnv;
  home?: string;
  /** How often to look for Claude folders that appear later, in ms. */
  rootPollMs?: number;
  /** Force chokidar polling (also used automatically when the OS watcher limit is hit). */
  usePolling?: boolean;
  workerPath?: string;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

const SETTLE_MS = 300;
const WATCH_READY_MAX_MS = 15_000;

/** Events: `change` (engine updated), `state` (SourceState changed). */
export class LiveSource extends EventEmitter {
  readonly engine: Engine;
  private stateValue: SourceState = { kind: 'starting' };
  private roots: RootSearch = { projectsDirs: [], lookedAt: [], explicit: false };
  private watcher: FSWatcher | undefined;
  private readonly cursors = new Map<string, CursorState>();
  /** Real path -> the path a file is known under (one file reached through symlinks is one file). */
  private readonly byRealPath = new Map<string, string>();
  /** Real path of a folder reached through a symlink -> the path under projects/ it is known by. */
  private readonly symlinkedDirs = new Map<string, string>();
  private readonly dirty = new Set<string>();
  private scanning = false;
  private flushScheduled = false;
  private rootTimer: NodeJS.Timeout | undefined;
  private settleTimer: NodeJS.Timeout | undefined;
  private readonly settling = new Set<string>();
  private disposed = false;
  private polling: boolean;
  private readonly buffer = Buffer.allocUnsafe(256 * 1024);
  /** Problems met while listing or reading (unreadable folders and files). */
  readonly problems: ListProblem[] = [];
  /** Set when an update arrived; the time the engine last changed (ms). */
  lastChangeMs = 0;

  constructor(readonly options: LiveSourceOptions) {
    super();
    this.engine = new Engine({ prices: options.prices, timeZone: options.timeZone });
    this.polling = options.usePolling ?? false;
  }

  get state(): SourceState {
    return this.stateValue;
  }

  /** True once the OS watcher limit forced polling. */
  get usingPolling(): boolean {
    return this.polling;
  }

  get projectsDirs(): readonly string[] {
    return this.roots.projectsDirs;
  }

  get lookedAt(): readonly string[] {
    return this.roots.lookedAt;
  }

  /** Files whose last line is unterminated and not JSON yet. */
  pendingFiles(): number {
    let n = 0;
    for (const c of this.cursors.values()) {
      if (c.torn) {
        n++;
      }
    }
    return n;
  }

  /** Ready once any transcript file is known; empty (calm, with where we looked) before that. */
  private setReadyOrEmpty(): void {
    if (this.cursors.size > 0) {
      if (this.stateValue.kind !== 'ready') {
        this.setState({ kind: 'ready' });
      }
    } else if (this.stateValue.kind !== 'empty') {
      this.setState({ kind: 'empty', lookedAt: [...this.roots.lookedAt] });
    }
  }

  private setState(state: SourceState): void {
    this.stateValue = state;
    this.emit('state', state);
  }

  private log(level: 'info' | 'warn' | 'error', message: string): void {
    this.options.log?.(level, message);
  }

  /** Finds the folders, starts watching, scans the history. Resolves when the first scan is merged. */
  async start(): Promise<void> {
    this.roots = this.findRoots();
    this.startRootPolling();
    await this.scanRoots(this.roots.projectsDirs);
  }

  private findRoots(): RootSearch {
    return findClaudeRoots({ configDirs: this.options.configDirs, env: this.options.env, home: this.options.home });
  }

  private startRootPolling(): void {
    const every = this.options.rootPollMs ?? 5000;
    if (every <= 0) {
      return;
    }
    this.rootTimer = setInterval(() => {
      if (this.scanning || this.disposed) {
        return;
      }
      const found = this.findRoots();
      const added = found.projectsDirs.filter((d) => !this.roots.projectsDirs.includes(d));
      if (added.length > 0) {
        this.roots = found;
        this.log('info', `Claude folder appeared: ${added.join(', ')}`);
        void this.scanRoots(added);
      }
    }, every);
    this.rootTimer.unref?.();
  }

  private async scanRoots(dirs: readonly string[]): Promise<void> {
    if (dirs.length === 0) {
      if (this.roots.projectsDirs.length === 0) {
        this.setState({ kind: 'empty', lookedAt: [...this.roots.lookedAt] });
      }
      return;
    }
    this.scanning = true;
    try {
      await this.watch(dirs);
      const files = dirs.flatMap((d) => listTranscriptFiles(d, this.problems, this.symlinkedDirs));
      this.watchSymlinkedDirs();
      for (const p of this.problems) {
        this.log('warn', `cannot read ${p.path}: ${p.message}`);
      }
      const progress: ScanProgress = { filesDone: 0, filesTotal: files.length, bytesDone: 0, bytesTotal: files.reduce((s, f) => s + f.size, 0) };
      this.setState({ kind: 'scanning', progress });
      const started = Date.now();
      const result = await coldScan(this.engine, files, {
        workerPath: this.options.workerPath,
        onProgress: (p) => {
          if (!this.disposed) {
            this.setState({ kind: 'scanning', progress: p });
            this.changed();
          }
        },
      });
      // One realpath per file: in batches, so the extension host is never held for long.
      let n = 0;
      for (const [p, c] of result.cursors) {
        this.setCursor(p, c);
        if (++n % 256 === 0) {
          await new Promise((r) => setImmediate(r));
        }
      }
      for (const e of result.errors) {
        this.problems.push(e);
        this.log('warn', `cannot read ${e.path}: ${e.message}`);
      }
      this.log('info', `scanned ${files.length} transcript file(s), ${result.bytes} bytes, in ${Date.now() - started} ms`);
    } finally {
      this.scanning = false;
    }
    if (this.disposed) {
      return;
    }
    this.setReadyOrEmpty();
    this.changed();
    // Changes that arrived during the scan.
    this.scheduleFlush();
  }

  /** Watches `dirs`; resolves once the watcher has walked them (bounded wait). */
  private watch(dirs: readonly string[]): Promise<void> {
    if (this.watcher) {
      this.watcher.add([...dirs]);
      return Promise.resolve();
    }
    const watcher = watch([...dirs], {
      ignoreInitial: true,
      persistent: true,
      followSymlinks: false,
      usePolling: this.polling,
      interval: 500,
      ignored: (p, stats) => stats !== undefined && stats.isFile() && !p.endsWith('.jsonl'),
    });
    watcher.on('add', (p) => this.markDirty(p));
    watcher.on('change', (p) => this.markDirty(p));
    watcher.on('unlink', (p) => this.markDirty(p));
    // A folder created with files already in it (a new project, a subagents/
    // folder) can beat the watcher: list it once.
    watcher.on('addDir', (dir) => {
      for (const f of listTranscriptFiles(dir, [])) {
        this.markDirty(f.path);
      }
    });
    watcher.on('error', (err) => this.onWatchError(err));
    this.watcher = watcher;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, WATCH_READY_MAX_MS);
      timer.unref?.();
      watcher.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private onWatchError(err: unknown): void {
    const code = err && typeof err === 'object' && 'code' in err ? String(err.code) : '';
    if (!this.polling && (code === 'ENOSPC' || code === 'EMFILE')) {
      this.log('warn', `file watcher limit reached (${code}); falling back to polling every 0.5 s`);
      this.polling = true;
      const dirs = [...this.roots.projectsDirs];
      void this.watcher?.close();
      this.watcher = undefined;
      void this.watch(dirs);
      this.watchSymlinkedDirs();
      for (const c of this.cursors.keys()) {
        this.dirty.add(c);
      }
      this.scheduleFlush();
      return;
    }
    this.log('warn', `file watcher: ${describeError(err)}`);
  }

  /**
   * The watcher does not follow symlinks (loops would make it walk forever);
   * folders the scan reached through one are watched at their real path.
   */
  private watchSymlinkedDirs(): void {
    const inside = (p: string, parent: string) => p === parent || p.startsWith(parent + path.sep);
    const toWatch = [...this.symlinkedDirs.keys()].filter((real) => !this.roots.projectsDirs.some((d) => inside(real, d)));
    if (toWatch.length > 0) {
      this.watcher?.add(toWatch);
    }
  }

  /** Maps a path under a symlinked folder's real path to the path we know it by. */
  private throughSymlink(p: string): string {
    for (const [real, alias] of this.symlinkedDirs) {
      if (p.startsWith(real + path.sep)) {
        return alias + p.slice(real.length);
      }
    }
    return p;
  }

  private setCursor(p: string, c: CursorState): void {
    this.cursors.set(p, c);
    try {
      this.byRealPath.set(fs.realpathSync.native(p), p);
    } catch {
      // gone already: the next event withdraws it
    }
  }

  /** The path a file is known under, when it is reached through another (symlinked) path. */
  private canonical(p: string): string {
    if (this.cursors.has(p)) {
      return p;
    }
    try {
      return this.byRealPath.get(fs.realpathSync.native(p)) ?? p;
    } catch {
      return p;
    }
  }

  private markDirty(p: string): void {
    if (!p.endsWith('.jsonl')) {
      return;
    }
    this.dirty.add(this.canonical(this.throughSymlink(p)));
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.scanning || this.disposed) {
      return;
    }
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private relativeOf(p: string): string | undefined {
    for (const dir of this.roots.projectsDirs) {
      const rel = path.relative(dir, p);
      if (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)) {
        return rel.split(path.sep).join('/');
      }
    }
    return undefined;
  }

  /** Reads what changed: appended bytes only, or a whole file that shrank or was replaced. */
  private flush(): void {
    if (this.dirty.size === 0 || this.disposed) {
      return;
    }
    const paths = [...this.dirty];
    this.dirty.clear();
    for (const p of paths) {
      this.settling.add(p);
    }
    if (this.readPaths(paths).length > 0) {
      this.setReadyOrEmpty();
      this.changed();
    }
    this.scheduleSettle();
  }

  /** Catches up on each path; returns those that changed. */
  private readPaths(paths: readonly string[]): string[] {
    const changed: string[] = [];
    for (const p of paths) {
      const rel = this.relativeOf(p);
      if (rel === undefined) {
        continue;
      }
      try {
        const { state, change } = catchUp(this.engine, this.cursors.get(p), p, rel, this.buffer);
        if (state) {
          this.setCursor(p, state);
        } else {
          this.cursors.delete(p);
        }
        if (change !== 'unchanged') {
          changed.push(p);
          if (change === 'reread') {
            this.log('info', `re-read ${p} (new, truncated or replaced)`);
          }
        }
      } catch (err) {
        this.log('warn', `cannot read ${p}: ${describeError(err)}`);
      }
    }
    return changed;
  }

  /**
   * Looks again at recently changed files a little later: a watcher can fold
   * a quick replace-after-write into the event already handled.
   */
  private scheduleSettle(): void {
    if (this.settleTimer || this.disposed || this.settling.size === 0) {
      return;
    }
    this.settleTimer = setTimeout(() => {
      this.settleTimer = undefined;
      const paths = [...this.settling];
      this.settling.clear();
      const changed = this.readPaths(paths);
      if (changed.length > 0) {
        for (const p of changed) {
          this.settling.add(p);
        }
        this.changed();
        this.scheduleSettle();
      }
    }, SETTLE_MS);
    this.settleTimer.unref?.();
  }

  private changed(): void {
    this.lastChangeMs = Date.now();
    this.emit('change');
  }

  /** Forgets everything and scans again (the Rescan command). */
  async rescan(): Promise<void> {
    for (const p of [...this.cursors.keys()]) {
      this.engine.removeFile(p);
    }
    for (const f of [...this.engine.allFiles()]) {
      this.engine.removeFile(f.path);
    }
    this.cursors.clear();
    this.problems.length = 0;
    await this.watcher?.close();
    this.watcher = undefined;
    this.roots = this.findRoots();
    await this.scanRoots(this.roots.projectsDirs);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.rootTimer) {
      clearInterval(this.rootTimer);
    }
    if (this.settleTimer) {
      clearTimeout(this.settleTimer);
    }
    this.removeAllListeners();
    await this.watcher?.close();
    this.watcher = undefined;
  }
}
