/**
 * `claude-cost statusline [--config-dir DIR] [--cache-dir DIR]`: Claude
 * Code's status line. It reads the hook's JSON on stdin, prints one line
 * (model, session $, today $, context %, cache countdown, 5-hour and 7-day
 * shares with their resets) and records the snapshot in our cache folder.
 *
 * Claude Code runs it several times a second, so it loads no engine and no
 * zod: the dollars come from the report the index last stored. At most once
 * a minute, after the line is printed, the same process refreshes that
 * report (`claude-cost report --json`, warm); the session's own figure falls
 * back to Claude Code's while the index does not know the session yet.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { statuslineFacts, statusLineText } from '../../core/limits-view';
import { expandHome } from '../claude-roots';
import { defaultCacheDir, isInside, REPORT_FILE } from '../scan/index-store';
import { recordStatuslineSnapshot } from '../statusline-snapshot';
import type { TextWriter } from './cli-args';

export interface StatuslineArgs {
  configDir: string | undefined;
  cacheDir: string | undefined;
}

/** Parses `statusline`'s options (argv after the command); a message for a bad one. */
export function parseStatuslineArgs(argv: readonly string[]): StatuslineArgs | string {
  const args: StatuslineArgs = { configDir: undefined, cacheDir: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const value = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '') {
      return `${flag} needs a value`;
    }
    if (flag === '--config-dir') {
      args.configDir = expandHome(value);
    } else if (flag === '--cache-dir') {
      args.cacheDir = expandHome(value);
    } else {
      return `unknown option "${arg}" for statusline (options: --config-dir DIR, --cache-dir DIR)`;
    }
  }
  return args;
}

/** Claude's folders, where nothing of ours may be written. */
export function claudeFolders(configDir: string | undefined, env: NodeJS.ProcessEnv, home: string = os.homedir()): string[] {
  const fromEnv = (env.CLAUDE_CONFIG_DIR ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => expandHome(s, home));
  const xdg = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.trim() !== '' ? env.XDG_CONFIG_HOME : path.join(home, '.config');
  return [...(configDir !== undefined ? [configDir] : []), ...fromEnv, path.join(xdg, 'claude'), path.join(home, '.claude')];
}

/** The local date of an instant, `YYYY-MM-DD` (the machine's zone, as the stored report's days). */
function localDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** How old the stored report may be before a background refresh is started. */
export const REFRESH_AFTER_MS = 60_000;
const REFRESH_LOCK = 'statusline-refresh.lock';

interface Figures {
  sessionUSD: number | null;
  todayUSD: number | null;
  /** When the stored report was written (0: none). */
  writtenMs: number;
}

/**
 * The JSON object that starts at `bytes[start]` (a '{'), or undefined when it
 * does not close. Strings are skipped whole, so a brace inside one does not
 * count; UTF-8 never puts '{', '}', '"' or '\\' inside a multi-byte character.
 */
