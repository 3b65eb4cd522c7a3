/**
 * The meter's figures over days (budgets, plans, ranges, the daily chart)
 * from the merged live and stored history, and the notice about the stored
 * history, as a snapshot carries them.
 */
import { budgetStatus, comparePlans, type BudgetStatus, type PlanComparison } from '../../core/budgets';
import { addDays } from '../../core/local-day';
import { dailyCost, rangeTotals, stackedDaily, type HistoryRow, type MergedHistory, type RangeTotals, type StackedDays } from '../../core/history';
import type { Settings } from '../../core/settings';

/** Figures over days: budgets with pace, plans, ranges and the daily chart, from live and stored history. */
export interface MeterHistory {
  budgets: BudgetStatus[];
  plans: PlanComparison;
  /** Today, the last 7, 30 and 90 days (today included). */
  ranges: Array<RangeTotals & { label: string }>;
  byModel: StackedDays;
  byProject: StackedDays;
  /** Sessions shown only from our stored history (Claude Code has deleted their transcripts). */
  keptSessions: number;
  keptFrom: string | null;
  keptUntil: string | null;
  /** The stored rows of those sessions. */
  keptRows: HistoryRow[];
  /** Whether the history is kept (setting and a storage folder). */
  persisted: boolean;
  /** Something the user must be told about the stored history (once: see `HistoryNotice.key`); undefined when all is well. */
  notice: HistoryNotice | undefined;
}

/** A problem with the stored history, for a notification and the panel's history note. */
export interface HistoryNotice {
  kind: 'set-aside' | 'unreadable' | 'not-saved';
  /** One sentence for the user. */
  message: string;
  /** The storage folder. */
  folder: string;
  /** The file set aside, for `set-aside`. */
  file: string | undefined;
  /** Stays the same while the problem does: the user is told once per key. */
  key: string;
}

/** The figures of `MeterHistory` from the merged history, on the local day `today`. */
export function historyFiguresOf(merged: MergedHistory, settings: Settings, today: string, persisted: boolean, notice: HistoryNotice | undefined): MeterHistory {
  const daily = dailyCost(merged.rows);
  const kept = new Set(merged.keptRows);
  const weekStartsOn = settings['budgets.weekStartsOn'];
  const budgets = [
    budgetStatus('day', settings['budgets.dailyUSD'], daily, today, weekStartsOn),
    budgetStatus('week', settings['budgets.weeklyUSD'], daily, today, weekStartsOn),
    budgetStatus('month', settings['budgets.monthlyUSD'], daily, today, weekStartsOn),
  ].filter((b): b is BudgetStatus => b !== null);
  const ranges = [
    { label: 'Today', days: 1 },
    { label: 'Last 7 days', days: 7 },
    { label: 'Last 30 days', days: 30 },
    { label: 'Last 90 days', days: 90 },
  ].map((r) => ({ ...rangeTotals(merged.rows, addDays(today, -(r.days - 1)), today, (row) => kept.has(row)), label: r.label }));
  return {
    budgets,
    plans: comparePlans(daily, today, { pro: settings['plan.proUSD'], max5x: settings['plan.max5xUSD'], max20x: settings['plan.max20xUSD'] }),
    ranges,
    byModel: stackedDaily(merged.rows, today, 30, 'model'),
    byProject: stackedDaily(merged.rows, today, 30, 'project'),
    keptSessions: merged.keptSessions,
    keptRows: merged.keptRows,
    keptFrom: merged.keptFrom,
    keptUntil: merged.keptUntil,
    persisted,
    notice,
  };
}
