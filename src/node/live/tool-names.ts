/**
 * Which tools a call ran (its `tool_use` blocks), looked up on demand in its
 * transcript: the scan drops `content` for speed, and only a few calls (the
 * ones before a spike) ever need it. Reads asynchronously in chunks, so a
 * large file never blocks; results are cached per file size and mtime.
 */
import { forEachLineOf } from './file-lines';

const TOOL_USE = Buffer.from('"tool_use"');

function namesOf(line: string, wanted: ReadonlySet<string>): { id: string; names: string[] } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  const message = (value as { message?: { id?: unknown; content?: unknown } } | null)?.message;
  if (!message || typeof message.id !== 'string' || !wanted.has(message.id) || !Array.isArray(message.content)) {
    return undefined;
  }
  const names = message.content
    .filter((b): b is { type: string; name: string } => !!b && typeof b === 'object' && (b as { type?: unknown }).type === 'tool_use' && typeof (b as { name?: unknown }).name === 'string')
    .map((b) => b.name);
  return { id: message.id, names };
}

/** The tool names of each wanted message id in one file (ids with none map to []). */
export async function toolNamesIn(filePath: string, ids: Iterable<string>): Promise<Map<string, string[]>> {
  const wanted = new Set(ids);
  const needles = [...wanted].map((id) => Buffer.from(JSON.stringify(id)));
  const out = new Map<string, string[]>([...wanted].map((id) => [id, []]));
  const visit = (line: Buffer) => {
    if (line.indexOf(TOOL_USE) < 0 || !needles.some((n) => line.indexOf(n) >= 0)) {
      return;
    }
    const found = namesOf(line.toString('utf8'), wanted);
    if (found) {
      const names = out.get(found.id) ?? [];
      for (const n of found.names) {
        if (!names.includes(n)) {
          names.push(n);
        }
      }
      out.set(found.id, names);
    }
  };
  const carry = await forEachLineOf(filePath, visit);
  if (carry.length > 0) {
    visit(carry);
  }
  return out;
}

/**
 * A cache in front of `toolNamesIn` for a live view: `get` answers from the
 * cache or starts one lookup per file (batching the ids asked meanwhile) and
 * calls `onFound` when it ends, so the view can refresh. A call's lines do
 * not change once written, so an answer is kept while the view lives.
 */
export class ToolNameLookup {
  private known = new Map<string, string[]>();
  private pending = new Map<string, Set<string>>();
  private running = new Set<string>();
  private disposed = false;

  constructor(
    private readonly onFound: () => void,
    private readonly log?: (level: 'info' | 'warn' | 'error', message: string) => void,
  ) {}

  /** The tools of `messageId` in `filePath`, or undefined while unknown (a lookup is then under way). */
  get(filePath: string, messageId: string): string[] | undefined {
    const names = this.known.get(`${filePath}\u0000${messageId}`);
    if (names) {
      return names;
    }
    const ids = this.pending.get(filePath) ?? new Set<string>();
    ids.add(messageId);
    this.pending.set(filePath, ids);
    this.start(filePath);
    return undefined;
  }

  private start(filePath: string): void {
    const ids = this.pending.get(filePath);
    if (this.running.has(filePath) || this.disposed || !ids || ids.size === 0) {
      return;
    }
    this.pending.delete(filePath);
    this.running.add(filePath);
    const store = (id: string, names: string[]) => this.known.set(`${filePath}\u0000${id}`, names);
    toolNamesIn(filePath, ids)
      .then((found) => found.forEach((names, id) => store(id, names)))
      .catch((err: unknown) => {
        this.log?.('warn', `could not read tool names from ${filePath}: ${err instanceof Error ? err.message : String(err)}`);
        ids.forEach((id) => store(id, []));
      })
      .finally(() => {
        this.running.delete(filePath);
        if (!this.disposed) {
          this.onFound();
          this.start(filePath);
        }
      });
  }

  dispose(): void {
    this.disposed = true;
  }
}
