/**
 * Causes of one session (src/core/causes.ts), read on demand: the scan keeps
 * no message content, so the session's files (main file, subagent files and
 * their `.meta.json`) are read in full here, line by line in chunks, keeping
 * only what the cause rules need. Never throws on a bad line; a file that
 * cannot be read is left out (its calls fall back to `prompt`) and named in
 * `problems`.
 */
import * as path from 'node:path';
import { causeLineOf, mergeCauses, sessionCauses, summariseCauseLines, type CauseFile, type CauseLine, type CauseOptions, type CauseRow, type CauseSummary, type SessionCauses, type SummarisedCauseFile } from '../../core/causes';
import type { Engine, FileState } from '../../core/engine';
import { forEachLineOf } from './file-lines';

// Lines worth a JSON.parse: the kinds the rules read (snapshots and metadata are skipped by a byte search).
const NEEDLES = [Buffer.from('"assistant"'), Buffer.from('"user"'), Buffer.from('"compact_boundary"')];
const SNAPSHOT = Buffer.from('"file-history-snapshot"');
const TOOL_USE_ID = Buffer.from('"tool_use_id":"');
const USER = Buffer.from('"type":"user"');
const ASSISTANT = Buffer.from('"type":"assistant"');
const META = Buffer.from('"isMeta":true');
const SIDECHAIN = Buffer.from('"isSidechain":true');
const TOOL_USE_RESULT = Buffer.from('"toolUseResult":{');
const AGENT_ID = Buffer.from('"agentId":"');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The plain string value that starts at `from` (just after its opening quote), or undefined when it has an escape. */
function plainString(line: Buffer, from: number): string | undefined {
  const end = line.indexOf(QUOTE, from);
  if (end < 0) {
    return undefined;
  }
  const slash = line.indexOf(BACKSLASH, from);
  return slash >= 0 && slash < end ? undefined : line.toString('utf8', from, end);
}

/**
 * A user line carrying tool results, read from its bytes without a
 * JSON.parse (they are most of a transcript's bytes: the tools' output).
 * Inside a JSON string every quote is escaped, so `"tool_use_id":"` and the
 * other keys searched for cannot come from the results' text. Undefined when
 * the line is not one for this path (then it is parsed in full): no tool
 * result, an assistant or meta line, or an id with an escape.
 */
export function toolResultLineOf(line: Buffer): CauseLine | undefined {
  let at = line.indexOf(TOOL_USE_ID);
  if (at < 0 || line.indexOf(USER) < 0 || line.indexOf(ASSISTANT) >= 0 || line.indexOf(META) >= 0) {
    return undefined;
  }
  const ids: string[] = [];
  while (at >= 0) {
    const id = plainString(line, at + TOOL_USE_ID.length);
    if (id === undefined) {
      return undefined;
    }
    if (id.length > 0) {
      ids.push(id);
    }
    at = line.indexOf(TOOL_USE_ID, at + TOOL_USE_ID.length);
  }
  if (ids.length === 0) {
    return undefined;
  }
  const result = line.indexOf(TOOL_USE_RESULT);
  const agentAt = result >= 0 ? line.indexOf(AGENT_ID, result) : -1;
  const agentId = agentAt >= 0 ? plainString(line, agentAt + AGENT_ID.length) : undefined;
  return { kind: 'tool-result', sidechain: line.indexOf(SIDECHAIN) >= 0, toolUseIds: ids, agentId: agentId === '' ? undefined : agentId };
}

/** The cause lines of one file, in order. */
export async function causeLinesIn(filePath: string): Promise<CauseLine[]> {
  const out: CauseLine[] = [];
  const visit = (line: Buffer) => {
    if (line.length === 0 || !NEEDLES.some((n) => line.indexOf(n) >= 0) || line.subarray(0, 64).indexOf(SNAPSHOT) >= 0) {
      return;
    }
    const fast = toolResultLineOf(line);
    if (fast) {
      out.push(fast);
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(line.toString('utf8'));
    } catch {
      return;
    }
    const c = causeLineOf(value);
    if (c) {
      out.push(c);
    }
  };
  await forEachLineOf(filePath, visit);
  // A torn last line is not read (the scan does not count it either).
  return out;
}

function agentIdOf(file: FileState): string | undefined {
  const m = /agent-([0-9a-zA-Z]+)\.jsonl$/.exec(path.basename(file.path));
  return m?.[1];
}

