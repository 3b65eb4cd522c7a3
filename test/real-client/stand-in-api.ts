// A small stand-in for the Anthropic Messages API, bound to 127.0.0.1 on an
// ephemeral port. The real Claude Code CLI talks to it (ANTHROPIC_BASE_URL),
// so it writes real transcripts whose usage numbers a test chose. Every call
// served is logged as a ServedCall: that log is the ground truth the cost
// engine is checked against.

import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** What the stand-in thinks a call is for. A best guess from the request. */
export type CallKind = 'main' | 'subagent' | 'compact' | 'title' | 'other';

/** Usage a plan entry asks for; omitted fields are 0 / defaults. */
export interface PlanUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number;
  /** Cache writes by TTL; cache_creation_input_tokens is their sum. */
  cache_creation?: { ephemeral_5m_input_tokens?: number; ephemeral_1h_input_tokens?: number };
  web_search_requests?: number;
  speed?: 'standard' | 'fast';
  inference_geo?: string;
  service_tier?: string;
  /**
   * `usage.iterations`, for a turn that consults the server-side advisor:
   * the main model's `message` iterations (the top level must be their sum)
   * and `advisor_message` ones on another model (not in the top level).
   */
  iterations?: PlanIteration[];
}

/** One inference of a request (`usage.iterations[]`). */
export interface PlanIteration {
  type: 'message' | 'advisor_message' | 'fallback_message';
  /** The advisor's model (advisor_message only). */
  model?: string;
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number;
  cache_creation?: { ephemeral_5m_input_tokens?: number; ephemeral_1h_input_tokens?: number };
}

/** An iteration as it goes over the wire. */
export interface ServedIteration {
  type: PlanIteration['type'];
  model?: string;
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
}

/** Usage exactly as it goes over the wire (final figures). */
export interface ServedUsage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
  output_tokens: number;
  server_tool_use: { web_search_requests: number; web_fetch_requests: number };
  service_tier: string;
  inference_geo: string;
  speed: 'standard' | 'fast';
  iterations?: ServedIteration[];
}

/** One content block of a reply. */
export type ReplyBlock =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string }
  | { type: 'bash'; command: string; description: string }
  /** An Agent call (subagent_type general-purpose); model is the tool's optional override. */
  | { type: 'agent'; description: string; prompt: string; model?: 'sonnet' | 'opus' | 'haiku' }
  | { type: 'tool_use'; name: string; input: Record<string, unknown> }
  /** A server-side web search as the API reports it: server_tool_use + web_search_tool_result. */
  | { type: 'web_search'; query: string; results: { title: string; url: string }[] };

/** How to answer one call. */
export interface CallPlan {
  usage: PlanUsage;
  content: ReplyBlock[];
  /** Defaults to tool_use when a client tool is called, else end_turn. */
  stopReason?: 'end_turn' | 'tool_use' | 'max_tokens' | 'stop_sequence' | 'pause_turn';
  /** The model id put in the reply; defaults to the model requested. */
  servedModel?: string;
}

/** What a plan function sees of a request. */
export interface StandInRequest {
  seq: number;
  path: string;
  model: string;
  stream: boolean;
  /** The system prompt, text blocks joined with newlines. */
  systemText: string;
  toolNames: string[];
  /** Types of server tools offered (e.g. web_search_20250305). */
  serverToolTypes: string[];
  lastUserText: string;
  lastUserIsToolResult: boolean;
  looksLikeCompaction: boolean;
  messageCount: number;
  maxTokens: number;
  headers: Record<string, string | string[] | undefined>;
  kind: CallKind;
  body: Record<string, unknown>;
}

/** One entry of the ground-truth log. */
export interface ServedCall {
  seq: number;
  requestId: string;
  messageId: string;
  /** The model as requested. */
  model: string;
  stream: boolean;
  usage: ServedUsage;
  kind: CallKind;
  servedAt: string;
  /** Types of the content blocks served, in order (extra, for matching transcript lines). */
  blocks: string[];
  /** Names of client tools called in the reply (extra). */
  toolUses: string[];
  /** The x-claude-code-session-id request header, '' when absent (extra). */
  sessionId: string;
}

