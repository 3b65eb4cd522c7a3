/**
 * Parsed lines in a compact form for the trip from a scan worker to the main
 * thread: the calls (almost every line that matters) as two typed arrays and
 * a small string table, which cross a thread boundary as one copy (or a
 * transfer) instead of a structured clone of an object graph per call; the
 * rare other kinds (boundaries, cost-state, synthetic, malformed, and calls
 * with iterations that count) as they are.
 */
import { compareRows } from '../../core/call-order';
import { callTokens, type ParsedLine, type RawCall } from '../../core/transcript/transcript';

/** Numbers per call: offset, timestampMs, input, output, write5m, write1h, read, webSearches, flags. */
const NUMS = 9;
/** String-table indexes per call: messageId, requestId, lineSessionId, agentId, model, cwd (-1 = undefined). */
const STRS = 6;
const SIDECHAIN = 1;
const FAST = 2;
const GEO_US = 4;

/** A batch of one file's parsed lines, in offset order. Structured-clone safe. */
export interface LineBatch {
  count: number;
  nums: Float64Array;
  strs: Int32Array;
  table: string[];
  /** Lines that are not calls, with their offsets. */
  others: Array<[number, ParsedLine]>;
}

/**
 * Collects one file's parsed lines into a `LineBatch`, dropping the rows the
 * engine would drop anyway: of the rows of one call (same message id and
 * request id) in one file only the best survives (`isBetter`: main chain,
 * largest total, earliest, first), so the others (the streaming snapshots
 * Claude Code writes before the final row) need not cross to the main
 * thread. A dropped row is kept anyway when it is the first to name the
 * file's folder or session, or the latest in time, so everything the engine
 * takes from the order of lines comes out the same; a batch holding a
 * cost-state line (whose time is that of the lines before it) is not thinned.
 */
export class LineBatchBuilder {
  private nums = new Float64Array(NUMS * 256);
  private strs = new Int32Array(STRS * 256);
  private table: string[] = [];
  private index = new Map<string, number>();
  private others: Array<[number, ParsedLine]> = [];
  /** Best row so far per call key, and the rows known to be worse. */
  private best = new Map<string, number>();
  private worse = new Uint8Array(256);
  private firstCwd = -1;
  private firstSession = -1;
  private latest = -1;
  private hasCostState = false;
  private lastMessageId: string | undefined;
  private lastRequestId: string | undefined;
  private lastKey = '';
  count = 0;

  /** @param subagent the file is a subagent transcript (all its calls are side-chain). */
  constructor(private subagent = false) {}

  /**
   * Starts on another file, keeping the arrays grown so far (a scan reads
   * many files: one builder per thread). Lines left by a file whose reading
   * failed are dropped, as they were with a builder per file.
   */
  startFile(subagent: boolean): this {
    if (this.size > 0) {
      this.take();
    }
    this.subagent = subagent;
    return this;
  }

  /** `isBetter` of the engine, for two rows of this file. */
  private better(a: number, b: number): boolean {
    const nums = this.nums;
    const x = a * NUMS;
    const y = b * NUMS;
    const sa = this.subagent || ((nums[x + 8] as number) & SIDECHAIN) !== 0;
    const sb = this.subagent || ((nums[y + 8] as number) & SIDECHAIN) !== 0;
    const ta = (nums[x + 2] as number) + (nums[x + 3] as number) + (nums[x + 4] as number) + (nums[x + 5] as number) + (nums[x + 6] as number);
    const tb = (nums[y + 2] as number) + (nums[y + 3] as number) + (nums[y + 4] as number) + (nums[y + 5] as number) + (nums[y + 6] as number);
    const order = compareRows(sa, ta, nums[x + 1] as number, sb, tb, nums[y + 1] as number);
    // One file: the place is the offset.
    return order !== 0 ? order > 0 : (nums[x] as number) < (nums[y] as number);
  }

  /** Notes row `k` against the best row of its call so far. */
  private compete(k: number, c: RawCall): void {
    if (c.cwd !== undefined && this.firstCwd < 0) {
      this.firstCwd = k;
    }
    if (c.lineSessionId !== undefined && this.firstSession < 0) {
      this.firstSession = k;
    }
    if (this.latest < 0 || c.timestampMs > (this.nums[this.latest * NUMS + 1] as number)) {
      this.latest = k;
    }
    if (c.messageId === undefined) {
      return;
    }
    // The rows of one call follow each other: their key is made once.
    if (c.messageId !== this.lastMessageId || c.requestId !== this.lastRequestId) {
      this.lastMessageId = c.messageId;
      this.lastRequestId = c.requestId;
      this.lastKey = `${c.messageId}\u0000${c.requestId ?? ''}`;
    }
    const key = this.lastKey;
    const prev = this.best.get(key);
    if (prev === undefined) {
      this.best.set(key, k);
    } else if (this.better(k, prev)) {
      this.worse[prev] = 1;
      this.best.set(key, k);
    } else {
      this.worse[k] = 1;
    }
  }

  get size(): number {
    return this.count + this.others.length;
  }

  /** A string seen once (ids): added without a lookup. */
  private push(s: string | undefined): number {
    if (s === undefined) {
      return -1;
    }
    this.table.push(s);
    return this.table.length - 1;
  }

