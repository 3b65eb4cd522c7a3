// The real Claude Code as a plan subscriber, interactive in tmux, against the
// stand-in API (inference, with `anthropic-ratelimit-unified-*` headers) and
// the OAuth stand-in (profile and usage, through HTTPS_PROXY). Its statusLine
// runs a recorder that keeps each JSON the hook receives and hands it to our
// `dist/cli.js statusline`. What Claude Code writes into `.claude.json`
// (`oauthAccount`, `cachedUsageUtilization`) is read back at the end.
//
// Steps: start; wait for the prompt; send "say hello" (one inference, whose
// headers give the status line its `rate_limits`); send "/usage" (Claude Code
// fetches /api/oauth/usage and caches it in `.claude.json`); stop.

import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startStandInApi } from './stand-in-api';
import { hasOpenssl, startOAuthStandIn } from './oauth-stand-in';

/** What the stand-ins report; the test checks our output against these. */
export const SUBSCRIBER = {
  /** Headers on /v1/messages: shares as fractions, resets in epoch seconds from `nowS`. */
  headers: (nowS: number): Record<string, string> => ({
    'anthropic-ratelimit-unified-status': 'allowed',
    'anthropic-ratelimit-unified-representative-claim': 'five_hour',
    'anthropic-ratelimit-unified-reset': String(nowS + 3600),
    'anthropic-ratelimit-unified-5h-status': 'allowed',
    'anthropic-ratelimit-unified-5h-utilization': '0.42',
    'anthropic-ratelimit-unified-5h-reset': String(nowS + 3600),
    'anthropic-ratelimit-unified-7d-status': 'allowed',
    'anthropic-ratelimit-unified-7d-utilization': '0.63',
    'anthropic-ratelimit-unified-7d-reset': String(nowS + 3 * 86_400),
  }),
  /** GET /api/oauth/usage: percent 0-100, resets in ISO 8601. */
  usage: (nowS: number): Record<string, unknown> => {
    const at = (s: number): string => new Date((nowS + s) * 1000).toISOString();
    return {
      five_hour: { utilization: 42, resets_at: at(3600) },
      seven_day: { utilization: 63, resets_at: at(3 * 86_400) },
      seven_day_opus: { utilization: 12, resets_at: at(3 * 86_400) },
      seven_day_sonnet: { utilization: 30, resets_at: at(3 * 86_400) },
      seven_day_oauth_apps: null,
      extra_usage: { is_enabled: false, monthly_limit: null, used_credits: null, utilization: null },
    };
  },
  profile: {
    account: { uuid: '00000000-0000-4000-8000-0000000000a1', email: 'subscriber@example.invalid', display_name: 'Stand-in', full_name: 'Stand-in Subscriber', created_at: '2025-01-01T00:00:00Z' },
    organization: {
      uuid: '00000000-0000-4000-8000-0000000000b2',
      name: 'Stand-in Org',
      organization_type: 'claude_max',
      rate_limit_tier: 'default_claude_max_20x',
      has_extra_usage_enabled: false,
      billing_type: 'stripe_subscription',
      subscription_created_at: '2025-01-01T00:00:00Z',
      cc_onboarding_flags: {},
    },
  },
} as const;

export interface SubscriberRun {
  /** The temp tree: home/, home/.claude (CLAUDE_CONFIG_DIR), project/, cache/ (ours). */
  root: string;
  configDir: string;
  cacheDir: string;
  /** `.claude.json` as Claude Code left it. */
  claudeJson: Record<string, unknown>;
  /** Every JSON the statusLine hook received, in order. */
  hookInputs: Record<string, unknown>[];
  /** The terminal after the first answer (its status line is ours). */
  pane: string;
  /** Requests the OAuth stand-in saw; the stand-in API's 404s. */
  oauthRequests: string[];
  apiNotFound: string[];
  startedAtMs: number;
}

/** Why the subscriber run cannot be made here, or undefined when it can. */
export function subscriberRunUnavailable(claudeBin: string, cli: string): string | undefined {
  if (!existsSync(claudeBin)) {
    return `no Claude Code at ${claudeBin}`;
  }
  if (!existsSync(cli)) {
    return `no ${cli} (npm run build)`;
  }
  if (spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status !== 0) {
    return 'no tmux';
  }
  return hasOpenssl() ? undefined : 'no openssl';
}

const sh = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

