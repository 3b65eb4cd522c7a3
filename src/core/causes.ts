/**
 * Where the money goes: each kept call of a session gets one cause, and the
 * causes add up to the session's itemised cost exactly (integer token sums
 * per rate card, multiplied once). Also: the calls that re-wrote a cold
 * prompt cache, why, and what that cost against a warm read.
 *
 * The first rule that applies decides a call's cause (docs/how-costs-are-computed.md):
 * 1. a side-chain call: `subagent:<type>` (type from the agent's `.meta.json`,
 *    else from the Agent tool's `subagent_type`);
 * 2. a call whose new input is a tool result: the tool the previous
 *    main-chain call asked for (`mcp__<server>__<tool>` -> `mcp:<server>`,
 *    Skill -> `skill:<name>`, the Agent tool's own result -> `Agent`);
 * 3. otherwise `prompt`.
 *
 * The fast scan keeps no message content, so the lines come from a full read
 * of the session's files on demand (src/node/live/session-causes.ts). Pure.
 */
import { costOn, type RateCard } from './pricing/rate-card';
import { addTokens, contextTokensOf, emptyTokens, pricedPartsOf, type Entry } from './engine';
import type { CallTokens } from './transcript/transcript';

export type CauseKind = 'prompt' | 'tool' | 'mcp' | 'skill' | 'agent' | 'subagent';

/** Claude Code's own attribution fields on an assistant line (2.1.x). */
export interface ClaudeAttribution {
  skill: string | undefined;
  agent: string | undefined;
  plugin: string | undefined;
  mcpServer: string | undefined;
}

export interface CauseToolUse {
  id: string;
  name: string;
  /** The Agent (Task) tool's `input.subagent_type`. */
  subagentType: string | undefined;
  /** The Skill tool's `input.skill` (or `input.name`). */
  skill: string | undefined;
}

/** What the cause rules need of one transcript line. */
export type CauseLine =
  | { kind: 'assistant'; messageId: string; sidechain: boolean; agentId: string | undefined; toolUses: CauseToolUse[]; attribution: ClaudeAttribution }
  | { kind: 'tool-result'; sidechain: boolean; toolUseIds: string[]; agentId: string | undefined }
  | { kind: 'prompt'; sidechain: boolean }
  | { kind: 'compact'; timestampMs: number };

/** One transcript file of a session, its lines in order. */
export interface CauseFile {
  path: string;
  subagent: boolean;
  /** `agentType` from the agent's `.meta.json`, when present. */
  agentType: string | undefined;
  /** The agent id (from the lines or the file name), to link it to the Agent call that started it. */
  agentId: string | undefined;
  lines: readonly CauseLine[];
}

export interface CauseRow {
  cause: string;
  kind: CauseKind;
  /** Kept calls (advisor inferences included) with this cause. */
  calls: number;
  /** Exact dollars of those calls (priced ones; see `unpricedCalls`). */
  costUSD: number;
  unpricedCalls: number;
  /** Tokens the cause's results added to the main context (next call's prompt minus the previous one's, floor 0). */
  tokensAdded: number;
  /** Estimate: those tokens re-read as cache reads on every later main-chain call until the next compaction. */
  rereadCostUSD: number;
}

/** A cause's calls and exact dollars on one local day (for the panel's today and 30 days). */
export interface CauseDayRow {
  day: string;
  cause: string;
  kind: CauseKind;
  calls: number;
  costUSD: number;
}

export type CacheMissReason = 'idle' | 'model-switch' | 'compaction' | 'prompt-change';

export interface CacheMiss {
  timestamp: string;
  /** The call's local day. */
  day: string;
  messageId: string | null;
  model: string;
  reason: CacheMissReason;
  /** Minutes since the previous main-chain call. */
  idleMinutes: number;
  /** Where the reason comes from: this rule, or Claude Code's status line (`prompt_cache.last_miss_cause`). */
  reasonSource: 'transcript' | 'claude-code';
  /** Claude Code's own wording, when it gave one. */
  claudeCodeCause: string | null;
  /** Tokens written again that a warm cache would have read. */
  rewrittenTokens: number;
  /** What re-writing them cost beyond reading them warm (write rate minus read rate); null when unpriced. */
  extraCostUSD: number | null;
}

