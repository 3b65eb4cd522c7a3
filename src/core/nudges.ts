/**
 * Nudges: pure rules for when to suggest /compact or /clear and when a budget
 * is near or spent, plus the memory that makes them fire on crossing (not
 * repeatedly while above), with hysteresis and snoozing. The clock, the
 * settings and the figures are passed in.
 */
import { formatInt, formatPercent, formatTokensShort, formatUsd } from './format';
import type { BudgetStatus } from './budgets';
import type { Projection } from './forecast';
import type { NextTurnCost } from './metrics';
import type { Settings } from './settings';
import { formatLimitPercent, isStale, type LimitWindow } from './limits-view';

export type NudgeKind = 'compact' | 'clear' | 'sessionBudget' | 'dailyBudget' | 'weeklyBudget' | 'monthlyBudget' | 'fiveHourLimit';
export type NudgeLevel = 'warning' | 'error';
export type NudgeAction = 'sendCompact' | 'copyCompact' | 'copyClear' | 'openPanel' | 'snooze';

export interface Nudge {
  /** Stable identity of one crossing scope: kind, level and session or day. */
  key: string;
  kind: NudgeKind;
  level: NudgeLevel;
  title: string;
  message: string;
  actions: NudgeAction[];
}

/** The figures the rules look at. */
export interface NudgeFacts {
  sessionId: string | undefined;
  contextTokens: number | null;
  contextWindow: number;
  sessionCostUSD: number | undefined;
  today: string;
  todayUSD: number;
  /** Latest main-chain call of the session (ms), for the cold-cache rule. */
  lastActivityMs: number | undefined;
  cacheTtlMs: number;
  nextTurn: NextTurnCost | null;
  /** The next 10 turns as is and after /compact (estimate), when known. */
  projection?: Projection | null;
  /** Week and month budgets with their pace (the daily one uses `todayUSD`). */
  periodBudgets?: readonly BudgetStatus[];
  /** The plan's 5-hour window (subscribers), when read. */
  fiveHour?: LimitWindow | undefined;
  nowMs: number;
}

/** Share of a threshold below which a crossed nudge re-arms (hysteresis). */
export const REARM_SHARE = 0.9;

function minutes(ms: number): string {
  const m = Math.round(ms / 60000);
  return m >= 60 ? `${Math.round(m / 6) / 10} h` : `${m} min`;
}

/**
 * The nudges whose condition holds. `scale` multiplies every threshold
 * (the memory uses 0.9 to decide when a crossed nudge re-arms).
 */
export function activeNudges(f: NudgeFacts, s: Settings, scale = 1): Nudge[] {
  const out: Nudge[] = [];
  const sid = f.sessionId;
  if (sid !== undefined && f.contextTokens !== null) {
    const ctx = f.contextTokens;
    const byTokens = s['nudges.compactTokens'] > 0 && ctx >= s['nudges.compactTokens'] * scale;
    const byShare = s['nudges.compactWindowShare'] > 0 && ctx >= s['nudges.compactWindowShare'] * f.contextWindow * scale;
    if (byTokens || byShare) {
      // Name the threshold that was crossed (the lower one when both were).
      const shareAt = s['nudges.compactWindowShare'] * f.contextWindow;
      const byTokensFirst = byTokens && (!byShare || s['nudges.compactTokens'] <= shareAt);
      const crossed = byTokensFirst ? `${formatTokensShort(s['nudges.compactTokens'])} tokens` : `${formatPercent(s['nudges.compactWindowShare'], 0)} of the window`;
      const perTurn = f.nextTurn ? ` Each further turn re-sends it: about ${formatUsd(f.nextTurn.warmUSD)} with a warm cache, ${formatUsd(f.nextTurn.coldUSD)} cold.` : '';
      const p = f.projection;
      const ahead = p
        ? ` Next ${p.turns} turns (estimate): about ${formatUsd(p.continueUSD)} as is, ${formatUsd(p.compactUSD)} after /compact${p.paysOffAfter !== null ? ` (cheaper from turn ${p.paysOffAfter})` : ''}.`
        : '';
      out.push({
        key: `compact:${sid}`,
        kind: 'compact',
        level: 'warning',
        title: `Context passed ${crossed}: /compact?`,
        message: `The context is ${formatInt(ctx)} tokens (${formatPercent(ctx / f.contextWindow, 0)} of the ${formatInt(f.contextWindow)} window).${perTurn}${ahead} /compact summarises it into a much smaller one.`,
        actions: ['sendCompact', 'copyCompact', 'openPanel', 'snooze'],
      });
    }
    const idle = f.lastActivityMs !== undefined ? f.nowMs - f.lastActivityMs : 0;
    const clearAt = s['nudges.clearTokens'] * scale;
    if (f.lastActivityMs !== undefined && idle > f.cacheTtlMs && s['nudges.clearTokens'] > 0 && ctx >= clearAt) {
      const cost = f.nextTurn ? ` about ${formatUsd(f.nextTurn.coldUSD)}` : '';
      out.push({
        key: `clear:${sid}:${f.lastActivityMs}`,
        kind: 'clear',
        level: 'warning',
        title: 'Prompt cache went cold: /clear before a new task?',
        message: `Idle ${minutes(idle)}, past the ${minutes(f.cacheTtlMs)} cache lifetime: the next prompt re-writes all ${formatInt(ctx)} tokens of context,${cost}. Starting a new task? /clear first (or /compact to keep a summary).`,
        actions: ['copyClear', 'copyCompact', 'openPanel', 'snooze'],
      });
    }
  }
  const budget = (kind: NudgeKind, scope: string, label: string, spent: number | undefined, limit: number, pace = '') => {
    if (spent === undefined || limit <= 0) {
      return;
    }
    if (spent >= limit * scale) {
      out.push({
        key: `${kind}:error:${scope}`,
        kind,
        level: 'error',
        title: `${label} budget reached`,
        message: `${label} cost is ${formatUsd(spent)}, at or over its budget of ${formatUsd(limit)}.${pace}`,
        actions: ['openPanel', 'snooze'],
      });
    } else if (spent >= limit * s['budgets.warnShare'] * scale) {
      out.push({
        key: `${kind}:warning:${scope}`,
        kind,
        level: 'warning',
        title: `${label} budget at ${formatPercent(spent / limit, 0)}`,
        message: `${label} cost is ${formatUsd(spent)}: ${formatPercent(spent / limit, 0)} of its budget of ${formatUsd(limit)}.${pace}`,
        actions: ['openPanel', 'snooze'],
      });
    }
  };
  if (sid !== undefined) {
    budget('sessionBudget', sid, 'Session', f.sessionCostUSD, s['budgets.sessionUSD']);
  }
  budget('dailyBudget', f.today, "Today's", f.todayUSD, s['budgets.dailyUSD']);
  for (const b of f.periodBudgets ?? []) {
    if (b.period === 'week') {
      budget('weeklyBudget', b.start, "This week's", b.spentUSD, b.limitUSD, ` (${b.summary}.)`);
    } else if (b.period === 'month') {
      budget('monthlyBudget', b.start, "This month's", b.spentUSD, b.limitUSD, ` (${b.summary}.)`);
    }
  }
  const w = f.fiveHour;
  if (w !== undefined && w.percent !== null && !isStale(w, f.nowMs)) {
    // One crossing per window: the key names the window's reset.
    const scope = w.resetsAtMs ?? 'unknown';
    const error = s['limits.errorPercent'];
    const warn = s['limits.warnPercent'];
    const resets = w.resetsAtMs !== null ? ` It resets in ${minutes(w.resetsAtMs - f.nowMs)}.` : '';
    const level = error > 0 && w.percent >= error * scale ? 'error' : warn > 0 && w.percent >= warn * scale ? 'warning' : undefined;
    if (level !== undefined) {
      out.push({
        key: `fiveHourLimit:${level}:${scope}`,
        kind: 'fiveHourLimit',
        level,
        title: `5-hour limit at ${formatLimitPercent(w.percent)}`,
        message: `You have used ${formatLimitPercent(w.percent)} of your plan's 5-hour limit.${resets}`,
        actions: ['openPanel', 'snooze'],
      });
    }
  }
  return out;
}

