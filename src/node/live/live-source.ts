/**
 * The live data source behind the status bar and the panel: finds Claude's
 * folders, runs the cold scan in workers, then tails every transcript,
 * reading only appended bytes (no rescan on a change). The folders are
 * watched one by one (`TreeWatcher`) as the listing reads them; when the OS
 * runs out of watches, the tree is listed again every half second instead.
 * Still no vscode: the extension and tests drive it the same way.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EventEmitter } from 'node:events';
import { Engine } from '../../core/engine';
import type { PriceTable } from '../../core/pricing/price-table';
import { findClaudeRoots, type RootSearch } from '../claude-roots';
import { coldScan, type ScanProgress } from '../scan/cold-scan';
import { catchUp, type CursorState } from '../scan/file-cursor';
import { newReadBuffer } from '../scan/scan';
import { describeError, listTranscriptFiles, listTranscriptFilesSliced, type ListProblem, type TranscriptFile } from '../scan/list-files';
import { isLimit, TreeWatcher } from './tree-watcher';
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
  /** Poll instead of watching (also used automatically when the OS watcher limit is hit). */
  usePolling?: boolean;
  workerPath?: string;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

const SETTLE_MS = 300;
/** How often the tree is listed again when it cannot be watched. */
const POLL_MS = 500;

/** Events: `change` (engine updated), `state` (SourceState changed). */
export class LiveSource extends EventEmitter {
  readonly engine: Engine;
  private stateValue: SourceState = { kind: 'starting' };
  private roots: RootSearch = { projectsDirs: [], lookedAt: [], explicit: false };
  private watcher: TreeWatcher;
  private pollTimer: NodeJS.Timeout | undefined;
  private readonly cursors = new Map<string, CursorState>();
  /** Real path -> the path a file is known under (one file reached through symlinks is one file). */
  private readonly byRealPath = new Map<string, string>();
  private readonly dirty = new Set<string>();
  private scanning = false;
  private flushScheduled = false;
  private rootTimer: NodeJS.Timeout | undefined;
  private settleTimer: NodeJS.Timeout | undefined;
  private readonly settling = new Set<string>();
  private disposed = false;
  private polling: boolean;
  private readonly buffer = newReadBuffer(256 * 1024);
  /** Problems met while listing or reading (unreadable folders and files). */
  readonly problems: ListProblem[] = [];
  /** Set when an update arrived; the time the engine last changed (ms). */
  lastChangeMs = 0;

  constructor(readonly options: LiveSourceOptions) {
    super();
    this.engine = new Engine({ prices: options.prices, timeZone: options.timeZone, machineZone: options.timeZone === undefined ? machineZoneName() : undefined });
    this.polling = options.usePolling ?? false;
    this.watcher = this.newWatcher();
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
      // A watched projects/ folder that was removed and made again.
      for (const d of this.roots.projectsDirs) {
        if (!this.polling && !this.watcher.has(d) && found.projectsDirs.includes(d)) {
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
    try {
      const files: TranscriptFile[] = [];
      for (const d of dirs) {
        files.push(...(await listTranscriptFilesSliced(d, this.problems, this.listOptions())));
      }
      this.startPolling();
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

  private newWatcher(): TreeWatcher {
    const watcher = new TreeWatcher();
    watcher.on('path', (dir: string, name: string | null, eventType: string) => this.onWatchEvent(dir, name, eventType));
    watcher.on('error', (err) => this.onWatchError(err));
    return watcher;
  }

  /**
   * Listing options: each folder is watched as it is read (unless polling),
   * under the path the listing knows it by, so events name files by the
   * paths they were listed under, symlinked folders included.
   */
  private listOptions() {
    return {
      // Checked per folder: the OS limit can be reached halfway through a listing.
      onDir: (dir: string) => {
        if (!this.polling) {
          this.watcher.watchDir(dir);
        }
      },
    };
  }

  private onWatchEvent(dir: string, name: string | null, eventType: string): void {
    if (this.disposed) {
      return;
    }
    if (name === null) {
      // The OS could not say what changed: look at the whole folder again.
      this.relist(dir);
      return;
    }
    const p = path.join(dir, name);
    if (p.endsWith('.jsonl')) {
      this.markDirty(p);
      return;
    }
    if (eventType !== 'rename') {
      return;
    }
    // Something other than a transcript appeared or went: a folder matters.
    let isDir = false;
    try {
      isDir = fs.statSync(p).isDirectory();
    } catch {
      isDir = false;
    }
    if (isDir) {
      if (!this.watcher.has(p)) {
        // A folder created with files already in it (a new project, a
        // subagents/ folder) can beat its watch: list it once.
        this.relist(p);
      }
    } else {
      this.forgetUnder(p);
      if (!fs.existsSync(dir)) {
        this.forgetUnder(dir);
      }
    }
  }

  /** Lists a folder (watching it and its subfolders) and reads every transcript in it. */
  private relist(dir: string): void {
    for (const f of listTranscriptFiles(dir, [], this.listOptions())) {
      this.markDirty(f.path);
    }
  }

  /** A folder went: its watches close and every file known under it is looked at (and withdrawn). */
  private forgetUnder(dir: string): void {
    if (this.watcher.unwatchUnder(dir).length === 0) {
      return;
    }
    const prefix = dir + path.sep;
    for (const p of this.cursors.keys()) {
      if (p.startsWith(prefix)) {
        this.dirty.add(p);
      }
    }
    this.scheduleFlush();
  }

  private onWatchError(err: unknown): void {
    if (!this.polling && isLimit(err)) {
      const code = String((err as { code: unknown }).code);
      this.log('warn', `file watcher limit reached (${code}); falling back to polling every ${POLL_MS / 1000} s`);
      this.polling = true;
      this.watcher.close();
      this.watcher = this.newWatcher();
      this.startPolling();
      for (const c of this.cursors.keys()) {
        this.dirty.add(c);
      }
      this.scheduleFlush();
      return;
    }
    this.log('warn', `file watcher: ${describeError(err)}`);
  }

  /** When polling: lists the tree again every POLL_MS and reads the files that are new, changed or gone. */
  private startPolling(): void {
    if (!this.polling || this.pollTimer || this.disposed) {
      return;
    }
    const schedule = () => {
      this.pollTimer = setTimeout(() => {
        const round = this.scanning ? Promise.resolve() : this.pollOnce();
        // A failed round is logged, and the next one still comes.
        round.catch((err: unknown) => this.log('warn', `polling: ${describeError(err)}`)).finally(() => {
          if (!this.disposed) {
            schedule();
          }
        });
      }, POLL_MS);
      this.pollTimer.unref?.();
    };
    schedule();
  }

  private async pollOnce(): Promise<void> {
    const seen = new Set<string>();
    for (const d of this.roots.projectsDirs) {
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
      if (!seen.has(p)) {
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
    this.watcher.close();
    this.watcher = this.newWatcher();
    this.roots = this.findRoots();
    await this.scanRoots(this.roots.projectsDirs);
  }

  /** Stops every timer and watch (synchronous; a promise for callers that await it). */
  dispose(): Promise<void> {
    this.disposed = true;
    if (this.rootTimer) {
      clearInterval(this.rootTimer);
    }
    if (this.settleTimer) {
      clearTimeout(this.settleTimer);
    }
    if (this.pollTimer) {
      clearTimeout(this.pollTimer);
      this.pollTimer = undefined;
    }
    this.removeAllListeners();
    this.watcher.close();
    return Promise.resolve();
  }
}
