/**
 * The engine: a fold of parsed transcript lines into exact aggregates.
 *
 * files ─► parsed lines ─► call entries ─► global de-dup store ─► cells ─► report
 *
 * - De-duplication is global across files and roots (docs/architecture.md trap 1): the
 *   store keeps every file's best candidate per key, and each message id's
 *   winners are recomputed when a candidate arrives or leaves.
 * - A file can be withdrawn (truncated, replaced, deleted): its candidates leave
 *   and a copy elsewhere, if any, takes over (trap 2).
 * - Tokens are summed as integers per (day, session, model, side, rate card);
 *   money is a dot product taken only when a view asks (trap 4).
 *
 * Pure: no I/O, no clock. Feed it with `ingest`, read it with `report`.
 */
import type { RateCard } from './pricing/rate-card';
import type { PriceTable } from './pricing/price-table';
import { fileRoleFromPath, type FileRole } from './transcript/session-path';
import { LocalDays } from './local-day';
import { callTokens, type AgentMeta, type CallTokens, type CompactBoundary, type CostState, type ParsedLine, type RawCall } from './transcript/transcript';
import { changeCandidates, isBetter, NO_WINNERS, slotOf, winnersOf, type Group } from './dedup-groups';

/** One API call as kept by the engine. */
export interface Entry {
  readonly raw: RawCall;
  readonly file: FileState;
  /**
   * Message id group (replays of one message under another request id are
   * compared within it), or a key of the line's own when it has no message
   * id. A call is one message id and request id: within a group, its request id.
   */
  readonly group: string;
  /** Byte offset of the line in its file (a stable tie-breaker). */
  readonly offset: number;
  readonly sessionId: string;
  readonly sidechain: boolean;
  readonly card: RateCard | null;
  /**
   * The call's tokens split per request, each with its own card, when its
   * line has two or more `message` iterations that add up to the top level
   * (tier rules apply per request); undefined otherwise (the whole call on `card`).
   */
  readonly parts: readonly PricedPart[] | undefined;
  /** An `advisor_message` inference of its line (its own model, not in the top level), not a main-model call. */
  readonly advisor: boolean;
  /** Canonical model id when priced, else the raw id. */
  readonly model: string;
  readonly day: string;
  readonly total: number;
}

/** Tokens of one request of a call, and the card they are priced on. */
export interface PricedPart {
  readonly card: RateCard | null;
  readonly tokens: CallTokens;
}

/** What the engine knows of one transcript file. */
export interface FileState {
  readonly path: string;
  readonly role: FileRole;
  cwd: string | undefined;
  lineSessionId: string | undefined;
  compacts: CompactBoundary[];
  /** The file's latest `cost-state` (cumulative for the session). */
  costState: CostState | undefined;
  /** When that cost-state was written: its own time, else the latest time of the lines before it. */
  costStateAtMs: number | undefined;
  /** Byte offset of that cost-state line in this file. */
  costStateOffset: number;
  /** Latest timestamp among the file's usage and boundary lines so far. */
  lastTimestampMs: number | undefined;
  /**
   * Best candidate per call (message id and request id) within this file,
   * under its group; a second request id for one message id in one file (a
   * replay, rare) goes under the group and that request id (`slotOf`).
   */
  readonly candidates: Map<string, Entry>;
  malformedLines: number;
  syntheticLines: number;
  /** Subagent type and description from `agent-<id>.meta.json`, when present. */
  agentMeta: AgentMeta | undefined;
}

/** Integer sums of one bucket of calls. */
export interface Cell {
  readonly day: string;
  readonly sessionId: string;
  readonly model: string;
  readonly sidechain: boolean;
  /** Token sums per rate card; `null` holds unpriced tokens. */
  readonly byCard: Map<RateCard | null, CallTokens>;
  /** Main-model calls (de-duplicated API calls). */
  messages: number;
  /** Advisor inferences (`advisor_message` iterations) under this cell's model. */
  advisorCalls: number;
}

export interface EngineOptions {
  prices: PriceTable;
  /** IANA time zone for local days; undefined: the machine's (looked up when first needed). */
  timeZone?: string | undefined;
  /**
   * The machine's zone as ICU names it, when the caller knows it without
   * ICU (src/node/machine-zone.ts). With no `timeZone`, days are then read
   * from the runtime's local time (`LocalDays.ofMachineZone`).
   */
  machineZone?: string | undefined;
}

