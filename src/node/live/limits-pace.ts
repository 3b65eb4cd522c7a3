/**
 * The plan limits as a snapshot shows them: the reading, with the 5-hour
 * window's pace estimated from the transcripts.
 */
import type { Engine } from '../../core/engine';
import { paceEstimate, WINDOW_LENGTH_MS, type LimitsState, type LimitWindow } from '../../core/limits-view';
import { costOn } from '../../core/pricing/rate-card';
import type { Report } from '../../core/report';
import type { LimitsAnswer } from '../limits-source';

/** How far back the pace of a limit window looks (the current pace). */
const PACE_RECENT_MS = 30 * 60_000;

/** The API-equivalent dollars of the calls since `fromMs`, and of those since `recentFromMs`. */
function costSince(engine: Engine, report: Report, fromMs: number, recentFromMs: number): { windowUSD: number; recentUSD: number } {
  let windowUSD = 0;
  let recentUSD = 0;
  for (const s of report.sessions) {
    if (s.lastTimestamp === null || Date.parse(s.lastTimestamp) < fromMs) {
      continue;
    }
    for (const e of engine.sessionEntries(s.sessionId)) {
      const t = e.raw.timestampMs;
      if (t >= fromMs && e.card !== null) {
        const usd = costOn(e.card, e.raw.tokens);
        windowUSD += usd;
        if (t >= recentFromMs) {
          recentUSD += usd;
        }
      }
    }
  }
  return { windowUSD, recentUSD };
}

/** The limits as read, with the 5-hour window's pace from the transcripts (estimate). */
export function limitsState(answer: LimitsAnswer | undefined, report: Report | undefined, engine: Engine, nowMs: number): LimitsState | null {
  if (answer === undefined) {
    return null;
  }
  const five: LimitWindow | undefined = answer.reading?.windows.find((w) => w.id === 'five_hour');
  const length = WINDOW_LENGTH_MS.five_hour ?? 0;
  let pace = null;
  if (five !== undefined && five.resetsAtMs !== null && report !== undefined) {
    const { windowUSD, recentUSD } = costSince(engine, report, five.resetsAtMs - length, nowMs - PACE_RECENT_MS);
    pace = paceEstimate({ window: five, nowMs, windowCostUSD: windowUSD, recentCostUSD: recentUSD, recentMs: PACE_RECENT_MS });
  }
  return { reading: answer.reading, plan: answer.plan, problems: answer.problems, pace };
}
