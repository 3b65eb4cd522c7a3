/**
 * Claude Code transcript lines: lenient zod schemas and a parser that never throws.
 *
 * Only the fields the engine needs are described; unknown line types and
 * unknown fields are tolerated, and `null` means "absent" everywhere
 * (docs/transcript-format.md P21). A usage record is an `assistant` line with
 * `message.usage`; `<synthetic>` and `isApiErrorMessage` lines are recognised
 * and cost nothing.
 */
import type { z } from 'zod';
import type * as Schemas from './transcript-schema';

/**
 * The zod schemas, loaded on first use: the hot paths validate by hand and
 * ask zod only to explain a rejection, so a scan that meets no bad line (and
 * a warm start) never loads zod at all.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const schemas = (): typeof Schemas => require('./transcript-schema') as typeof Schemas;

/** Largest token count accepted in one usage field; anything above is malformed, not priced. */
export const MAX_TOKENS_PER_FIELD = 100_000_000;

/** Integer tokens of one API call or a sum of calls, per price bucket (the one token type; `costOn` prices it). */
export interface CallTokens {
  input: number;
  output: number;
  write5m: number;
  write1h: number;
  read: number;
  webSearches: number;
}

/**
 * One call's counts, always made here. The properties go in an order no sum
 * uses, so V8 gives per-call counts (small integers) an object shape of their
 * own: sums (cells, cost-state totals, history) outgrow 2^31, and a shape
 * that ever holds such a number keeps every field of every object of that
 * shape as a separate 16-byte heap number. Shared with the sums, each of the
 * ~50,000 calls a 1 GB history keeps carried six of them, all copied by
 * every scavenge of the merging thread.
 */
export function callTokens(input: number, output: number, write5m: number, write1h: number, read: number, webSearches: number): CallTokens {
  return { webSearches, read, write1h, write5m, output, input };
}

/** One API call as read from one line, before de-duplication. Plain data (structured-clone safe). */
export interface RawCall {
  /** `message.id`, or undefined when the line has none (then it is never de-duplicated). */
  messageId: string | undefined;
  requestId: string | undefined;
  /** `sessionId` field of the line (the path decides the session; this is a fallback). */
  lineSessionId: string | undefined;
  agentId: string | undefined;
  sidechain: boolean;
  model: string;
  timestampMs: number;
  tokens: CallTokens;
  fast: boolean;
  geoUs: boolean;
  cwd: string | undefined;
  /**
   * What `usage.iterations` adds to the top level, present only when it
   * changes the bill or the context (see `CallIterations`); absent on almost
   * every line, and then the top level is the one request.
   */
  iterations?: CallIterations;
}

/**
 * One `advisor_message` iteration: the server-side advisor (`/advisor`),
 * an inference under its own model whose tokens are absent from the top
 * level. Billed as a call of its own.
 */
export interface AdvisorInference {
  /** Position in `usage.iterations` (with the parent call's key, it identifies the inference). */
  index: number;
  model: string;
  tokens: CallTokens;
  fast: boolean;
  geoUs: boolean;
}

/**
 * The iterations of a line that matter (docs/pricing.md §3): `message`
 * iterations are the main model's and already summed in the top level; with
 * two or more, each is its own request (tier rules, context = the last
 * one's prompt). `advisor_message` ones are extra inferences. `fallback_message`
 * ones (attempts that did not serve) and unknown types are never billed.
 */
export interface CallIterations {
  /** Each `message` iteration's tokens, in order, when there are two or more; else empty. */
  requests: CallTokens[];
  advisors: AdvisorInference[];
}

export interface CompactBoundary {
  timestampMs: number;
  lineSessionId: string | undefined;
  preTokens: number | undefined;
  postTokens: number | undefined;
  trigger: string | undefined;
}

/** Cumulative per-model usage Claude Code reports for a whole session. */
export interface CostStateModelUsage {
  tokens: CallTokens;
  costUSD: number | undefined;
}

export interface CostState {
  /** The line's own time; 2.1.330 writes none (the engine then uses the time of the lines before it). */
  timestampMs: number | undefined;
  lineSessionId: string | undefined;
  totalCostUSD: number | undefined;
  hasUnknownModelCost: boolean;
  models: Record<string, CostStateModelUsage>;
}

