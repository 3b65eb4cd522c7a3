/**
 * The CLI's arguments, usage text and the checks made before any scan. Light
 * on purpose: the warm start (cli-launch.ts) loads it without the engine.
 */
import * as fs from 'node:fs';
import { assertTimeZone, systemTimeZone } from '../../core/local-day';
import { expandHome, projectsDirOf } from '../claude-roots';

export class UsageError extends Error {}

export { VERSION } from '../version';

export interface ReportArgs {
  command: 'report' | 'session' | 'watch' | 'push';
  json: boolean;
  /** `report --csv`: sessions, days and projects as CSV. */
  csv: boolean;
  /** `session <id>`: a session id or a unique prefix of one. */
  sessionId: string | undefined;
  configDirs: string[];
  since: string | undefined;
  until: string | undefined;
  timeZone: string | undefined;
  /** Force a cold scan that reads and writes no index. */
  noCache: boolean;
  /** `report --causes`: where the money went, also with `--no-cache` (with the cache it is always there). */
  causes: boolean;
  /** Where the index lives (default: the user's cache folder). */
  cacheDir: string | undefined;
  /** `push`: the Pushgateway's URL, the instance label, hashed project names, print instead of sending. */
  pushgateway?: string | undefined;
  instance?: string | undefined;
  hashProjects?: boolean;
  print?: boolean;
  /** Where the history lives (default: the cache folder). */
  historyDir: string | undefined;
  /** Keep no history: read and write none. */
  noHistory: boolean;
}

export type CliArgs = ReportArgs | { command: 'help' } | { command: 'version' };

export const USAGE = `Usage: claude-cost report [options]        totals, days, sessions and models
       claude-cost session <id> [options]  one session, call by call
       claude-cost watch [options]         a live one-line status (Ctrl+C to stop)
       claude-cost push --pushgateway URL [--instance NAME] [--hash-projects] [--print]
                                           send the totals to a Prometheus Pushgateway
                                           (token: CLAUDE_COST_PUSH_TOKEN; see docs/team-dashboard.md)
       claude-cost limits [--json]         the plan's 5-hour and weekly limits
       claude-cost statusline              Claude Code's status line (JSON on stdin)

Prices every Claude Code API call in your local transcripts at list price.

Options:
  --json               print one JSON object instead of tables
  --csv                (report) sessions, days and projects as CSV
  --causes             (report) the cost by cause over the period also with --no-cache
                       (reads every session in full: slower); with the cache, always there
  --config-dir DIR     a Claude config dir or its projects/ folder (repeatable;
                       default: CLAUDE_CONFIG_DIR, else ~/.config/claude and ~/.claude)
  --since YYYY-MM-DD   first local day to include
  --until YYYY-MM-DD   last local day to include
  --tz ZONE            IANA time zone for days (default: this machine's)
  --no-cache           cold scan: read every file, use and write no index
  --cache-dir DIR      where the index lives (default: $XDG_CACHE_HOME or
                       ~/.cache, then claude-code-cost-meter/)
  --history-dir DIR    where the daily history that outlives Claude Code's
                       cleanup lives (default: the cache dir; e.g. the
                       extension's global storage to share it)
  --no-history         keep no history (with --no-cache, none is kept
                       unless --history-dir is given)
  -h, --help           show this help
  --version            print the version`;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function validDate(flag: string, value: string): string {
  if (!DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new UsageError(`${flag} expects a date as YYYY-MM-DD, got "${value}"`);
  }
  const d = new Date(`${value}T00:00:00Z`);
  if (d.toISOString().slice(0, 10) !== value) {
    throw new UsageError(`${flag} expects a real calendar date, got "${value}"`);
  }
  return value;
}

type Switch = 'json' | 'csv' | 'causes' | 'noCache' | 'hashProjects' | 'print' | 'noHistory';

