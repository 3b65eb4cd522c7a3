/**
 * A transcript tree with known answers for the cost-intelligence figures
 * (issue #6), for the end-to-end test. Every expected figure is worked out
 * by hand below from list prices per million tokens:
 *   Sonnet 4.6: $3 in, $15 out, $3.75 5m write, $6 1h write, $0.30 read.
 *   Opus 5.5:   $4 in, $20 out, $8 1h write, $0.20 read.
 *
 * The current session (cwd = the workspace, today, 12, 11 and 10 minutes ago),
 * all 1-hour cache writes, 500 output tokens each:
 *   call 1: in 10, write 130,000           -> prompt 130,010; $0.787530
 *   call 2: in 10, read 130,000, write 10k -> prompt 140,010; $0.106530
 *   call 3: in 10, read 140,000, write 10k -> prompt 150,010; $0.109530
 *   session $1.003590; mean output 500, mean growth 10,000, context 150,010, 1-hour cache.
 * An older session (40 days ago) shows how this user's /compact turns out:
 *   call a: in 10, 5m write 50,000, out 100 ($0.189030); /compact (summary 4,000);
 *   call b: in 10, 5m write 20,000, out 100 ($0.076530) -> 20,010 tokens after /compact.
 * Our stored history (written by the test into the extension's storage) holds
 * one more session, 35 days ago, $12.50, whose transcript is gone.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const CURRENT = '1a1a1a1a-2222-4333-8444-555555555555';
export const OLDER = '1b1b1b1b-2222-4333-8444-555555555555';
export const GONE = '1c1c1c1c-2222-4333-8444-555555555555';

export const EXPECTED = {
  sessionUSD: (30 + 780_000 + 7_500 + (30 + 39_000 + 60_000 + 7_500) + (30 + 42_000 + 60_000 + 7_500)) / 1e6, // 1.003590
  olderUSD: (30 + 187_500 + 1_500 + (30 + 75_000 + 1_500)) / 1e6, // 0.265560
  goneUSD: 12.5,
  context: 150_010,
  // One more turn: read 150,010 + write 10,000 (1h) + 500 out; cold: write 160,010 + 500 out.
  nextWarmUSD: (150_010 * 0.3 + 10_000 * 6 + 500 * 15) / 1e6, // 0.112503
  nextColdUSD: (160_010 * 6 + 500 * 15) / 1e6, // 0.967560
  rewriteTokens: 160_010,
  // Ten turns as is: reads sum 150,010 + 10,000 i (i = 0..9) = 1,950,100; writes 10 x 10,000; outputs 10 x 500.
  continueUSD: (1_950_100 * 0.3 + 100_000 * 6 + 5_000 * 15) / 1e6, // 1.260030
  // /compact: read 150,010 + 4,000 summary out; then 30,010 written, then 9 turns reading 20,010 + 10,000 i.
  compactCallUSD: (150_010 * 0.3 + 4_000 * 15) / 1e6, // 0.105003
  compactUSD: (150_010 * 0.3 + 4_000 * 15 + (30_010 * 6 + 500 * 15) + (630_090 * 0.3 + 90_000 * 6 + 4_500 * 15)) / 1e6, // 1.089090
  postCompactTokens: 20_010,
  // The compacted path starts $0.180060 behind and saves $0.039 a turn: ahead from turn 6.
  paysOffAfter: 6,
  // Call 1 costs 7.19x the median call ($0.109530): a cold-cache write.
  spikeTimes: 787_530 / 109_530,
  // The same three calls on Opus 5.5.
  opus55USD: (40 + 1_040_000 + 10_000 + (40 + 26_000 + 80_000 + 10_000) + (40 + 28_000 + 80_000 + 10_000)) / 1e6, // 1.284120
};

function localDay(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Now minus `minutes`, but not before today's local midnight (plus a few seconds). */
function todayAt(minutes: number, now: number): string {
  const midnight = new Date(now);
  midnight.setHours(0, 0, 0, 0);
  return new Date(Math.max(midnight.getTime() + (20 - minutes) * 1000, now - minutes * 60_000)).toISOString();
}

