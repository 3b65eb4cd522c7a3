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
  /** `usage.iterations`, as written (absent when undefined). */
  iterations?: unknown[];
}

/** One entry of `usage.iterations` (Claude Code 2.1.2xx+): `message`, `advisor_message` (own model) or `fallback_message`. */
export function iteration(type: string, t: { input?: number; output?: number; w5?: number; w1?: number; read?: number; model?: string } = {}): Record<string, unknown> {
  const w5 = t.w5 ?? 0;
  const w1 = t.w1 ?? 0;
  const it: Record<string, unknown> = {
    input_tokens: t.input ?? 0,
    output_tokens: t.output ?? 0,
    cache_read_input_tokens: t.read ?? 0,
    cache_creation_input_tokens: w5 + w1,
    cache_creation: { ephemeral_5m_input_tokens: w5, ephemeral_1h_input_tokens: w1 },
    type,
  };
  if (t.model !== undefined) {
    it.model = t.model;
  }
  return it;
}

/**
 * An advisor turn as the stand-in API serves it and Claude Code writes it:
 * two `message` iterations of the main model around one `advisor_message`
 * on another; the top level sums the two `message` ones only.
 */
export function advisorTurnSpec(base: CallSpec, first: { input: number; read: number; w1: number; output: number }, second: { input: number; read: number; w1: number; output: number }, advisor: { model: string; input: number; output: number; read?: number }): CallSpec {
  return {
    ...base,
    input: first.input + second.input,
    read: first.read + second.read,
    w1: first.w1 + second.w1,
    output: first.output + second.output,
    iterations: [iteration('message', first), iteration('advisor_message', advisor), iteration('message', second)],
  };
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
  if (s.iterations !== undefined) {
    usage.iterations = s.iterations;
  }
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
  { input: 3, output: 4, read: 5, iterations: [iteration('message', { input: 3, output: 4, read: 5 })] },
  { iterations: [] },
  { iterations: null as unknown as unknown[] },
];

/** Lines whose iterations count (several requests, an advisor, a fallback, odd shapes): the fast readers leave them to parseLine. */
export const ITERATION_SPECS: readonly CallSpec[] = [
  advisorTurnSpec({ id: 'msg_adv', req: 'req_adv' }, { input: 10, read: 50_000, w1: 2_000, output: 300 }, { input: 4, read: 52_000, w1: 500, output: 200 }, { model: 'claude-opus-4-6', input: 50_000, output: 3_000 }),
  { input: 7, output: 8, iterations: [iteration('message', { input: 3, output: 4 }), iteration('message', { input: 4, output: 4 })] },
  { input: 7, output: 8, iterations: [iteration('fallback_message', { input: 99, output: 99, model: 'claude-sonnet-4-5' }), iteration('message', { input: 7, output: 8 })] },
  { input: 7, output: 8, iterations: [iteration('advisor_message', { input: 1, output: 2, model: 'claude-opus-4-6' })] },
  { iterations: [iteration('advisor_message', { input: 1, output: 2 })] },
  { iterations: [iteration('other_kind', { input: 1 })] },
  { iterations: [5, 'x', null] },
  { iterations: [{ type: 'message' }, { type: 'message' }] },
];

/** `base` with one byte changed to `byte` at `at`, `byte` inserted there, or the byte there removed. */
export function mutated(base: Buffer, at: number, byte: number, op: 'set' | 'insert' | 'remove'): Buffer {
  return op === 'set'
    ? Buffer.concat([base.subarray(0, at), Buffer.from([byte]), base.subarray(at + 1)])
    : op === 'insert'
      ? Buffer.concat([base.subarray(0, at), Buffer.from([byte]), base.subarray(at)])
      : Buffer.concat([base.subarray(0, at), base.subarray(at + 1)]);
}