/** The flags that take no value, and the field each sets. */
const SWITCHES: ReadonlyMap<string, Switch> = new Map<string, Switch>([
  ['--json', 'json'],
  ['--csv', 'csv'],
  ['--causes', 'causes'],
  ['--no-cache', 'noCache'],
  ['--hash-projects', 'hashProjects'],
  ['--print', 'print'],
  ['--no-history', 'noHistory'],
]);

function validTimeZone(tz: string): string {
  try {
    assertTimeZone(tz);
  } catch {
    throw new UsageError(`unknown time zone "${tz}" (use an IANA name such as Europe/Paris or UTC)`);
  }
  return tz;
}

/** The flags that take a value (`--flag value` or `--flag=value`), and where each puts it. */
const VALUED: ReadonlyMap<string, (args: ReportArgs, value: string, flag: string) => void> = new Map<string, (args: ReportArgs, value: string, flag: string) => void>([
  ['--config-dir', (args, v) => void args.configDirs.push(v)],
  ['--since', (args, v, flag) => void (args.since = validDate(flag, v))],
  ['--until', (args, v, flag) => void (args.until = validDate(flag, v))],
  ['--tz', (args, v) => void (args.timeZone = validTimeZone(v))],
  ['--timezone', (args, v) => void (args.timeZone = validTimeZone(v))],
  ['--cache-dir', (args, v) => void (args.cacheDir = expandHome(v))],
  ['--pushgateway', (args, v) => void (args.pushgateway = v)],
  ['--instance', (args, v) => void (args.instance = v)],
  ['--history-dir', (args, v) => void (args.historyDir = expandHome(v))],
]);

/** Parses argv (without node and script). Throws UsageError with a one-line message. */
export function parseArgs(argv: readonly string[]): CliArgs {
  if (argv.length === 0 || argv[0] === '-h' || argv[0] === '--help' || argv[0] === 'help') {
    return { command: 'help' };
  }
  if (argv[0] === '--version') {
    return { command: 'version' };
  }
  const [command, ...rest] = argv;
  if (command !== 'report' && command !== 'session' && command !== 'watch' && command !== 'push') {
    throw new UsageError(`unknown command "${command ?? ''}" (try: claude-cost --help)`);
  }
  const args: ReportArgs = {
    command,
    json: false,
    csv: false,
    sessionId: undefined,
    configDirs: [],
    since: undefined,
    until: undefined,
    timeZone: undefined,
    noCache: false,
    causes: false,
    cacheDir: undefined,
    historyDir: undefined,
    noHistory: false,
  };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] ?? '';
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : undefined;
    const valued = VALUED.get(flag);
    const switched = SWITCHES.get(flag);
    if (valued !== undefined) {
      let v = inline;
      if (v === undefined) {
        v = rest[++i];
        if (v === undefined || (v.startsWith('--') && v.length > 2)) {
          throw new UsageError(`${flag} needs a value`);
        }
      }
      valued(args, v, flag);
    } else if (switched !== undefined) {
      args[switched] = true;
    } else if (flag === '-h' || flag === '--help') {
      return { command: 'help' };
    } else if (command === 'session' && args.sessionId === undefined && !arg.startsWith('-')) {
      args.sessionId = arg;
    } else {
      throw new UsageError(`unknown option "${arg}" (try: claude-cost --help)`);
    }
  }
  checkArgs(args);
  return args;
}

