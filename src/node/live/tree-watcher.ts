/**
 * Watches the folders of a transcript tree, one OS watch per folder
 * (`fs.watch`, not recursive: inotify on Linux, FSEvents or
 * ReadDirectoryChangesW elsewhere). It does no walking of its own: the
 * listing that finds the transcripts hands it each folder as it reads it, so
 * a large history is walked once, in slices, instead of twice (a general
 * watcher's first walk lstat's every entry in bursts that held the
 * extension host for up to half a second on a 1 GB history).
 *
 * Events: `path` (folder, name | null) for anything that happened in a
 * watched folder (name null: the OS could not say what), and `error` for a
 * watch that failed; ENOSPC or EMFILE there means the OS limit was reached.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EventEmitter } from 'node:events';

export class TreeWatcher extends EventEmitter {
  private readonly watches = new Map<string, fs.FSWatcher>();
  private closed = false;

  /** Number of folders watched. */
  get size(): number {
    return this.watches.size;
  }

  has(dir: string): boolean {
    return this.watches.has(dir);
  }

  /**
   * Watches one folder (not its subfolders). A folder that cannot be watched
   * (gone, unreadable) is skipped; the OS limit is reported as `error`.
   */
  watchDir(dir: string): void {
    if (this.closed || this.watches.has(dir)) {
      return;
    }
    let watch: fs.FSWatcher;
    try {
      watch = fs.watch(dir, { persistent: true }, (eventType, name) => {
        // A rename is something appearing or going; a change is a write.
        this.emit('path', dir, name === null ? null : String(name), eventType);
      });
    } catch (err) {
      if (isLimit(err)) {
        this.emit('error', err);
      }
      return;
    }
    watch.on('error', (err) => {
      this.unwatch(dir);
      if (isLimit(err)) {
        this.emit('error', err);
      }
    });
    this.watches.set(dir, watch);
  }

  /** Stops watching `dir` and every folder under it; returns the folders dropped. */
  unwatchUnder(dir: string): string[] {
    const dropped: string[] = [];
    for (const d of [...this.watches.keys()]) {
      if (d === dir || d.startsWith(dir + path.sep)) {
        this.unwatch(d);
        dropped.push(d);
      }
    }
    return dropped;
  }

  private unwatch(dir: string): void {
    const w = this.watches.get(dir);
    if (w) {
      this.watches.delete(dir);
      w.close();
    }
  }

  close(): void {
    this.closed = true;
    for (const d of [...this.watches.keys()]) {
      this.unwatch(d);
    }
    this.removeAllListeners('path');
  }
}

/** The OS ran out of watches (inotify's limit) or of file handles. */
export function isLimit(err: unknown): boolean {
  const code = err && typeof err === 'object' && 'code' in err ? String(err.code) : '';
  return code === 'ENOSPC' || code === 'EMFILE';
}
