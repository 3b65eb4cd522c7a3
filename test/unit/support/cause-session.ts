/**
 * The synthetic session of issue #20: prompt -> Read -> mcp__github__search_issues
 * -> Bash -> Agent (an Explore subagent making 2 calls) -> Agent result -> a
 * new prompt. Lines shaped like Claude Code 2.1.x writes them (tool_use /
 * tool_result blocks, a subagent file with its .meta.json, attribution fields).
 */
export const CAUSE_SESSION = 'cccccccc-0000-4000-8000-000000000020';
export const AGENT_ID = 'a0123456789abcdef';
const CWD = '/work/causes';
const T0 = Date.parse('2026-11-20T10:00:00.000Z');

export interface Usage {
  input: number;
  output: number;
  w5?: number;
  w1?: number;
  read?: number;
}

export const SONNET = 'claude-sonnet-4-6';
export const HAIKU = 'claude-haiku-4-5-20251001';

/** $ per million tokens on the bundled table (sonnet 4.6 under 200k; haiku 4.5). */
export const RATES = {
  [SONNET]: { input: 3, output: 15, w5: 3.75, w1: 6, read: 0.3 },
  [HAIKU]: { input: 1, output: 5, w5: 1.25, w1: 2, read: 0.1 },
} as const;

/** Dollars of one call, computed here by hand from the rates (independent of the engine). */
export function usd(model: keyof typeof RATES, u: Usage): number {
  const r = RATES[model];
  return (u.input * r.input + u.output * r.output + (u.w5 ?? 0) * r.w5 + (u.w1 ?? 0) * r.w1 + (u.read ?? 0) * r.read) / 1e6;
}

export function ts(minutes: number): string {
  return new Date(T0 + minutes * 60_000).toISOString();
}

interface ToolUse {
  id: string;
  name: string;
  input?: Record<string, unknown>;
}

export function assistant(o: { id: string; model?: string; at: number; usage: Usage; tools?: ToolUse[]; side?: boolean; agentId?: string; session?: string; attribution?: Record<string, string> }): string {
  const u = o.usage;
  const w5 = u.w5 ?? 0;
  const w1 = u.w1 ?? 0;
  const content = (o.tools ?? []).length > 0 ? (o.tools ?? []).map((t) => ({ type: 'tool_use', id: t.id, name: t.name, input: t.input ?? {} })) : [{ type: 'text', text: 'done' }];
  return JSON.stringify({
    parentUuid: null,
    isSidechain: o.side === true,
    ...(o.agentId !== undefined ? { agentId: o.agentId } : {}),
    userType: 'external',
    cwd: CWD,
    sessionId: o.session ?? CAUSE_SESSION,
    version: '2.1.300',
    ...(o.attribution ?? {}),
    message: {
      id: o.id,
      type: 'message',
      role: 'assistant',
      model: o.model ?? SONNET,
      content,
      stop_reason: (o.tools ?? []).length > 0 ? 'tool_use' : 'end_turn',
      usage: {
        input_tokens: u.input,
        output_tokens: u.output,
        cache_creation_input_tokens: w5 + w1,
        cache_read_input_tokens: u.read ?? 0,
        cache_creation: { ephemeral_5m_input_tokens: w5, ephemeral_1h_input_tokens: w1 },
        service_tier: 'standard',
      },
    },
    requestId: `req_${o.id}`,
    type: 'assistant',
    uuid: `u-${o.id}`,
    timestamp: ts(o.at),
  });
}

export function prompt(text: string, at: number, side = false, session = CAUSE_SESSION): string {
  return JSON.stringify({ parentUuid: null, isSidechain: side, type: 'user', cwd: CWD, sessionId: session, message: { role: 'user', content: text }, uuid: `p-${at}`, timestamp: ts(at) });
}

export function result(toolUseId: string, at: number, o: { side?: boolean; agentId?: string; session?: string } = {}): string {
  return JSON.stringify({
    parentUuid: null,
    isSidechain: o.side === true,
    type: 'user',
    cwd: CWD,
    sessionId: o.session ?? CAUSE_SESSION,
    message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUseId, content: 'result text' }] },
    ...(o.agentId !== undefined ? { toolUseResult: { status: 'completed', agentId: o.agentId } } : {}),
    uuid: `r-${toolUseId}`,
    timestamp: ts(at),
  });
}