/** What one line turned out to be. */
export type ParsedLine =
  | { kind: 'call'; call: RawCall }
  | { kind: 'compact'; boundary: CompactBoundary; cwd: string | undefined }
  | { kind: 'cost-state'; state: CostState; cwd: string | undefined }
  | { kind: 'synthetic'; cwd: string | undefined; lineSessionId: string | undefined }
  | { kind: 'other'; cwd: string | undefined; lineSessionId: string | undefined }
  | { kind: 'malformed'; reason: string };

const SYNTHETIC_MODEL = '<synthetic>';

/** Parses an ISO-8601 timestamp to epoch ms; NaN when invalid. */
function parseTimestamp(iso: string): number {
  return Date.parse(iso);
}

/**
 * The cache writes by lifetime: the breakdown when it gives either lifetime
 * (a missing one is 0), else the flat count, all of it 5-minute (a cache
 * write with no breakdown is a 5-minute one). The one place this rule lives:
 * usage lines, the kernel's reading of them and cost-state lines use it.
 */
export function cacheWrites(flat: number | undefined, w5: number | undefined, w1: number | undefined): { write5m: number; write1h: number } {
  return w5 !== undefined || w1 !== undefined ? { write5m: w5 ?? 0, write1h: w1 ?? 0 } : { write5m: flat ?? 0, write1h: 0 };
}

/** Tokens of a usage object, with the flat cache-write count as 5m only when the breakdown is absent. */
export function callTokensOf(usage: z.infer<typeof Schemas.usageSchema>): CallTokens {
  const breakdown = usage.cache_creation;
  const { write5m, write1h } = cacheWrites(usage.cache_creation_input_tokens, breakdown?.ephemeral_5m_input_tokens, breakdown?.ephemeral_1h_input_tokens);
  return callTokens(usage.input_tokens, usage.output_tokens, write5m, write1h, usage.cache_read_input_tokens ?? 0, usage.server_tool_use?.web_search_requests ?? 0);
}

type AssistantLine = z.infer<typeof Schemas.assistantLineSchema>;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optStr = (v: unknown): v is string | null | undefined => v === undefined || v === null || typeof v === 'string';
const optBool = (v: unknown): v is boolean | null | undefined => v === undefined || v === null || typeof v === 'boolean';
const isTok = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_TOKENS_PER_FIELD;
const optTok = (v: unknown): boolean => v === undefined || v === null || isTok(v);
const orUndef = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);

/** `usageSchema`'s rules by hand (the hot path; zod explains a rejection). */
function fastUsageOk(u: Record<string, unknown>): boolean {
  if (!isTok(u.input_tokens) || !isTok(u.output_tokens) || !optTok(u.cache_creation_input_tokens) || !optTok(u.cache_read_input_tokens) || !optStr(u.speed) || !optStr(u.inference_geo)) {
    return false;
  }
  const cc = u.cache_creation;
  if (cc !== undefined && cc !== null && !(isObj(cc) && optTok(cc.ephemeral_5m_input_tokens) && optTok(cc.ephemeral_1h_input_tokens))) {
    return false;
  }
  const st = u.server_tool_use;
  return st === undefined || st === null || (isObj(st) && optTok(st.web_search_requests));
}

/** A usage object already checked by `fastUsageOk` (or zod), in the schema's shape. */
function checkedUsage(u: Record<string, unknown>) {
  const cc = u.cache_creation;
  const st = u.server_tool_use;
  return {
    input_tokens: u.input_tokens as number,
    output_tokens: u.output_tokens as number,
    cache_creation_input_tokens: orUndef(u.cache_creation_input_tokens as number | null | undefined),
    cache_read_input_tokens: orUndef(u.cache_read_input_tokens as number | null | undefined),
    cache_creation: isObj(cc)
      ? {
          ephemeral_5m_input_tokens: orUndef(cc.ephemeral_5m_input_tokens as number | null | undefined),
          ephemeral_1h_input_tokens: orUndef(cc.ephemeral_1h_input_tokens as number | null | undefined),
        }
      : undefined,
    server_tool_use: isObj(st) ? { web_search_requests: orUndef(st.web_search_requests as number | null | undefined) } : undefined,
    speed: orUndef(u.speed as string | null | undefined),
    inference_geo: orUndef(u.inference_geo as string | null | undefined),
  };
}

/** Tokens of a usage object already checked by `fastUsageOk` (or zod). */
function tokensOfChecked(u: Record<string, unknown>): CallTokens {
  return callTokensOf(checkedUsage(u));
}

