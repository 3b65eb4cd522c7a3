/**
 * Ground truth of a real-client run: the usage the stand-in API served, priced
 * with our table, compared with our report of the transcript tree.
 */
import { strict as assert } from 'node:assert';
import { Engine } from '../../src/core/engine';
import { bundledPriceTable } from '../../src/core/pricing/price-table';
import { costOn } from '../../src/core/pricing/rate-card';
import type { CallTokens } from '../../src/core/transcript/transcript';
import { buildReport, type Report, type TokenFields } from '../../src/core/report';
import { scanAllSync } from '../unit/support/scan';
import type { GroundTruth } from './run-scenario';
import type { ServedCall } from './stand-in-api';

const prices = bundledPriceTable();

/** Served token sums per bucket, their cost on our table, and the number of calls. */
interface Truth extends CallTokens {
  cost: number;
  calls: number;
  /** Advisor inferences (`advisor_message` iterations) among them. */
  advisorCalls: number;
}

/** The inferences one served call bills: its requests (each `message` iteration when there are two or more, else the top level) and its advisors. */
function inferencesOf(c: ServedCall): Array<{ model: string; tokens: CallTokens; advisor: boolean }> {
  const u = c.usage;
  const web = u.server_tool_use.web_search_requests;
  const its = u.iterations ?? [];
  const messages = its.filter((it) => it.type === 'message');
  const of = (x: { input_tokens: number; output_tokens: number; cache_read_input_tokens: number; cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number } }, webSearches: number): CallTokens => ({
    input: x.input_tokens,
    output: x.output_tokens,
    write5m: x.cache_creation.ephemeral_5m_input_tokens,
    write1h: x.cache_creation.ephemeral_1h_input_tokens,
    read: x.cache_read_input_tokens,
    webSearches,
  });
  const requests = messages.length >= 2 ? messages.map((m, i) => of(m, i === messages.length - 1 ? web : 0)) : [of(u, web)];
  return [
    ...requests.map((tokens) => ({ model: c.model, tokens, advisor: false })),
    ...its.filter((it) => it.type === 'advisor_message').map((it) => ({ model: it.model ?? '', tokens: of(it, 0), advisor: true })),
  ];
}

export function truthOf(calls: readonly ServedCall[]): Truth {
  const t: Truth = { input: 0, output: 0, write5m: 0, write1h: 0, read: 0, webSearches: 0, cost: 0, calls: 0, advisorCalls: 0 };
  for (const c of calls) {
    for (const { model, tokens, advisor } of inferencesOf(c)) {
      const card = prices.rateFor({
        model,
        timestampMs: Date.parse(c.servedAt),
        promptTokens: tokens.input + tokens.write5m + tokens.write1h + tokens.read,
        fast: !advisor && c.usage.speed === 'fast',
        geoUs: c.usage.inference_geo === 'us',
      });
      assert.ok(card, `served model ${model} is priced`);
      t.input += tokens.input;
      t.output += tokens.output;
      t.write5m += tokens.write5m;
      t.write1h += tokens.write1h;
      t.read += tokens.read;
      t.webSearches += tokens.webSearches;
      t.cost += costOn(card, tokens);
      t.advisorCalls += advisor ? 1 : 0;
    }
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

/** Served usage of the advisor inferences, per model. */
function advisorsByModel(calls: readonly ServedCall[]): Map<string, { input: number; output: number; count: number }> {
  const out = new Map<string, { input: number; output: number; count: number }>();
  for (const c of calls) {
    for (const it of c.usage.iterations ?? []) {
      if (it.type === 'advisor_message') {
        const m = out.get(it.model ?? '') ?? { input: 0, output: 0, count: 0 };
        m.input += it.input_tokens;
        m.output += it.output_tokens;
        m.count++;
        out.set(it.model ?? '', m);
      }
    }
  }
  return out;
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
  assert.equal(report.totals.messages, itemised.length, 'messages counts itemised main-model calls only');
  assert.equal(report.totals.advisorCalls, truthOf(itemised).advisorCalls, 'advisorCalls counts the advisor inferences');
  // Each advisor is itemised under its own model (whatever else that model did).
  for (const [model, a] of advisorsByModel(itemised)) {
    const row = report.models.find((m) => m.model === model);
    assert.ok(row, `advisor model ${model} has a row`);
    assert.equal(row.advisorCalls, a.count, `${model}: advisorCalls`);
    assert.ok(row.inputTokens >= a.input && row.outputTokens >= a.output, `${model}: the advisor's tokens`);
  }
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