export function emptyTokens(): CallTokens {
  return { input: 0, output: 0, write5m: 0, write1h: 0, read: 0, webSearches: 0 };
}

/** Adds `b` times `sign` into `a`, in place. */
export function addTokens(a: CallTokens, b: CallTokens, sign = 1): void {
  a.input += sign * b.input;
  a.output += sign * b.output;
  a.write5m += sign * b.write5m;
  a.write1h += sign * b.write1h;
  a.read += sign * b.read;
  a.webSearches += sign * b.webSearches;
}

/** input + output + cache writes + cache reads. */
export function tokenTotal(t: CallTokens): number {
  return t.input + t.output + t.write5m + t.write1h + t.read;
}

/** input + cache writes + cache reads: the prompt size of a call. */
export function promptTokens(t: CallTokens): number {
  return t.input + t.write5m + t.write1h + t.read;
}

/**
 * The prompt a call leaves in its session's context: the last `message`
 * iteration's when the line has several (each re-read the whole context,
 * so the top level is about twice the real context), else the top level's;
 * 0 for an advisor inference (never the session's context).
 */
export function contextTokensOf(e: Pick<Entry, 'raw' | 'advisor'>): number {
  if (e.advisor) {
    return 0;
  }
  const requests = e.raw.iterations?.requests;
  const last = requests !== undefined && requests.length >= 2 ? requests[requests.length - 1] : undefined;
  return promptTokens(last ?? e.raw.tokens);
}

/** Each (card, tokens) a kept call is priced as: its parts, or its whole tokens on its card. */
export function pricedPartsOf(e: Pick<Entry, 'raw' | 'card' | 'parts'>): readonly PricedPart[] {
  return e.parts ?? [{ card: e.card, tokens: e.raw.tokens }];
}

/** The key of a call's cell (an entry's or a cell's own fields give the same key). */
function cellKey(e: Pick<Cell, 'day' | 'sessionId' | 'model' | 'sidechain'>): string {
  return `${e.day}\u0000${e.sessionId}\u0000${e.model}\u0000${e.sidechain ? 1 : 0}`;
}

/** The mutable heart of the engine; see the module comment. */
export class Engine {
  readonly days: LocalDays;
  private readonly files = new Map<string, FileState>();
  /** Per message-id group: its candidates (one best row per file and call key) and the winners among them. */
  private readonly groups = new Map<string, Group>();
  private readonly cells = new Map<string, Cell>();
  private readonly sessions = new Map<string, Set<Entry>>();
  private readonly sessionRevisions = new Map<string, number>();
  private readonly sessionRemovalCounts = new Map<string, number>();
  private revisionCounter = 0;
  /** The cell `apply` used last (cleared when that cell empties). */
  private lastCell: Cell | undefined;
  private sessionFilesCache: { revision: number; map: ReadonlyMap<string, readonly FileState[]> } | undefined;

  constructor(readonly options: EngineOptions) {
    this.days = options.timeZone === undefined && options.machineZone !== undefined ? LocalDays.ofMachineZone(options.machineZone) : new LocalDays(options.timeZone);
  }

  /** Increases on every change; views compare it to skip work. */
  get revision(): number {
    return this.revisionCounter;
  }

  /** Increases whenever anything of one session changes (its calls, boundaries, cost-state). */
  sessionRevision(sessionId: string): number {
    return this.sessionRevisions.get(sessionId) ?? 0;
  }

  private touchSession(sessionId: string | undefined): void {
    this.revisionCounter++;
    if (sessionId !== undefined) {
      this.sessionRevisions.set(sessionId, this.revisionCounter);
    }
  }

  private touchFile(file: FileState): void {
    this.touchSession(file.role.sessionId ?? file.lineSessionId);
  }

  /** Registers a file (path relative to its `projects/` folder decides its session). */
  openFile(path: string, relativePath: string): FileState {
    let file = this.files.get(path);
    if (!file) {
      file = {
        path,
        role: fileRoleFromPath(relativePath),
        cwd: undefined,
        lineSessionId: undefined,
        compacts: [],
        costState: undefined,
        costStateAtMs: undefined,
        costStateOffset: -1,
        lastTimestampMs: undefined,
        candidates: new Map(),
        malformedLines: 0,
        syntheticLines: 0,
        agentMeta: undefined,
      };
      this.files.set(path, file);
      this.sessionFilesCache = undefined;
    }
    return file;
  }

