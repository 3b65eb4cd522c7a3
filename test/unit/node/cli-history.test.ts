/**
 * The CLI keeps the same history as the extension (issue #26.5): a session
 * whose main file Claude Code deleted still counts, every dollar of it, in
 * `report`, `session` and the exports, run after run.
 *
 * Sonnet 4.6 at $3 per million input tokens: the main chain's 1,000,000
 * input tokens cost $3.00, the subagent's 100,000 cost $0.30.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ReportWithHistory } from '../../../src/core/history';
import { storedReportAnswer } from '../../../src/node/cli/cli-launch';
import { HISTORY_FILE } from '../../../src/node/live/history-store';
import { capture, runCli } from '../support/cli';
import { assistantLine } from '../support/lines';

const S = 'bbbbbbbb-0000-4000-8000-000000000001';
const T = 'bbbbbbbb-0000-4000-8000-000000000002';
const close = (a: number | undefined, b: number, what: string) => assert.ok(a !== undefined && Math.abs(a - b) < 1e-9, `${what}: ${a} != ${b}`);

describe('CLI history: deleted transcripts still count', function () {
  this.timeout(30_000);
  let temp = '';
  let claude = '';
  let cache = '';
  let mainFile = '';
  beforeEach(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-cli-history-'));
    claude = path.join(temp, 'claude');
    cache = path.join(temp, 'cache');
    const project = path.join(claude, 'projects', '-work-p');
    fs.mkdirSync(path.join(project, S, 'subagents'), { recursive: true });
    mainFile = path.join(project, `${S}.jsonl`);
    fs.writeFileSync(mainFile, assistantLine({ session: S, id: 'm1', req: 'r1', ts: '2026-10-05T10:00:00.000Z', input: 1_000_000, output: 0, cwd: '/work/p' }) + '\n');
    fs.writeFileSync(path.join(project, S, 'subagents', 'agent-a1.jsonl'), assistantLine({ session: S, id: 'a1', req: 'ra1', ts: '2026-10-05T10:01:00.000Z', input: 100_000, output: 0, side: true, cwd: '/work/p' }) + '\n');
    fs.writeFileSync(path.join(project, `${T}.jsonl`), assistantLine({ session: T, id: 't1', req: 'rt1', ts: '2026-11-20T10:00:00.000Z', input: 2_000_000, output: 0, cwd: '/work/p' }) + '\n');
  });
  afterEach(() => fs.rmSync(temp, { recursive: true, force: true }));

  const report = async (...extra: string[]) => {
    const r = await runCli(['report', '--json', '--config-dir', claude, '--cache-dir', cache, '--tz', 'UTC', ...extra]);
    assert.equal(r.code, 0, r.stderr);
    return { report: JSON.parse(r.stdout) as ReportWithHistory, stderr: r.stderr };
  };
  const session = (r: ReportWithHistory) => r.sessions.find((s) => s.sessionId === S);

  it('run twice with the same cache dir, the main file deleted in between: every dollar of the session, main and subagent, in the second and third runs', async () => {
    const first = (await report()).report;
    close(first.totals.costUSD, 9.3, 'first run');
    close(session(first)?.costUSD, 3.3, 'first run, the session');
    assert.equal(session(first)?.keptFromHistory, undefined);
    assert.ok(fs.existsSync(path.join(cache, HISTORY_FILE)), 'the history is in the cache dir');

    fs.rmSync(mainFile); // Claude Code's cleanup: the main file goes, the subagent file stays.
    for (const run of ['second', 'third']) {
      const r = (await report()).report;
      close(r.totals.costUSD, 9.3, `${run} run, totals`);
      const s = session(r);
      close(s?.costUSD, 3.3, `${run} run, the session (main from history, subagent live)`);
      close(s?.subagentCostUSD, 0.3, `${run} run, its subagent`);
      close(s?.keptFromHistory?.costUSD, 3, `${run} run, kept from history`);
      assert.deepEqual(s?.keptFromHistory?.parts, ['main']);
      close(r.days.find((d) => d.date === '2026-10-05')?.costUSD, 3.3, `${run} run, its day`);
      close(r.projects.find((p) => p.project === '/work/p')?.costUSD, 9.3, `${run} run, its project`);
      assert.equal(r.keptFromHistory.sessions, 1);
    }
    // The third run's answer, from the fast launcher (nothing changed): the same dollars.
    const out = capture();
    const argv = ['report', '--json', '--config-dir', claude, '--cache-dir', cache, '--tz', 'UTC'];
    assert.equal(storedReportAnswer(argv, {}, out.stream, capture().stream), 0);
    close((JSON.parse(out.text()) as ReportWithHistory).totals.costUSD, 9.3, 'stored answer');

    // Then the subagent file goes too: the whole session from history.
    fs.rmSync(path.join(path.dirname(mainFile), S), { recursive: true });
    const gone = (await report()).report;
    close(gone.totals.costUSD, 9.3, 'both files gone');
    assert.deepEqual(session(gone)?.keptFromHistory?.parts, ['agent:agent-a1', 'main']);
    assert.equal(session(gone)?.contextState, 'none');

    // `session` and the CSV export include it.
    const one = await runCli(['session', S, '--json', '--config-dir', claude, '--cache-dir', cache, '--tz', 'UTC']);
    assert.equal(one.code, 0, one.stderr);
    close((JSON.parse(one.stdout) as { session: { costUSD: number } }).session.costUSD, 3.3, 'session command');
    const csv = await runCli(['report', '--csv', '--config-dir', claude, '--cache-dir', cache, '--tz', 'UTC']);
    assert.match(csv.stdout, new RegExp(`^session,${S},,/work/p,3\\.3`, 'm'));
    // --since/--until: the kept days count only within the range.
    close((await report('--since', '2026-11-01')).report.totals.costUSD, 6, 'since November');
    close((await report('--until', '2026-10-31')).report.totals.costUSD, 3.3, 'until October');
  });

  it('--no-history keeps and reads nothing; --history-dir points at another store', async () => {
    await report('--no-history');
    assert.equal(fs.existsSync(path.join(cache, HISTORY_FILE)), false);
    const other = path.join(temp, 'elsewhere');
    await report('--history-dir', other);
    assert.ok(fs.existsSync(path.join(other, HISTORY_FILE)));
    fs.rmSync(mainFile);
    close((await report('--no-history')).report.totals.costUSD, 6.3, 'without history, the deleted file is gone');
    close((await report('--history-dir', other)).report.totals.costUSD, 9.3, 'with the other store');
    const bad = await runCli(['report', '--no-history', '--history-dir', other]);
    assert.equal(bad.code, 2);
    const inside = await runCli(['report', '--config-dir', claude, '--history-dir', path.join(claude, 'x')]);
    assert.equal(inside.code, 2);
    assert.match(inside.stderr, /refusing to keep the history inside a Claude folder/);
  });
});