export type Plan = CallPlan[] | ((req: StandInRequest) => CallPlan);

export interface StandInOptions {
  /** Write each request body (and the served reply) to this folder, for exploring. */
  dumpDir?: string;
  /** Called for anything unexpected (404s, bad bodies). Defaults to stderr. */
  log?: (line: string) => void;
  /** Extra headers on every /v1/messages answer (e.g. a subscriber's `anthropic-ratelimit-unified-*`). */
  responseHeaders?: Record<string, string>;
}

export interface StandInApi {
  url: string;
  port: number;
  served: ServedCall[];
  /** Paths answered 404, in order. */
  notFound: string[];
  stop(): Promise<void>;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A random base62 string from crypto bytes. */
function randomId(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) {
    out += BASE62[b % 62] ?? '0';
  }
  return out;
}

/**
 * What a main call whose prompt contains "consult the advisor" is answered
 * with: the server-side advisor (Opus 4.6, 50,000 in and 3,000 out)
 * consulted between two inferences of the requested model; the top level
 * sums those two, the advisor is only in `iterations` (pricing.md §3).
 */
export const ADVISOR_TURN: PlanUsage = (() => {
  const first = { type: 'message' as const, input_tokens: 5, output_tokens: 120, cache_read_input_tokens: 0, cache_creation: { ephemeral_5m_input_tokens: 16_200 } };
  const advisor = { type: 'advisor_message' as const, model: 'claude-opus-4-6', input_tokens: 50_000, output_tokens: 3_000 };
  const second = { type: 'message' as const, input_tokens: 4, output_tokens: 210, cache_read_input_tokens: 16_200, cache_creation: { ephemeral_5m_input_tokens: 3_140 } };
  return {
    input_tokens: first.input_tokens + second.input_tokens,
    output_tokens: first.output_tokens + second.output_tokens,
    cache_read_input_tokens: first.cache_read_input_tokens + second.cache_read_input_tokens,
    cache_creation: { ephemeral_5m_input_tokens: first.cache_creation.ephemeral_5m_input_tokens + second.cache_creation.ephemeral_5m_input_tokens },
    iterations: [first, advisor, second],
  };
})();

/** Expands a plan's usage into the full wire object. */
export function servedUsageOf(u: PlanUsage): ServedUsage {
  const c5m = u.cache_creation?.ephemeral_5m_input_tokens ?? 0;
  const c1h = u.cache_creation?.ephemeral_1h_input_tokens ?? 0;
  return {
    input_tokens: u.input_tokens,
    cache_creation_input_tokens: c5m + c1h,
    cache_read_input_tokens: u.cache_read_input_tokens ?? 0,
    cache_creation: { ephemeral_5m_input_tokens: c5m, ephemeral_1h_input_tokens: c1h },
    output_tokens: u.output_tokens,
    server_tool_use: { web_search_requests: u.web_search_requests ?? 0, web_fetch_requests: 0 },
    service_tier: u.service_tier ?? 'standard',
    inference_geo: u.inference_geo ?? '',
    speed: u.speed ?? 'standard',
    ...(u.iterations !== undefined ? { iterations: u.iterations.map(servedIterationOf) } : {}),
  };
}