export interface SessionCauses {
  causes: CauseRow[];
  /** The same calls by local day and cause (each row exact to its day). */
  byDay: CauseDayRow[];
  cacheMisses: CacheMiss[];
  /** Sum of the misses' extra cost. */
  cacheMissCostUSD: number;
  /** Sum of the causes' dollars: the session's itemised cost. */
  itemisedCostUSD: number;
  cacheTtlMs: number;
}

export interface CauseOptions {
  /**
   * Claude Code's cause of the latest miss (`prompt_cache.last_miss_cause`
   * from the status-line snapshot), when known: it replaces the rule's reason
   * on the session's latest miss.
   */
  lastMissCause?: string | undefined;
  /** A write at least this large (tokens) can be a miss. */
  minMissTokens?: number;
}

const FIVE_MINUTES_MS = 5 * 60 * 1000;
const ONE_HOUR_MS = 60 * 60 * 1000;

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/**
 * The cause-relevant part of one parsed transcript line, or undefined when it
 * has none (metadata, snapshots, caveats). Never throws.
 */
export function causeLineOf(value: unknown): CauseLine | undefined {
  const line = obj(value);
  if (!line) {
    return undefined;
  }
  const sidechain = line.isSidechain === true;
  if (line.type === 'system' && line.subtype === 'compact_boundary') {
    const t = Date.parse(str(line.timestamp) ?? '');
    return { kind: 'compact', timestampMs: Number.isFinite(t) ? t : 0 };
  }
  const message = obj(line.message);
  if (line.type === 'assistant' && message) {
    const messageId = str(message.id);
    if (messageId === undefined) {
      return undefined;
    }
    const toolUses: CauseToolUse[] = [];
    for (const block of Array.isArray(message.content) ? message.content : []) {
      const b = obj(block);
      const id = str(b?.id);
      const name = str(b?.name);
      if (b?.type === 'tool_use' && id !== undefined && name !== undefined) {
        const input = obj(b.input);
        toolUses.push({ id, name, subagentType: str(input?.subagent_type), skill: str(input?.skill) ?? str(input?.name) });
      }
    }
    return {
      kind: 'assistant',
      messageId,
      sidechain,
      agentId: str(line.agentId),
      toolUses,
      attribution: {
        skill: str(line.attributionSkill),
        agent: str(line.attributionAgent),
        plugin: str(line.attributionPlugin),
        mcpServer: str(line.attributionMcpServer),
      },
    };
  }
  if (line.type === 'user' && message && line.isMeta !== true) {
    const content = message.content;
    const ids: string[] = [];
    if (Array.isArray(content)) {
      for (const block of content) {
        const b = obj(block);
        const id = str(b?.tool_use_id);
        if (b?.type === 'tool_result' && id !== undefined) {
          ids.push(id);
        }
      }
    }
    if (ids.length > 0) {
      return { kind: 'tool-result', sidechain, toolUseIds: ids, agentId: str(obj(line.toolUseResult)?.agentId) };
    }
    return typeof content === 'string' || Array.isArray(content) ? { kind: 'prompt', sidechain } : undefined;
  }
  return undefined;
}

/** The cause a tool's result is charged to. */
export function causeOfTool(use: Pick<CauseToolUse, 'name' | 'skill'>): { cause: string; kind: CauseKind } {
  const mcp = /^mcp__(.+?)__/.exec(use.name);
  if (mcp?.[1] !== undefined) {
    return { cause: `mcp:${mcp[1]}`, kind: 'mcp' };
  }
  if (use.name === 'Skill') {
    return { cause: `skill:${use.skill ?? 'unknown'}`, kind: 'skill' };
  }
  if (use.name === 'Agent' || use.name === 'Task') {
    return { cause: 'Agent', kind: 'agent' };
  }
  return { cause: use.name, kind: 'tool' };
}

interface Assigned {
  cause: string;
  kind: CauseKind;
}

/**
 * What the cause rules keep of one main-chain file, small enough to store
 * per file revision (the CLI's cause cache) so an unchanged file is not read
 * again. Subagent files need none: their calls' cause comes from their type.
 */
