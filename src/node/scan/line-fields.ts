/**
 * The fields the cold scan's WebAssembly kernel (line-kernel.ts) reads from a
 * usage line, and the line they make: exactly what `parseLine` answers for
 * it, or undefined (then the caller takes `parseLine`).
 */
import { cacheWrites, callTokens, type ParsedLine } from '../../core/transcript/transcript';

/** `LineFields.timestamp` when the kernel read the timestamp to epoch ms itself (`timestampMs`). */
export const TIMESTAMP_READ = '';

/** Decodes `b[s, e)` as UTF-8 (Buffer#toString or TextDecoder). */
export type Utf8Decoder = (b: Uint8Array, s: number, e: number) => string;

type Str = string | null | undefined;
type Num = number | null | undefined;

/**
 * The fields read from one usage line (by the cold scan's WebAssembly kernel); undefined = key absent, null = JSON null.
 */
export class LineFields {
  /** The strings, as the answer slots hold them (line-slots.ts). */
  type: Str; subtype: Str; timestamp: Str; sessionId: Str; cwd: Str; requestId: Str; agentId: Str;
  messageId: Str; model: Str; speed: Str; geo: Str;
  /** The timestamp read from its bytes, or NaN (then `timestamp` holds the string, if any). */
  timestampMs = NaN;
  isSidechain: boolean | null | undefined;
  isApiErrorMessage: boolean | null | undefined;
  /** True once `message`, `message.usage`, `usage.cache_creation`, `usage.server_tool_use` was an object (false: absent or null). */
  message = false; usage = false; cacheCreation = false; serverToolUse = false;
  /** The token counts: input, output, cache writes (flat), cache reads, 5-minute and 1-hour writes, web searches. */
  input: Num; output: Num; write: Num; read: Num; w5: Num; w1: Num; web: Num;
}

const u = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);

/** The line the fields of a fully read usage line make, or undefined when they do not make a well-typed assistant line with usage. */
export function lineFromFields(f: LineFields): ParsedLine | undefined {
  // Only a well-typed assistant line with usage is answered here.
  if (f.type !== 'assistant' || !f.message || !f.usage || typeof f.timestamp !== 'string') {
    return undefined;
  }
  if (typeof f.input !== 'number' || typeof f.output !== 'number') {
    return undefined;
  }
  const model = u(f.model);
  if (f.isApiErrorMessage === true || model === '<synthetic>') {
    return { kind: 'synthetic', cwd: u(f.cwd), lineSessionId: u(f.sessionId) };
  }
  if (model === undefined || model === '') {
    return undefined;
  }
  const timestampMs = Number.isNaN(f.timestampMs) ? Date.parse(f.timestamp) : f.timestampMs;
  if (Number.isNaN(timestampMs)) {
    return undefined;
  }
  const { write5m, write1h } = f.cacheCreation ? cacheWrites(u(f.write), u(f.w5), u(f.w1)) : cacheWrites(u(f.write), undefined, undefined);
  return {
    kind: 'call',
    call: {
      messageId: u(f.messageId) || undefined,
      requestId: u(f.requestId) || undefined,
      lineSessionId: u(f.sessionId) || undefined,
      agentId: u(f.agentId) || undefined,
      sidechain: f.isSidechain === true,
      model,
      timestampMs,
      tokens: callTokens(f.input, f.output, write5m, write1h, u(f.read) ?? 0, (f.serverToolUse ? u(f.web) : undefined) ?? 0),
      fast: u(f.speed) === 'fast',
      geoUs: u(f.geo) === 'us',
      cwd: u(f.cwd) || undefined,
    },
  };
}