/**
 * The buttons of a nudge's notification: at most two, its main action and
 * "Open panel" (the rest lives in the panel).
 */
export function toastActions(n: Nudge): NudgeAction[] {
  const main = n.actions.find((a) => a !== 'openPanel' && a !== 'snooze' && a !== 'copyCompact') ?? n.actions.find((a) => a !== 'openPanel');
  const out: NudgeAction[] = main !== undefined ? [main] : [];
  if (n.actions.includes('openPanel')) {
    out.push('openPanel');
  }
  return out.slice(0, 2);
}

/** What the tracker remembers between evaluations (plain data). */
export interface NudgeMemory {
  /** Keys that fired and have not re-armed yet. */
  fired: Record<string, true>;
  snoozedUntil: Record<string, number>;
  lastNotifiedMs: Record<string, number>;
}

export function emptyNudgeMemory(): NudgeMemory {
  return { fired: {}, snoozedUntil: {}, lastNotifiedMs: {} };
}

export interface NudgeEvaluation {
  memory: NudgeMemory;
  /** Active and not snoozed: shown in the panel and the status bar colour. */
  visible: Nudge[];
  /** To show as a notification now, per the notification setting. */
  notify: Nudge[];
}

/** In `always` mode, a still-active nudge is repeated at most this often. */
export const REMIND_EVERY_MS = 10 * 60 * 1000;

/**
 * One evaluation: a nudge fires when its condition starts to hold; it
 * re-arms only once the condition fails even at 90% of the thresholds.
 */
export function evaluateNudges(memory: NudgeMemory, facts: NudgeFacts, settings: Settings): NudgeEvaluation {
  const active = activeNudges(facts, settings);
  const nearlyActive = new Set(activeNudges(facts, settings, REARM_SHARE).map((n) => n.key));
  const fired: Record<string, true> = {};
  for (const key of Object.keys(memory.fired)) {
    if (nearlyActive.has(key)) {
      fired[key] = true; // still above the re-arm line: stays fired
    }
  }
  const snoozedUntil: Record<string, number> = {};
  for (const [key, until] of Object.entries(memory.snoozedUntil)) {
    if (until > facts.nowMs) {
      snoozedUntil[key] = until;
    }
  }
  const lastNotifiedMs: Record<string, number> = { ...memory.lastNotifiedMs };
  const visible: Nudge[] = [];
  const notify: Nudge[] = [];
  const mode = settings['nudges.notifications'];
  for (const n of active) {
    const crossing = !fired[n.key];
    fired[n.key] = true;
    if (snoozedUntil[n.key] !== undefined) {
      continue;
    }
    visible.push(n);
    const last = lastNotifiedMs[n.key];
    const remind = mode === 'always' && last !== undefined && facts.nowMs - last >= REMIND_EVERY_MS;
    if (mode !== 'never' && (crossing || remind)) {
      notify.push(n);
      lastNotifiedMs[n.key] = facts.nowMs;
    }
  }
  return { memory: { fired, snoozedUntil, lastNotifiedMs }, visible, notify };
}

/** Snoozes one nudge until `untilMs`. */
export function snoozeNudge(memory: NudgeMemory, key: string, untilMs: number): NudgeMemory {
  return { ...memory, snoozedUntil: { ...memory.snoozedUntil, [key]: untilMs } };
}
