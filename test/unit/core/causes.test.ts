/**
 * Issue #20: one cause per kept call, causes that add up to the session
 * exactly, the re-read estimate, cache misses and their reasons, and
 * Claude Code's own attribution fields set against the rule.
 */
import { strict as assert } from 'node:assert';
import { assignCauses, causeLineOf, sessionCauses, causeTokensByCard, type CauseFile, type CauseLine } from '../../../src/core/causes';
import { addTokens, emptyTokens, type Engine } from '../../../src/core/engine';
import { buildReport } from '../../../src/core/report';
import { parseAgentMeta } from '../../../src/core/transcript/transcript';
import { feed, newEngine } from '../support/engine';
import { AGENT_ID, CALLS, CAUSE_SESSION, HAIKU, SONNET, assistant, causeSessionFiles, compact, prompt, result, usd, type Usage } from '../support/cause-session';

function linesOf(text: string): CauseLine[] {
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .flatMap((l) => {
      const c = causeLineOf(JSON.parse(l) as unknown);
      return c ? [c] : [];
    });
}

/** The engine fed with the session's .jsonl files, and the cause files read from the same texts. */
function load(files: Record<string, string>): { engine: Engine; causeFiles: CauseFile[] } {
  const engine = newEngine();
  const jsonl = Object.fromEntries(Object.entries(files).filter(([p]) => p.endsWith('.jsonl')));
  feed(engine, jsonl);
  const causeFiles: CauseFile[] = [];
  for (const [rel, text] of Object.entries(jsonl)) {
    const file = engine.file(`/projects/${rel}`);
    assert.ok(file);
    const metaText = files[rel.replace(/\.jsonl$/, '.meta.json')];
    file.agentMeta = metaText !== undefined ? parseAgentMeta(metaText) : undefined;
    const agent = /agent-([0-9a-f]+)\.jsonl$/.exec(rel)?.[1];
    causeFiles.push({ path: file.path, subagent: file.role.subagent, agentType: file.agentMeta?.agentType, agentId: agent, lines: linesOf(text) });
  }
  return { engine, causeFiles };
}

const S = SONNET;
const H = HAIKU;

