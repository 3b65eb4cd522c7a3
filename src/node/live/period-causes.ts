/**
 * The meter's causes over days (today, the last 30 days) and what cache
 * misses cost this week, kept live. Each session's causes by day
 * (src/core/causes.ts `byDay`) are kept per session revision; a session that
 * changed is summarised again in the background, one at a time, its
 * unchanged main-chain files answered from a summary kept per file revision
 * (`CauseStore`, in memory), so a live append re-reads only the file it grew.
 * `get` answers at once with what is known and says how many sessions are
 * still being read.
 */
import { sessionCauses, type CauseDayRow } from '../../core/causes';
import { sumCauseDays, type CauseSum } from '../../core/cause-sums';
import type { Engine } from '../../core/engine';
import { CauseStore } from './cause-store';
import { summariseSessionFiles } from './session-causes';

export interface PeriodCauses {
  today: CauseSum[];
  last30: CauseSum[];
  /** What the cache misses of the last 7 days cost beyond warm reads. */
  weekMissCostUSD: number;
  weekMisses: number;
  /** Sessions of the period still being read (their causes are not in the sums yet). */
  pending: number;
}

interface Known {
  revision: number;
  byDay: CauseDayRow[];
  misses: Array<{ day: string; extraCostUSD: number }>;
}

/** `YYYY-MM-DD` minus `n` days (calendar arithmetic on the date itself). */
export function daysBefore(day: string, n: number): string {
  const t = Date.parse(`${day}T00:00:00Z`);
  return Number.isFinite(t) ? new Date(t - n * 86_400_000).toISOString().slice(0, 10) : day;
}

export class PeriodCauseLookup {
  private readonly store = CauseStore.load(undefined, '');
  private readonly known = new Map<string, Known>();
  private queue: string[] = [];
  private running = false;
  private disposed = false;
  private engine: Engine | undefined;

  constructor(
    private readonly onFound: () => void,
    private readonly log?: (level: 'info' | 'warn' | 'error', message: string) => void,
  ) {}

  /** The causes over the report's sessions active in the last 30 days up to `today`. */
  of(engine: Engine, report: { sessions: ReadonlyArray<{ sessionId: string; lastTimestamp: string | null }> }, today: string): PeriodCauses {
    // A day of slack: the sums keep only rows whose local day is in range.
    const from = daysBefore(today, 31);
    return this.get(engine, report.sessions.filter((s) => s.lastTimestamp !== null && s.lastTimestamp.slice(0, 10) >= from).map((s) => s.sessionId), today);
  }

  /**
   * The period's causes from what is known now; sessions of `sessionIds`
   * (those active in the last 30 days up to `today`) that changed are queued.
   */
  get(engine: Engine, sessionIds: readonly string[], today: string): PeriodCauses {
    if (this.engine !== engine) {
      // Another engine (a rebuild): nothing known holds.
      this.engine = engine;
      this.known.clear();
      this.queue = [];
    }
    const stale = sessionIds.filter((id) => this.known.get(id)?.revision !== engine.sessionRevision(id));
    this.queue = stale;
    if (stale.length > 0) {
      this.pump();
    }
    const wanted = new Set(sessionIds);
    for (const id of this.known.keys()) {
      if (!wanted.has(id)) {
        this.known.delete(id);
      }
    }
    const rows = [...this.known.values()].flatMap((k) => k.byDay);
    const weekFrom = daysBefore(today, 6);
    const misses = [...this.known.values()].flatMap((k) => k.misses).filter((m) => m.day >= weekFrom && m.day <= today);
    return {
      today: sumCauseDays(rows, today, today),
      last30: sumCauseDays(rows, daysBefore(today, 29), today),
      weekMissCostUSD: misses.reduce((s, m) => s + m.extraCostUSD, 0),
      weekMisses: misses.length,
      pending: stale.length,
    };
  }

  /** Reads queued sessions one after another; tells the meter once the queue is empty. */
  private pump(): void {
    if (this.running || this.disposed) {
      return;
    }
    this.running = true;
    void (async () => {
      let found = false;
      let done = 0;
      for (let id = this.queue.shift(); id !== undefined && !this.disposed; id = this.queue.shift()) {
        const engine = this.engine;
        if (engine === undefined) {
          break;
        }
        const revision = engine.sessionRevision(id);
        try {
          const { files, problems } = await summariseSessionFiles(engine, id, (p) => this.store.summaryOf(p));
          problems.forEach((p) => this.log?.('warn', `causes: could not read ${p}`));
          if (this.engine === engine) {
            const c = sessionCauses(engine.sessionEntries(id), files);
            this.known.set(id, { revision, byDay: c.byDay, misses: c.cacheMisses.map((m) => ({ day: m.day, extraCostUSD: m.extraCostUSD ?? 0 })) });
            found = true;
          }
        } catch (err) {
          // Kept as known (with nothing) at this revision: not read again until the session changes.
          this.known.set(id, { revision, byDay: [], misses: [] });
          this.log?.('warn', `causes of ${id}: ${err instanceof Error ? err.message : String(err)}`);
        }
        if (found && ++done % 25 === 0 && !this.disposed) {
          // A long first read shows progress.
          this.onFound();
        }
      }
      this.running = false;
      if (found && !this.disposed) {
        this.onFound();
      }
    })();
  }

  dispose(): void {
    this.disposed = true;
    this.queue = [];
  }
}
