/**
 * Where the plan-limit readings are on disk, read without ever writing there:
 * Claude Code's global config (`$CLAUDE_CONFIG_DIR/.claude.json`, else
 * `~/.claude.json`), read-only and size-capped, and the snapshot that
 * `claude-cost statusline` records in our own cache folder. Plus a watcher
 * of both for the extension's meter: `fs.watch` on their folders, debounced,
 * with a slow stat check as a fallback (no polling storm).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fresherReading, limitsView, readingFromClaudeConfig, readingFromSnapshot, statuslineSnapshotSchema, type LimitsReading, type LimitsView, type StatuslineSnapshot } from '../core/limits';
import { expandHome } from './claude-roots';
import { defaultCacheDir } from './scan/index-store';
import { SNAPSHOT_FILE } from './statusline-snapshot';
import { lastMissCauseOf } from '../core/cause-sums';

/** Larger than any real config (a few MB with a long project list): refused, not read. */
export const MAX_CONFIG_BYTES = 64 * 1024 * 1024;

export interface LimitsPaths {
  /** Claude Code's global config file. */
  configFile: string;
  /** Our cache folder, where `claude-cost statusline` records its snapshot. */
  cacheDir: string;
}

/**
 * The global config file: `<configDir>/.claude.json` for an explicit dir,
 * else `$CLAUDE_CONFIG_DIR/.claude.json` (its first entry), else
 * `~/.claude.json` (beside `~/.claude`, not inside it).
 */
export function claudeConfigFile(options: { configDir?: string | undefined; env?: NodeJS.ProcessEnv; home?: string } = {}): string {
  const env = options.env ?? process.env;
  // The environment given decides, as it does for CLAUDE_CONFIG_DIR.
  const home = options.home ?? (env.HOME !== undefined && env.HOME !== '' ? env.HOME : os.homedir());
  if (options.configDir !== undefined && options.configDir !== '') {
    const dir = expandHome(options.configDir, home);
    return path.basename(dir) === '.claude.json' ? dir : path.join(dir, '.claude.json');
  }
  const fromEnv = (env.CLAUDE_CONFIG_DIR ?? '').split(',').map((s) => s.trim()).find((s) => s !== '');
  if (fromEnv !== undefined) {
    return path.join(expandHome(fromEnv, home), '.claude.json');
  }
  return path.join(home, '.claude.json');
}

export function limitsPaths(options: { configDir?: string | undefined; cacheDir?: string | undefined; env?: NodeJS.ProcessEnv; home?: string } = {}): LimitsPaths {
  const env = options.env ?? process.env;
  return { configFile: claudeConfigFile(options), cacheDir: options.cacheDir !== undefined ? expandHome(options.cacheDir, options.home) : defaultCacheDir(env) };
}

export interface ConfigRead {
  reading: LimitsReading | null;
  plan: string | null;
  /** Why there is no reading from the config (missing, too large, corrupt, foreign …). */
  problem: string | null;
}

