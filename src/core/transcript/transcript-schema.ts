/**
 * The zod schemas of the transcript lines the engine reads: the source of
 * truth for what a line must look like. Loaded on demand by transcript.ts
 * (the hot paths check the same rules by hand and ask these only to explain
 * a rejection), so a scan of well-formed lines never loads zod.
 */
import { z } from 'zod';
import { MAX_TOKENS_PER_FIELD } from './transcript';

/** `null` and `undefined` both mean absent. */
const opt = <T extends z.ZodType>(schema: T) => schema.nullish().transform((v) => v ?? undefined);

const tokenCount = z.number().int().nonnegative().max(MAX_TOKENS_PER_FIELD);
const optTokens = opt(tokenCount);

/** `message.usage.cache_creation`: the cache writes by lifetime. */
export const cacheCreationSchema = z.looseObject({
  ephemeral_5m_input_tokens: optTokens,
  ephemeral_1h_input_tokens: optTokens,
});

/** `message.usage.server_tool_use`. */
export const serverToolUseSchema = z.looseObject({ web_search_requests: optTokens });

/** `message.usage` of an assistant line (Anthropic Messages API usage, as logged). */
export const usageSchema = z.looseObject({
  input_tokens: tokenCount,
  output_tokens: tokenCount,
  cache_creation_input_tokens: optTokens,
  cache_read_input_tokens: optTokens,
  cache_creation: opt(cacheCreationSchema),
  server_tool_use: opt(serverToolUseSchema),
  speed: opt(z.string()),
  inference_geo: opt(z.string()),
});

/** An `assistant` line that carries usage. */
export const assistantLineSchema = z.looseObject({
  type: z.literal('assistant'),
  timestamp: z.string(),
  sessionId: opt(z.string()),
  cwd: opt(z.string()),
  requestId: opt(z.string()),
  isSidechain: opt(z.boolean()),
  agentId: opt(z.string()),
  isApiErrorMessage: opt(z.boolean()),
  message: z.looseObject({
    id: opt(z.string()),
    model: opt(z.string()),
    usage: usageSchema,
  }),
});

/** `{"type":"system","subtype":"compact_boundary",...}`. */
export const compactBoundarySchema = z.looseObject({
  type: z.literal('system'),
  subtype: z.literal('compact_boundary'),
  timestamp: z.string(),
  sessionId: opt(z.string()),
  cwd: opt(z.string()),
  compactMetadata: opt(
    z.looseObject({
      trigger: opt(z.string()),
      preTokens: opt(z.number()),
      postTokens: opt(z.number()),
    }),
  ),
});

const costNumber = z.number().finite().nonnegative();

/** One model's cumulative usage inside a `cost-state` line (Claude Code >= 2.1.3xx). */
export const costStateModelUsageSchema = z.looseObject({
  inputTokens: optTokens,
  outputTokens: optTokens,
  cacheReadInputTokens: optTokens,
  cacheCreationInputTokens: optTokens,
  cacheCreationEphemeral5mInputTokens: optTokens,
  cacheCreationEphemeral1hInputTokens: optTokens,
  webSearchRequests: optTokens,
  costUSD: opt(costNumber),
});

/** `{"type":"cost-state",...}`: Claude Code's own running session cost and usage per model. */
export const costStateSchema = z.looseObject({
  type: z.literal('cost-state'),
  timestamp: opt(z.string()),
  sessionId: opt(z.string()),
  cwd: opt(z.string()),
  totalCostUSD: opt(costNumber),
  hasUnknownModelCost: opt(z.boolean()),
  modelUsage: opt(z.record(z.string(), costStateModelUsageSchema)),
});

/** `agent-<id>.meta.json` beside a subagent transcript (2.1.3xx). */
export const agentMetaSchema = z.looseObject({
  agentType: opt(z.string()),
  description: opt(z.string()),
  model: opt(z.string()),
});


/** The first problem zod found, as `path: message`. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) {
    return 'invalid';
  }
  const path = issue.path.join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}

