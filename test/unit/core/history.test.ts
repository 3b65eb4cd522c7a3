/**
 * The stored history (src/core/history.ts), with its rows in the reports and exports, at their edges, with hand arithmetic
 * (from intelligence.test.ts, issue #6): claude-sonnet-4-6 is $3 input, $15
 * output, $3.75 5m write, $6 1h write, $0.30 cache read per million tokens.
 */
import { strict as assert } from 'node:assert';
import { dailyCost, liveHistoryRows, mergeHistory, rangeTotals, stackedDaily, type HistoryRow } from '../../../src/core/history';
import { exportCsv, exportJson } from '../../../src/core/export';
import { buildReport, ReportCache } from '../../../src/core/report';
import { assistantLine } from '../support/lines';
import { feed, newEngine } from '../support/engine';
import { HistoryRowsCache } from '../../../src/core/history';
import { engineSink } from '../../../src/node/scan/scan';
import { LineSplitter } from '../support/line-splitter';

const close = (a: number | null | undefined, b: number) => assert.ok(a !== null && a !== undefined && Math.abs(a - b) < 1e-12, `${String(a)} != ${b}`);

describe('history that outlives the transcripts', () => {
  const row = (day: string, sessionId: string, model: string, costUSD: number | null, project: string | null = '/p'): HistoryRow => ({
    day,
    sessionId,
    part: 'main',
    project,
    model,
    costUSD,
    tokens: { input: 1, output: 1, write5m: 0, write1h: 0, read: 0, webSearches: 0 },
    messages: 1,
  });
  const liveOf = (rows: HistoryRow[]) => ({ rows, parts: new Set(rows.map((r) => `${r.sessionId}\u0000${r.part}`)), sessions: new Set(rows.map((r) => r.sessionId)) });

  it('live rows add up to the report, un-itemised usage included', () => {
    const engine = newEngine();
    feed(engine, {
      '-p/a.jsonl': [assistantLine({ session: 'a', ts: '2026-11-20T10:00:00.000Z', input: 1000, output: 500 }), assistantLine({ session: 'a', ts: '2026-11-21T10:00:00.000Z', id: 'm2', req: 'r2', model: 'claude-haiku-4-5', output: 100 })].join('\n') + '\n',
      '-q/b.jsonl': assistantLine({ session: 'b', cwd: '/q', ts: '2026-11-21T11:00:00.000Z', model: 'claude-nova-1', id: 'm3', req: 'r3' }) + '\n',
    });
    const cache = new ReportCache();
    const report = buildReport(engine, { cache });
    const projects = new Map(report.sessions.map((s) => [s.sessionId, s.project]));
    const rows = liveHistoryRows(engine, (id) => projects.get(id) ?? null, undefined, cache).rows;
    assert.equal(rows.length, 3);
    close(
      rows.reduce((a, r) => a + (r.costUSD ?? 0), 0),
      report.totals.costUSD,
    );
    assert.equal(rows.find((r) => r.sessionId === 'b')?.costUSD, null, 'unpriced stays unpriced');
    assert.equal(rows.find((r) => r.sessionId === 'b')?.project, '/q');
  });

  it('live rows kept in a cache follow appends and a better duplicate exactly as rows computed afresh', () => {
    const engine = newEngine();
    const file = engine.openFile('/projects/-p/a.jsonl', '-p/a.jsonl');
    const splitter = new LineSplitter(0);
    const sink = engineSink(engine, file);
    const append = (...lines: string[]) => splitter.push(Buffer.from(lines.join('\n') + '\n', 'utf8'), sink);
    const cache = new HistoryRowsCache();
    const sorted = (rows: HistoryRow[]) => JSON.stringify([...rows].sort((x, y) => (`${x.day}${x.model}` < `${y.day}${y.model}` ? -1 : 1)));
    const check = () => assert.equal(sorted(liveHistoryRows(engine, () => '/p', cache).rows), sorted(liveHistoryRows(engine, () => '/p').rows));
    append(assistantLine({ session: 'a', ts: '2026-11-20T10:00:00.000Z', input: 1000, output: 500 }));
    check();
    // Appends only: added to the cached sums (a new day, a new model, more of the same).
    append(
      assistantLine({ session: 'a', ts: '2026-11-20T11:00:00.000Z', id: 'm2', req: 'r2', input: 7, output: 70, w5: 300 }),
      assistantLine({ session: 'a', ts: '2026-11-21T10:00:00.000Z', id: 'm3', req: 'r3', model: 'claude-haiku-4-5', output: 100 }),
    );
    check();
    const before = engine.sessionRemovals('a');
    // A better copy of m2 (more output): the old one is removed, the sums start again.
    append(assistantLine({ session: 'a', ts: '2026-11-20T11:00:00.000Z', id: 'm2', req: 'r2', input: 7, output: 900, w5: 300 }));
    assert.ok(engine.sessionRemovals('a') > before, 'the better duplicate replaced a kept call');
    check();
    const rows = liveHistoryRows(engine, () => '/p', cache).rows;
    assert.deepEqual(rows.map((r) => r.messages).reduce((a, b) => a + b, 0), 3);
    assert.equal(rows.reduce((a, r) => a + r.tokens.output, 0), 500 + 900 + 100);
  });

  it('keeps the rows of sessions whose transcripts are gone; live sessions always win', () => {
    const stored = [row('2026-10-01', 'gone', 'm', 5), row('2026-10-03', 'gone', 'm', 1), row('2026-11-20', 'live', 'm', 1)];
    const live = [row('2026-11-20', 'live', 'm', 2), row('2026-11-21', 'live', 'm', 3)];
    const merged = mergeHistory(stored, liveOf(live));
    assert.equal(merged.rows.length, 4);
    assert.equal(merged.keptSessions, 1);
    assert.deepEqual([merged.keptFrom, merged.keptUntil], ['2026-10-01', '2026-10-03']);
    assert.deepEqual([...dailyCost(merged.rows)].sort(), [
      ['2026-10-01', 5],
      ['2026-10-03', 1],
      ['2026-11-20', 2],
      ['2026-11-21', 3],
    ]);
    const empty = mergeHistory([], liveOf(live));
    assert.deepEqual([empty.keptSessions, empty.keptFrom], [0, null]);
  });

  it('ranges by project and model, unpriced models flagged', () => {
    const rows = [row('2026-11-20', 's1', 'opus', 3, '/a'), row('2026-11-21', 's2', 'haiku', 1, '/b'), row('2026-11-21', 's2', 'nova', null, '/b'), row('2026-11-01', 's3', 'opus', 100, null)];
    const r = rangeTotals(rows, '2026-11-16', '2026-11-22', (x) => x.sessionId === 's2');
    assert.equal(r.costUSD, 4);
    assert.deepEqual(r.byProject, [
      { name: '/a', costUSD: 3 },
      { name: '/b', costUSD: 1 },
    ]);
    assert.deepEqual(r.byModel, [
      { name: 'opus', costUSD: 3 },
      { name: 'haiku', costUSD: 1 },
      { name: 'nova', costUSD: null },
    ]);
    assert.equal(r.fromHistory, true);
    assert.equal(rangeTotals(rows, '2026-11-01', '2026-11-01').byProject[0]?.name, '(unknown project)');
  });

  it('exports the sessions kept from history, summed per session and per day', () => {
    const kept = [row('2026-10-01', 'gone', 'opus', 5, '/g'), row('2026-10-02', 'gone', 'haiku', 1, '/g'), row('2026-10-02', 'gone2', 'opus', null, null)];
    const report = buildReport(newEngine());
    const csv = exportCsv(report, kept).trim().split('\r\n');
    assert.deepEqual(csv.slice(1), [
      'session-history,gone,2026-10-02,/g,6,2,2,0,0,0,0,2',
      'session-history,gone2,2026-10-02,,0,1,1,0,0,0,0,1',
      'day-history,2026-10-01,2026-10-01,,5,1,1,0,0,0,0,1',
      'day-history,2026-10-02,2026-10-02,,1,2,2,0,0,0,0,2',
    ]);
    assert.deepEqual((JSON.parse(exportJson(report, kept)) as { keptFromHistory: unknown }).keptFromHistory, kept);
  });

  it('stacks 30 days by model, the smallest groups folded into "other"', () => {
    const rows = ['a', 'b', 'c'].map((m, i) => row('2026-11-22', 's', m, i + 1));
    rows.push(row('2026-10-24', 's', 'a', 7), row('2026-10-23', 's', 'a', 1000));
    const s = stackedDaily(rows, '2026-11-22', 30, 'model', 2);
    assert.equal(s.days.length, 30);
    assert.deepEqual([s.days[0], s.days[29]], ['2026-10-24', '2026-11-22']);
    assert.deepEqual(
      s.series.map((x) => [x.name, x.costUSD[0], x.costUSD[29]]),
      [
        ['a', 7, 1],
        ['c', 0, 3],
        ['other (1)', 0, 2],
      ],
    );
  });
});