export interface CauseSummary {
  /** The cause of each assistant message id of the file (first seen wins), as an index into `names`. */
  assigned: Array<[messageId: string, name: number]>;
  names: Array<[cause: string, kind: CauseKind]>;
  /** Compaction times (epoch ms). */
  compacts: number[];
  /** An agent's type as its Agent call gave it, by agent id (from the result's `toolUseResult.agentId`). */
  agentTypeById: Array<[agentId: string, type: string]>;
  /** Every `subagent_type` the file's Agent calls asked for. */
  agentTypes: string[];
}

/** A session file for the rules: its lines, or the summary of them. */
export type SummarisedCauseFile = Omit<CauseFile, 'lines'> & { summary: CauseSummary };

const EMPTY_SUMMARY: CauseSummary = { assigned: [], names: [], compacts: [], agentTypeById: [], agentTypes: [] };

/** The summary of one main-chain file's lines (rules 2 and 3; an inline side chain is `subagent:unknown`). */
export function summariseCauseLines(lines: readonly CauseLine[]): CauseSummary {
  const out: CauseSummary = { assigned: [], names: [], compacts: [], agentTypeById: [], agentTypes: [] };
  const nameIndex = new Map<string, number>();
  const indexOf = (a: Assigned): number => {
    let i = nameIndex.get(a.cause);
    if (i === undefined) {
      i = out.names.length;
      out.names.push([a.cause, a.kind]);
      nameIndex.set(a.cause, i);
    }
    return i;
  };
  const seen = new Set<string>();
  const tools = new Map<string, CauseToolUse>();
  const agentTypes = new Set<string>();
  let pending: Assigned = { cause: 'prompt', kind: 'prompt' };
  for (const line of lines) {
    if (line.kind === 'assistant') {
      line.toolUses.forEach((u) => tools.set(u.id, u));
      line.toolUses.forEach((u) => u.subagentType !== undefined && agentTypes.add(u.subagentType));
      if (!seen.has(line.messageId)) {
        seen.add(line.messageId);
        // An inline side chain (old CLIs): its agent's type is not known here.
        out.assigned.push([line.messageId, indexOf(line.sidechain ? { cause: 'subagent:unknown', kind: 'subagent' } : pending)]);
      }
    } else if (line.kind === 'tool-result' && !line.sidechain) {
      const first = line.toolUseIds.map((id) => tools.get(id)).find((u) => u !== undefined);
      pending = first ? causeOfTool(first) : { cause: 'unknown tool', kind: 'tool' };
      if (first?.subagentType !== undefined && line.agentId !== undefined) {
        out.agentTypeById.push([line.agentId, first.subagentType]);
      }
    } else if (line.kind === 'prompt' && !line.sidechain) {
      pending = { cause: 'prompt', kind: 'prompt' };
    } else if (line.kind === 'compact') {
      out.compacts.push(line.timestampMs);
    }
  }
  out.agentTypes = [...agentTypes];
  return out;
}

/** Files with their lines summarised (subagent files need no summary). */
export function summariseCauseFiles(files: readonly (CauseFile | SummarisedCauseFile)[]): SummarisedCauseFile[] {
  return files.map((f) => ('summary' in f ? f : { path: f.path, subagent: f.subagent, agentType: f.agentType, agentId: f.agentId, summary: f.subagent ? EMPTY_SUMMARY : summariseCauseLines(f.lines) }));
}

/** The session's assignment: main-chain calls by `path\0messageId`, subagent files' type by path. */
interface Assignment {
  /** Per file path, the cause of each message id. */
  byFile: Map<string, Map<string, Assigned>>;
  subagentTypeByPath: Map<string, string>;
  compacts: number[];
}