/** The checks across flags, once all are read. Throws UsageError. */
function checkArgs(args: ReportArgs): void {
  const command = args.command;
  if (command === 'session' && args.sessionId === undefined) {
    throw new UsageError('session needs a session id (or a unique prefix of one)');
  }
  if (command !== 'push' && (args.pushgateway !== undefined || args.instance !== undefined || args.hashProjects === true || args.print === true)) {
    throw new UsageError('--pushgateway, --instance, --hash-projects and --print are for the push command');
  }
  if (command === 'push' && args.pushgateway === undefined && args.print !== true) {
    throw new UsageError('push needs --pushgateway URL (or --print to see what would be sent)');
  }
  if (command === 'push' && (args.json || args.csv || args.since !== undefined || args.until !== undefined)) {
    throw new UsageError('push sends all-time totals: --json, --csv, --since and --until do not apply');
  }
  if (args.noHistory && args.historyDir !== undefined) {
    throw new UsageError('--no-history and --history-dir cannot be combined');
  }
  if (args.json && args.csv) {
    throw new UsageError('--json and --csv cannot be combined');
  }
  if (args.causes && (command !== 'report' || args.csv)) {
    throw new UsageError('--causes is for the report command, as tables or --json');
  }
  if (args.csv && command !== 'report') {
    throw new UsageError('--csv is for the report command');
  }
  if (args.since !== undefined && args.until !== undefined && args.since > args.until) {
    throw new UsageError(`--since ${args.since} is after --until ${args.until}`);
  }
}

/** Checks explicit config dirs: each must exist and be a readable directory. */
export function checkConfigDirs(dirs: readonly string[]): void {
  for (const raw of dirs) {
    const dir = expandHome(raw);
    let st: fs.Stats;
    try {
      st = fs.statSync(dir);
    } catch {
      throw new UsageError(`cannot read config dir "${raw}": no such directory`);
    }
    if (!st.isDirectory()) {
      throw new UsageError(`cannot read config dir "${raw}": not a directory`);
    }
    const projects = projectsDirOf(dir);
    try {
      fs.accessSync(fs.existsSync(projects) ? projects : dir, fs.constants.R_OK | fs.constants.X_OK);
    } catch {
      throw new UsageError(`cannot read config dir "${raw}": permission denied`);
    }
  }
}

/**
 * What sets this machine's time zone, read without ICU: `TZ`, else where
 * /etc/localtime points; else (no such link) the zone ICU resolves.
 */
export function systemZoneIdentity(): string {
  if (process.env.TZ !== undefined) {
    return `TZ=${process.env.TZ}`;
  }
  try {
    return `localtime=${fs.readlinkSync('/etc/localtime')}`;
  } catch {
    return systemTimeZone();
  }
}

/**
 * A reader that stops reading (`claude-cost report | head`) is no error: the
 * CLI then ends quietly with 0 instead of dying on an unhandled EPIPE with a
 * stack trace. Any other error on the stream is thrown as before.
 */
export function endQuietlyWhenReaderLeaves(stream: NodeJS.WritableStream, exit: (code: number) => void = (code) => process.exit(code)): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') {
      throw e;
    }
    exit(0);
  });
}

/** What the CLI writes its output and warnings to. */
export interface TextWriter {
  /** Text, or bytes already in UTF-8. */
  write(text: string | Uint8Array): unknown;
}

/**
 * Writes straight to a file descriptor, for the warm start: making
 * `process.stdout` and `process.stderr` (Node's stream machinery, compiled
 * at first use) cost about 4 ms of a 65-70 ms warm start here (medians of 60
 * alternating runs). A reader that is
 * gone (EPIPE) calls `onReaderGone`; anything else the descriptor refuses (a
 * non-blocking pipe that is full: EAGAIN) hands this and every later write
 * to the stream, which waits for room.
 */
export function fdWriter(fd: number, stream: () => NodeJS.WritableStream, onReaderGone: () => void, writeSync: (fd: number, bytes: Uint8Array, offset: number) => number = (f, b, o) => fs.writeSync(f, b, o)): TextWriter {
  let fallback: NodeJS.WritableStream | undefined;
  return {
    write(text: string | Uint8Array): unknown {
      if (fallback !== undefined) {
        return fallback.write(text);
      }
      const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
      let at = 0;
      try {
        while (at < bytes.length) {
          at += writeSync(fd, bytes, at);
        }
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EPIPE') {
          onReaderGone();
          return false;
        }
        fallback = stream();
        return fallback.write(bytes.subarray(at));
      }
      return true;
    },
  };
}