function daysAgoNoon(days: number, now: number, minute = 0): string {
  const d = new Date(now);
  d.setDate(d.getDate() - days);
  d.setHours(12, minute, 0, 0);
  return d.toISOString();
}

function call(session: string, cwd: string, id: string, ts: string, usage: { input: number; output: number; w5?: number; w1?: number; read?: number }): string {
  return JSON.stringify({
    parentUuid: null,
    isSidechain: false,
    cwd,
    sessionId: session,
    version: '2.1.330',
    type: 'assistant',
    requestId: `req_${id}`,
    timestamp: ts,
    message: {
      id: `msg_${id}`,
      model: 'claude-sonnet-4-6',
      type: 'message',
      role: 'assistant',
      content: [{ type: 'text', text: 'ok' }],
      usage: {
        input_tokens: usage.input,
        output_tokens: usage.output,
        cache_creation_input_tokens: (usage.w5 ?? 0) + (usage.w1 ?? 0),
        cache_read_input_tokens: usage.read ?? 0,
        cache_creation: { ephemeral_5m_input_tokens: usage.w5 ?? 0, ephemeral_1h_input_tokens: usage.w1 ?? 0 },
        service_tier: 'standard',
      },
    },
  });
}

export interface IntelligenceTree {
  currentFile: string;
  today: string;
  /** Local day of the gone session's stored row. */
  goneDay: string;
  /** The last call of the current session (ms): the cache countdown starts here. */
  lastCallMs: number;
}

export function writeIntelligenceTree(configDir: string, workspaceDir: string, now = Date.now()): IntelligenceTree {
  const projects = path.join(configDir, 'projects');
  const cur = path.join(projects, '-workspace', `${CURRENT}.jsonl`);
  const older = path.join(projects, '-older', `${OLDER}.jsonl`);
  fs.mkdirSync(path.dirname(cur), { recursive: true });
  fs.mkdirSync(path.dirname(older), { recursive: true });
  const last = todayAt(10, now);
  fs.writeFileSync(
    cur,
    [
      call(CURRENT, workspaceDir, 'c1', todayAt(12, now), { input: 10, output: 500, w1: 130_000 }),
      call(CURRENT, workspaceDir, 'c2', todayAt(11, now), { input: 10, output: 500, w1: 10_000, read: 130_000 }),
      call(CURRENT, workspaceDir, 'c3', last, { input: 10, output: 500, w1: 10_000, read: 140_000 }),
    ].join('\n') + '\n',
  );
  fs.writeFileSync(
    older,
    [
      call(OLDER, '/tmp/older', 'o1', daysAgoNoon(40, now, 0), { input: 10, output: 100, w5: 50_000 }),
      JSON.stringify({ type: 'system', subtype: 'compact_boundary', content: 'Conversation compacted', compactMetadata: { trigger: 'manual', preTokens: 50_010, postTokens: 4_000 }, sessionId: OLDER, cwd: '/tmp/older', timestamp: daysAgoNoon(40, now, 1) }),
      call(OLDER, '/tmp/older', 'o2', daysAgoNoon(40, now, 2), { input: 10, output: 100, w5: 20_000 }),
    ].join('\n') + '\n',
  );
  return { currentFile: cur, today: localDay(now), goneDay: localDay(Date.parse(daysAgoNoon(35, now))), lastCallMs: Date.parse(last) };
}

/** The history file our extension keeps, holding the gone session (format of src/node/live/history-store.ts). */
export function writeStoredHistory(storageDir: string, goneDay: string): void {
  fs.mkdirSync(storageDir, { recursive: true });
  const row = [goneDay, GONE, '/tmp/gone-project', 'claude-opus-4-6', EXPECTED.goneUSD, 0, 500_000, 0, 0, 0, 0, 3];
  fs.writeFileSync(path.join(storageDir, 'history-v1.json'), JSON.stringify({ version: 1, savedAt: new Date().toISOString(), rows: [row] }));
}
