import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundledPriceTable } from '../../../src/core/pricing/price-table';
import { defaultSettings, parseSettings } from '../../../src/core/settings';
import { buildStatusModel } from '../../../src/core/status-model';
import { activeNudges, evaluateNudges, emptyNudgeMemory } from '../../../src/core/nudges';
import { Meter } from '../../../src/node/live/meter';
import type { MeterSnapshot } from '../../../src/node/live/meter-view';
import { buildPanelSnapshot } from '../../../src/node/panel-snapshot';
import type { LimitsState } from '../../../src/core/limits';
import { assistantLine } from '../support/lines';
import { configFixture } from '../support/limits';
import { removeTree, tempDir } from '../hardening/helpers';

const H = 3600_000;

function limitsAt(percent: number | null, nowMs: number, plan: string | null = 'claude_max'): LimitsState {
  return {
    reading: { source: 'claude-config', fetchedAtMs: nowMs - 180_000, plan, windows: [{ id: 'five_hour', label: '5-hour', percent, resetsAtMs: nowMs + 2 * H }, { id: 'seven_day', label: 'Weekly (all models)', percent: 61, resetsAtMs: nowMs + 72 * H }], extraUsage: null, ignored: [] },
    plan,
    problems: [],
    pace: null,
  };
}

describe('plan limits in the status bar, nudges and panel', () => {
  const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);
  const base = {
    status: { kind: 'ready' as const },
    report: undefined,
    current: { sessionId: undefined, reason: 'none' as const },
    today: '2026-12-06',
    updatedAtMs: NOW,
    formatTime: (ms: number) => new Date(ms).toISOString().slice(11, 16),
    nudges: [],
    nowMs: NOW,
  };

  it('fills {fiveHour}, {weekLimit} and {limitsAge}; adds the 5-hour share for subscribers whose format has none', () => {
    const { settings, problems } = parseSettings((k) => (k === 'statusBar.format' ? '5h {fiveHour} · wk {weekLimit} · {limitsAge}' : undefined));
    assert.deepEqual(problems, []);
    const m = buildStatusModel({ ...base, settings, limits: limitsAt(42, NOW) });
    assert.equal(m.text, '$(pulse) today $0.00 · 5h 42%', 'no session: today and the 5-hour share');
    const tip = m.tooltip.replace(/\\(.)/g, '$1'); // as rendered (Markdown escapes removed)
    assert.match(tip, /\*\*Plan limits\*\* \(claude_max\)/);
    assert.match(tip, /5-hour: 42% · resets 14:00 \(in 2h 00m\)/);
    assert.match(tip, /3m old \(11:57\)/);
    const added = buildStatusModel({ ...base, settings: defaultSettings(), limits: limitsAt(42, NOW) });
    assert.match(added.text, / · 5h 42%$/);
    // No plan set, none detected and no reading: nothing about limits.
    const none = buildStatusModel({ ...base, settings: defaultSettings(), limits: { reading: null, plan: null, problems: ['no config'], pace: null } });
    assert.doesNotMatch(none.text, /5h/);
    assert.doesNotMatch(none.tooltip, /Plan limits/);
    // A plan set in the settings with no reading: shown as "-", never a number.
    const set = buildStatusModel({ ...base, settings: { ...defaultSettings(), 'plan.subscription': 'max5x' }, limits: { reading: null, plan: null, problems: ['no config'], pace: null } });
    assert.match(set.text, / · 5h -$/);
    assert.match(set.tooltip, /no reading yet/);
  });

  it('colours the status bar at the warning and error thresholds of the settings', () => {
    const settings = { ...defaultSettings(), 'limits.warnPercent': 70, 'limits.errorPercent': 90 };
    assert.equal(buildStatusModel({ ...base, settings, limits: limitsAt(69.9, NOW) }).severity, 'none');
    assert.equal(buildStatusModel({ ...base, settings, limits: limitsAt(70, NOW) }).severity, 'warning');
    assert.equal(buildStatusModel({ ...base, settings, limits: limitsAt(90, NOW) }).severity, 'error');
    assert.equal(buildStatusModel({ ...base, settings, limits: limitsAt(null, NOW) }).severity, 'none');
  });

  it('nudges once when the 5-hour share crosses a threshold, again at the next level, and not for a stale window', () => {
    const settings = defaultSettings();
    const facts = (percent: number, resetsAtMs = NOW + H) => ({
      sessionId: undefined,
      contextTokens: null,
      contextWindow: 200_000,
      sessionCostUSD: undefined,
      today: '2026-12-06',
      todayUSD: 0,
      lastActivityMs: undefined,
      cacheTtlMs: 300_000,
      nextTurn: null,
      fiveHour: { id: 'five_hour', label: '5-hour', percent, resetsAtMs },
      nowMs: NOW,
    });
    assert.deepEqual(activeNudges(facts(79), settings), []);
    let e = evaluateNudges(emptyNudgeMemory(), facts(81), settings);
    assert.deepEqual(e.notify.map((n) => [n.kind, n.level, n.title]), [['fiveHourLimit', 'warning', '5-hour limit at 81%']]);
    e = evaluateNudges(e.memory, facts(85), settings);
    assert.deepEqual(e.notify, [], 'still above: no repeat');
    e = evaluateNudges(e.memory, facts(96), settings);
    assert.deepEqual(e.notify.map((n) => n.level), ['error']);
    assert.deepEqual(activeNudges(facts(99, NOW - 1), settings), [], 'stale: no nudge');
  });

  it('gives the panel a plan-limits section only when limits apply', () => {
    const snap = { limits: limitsAt(42, NOW), apiEquivalent: '', report: undefined, current: { sessionId: undefined, reason: 'none' }, source: { kind: 'ready' }, today: '2026-12-06', updatedAtMs: NOW, nudges: [], history: undefined, priceOverrideErrors: [], currentDetail: undefined } as unknown as MeterSnapshot;
    const p = buildPanelSnapshot(snap, null, () => undefined, () => null, NOW, (ms) => new Date(ms).toISOString().slice(11, 16));
    assert.deepEqual(p.limits?.windows.map((w) => [w.id, w.percent, w.stale]), [
      ['five_hour', 42, false],
      ['seven_day', 61, false],
    ]);
    assert.equal(p.limits?.pace, 'Pace: not enough usage in this window to estimate');
    const off = buildPanelSnapshot({ ...snap, limits: { reading: null, plan: null, problems: [], pace: null } }, null, () => undefined, () => null, NOW);
    assert.equal(off.limits, null);
  });
});

