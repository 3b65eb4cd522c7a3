/**
 * The live data source behind the status bar and the panel: finds Claude's
 * folders, runs the cold scan in workers, then tails every transcript,
 * reading only appended bytes (no rescan on a change). Each projects/ folder
 * is watched by chokidar (`TreeWatcher`), by file-system events or by
 * polling where events are not reported (`watch-mode.ts`); when the OS runs
 * out of watches, a folder is polled instead. Still no vscode: the extension
 * and tests drive it the same way.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EventEmitter } from 'node:events';
import { Engine } from '../../core/engine';
import type { PriceTable } from '../../core/pricing/price-table';
import { findClaudeRoots, type RootSearch } from '../claude-roots';
import { coldScan, type ScanProgress } from '../scan/cold-scan';
import { gentleScanWorkers } from '../scan/worker-count';
import { catchUp, type CursorState } from '../scan/file-cursor';
import { newReadBuffer } from '../scan/scan';
import { describeError, listTranscriptFiles, listTranscriptFilesSliced, type ListProblem, type TranscriptFile } from '../scan/list-files';
import { isLimit, TreeWatcher } from './tree-watcher';
import { LiveIndex } from './live-index';
import { detectWatchMode, type WatchChoice, type WatchModeSetting } from './watch-mode';
import { machineZoneName } from '../machine-zone';

export type SourceState =
  | { kind: 'starting' }
  | { kind: 'scanning'; progress: ScanProgress }
  | { kind: 'empty'; lookedAt: string[] }
  | { kind: 'ready' };

export interface LiveSourceOptions {
  prices: PriceTable;
  /** IANA zone for days; undefined: the machine's. */
  timeZone?: string | undefined;
  /** Explicit config dirs (a setting); empty means CLAUDE_CONFIG_DIR or the defaults. */
  configDirs?: readonly string[];
  env?: NodeJS.ProcessEnv;
  home?: string;
  /** How often to look for Claude folders that appear later, in ms. */
  rootPollMs?: number;
  /**
   * How the folders are watched: `auto` (events, or polling where events are
   * not reported), `events` or `polling`. Default `auto`. Polling is also
   * used when the OS watcher limit is hit.
   */
  watchMode?: WatchModeSetting;
  /** Polling interval, ms (default 1000). */
  pollIntervalMs?: number;
  /** Decides `auto` for a folder (default: by its file system, `detectWatchMode`); for tests. */
  chooseWatch?: (setting: WatchModeSetting, dir: string) => WatchChoice;
  workerPath?: string;
  /**
   * Our own folder for the scan index (never under Claude's folders): a
   * restart replays it and reads only what changed. None: every start scans
   * everything.
   */
  indexDir?: string | undefined;
  /** Time between a live change and the index save it leads to, ms (default 60 s; also saved after the first scan and on dispose). */
  indexSaveMs?: number;
  /** Workers of the first scan (a setting); 0 or undefined: gentle (`gentleScanWorkers`). */
  firstScanWorkers?: number;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

const SETTLE_MS = 300;
/**
 * chokidar reports a file's changes at most once per 50 ms and drops the
 * others: a file read on an event is read once more this long after, so a
 * line written just after another is not left waiting for the next write.
 */
const FOLLOW_UP_MS = 60;

interface LaterRead {
  ms: number;
  /** Read again, while the files keep changing. */
  again: boolean;
  paths: Set<string>;
  timer: NodeJS.Timeout | undefined;
}
export const DEFAULT_POLL_INTERVAL_MS = 1000;