/** The session's files read for the cause rules; unreadable ones are named in `problems`. */
export async function readCauseFiles(engine: Engine, sessionId: string): Promise<{ files: CauseFile[]; problems: string[] }> {
  const files: CauseFile[] = [];
  const problems: string[] = [];
  for (const file of engine.sessionFiles().get(sessionId) ?? []) {
    try {
      files.push({ path: file.path, subagent: file.role.subagent, agentType: file.agentMeta?.agentType, agentId: agentIdOf(file), lines: await causeLinesIn(file.path) });
    } catch (e) {
      problems.push(`${file.path}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { files, problems };
}

/** Causes and cache misses of one session, its files read now. */
export async function readSessionCauses(engine: Engine, sessionId: string, options: CauseOptions = {}): Promise<SessionCauses & { problems: string[] }> {
  const { files, problems } = await readCauseFiles(engine, sessionId);
  return { ...sessionCauses(engine.sessionEntries(sessionId), files, options), problems };
}

/** The summary of a main-chain file now (a `CauseStore` answers from its cache). */
export type SummaryOf = (filePath: string) => Promise<CauseSummary>;

const readSummary: SummaryOf = async (filePath) => summariseCauseLines(await causeLinesIn(filePath));

/** The session's files summarised for the cause rules (only main-chain files are read); unreadable ones are named in `problems`. */
export async function summariseSessionFiles(engine: Engine, sessionId: string, summaryOf: SummaryOf = readSummary): Promise<{ files: SummarisedCauseFile[]; problems: string[] }> {
  const files: SummarisedCauseFile[] = [];
  const problems: string[] = [];
  for (const file of engine.sessionFiles().get(sessionId) ?? []) {
    const base = { path: file.path, subagent: file.role.subagent, agentType: file.agentMeta?.agentType, agentId: agentIdOf(file) };
    if (file.role.subagent) {
      files.push({ ...base, summary: { assigned: [], names: [], compacts: [], agentTypeById: [], agentTypes: [] } });
      continue;
    }
    try {
      files.push({ ...base, summary: await summaryOf(file.path) });
    } catch (e) {
      problems.push(`${file.path}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { files, problems };
}

/**
 * Causes over a period: every listed session's main-chain files summarised
 * in turn (one at a time, to bound memory; `summaryOf` may answer from a
 * cache), only its calls on local days in [since, until].
 */
export async function readPeriodCauses(
  engine: Engine,
  sessionIds: readonly string[],
  range: { since?: string | undefined; until?: string | undefined },
  summaryOf: SummaryOf = readSummary,
): Promise<{ causes: CauseRow[]; cacheMissCostUSD: number; cacheMisses: number; problems: string[] }> {
  const inRange = (day: string) => (range.since === undefined || day >= range.since) && (range.until === undefined || day <= range.until);
  const per: SessionCauses[] = [];
  const problems: string[] = [];
  for (const id of sessionIds) {
    const entries = [...engine.sessionEntries(id)].filter((e) => inRange(e.day));
    if (entries.length === 0) {
      continue;
    }
    const read = await summariseSessionFiles(engine, id, summaryOf);
    problems.push(...read.problems);
    per.push(sessionCauses(entries, read.files));
  }
  const merged = mergeCauses(per);
  return { ...merged, problems };
}

/**
 * A cache in front of `readSessionCauses` for a live view: `get` answers at
 * once (the latest result, possibly one revision old, or undefined at first)
 * and, when the session changed since, starts one read and calls `onFound`
 * when it ends, so the view can refresh.
 */
export class SessionCauseLookup {
  private known = new Map<string, { revision: number; lastMissCause: string | undefined; causes: SessionCauses }>();
  private running = new Set<string>();
  private disposed = false;

  constructor(
    private readonly onFound: () => void,
    private readonly log?: (level: 'info' | 'warn' | 'error', message: string) => void,
  ) {}

  get(engine: Engine, sessionId: string, options: CauseOptions = {}): SessionCauses | undefined {
    const revision = engine.sessionRevision(sessionId);
    const cached = this.known.get(sessionId);
    const stale = cached === undefined || cached.revision !== revision || cached.lastMissCause !== options.lastMissCause;
    if (stale && !this.running.has(sessionId) && !this.disposed) {
      this.running.add(sessionId);
      readSessionCauses(engine, sessionId, options)
        .then((causes) => {
          causes.problems.forEach((p) => this.log?.('warn', `causes: could not read ${p}`));
          this.known.set(sessionId, { revision, lastMissCause: options.lastMissCause, causes });
        })
        .catch((err: unknown) => this.log?.('warn', `causes of ${sessionId}: ${err instanceof Error ? err.message : String(err)}`))
        .finally(() => {
          this.running.delete(sessionId);
          if (!this.disposed) {
            this.onFound();
          }
        });
    }
    return cached?.causes;
  }

  dispose(): void {
    this.disposed = true;
  }
}
