/**
 * Export of a report as CSV or JSON: sessions, days and projects.
 */
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

/** All rows of the export: sessions, then days, then projects (unrounded costs). */
export function exportRows(report: Report): Array<Array<string | number | null>> {
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
  return rows;
}

/** The report as CSV text with a header row (RFC 4180, CRLF line ends). */
export function exportCsv(report: Report): string {
  return [EXPORT_COLUMNS.join(','), ...exportRows(report).map((r) => r.map(csvCell).join(','))].join('\r\n') + '\r\n';
}

/** The report's sessions, days and projects as JSON text. */
export function exportJson(report: Report): string {
  return JSON.stringify({ exportedFrom: 'claude-code-cost-meter', priceTableAsOf: report.priceTableAsOf, timeZone: report.timeZone, totals: report.totals, sessions: report.sessions, days: report.days, projects: report.projects }, null, 2);
}
