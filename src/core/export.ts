/**
 * Export of a report as CSV or JSON: sessions, days and projects.
 */
import type { HistoryRow } from './history';
import type { Report, TokenFields } from './report';

export const EXPORT_COLUMNS = [
  'kind',
  'id',
  'date',
  'project',
  'costUSD',
  'inputTokens',
  'outputTokens',
  'cacheWrite5mTokens',
  'cacheWrite1hTokens',
  'cacheReadTokens',
  'webSearchRequests',
  'messages',
] as const;

/**
 * One CSV cell: quoted when needed; a text cell that a spreadsheet would run
 * as a formula (=, +, -, @, tab, CR) is prefixed with an apostrophe.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) {
    return '';
  }
  if (typeof value === 'number') {
    return String(value);
  }
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function tokens(t: TokenFields): number[] {
  return [t.inputTokens, t.outputTokens, t.cacheWrite5mTokens, t.cacheWrite1hTokens, t.cacheReadTokens, t.webSearchRequests];
}

interface KeptSum {
  id: string;
  date: string;
  project: string | null;
  costUSD: number;
  tokens: number[];
  messages: number;
}

/** Rows kept only in our history (their transcripts are gone), summed per session and per day. */
export function keptSums(kept: readonly HistoryRow[]): { sessions: KeptSum[]; days: KeptSum[] } {
  const add = (map: Map<string, KeptSum>, id: string, r: HistoryRow, date: string, project: string | null) => {
    let k = map.get(id);
    if (!k) {
      k = { id, date, project, costUSD: 0, tokens: [0, 0, 0, 0, 0, 0], messages: 0 };
      map.set(id, k);
    }
    k.date = r.day > k.date ? r.day : k.date;
    k.costUSD += r.costUSD ?? 0;
    const t = [r.tokens.input, r.tokens.output, r.tokens.write5m, r.tokens.write1h, r.tokens.read, r.tokens.webSearches];
    t.forEach((v, i) => (k.tokens[i] = (k.tokens[i] ?? 0) + v));
    k.messages += r.messages;
  };
  const sessions = new Map<string, KeptSum>();
  const days = new Map<string, KeptSum>();
  for (const r of kept) {
    add(sessions, r.sessionId, r, r.day, r.project);
    add(days, r.day, r, r.day, null);
  }
  const byId = (a: KeptSum, b: KeptSum) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return { sessions: [...sessions.values()].sort(byId), days: [...days.values()].sort(byId) };
}

/**
 * All rows of the export: sessions, then days, then projects (unrounded
 * costs); then, from our own history, sessions whose transcripts are gone
 * (`session-history`) and their days (`day-history`).
 */
export function exportRows(report: Report, kept: readonly HistoryRow[] = []): Array<Array<string | number | null>> {
  const rows: Array<Array<string | number | null>> = [];
  for (const s of report.sessions) {
    rows.push(['session', s.sessionId, (s.lastTimestamp ?? '').slice(0, 10), s.project, s.costUSD, ...tokens(s), s.messages]);
  }
  for (const d of report.days) {
    rows.push(['day', d.date, d.date, null, d.costUSD, ...tokens(d), d.messages]);
  }
  for (const p of report.projects) {
    rows.push(['project', p.project, null, p.project, p.costUSD, ...tokens(p), p.messages]);
  }
  const k = keptSums(kept);
  for (const s of k.sessions) {
    rows.push(['session-history', s.id, s.date, s.project, s.costUSD, ...s.tokens, s.messages]);
  }
  for (const d of k.days) {
    rows.push(['day-history', d.id, d.date, null, d.costUSD, ...d.tokens, d.messages]);
  }
  return rows;
}

/** The report as CSV text with a header row (RFC 4180, CRLF line ends). */
export function exportCsv(report: Report, kept: readonly HistoryRow[] = []): string {
  return [EXPORT_COLUMNS.join(','), ...exportRows(report, kept).map((r) => r.map(csvCell).join(','))].join('\r\n') + '\r\n';
}

/** The report's sessions, days and projects as JSON text. */
export function exportJson(report: Report, kept: readonly HistoryRow[] = []): string {
  return JSON.stringify(
    {
      exportedFrom: 'claude-code-cost-meter',
      priceTableAsOf: report.priceTableAsOf,
      timeZone: report.timeZone,
      totals: report.totals,
      sessions: report.sessions,
      days: report.days,
      projects: report.projects,
      // Sessions whose transcripts Claude Code has deleted, from our own history (not in the totals above).
      keptFromHistory: kept,
    },
    null,
    2,
  );
}
