/**
 * Ground truth of a real-client run: the usage the stand-in API served, priced
 * with our table, compared with our report of the transcript tree.
 */
import { strict as assert } from 'node:assert';
import { Engine } from '../../src/core/engine';
import { bundledPriceTable } from '../../src/core/pricing/price-table';
import { costOn, type TokenCounts } from '../../src/core/pricing/rate-card';
import { buildReport, type Report, type TokenFields } from '../../src/core/report';
import { scanAllSync } from '../../src/node/scan/scan';
import type { GroundTruth } from './run-scenario';
import type { ServedCall } from './stand-in-api';

const prices = bundledPriceTable();

/** Served token sums per bucket, their cost on our table, and the number of calls. */
interface Truth extends TokenCounts {
  cost: number;
  calls: number;
}

export function truthOf(calls: readonly ServedCall[]): Truth {
  const t: Truth = { input: 0, output: 0, write5m: 0, write1h: 0, read: 0, webSearches: 0, cost: 0, calls: 0 };
  for (const c of calls) {
    const u = c.usage;
    const tokens = {
      input: u.input_tokens,
      output: u.output_tokens,
      write5m: u.cache_creation.ephemeral_5m_input_tokens,
      write1h: u.cache_creation.ephemeral_1h_input_tokens,
      read: u.cache_read_input_tokens,
      webSearches: u.server_tool_use.web_search_requests,
    };
    const card = prices.rateFor({
      model: c.model,
      timestampMs: Date.parse(c.servedAt),
      promptTokens: tokens.input + tokens.write5m + tokens.write1h + tokens.read,
      fast: u.speed === 'fast',
      geoUs: u.inference_geo === 'us',
    });
    assert.ok(card, `served model ${c.model} is priced`);
    t.input += tokens.input;
    t.output += tokens.output;
    t.write5m += tokens.write5m;
    t.write1h += tokens.write1h;
    t.read += tokens.read;
    t.webSearches += tokens.webSearches;
    t.cost += costOn(card, tokens);
    t.calls++;
  }
  return t;
}

function assertTokens(actual: TokenFields, t: Truth, label: string): void {
  assert.deepEqual(
    [actual.inputTokens, actual.outputTokens, actual.cacheWrite5mTokens, actual.cacheWrite1hTokens, actual.cacheReadTokens, actual.webSearchRequests],
    [t.input, t.output, t.write5m, t.write1h, t.read, t.webSearches],
    `${label}: tokens (input, output, 5m, 1h, read, web searches)`,
  );
}

function assertCost(actual: number, expected: number, calls: number, label: string): void {
  assert.ok(Math.abs(actual - expected) <= 1e-6 * Math.max(1, calls), `${label}: cost ${actual} != ${expected}`);
}


/** Our report of a `projects/` tree, days in UTC. */
export function reportOfTree(projectsDir: string): Report {
  const engine = new Engine({ prices, timeZone: 'UTC' });
  scanAllSync(engine, [projectsDir]);
  return buildReport(engine);
}

/**
 * Totals equal the served usage (tokens exactly, cost to $0.000001 per call);
 * `messages` counts itemised calls only; un-itemised cost equals the calls the
 * transcript leaves out; each session equals its served usage and Claude
 * Code's own cost-state.
 */
export function checkAgainstGroundTruth(report: Report, truth: GroundTruth): void {
  const t = truthOf(truth.served);
  assert.ok(t.calls > 0);
  assertTokens(report.totals, t, 'totals');
  assertCost(report.totals.costUSD, t.cost, t.calls, 'totals');
  assert.equal(report.skipped.malformedLines, 0, 'no 2.1.330 line is malformed');
  assert.deepEqual(report.skipped.unpricedModels, []);
  const itemised = truth.served.filter((c) => c.kind === 'main' || c.kind === 'subagent');
  assert.equal(report.totals.messages, itemised.length, 'messages counts itemised calls only');
  const left = truthOf(truth.served.filter((c) => c.kind !== 'main' && c.kind !== 'subagent'));
  assertCost(report.totals.unitemisedCostUSD, left.cost, left.calls, 'not itemised');

  const bySession = new Map<string, ServedCall[]>();
  for (const c of truth.served) {
    const list = bySession.get(c.sessionId) ?? [];
    list.push(c);
    bySession.set(c.sessionId, list);
  }
  for (const [sessionId, calls] of bySession) {
    const s: Report['sessions'][number] | undefined = report.sessions.find((x) => x.sessionId === sessionId);
    assert.ok(s, `session ${sessionId} reported`);
    const st = truthOf(calls);
    assertTokens(s, st, sessionId);
    assertCost(s.costUSD, st.cost, st.calls, sessionId);
    assert.equal(s.itemisation, 'reconciled');
    assert.ok(s.claudeCodeCostUSD !== null);
    assertCost(s.claudeCodeCostUSD, st.cost, st.calls, `${sessionId} cost-state`);
    assert.ok(s.project?.endsWith('project'), `project from cwd: ${String(s.project)}`);
  }
}