function assignmentOf(files: readonly SummarisedCauseFile[]): Assignment {
  const byFile = new Map<string, Map<string, Assigned>>();
  const agentTypeById = new Map<string, string>();
  const agentTypes = new Set<string>();
  const compacts: number[] = [];
  for (const file of files.filter((f) => !f.subagent)) {
    const s = file.summary;
    const names = s.names.map(([cause, kind]): Assigned => ({ cause, kind }));
    const mine = byFile.get(file.path) ?? new Map<string, Assigned>();
    byFile.set(file.path, mine);
    for (const [messageId, name] of s.assigned) {
      const n = names[name];
      if (n && !mine.has(messageId)) {
        mine.set(messageId, n);
      }
    }
    s.agentTypeById.forEach(([id, type]) => agentTypeById.set(id, type));
    s.agentTypes.forEach((t) => agentTypes.add(t));
    compacts.push(...s.compacts);
  }
  const onlyType = agentTypes.size === 1 ? [...agentTypes][0] : undefined;
  const subagentTypeByPath = new Map<string, string>();
  for (const file of files.filter((f) => f.subagent)) {
    subagentTypeByPath.set(file.path, file.agentType ?? (file.agentId !== undefined ? agentTypeById.get(file.agentId) : undefined) ?? onlyType ?? 'unknown');
  }
  return { byFile, subagentTypeByPath, compacts };
}

/** The cause of each message id per file (`path\0messageId`), by the rules above. */
export function assignCauses(files: readonly CauseFile[]): Map<string, Assigned> {
  const { byFile, subagentTypeByPath } = assignmentOf(summariseCauseFiles(files));
  const byMessage = new Map<string, Assigned>();
  for (const [filePath, ids] of byFile) {
    ids.forEach((a, messageId) => byMessage.set(`${filePath}\u0000${messageId}`, a));
  }
  for (const file of files.filter((f) => f.subagent)) {
    const type = subagentTypeByPath.get(file.path) ?? 'unknown';
    for (const line of file.lines) {
      if (line.kind === 'assistant') {
        byMessage.set(`${file.path}\u0000${line.messageId}`, { cause: `subagent:${type}`, kind: 'subagent' });
      }
    }
  }
  return byMessage;
}

function byTime(a: Entry, b: Entry): number {
  return a.raw.timestampMs - b.raw.timestampMs || (a.file.path < b.file.path ? -1 : a.file.path > b.file.path ? 1 : a.offset - b.offset);
}

function writesOf(t: CallTokens): number {
  return t.write5m + t.write1h;
}

/** The session's cache lifetime from its own writes: 1 hour when its latest main-chain write used it, else 5 minutes. */
function ttlOf(main: readonly Entry[]): number {
  const last = [...main].reverse().find((e) => writesOf(e.raw.tokens) > 0);
  return last && last.raw.tokens.write1h > 0 ? ONE_HOUR_MS : FIVE_MINUTES_MS;
}

function lastCard(e: Entry): RateCard | null {
  const parts = pricedPartsOf(e);
  return parts[parts.length - 1]?.card ?? null;
}

/** A kept call's cause: from its file's lines, else a side chain's agent type, else `prompt`. */
function causeOfEntry(e: Entry, assigned: Assignment): Assigned {
  const fromLines = e.raw.messageId !== undefined ? assigned.byFile.get(e.file.path)?.get(e.raw.messageId) : undefined;
  if (!e.sidechain) {
    return fromLines ?? { cause: 'prompt', kind: 'prompt' };
  }
  const type = e.file.agentMeta?.agentType ?? assigned.subagentTypeByPath.get(e.file.path);
  return type === undefined && fromLines?.kind === 'subagent' ? fromLines : { cause: `subagent:${type ?? 'unknown'}`, kind: 'subagent' };
}

/** A cause's row, and its token sums per rate card (priced once, at the end). */
type RowSums = Map<string, { row: CauseRow; byCard: Map<RateCard, CallTokens> }>;

function rowOf(rows: RowSums, a: Assigned): { row: CauseRow; byCard: Map<RateCard, CallTokens> } {
  let r = rows.get(a.cause);
  if (!r) {
    r = { row: { cause: a.cause, kind: a.kind, calls: 0, costUSD: 0, unpricedCalls: 0, tokensAdded: 0, rereadCostUSD: 0 }, byCard: new Map() };
    rows.set(a.cause, r);
  }
  return r;
}

