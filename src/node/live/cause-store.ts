/**
 * The CLI's cache of cause summaries (src/core/causes.ts `CauseSummary`), one
 * per main-chain transcript file revision (size, mtime, inode), so a warm
 * `report` gives the causes of the period without reading unchanged sessions
 * again. Subagent files need no summary. It lives beside the index in the
 * CLI's cache folder (never under Claude's), is written atomically, and a
 * corrupt, foreign or version-mismatched file is ignored and rebuilt.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { summariseCauseLines, type CauseSummary } from '../../core/causes';
import { writeAtomically } from '../scan/index-store';
import { causeLinesIn } from './session-causes';

/** Bump when the summary's shape or the rules that make it change. */
export const CAUSE_STORE_VERSION = 1;
export const CAUSE_STORE_FILE = 'causes-v1.json';

interface StoredCauseFile {
  size: number;
  mtimeMs: number;
  ino: number;
  summary: CauseSummary;
}

const KINDS = new Set<string>(['prompt', 'tool', 'mcp', 'skill', 'agent', 'subagent']);
const isPair = (v: unknown, first: string, second: string): boolean => Array.isArray(v) && v.length === 2 && typeof v[0] === first && typeof v[1] === second;

/** A stored entry is used only when its shape is right (checked per file, when asked for; no zod on the report's path). */
function isStoredCauseFile(v: unknown): v is StoredCauseFile {
  const f = v as Partial<StoredCauseFile> | null;
  const s = f?.summary as Partial<CauseSummary> | undefined;
  return (
    typeof f === 'object' && f !== null && typeof f.size === 'number' && typeof f.mtimeMs === 'number' && typeof f.ino === 'number' &&
    typeof s === 'object' && s !== null &&
    Array.isArray(s.names) && s.names.every((n) => isPair(n, 'string', 'string') && KINDS.has(n[1])) &&
    Array.isArray(s.assigned) && s.assigned.every((a) => isPair(a, 'string', 'number') && Number.isInteger(a[1]) && a[1] >= 0 && a[1] < (s.names?.length ?? 0)) &&
    Array.isArray(s.compacts) && s.compacts.every((t) => typeof t === 'number') &&
    Array.isArray(s.agentTypeById) && s.agentTypeById.every((a) => isPair(a, 'string', 'string')) &&
    Array.isArray(s.agentTypes) && s.agentTypes.every((t) => typeof t === 'string')
  );
}

/** Summaries by file revision: cached ones answer at once, others are read (and kept for `save`). */
export class CauseStore {
  private readonly next = new Map<string, StoredCauseFile>();
  /** Files read this run (for tests and the measurements). */
  read = 0;
  reused = 0;

  private constructor(
    private readonly dir: string | undefined,
    private readonly engineKey: string,
    private readonly old: Record<string, unknown>,
  ) {}

  /** Forgets summaries of files not in `paths` (a long-lived store drops deleted files). */
  keepOnly(paths: ReadonlySet<string>): void {
    for (const p of this.next.keys()) {
      if (!paths.has(p)) {
        this.next.delete(p);
      }
    }
  }

  /** The store in `dir` (undefined: in memory only, nothing kept). Never throws. */
  static load(dir: string | undefined, engineKey: string): CauseStore {
    if (dir === undefined) {
      return new CauseStore(undefined, engineKey, {});
    }
    try {
      const v = JSON.parse(fs.readFileSync(path.join(dir, CAUSE_STORE_FILE), 'utf8')) as { version?: unknown; engineKey?: unknown; files?: unknown } | null;
      const usable = v !== null && typeof v === 'object' && v.version === CAUSE_STORE_VERSION && v.engineKey === engineKey && typeof v.files === 'object' && v.files !== null;
      return new CauseStore(dir, engineKey, usable ? (v.files as Record<string, unknown>) : {});
    } catch {
      return new CauseStore(dir, engineKey, {});
    }
  }

  /** The summary of a main-chain file as it is now: from the store while its size, mtime and inode match, else read. */
  async summaryOf(filePath: string): Promise<CauseSummary> {
    const st = fs.statSync(filePath);
    // A long-lived store (the meter's) also answers from what it read itself.
    const old = this.next.get(filePath) ?? this.old[filePath];
    if (isStoredCauseFile(old) && old.size === st.size && old.mtimeMs === st.mtimeMs && old.ino === st.ino) {
      this.reused++;
      this.next.set(filePath, old);
      return old.summary;
    }
    // Stat first: a file appended while it is read is read again next time.
    const summary = summariseCauseLines(await causeLinesIn(filePath));
    this.read++;
    this.next.set(filePath, { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, summary });
    return summary;
  }

  /**
   * Writes the summaries used this run, and the stored ones of `stillListed`
   * files not asked for (sessions outside the period). Returns a problem to
   * warn about, or undefined.
   */
  save(stillListed: Iterable<string>): string | undefined {
    if (this.dir === undefined) {
      return undefined;
    }
    const files: Record<string, unknown> = {};
    for (const p of stillListed) {
      const kept = this.next.get(p) ?? this.old[p];
      if (kept !== undefined) {
        files[p] = kept;
      }
    }
    try {
      writeAtomically(this.dir, CAUSE_STORE_FILE, JSON.stringify({ version: CAUSE_STORE_VERSION, engineKey: this.engineKey, files }));
      return undefined;
    } catch (err) {
      return `could not write the cause cache in ${this.dir}: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
}