/** Events: `change` (engine updated), `state` (SourceState changed). */
export class LiveSource extends EventEmitter {
  readonly engine: Engine;
  private stateValue: SourceState = { kind: 'starting' };
  private roots: RootSearch = { projectsDirs: [], lookedAt: [], explicit: false };
  /** One watcher per projects/ folder. */
  private readonly watchers = new Map<string, TreeWatcher>();
  /** Roots that were not there at the last look (their watcher is started again when they return). */
  private readonly missingRoots = new Set<string>();
  /** Roots the OS watcher limit forced onto polling. */
  private readonly limitPolled = new Set<string>();
  private watchMode: WatchModeSetting;
  private readonly watchErrorsLogged = new Set<string>();
  private pollIntervalMs: number;
  private readonly cursors = new Map<string, CursorState>();
  /** Real path -> the path a file is known under (one file reached through symlinks is one file). */
  private readonly byRealPath = new Map<string, string>();
  private readonly dirty = new Set<string>();
  private scanning = false;
  private flushScheduled = false;
  private rootTimer: NodeJS.Timeout | undefined;
  /**
   * Files read on an event are read once more a little later, twice: just
   * after chokidar's 50 ms (FOLLOW_UP_MS), and once things settle
   * (SETTLE_MS, again while they keep changing).
   */
  private readonly later: LaterRead[] = [
    { ms: FOLLOW_UP_MS, again: false, paths: new Set(), timer: undefined },
    { ms: SETTLE_MS, again: true, paths: new Set(), timer: undefined },
  ];
  private disposed = false;
  private readonly buffer = newReadBuffer(256 * 1024);
  /** Problems met while listing or reading (unreadable folders and files). */
  readonly problems: ListProblem[] = [];
  /** Set when an update arrived; the time the engine last changed (ms). */
  lastChangeMs = 0;
  /** The persisted index, when `indexDir` is given. */
  readonly index: LiveIndex | undefined;

  constructor(readonly options: LiveSourceOptions) {
    super();
    this.engine = new Engine({ prices: options.prices, timeZone: options.timeZone, machineZone: options.timeZone === undefined ? machineZoneName() : undefined });
    this.watchMode = options.watchMode ?? 'auto';
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.index =
      options.indexDir === undefined
        ? undefined
        : new LiveIndex({ dir: options.indexDir, claudeDirs: this.claudeDirs(), saveMs: options.indexSaveMs, log: options.log });
  }

  /** The Claude folders this source may read (where the index must never be written). */
  private claudeDirs(): string[] {
    const found = this.findRoots();
    return [...found.lookedAt, ...found.projectsDirs.map((d) => path.dirname(d))];
  }

  get state(): SourceState {
    return this.stateValue;
  }

  /** True when any folder is polled (by the setting, its file system, or the OS watcher limit). */
  get usingPolling(): boolean {
    return [...this.watchers.values()].some((w) => w.polling);
  }

