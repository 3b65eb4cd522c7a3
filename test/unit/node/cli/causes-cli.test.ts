/**
 * `claude-cost session ID --json` gains `causes` and `cacheMisses` (#20),
 * read from the session's files on a real temp tree, also printed as tables.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../support/cli';
import { CALLS, CAUSE_SESSION, HAIKU, SONNET, causeSessionFiles, usd } from '../../support/cause-session';
import type { CauseRow, CacheMiss } from '../../../../src/core/causes';
import { Meter } from '../../../../src/node/live/meter';
import { bundledPriceTable } from '../../../../src/core/pricing/price-table';
import { defaultSettings } from '../../../../src/core/settings';
import { panelSession } from '../../../../src/node/panel-snapshot';

describe('claude-cost session: causes and cache misses (#20)', () => {
  let temp = '';
  before(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-causes-'));
    for (const [rel, text] of Object.entries(causeSessionFiles())) {
      const file = path.join(temp, 'projects', rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
    }
  });
  after(() => fs.rmSync(temp, { recursive: true, force: true }));

  it('--json gives each cause with exact dollars that add up to the session', async () => {
    const r = await runCli(['session', CAUSE_SESSION.slice(0, 8), '--json', '--no-cache', '--config-dir', temp]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { session: { costUSD: number }; causes: CauseRow[]; cacheMisses: CacheMiss[] };
    const by = Object.fromEntries(out.causes.map((c) => [c.cause, c]));
    assert.ok(Math.abs((by['mcp:github']?.costUSD ?? 0) - usd(SONNET, CALLS.c3)) < 1e-12);
    assert.ok(Math.abs((by['subagent:Explore']?.costUSD ?? 0) - usd(HAIKU, CALLS.s1) - usd(HAIKU, CALLS.s2)) < 1e-12);
    assert.equal(by.Agent?.calls, 1);
    assert.equal(by.prompt?.calls, 2);
    assert.deepEqual(Object.keys(by[out.causes[0]!.cause]!).sort(), ['calls', 'cause', 'costUSD', 'kind', 'rereadCostUSD', 'tokensAdded', 'unpricedCalls']);
    assert.ok(Math.abs(out.causes.reduce((s, c) => s + c.costUSD, 0) - out.session.costUSD) < 1e-12);
    assert.deepEqual(out.cacheMisses, []);
  });

  it('prints the causes as a table', async () => {
    const r = await runCli(['session', CAUSE_SESSION, '--no-cache', '--config-dir', temp]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Where the money goes$/m);
    assert.match(r.stdout, /^mcp:github\s+mcp\s+1\s+\$0\.0\d/m);
    assert.match(r.stdout, /^subagent:Explore\s+subagent\s+2\s/m);
    assert.match(r.stdout, /^Cache misses: none$/m);
  });

  it('report --causes --json adds the causes over the period, adding up to the itemised total', async () => {
    const r = await runCli(['report', '--causes', '--json', '--no-cache', '--config-dir', temp, '--tz', 'UTC']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { totals: { costUSD: number; unitemisedCostUSD: number }; causes: CauseRow[]; cacheMissCostUSD: number };
    assert.equal(out.causes.length, 6);
    assert.ok(Math.abs(out.causes.reduce((s, c) => s + c.costUSD, 0) - (out.totals.costUSD - out.totals.unitemisedCostUSD)) < 1e-12);
    const outside = await runCli(['report', '--causes', '--json', '--no-cache', '--config-dir', temp, '--tz', 'UTC', '--since', '2026-11-21']);
    assert.deepEqual((JSON.parse(outside.stdout) as { causes: CauseRow[] }).causes, [], 'no call in the period');
    const text = await runCli(['report', '--causes', '--no-cache', '--config-dir', temp, '--tz', 'UTC']);
    assert.match(text.stdout, /^Where the money goes$/m);
    assert.match(text.stdout, /^Cache misses: 0, costing \$0\.00 more than warm reads$/m);
    const plain = await runCli(['report', '--json', '--no-cache', '--config-dir', temp]);
    assert.equal((JSON.parse(plain.stdout) as { causes?: unknown }).causes, undefined, 'only with --causes');
  });
});

describe('the panel: where the money goes (#20)', () => {
  let temp = '';
  before(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-causes-panel-'));
    for (const [rel, text] of Object.entries(causeSessionFiles())) {
      const file = path.join(temp, 'projects', rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
    }
  });
  after(() => fs.rmSync(temp, { recursive: true, force: true }));

  it("reads a session's causes on demand, then the panel snapshot carries the table and the cache-miss line", async function () {
    this.timeout(20_000);
    const meter = new Meter({ prices: bundledPriceTable(), settings: defaultSettings(), workspaceFolders: ['/work/causes'], env: { CLAUDE_CONFIG_DIR: temp }, home: os.tmpdir(), throttleMs: 0 });
    try {
      await meter.start();
      const report = meter.snapshot.report;
      const session = report?.sessions.find((s) => s.sessionId === CAUSE_SESSION);
      assert.ok(session);
      const first = meter.sessionDetail(CAUSE_SESSION);
      assert.ok(first);
      assert.equal(panelSession(session, { ...first, causes: undefined }).causes, null, 'the panel says it is reading');
      // The meter reads the lines in the background and refreshes when done.
      for (let i = 0; i < 50 && meter.snapshot.currentDetail?.causes === undefined; i++) {
        await new Promise<void>((resolve) => meter.once('update', () => resolve()));
      }
      const detail = meter.sessionDetail(CAUSE_SESSION);
      assert.ok(detail?.causes);
      assert.match(meter.snapshot.status.tooltip, /Where the money goes: prompt \$0\.03 · mcp\\?:github \$0\.01 · Read \$0\.01(\s|$)/, "the top three causes of the current session");
      const panel = panelSession(session, detail);
      assert.ok(panel.causes);
      assert.equal(panel.causes.find((c) => c.cause === 'mcp:github')?.costUSD, detail?.causes?.causes.find((c) => c.cause === 'mcp:github')?.costUSD);
      assert.ok(Math.abs((panel.causes.find((c) => c.cause === 'mcp:github')?.costUSD ?? 0) - usd(SONNET, CALLS.c3)) < 1e-12);
      assert.ok(Math.abs(panel.causes.reduce((s, c) => s + c.costUSD, 0) - session.costUSD) < 1e-12);
      assert.deepEqual(panel.cacheMisses, { count: 0, extraCostUSD: 0 });
    } finally {
      await meter.dispose();
    }
  });
});
