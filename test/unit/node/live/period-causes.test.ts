/**
 * The meter keeps where the money went today and in the last 30 days, and
 * what this week's cache misses cost (#20), live: a real meter on a temp tree
 * with three sessions (today, three days ago with an idle cache miss, 40 days
 * ago), then an append to today's session.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CALLS, CAUSE_SESSION, SONNET, assistant, causeSessionFiles, prompt, ts, usd } from '../../support/cause-session';
import { sumCauseDays } from '../../../../src/core/cause-sums';
import { bundledPriceTable } from '../../../../src/core/pricing/price-table';
import { defaultSettings } from '../../../../src/core/settings';
import { Meter } from '../../../../src/node/live/meter';
import { daysBefore } from '../../../../src/node/live/period-causes';
import { buildPanelSnapshot } from '../../../../src/node/panel-snapshot';

const B = 'bbbbbbbb-0000-4000-8000-000000000020';
const C = 'cccccccc-1111-4000-8000-000000000020';
const DAY = 1440;
const B1 = { input: 10, output: 50, w5: 20_000 };
const B2 = { input: 10, output: 50, w5: 20_000 };
const OLD = { input: 100, output: 100 };

function write(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(root, 'projects', rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
}

describe('the meter: where the money goes today and over 30 days (#20)', () => {
  let temp = '';
  before(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-period-causes-'));
    write(temp, {
      ...causeSessionFiles(),
      // Three days ago: a call, 20 idle minutes (past the 5-minute lifetime), a call that writes the cache again.
      [`-work-causes/${B}.jsonl`]: `${[prompt('hi', -3 * DAY, false, B), assistant({ id: 'msg_b1', at: -3 * DAY + 0.1, usage: B1, session: B }), prompt('again', -3 * DAY + 20, false, B), assistant({ id: 'msg_b2', at: -3 * DAY + 20.1, usage: B2, session: B })].join('\n')}\n`,
      [`-work-causes/${C}.jsonl`]: `${[prompt('long ago', -40 * DAY, false, C), assistant({ id: 'msg_old', at: -40 * DAY + 0.1, usage: OLD, session: C })].join('\n')}\n`,
    });
  });
  after(() => fs.rmSync(temp, { recursive: true, force: true }));

  it('sums each session by day and cause, exactly, with this week’s cache misses, and follows an append', async function () {
    this.timeout(20_000);
    const nowMs = Date.parse(ts(10));
    const meter = new Meter({ prices: bundledPriceTable(), settings: { ...defaultSettings(), timeZone: 'UTC' }, workspaceFolders: ['/work/causes'], env: { CLAUDE_CONFIG_DIR: temp }, home: os.tmpdir(), throttleMs: 0, now: () => nowMs });
    const settled = async (ok: () => boolean) => {
      for (let i = 0; i < 100 && !ok(); i++) {
        await new Promise<void>((resolve) => meter.once('update', () => resolve()));
      }
    };
    try {
      await meter.start();
      await settled(() => meter.snapshot.periodCauses?.pending === 0 && (meter.snapshot.periodCauses.last30.length ?? 0) > 0);
      const p = meter.snapshot.periodCauses;
      assert.ok(p);
      const sessions = meter.snapshot.report?.sessions ?? [];
      const costOf = (id: string) => sessions.find((s) => s.sessionId === id)?.costUSD ?? NaN;
      const sum = (rows: Array<{ costUSD: number }>) => rows.reduce((s, r) => s + r.costUSD, 0);
      assert.ok(Math.abs(sum(p.today) - costOf(CAUSE_SESSION)) < 1e-12, 'today: the session of today');
      assert.ok(Math.abs((p.today.find((c) => c.cause === 'mcp:github')?.costUSD ?? 0) - usd(SONNET, CALLS.c3)) < 1e-12);
      assert.ok(Math.abs(sum(p.last30) - costOf(CAUSE_SESSION) - costOf(B)) < 1e-12, '30 days: not the session of 40 days ago');
      assert.ok(costOf(C) > 0);
      assert.equal(p.last30.find((c) => c.cause === 'prompt')?.calls, 2 + 2, 'two prompts today, two three days ago');
      assert.equal(p.weekMisses, 1);
      assert.ok(Math.abs(p.weekMissCostUSD - (20_000 * (3.75 - 0.3)) / 1e6) < 1e-12, String(p.weekMissCostUSD));

      const panel = buildPanelSnapshot(meter.snapshot, null, () => undefined, () => null, nowMs);
      assert.deepEqual(panel.causeRanges?.today.map((c) => c.cause), p.today.map((c) => c.cause));
      assert.equal(panel.causeRanges?.weekMisses, 1);

      // A new prompt and its call, appended live: today's prompt row grows by one call.
      const main = path.join(temp, 'projects', '-work-causes', `${CAUSE_SESSION}.jsonl`);
      const extra = { input: 5, output: 40, w5: 100, read: 11_000 };
      fs.appendFileSync(main, `${prompt('and the docs', 8)}\n${assistant({ id: 'msg_c7', at: 8.1, usage: extra })}\n`);
      await settled(() => meter.snapshot.periodCauses?.today.find((c) => c.cause === 'prompt')?.calls === 3 && meter.snapshot.periodCauses.pending === 0);
      const after = meter.snapshot.periodCauses;
      assert.equal(after?.today.find((c) => c.cause === 'prompt')?.calls, 3);
      assert.ok(Math.abs(sum(after?.today ?? []) - sum(p.today) - usd(SONNET, extra)) < 1e-12);
    } finally {
      await meter.dispose();
    }
  });

  it('adds day rows over a range by cause, and counts days back on the calendar', () => {
    const rows = [
      { day: '2026-11-01', cause: 'Read', kind: 'tool' as const, calls: 1, costUSD: 0.5 },
      { day: '2026-11-02', cause: 'Read', kind: 'tool' as const, calls: 2, costUSD: 0.25 },
      { day: '2026-11-02', cause: 'prompt', kind: 'prompt' as const, calls: 1, costUSD: 1 },
      { day: '2026-10-31', cause: 'Bash', kind: 'tool' as const, calls: 1, costUSD: 9 },
    ];
    assert.deepEqual(sumCauseDays(rows, '2026-11-01', '2026-11-02'), [
      { cause: 'prompt', kind: 'prompt', calls: 1, costUSD: 1 },
      { cause: 'Read', kind: 'tool', calls: 3, costUSD: 0.75 },
    ]);
    assert.equal(daysBefore('2026-03-01', 1), '2026-02-28');
    assert.equal(daysBefore('2026-11-20', 29), '2026-10-22');
  });
});
