/**
 * `report --json` gives the causes of the period by default when it keeps a
 * cache (#20): main-chain files are summarised once per revision in the cause
 * cache, so a warm run reads only what changed, and the causes add up to the
 * period's itemised cost on a generated tree.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateTree } from '../../../../bench/generate';
import { runCli } from '../../support/cli';
import { causeLineOf, type CauseRow } from '../../../../src/core/causes';
import { toolResultLineOf } from '../../../../src/node/live/session-causes';
import { causeSessionFiles } from '../../support/cause-session';
import { CAUSE_STORE_FILE, CauseStore } from '../../../../src/node/live/cause-store';
import { engineKey } from '../../../../src/node/scan/warm-scan';
import { bundledPriceTableData } from '../../../../src/core/pricing/price-table';
import { VERSION } from '../../../../src/node/cli/cli-args';

interface Out {
  totals: { costUSD: number; unitemisedCostUSD: number };
  causes?: CauseRow[];
  cacheMissCostUSD?: number;
  cacheMissCount?: number;
}

function mainFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const p = path.join(e.parentPath, e.name);
    if (e.isFile() && p.endsWith('.jsonl') && !p.includes(`${path.sep}subagents${path.sep}`)) {
      out.push(p);
    }
  }
  return out.sort();
}

describe('report --json: causes over the period from the cause cache (#20)', () => {
  let temp = '';
  let tree = '';
  let cache = '';
  before(function () {
    this.timeout(60_000);
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-period-causes-'));
    tree = path.join(temp, 'tree');
    cache = path.join(temp, 'cache');
    generateTree({ outDir: tree, sizeBytes: 3 * 1024 * 1024, seed: 7, sessionMedianKB: 80 });
  });
  after(() => fs.rmSync(temp, { recursive: true, force: true }));

  const args = () => ['report', '--json', '--config-dir', tree, '--cache-dir', cache, '--tz', 'UTC', '--no-history'];

  it('adds up to the itemised cost, equals the uncached --causes answer, and a warm run reads only a changed file', async function () {
    this.timeout(60_000);
    const cold = await runCli(args());
    assert.equal(cold.code, 0, cold.stderr);
    const out = JSON.parse(cold.stdout) as Out;
    assert.ok(out.causes && out.causes.length > 3, 'causes by default with a cache folder');
    const itemised = out.totals.costUSD - out.totals.unitemisedCostUSD;
    const sum = out.causes.reduce((s, c) => s + c.costUSD, 0);
    assert.ok(itemised > 1, String(itemised));
    assert.ok(Math.abs(sum - itemised) < 1e-9 * itemised, `${sum} vs ${itemised}`);
    assert.ok(fs.existsSync(path.join(cache, CAUSE_STORE_FILE)));

    const uncached = JSON.parse((await runCli(['report', '--json', '--causes', '--no-cache', '--config-dir', tree, '--tz', 'UTC', '--no-history'])).stdout) as Out;
    assert.deepEqual(uncached.causes, out.causes);
    const plain = JSON.parse((await runCli(['report', '--json', '--no-cache', '--config-dir', tree, '--tz', 'UTC', '--no-history'])).stdout) as Out;
    assert.equal(plain.causes, undefined, 'with no cache, causes stay opt-in (--causes)');

    const key = engineKey(bundledPriceTableData(), VERSION);
    // Files whose calls all lost to a copy elsewhere (a fork) belong to no session's causes: not summarised.
    const stored = (JSON.parse(fs.readFileSync(path.join(cache, CAUSE_STORE_FILE), 'utf8')) as { files: Record<string, unknown> }).files;
    const files = mainFiles(path.join(tree, 'projects')).filter((f) => f in stored);
    assert.ok(files.length > 5, String(files.length));
    const warm = CauseStore.load(cache, key);
    for (const f of files) {
      await warm.summaryOf(f);
    }
    assert.deepEqual([warm.read, warm.reused], [0, files.length], `every main file summarised in the cache`);

    // A prompt and a call appended to one session: only that file is read again, and the totals still match.
    const changed = files[0] as string;
    const last = JSON.parse(fs.readFileSync(changed, 'utf8').trim().split('\n').filter((l) => l.includes('"assistant"')).pop() ?? '{}') as Record<string, unknown> & { message: Record<string, unknown>; timestamp: string };
    const at = new Date(Date.parse(last.timestamp) + 1000).toISOString();
    const prompt = { type: 'user', sessionId: last.sessionId, cwd: last.cwd, timestamp: at, uuid: 'u-new', message: { role: 'user', content: 'one more thing' } };
    const call = { ...last, timestamp: at, uuid: 'a-new', requestId: 'req_new', message: { ...last.message, id: 'msg_appended_1', content: [{ type: 'text', text: 'ok' }] } };
    fs.appendFileSync(changed, `${JSON.stringify(prompt)}\n${JSON.stringify(call)}\n`);
    const again = JSON.parse((await runCli(args())).stdout) as Out;
    const sum2 = (again.causes ?? []).reduce((s, c) => s + c.costUSD, 0);
    assert.ok(Math.abs(sum2 - (again.totals.costUSD - again.totals.unitemisedCostUSD)) < 1e-9 * sum2);
    assert.equal((again.causes ?? []).find((c) => c.cause === 'prompt')?.calls, (out.causes.find((c) => c.cause === 'prompt')?.calls ?? 0) + 1);
    const after = CauseStore.load(cache, key);
    for (const f of files) {
      await after.summaryOf(f);
    }
    assert.deepEqual([after.read, after.reused], [0, files.length], 'the changed file was summarised again by the CLI');

    // A damaged cache is ignored and rebuilt.
    fs.writeFileSync(path.join(cache, CAUSE_STORE_FILE), '{"version":1,"engineKey":"x"');
    const broken = CauseStore.load(cache, key);
    await broken.summaryOf(changed);
    assert.deepEqual([broken.read, broken.reused], [1, 0]);
  });

  it('reads tool-result lines from their bytes exactly as a full parse does', () => {
    const lines = [...mainFiles(path.join(tree, 'projects')).flatMap((f) => fs.readFileSync(f, 'utf8').split('\n')), ...Object.values(causeSessionFiles()).flatMap((t) => t.split('\n'))];
    let fast = 0;
    for (const line of lines.filter((l) => l.length > 0)) {
      const quick = toolResultLineOf(Buffer.from(line));
      if (quick !== undefined) {
        fast++;
        assert.deepEqual(quick, causeLineOf(JSON.parse(line)), line.slice(0, 200));
      } else if (line.includes('"tool_result"') && line.includes('"type":"user"')) {
        assert.fail(`a tool-result line left to the full parse: ${line.slice(0, 200)}`);
      }
    }
    assert.ok(fast > 100, String(fast));
    // An escaped quote inside an id: left to the full parse.
    assert.equal(toolResultLineOf(Buffer.from('{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"a\\"b"}]}}')), undefined);
  });

  it('a report stored by another command (session) carries the causes too', async function () {
    this.timeout(30_000);
    const fresh = path.join(temp, 'cache-session-first');
    const first = mainFiles(path.join(tree, 'projects'))[0] as string;
    const id = path.basename(first, '.jsonl');
    const s = await runCli(['session', id, '--json', '--config-dir', tree, '--cache-dir', fresh, '--tz', 'UTC', '--no-history']);
    assert.equal(s.code, 0, s.stderr);
    const r = JSON.parse((await runCli(['report', '--json', '--config-dir', tree, '--cache-dir', fresh, '--tz', 'UTC', '--no-history'])).stdout) as Out;
    assert.ok((r.causes ?? []).length > 3);
  });

  it('prints the causes as a table in the text report', async function () {
    this.timeout(30_000);
    const text = await runCli(['report', '--config-dir', tree, '--cache-dir', cache, '--tz', 'UTC', '--no-history']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^Where the money goes$/m);
    assert.match(text.stdout, /^prompt\s+prompt\s+\d/m);
  });
});