  file(path: string): FileState | undefined {
    return this.files.get(path);
  }

  allFiles(): IterableIterator<FileState> {
    return this.files.values();
  }

  /** Applies one parsed line found at `offset` in `file`. */
  ingest(file: FileState, parsed: ParsedLine, offset: number): void {
    switch (parsed.kind) {
      case 'call':
        file.cwd ??= parsed.call.cwd;
        this.adoptLineSession(file, parsed.call.lineSessionId);
        file.lastTimestampMs = Math.max(file.lastTimestampMs ?? -Infinity, parsed.call.timestampMs);
        this.addCall(file, parsed.call, offset);
        return;
      case 'compact':
        file.cwd ??= parsed.cwd;
        this.adoptLineSession(file, parsed.boundary.lineSessionId);
        file.compacts.push(parsed.boundary);
        file.lastTimestampMs = Math.max(file.lastTimestampMs ?? -Infinity, parsed.boundary.timestampMs);
        this.touchFile(file);
        return;
      case 'cost-state':
        file.cwd ??= parsed.cwd;
        this.adoptLineSession(file, parsed.state.lineSessionId);
        // Cumulative: a later line in the same file supersedes an earlier one.
        file.costState = parsed.state;
        file.costStateAtMs = parsed.state.timestampMs ?? file.lastTimestampMs;
        file.costStateOffset = offset;
        this.touchFile(file);
        return;
      case 'synthetic':
        file.cwd ??= parsed.cwd;
        this.adoptLineSession(file, parsed.lineSessionId);
        file.syntheticLines++;
        return;
      case 'other':
        file.cwd ??= parsed.cwd;
        this.adoptLineSession(file, parsed.lineSessionId);
        return;
      case 'malformed':
        file.malformedLines++;
        this.revisionCounter++;
        return;
      default: {
        const never: never = parsed;
        return never;
      }
    }
  }

  /** The session id the file's lines name, taken from the first line that names one. */
  private adoptLineSession(file: FileState, id: string | undefined): void {
    if (file.lineSessionId === undefined && id !== undefined) {
      file.lineSessionId = id;
      this.sessionFilesCache = undefined;
    }
  }

  /** Counts a line that was skipped before parsing (torn, oversized, not an object). */
  countMalformed(file: FileState, count = 1): void {
    file.malformedLines += count;
    this.revisionCounter++;
  }

  /** Withdraws everything a file contributed, keeping it registered (it will be read again). */
  resetFile(path: string): void {
    const file = this.files.get(path);
    if (!file) {
      return;
    }
    const touched = new Set<string>();
    for (const entry of file.candidates.values()) {
      const group = this.groups.get(entry.group);
      if (group) {
        const i = group.candidates.indexOf(entry);
        if (i >= 0) {
          changeCandidates(group).splice(i, 1);
        }
      }
      touched.add(entry.group);
    }
    file.candidates.clear();
    file.compacts = [];
    file.costState = undefined;
    file.costStateAtMs = undefined;
    file.costStateOffset = -1;
    file.lastTimestampMs = undefined;
    file.malformedLines = 0;
    file.syntheticLines = 0;
    file.cwd = undefined;
    file.lineSessionId = undefined;
    for (const group of touched) {
      this.refreshGroup(group);
    }
    this.touchFile(file);
  }

  /** Withdraws a file and forgets it (deleted). */
  removeFile(path: string): void {
    this.resetFile(path);
    this.files.delete(path);
    this.sessionFilesCache = undefined;
  }

  private sessionOf(file: FileState, call: RawCall): string {
    return file.role.sessionId ?? call.lineSessionId ?? file.lineSessionId ?? 'unknown-session';
  }