/** Reads the limits in Claude Code's global config. Opens it read-only; never throws. */
export function readConfigLimits(file: string, maxBytes = MAX_CONFIG_BYTES): ConfigRead {
  let text: string;
  try {
    const fd = fs.openSync(file, fs.constants.O_RDONLY);
    try {
      const st = fs.fstatSync(fd);
      if (!st.isFile()) {
        return { reading: null, plan: null, problem: `${file} is not a file` };
      }
      if (st.size > maxBytes) {
        return { reading: null, plan: null, problem: `${file} is ${Math.round(st.size / 1048576)} MB, over the ${Math.round(maxBytes / 1048576)} MB we read; not read` };
      }
      const buf = Buffer.alloc(st.size);
      let at = 0;
      while (at < buf.length) {
        const n = fs.readSync(fd, buf, at, buf.length - at, at);
        if (n === 0) {
          break;
        }
        at += n;
      }
      text = buf.toString('utf8', 0, at);
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { reading: null, plan: null, problem: code === 'ENOENT' ? `no Claude Code config at ${file}` : `cannot read ${file} (${code ?? String(e)})` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { reading: null, plan: null, problem: `${file} is not valid JSON (partly written or corrupt)` };
  }
  const r = readingFromClaudeConfig(parsed);
  return { reading: r.reading, plan: r.plan, problem: r.problem === null ? null : `${file}: ${r.problem}` };
}

/** The statusline snapshot in our cache folder, if there is a valid one. */
export function readStatuslineSnapshot(cacheDir: string): StatuslineSnapshot | undefined {
  try {
    const file = path.join(cacheDir, SNAPSHOT_FILE);
    if (fs.statSync(file).size > 1024 * 1024) {
      return undefined;
    }
    const r = statuslineSnapshotSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

export interface LimitsAnswer {
  reading: LimitsReading | null;
  plan: string | null;
  problems: string[];
  /** Claude Code's cause of its latest cache miss (`prompt_cache.last_miss_cause`) and the session it is of, when the snapshot has one. */
  lastMiss?: { sessionId: string; cause: string } | null;
}

/** The fresher of the config's reading and the statusline snapshot's. */
export function readLimits(paths: LimitsPaths): LimitsAnswer {
  const config = readConfigLimits(paths.configFile);
  const snap = readStatuslineSnapshot(paths.cacheDir);
  const fromSnap = snap ? readingFromSnapshot(snap) : null;
  const problems: string[] = [];
  if (config.problem !== null && fromSnap === null) {
    problems.push(config.problem);
  }
  const reading = fresherReading(config.reading, fromSnap, config.plan);
  if (reading === null) {
    problems.push(`no statusline snapshot in ${paths.cacheDir} (set up \`claude-cost statusline\` as Claude Code's status line for live readings)`);
  }
  const cause = lastMissCauseOf(snap?.promptCache);
  return { reading, plan: config.plan, problems, lastMiss: snap?.sessionId && cause !== undefined ? { sessionId: snap.sessionId, cause } : null };
}

/** `claude-cost limits --json`. */
export function limitsJson(paths: LimitsPaths, nowMs: number): LimitsView {
  const a = readLimits(paths);
  return limitsView(a.reading, nowMs, a.plan, a.problems);
}

/**
 * Watches the config file and the snapshot: `fs.watch` on their two folders
 * (the config is replaced by rename, so the file itself cannot be watched),
 * filtered by name and debounced; plus a stat check every `pollMs` in case
 * the folder watch misses something (network file systems). Calls `onChange`
 * with the new answer only when it differs.
 */
export class LimitsWatcher {
  private watchers: fs.FSWatcher[] = [];
  private debounce: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;
  private lastKey = '';
  private lastStats = '';
  private disposed = false;
  answer: LimitsAnswer;

  constructor(
    private readonly paths: LimitsPaths,
    private readonly onChange: (a: LimitsAnswer) => void,
    private readonly options: { debounceMs?: number; pollMs?: number; log?: (message: string) => void } = {},
  ) {
    this.answer = readLimits(paths);
    this.lastKey = JSON.stringify(this.answer);
    this.lastStats = this.stats();
    const targets = new Map<string, Set<string>>();
    for (const f of [paths.configFile, path.join(paths.cacheDir, SNAPSHOT_FILE)]) {
      const dir = path.dirname(f);
      targets.set(dir, (targets.get(dir) ?? new Set<string>()).add(path.basename(f)));
    }
    for (const [dir, names] of targets) {
      try {
        const w = fs.watch(dir, { persistent: false }, (_event, name) => {
          if (name === null || names.has(name.toString())) {
            this.kick();
          }
        });
        w.on('error', () => undefined);
        this.watchers.push(w);
      } catch {
        // The folder does not exist (yet): the stat check notices when it does.
      }
    }
    this.poll = setInterval(() => {
      const s = this.stats();
      if (s !== this.lastStats) {
        this.kick();
      }
    }, options.pollMs ?? 30_000);
    this.poll.unref();
  }

  private stats(): string {
    return [this.paths.configFile, path.join(this.paths.cacheDir, SNAPSHOT_FILE)]
      .map((f) => {
        try {
          const st = fs.statSync(f);
          return `${st.size}:${st.mtimeMs}:${st.ino}`;
        } catch {
          return '-';
        }
      })
      .join('|');
  }

  private kick(): void {
    if (this.disposed || this.debounce) {
      return;
    }
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      this.refresh();
    }, this.options.debounceMs ?? 300);
  }

  /** Reads both sources again; `onChange` when the answer changed. */
  refresh(): void {
    if (this.disposed) {
      return;
    }
    this.lastStats = this.stats();
    const a = readLimits(this.paths);
    const key = JSON.stringify(a);
    if (key !== this.lastKey) {
      this.lastKey = key;
      this.answer = a;
      this.onChange(a);
    }
  }

  dispose(): void {
    this.disposed = true;
    for (const w of this.watchers) {
      w.close();
    }
    this.watchers = [];
    if (this.debounce) {
      clearTimeout(this.debounce);
    }
    if (this.poll) {
      clearInterval(this.poll);
    }
  }
}