/** Each call's cause, and per cause its calls and cost (token sums per card, multiplied once). */
function causeRows(all: readonly Entry[], assigned: Assignment): { rows: RowSums; causeOf: Map<Entry, Assigned>; byDay: CauseDayRow[] } {
  const rows: RowSums = new Map();
  const days = new Map<string, { row: CauseDayRow; byCard: Map<RateCard, CallTokens> }>();
  const causeOf = new Map<Entry, Assigned>();
  const add = (byCard: Map<RateCard, CallTokens>, card: RateCard, tokens: CallTokens) => {
    const sum = byCard.get(card) ?? emptyTokens();
    addTokens(sum, tokens);
    byCard.set(card, sum);
  };
  for (const e of all) {
    const a = causeOfEntry(e, assigned);
    causeOf.set(e, a);
    const r = rowOf(rows, a);
    const dayKey = `${e.day}\u0000${a.cause}`;
    const d = days.get(dayKey) ?? { row: { day: e.day, cause: a.cause, kind: a.kind, calls: 0, costUSD: 0 }, byCard: new Map<RateCard, CallTokens>() };
    days.set(dayKey, d);
    r.row.calls += 1;
    d.row.calls += 1;
    let unpriced = false;
    for (const part of pricedPartsOf(e)) {
      if (part.card !== null) {
        add(r.byCard, part.card, part.tokens);
        add(d.byCard, part.card, part.tokens);
      } else {
        unpriced = true;
      }
    }
    if (unpriced) {
      r.row.unpricedCalls += 1;
    }
  }
  const costOf = (byCard: Map<RateCard, CallTokens>): number => {
    let cost = 0;
    for (const [card, t] of byCard) {
      cost += costOn(card, t);
    }
    return cost;
  };
  for (const r of rows.values()) {
    r.row.costUSD = costOf(r.byCard);
  }
  for (const d of days.values()) {
    d.row.costUSD = costOf(d.byCard);
  }
  return { rows, causeOf, byDay: [...days.values()].map((d) => d.row) };
}

/** Adds to each cause's row the context its calls added and what the later calls paid to re-read it. */
function addContextGrowth(main: readonly Entry[], compactBetween: (a: Entry, b: Entry) => boolean, causeOf: ReadonlyMap<Entry, Assigned>, rows: RowSums): void {
  const readRate = main.map((e) => (lastCard(e)?.read ?? 0) / 1_000_000);
  // laterReads[i]: sum of read rates of the calls after i in its segment.
  const laterReads = new Array<number>(main.length).fill(0);
  for (let i = main.length - 2; i >= 0; i--) {
    const a = main[i] as Entry;
    const b = main[i + 1] as Entry;
    laterReads[i] = compactBetween(a, b) ? 0 : (readRate[i + 1] ?? 0) + (laterReads[i + 1] ?? 0);
  }
  for (let i = 1; i < main.length; i++) {
    const prev = main[i - 1] as Entry;
    const cur = main[i] as Entry;
    if (compactBetween(prev, cur)) {
      continue;
    }
    const added = Math.max(0, contextTokensOf(cur) - contextTokensOf(prev));
    const a = causeOf.get(cur);
    if (a && added > 0) {
      const r = rowOf(rows, a).row;
      r.tokensAdded += added;
      r.rereadCostUSD += added * (laterReads[i] ?? 0);
    }
  }
}

/** Cache misses: a large write re-writing what the previous main-chain call had cached. */
function cacheMissesOf(main: readonly Entry[], compactBetween: (a: Entry, b: Entry) => boolean, ttl: number, options: CauseOptions): CacheMiss[] {
  const minMiss = options.minMissTokens ?? 1024;
  const cacheMisses: CacheMiss[] = [];
  for (let i = 1; i < main.length; i++) {
    const prev = main[i - 1] as Entry;
    const cur = main[i] as Entry;
    const t = cur.raw.tokens;
    const prevContext = contextTokensOf(prev);
    const rewritten = Math.min(writesOf(t), prevContext);
    if (writesOf(t) < minMiss || rewritten * 2 < prevContext) {
      continue;
    }
    const gap = cur.raw.timestampMs - prev.raw.timestampMs;
    const reason: CacheMissReason = compactBetween(prev, cur) ? 'compaction' : cur.model !== prev.model ? 'model-switch' : gap > ttl ? 'idle' : 'prompt-change';
    const card = lastCard(cur);
    // The re-written tokens at the call's own write mix (1h part first when both).
    const oneHour = Math.min(t.write1h, rewritten);
    const fiveMin = rewritten - oneHour;
    const extra = card ? (oneHour * (card.write1h - card.read) + fiveMin * (card.write5m - card.read)) / 1_000_000 : null;
    cacheMisses.push({
      timestamp: new Date(cur.raw.timestampMs).toISOString(),
      day: cur.day,
      messageId: cur.raw.messageId ?? null,
      model: cur.model,
      reason,
      idleMinutes: Math.round(gap / 60_000),
      reasonSource: 'transcript',
      claudeCodeCause: null,
      rewrittenTokens: rewritten,
      extraCostUSD: extra,
    });
  }
  const latest = cacheMisses[cacheMisses.length - 1];
  if (latest && options.lastMissCause !== undefined && options.lastMissCause.length > 0) {
    latest.reasonSource = 'claude-code';
    latest.claudeCodeCause = options.lastMissCause;
  }
  return cacheMisses;
}

