/**
 * A small transcript tree dated today (local time), for the extension-host
 * and end-to-end tests. Expected figures are computed by hand from list
 * prices (Sonnet 4.6: $3 in, $15 out, $6 1h write, $0.30 read; Opus 4.6: $5
 * in, $25 out, $0.50 read per MTok).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const CURRENT_SESSION = '0a0a0a0a-1111-4222-8333-444444444444';
export const OTHER_SESSION = '0b0b0b0b-1111-4222-8333-444444444444';
export const HOSTILE_SESSION = '0c0c0c0c-1111-4222-8333-444444444444';
export const HOSTILE_PROJECT = '/tmp/<img src=x onerror="window.__ccmPwned=1">&amp;<script>window.__ccmPwned=2</script> javascript:alert(1) \u202Egnp.exe\u200B';
/** An unknown model id full of markup: unpriced, and shown as text. */
export const HOSTILE_MODEL = 'claude-<img src=x onerror="window.__ccmPwned=3">javascript:void(0)\u202E\u200B';

/** One Sonnet 4.6 call of the current session: 10 in, 100 out, 1000 1h write, 10000 read. */
export const SONNET_CALL_USD = (10 * 3 + 100 * 15 + 1000 * 6 + 10000 * 0.3) / 1e6; // 0.01053
/** The other session's Opus 4.6 call: 100 in, 1000 out, 100000 read. */
export const OPUS_CALL_USD = (100 * 5 + 1000 * 25 + 100000 * 0.5) / 1e6; // 0.0755

function localMidnight(now: Date): number {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** A time `minutesAgo` before now, but never before local midnight (so it is today). */
function todayAt(minutesAgo: number, now = new Date()): string {
  return new Date(Math.max(localMidnight(now) + 1000 + (60 - minutesAgo) * 10, now.getTime() - minutesAgo * 60_000)).toISOString();
}

export function sonnetLine(session: string, cwd: string, id: string, minutesAgo: number, model = 'claude-sonnet-4-6'): string {
  return JSON.stringify({
    parentUuid: null,
    isSidechain: false,
    cwd,
    sessionId: session,
    version: '2.1.120',
    type: 'assistant',
    requestId: `req_${id}`,
    timestamp: todayAt(minutesAgo),
    message: {
      id: `msg_${id}`,
      model,
      type: 'message',
      role: 'assistant',
      content: [{ type: 'text', text: 'ok' }],
      usage: {
        input_tokens: 10,
        output_tokens: 100,
        cache_creation_input_tokens: 1000,
        cache_read_input_tokens: 10000,
        cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 1000 },
        service_tier: 'standard',
      },
    },
  });
}

function opusLine(session: string, cwd: string, id: string, minutesAgo: number): string {
  return JSON.stringify({
    isSidechain: false,
    cwd,
    sessionId: session,
    type: 'assistant',
    requestId: `req_${id}`,
    timestamp: todayAt(minutesAgo),
    message: { id: `msg_${id}`, model: 'claude-opus-4-6', usage: { input_tokens: 100, output_tokens: 1000, cache_read_input_tokens: 100000 } },
  });
}

export interface TodayTree {
  configDir: string;
  currentFile: string;
  /** Expected figures before any append. */
  sessionUSD: number;
  todayUSD: number;
}

/**
 * Writes `<configDir>/projects/...`: the current session (cwd = workspace,
 * 3 Sonnet calls), another session elsewhere (1 Opus call), and, when asked,
 * a session whose project path is hostile HTML (1 Sonnet call, oldest).
 */
export function writeTodayTree(configDir: string, workspaceDir: string, withHostile = false): TodayTree {
  const projects = path.join(configDir, 'projects');
  const cur = path.join(projects, '-workspace', `${CURRENT_SESSION}.jsonl`);
  const other = path.join(projects, '-elsewhere', `${OTHER_SESSION}.jsonl`);
  fs.mkdirSync(path.dirname(cur), { recursive: true });
  fs.mkdirSync(path.dirname(other), { recursive: true });
  fs.writeFileSync(other, `${opusLine(OTHER_SESSION, '/tmp/elsewhere', 'o1', 9)}\n`);
  let todayUSD = OPUS_CALL_USD;
  if (withHostile) {
    const hostile = path.join(projects, '-tmp-hostile', `${HOSTILE_SESSION}.jsonl`);
    fs.mkdirSync(path.dirname(hostile), { recursive: true });
    fs.writeFileSync(hostile, `${sonnetLine(HOSTILE_SESSION, HOSTILE_PROJECT, 'h1', 10)}\n${sonnetLine(HOSTILE_SESSION, HOSTILE_PROJECT, 'h2', 10, HOSTILE_MODEL)}\n`);
    todayUSD += SONNET_CALL_USD;
  }
  fs.writeFileSync(cur, ['c1', 'c2', 'c3'].map((id, i) => sonnetLine(CURRENT_SESSION, workspaceDir, id, 6 - i)).join('\n') + '\n');
  todayUSD += 3 * SONNET_CALL_USD;
  return { configDir, currentFile: cur, sessionUSD: 3 * SONNET_CALL_USD, todayUSD };
}

/** `$0.03`, as the status bar formats it. */
export function usd(value: number): string {
  const digits = value === 0 ? 2 : Math.abs(value) < 0.0001 ? 6 : Math.abs(value) < 0.01 ? 4 : 2;
  return `$${value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
}