function servedIterationOf(it: PlanIteration): ServedIteration {
  const c5m = it.cache_creation?.ephemeral_5m_input_tokens ?? 0;
  const c1h = it.cache_creation?.ephemeral_1h_input_tokens ?? 0;
  return {
    type: it.type,
    ...(it.model !== undefined ? { model: it.model } : {}),
    input_tokens: it.input_tokens,
    output_tokens: it.output_tokens,
    cache_read_input_tokens: it.cache_read_input_tokens ?? 0,
    cache_creation_input_tokens: c5m + c1h,
    cache_creation: { ephemeral_5m_input_tokens: c5m, ephemeral_1h_input_tokens: c1h },
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Text of a string-or-blocks content, text blocks only. */
function textOf(content: unknown): string {
  if (typeof content === 'string') {
    return content;
  }
  if (!Array.isArray(content)) {
    return '';
  }
  const parts: string[] = [];
  for (const block of content) {
    if (isRecord(block) && block.type === 'text' && typeof block.text === 'string') {
      parts.push(block.text);
    }
  }
  return parts.join('\n');
}

const COMPACTION_MARKERS = [
  'create a detailed summary of the conversation',
  'summary of the conversation so far',
  'your task is to create a detailed summary',
];

/** Best-guess classification of a Messages request made by Claude Code. */
export function classifyRequest(r: Omit<StandInRequest, 'kind'>): CallKind {
  const sys = r.systemText.toLowerCase();
  const last = r.lastUserText.toLowerCase();
  if (r.looksLikeCompaction) {
    return 'compact';
  }
  if (/\btitle\b/.test(sys) && r.toolNames.length === 0) {
    return 'title';
  }
  if (r.toolNames.length === 0 && /\btitle\b/.test(last)) {
    return 'title';
  }
  // Claude Code 2.1.330 marks subagent requests in the billing header system block.
  if (sys.includes('cc_is_subagent=true')) {
    return 'subagent';
  }
  // The main loop offers client tools; side calls (web search, titles, topics) offer none or only server tools.
  if (r.toolNames.length > 0) {
    return 'main';
  }
  return 'other';
}

/** Builds the StandInRequest view of a request body. */
export function describeRequest(
  seq: number,
  path: string,
  body: Record<string, unknown>,
  headers: Record<string, string | string[] | undefined>,
): StandInRequest {
  const system = body.system;
  const systemText = typeof system === 'string' ? system : textOf(system);
  const toolNames: string[] = [];
  const serverToolTypes: string[] = [];
  if (Array.isArray(body.tools)) {
    for (const t of body.tools) {
      if (!isRecord(t)) {
        continue;
      }
      if (typeof t.type === 'string' && t.type !== 'custom') {
        serverToolTypes.push(t.type);
      } else if (typeof t.name === 'string') {
        toolNames.push(t.name);
      }
    }
  }
  const messages = Array.isArray(body.messages) ? body.messages : [];
  let lastUser: Record<string, unknown> | undefined;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m: unknown = messages[i];
    if (isRecord(m) && m.role === 'user') {
      lastUser = m;
      break;
    }
  }
  const lastContent = lastUser?.content;
  const lastUserIsToolResult =
    Array.isArray(lastContent) && lastContent.some((b) => isRecord(b) && b.type === 'tool_result');
  const lastUserText = textOf(lastContent);
  const lower = (systemText + '\n' + lastUserText).toLowerCase();
  const looksLikeCompaction = COMPACTION_MARKERS.some((m) => lower.includes(m));
  const partial = {
    seq,
    path,
    model: typeof body.model === 'string' ? body.model : '',
    stream: body.stream === true,
    systemText,
    toolNames,
    serverToolTypes,
    lastUserText,
    lastUserIsToolResult,
    looksLikeCompaction,
    messageCount: messages.length,
    maxTokens: typeof body.max_tokens === 'number' ? body.max_tokens : 0,
    headers,
    body,
  };
  return { ...partial, kind: classifyRequest(partial) };
}

/** A plain text reply with small default usage. */
export function defaultPlan(req: StandInRequest): CallPlan {
  if (req.kind === 'main' && req.lastUserText.includes('consult the advisor')) {
    return { usage: ADVISOR_TURN, content: [{ type: 'thinking', thinking: 'Asking the advisor.' }, { type: 'text', text: 'The advisor says: keep the cache warm.' }] };
  }
  switch (req.kind) {
    case 'compact':
      return {
        usage: { input_tokens: 900, output_tokens: 120, cache_read_input_tokens: 0 },
        content: [{ type: 'text', text: '<summary>The user asked for small test tasks; they were done.</summary>' }],
      };
    case 'title':
      return { usage: { input_tokens: 60, output_tokens: 8 }, content: [{ type: 'text', text: '{"title":"Stand-in test"}' }] };
    case 'other':
      return { usage: { input_tokens: 30, output_tokens: 5 }, content: [{ type: 'text', text: 'ok' }] };
    default:
      return { usage: { input_tokens: 10, output_tokens: 12 }, content: [{ type: 'text', text: 'Done.' }] };
  }
}

interface WireBlock {
  start: Record<string, unknown>;
  deltas: Record<string, unknown>[];
  full: Record<string, unknown>;
  toolName?: string;
}

/** Turns plan blocks into wire blocks: their stream start/deltas and the full JSON form. */
function wireBlocks(content: ReplyBlock[]): WireBlock[] {
  const out: WireBlock[] = [];
  for (const b of content) {
    switch (b.type) {
      case 'text':
        out.push({
          start: { type: 'text', text: '' },
          deltas: [{ type: 'text_delta', text: b.text }],
          full: { type: 'text', text: b.text },
        });
        break;
      case 'thinking': {
        const signature = 'sig_' + randomId(40);
        out.push({
          start: { type: 'thinking', thinking: '', signature: '' },
          deltas: [
            { type: 'thinking_delta', thinking: b.thinking },
            { type: 'signature_delta', signature },
          ],
          full: { type: 'thinking', thinking: b.thinking, signature },
        });
        break;
      }
      case 'bash':
      case 'agent':
      case 'tool_use': {
        const name = b.type === 'bash' ? 'Bash' : b.type === 'agent' ? 'Agent' : b.name;
        const input =
          b.type === 'bash'
            ? { command: b.command, description: b.description }
            : b.type === 'agent'
              ? {
                  description: b.description,
                  prompt: b.prompt,
                  subagent_type: 'general-purpose',
                  ...(b.model === undefined ? {} : { model: b.model }),
                }
              : b.input;
        const id = 'toolu_01' + randomId(22);
        out.push({
          start: { type: 'tool_use', id, name, input: {} },
          deltas: [{ type: 'input_json_delta', partial_json: JSON.stringify(input) }],
          full: { type: 'tool_use', id, name, input },
          toolName: name,
        });
        break;
      }
      case 'web_search': {
        const id = 'srvtoolu_01' + randomId(22);
        const input = { query: b.query };
        out.push({
          start: { type: 'server_tool_use', id, name: 'web_search', input: {} },
          deltas: [{ type: 'input_json_delta', partial_json: JSON.stringify(input) }],
          full: { type: 'server_tool_use', id, name: 'web_search', input },
        });
        const results = b.results.map((r) => ({
          type: 'web_search_result',
          title: r.title,
          url: r.url,
          encrypted_content: 'enc_' + randomId(32),
          page_age: null,
        }));
        const result = { type: 'web_search_tool_result', tool_use_id: id, content: results };
        out.push({ start: result, deltas: [], full: result });
        break;
      }
    }
  }
  return out;
}

function sse(res: ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Starts the stand-in API on 127.0.0.1 with an ephemeral port. */
export async function startStandInApi(plan: Plan, options: StandInOptions = {}): Promise<StandInApi> {
  const log = options.log ?? ((line: string) => process.stderr.write(`[stand-in] ${line}\n`));
  const served: ServedCall[] = [];
  const notFound: string[] = [];
  let seq = 0;
  let planIndex = 0;
  if (options.dumpDir !== undefined) {
    mkdirSync(options.dumpDir, { recursive: true });
  }

  const choose = (req: StandInRequest): CallPlan => {
    if (typeof plan === 'function') {
      return plan(req);
    }
    // A list is consumed in order by main and subagent calls; side calls get the default.
    if (req.kind === 'main' || req.kind === 'subagent') {
      const entry = plan[planIndex];
      if (entry !== undefined) {
        planIndex++;
        return entry;
      }
    }
    return defaultPlan(req);
  };

  const handleMessages = (res: ServerResponse, body: Record<string, unknown>, headers: IncomingMessage['headers']): void => {
    seq++;
    const req = describeRequest(seq, '/v1/messages', body, headers);
    const p = choose(req);
    const requestId = 'req_011C' + randomId(20);
    const messageId = 'msg_01' + randomId(22);
    const usage = servedUsageOf(p.usage);
    const blocks = wireBlocks(p.content);
    const toolUses = blocks.flatMap((b) => (b.toolName === undefined ? [] : [b.toolName]));
    const stopReason = p.stopReason ?? (toolUses.length > 0 ? 'tool_use' : 'end_turn');
    const model = p.servedModel ?? req.model;
    const call: ServedCall = {
      seq,
      requestId,
      messageId,
      model: req.model,
      stream: req.stream,
      usage,
      kind: req.kind,
      servedAt: new Date().toISOString(),
      blocks: blocks.map((b) => String(b.full.type)),
      toolUses,
      sessionId: typeof headers['x-claude-code-session-id'] === 'string' ? headers['x-claude-code-session-id'] : '',
    };
    served.push(call);
    if (options.dumpDir !== undefined) {
      const file = join(options.dumpDir, `${String(seq).padStart(3, '0')}-${req.kind}.json`);
      writeFileSync(file, JSON.stringify({ headers, body, served: call }, null, 1));
    }
    const baseHeaders = { ...options.responseHeaders, 'request-id': requestId, 'anthropic-organization-id': 'org-stand-in' };
    if (!req.stream) {
      res.writeHead(200, { ...baseHeaders, 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: messageId,
          type: 'message',
          role: 'assistant',
          model,
          content: blocks.map((b) => b.full),
          stop_reason: stopReason,
          stop_sequence: null,
          usage,
        }),
      );
      return;
    }
    res.writeHead(200, { ...baseHeaders, 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    // message_start carries the input side and a provisional output count, like the real API.
    const startUsage = { ...usage, output_tokens: Math.min(1, usage.output_tokens) };
    sse(res, 'message_start', {
      type: 'message_start',
      message: { id: messageId, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: startUsage },
    });
    blocks.forEach((b, index) => {
      sse(res, 'content_block_start', { type: 'content_block_start', index, content_block: b.start });
      for (const delta of b.deltas) {
        sse(res, 'content_block_delta', { type: 'content_block_delta', index, delta });
      }
      sse(res, 'content_block_stop', { type: 'content_block_stop', index });
    });
    sse(res, 'message_delta', {
      type: 'message_delta',
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: {
        input_tokens: usage.input_tokens,
        cache_creation_input_tokens: usage.cache_creation_input_tokens,
        cache_read_input_tokens: usage.cache_read_input_tokens,
        output_tokens: usage.output_tokens,
        server_tool_use: usage.server_tool_use,
        ...(usage.iterations !== undefined ? { iterations: usage.iterations } : {}),
      },
    });
    sse(res, 'message_stop', { type: 'message_stop' });
    res.end();
  };

  const server = createServer((req, res) => {
    void (async () => {
      const url = (req.url ?? '/').split('?')[0] ?? '/';
      const text = await readBody(req);
      if (req.method === 'POST' && (url === '/v1/messages' || url === '/v1/messages/count_tokens')) {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          log(`bad JSON body on ${url}`);
          res.writeHead(400, { 'content-type': 'application/json', 'request-id': 'req_011C' + randomId(20) });
          res.end(JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: 'bad JSON' } }));
          return;
        }
        if (!isRecord(body)) {
          body = {};
        }
        if (url === '/v1/messages/count_tokens') {
          const n = Math.max(1, Math.ceil(text.length / 4));
          res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'req_011C' + randomId(20) });
          res.end(JSON.stringify({ input_tokens: n }));
          return;
        }
        handleMessages(res, body as Record<string, unknown>, req.headers);
        return;
      }
      notFound.push(`${req.method ?? '?'} ${req.url ?? ''}`);
      log(`404 ${req.method ?? '?'} ${req.url ?? ''}`);
      res.writeHead(404, { 'content-type': 'application/json', 'request-id': 'req_011C' + randomId(20) });
      res.end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: 'Not found' } }));
    })().catch((err: unknown) => {
      log(`handler error: ${String(err)}`);
      if (!res.headersSent) {
        res.writeHead(500);
      }
      res.end();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    served,
    notFound,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
