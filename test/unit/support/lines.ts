/**
 * Builders for transcript lines in tests (the shapes of docs/transcript-format.md).
 */
export interface CallSpec {
  id?: string | null;
  req?: string | null;
  model?: string;
  ts?: string;
  session?: string;
  cwd?: string;
  input?: number;
  output?: number;
  w5?: number;
  w1?: number;
  read?: number;
  web?: number;
  side?: boolean;
  speed?: string;
  geo?: string;
  flat?: boolean;
  apiError?: boolean;
}

/** One assistant line with usage, as Claude Code 2.1.x writes it. */
export function assistantLine(s: CallSpec = {}): string {
  const w5 = s.w5 ?? 0;
  const w1 = s.w1 ?? 0;
  const usage: Record<string, unknown> = {
    input_tokens: s.input ?? 1,
    cache_creation_input_tokens: w5 + w1,
    cache_read_input_tokens: s.read ?? 0,
    output_tokens: s.output ?? 1,
    server_tool_use: { web_search_requests: s.web ?? 0, web_fetch_requests: 0 },
    service_tier: 'standard',
    inference_geo: s.geo ?? 'not_available',
    speed: s.speed ?? 'standard',
  };
  if (!s.flat) {
    usage.cache_creation = { ephemeral_5m_input_tokens: w5, ephemeral_1h_input_tokens: w1 };
  }
  const line: Record<string, unknown> = {
    parentUuid: null,
    isSidechain: s.side ?? false,
    cwd: s.cwd ?? '/work/p',
    sessionId: s.session ?? 'sess-1',
    message: {
      model: s.model ?? 'claude-sonnet-4-6',
      id: s.id === undefined ? 'msg_1' : s.id,
      type: 'message',
      role: 'assistant',
      content: [{ type: 'text', text: 'hi' }],
      usage,
    },
    requestId: s.req === undefined ? 'req_1' : s.req,
    type: 'assistant',
    timestamp: s.ts ?? '2026-11-20T10:00:00.000Z',
  };
  if (s.apiError) {
    line.isApiErrorMessage = true;
  }
  return JSON.stringify(line);
}

export function compactLine(ts: string, session = 'sess-1'): string {
  return JSON.stringify({
    type: 'system',
    subtype: 'compact_boundary',
    parentUuid: null,
    content: 'Conversation compacted',
    compactMetadata: { trigger: 'manual', preTokens: 1000 },
    sessionId: session,
    cwd: '/work/p',
    timestamp: ts,
  });
}

/** One spec per kind of call line the usage readers must answer: plain, every field set, flat cache writes, synthetic, API error, null ids, non-ASCII folder and session. */
export const CALL_SPECS: readonly CallSpec[] = [
  {},
  { id: 'msg_a', req: 'req_a', input: 5, output: 7, w5: 3, w1: 4, read: 9, web: 2, side: true, speed: 'fast', geo: 'us' },
  { flat: true, w5: 10, w1: 20 },
  { model: '<synthetic>' },
  { apiError: true },
  { id: null, req: null },
  { cwd: '/home/zoë/プロジェクト', session: 'sess-é' },
];

/** `base` with one byte changed to `byte` at `at`, `byte` inserted there, or the byte there removed. */
export function mutated(base: Buffer, at: number, byte: number, op: 'set' | 'insert' | 'remove'): Buffer {
  return op === 'set'
    ? Buffer.concat([base.subarray(0, at), Buffer.from([byte]), base.subarray(at + 1)])
    : op === 'insert'
      ? Buffer.concat([base.subarray(0, at), Buffer.from([byte]), base.subarray(at)])
      : Buffer.concat([base.subarray(0, at), base.subarray(at + 1)]);
}
