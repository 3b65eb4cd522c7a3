/**
 * The status bar model as a user reads it (issue #25): a tooltip of at most
 * 8 lines whose first line names the cause of a warning, a clock time for
 * the cache, and the warning state shown by an icon, not colour alone.
 */
import { strict as assert } from 'node:assert';
import { budgetStatus } from '../../../src/core/budgets';
import { cacheCountdown } from '../../../src/core/forecast';
import { FIVE_MINUTES_MS } from '../../../src/core/metrics';
import { activeNudges, toastActions } from '../../../src/core/nudges';
import { buildReport } from '../../../src/core/report';
import { defaultSettings } from '../../../src/core/settings';
import { buildStatusModel } from '../../../src/core/status-model';
import { assistantLine } from '../support/lines';
import { feed, newEngine } from '../support/engine';

const AT = Date.parse('2026-11-22T12:00:00Z');

function fixture() {
  const engine = newEngine();
  feed(engine, {
    '-p/s.jsonl': assistantLine({ session: 's', id: 'a', ts: '2026-11-22T12:00:00.000Z', read: 150_000, w5: 100 }) + '\n',
    '-p/u.jsonl': assistantLine({ session: 'u', id: 'b', ts: '2026-11-22T11:00:00.000Z', model: 'claude-unknown-9' }) + '\n',
  });
  const report = buildReport(engine);
  const settings = defaultSettings();
  const session = report.sessions.find((x) => x.sessionId === 's');
  assert.ok(session);
  const nudges = activeNudges(
    { sessionId: 's', contextTokens: session.contextTokens, contextWindow: session.contextWindow, sessionCostUSD: session.costUSD, today: '2026-11-22', todayUSD: 50, lastActivityMs: AT - 3_600_000, cacheTtlMs: FIVE_MINUTES_MS, nextTurn: null, nowMs: AT },
    { ...settings, 'budgets.dailyUSD': 10, 'nudges.clearTokens': 1000 },
  );
  const daily = new Map([['2026-11-22', 50]]);
  const budgets = [budgetStatus('week', 100, daily, '2026-11-22', 'monday'), budgetStatus('month', 60, daily, '2026-11-22', 'monday')].filter((b) => b !== null);
  return { report, settings, nudges, budgets };
}

describe('status bar model', () => {
  it('a busy state (3 nudges, budgets, an unpriced model, scanning) still fits in 8 tooltip lines, the cause first', () => {
    const { report, settings, nudges, budgets } = fixture();
    assert.ok(nudges.length >= 3, nudges.map((n) => n.title).join(' | '));
    const countdown = cacheCountdown(AT, FIVE_MINUTES_MS, AT + 60_000, 150_100, 0, null);
    const m = buildStatusModel({ status: { kind: 'scanning', filesDone: 1, filesTotal: 2, bytesDone: 1, bytesTotal: 2 }, report, current: { sessionId: 's', reason: 'pinned' }, settings, today: '2026-11-22', updatedAtMs: AT, formatTime: () => '12:05 PM', nudges, budgets, countdown, nowMs: AT + 60_000 });
    const lines = m.tooltip.split('\n');
    assert.ok(lines.length <= 8, `${lines.length} lines:\n${m.tooltip}`);
    assert.match(lines[0] ?? '', /^\$\(error\) \*\*Today\\?'s budget reached\*\* \(\+\d more\)/, `an error outranks warnings and is named first: ${lines[0] ?? ''}`);
    assert.match(m.tooltip, /cache warm until 12:05 PM/);
    assert.equal((m.tooltip.match(/budget:/g) ?? []).length, 1, 'one budget line');
    assert.match(m.tooltip, /This month\\?'s budget: \$50\.00 of \$60\.00 \(83%/, 'the fullest budget');
    assert.match(m.tooltip, /claude\\?-unknown\\?-9/);
    assert.match(lines[lines.length - 1] ?? '', /open the panel for more/);
    assert.doesNotMatch(m.tooltip, /\|---/, 'no token table');
  });

  it('warned: the text leads with a warning or error icon, not only a colour', () => {
    const { report, settings, nudges } = fixture();
    const base = { status: { kind: 'ready' as const }, report, current: { sessionId: 's', reason: 'any' as const }, settings, today: '2026-11-22', updatedAtMs: AT, formatTime: () => '' };
    assert.match(buildStatusModel({ ...base, nudges: [] }).text, /^\$\(pulse\) /);
    const compact = nudges.filter((n) => n.kind === 'compact');
    const warned = buildStatusModel({ ...base, nudges: compact });
    assert.equal(warned.severity, 'warning');
    assert.match(warned.text, /^\$\(warning\) /);
    assert.match(warned.tooltip.split('\n')[0] ?? '', /Context passed 100k tokens\\?: \/compact\?/);
    assert.match(buildStatusModel({ ...base, nudges }).text, /^\$\(error\) /);
  });
});

describe('nudge notifications', () => {
  it('have a title naming the crossed threshold and at most two buttons', () => {
    const { nudges } = fixture();
    const compact = nudges.find((n) => n.kind === 'compact');
    assert.equal(compact?.title, 'Context passed 100k tokens: /compact?');
    for (const n of nudges) {
      const a = toastActions(n);
      assert.ok(a.length >= 1 && a.length <= 2, `${n.key}: ${a.join(',')}`);
    }
    assert.deepEqual(compact && toastActions(compact), ['sendCompact', 'openPanel']);
    assert.deepEqual(toastActions(nudges.find((n) => n.kind === 'clear')!), ['copyClear', 'openPanel']);
    assert.deepEqual(toastActions(nudges.find((n) => n.kind === 'dailyBudget')!), ['snooze', 'openPanel']);
  });

  it('by window share, the title says the share', () => {
    const n = activeNudges(
      { sessionId: 's', contextTokens: 150_000, contextWindow: 200_000, sessionCostUSD: 1, today: '2026-11-22', todayUSD: 0, lastActivityMs: AT, cacheTtlMs: FIVE_MINUTES_MS, nextTurn: null, nowMs: AT },
      { ...defaultSettings(), 'nudges.compactTokens': 0 },
    );
    assert.equal(n[0]?.title, 'Context passed 70% of the window: /compact?');
  });
});
