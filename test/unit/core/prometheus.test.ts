/** The team export's metric families (src/core/prometheus.ts): figures from the engine, the exposition text. */
import { strict as assert } from 'node:assert';
import { buildReport } from '../../../src/core/report';
import { boundedLabel, escapeLabel, exportFigures, instanceProblem, MAX_LABEL_CHARS, projectName, renderExposition } from '../../../src/core/prometheus';
import { feed, newEngine } from '../support/engine';
import { assistantLine } from '../support/lines';

/** Sonnet 4.6: $3 in, $15 out, $3.75 5m write, $6 1h write, $0.30 read per MTok; Opus 4.6: $5 / $25 / … */
const files = {
  'a/s1.jsonl': [
    assistantLine({ id: 'm1', req: 'r1', session: 's1', cwd: '/home/ann/shop', model: 'claude-sonnet-4-6', input: 1000, output: 2000, read: 10_000, w5: 100 }),
    assistantLine({ id: 'm2', req: 'r2', session: 's1', cwd: '/home/ann/shop', model: 'claude-opus-4-6', input: 10, output: 10, geo: 'us' }),
    assistantLine({ id: 'm3', req: 'r3', session: 's1', cwd: '/home/ann/shop', model: 'claude-nova-1', input: 5, output: 5 }),
  ].join('\n') + '\n',
  'b/s2.jsonl': assistantLine({ id: 'm4', req: 'r4', session: 's2', cwd: 'C:\\Users\\bob\\api "x"\n', model: 'claude-sonnet-4-6', input: 7, output: 7 }) + '\n',
};

describe('prometheus: team export figures and exposition', () => {
  const engine = newEngine();
  feed(engine, files);
  const report = buildReport(engine);

  it('one series per (model, project name): the report\'s dollars, tokens and calls; no path is sent', () => {
    const f = exportFigures(engine, report, { version: 't' });
    assert.deepEqual(
      f.series.map((s) => [s.model, s.project, s.calls, s.unpricedCalls, s.priced]),
      [
        ['claude-nova-1', 'shop', 1, 1, false],
        ['claude-opus-4-6', 'shop', 1, 0, true],
        ['claude-sonnet-4-6', 'api "x"\n', 1, 0, true],
        ['claude-sonnet-4-6', 'shop', 1, 0, true],
      ],
    );
    const sonnetShop = f.series[3];
    assert.equal(sonnetShop?.costUSD, (1000 * 3 + 2000 * 15 + 10_000 * 0.3 + 100 * 3.75) / 1e6);
    assert.equal(sonnetShop?.tokens.read, 10_000);
    const sum = f.series.reduce((a, s) => a + s.costUSD, 0);
    assert.ok(Math.abs(sum - report.totals.costUSD) < 1e-15, `${sum} vs ${report.totals.costUSD}`);
    const text = renderExposition(f);
    assert.doesNotMatch(text, /\/home|Users|ann|bob/);
  });

  it('the text: HELP and TYPE per family, escaped labels, full-precision values, no cost for an unpriced model', () => {
    const text = renderExposition(exportFigures(engine, report, { version: '1.2.3', current: report.sessions.find((s) => s.sessionId === 's1') }));
    assert.match(text, /^# HELP claude_code_cost_usd_total .+\n# TYPE claude_code_cost_usd_total counter\n/);
    assert.match(text, /\nclaude_code_cost_usd_total\{model="claude-sonnet-4-6",project="api \\"x\\"\\n"\} 0\.000126\n/);
    assert.match(text, /\nclaude_code_cost_usd_total\{model="claude-sonnet-4-6",project="shop"\} 0\.036375\n/);
    assert.doesNotMatch(text, /claude_code_cost_usd_total\{model="claude-nova-1"/);
    assert.match(text, /\nclaude_code_unpriced_calls_total\{model="claude-nova-1",project="shop"\} 1\n/);
    assert.match(text, /\nclaude_code_tokens_total\{model="claude-sonnet-4-6",project="shop",bucket="cache_read"\} 10000\n/);
    assert.match(text, /\nclaude_code_session_cost_usd\{model="claude-nova-1"\} [0-9.e-]+\n/);
    assert.match(text, /\nclaude_code_cache_hit_ratio [0-9.e-]+\n/);
    assert.match(text, /\nclaude_code_meter_info\{version="1\.2\.3",price_table="[0-9-]+"\} 1\n$/);
    for (const line of text.split('\n').filter((l) => l !== '' && !l.startsWith('#'))) {
      assert.match(line, /^[a-z_]+(\{.*\})? (-?[0-9.e+-]+|NaN)$/, line);
    }
  });

  it('project names hashed when asked; kept rows (transcripts deleted) keep the counters from going down', () => {
    const kept = [{ day: '2026-01-01', sessionId: 'gone', part: 'main', project: '/home/ann/shop', model: 'claude-sonnet-4-6', costUSD: 1.5, tokens: { input: 1, output: 2, write5m: 0, write1h: 0, read: 0, webSearches: 0 }, messages: 3 }];
    const f = exportFigures(engine, report, { version: 't', kept, projectLabel: (n) => `h(${n})` });
    const s = f.series.find((x) => x.model === 'claude-sonnet-4-6' && x.project === 'h(shop)');
    assert.equal(s?.calls, 4);
    assert.equal(s?.costUSD, (1000 * 3 + 2000 * 15 + 10_000 * 0.3 + 100 * 3.75) / 1e6 + 1.5);
  });

  it('label and instance bounds', () => {
    assert.equal(projectName('/a/b/'), 'b');
    assert.equal(projectName('C:\\x\\y'), 'y');
    assert.equal(projectName(null), '(unknown project)');
    assert.equal([...boundedLabel('é'.repeat(5000))].length, MAX_LABEL_CHARS);
    assert.equal(boundedLabel('short'), 'short');
    assert.equal(escapeLabel('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
    assert.equal(instanceProblem('ann@box'), undefined);
    assert.match(instanceProblem('') ?? '', /empty/);
    assert.match(instanceProblem('x'.repeat(129)) ?? '', /129 characters/);
    assert.match(instanceProblem('a\nb') ?? '', /control/);
  });
});