describe('the meter reads and follows the plan limits', () => {
  let temp = '';
  let meter: Meter | undefined;
  afterEach(async () => {
    await meter?.dispose();
    meter = undefined;
    removeTree(temp);
  });

  it('shows the 5-hour share from the config, follows a change of the file, and estimates the pace from the window\'s transcripts', async () => {
    temp = tempDir('ccm-meter-limits-');
    const claude = path.join(temp, 'claude');
    const project = path.join(claude, 'projects', '-p');
    fs.mkdirSync(project, { recursive: true });
    const now = Date.now();
    // Two calls in the window: one an hour ago, one 10 minutes ago.
    fs.writeFileSync(
      path.join(project, 's.jsonl'),
      [assistantLine({ session: 's', id: 'm1', req: 'r1', ts: new Date(now - H).toISOString(), input: 100_000, output: 10_000 }), assistantLine({ session: 's', id: 'm2', req: 'r2', ts: new Date(now - 600_000).toISOString(), input: 100_000, output: 10_000 })].join('\n') + '\n',
    );
    const file = path.join(claude, '.claude.json');
    fs.writeFileSync(file, JSON.stringify(configFixture(now, 600_000)));
    meter = new Meter({ prices: bundledPriceTable(), settings: defaultSettings(), workspaceFolders: [], env: { CLAUDE_CONFIG_DIR: claude }, home: temp, rootPollMs: 100, throttleMs: 0, limits: { cacheDir: path.join(temp, 'cache') } });
    await meter.start();
    const first = meter.refreshNow();
    assert.match(first.status.text, / · 5h 37\.5%$/);
    assert.equal(first.limits?.reading?.source, 'claude-config');
    await meter.updateSettings({ ...defaultSettings(), 'statusBar.format': '{session} · 5h {fiveHour} · wk {weekLimit} · {limitsAge} old' });
    // The context (100k tokens) is at the /compact threshold: the item leads with the warning icon.
    assert.match(meter.snapshot.status.text, /^\$\(warning\) \$[\d.]+ · 5h 37\.5% · wk 61% · 10m old$/);
    await meter.updateSettings(defaultSettings());
    // 37.5% for two equal calls; one of them in the last 30 min: 18.75% per 30 min; 62.5% left → 100 min.
    assert.equal(first.limits?.pace?.kind, 'runsOut');
    const at = first.limits?.pace?.kind === 'runsOut' ? first.limits.pace.atMs : 0;
    assert.ok(Math.abs(at - (now + (62.5 / 18.75) * 30 * 60_000)) < 5_000, String(at - now));
    const c = configFixture(Date.now(), 1_000) as { cachedUsageUtilization: { utilization: { five_hour: { utilization: number } } } };
    c.cachedUsageUtilization.utilization.five_hour.utilization = 91;
    const changed = new Promise<MeterSnapshot>((resolve) => meter?.on('update', (s: MeterSnapshot) => s.status.text.endsWith('5h 91%') && resolve(s)));
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(c));
    fs.renameSync(`${file}.tmp`, file);
    const after = await changed;
    assert.equal(after.status.severity, 'warning');
    assert.ok(after.nudges.some((n) => n.kind === 'fiveHourLimit' && n.level === 'warning'));
  });
});