  /**
   * Pricing of a call: its card, and its parts when each of two or more
   * `message` iterations is a request of its own (they must add up to the
   * top level; when they do not, a snapshot written mid-stream, the top
   * level is priced as one request on the last iteration's tier).
   */
  private pricingOf(call: RawCall): { card: RateCard | null; parts: PricedPart[] | undefined } {
    const prices = this.options.prices;
    const rate = (t: CallTokens): RateCard | null =>
      prices.rateFor({ model: call.model, timestampMs: call.timestampMs, promptTokens: promptTokens(t), fast: call.fast, geoUs: call.geoUs });
    const requests = call.iterations?.requests;
    if (requests === undefined || requests.length < 2) {
      return { card: rate(call.tokens), parts: undefined };
    }
    const sum = emptyTokens();
    for (const t of requests) {
      addTokens(sum, t);
    }
    const top = call.tokens;
    const last = requests[requests.length - 1] as CallTokens;
    if (sum.input !== top.input || sum.output !== top.output || sum.write5m !== top.write5m || sum.write1h !== top.write1h || sum.read !== top.read) {
      return { card: rate(last), parts: undefined };
    }
    // Web searches are the call's (top level), priced once, with the last request.
    const parts = requests.map((t, i) => ({ card: rate(t), tokens: callTokens(t.input, t.output, t.write5m, t.write1h, t.read, i === requests.length - 1 ? top.webSearches : 0) }));
    return { card: (parts[parts.length - 1] as PricedPart).card, parts };
  }

  private addCall(file: FileState, call: RawCall, offset: number): void {
    const group = call.messageId ?? `\u0001${file.path}\u0000${offset}`;
    const iterations = call.iterations;
    if (iterations === undefined) {
      // Almost every call: the top level is the one request.
      const card = this.options.prices.rateFor({ model: call.model, timestampMs: call.timestampMs, promptTokens: promptTokens(call.tokens), fast: call.fast, geoUs: call.geoUs });
      this.addEntry(file, call, offset, group, card, undefined, false);
      return;
    }
    const { card, parts } = this.pricingOf(call);
    this.addEntry(file, call, offset, group, card, parts, false);
    const prices = this.options.prices;
    for (const a of iterations.advisors) {
      // Its own inference: the parent call's key and its place in the iterations identify it, so a line written again counts it once.
      const raw: RawCall = {
        messageId: call.messageId,
        requestId: call.requestId,
        lineSessionId: call.lineSessionId,
        agentId: call.agentId,
        sidechain: call.sidechain,
        model: a.model,
        timestampMs: call.timestampMs,
        tokens: a.tokens,
        fast: a.fast,
        geoUs: a.geoUs,
        cwd: call.cwd,
      };
      const advisorCard = prices.rateFor({ model: a.model, timestampMs: call.timestampMs, promptTokens: promptTokens(a.tokens), fast: a.fast, geoUs: a.geoUs });
      this.addEntry(file, raw, offset, `${group}\u0002${a.index}`, advisorCard, undefined, true);
    }
  }

  private addEntry(file: FileState, call: RawCall, offset: number, group: string, card: RateCard | null, parts: PricedPart[] | undefined, advisor: boolean): void {
    const prices = this.options.prices;
    const [slot, existing] = slotOf(file, group, call.requestId);
    const entry: Entry = {
      raw: call,
      file,
      group,
      offset,
      sessionId: this.sessionOf(file, call),
      sidechain: call.sidechain || file.role.subagent,
      card,
      parts,
      advisor,
      model: card ? card.model : (prices.canonicalModel(call.model) ?? call.model),
      day: this.days.dayOf(call.timestampMs),
      total: tokenTotal(call.tokens),
    };
    if (existing) {
      if (!isBetter(entry, existing)) {
        return;
      }
      const old = this.groups.get(existing.group);
      if (old) {
        const i = old.candidates.indexOf(existing);
        if (i >= 0) {
          changeCandidates(old).splice(i, 1);
        }
      }
    }
    file.candidates.set(slot, entry);
    let rows = this.groups.get(group);
    if (!rows) {
      // Made with its one candidate: an empty array would grow room for 16 more on its first push, kept for the whole session.
      rows = { candidates: [entry], winners: NO_WINNERS };
      this.groups.set(group, rows);
    } else {
      changeCandidates(rows).push(entry);
    }
    this.refreshGroup(group, rows);
  }

