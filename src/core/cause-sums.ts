/**
 * Sums of causes over days (the panel's today and 30 days) and Claude Code's
 * own cause of a cache miss from its status line. Pure.
 */
import type { CauseDayRow, CauseKind } from './causes';

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/**
 * Claude Code's cause of the latest cache miss from the status line's
 * `prompt_cache` (`last_miss_cause`: a string, or an object naming it in
 * `type`, `reason` or `cause`), when it gives one. Lenient: anything else is
 * undefined.
 */
export function lastMissCauseOf(promptCache: unknown): string | undefined {
  const c = obj(promptCache)?.last_miss_cause;
  const o = obj(c);
  const text = str(c) ?? str(o?.type) ?? str(o?.reason) ?? str(o?.cause);
  return text !== undefined ? text.slice(0, 200) : undefined;
}

/** One cause's calls and dollars over a range of days. */
export interface CauseSum {
  cause: string;
  kind: CauseKind;
  calls: number;
  costUSD: number;
}

/** The day rows in [from, to] (local `YYYY-MM-DD`) added up by cause, largest first. */
export function sumCauseDays(rows: Iterable<CauseDayRow>, from: string, to: string): CauseSum[] {
  const out = new Map<string, CauseSum>();
  for (const r of rows) {
    if (r.day < from || r.day > to) {
      continue;
    }
    const s = out.get(r.cause);
    if (s) {
      s.calls += r.calls;
      s.costUSD += r.costUSD;
    } else {
      out.set(r.cause, { cause: r.cause, kind: r.kind, calls: r.calls, costUSD: r.costUSD });
    }
  }
  return [...out.values()].sort((a, b) => b.costUSD - a.costUSD || a.cause.localeCompare(b.cause));
}