/**
 * `usage.iterations` read by the rules of `CallIterations`: undefined when
 * they change nothing (absent, not an array, one `message` iteration and no
 * advisor: almost every line), a reason when an iteration that counts is
 * malformed (the line is then malformed: never priced half).
 */
export function iterationsOf(raw: unknown, lineGeoUs: boolean): CallIterations | string | undefined {
  if (!Array.isArray(raw)) {
    return undefined;
  }
  const messages: Array<[number, Record<string, unknown>]> = [];
  const advisorAt: Array<[number, Record<string, unknown>]> = [];
  raw.forEach((it: unknown, i) => {
    if (isObj(it) && it.type === 'message') {
      messages.push([i, it]);
    } else if (isObj(it) && it.type === 'advisor_message') {
      advisorAt.push([i, it]);
    }
  });
  if (messages.length < 2 && advisorAt.length === 0) {
    return undefined;
  }
  const used = messages.length >= 2 ? [...messages, ...advisorAt] : advisorAt;
  for (const [i, it] of used) {
    if (!fastUsageOk(it)) {
      const { usageSchema, firstIssue } = schemas();
      const r = usageSchema.safeParse(it);
      return `iterations.${i}: ${r.success ? 'invalid' : firstIssue(r.error)}`;
    }
  }
  const advisors: AdvisorInference[] = [];
  for (const [index, it] of advisorAt) {
    if (typeof it.model !== 'string' || it.model === '') {
      return `iterations.${index}.model: an advisor iteration needs its model`;
    }
    advisors.push({
      index,
      model: it.model,
      tokens: tokensOfChecked(it),
      fast: it.speed === 'fast',
      geoUs: typeof it.inference_geo === 'string' && it.inference_geo !== '' ? it.inference_geo === 'us' : lineGeoUs,
    });
  }
  return { requests: messages.length >= 2 ? messages.map(([, it]) => tokensOfChecked(it)) : [], advisors };
}

/**
 * The hot path: the same acceptance rules as `assistantLineSchema`, written
 * out by hand because this runs for every usage line of a history. Returns
 * undefined when anything is off; the caller then asks zod for the reason.
 */
function fastAssistant(v: Record<string, unknown>): AssistantLine | undefined {
  const m = v.message;
  if (typeof v.timestamp !== 'string' || !isObj(m)) {
    return undefined;
  }
  const u = m.usage;
  if (
    !isObj(u) ||
    !fastUsageOk(u) ||
    !optStr(v.sessionId) ||
    !optStr(v.cwd) ||
    !optStr(v.requestId) ||
    !optStr(v.agentId) ||
    !optBool(v.isSidechain) ||
    !optBool(v.isApiErrorMessage) ||
    !optStr(m.id) ||
    !optStr(m.model)
  ) {
    return undefined;
  }
  return {
    type: 'assistant',
    timestamp: v.timestamp,
    sessionId: orUndef(v.sessionId),
    cwd: orUndef(v.cwd),
    requestId: orUndef(v.requestId),
    isSidechain: orUndef(v.isSidechain),
    agentId: orUndef(v.agentId),
    isApiErrorMessage: orUndef(v.isApiErrorMessage),
    message: {
      id: orUndef(m.id),
      model: orUndef(m.model),
      usage: checkedUsage(u),
    },
  };
}

function parseAssistant(value: Record<string, unknown>): ParsedLine {
  let line = fastAssistant(value);
  if (!line) {
    const { assistantLineSchema, firstIssue } = schemas();
    const result = assistantLineSchema.safeParse(value);
    if (!result.success) {
      return { kind: 'malformed', reason: `assistant usage: ${firstIssue(result.error)}` };
    }
    line = result.data;
  }
  const model = line.message.model;
  if (line.isApiErrorMessage === true || model === SYNTHETIC_MODEL) {
    return { kind: 'synthetic', cwd: line.cwd, lineSessionId: line.sessionId };
  }
  if (model === undefined || model === '') {
    return { kind: 'malformed', reason: 'assistant usage: message.model missing' };
  }
  const timestampMs = parseTimestamp(line.timestamp);
  if (Number.isNaN(timestampMs)) {
    return { kind: 'malformed', reason: 'assistant usage: invalid timestamp' };
  }
  const usage = line.message.usage;
  const geoUs = usage.inference_geo === 'us';
  const call: RawCall = {
    messageId: line.message.id || undefined,
    requestId: line.requestId || undefined,
    lineSessionId: line.sessionId || undefined,
    agentId: line.agentId || undefined,
    sidechain: line.isSidechain === true,
    model,
    timestampMs,
    tokens: callTokensOf(usage),
    fast: usage.speed === 'fast',
    geoUs,
    cwd: line.cwd || undefined,
  };
  const iterations = iterationsOf((value.message as { usage: Record<string, unknown> }).usage.iterations, geoUs);
  if (typeof iterations === 'string') {
    return { kind: 'malformed', reason: `assistant usage: ${iterations}` };
  }
  if (iterations !== undefined) {
    call.iterations = iterations;
  }
  return { kind: 'call', call };
}

