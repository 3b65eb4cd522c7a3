import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { objectAt, storedFigures } from '../../../../src/node/cli/cli-statusline';
import { REPORT_FILE } from '../../../../src/node/scan/index-store';
import { removeTree, tempDir } from '../../hardening/helpers';

function localDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

describe('statusline: figures from the stored report without parsing all of it', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir('ccm-sl-figures-');
  });
  afterEach(() => removeTree(dir));

  const store = (report: unknown, header: unknown = { engineKey: 'x', listing: { files: ['{"sessionId":"a"'] } }): void => {
    fs.writeFileSync(path.join(dir, REPORT_FILE), `${JSON.stringify(header)}\n${JSON.stringify(report)}`);
  };

  it('objectAt skips braces and escaped quotes inside strings, and gives undefined for an object that does not close', () => {
    const b = Buffer.from('xx{"a":"}{\\"}","b":{"c":[1,{"d":"é}"}]}}tail');
    assert.deepEqual(objectAt(b, 2), { a: '}{"}', b: { c: [1, { d: 'é}' }] } });
    assert.equal(objectAt(Buffer.from('{"a":{"b":1}'), 0), undefined);
    assert.equal(objectAt(Buffer.from('{"a":tru}'), 0), undefined);
  });

  it("finds every session's and today's dollars exactly as a full parse does, and nothing for an unknown session", () => {
    const now = Date.now();
    const sessions = Array.from({ length: 300 }, (_, i) => ({
      sessionId: `s-${i}`,
      project: `/p/{weird} "name" ${i}`,
      costUSD: i * 0.37 + 1e-9,
      subagents: [{ agentId: `s-${i + 1}`, costUSD: 999 }],
      models: ['claude-opus-4-6'],
    }));
    const days = [{ date: '2020-01-01', costUSD: 5 }, { date: localDate(now), costUSD: 12.5 }];
    // totals first, as the report is printed; a subagent's id equal to another session's must not be taken for it.
    store({ totals: { costUSD: 1, sessions: 300 }, sessions, days, projects: [{ project: '/p', sessions: 300 }] });
    for (const s of sessions) {
      const f = storedFigures(dir, s.sessionId, now);
      assert.equal(f.sessionUSD, s.costUSD, s.sessionId);
      assert.equal(f.todayUSD, 12.5);
      assert.ok(f.writtenMs > 0);
    }
    assert.equal(storedFigures(dir, 'missing', now).sessionUSD, null);
    assert.equal(storedFigures(dir, null, now).sessionUSD, null);
  });

  it('today with no row is $0 for a report made today, unknown for an older one; no report or a foreign file gives nothing', () => {
    const now = Date.now();
    store({ totals: {}, sessions: [], days: [{ date: '2020-01-01', costUSD: 5 }] });
    assert.equal(storedFigures(dir, 'a', now).todayUSD, 0);
    const old = new Date(now - 3 * 86_400_000);
    fs.utimesSync(path.join(dir, REPORT_FILE), old, old);
    assert.equal(storedFigures(dir, 'a', now).todayUSD, null);
    fs.writeFileSync(path.join(dir, REPORT_FILE), 'not ours');
    assert.deepEqual(storedFigures(dir, 'a', now), { sessionUSD: null, todayUSD: null, writtenMs: 0 });
    fs.rmSync(path.join(dir, REPORT_FILE));
    assert.deepEqual(storedFigures(dir, 'a', now), { sessionUSD: null, todayUSD: null, writtenMs: 0 });
  });
});
