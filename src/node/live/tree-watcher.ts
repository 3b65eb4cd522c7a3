/**
 * Watches one transcript tree (a `projects/` folder) with chokidar: by
 * file-system events, or by polling (a stat of every watched file and folder
 * each interval) where events are not reported (`watch-mode.ts`). It runs in
 * the meter's worker thread, so chokidar's first walk of the tree holds no
 * one but that thread.
 *
 * Only what the live source needs passes: transcripts (`*.jsonl`, regular
 * files), folders and symlinks (followed). Each transcript that appears,
 * changes or goes is reported by path (`onFile`); a folder that goes, by
 * `onDirGone`. With `ignoreInitial`, the first walk reports nothing: the
 * listing that feeds the cold scan finds those files.
 */
import type { Stats } from 'node:fs';
import { watch, type FSWatcher } from 'chokidar';

/** Folders below the watched one that are walked (the listing goes as deep, but visits each real folder once). */
export const MAX_DEPTH = 6;

export interface TreeWatchOptions {
  polling: boolean;
  /** Polling interval, ms. */
  intervalMs: number;
}

export interface TreeWatchHandlers {
  onFile: (path: string) => void;
  onDirGone: (path: string) => void;
  onError: (err: unknown) => void;
}

/** What is not ours: any entry that is neither a folder, a symlink, nor a `*.jsonl` file. */
export function ignoredEntry(p: string, stats?: Stats): boolean {
  if (stats === undefined || stats.isDirectory() || stats.isSymbolicLink()) {
    return false;
  }
  return !p.endsWith('.jsonl');
}

export class TreeWatcher {
  private readonly watcher: FSWatcher;
  /** Resolves once the first walk is done (every folder and file watched). */
  readonly ready: Promise<void>;
  private closed = false;

  constructor(
    readonly root: string,
    readonly options: TreeWatchOptions,
    handlers: TreeWatchHandlers,
  ) {
    this.watcher = watch(root, {
      ignoreInitial: true,
      persistent: true,
      followSymlinks: true,
      // Transcripts lie at most 3 folders down (<project>/<session>/subagents/). chokidar follows a
      // symlink loop until ELOOP (about 40 levels, a watch each): the depth bounds it.
      depth: MAX_DEPTH,
      ignored: ignoredEntry,
      usePolling: options.polling,
      interval: options.intervalMs,
      binaryInterval: options.intervalMs,
      // A replace by rename is an unlink then an add: chokidar folds the pair into a change.
      atomic: options.polling ? false : 100,
    });
    this.ready = new Promise((resolve) => this.watcher.once('ready', () => resolve()));
    const file = (p: string) => {
      if (!this.closed) {
        handlers.onFile(p);
      }
    };
    this.watcher.on('add', file);
    this.watcher.on('change', file);
    this.watcher.on('unlink', file);
    this.watcher.on('unlinkDir', (p: string) => {
      if (!this.closed) {
        handlers.onDirGone(p);
      }
    });
    this.watcher.on('error', (err: unknown) => {
      if (!this.closed) {
        handlers.onError(err);
      }
    });
  }

  get polling(): boolean {
    return this.options.polling;
  }

  /** Folders and files watched (for tests and the log). */
  watchedCount(): number {
    let n = 0;
    for (const names of Object.values(this.watcher.getWatched())) {
      n += names.length;
    }
    return n;
  }

  close(): Promise<void> {
    this.closed = true;
    return this.watcher.close();
  }
}

/** The OS ran out of watches (inotify's limit) or of file handles. */
export function isLimit(err: unknown): boolean {
  const code = err && typeof err === 'object' && 'code' in err ? String(err.code) : '';
  return code === 'ENOSPC' || code === 'EMFILE';
}