const optNum = (v: unknown): boolean => v === undefined || v === null || (typeof v === 'number' && Number.isFinite(v));
const optCost = (v: unknown): boolean => v === undefined || v === null || (typeof v === 'number' && Number.isFinite(v) && v >= 0);

/** `compactBoundarySchema`'s rules by hand; undefined when anything is off (zod then says what). */
function fastCompact(v: Record<string, unknown>): z.infer<typeof Schemas.compactBoundarySchema> | undefined {
  if (v.type !== 'system' || v.subtype !== 'compact_boundary' || typeof v.timestamp !== 'string' || !optStr(v.sessionId) || !optStr(v.cwd)) {
    return undefined;
  }
  const m = v.compactMetadata;
  if (m !== undefined && m !== null && !(isObj(m) && optStr(m.trigger) && optNum(m.preTokens) && optNum(m.postTokens))) {
    return undefined;
  }
  return {
    type: 'system',
    subtype: 'compact_boundary',
    timestamp: v.timestamp,
    sessionId: orUndef(v.sessionId),
    cwd: orUndef(v.cwd),
    compactMetadata: isObj(m)
      ? {
          trigger: orUndef(m.trigger as string | null | undefined),
          preTokens: orUndef(m.preTokens as number | null | undefined),
          postTokens: orUndef(m.postTokens as number | null | undefined),
        }
      : undefined,
  };
}

function parseCompact(value: Record<string, unknown>): ParsedLine {
  let line = fastCompact(value);
  if (!line) {
    const { compactBoundarySchema, firstIssue } = schemas();
    const result = compactBoundarySchema.safeParse(value);
    if (!result.success) {
      return { kind: 'malformed', reason: `compact_boundary: ${firstIssue(result.error)}` };
    }
    line = result.data;
  }
  const timestampMs = parseTimestamp(line.timestamp);
  if (Number.isNaN(timestampMs)) {
    return { kind: 'malformed', reason: 'compact_boundary: invalid timestamp' };
  }
  return {
    kind: 'compact',
    cwd: line.cwd,
    boundary: {
      timestampMs,
      lineSessionId: line.sessionId,
      preTokens: line.compactMetadata?.preTokens,
      postTokens: line.compactMetadata?.postTokens,
      trigger: line.compactMetadata?.trigger,
    },
  };
}

const MODEL_USAGE_TOKENS = [
  'inputTokens',
  'outputTokens',
  'cacheReadInputTokens',
  'cacheCreationInputTokens',
  'cacheCreationEphemeral5mInputTokens',
  'cacheCreationEphemeral1hInputTokens',
  'webSearchRequests',
] as const;

/** `costStateSchema`'s rules by hand; undefined when anything is off (zod then says what). */
function fastCostState(v: Record<string, unknown>): z.infer<typeof Schemas.costStateSchema> | undefined {
  if (v.type !== 'cost-state' || !optStr(v.timestamp) || !optStr(v.sessionId) || !optStr(v.cwd) || !optCost(v.totalCostUSD) || !optBool(v.hasUnknownModelCost)) {
    return undefined;
  }
  const mu = v.modelUsage;
  let modelUsage: z.infer<typeof Schemas.costStateSchema>['modelUsage'];
  if (mu !== undefined && mu !== null) {
    if (!isObj(mu)) {
      return undefined;
    }
    modelUsage = {};
    for (const [model, u] of Object.entries(mu)) {
      if (!isObj(u) || !MODEL_USAGE_TOKENS.every((k) => optTok(u[k])) || !optCost(u.costUSD)) {
        return undefined;
      }
      const t = (k: (typeof MODEL_USAGE_TOKENS)[number]): number | undefined => orUndef(u[k] as number | null | undefined);
      modelUsage[model] = {
        inputTokens: t('inputTokens'),
        outputTokens: t('outputTokens'),
        cacheReadInputTokens: t('cacheReadInputTokens'),
        cacheCreationInputTokens: t('cacheCreationInputTokens'),
        cacheCreationEphemeral5mInputTokens: t('cacheCreationEphemeral5mInputTokens'),
        cacheCreationEphemeral1hInputTokens: t('cacheCreationEphemeral1hInputTokens'),
        webSearchRequests: t('webSearchRequests'),
        costUSD: orUndef(u.costUSD as number | null | undefined),
      };
    }
  }
  return {
    type: 'cost-state',
    timestamp: orUndef(v.timestamp),
    sessionId: orUndef(v.sessionId),
    cwd: orUndef(v.cwd),
    totalCostUSD: orUndef(v.totalCostUSD as number | null | undefined),
    hasUnknownModelCost: orUndef(v.hasUnknownModelCost),
    modelUsage,
  };
}

