/**
 * Budgets over time (day, week, month) with pace, and API prices against a
 * subscription. Days are local `YYYY-MM-DD` strings (already in the user's
 * zone), so the calendar arithmetic here is plain UTC date arithmetic. Pure.
 */
import { formatPercent, formatUsd } from './format';
import { addDays } from './local-day';

export type WeekStart = 'monday' | 'sunday' | 'saturday';
export type BudgetPeriod = 'day' | 'week' | 'month';

const WEEKDAY: Record<WeekStart, number> = { sunday: 0, monday: 1, saturday: 6 };

function asDate(day: string): Date {
  return new Date(`${day}T00:00:00Z`);
}

export { addDays };

/** First day, length and position of today in the period containing `today`. */
export function periodOf(period: BudgetPeriod, today: string, weekStartsOn: WeekStart): { start: string; end: string; days: number; dayOfPeriod: number } {
  if (period === 'day') {
    return { start: today, end: today, days: 1, dayOfPeriod: 1 };
  }
  const d = asDate(today);
  if (period === 'week') {
    const back = (d.getUTCDay() - WEEKDAY[weekStartsOn] + 7) % 7;
    const start = addDays(today, -back);
    return { start, end: addDays(start, 6), days: 7, dayOfPeriod: back + 1 };
  }
  const start = `${today.slice(0, 7)}-01`;
  const days = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  return { start, end: `${today.slice(0, 7)}-${String(days).padStart(2, '0')}`, days, dayOfPeriod: d.getUTCDate() };
}

export interface BudgetStatus {
  period: BudgetPeriod;
  label: string;
  start: string;
  end: string;
  spentUSD: number;
  limitUSD: number;
  /** spent / limit. */
  share: number;
  /** Share of the period elapsed, today counted whole: the "safe pace". */
  paceShare: number;
  dayOfPeriod: number;
  days: number;
  /** Spent so far, extended at the same daily rate to the period's end (an estimate). */
  projectedUSD: number;
  /** "51% of the week used on day 3; safe pace 43%". */
  summary: string;
}

const LABEL: Record<BudgetPeriod, string> = { day: 'Today', week: 'This week', month: 'This month' };
const NOUN: Record<BudgetPeriod, string> = { day: 'day', week: 'week', month: 'month' };

/** Spending of the period containing `today` against its budget, with pace. Null when the budget is off (0). */
export function budgetStatus(
  period: BudgetPeriod,
  limitUSD: number,
  dailyCost: ReadonlyMap<string, number>,
  today: string,
  weekStartsOn: WeekStart,
): BudgetStatus | null {
  if (!(limitUSD > 0)) {
    return null;
  }
  const p = periodOf(period, today, weekStartsOn);
  let spent = 0;
  for (const [day, usd] of dailyCost) {
    if (day >= p.start && day <= today) {
      spent += usd;
    }
  }
  const share = spent / limitUSD;
  const paceShare = p.dayOfPeriod / p.days;
  const projectedUSD = (spent / p.dayOfPeriod) * p.days;
  const summary =
    period === 'day'
      ? `${formatPercent(share, 0)} of today's ${formatUsd(limitUSD)} used`
      : `${formatPercent(share, 0)} of the ${NOUN[period]}'s ${formatUsd(limitUSD)} used on day ${p.dayOfPeriod} of ${p.days}; safe pace ${formatPercent(paceShare, 0)}` +
        (share > paceShare ? `; at this rate about ${formatUsd(projectedUSD)} by ${p.end} (estimate)` : '');
  return { period, label: LABEL[period], start: p.start, end: p.end, spentUSD: spent, limitUSD, share, paceShare, dayOfPeriod: p.dayOfPeriod, days: p.days, projectedUSD, summary };
}

export type Plan = 'pro' | 'max5x' | 'max20x';
export const PLAN_NAMES: Record<Plan, string> = { pro: 'Pro', max5x: 'Max 5x', max20x: 'Max 20x' };

export interface PlanRow {
  plan: Plan;
  name: string;
  monthlyUSD: number;
  /** Plan price for the window (monthly x window / 30). */
  windowUSD: number;
  /** API cost minus the plan's price for the window: positive when the plan is cheaper. */
  savesUSD: number;
  /** API spend per active day at which the plan and the API cost the same. */
  breakEvenPerActiveDayUSD: number | null;
  /** The same per calendar day. */
  breakEvenPerDayUSD: number;
  cheaper: 'plan' | 'api' | 'same';
}

export interface PlanComparison {
  windowDays: number;
  since: string;
  until: string;
  apiUSD: number;
  activeDays: number;
  perActiveDayUSD: number | null;
  rows: PlanRow[];
  /** The cheapest option for this usage: 'api' or a plan. */
  best: 'api' | Plan;
  basis: string;
}

/**
 * The last `windowDays` days (today included) at API list prices against
 * each plan's price for the same window. Ignores the plans' usage limits:
 * a plan may not allow this much use.
 */
export function comparePlans(dailyCost: ReadonlyMap<string, number>, today: string, prices: Record<Plan, number>, windowDays = 30): PlanComparison {
  const since = addDays(today, -(windowDays - 1));
  let api = 0;
  let active = 0;
  for (const [day, usd] of dailyCost) {
    if (day >= since && day <= today) {
      api += usd;
      if (usd > 0) {
        active++;
      }
    }
  }
  const rows: PlanRow[] = (Object.keys(PLAN_NAMES) as Plan[]).map((plan) => {
    const monthly = prices[plan];
    const windowUSD = (monthly * windowDays) / 30;
    const saves = api - windowUSD;
    return {
      plan,
      name: PLAN_NAMES[plan],
      monthlyUSD: monthly,
      windowUSD,
      savesUSD: saves,
      breakEvenPerActiveDayUSD: active > 0 ? windowUSD / active : null,
      breakEvenPerDayUSD: windowUSD / windowDays,
      cheaper: saves > 0 ? 'plan' : saves < 0 ? 'api' : 'same',
    };
  });
  let best: 'api' | Plan = 'api';
  let bestCost = api;
  for (const r of rows) {
    if (r.windowUSD < bestCost) {
      best = r.plan;
      bestCost = r.windowUSD;
    }
  }
  return {
    windowDays,
    since,
    until: today,
    apiUSD: api,
    activeDays: active,
    perActiveDayUSD: active > 0 ? api / active : null,
    rows,
    best,
    basis: `${since} to ${today} at API list prices (${active} active day${active === 1 ? '' : 's'}) against each plan's monthly price x ${windowDays}/30; the plans' usage limits are not modelled, so a plan may not cover this much use`,
  };
}