export function objectAt(bytes: Buffer, start: number): unknown {
  let depth = 0;
  let inString = false;
  for (let i = start; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === 0x5c) {
        i++; // the escaped character
      } else if (b === 0x22) {
        inString = false;
      }
    } else if (b === 0x22) {
      inString = true;
    } else if (b === 0x7b) {
      depth++;
    } else if (b === 0x7d && --depth === 0) {
      try {
        return JSON.parse(bytes.toString('utf8', start, i + 1)) as unknown;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** The `costUSD` of the first object after `from` that begins with `"key":value`, when its key holds that value. */
function costOfObject(bytes: Buffer, from: number, key: string, value: string): number | null {
  if (from < 0) {
    return null;
  }
  const at = bytes.indexOf(`{${JSON.stringify(key)}:${JSON.stringify(value)}`, from);
  const o = at < 0 ? undefined : objectAt(bytes, at);
  if (typeof o !== 'object' || o === null) {
    return null;
  }
  const r = o as Record<string, unknown>;
  return r[key] === value && typeof r.costUSD === 'number' ? r.costUSD : null;
}

/**
 * The session's and today's dollars in the report the index stored last.
 * Claude Code runs the status line several times a second and the report
 * grows with the history (1 MB for 1 GB of transcripts: ~100 ms to parse
 * under load), so only the two objects it needs are parsed: the session's
 * (`{"sessionId":…` in `sessions`) and today's (`{"date":…` in `days`), found
 * by their first key, as the report is printed. The header line (the listing
 * the report was made from) is not parsed either.
 */
export function storedFigures(cacheDir: string, sessionId: string | null, nowMs: number): Figures {
  const file = path.join(cacheDir, REPORT_FILE);
  let bytes: Buffer;
  let writtenMs = 0;
  try {
    bytes = fs.readFileSync(file);
    writtenMs = fs.statSync(file).mtimeMs;
  } catch {
    return { sessionUSD: null, todayUSD: null, writtenMs: 0 };
  }
  const body = bytes.indexOf(0x0a) + 1;
  if (body <= 0 || bytes[body] !== 0x7b) {
    return { sessionUSD: null, todayUSD: null, writtenMs: 0 };
  }
  const today = localDate(nowMs);
  const sessionUSD = sessionId === null ? null : costOfObject(bytes, bytes.indexOf('"sessions":[', body), 'sessionId', sessionId);
  const day = costOfObject(bytes, bytes.indexOf('"days":[', body), 'date', today);
  // No row for today: $0 if the report was made today, else unknown.
  const todayUSD = day ?? (localDate(writtenMs) === today ? 0 : null);
  return { sessionUSD, todayUSD, writtenMs };
}

export interface StatuslineRun {
  args: StatuslineArgs;
  stdin: string;
  env: NodeJS.ProcessEnv;
  nowMs: number;
  out: TextWriter;
  /** Refreshes the stored report after the line is printed (argv for `claude-cost`); none in tests. */
  refresh?: ((argv: string[]) => void) | undefined;
}

/** Runs the status line; resolves to the exit code (0 unless the options are wrong). */
export function runStatusline(run: StatuslineRun): number {
  let input: unknown;
  try {
    input = run.stdin.length > 1024 * 1024 ? undefined : JSON.parse(run.stdin);
  } catch {
    input = undefined;
  }
  const facts = statuslineFacts(input);
  const cacheDir = run.args.cacheDir ?? defaultCacheDir(run.env);
  const mayWrite = !isInside(cacheDir, claudeFolders(run.args.configDir, run.env));
  const figures = storedFigures(cacheDir, facts.sessionId, run.nowMs);
  run.out.write(`${statusLineText({ facts, sessionUSD: figures.sessionUSD, todayUSD: figures.todayUSD, nowMs: run.nowMs })}\n`);
  if (input === undefined || !mayWrite) {
    return 0;
  }
  try {
    recordStatuslineSnapshot(cacheDir, facts, run.nowMs);
  } catch {
    // A read-only cache folder: the line is printed all the same.
  }
  if (run.refresh !== undefined && run.nowMs - figures.writtenMs > REFRESH_AFTER_MS) {
    const lock = path.join(cacheDir, REFRESH_LOCK);
    let lockAge = Infinity;
    try {
      lockAge = run.nowMs - fs.statSync(lock).mtimeMs;
    } catch {
      // no lock yet
    }
    if (lockAge > REFRESH_AFTER_MS) {
      try {
        fs.writeFileSync(lock, String(process.pid));
        run.refresh(['report', '--json', ...(run.args.configDir !== undefined ? ['--config-dir', run.args.configDir] : []), '--cache-dir', cacheDir]);
      } catch {
        // no refresh this time
      }
    }
  }
  return 0;
}

/**
 * Runs `claude-cost <argv>` (the full CLI next to this file) in this process,
 * its output discarded, once stdout is closed: a reader that waits for the end
 * of the output has the line already.
 */
export function refreshInProcess(loadFullCli: () => typeof import('./cli')): (argv: string[]) => void {
  return (argv) => {
    try {
      fs.closeSync(1);
      // Hold fd 1 with the null device: a file opened by the refresh must not
      // get fd 1, or libuv aborts the process when it closes it (seen with
      // Claude Code's pipe: exit 134 and no stored report).
      fs.openSync(os.devNull, 'w');
    } catch {
      // already closed
    }
    const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
    void loadFullCli().main(argv, sink, sink).catch(() => undefined);
  };
}

/** Reads all of stdin (at most 1 MB is used). */
export function readStdin(): string {
  try {
    return fs.readFileSync(0, 'utf8');
  } catch {
    return '';
  }
}