function parseCostState(value: Record<string, unknown>): ParsedLine {
  let line = fastCostState(value);
  if (!line) {
    const { costStateSchema, firstIssue } = schemas();
    const result = costStateSchema.safeParse(value);
    if (!result.success) {
      return { kind: 'malformed', reason: `cost-state: ${firstIssue(result.error)}` };
    }
    line = result.data;
  }
  const timestampMs = line.timestamp === undefined ? undefined : parseTimestamp(line.timestamp);
  if (timestampMs !== undefined && Number.isNaN(timestampMs)) {
    return { kind: 'malformed', reason: 'cost-state: invalid timestamp' };
  }
  const models: Record<string, CostStateModelUsage> = {};
  for (const [model, u] of Object.entries(line.modelUsage ?? {})) {
    const { write5m, write1h } = cacheWrites(u.cacheCreationInputTokens, u.cacheCreationEphemeral5mInputTokens, u.cacheCreationEphemeral1hInputTokens);
    models[model] = {
      costUSD: u.costUSD,
      tokens: {
        input: u.inputTokens ?? 0,
        output: u.outputTokens ?? 0,
        write5m,
        write1h,
        read: u.cacheReadInputTokens ?? 0,
        webSearches: u.webSearchRequests ?? 0,
      },
    };
  }
  return {
    kind: 'cost-state',
    cwd: line.cwd,
    state: {
      timestampMs,
      lineSessionId: line.sessionId,
      totalCostUSD: line.totalCostUSD,
      hasUnknownModelCost: line.hasUnknownModelCost === true,
      models,
    },
  };
}

/**
 * Parses one complete transcript line. Never throws: JSON errors and
 * schema violations on lines that matter come back as `malformed`.
 */
export function parseLine(text: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'malformed', reason: 'not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'malformed', reason: 'not a JSON object' };
  }
  const o = value as Record<string, unknown>;
  const { type, subtype } = o;
  if (!optStr(type) || !optStr(subtype) || !optStr(o.sessionId) || !optStr(o.cwd)) {
    // Envelope fields of the wrong type: an assistant line with usage is then
    // malformed (counted); any other line is data we do not need.
    return type === 'assistant' && isObj(o.message) && o.message.usage !== undefined && o.message.usage !== null
      ? { kind: 'malformed', reason: 'assistant usage: an envelope field has the wrong type' }
      : { kind: 'other', cwd: undefined, lineSessionId: undefined };
  }
  const cwd = orUndef(o.cwd);
  const sessionId = orUndef(o.sessionId);
  const message = o.message;
  const usage = typeof message === 'object' && message !== null ? (message as { usage?: unknown }).usage : undefined;
  if (type === 'assistant' && usage !== undefined && usage !== null) {
    return parseAssistant(o);
  }
  if (type === 'system' && subtype === 'compact_boundary') {
    return parseCompact(o);
  }
  if (type === 'cost-state') {
    return parseCostState(o);
  }
  return { kind: 'other', cwd, lineSessionId: sessionId };
}

export interface AgentMeta {
  agentType: string | undefined;
  description: string | undefined;
}

/** Parses a subagent's `.meta.json` text; undefined when it is not valid. Never throws. */
export function parseAgentMeta(text: string): AgentMeta | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (isObj(value) && optStr(value.agentType) && optStr(value.description) && optStr(value.model)) {
    return { agentType: orUndef(value.agentType), description: orUndef(value.description) };
  }
  const r = schemas().agentMetaSchema.safeParse(value);
  return r.success ? { agentType: r.data.agentType, description: r.data.description } : undefined;
}