  /** Resolves once every folder's watcher has finished its first walk. */
  async watchersReady(): Promise<void> {
    await Promise.all([...this.watchers.values()].map((w) => w.ready));
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
      // A projects/ folder that was removed, and one made again: watched anew, read again.
      for (const d of this.roots.projectsDirs) {
        const there = found.projectsDirs.includes(d);
        if (!there && !this.missingRoots.has(d)) {
          this.missingRoots.add(d);
          this.forgetUnder(d);
        } else if (there && this.missingRoots.delete(d)) {
          this.watchRoot(d, true);
          this.relist(d);
        }
      }
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
    // Watching starts before the listing, so nothing written after it is missed.
    for (const d of dirs) {
      this.watchRoot(d, false);
    }
    try {
      const files: TranscriptFile[] = [];
      for (const d of dirs) {
        files.push(...(await listTranscriptFilesSliced(d, this.problems)));
      }
      for (const p of this.problems) {
        this.log('warn', `cannot read ${p.path}: ${p.message}`);
      }
      const progress: ScanProgress = { filesDone: 0, filesTotal: files.length, bytesDone: 0, bytesTotal: files.reduce((s, f) => s + f.size, 0) };
      this.setState({ kind: 'scanning', progress });
      const started = Date.now();
      const onProgress = (p: ScanProgress): void => {
        if (!this.disposed) {
          this.setState({ kind: 'scanning', progress: p });
          this.changed();
        }
      };
      const workers = gentleScanWorkers({ cores: os.availableParallelism(), files: files.length, bytes: progress.bytesTotal }, this.options.firstScanWorkers);
      const scanOptions = { workerPath: this.options.workerPath, workers, onProgress };
      const result = this.index ? await this.index.scan(this.engine, files, scanOptions) : await coldScan(this.engine, files, scanOptions);
      // One realpath per file: in batches, so the extension host is never held for long.
      let n = 0;
      for (const [p, c] of result.cursors) {
        this.setCursor(p, c);
        if (++n % 256 === 0) {
          await new Promise((r) => setImmediate(r));
        }
      }
      if ('replayed' in result) {
        const why = result.rejected === undefined || result.rejected === 'already used' ? '' : ` (index not used: ${result.rejected}; scanned cold)`;
        this.log('info', `index: replayed ${result.replayed} file(s), read on ${result.appended}, read ${result.reread} from the start${why}`);
      }
      for (const e of result.errors) {
        this.problems.push(e);
        this.log('warn', `cannot read ${e.path}: ${e.message}`);
      }
      this.log('info', `scanned ${files.length} transcript file(s), ${result.bytes} bytes, in ${Date.now() - started} ms (${result.workers} scan worker(s))`);
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
    void this.reconcileWhenWatched(dirs);
  }

  /**
   * Once the watchers' first walk is done, the tree is looked at once more:
   * a file written between the scan reading it and its watch starting (the
   * walk and the scan run side by side) is caught here, and when polling,
   * once more after the first interval.
   */
  private async reconcileWhenWatched(dirs: readonly string[]): Promise<void> {
    const watchers = dirs.map((d) => this.watchers.get(d)).filter((w): w is TreeWatcher => w !== undefined);
    await Promise.all(watchers.map((w) => w.ready));
    if (this.disposed || this.scanning) {
      return;
    }
    try {
      await this.lookAgain(dirs);
      if (watchers.some((w) => w.polling)) {
        // A poller's first stat is taken after 'ready': a write just before it is never reported as a change.
        await new Promise((r) => setTimeout(r, this.pollIntervalMs).unref?.());
        if (!this.disposed && !this.scanning) {
          await this.lookAgain(dirs);
        }
      }
    } catch (err) {
      this.log('warn', `looking at ${dirs.join(', ')} again: ${describeError(err)}`);
    }
  }

  /** How `dir` is watched: the setting, its file system, or polling once the OS limit was hit there. */
  private watchChoice(dir: string): WatchChoice {
    if (this.limitPolled.has(dir)) {
      return { polling: true, reason: 'the OS file watcher limit was reached' };
    }
    return (this.options.chooseWatch ?? detectWatchMode)(this.watchMode, dir);
  }

  /** Starts (or starts again, when `restart`) the watcher of one projects/ folder, and logs how it watches. */
  private watchRoot(dir: string, restart: boolean): void {
    const old = this.watchers.get(dir);
    if (old !== undefined) {
      if (!restart) {
        return;
      }
      void old.close();
    }
    if (this.disposed) {
      return;
    }
    const choice = this.watchChoice(dir);
    const intervalMs = this.pollIntervalMs;
    const watcher = new TreeWatcher(dir, { polling: choice.polling, intervalMs }, {
      onFile: (p) => this.markDirty(p),
      onDirGone: (p) => this.forgetUnder(p),
      onError: (err) => this.onWatchError(dir, err),
    });
    this.watchers.set(dir, watcher);
    const how = choice.polling ? `polling every ${intervalMs / 1000} s` : 'file-system events';
    this.log('info', `watching ${dir}: ${how} (${choice.reason})`);
  }

  /** Watching again with other settings: every folder's watcher is started anew, then the tree looked at once. */
  setWatching(mode: WatchModeSetting, pollIntervalMs: number): void {
    if (this.watchMode === mode && this.pollIntervalMs === pollIntervalMs) {
      return;
    }
    this.watchMode = mode;
    this.pollIntervalMs = pollIntervalMs;
    this.limitPolled.clear();
    const dirs = [...this.watchers.keys()];
    for (const d of dirs) {
      this.watchRoot(d, true);
    }
    if (!this.scanning) {
      void this.reconcileWhenWatched(dirs);
    }
  }

  /** Lists a folder and reads every transcript in it. */
  private relist(dir: string): void {
    for (const f of listTranscriptFiles(dir, [])) {
      this.markDirty(f.path);
    }
  }

  /** A folder went: every file known under it is looked at (and withdrawn). */
  private forgetUnder(dir: string): void {
    const prefix = dir + path.sep;
    for (const p of this.cursors.keys()) {
      if (p.startsWith(prefix)) {
        this.dirty.add(p);
      }
    }
    this.scheduleFlush();
  }

  private onWatchError(dir: string, err: unknown): void {
    const current = this.watchers.get(dir);
    if (isLimit(err) && current !== undefined && !current.polling && !this.limitPolled.has(dir)) {
      const code = String((err as { code: unknown }).code);
      this.log('warn', `file watcher limit reached (${code}) in ${dir}; falling back to polling every ${this.pollIntervalMs / 1000} s`);
      this.limitPolled.add(dir);
      this.watchRoot(dir, true);
      void this.reconcileWhenWatched([dir]);
      return;
    }
    // Once per folder and kind (a symlink loop gives one ELOOP per level).
    const key = `${dir}\0${err && typeof err === 'object' && 'code' in err ? String(err.code) : describeError(err)}`;
    if (!this.watchErrorsLogged.has(key)) {
      this.watchErrorsLogged.add(key);
      this.log('warn', `file watcher: ${describeError(err)}`);
    }
  }

  /** Lists `dirs` again and reads the files that are new, changed or gone. */
  private async lookAgain(dirs: readonly string[]): Promise<void> {
    const seen = new Set<string>();
    for (const d of dirs) {
      for (const f of await listTranscriptFilesSliced(d, [])) {
        const known = this.canonical(f.path);
        seen.add(known);
        const c = this.cursors.get(known);
        if (!c || c.size !== f.size || c.mtimeMs !== f.mtimeMs || c.ino !== f.ino) {
          this.dirty.add(known);
        }
      }
    }
    for (const p of this.cursors.keys()) {
      if (!seen.has(p) && dirs.some((d) => p.startsWith(d + path.sep))) {
        this.dirty.add(p);
      }
    }
    this.scheduleFlush();
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
    this.dirty.add(this.canonical(p));
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
    if (this.readPaths(paths).length > 0) {
      this.setReadyOrEmpty();
      this.changed();
    }
    for (const later of this.later) {
      this.readLater(later, paths);
    }
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
        const recorder = this.index?.recorder();
        const { state, change } = catchUp(this.engine, this.cursors.get(p), p, rel, this.buffer, recorder);
        if (recorder) {
          this.index?.update(this.engine, p, change, state, recorder);
        }
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
   * Reads `paths` again `later.ms` from now (with the others waiting for the
   * same timer); with `again`, those that changed are read once more after
   * that. A watcher can fold a quick replace-after-write into the event
   * already handled, and chokidar drops changes within 50 ms of another.
   */
  private readLater(later: LaterRead, paths: readonly string[]): void {
    for (const p of paths) {
      later.paths.add(p);
    }
    if (later.timer || this.disposed || later.paths.size === 0) {
      return;
    }
    later.timer = setTimeout(() => {
      later.timer = undefined;
      const due = [...later.paths];
      later.paths.clear();
      const changed = this.readPaths(due);
      if (changed.length > 0) {
        this.setReadyOrEmpty();
        this.changed();
        if (later.again) {
          this.readLater(later, changed);
        }
      }
    }, later.ms);
    later.timer.unref?.();
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
    this.index?.clear();
    this.problems.length = 0;
    await this.closeWatchers();
    this.roots = this.findRoots();
    await this.scanRoots(this.roots.projectsDirs);
  }

  private closeWatchers(): Promise<void> {
    const closing = [...this.watchers.values()].map((w) => w.close());
    this.watchers.clear();
    this.missingRoots.clear();
    return Promise.all(closing).then(() => undefined);
  }

  /** Stops every timer and watch; resolves once the watchers are closed. */
  dispose(): Promise<void> {
    this.disposed = true;
    if (this.rootTimer) {
      clearInterval(this.rootTimer);
    }
    for (const later of this.later) {
      if (later.timer) {
        clearTimeout(later.timer);
      }
    }
    this.removeAllListeners();
    this.index?.dispose();
    return this.closeWatchers();
  }
}