function readJson(file: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

function readHookInputs(file: string): Record<string, unknown>[] {
  if (!existsSync(file)) {
    return [];
  }
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

async function waitFor(what: string, ok: () => boolean, timeoutMs: number, pane: () => string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > until) {
      throw new Error(`subscriber run: timed out waiting for ${what}; the terminal shows:\n${pane()}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Runs the session in `root` (made if missing); `cli` is our dist/cli.js. */
export async function runSubscriberSession(root: string, claudeBin: string, cli: string, timeoutMs = 60_000): Promise<SubscriberRun> {
  root = resolve(root);
  const home = join(root, 'home');
  const configDir = join(home, '.claude');
  const project = join(root, 'project');
  const cacheDir = join(root, 'cache');
  const hookLog = join(root, 'statusline-stdin.jsonl');
  for (const d of [configDir, project, cacheDir, join(root, 'certs')]) {
    mkdirSync(d, { recursive: true });
  }
  const startedAtMs = Date.now();
  const nowS = Math.floor(startedAtMs / 1000);
  const api = await startStandInApi([], { responseHeaders: SUBSCRIBER.headers(nowS), log: () => undefined });
  const oauth = await startOAuthStandIn({ dir: join(root, 'certs'), profile: SUBSCRIBER.profile, usage: SUBSCRIBER.usage(nowS) });
  const socket = `ccm-subscriber-${process.pid}`;
  const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  const pane = (): string => {
    try {
      return tmux('capture-pane', '-p', '-t', 'cc');
    } catch {
      return '(no pane)';
    }
  };
  try {
    // The recorder keeps each hook input on one line, then runs our status line on it.
    const recorder = join(root, 'statusline.sh');
    writeFileSync(recorder, `#!/bin/sh\ninput=$(cat)\nprintf '%s\\n' "$input" >> ${sh(hookLog)}\nprintf '%s' "$input" | ${sh(process.execPath)} ${sh(cli)} statusline --cache-dir ${sh(cacheDir)}\n`);
    chmodSync(recorder, 0o755);
    writeFileSync(join(configDir, 'settings.json'), JSON.stringify({ statusLine: { type: 'command', command: recorder, padding: 0 } }, null, 2));
    // Onboarding done and the project trusted, so the session opens on the prompt.
    writeFileSync(join(configDir, '.claude.json'), JSON.stringify({ hasCompletedOnboarding: true, numStartups: 3, theme: 'dark', projects: { [project]: { hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true } } }, null, 2));
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      CLAUDE_CONFIG_DIR: configDir,
      TERM: 'xterm-256color',
      LANG: 'C.UTF-8',
      TZ: 'UTC',
      ANTHROPIC_BASE_URL: api.url,
      // A subscriber's login, as `claude setup-token` gives it, with the profile scope (rate limits need it).
      CLAUDE_CODE_OAUTH_TOKEN: 'sk-ant-oat01-stand-in',
      CLAUDE_CODE_OAUTH_SCOPES: 'user:inference user:profile',
      CLAUDE_CODE_SUBSCRIPTION_TYPE: 'max',
      CLAUDE_CODE_RATE_LIMIT_TIER: 'default_claude_max_20x',
      HTTPS_PROXY: oauth.proxyUrl,
      NO_PROXY: '127.0.0.1,localhost',
      NODE_EXTRA_CA_CERTS: oauth.caFile,
      DISABLE_TELEMETRY: '1',
      DISABLE_AUTOUPDATER: '1',
    };
    const launcher = join(root, 'claude.sh');
    const envArgs = Object.entries(env).map(([k, v]) => sh(`${k}=${v}`)).join(' ');
    writeFileSync(launcher, `#!/bin/sh\ncd ${sh(project)} || exit 1\nexec env -i ${envArgs} ${sh(claudeBin)} --model claude-sonnet-4-6 2>${sh(join(root, 'claude-stderr.log'))}\n`);
    chmodSync(launcher, 0o755);
    tmux('new-session', '-d', '-s', 'cc', '-x', '160', '-y', '45', launcher);
    await waitFor('the first status line', () => readHookInputs(hookLog).length > 0, timeoutMs, pane);
    tmux('send-keys', '-t', 'cc', '-l', 'say hello');
    tmux('send-keys', '-t', 'cc', 'Enter');
    await waitFor('rate_limits on the status line', () => readHookInputs(hookLog).some((i) => i.rate_limits !== undefined), timeoutMs, pane);
    await waitFor('our status line on screen', () => pane().includes('5h 42%'), timeoutMs, pane);
    // The screen with our status line (the /usage panel below hides it).
    const shown = pane();
    tmux('send-keys', '-t', 'cc', '-l', '/usage');
    await new Promise((r) => setTimeout(r, 500));
    tmux('send-keys', '-t', 'cc', 'Enter');
    await waitFor('cachedUsageUtilization in .claude.json', () => readJson(join(configDir, '.claude.json')).cachedUsageUtilization !== undefined, timeoutMs, pane);
    return {
      root,
      configDir,
      cacheDir,
      claudeJson: readJson(join(configDir, '.claude.json')),
      hookInputs: readHookInputs(hookLog),
      pane: shown,
      oauthRequests: [...oauth.requests],
      apiNotFound: [...api.notFound],
      startedAtMs,
    };
  } finally {
    // Claude Code is the pane's process: end it by its pid, then this tmux server (its own socket).
    try {
      const pid = Number(tmux('display-message', '-p', '-t', 'cc', '#{pane_pid}').trim());
      if (pid > 0) {
        process.kill(pid, 'SIGTERM');
      }
    } catch {
      // already gone
    }
    try {
      tmux('kill-server');
    } catch {
      // already gone
    }
    await oauth.stop();
    await api.stop();
  }
}