  private refreshGroup(id: string, known?: Group): void {
    const group = known ?? this.groups.get(id);
    if (!group) {
      this.revisionCounter++;
      return;
    }
    const candidates = group.candidates;
    const before = group.winners;
    if (candidates.length === 1 && before.length === 0) {
      // The common case (a call seen once so far): no comparison to make.
      this.apply(candidates[0] as Entry, 1);
      group.winners = candidates;
      this.revisionCounter++;
      return;
    }
    const after = candidates.length === 0 ? NO_WINNERS : candidates.length === 1 ? candidates : winnersOf(candidates);
    for (const w of before) {
      if (!after.includes(w)) {
        this.apply(w, -1);
      }
    }
    for (const w of after) {
      if (!before.includes(w)) {
        this.apply(w, 1);
      }
    }
    if (after.length === 0) {
      this.groups.delete(id);
    } else {
      group.winners = after;
    }
    this.revisionCounter++;
  }

  private newCell(key: string, entry: Entry): Cell {
    const cell: Cell = { day: entry.day, sessionId: entry.sessionId, model: entry.model, sidechain: entry.sidechain, byCard: new Map(), messages: 0, advisorCalls: 0 };
    this.cells.set(key, cell);
    return cell;
  }

  private apply(entry: Entry, sign: 1 | -1): void {
    // Calls come in runs of one session, day and model: the last cell is usually the one.
    const last = this.lastCell;
    let cell: Cell | undefined;
    if (last !== undefined && last.day === entry.day && last.sessionId === entry.sessionId && last.model === entry.model && last.sidechain === entry.sidechain) {
      cell = last;
    } else {
      const k = cellKey(entry);
      cell = this.cells.get(k) ?? this.newCell(k, entry);
    }

    if (entry.parts === undefined) {
      this.addToCard(cell, entry.card, entry.raw.tokens, sign);
    } else {
      for (const part of entry.parts) {
        this.addToCard(cell, part.card, part.tokens, sign);
      }
    }
    if (entry.advisor) {
      cell.advisorCalls += sign;
    } else {
      cell.messages += sign;
    }
    if (cell.messages === 0 && cell.advisorCalls === 0) {
      this.cells.delete(cellKey(cell));
      this.lastCell = undefined;
    } else {
      this.lastCell = cell;
    }
    this.touchSession(entry.sessionId);
    let set = this.sessions.get(entry.sessionId);
    if (!set) {
      set = new Set();
      this.sessions.set(entry.sessionId, set);
    }
    if (sign > 0) {
      set.add(entry);
    } else {
      set.delete(entry);
      this.sessionRemovalCounts.set(entry.sessionId, (this.sessionRemovalCounts.get(entry.sessionId) ?? 0) + 1);
      if (set.size === 0) {
        this.sessions.delete(entry.sessionId);
      }
    }
  }

  private addToCard(cell: Cell, card: RateCard | null, tokens: CallTokens, sign: 1 | -1): void {
    let sums = cell.byCard.get(card);
    if (!sums) {
      sums = emptyTokens();
      cell.byCard.set(card, sums);
    }
    addTokens(sums, tokens, sign);
  }

  /** All cells (integer sums per day, session, model and side). */
  allCells(): IterableIterator<Cell> {
    return this.cells.values();
  }

  /**
   * How many kept calls a session has lost (to a better duplicate, a file read
   * again or deleted). While it is unchanged the session's calls only grew:
   * `sessionEntries` then lists the new ones after the old ones.
   */
  sessionRemovals(sessionId: string): number {
    return this.sessionRemovalCounts.get(sessionId) ?? 0;
  }

  /** Kept (de-duplicated) calls of a session, unordered (but a new call comes after those already kept). */
  sessionEntries(sessionId: string): ReadonlySet<Entry> {
    return this.sessions.get(sessionId) ?? new Set();
  }

  sessionIds(): IterableIterator<string> {
    return this.sessions.keys();
  }

  /**
   * Files that belong to a session (main and subagent files). Kept while
   * nothing changes: one snapshot asks for it several times (report,
   * history, forecast), and building it walks every file.
   */
  sessionFiles(): ReadonlyMap<string, readonly FileState[]> {
    const cached = this.sessionFilesCache;
    if (cached !== undefined && cached.revision === this.revisionCounter) {
      return cached.map;
    }
    const out = new Map<string, FileState[]>();
    for (const file of this.files.values()) {
      const id = file.role.sessionId ?? file.lineSessionId;
      if (id === undefined) {
        continue;
      }
      let list = out.get(id);
      if (!list) {
        list = [];
        out.set(id, list);
      }
      list.push(file);
    }
    this.sessionFilesCache = { revision: this.revisionCounter, map: out };
    return out;
  }
}
