/**
 * The stored daily history: the file, and the meter keeping a session's
 * cost after Claude Code deletes its transcript.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../../../../src/core/engine';
import { liveHistoryRows, type HistoryRow } from '../../../../src/core/history';
import { bundledPriceTable } from '../../../../src/core/pricing/price-table';
import { buildReport, ReportCache } from '../../../../src/core/report';
import { defaultSettings } from '../../../../src/core/settings';
import { HISTORY_FILE, loadHistory, saveHistory } from '../../../../src/node/live/history-store';
import { Meter } from '../../../../src/node/live/meter';
import type { MeterSnapshot } from '../../../../src/node/live/meter-view';
import { buildPanelSnapshot } from '../../../../src/node/panel-snapshot';
import { scanAllSync } from '../../support/scan';
import { assistantLine } from '../../support/lines';

const FIXTURES = path.resolve(__dirname, '../../../../../test/fixtures');

const row = (over: Partial<HistoryRow> = {}): HistoryRow => ({
  day: '2026-10-01',
  sessionId: 's',
  part: 'main',
  project: '/p',
  model: 'claude-sonnet-4-6',
  costUSD: 1.25,
  tokens: { input: 1, output: 2, write5m: 3, write1h: 4, read: 5, webSearches: 6 },
  messages: 7,
  ...over,
});

describe('history store', () => {
  let dir = '';
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-history-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('round-trips rows exactly, unpriced and unknown project included', () => {
    const rows = [row(), row({ sessionId: 't', project: null, costUSD: null, model: '<weird> "model"' })];
    saveHistory(dir, () => rows);
    assert.deepEqual(loadHistory(dir), { rows, problem: undefined });
    assert.deepEqual(
      fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')),
      [],
      'written atomically',
    );
  });

  it('a missing file is an empty history, quietly', () => {
    assert.deepEqual(loadHistory(path.join(dir, 'nowhere')), { rows: [], problem: undefined });
  });

  it('a corrupt or foreign file is reported and not trusted; a bad row is skipped and counted', () => {
    fs.writeFileSync(path.join(dir, HISTORY_FILE), '{"version":1,"rows":[');
    assert.match(loadHistory(dir).problem ?? '', /corrupt/);
    fs.writeFileSync(path.join(dir, HISTORY_FILE), JSON.stringify({ version: 99, rows: [] }));
    assert.match(loadHistory(dir).problem ?? '', /newer version/);
    saveHistory(dir, () => [row()]);
    const stored = JSON.parse(fs.readFileSync(path.join(dir, HISTORY_FILE), 'utf8')) as { rows: unknown[] };
    stored.rows.push(['2026-13', 's', null, 'm', 1, 0, 0, 0, 0, 0, 0, 0], ['2026-10-02', 's', null, 'm', -1, 0, 0, 0, 0, 0, 0, 0], ['2026-10-02', 's', null, 'm', 1, 0.5, 0, 0, 0, 0, 0, 0], 'x');
    fs.writeFileSync(path.join(dir, HISTORY_FILE), JSON.stringify(stored));
    const loaded = loadHistory(dir);
    assert.equal(loaded.rows.length, 1);
    assert.match(loaded.problem ?? '', /4 of its rows are malformed; it will be set aside/);
  });

  it('live rows of the real /compact fixture include the un-itemised compaction call', () => {
    const engine = new Engine({ prices: bundledPriceTable(), timeZone: 'UTC' });
    scanAllSync(engine, [path.join(FIXTURES, 'claude-code-2.1.330-compact', 'projects')]);
    const cache = new ReportCache();
    const report = buildReport(engine, { cache });
    assert.ok(report.totals.unitemisedCostUSD > 0);
    const projects = new Map(report.sessions.map((s) => [s.sessionId, s.project]));
    const rows = liveHistoryRows(engine, (id) => projects.get(id) ?? null, undefined, cache).rows;
    const sum = rows.reduce((a, r) => a + (r.costUSD ?? 0), 0);
    assert.ok(Math.abs(sum - report.totals.costUSD) < 1e-12, `${sum} vs ${report.totals.costUSD}`);
    // And without a cache (the CLI): the same.
    const again = liveHistoryRows(engine, (id) => projects.get(id) ?? null).rows.reduce((a, r) => a + (r.costUSD ?? 0), 0);
    assert.ok(Math.abs(again - report.totals.costUSD) < 1e-12);
  });
});

describe('meter with a history folder', function () {
  this.timeout(20_000);
  let temp = '';
  let meter: Meter | undefined;
  const NOW = Date.parse('2026-11-22T12:00:00Z');

  beforeEach(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-meter-history-'));
  });
  afterEach(async () => {
    await meter?.dispose();
    meter = undefined;
    fs.rmSync(temp, { recursive: true, force: true });
  });

  const start = async (claude: string, storage: string, settings = defaultSettings()) => {
    meter = new Meter({ prices: bundledPriceTable(), settings: { ...settings, timeZone: 'UTC' }, workspaceFolders: [], env: { CLAUDE_CONFIG_DIR: claude }, home: temp, rootPollMs: 100, throttleMs: 0, storageDir: storage, now: () => NOW });
    await meter.start();
    return meter.refreshNow();
  };

  it('keeps a deleted session in the 7/30/90-day views and says so; writes nothing under Claude\'s folder', async () => {
    const claude = path.join(temp, 'claude');
    const storage = path.join(temp, 'storage');
    const project = path.join(claude, 'projects', '-p');
    fs.mkdirSync(project, { recursive: true });
    const old = path.join(project, 'old.jsonl');
    // $3 input + $15 output per million on Sonnet 4.6: 1M input = $3.00; 100k output = $1.50.
    fs.writeFileSync(old, assistantLine({ session: 'old', ts: '2026-10-25T10:00:00.000Z', input: 1_000_000, output: 1, id: 'o1', req: 'o1' }) + '\n');
    fs.writeFileSync(path.join(project, 'new.jsonl'), assistantLine({ session: 'new', ts: '2026-11-21T10:00:00.000Z', input: 1, output: 100_000, id: 'n1', req: 'n1' }) + '\n');
    const claudeBefore = fs.readdirSync(claude, { recursive: true }).sort();

    let snap = await start(claude, storage);
    const range = (label: string) => snap.history?.ranges.find((r) => r.label === label)?.costUSD;
    assert.ok(Math.abs((range('Last 90 days') ?? 0) - (3 + 1.5 + 3e-6 + 15e-6)) < 1e-12);
    assert.equal(snap.history?.keptSessions, 0);
    await meter?.dispose();
    meter = undefined;
    assert.ok(fs.existsSync(path.join(storage, HISTORY_FILE)), 'history written on dispose at the latest');
    assert.deepEqual(fs.readdirSync(claude, { recursive: true }).sort(), claudeBefore, 'nothing written under the Claude folder');

    // Claude Code's cleanup deletes the old session.
    fs.rmSync(old);
    snap = await start(claude, storage);
    assert.ok(Math.abs((range('Last 90 days') ?? 0) - (3 + 1.5 + 3e-6 + 15e-6)) < 1e-12, 'the deleted session still counts');
    assert.ok(Math.abs((range('Last 7 days') ?? 0) - (1.5 + 1e-6 * 3)) < 1e-12, 'the last 7 days hold only the live session');
    assert.equal(snap.report?.sessions.length, 1, 'the report itself reads transcripts only');
    assert.equal(snap.history?.keptSessions, 1);
    assert.deepEqual([snap.history?.keptFrom, snap.history?.keptUntil], ['2026-10-25', '2026-10-25']);
    const panel = buildPanelSnapshot(snap, null, () => undefined);
    assert.equal(panel.history?.keptSessions, 1);
    assert.equal(panel.ranges.find((r) => r.label === 'Last 90 days')?.fromHistory, true);
    assert.equal(panel.ranges.find((r) => r.label === 'Last 7 days')?.fromHistory, false);
    assert.ok(Math.abs((panel.plans?.apiUSD ?? 0) - (3 + 1.5 + 18e-6)) < 1e-12, 'the 30-day plan comparison (2026-10-24..11-22) counts it too');
  });

  it('the first snapshot, prepared in slices, equals a report built at once; a line appended while preparing is counted', async () => {
    const claude = path.join(temp, 'claude');
    fs.cpSync(path.join(FIXTURES, 'golden'), claude, { recursive: true });
    const engine = new Engine({ prices: bundledPriceTable(), timeZone: 'UTC' });
    scanAllSync(engine, [path.join(claude, 'projects')]);
    const snap = await start(claude, path.join(temp, 'storage'));
    assert.ok((snap.report?.sessions.length ?? 0) > 1);
    // A torn last line is malformed to a one-off scan, pending (it may still complete) to the live meter.
    const plain = (r: unknown) => JSON.parse(JSON.stringify(r, (k, v: unknown) => (k === 'malformedLines' ? 0 : v))) as unknown;
    assert.deepEqual(plain(snap.report), plain(buildReport(engine)));

    // Once more, with a line appended as soon as the scan is merged (while the snapshot is being prepared).
    await meter?.dispose();
    // A transcript whose last line is complete (the fixture also has a torn one).
    const file = fs
      .readdirSync(path.join(claude, 'projects'), { recursive: true, withFileTypes: true })
      .find((d) => d.isFile() && d.name.endsWith('.jsonl') && fs.readFileSync(path.join(d.parentPath, d.name), 'utf8').endsWith('\n'));
    assert.ok(file);
    const target = path.join(file.parentPath, file.name);
    meter = new Meter({ prices: bundledPriceTable(), settings: { ...defaultSettings(), timeZone: 'UTC' }, workspaceFolders: [], env: { CLAUDE_CONFIG_DIR: claude }, home: temp, rootPollMs: 100, throttleMs: 0, now: () => NOW });
    const m = meter;
    const onState = (state: { kind: string }) => {
      if (state.kind === 'ready') {
        m.liveSource.off('state', onState);
        fs.appendFileSync(target, assistantLine({ session: 'late', input: 1, output: 777, id: 'late', req: 'late' }) + '\n');
      }
    };
    m.liveSource.on('state', onState);
    await m.start();
    const before = buildReport(engine).totals.outputTokens;
    const deadline = Date.now() + 5000;
    while ((m.snapshot.report?.totals.outputTokens ?? 0) !== before + 777 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(m.snapshot.report?.totals.outputTokens, before + 777);
  });

  it('with history switched off, nothing is kept or written', async () => {
    const claude = path.join(temp, 'claude');
    const storage = path.join(temp, 'storage');
    fs.mkdirSync(path.join(claude, 'projects', '-p'), { recursive: true });
    fs.writeFileSync(path.join(claude, 'projects', '-p', 'a.jsonl'), assistantLine({ session: 'a', ts: '2026-11-21T10:00:00.000Z' }) + '\n');
    const snap = await start(claude, storage, { ...defaultSettings(), 'history.enabled': false });
    assert.equal(snap.history?.persisted, false);
    await meter?.dispose();
    meter = undefined;
    assert.equal(fs.existsSync(path.join(storage, HISTORY_FILE)), false);
  });
});

describe('meter clock', function () {
  this.timeout(20_000);
  let temp = '';
  let meter: Meter | undefined;
  afterEach(async () => {
    await meter?.dispose();
    meter = undefined;
    fs.rmSync(temp, { recursive: true, force: true });
  });

  it('shows the cold-cache nudge when the cache expires, with no new transcript line', async () => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-meter-clock-'));
    const project = path.join(temp, 'claude', 'projects', '-p');
    fs.mkdirSync(project, { recursive: true });
    // The last call wrote the 5-minute cache 4 min 59.4 s ago: it goes cold in 0.6 s.
    const ts = new Date(Date.now() - 5 * 60_000 + 600).toISOString();
    fs.writeFileSync(path.join(project, 's.jsonl'), assistantLine({ session: 's', ts, read: 60_000, w5: 1_000 }) + '\n');
    meter = new Meter({ prices: bundledPriceTable(), settings: { ...defaultSettings(), 'statusBar.format': '{session} · cache {cacheCountdown}' }, workspaceFolders: [], env: { CLAUDE_CONFIG_DIR: path.join(temp, 'claude') }, home: temp, rootPollMs: 100, throttleMs: 0 });
    await meter.start();
    const first = meter.refreshNow();
    assert.equal(first.nudges.filter((n) => n.kind === 'clear').length, 0);
    assert.match(first.status.text, /cache 1m$/);
    const cold = await new Promise<MeterSnapshot>((resolve) => meter?.on('update', (s: MeterSnapshot) => s.nudges.some((n) => n.kind === 'clear') && resolve(s)));
    assert.match(cold.status.text, /cache cold$/);
    assert.match(cold.nudges.find((n) => n.kind === 'clear')?.message ?? '', /re-writes all 61,001 tokens/);
  });
});