export function compact(at: number, session = CAUSE_SESSION): string {
  return JSON.stringify({ type: 'system', subtype: 'compact_boundary', parentUuid: null, content: 'Conversation compacted', compactMetadata: { trigger: 'auto', preTokens: 12000 }, sessionId: session, uuid: `cb-${at}`, timestamp: ts(at) });
}

/** The calls of the acceptance session, by cause as the rule must find them. */
export const CALLS = {
  c1: { input: 10, output: 100, w5: 5_000 },
  c2: { input: 5, output: 80, w5: 2_000, read: 5_000 },
  c3: { input: 5, output: 60, w5: 3_000, read: 7_000 },
  c4: { input: 5, output: 50, w5: 500, read: 10_000 },
  s1: { input: 20, output: 200, w5: 4_000 },
  s2: { input: 5, output: 150, w5: 300, read: 4_000 },
  c5: { input: 5, output: 120, w5: 400, read: 10_500 },
  c6: { input: 8, output: 300, w5: 200, read: 10_900 },
} satisfies Record<string, Usage>;

const mcp = { attributionMcpServer: 'github', attributionMcpTool: 'search_issues' };

/** Files of the session: relative path under projects/ -> text (plus the subagent's .meta.json). */
export function causeSessionFiles(withMeta = true): Record<string, string> {
  const main = [
    prompt('why does the login test fail?', 0),
    assistant({ id: 'msg_c1', at: 0.1, usage: CALLS.c1, tools: [{ id: 'tu_read', name: 'Read', input: { file_path: '/w/a.ts' } }] }),
    result('tu_read', 0.2),
    assistant({ id: 'msg_c2', at: 0.5, usage: CALLS.c2, tools: [{ id: 'tu_mcp', name: 'mcp__github__search_issues', input: { q: 'login' } }] }),
    result('tu_mcp', 0.6),
    // Claude Code's MCP pair: set on the call that read the MCP result, and it sticks to the later, unrelated calls.
    assistant({ id: 'msg_c3', at: 1, usage: CALLS.c3, tools: [{ id: 'tu_bash', name: 'Bash', input: { command: 'npm test' } }], attribution: mcp }),
    result('tu_bash', 1.1),
    assistant({ id: 'msg_c4', at: 1.5, usage: CALLS.c4, tools: [{ id: 'tu_agent', name: 'Agent', input: { subagent_type: 'Explore', description: 'find callers' } }], attribution: mcp }),
    result('tu_agent', 3, { agentId: AGENT_ID }),
    assistant({ id: 'msg_c5', at: 3.2, usage: CALLS.c5, attribution: mcp }),
    prompt('now fix it', 4),
    assistant({ id: 'msg_c6', at: 4.2, usage: CALLS.c6, attribution: mcp }),
  ];
  const side = { side: true, agentId: AGENT_ID, attribution: { attributionAgent: 'Explore' } };
  const sub = [
    prompt('find callers of login()', 1.6, true),
    assistant({ id: 'msg_s1', model: HAIKU, at: 1.8, usage: CALLS.s1, tools: [{ id: 'tu_grep', name: 'Grep' }], ...side }),
    result('tu_grep', 1.9, { side: true }),
    assistant({ id: 'msg_s2', model: HAIKU, at: 2.5, usage: CALLS.s2, ...side }),
  ];
  const dir = `-work-causes/${CAUSE_SESSION}`;
  const files: Record<string, string> = {
    [`${dir}.jsonl`]: `${main.join('\n')}\n`,
    [`${dir}/subagents/agent-${AGENT_ID}.jsonl`]: `${sub.join('\n')}\n`,
  };
  if (withMeta) {
    files[`${dir}/subagents/agent-${AGENT_ID}.meta.json`] = JSON.stringify({ agentType: 'Explore', description: 'find callers' });
  }
  return files;
}
