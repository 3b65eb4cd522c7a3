/**
 * Where the CLI keeps its history and how a run tells it changed: light (no
 * engine), for the fast launcher as well as the full CLI.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const HISTORY_FILE = 'history-v1.json';

/**
 * The CLI's history folder: `--history-dir`, else the cache folder (`--cache-dir`
 * or the default one); none with `--no-history`, or with `--no-cache` unless
 * `--history-dir` is given (a cold scan keeps nothing by default).
 */
export function historyDirOf(args: { noHistory: boolean; noCache: boolean; historyDir: string | undefined; cacheDir: string | undefined }, defaultCacheDir: () => string): string | undefined {
  if (args.noHistory) {
    return undefined;
  }
  if (args.historyDir !== undefined) {
    return args.historyDir;
  }
  return args.noCache ? undefined : (args.cacheDir ?? defaultCacheDir());
}

/** Size and mtime of the history file ('none' when there is none): part of the stored report's key. */
export function historyStamp(dir: string | undefined): string | null {
  if (dir === undefined) {
    return null;
  }
  try {
    const st = fs.statSync(path.join(dir, HISTORY_FILE));
    return `${st.size}:${st.mtimeMs}`;
  } catch {
    return 'none';
  }
}