  private intern(s: string | undefined): number {
    if (s === undefined) {
      return -1;
    }
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.table.length;
      this.table.push(s);
      this.index.set(s, i);
    }
    return i;
  }

  /** Adds a line parsed at `offset` (offsets must grow). */
  add(offset: number, parsed: ParsedLine): void {
    // A call whose iterations count (rare: the advisor, several requests in one) crosses as it is, never thinned.
    if (parsed.kind !== 'call' || parsed.call.iterations !== undefined) {
      this.hasCostState ||= parsed.kind === 'cost-state';
      this.others.push([offset, parsed]);
      return;
    }
    const c = parsed.call;
    if ((this.count + 1) * NUMS > this.nums.length) {
      const nums = new Float64Array(this.nums.length * 2);
      nums.set(this.nums);
      this.nums = nums;
      const strs = new Int32Array(this.strs.length * 2);
      strs.set(this.strs);
      this.strs = strs;
      const worse = new Uint8Array(this.worse.length * 2);
      worse.set(this.worse);
      this.worse = worse;
    }
    const n = this.count * NUMS;
    const t = c.tokens;
    const nums = this.nums;
    nums[n] = offset;
    nums[n + 1] = c.timestampMs;
    nums[n + 2] = t.input;
    nums[n + 3] = t.output;
    nums[n + 4] = t.write5m;
    nums[n + 5] = t.write1h;
    nums[n + 6] = t.read;
    nums[n + 7] = t.webSearches;
    nums[n + 8] = (c.sidechain ? SIDECHAIN : 0) | (c.fast ? FAST : 0) | (c.geoUs ? GEO_US : 0);
    const s = this.count * STRS;
    const strs = this.strs;
    strs[s] = this.push(c.messageId);
    strs[s + 1] = this.push(c.requestId);
    strs[s + 2] = this.intern(c.lineSessionId);
    strs[s + 3] = this.intern(c.agentId);
    strs[s + 4] = this.intern(c.model);
    strs[s + 5] = this.intern(c.cwd);
    this.worse[this.count] = 0;
    this.compete(this.count, c);
    this.count++;
  }

  /** The batch so far (thinned, see the class comment); the builder starts afresh. */
  take(): LineBatch {
    let kept = 0;
    const nums = new Float64Array(this.count * NUMS);
    const strs = new Int32Array(this.count * STRS);
    for (let k = 0; k < this.count; k++) {
      if (this.worse[k] === 1 && !this.hasCostState && k !== this.firstCwd && k !== this.firstSession && k !== this.latest) {
        continue;
      }
      nums.set(this.nums.subarray(k * NUMS, (k + 1) * NUMS), kept * NUMS);
      strs.set(this.strs.subarray(k * STRS, (k + 1) * STRS), kept * STRS);
      kept++;
    }
    const batch: LineBatch = {
      count: kept,
      nums: kept === this.count ? nums : nums.slice(0, kept * NUMS),
      strs: kept === this.count ? strs : strs.slice(0, kept * STRS),
      table: this.table,
      others: this.others,
    };
    this.count = 0;
    this.table = [];
    this.index = new Map();
    this.others = [];
    this.best = new Map();
    this.firstCwd = this.firstSession = this.latest = -1;
    this.hasCostState = false;
    this.lastMessageId = this.lastRequestId = undefined;
    this.lastKey = '';
    return batch;
  }
}

/** Calls `fn` for every line of a batch, in offset order. */
export function forEachLine(batch: LineBatch, fn: (offset: number, parsed: ParsedLine) => void): void {
  const { nums, strs, table, others } = batch;
  const str = (i: number): string | undefined => (i < 0 ? undefined : table[i]);
  let o = 0;
  for (let k = 0; k < batch.count; k++) {
    const n = k * NUMS;
    // A small integer when it fits (files under 2 GB): kept unboxed in the engine's entries.
    const at = nums[n] as number;
    const offset = at <= 0x7fffffff ? at | 0 : at;
    while (o < others.length && (others[o] as [number, ParsedLine])[0] < offset) {
      const [off, parsed] = others[o] as [number, ParsedLine];
      fn(off, parsed);
      o++;
    }
    const s = k * STRS;
    const flags = nums[n + 8] as number;
    const call: RawCall = {
      messageId: str(strs[s] as number),
      requestId: str(strs[s + 1] as number),
      lineSessionId: str(strs[s + 2] as number),
      agentId: str(strs[s + 3] as number),
      sidechain: (flags & SIDECHAIN) !== 0,
      model: str(strs[s + 4] as number) as string,
      timestampMs: nums[n + 1] as number,
      // Counts are integers of at most MAX_TOKENS_PER_FIELD (1e8): `| 0` is
      // exact, and makes them small integers where a Float64Array read would
      // have left them doubles, each boxed in the engine's state (callTokens).
      tokens: callTokens(
        (nums[n + 2] as number) | 0,
        (nums[n + 3] as number) | 0,
        (nums[n + 4] as number) | 0,
        (nums[n + 5] as number) | 0,
        (nums[n + 6] as number) | 0,
        (nums[n + 7] as number) | 0,
      ),
      fast: (flags & FAST) !== 0,
      geoUs: (flags & GEO_US) !== 0,
      cwd: str(strs[s + 5] as number),
    };
    fn(offset, { kind: 'call', call });
  }
  for (; o < others.length; o++) {
    const [off, parsed] = others[o] as [number, ParsedLine];
    fn(off, parsed);
  }
}