/**
 * Cause rows and cache misses of one session. `entries` are the engine's
 * kept calls of the session; `files` its lines (main file and subagents).
 */
export function sessionCauses(entries: Iterable<Entry>, files: readonly (CauseFile | SummarisedCauseFile)[], options: CauseOptions = {}): SessionCauses {
  const assigned = assignmentOf(summariseCauseFiles(files));
  const all = [...entries].sort(byTime);
  const { rows, causeOf, byDay } = causeRows(all, assigned);

  // Context growth and its re-reads, main chain only, segment by segment between compactions.
  const main = all.filter((e) => !e.sidechain && !e.advisor && contextTokensOf(e) > 0);
  const compacts = assigned.compacts;
  const compactBetween = (a: Entry, b: Entry) => compacts.some((t) => t > a.raw.timestampMs && t <= b.raw.timestampMs);
  addContextGrowth(main, compactBetween, causeOf, rows);

  const ttl = ttlOf(main);
  const cacheMisses = cacheMissesOf(main, compactBetween, ttl, options);
  const causes = [...rows.values()].map((r) => r.row).sort((a, b) => b.costUSD - a.costUSD || a.cause.localeCompare(b.cause));
  return {
    causes,
    byDay,
    cacheMisses,
    cacheMissCostUSD: cacheMisses.reduce((s, m) => s + (m.extraCostUSD ?? 0), 0),
    itemisedCostUSD: causes.reduce((s, c) => s + c.costUSD, 0),
    cacheTtlMs: ttl,
  };
}

/** Token sums per rate card of each cause (for exactness checks: they add up to the session's cells). */
export function causeTokensByCard(entries: Iterable<Entry>, files: readonly (CauseFile | SummarisedCauseFile)[]): Map<string, Map<RateCard | null, CallTokens>> {
  const assigned = assignmentOf(summariseCauseFiles(files));
  const out = new Map<string, Map<RateCard | null, CallTokens>>();
  for (const e of entries) {
    const cause = causeOfEntry(e, assigned).cause;
    const byCard = out.get(cause) ?? new Map<RateCard | null, CallTokens>();
    for (const part of pricedPartsOf(e)) {
      const sum = byCard.get(part.card) ?? emptyTokens();
      addTokens(sum, part.tokens);
      byCard.set(part.card, sum);
    }
    out.set(cause, byCard);
  }
  return out;
}

/**
 * Causes of several sessions added up (by cause name), and their cache
 * misses' extra cost. Dollars add per session, each exact to its session.
 */
export function mergeCauses(sessions: readonly SessionCauses[]): { causes: CauseRow[]; cacheMissCostUSD: number; cacheMisses: number } {
  const rows = new Map<string, CauseRow>();
  for (const s of sessions) {
    for (const c of s.causes) {
      const r = rows.get(c.cause);
      if (r) {
        r.calls += c.calls;
        r.costUSD += c.costUSD;
        r.unpricedCalls += c.unpricedCalls;
        r.tokensAdded += c.tokensAdded;
        r.rereadCostUSD += c.rereadCostUSD;
      } else {
        rows.set(c.cause, { ...c });
      }
    }
  }
  return {
    causes: [...rows.values()].sort((a, b) => b.costUSD - a.costUSD || a.cause.localeCompare(b.cause)),
    cacheMissCostUSD: sessions.reduce((t, s) => t + s.cacheMissCostUSD, 0),
    cacheMisses: sessions.reduce((t, s) => t + s.cacheMisses.length, 0),
  };
}