describe('causes: where the money goes (#20)', () => {
  it('gives each call of the acceptance session its cause, with exact dollars that add up to the session', () => {
    const { engine, causeFiles } = load(causeSessionFiles());
    const out = sessionCauses(engine.sessionEntries(CAUSE_SESSION), causeFiles);
    const row = (c: string) => out.causes.find((r) => r.cause === c);
    const expected: Record<string, { calls: number; usd: number; kind: string }> = {
      prompt: { calls: 2, usd: usd(S, CALLS.c1) + usd(S, CALLS.c6), kind: 'prompt' },
      Read: { calls: 1, usd: usd(S, CALLS.c2), kind: 'tool' },
      'mcp:github': { calls: 1, usd: usd(S, CALLS.c3), kind: 'mcp' },
      Bash: { calls: 1, usd: usd(S, CALLS.c4), kind: 'tool' },
      'subagent:Explore': { calls: 2, usd: usd(H, CALLS.s1) + usd(H, CALLS.s2), kind: 'subagent' },
      Agent: { calls: 1, usd: usd(S, CALLS.c5), kind: 'agent' },
    };
    assert.deepEqual(out.causes.map((r) => r.cause).sort(), Object.keys(expected).sort());
    for (const [cause, e] of Object.entries(expected)) {
      const r = row(cause);
      assert.ok(r, cause);
      assert.equal(r.calls, e.calls, cause);
      assert.equal(r.kind, e.kind, cause);
      assert.ok(Math.abs(r.costUSD - e.usd) < 1e-12, `${cause}: ${r.costUSD} vs ${e.usd}`);
      assert.equal(r.unpricedCalls, 0);
    }
    // Sorted by dollars, largest first.
    assert.deepEqual(out.causes.map((r) => r.costUSD), [...out.causes.map((r) => r.costUSD)].sort((a, b) => b - a));
    // Together they are the session's itemised cost: in dollars ...
    const session = buildReport(engine).sessions.find((s) => s.sessionId === CAUSE_SESSION);
    assert.ok(session);
    assert.ok(Math.abs(out.itemisedCostUSD - session.costUSD) < 1e-12, `${out.itemisedCostUSD} vs ${session.costUSD}`);
    // ... and exactly in integer tokens per rate card.
    const bySession = new Map<unknown, ReturnType<typeof emptyTokens>>();
    for (const cell of engine.allCells()) {
      if (cell.sessionId === CAUSE_SESSION) {
        cell.byCard.forEach((t, card) => addTokens(bySession.get(card) ?? bySession.set(card, emptyTokens()).get(card)!, t));
      }
    }
    const byCauses = new Map<unknown, ReturnType<typeof emptyTokens>>();
    for (const byCard of causeTokensByCard(engine.sessionEntries(CAUSE_SESSION), causeFiles).values()) {
      byCard.forEach((t, card) => addTokens(byCauses.get(card) ?? byCauses.set(card, emptyTokens()).get(card)!, t));
    }
    assert.deepEqual(byCauses, bySession);
  });

  it('keeps the tokens each cause added to the context, and estimates their re-reads until the next compaction', () => {
    const { engine, causeFiles } = load(causeSessionFiles());
    const out = sessionCauses(engine.sessionEntries(CAUSE_SESSION), causeFiles);
    const ctx = (u: Usage) => u.input + (u.read ?? 0) + (u.w5 ?? 0) + (u.w1 ?? 0);
    const read = 0.3 / 1e6;
    const want: Record<string, [number, number]> = {
      // [tokens added, later main-chain calls that re-read them]
      Read: [ctx(CALLS.c2) - ctx(CALLS.c1), 4],
      'mcp:github': [ctx(CALLS.c3) - ctx(CALLS.c2), 3],
      Bash: [ctx(CALLS.c4) - ctx(CALLS.c3), 2],
      Agent: [ctx(CALLS.c5) - ctx(CALLS.c4), 1],
      prompt: [ctx(CALLS.c6) - ctx(CALLS.c5), 0],
      'subagent:Explore': [0, 0],
    };
    for (const [cause, [added, later]] of Object.entries(want)) {
      const r = out.causes.find((c) => c.cause === cause);
      assert.equal(r?.tokensAdded, added, cause);
      assert.ok(Math.abs((r?.rereadCostUSD ?? -1) - added * later * read) < 1e-15, cause);
    }
  });

  it('stops the re-read estimate at a compaction and adds nothing across it', () => {
    const files = {
      [`-w/${CAUSE_SESSION}.jsonl`]: [
        prompt('go', 0),
        assistant({ id: 'm1', at: 0.1, usage: { input: 5, output: 10, w5: 4_000 }, tools: [{ id: 't1', name: 'Read' }] }),
        result('t1', 0.2),
        assistant({ id: 'm2', at: 0.5, usage: { input: 5, output: 10, w5: 1_000, read: 4_000 } }),
        compact(1),
        prompt('summary', 1.1),
        assistant({ id: 'm3', at: 1.2, usage: { input: 5, output: 10, w5: 2_000 } }),
        prompt('more', 1.5),
        assistant({ id: 'm4', at: 1.6, usage: { input: 5, output: 10, w5: 100, read: 2_000 } }),
      ].join('\n'),
    };
    const { engine, causeFiles } = load(files);
    const out = sessionCauses(engine.sessionEntries(CAUSE_SESSION), causeFiles);
    const r = out.causes.find((c) => c.cause === 'Read');
    assert.equal(r?.tokensAdded, 1_000);
    assert.equal(r?.rereadCostUSD, 0, 'm3 comes after the compaction: nothing re-read');
    assert.equal(out.causes.find((c) => c.cause === 'prompt')?.tokensAdded, 100);
  });

  it('takes the subagent type from the Agent call when the .meta.json is missing', () => {
    const { engine, causeFiles } = load(causeSessionFiles(false));
    const out = sessionCauses(engine.sessionEntries(CAUSE_SESSION), causeFiles);
    assert.equal(out.causes.find((c) => c.kind === 'subagent')?.cause, 'subagent:Explore');
    assert.equal(causeFiles.find((f) => f.subagent)?.agentId, AGENT_ID);
  });

  it('names a Skill by its skill and falls back to prompt for calls with no lines', () => {
    const files = {
      [`-w/${CAUSE_SESSION}.jsonl`]: [
        prompt('go', 0),
        assistant({ id: 'm1', at: 0.1, usage: { input: 5, output: 10, w5: 4_000 }, tools: [{ id: 't1', name: 'Skill', input: { skill: 'pdf' } }] }),
        result('t1', 0.2),
        assistant({ id: 'm2', at: 0.5, usage: { input: 5, output: 10, w5: 1_000, read: 4_000 } }),
      ].join('\n'),
    };
    const { engine, causeFiles } = load(files);
    assert.deepEqual(sessionCauses(engine.sessionEntries(CAUSE_SESSION), causeFiles).causes.map((c) => c.cause).sort(), ['prompt', 'skill:pdf']);
    // Without the lines (the file could not be read), every main-chain call is `prompt`: still the whole session.
    const blind = sessionCauses(engine.sessionEntries(CAUSE_SESSION), []);
    assert.deepEqual(blind.causes.map((c) => [c.cause, c.calls]), [['prompt', 2]]);
  });

  describe('cache misses', () => {
    const base = { input: 5, output: 10, w5: 5_000 };
    function missesOf(lines: string[], lastMissCause?: string) {
      const { engine, causeFiles } = load({ [`-w/${CAUSE_SESSION}.jsonl`]: lines.join('\n') });
      return sessionCauses(engine.sessionEntries(CAUSE_SESSION), causeFiles, { lastMissCause });
    }

    it('flags a cold re-write after the 5-minute lifetime, with the idle minutes and the extra cost against a warm read', () => {
      const out = missesOf([prompt('a', 0), assistant({ id: 'm1', at: 0, usage: base }), prompt('b', 12), assistant({ id: 'm2', at: 12, usage: { input: 5, output: 10, w5: 5_100 } })]);
      assert.equal(out.cacheMisses.length, 1);
      const m = out.cacheMisses[0]!;
      assert.equal(m.reason, 'idle');
      assert.equal(m.idleMinutes, 12);
      assert.equal(m.rewrittenTokens, 5_005);
      assert.ok(Math.abs((m.extraCostUSD ?? 0) - (5_005 * (3.75 - 0.3)) / 1e6) < 1e-15);
      assert.equal(out.cacheMissCostUSD, m.extraCostUSD);
      assert.equal(out.cacheTtlMs, 5 * 60_000);
    });

    it('does not flag a warm read, nor the first call', () => {
      const out = missesOf([prompt('a', 0), assistant({ id: 'm1', at: 0, usage: base }), prompt('b', 3), assistant({ id: 'm2', at: 3, usage: { input: 5, output: 10, w5: 300, read: 5_005 } })]);
      assert.deepEqual(out.cacheMisses, []);
    });

    it('names a model switch, a compaction, and else a change in the system prompt or tools', () => {
      const sw = missesOf([prompt('a', 0), assistant({ id: 'm1', at: 0, usage: base }), prompt('b', 1), assistant({ id: 'm2', at: 1, model: 'claude-opus-4-6', usage: base })]);
      assert.equal(sw.cacheMisses[0]?.reason, 'model-switch');
      assert.ok(Math.abs((sw.cacheMisses[0]?.extraCostUSD ?? 0) - (5_000 * (6.25 - 0.5)) / 1e6) < 1e-15, 'priced on the new model');
      const cp = missesOf([prompt('a', 0), assistant({ id: 'm1', at: 0, usage: base }), compact(1), prompt('b', 1.1), assistant({ id: 'm2', at: 1.2, usage: base })]);
      assert.equal(cp.cacheMisses[0]?.reason, 'compaction');
      const ch = missesOf([prompt('a', 0), assistant({ id: 'm1', at: 0, usage: base }), prompt('b', 1), assistant({ id: 'm2', at: 1, usage: base })]);
      assert.equal(ch.cacheMisses[0]?.reason, 'prompt-change');
      assert.equal(ch.cacheMisses[0]?.reasonSource, 'transcript');
    });

    it('uses the 1-hour lifetime when the session writes 1-hour cache', () => {
      const one = { input: 5, output: 10, w1: 5_000 };
      const within = missesOf([prompt('a', 0), assistant({ id: 'm1', at: 0, usage: one }), prompt('b', 30), assistant({ id: 'm2', at: 30, usage: one })]);
      assert.equal(within.cacheMisses[0]?.reason, 'prompt-change', '30 minutes is within the hour');
      assert.ok(Math.abs((within.cacheMisses[0]?.extraCostUSD ?? 0) - (5_000 * (6 - 0.3)) / 1e6) < 1e-15, 'at the 1-hour write rate');
      const after = missesOf([prompt('a', 0), assistant({ id: 'm1', at: 0, usage: one }), prompt('b', 70), assistant({ id: 'm2', at: 70, usage: one })]);
      assert.equal(after.cacheMisses[0]?.reason, 'idle');
      assert.equal(after.cacheTtlMs, 60 * 60_000);
    });

    it("prefers Claude Code's own cause for the latest miss when the status line gave one", () => {
      const out = missesOf([prompt('a', 0), assistant({ id: 'm1', at: 0, usage: base }), prompt('b', 12), assistant({ id: 'm2', at: 12, usage: base })], 'ttl_expired');
      assert.equal(out.cacheMisses[0]?.reasonSource, 'claude-code');
      assert.equal(out.cacheMisses[0]?.claudeCodeCause, 'ttl_expired');
      assert.equal(out.cacheMisses[0]?.reason, 'idle', 'the rule is kept beside it');
    });
  });

  it("compares with Claude Code's attribution fields: agent agrees, the MCP pair sticks to later calls", () => {
    const { causeFiles } = load(causeSessionFiles());
    const rows: { messageId: string; rule: string; claude: string | undefined }[] = [];
    const assigned = assignCauses(causeFiles);
    for (const f of causeFiles) {
      for (const l of f.lines) {
        if (l.kind === 'assistant') {
          const a = l.attribution;
          const claude = a.agent !== undefined ? `subagent:${a.agent}` : a.mcpServer !== undefined ? `mcp:${a.mcpServer}` : a.skill !== undefined ? `skill:${a.skill}` : undefined;
          rows.push({ messageId: l.messageId, rule: assigned.get(`${f.path}\u0000${l.messageId}`)?.cause ?? '?', claude });
        }
      }
    }
    const withFields = rows.filter((r) => r.claude !== undefined);
    const agree = withFields.filter((r) => r.claude === r.rule).map((r) => r.messageId);
    const differ = withFields.filter((r) => r.claude !== r.rule).map((r) => [r.messageId, r.rule, r.claude]);
    assert.deepEqual(agree.sort(), ['msg_c3', 'msg_s1', 'msg_s2']);
    assert.deepEqual(differ, [
      ['msg_c4', 'Bash', 'mcp:github'],
      ['msg_c5', 'Agent', 'mcp:github'],
      ['msg_c6', 'prompt', 'mcp:github'],
    ]);
  });

  it('reads only what it needs from a line and never throws on odd ones', () => {
    for (const v of [null, 1, 'x', [], {}, { type: 'assistant' }, { type: 'assistant', message: { id: 3 } }, { type: 'user', message: {} }, { type: 'user', isMeta: true, message: { content: 'caveat' } }]) {
      assert.equal(causeLineOf(v), undefined);
    }
    assert.deepEqual(causeLineOf(JSON.parse(result('t9', 0))), { kind: 'tool-result', sidechain: false, toolUseIds: ['t9'], agentId: undefined });
  });
});
