import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundledPriceTable } from '../../../../src/core/pricing/price-table';
import { defaultSettings } from '../../../../src/core/settings';
import { Meter } from '../../../../src/node/live/meter';
import type { MeterSnapshot } from '../../../../src/node/live/meter-view';
import { buildPanelSnapshot } from '../../../../src/node/panel-snapshot';
import { ToolNameLookup, toolNamesIn } from '../../../../src/node/live/tool-names';
import { runCli } from '../../support/cli';
import { assistantLine } from '../../support/lines';

/** An assistant line whose content holds tool_use blocks (as Claude Code writes them). */
function toolLine(id: string, tools: string[], ts: string, extra: Record<string, number> = {}, pad = 0): string {
  const line = JSON.parse(assistantLine({ session: 's', id, req: `r-${id}`, ts, ...extra })) as { message: { content: unknown[] } };
  line.message.content = tools.map((name, i) => ({ type: 'tool_use', id: `toolu_${id}_${i}`, name, input: { pad: 'x'.repeat(pad) } }));
  return JSON.stringify(line);
}

describe('tool names on demand', () => {
  let dir = '';
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-tools-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('finds the tool_use names of the wanted calls, across chunk boundaries and huge lines', async () => {
    const file = path.join(dir, 's.jsonl');
    fs.writeFileSync(
      file,
      [
        toolLine('m1', ['Read'], '2026-11-20T10:00:00.000Z'),
        '{not json "tool_use" "m2"',
        toolLine('m2', ['Bash'], '2026-11-20T10:01:00.000Z', {}, 3 << 20), // a 3 MB line: spans chunks
        toolLine('m2', ['Grep', 'Bash'], '2026-11-20T10:01:00.000Z'), // the same call's next block
        toolLine('m3', ['Write'], '2026-11-20T10:02:00.000Z'),
        assistantLine({ session: 's', id: 'm4', req: 'r-m4', ts: '2026-11-20T10:03:00.000Z' }),
      ].join('\n'), // no final newline: the last line still counts
    );
    const found = await toolNamesIn(file, ['m2', 'm4', 'nope', 'm3']);
    assert.deepEqual(Object.fromEntries(found), { m2: ['Bash', 'Grep'], m4: [], nope: [], m3: ['Write'] });
  });

  it('a live lookup answers later and says so; a missing file is no names', async () => {
    const file = path.join(dir, 's.jsonl');
    fs.writeFileSync(file, `${toolLine('m1', ['Read'], '2026-11-20T10:00:00.000Z')}\n`);
    let found = 0;
    const lookup = new ToolNameLookup(() => found++);
    assert.equal(lookup.get(file, 'm1'), undefined);
    while (found === 0) {
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.deepEqual(lookup.get(file, 'm1'), ['Read']);
    const logged: string[] = [];
    const missing = new ToolNameLookup(() => found++, (_l, m) => logged.push(m));
    assert.equal(missing.get(path.join(dir, 'gone.jsonl'), 'm1'), undefined);
    while (found === 1) {
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.deepEqual(missing.get(path.join(dir, 'gone.jsonl'), 'm1'), []);
    assert.match(logged[0] ?? '', /could not read tool names/);
  });

  it('the meter names the tool whose result caused a spike, for the panel', async function () {
    this.timeout(20_000);
    const project = path.join(dir, 'claude', 'projects', '-p');
    fs.mkdirSync(project, { recursive: true });
    const small = (id: string, minute: number) => assistantLine({ session: 's', id, req: `r-${id}`, ts: `2026-11-20T10:0${minute}:00.000Z`, read: 10_000, w5: 100 });
    fs.writeFileSync(
      path.join(project, 's.jsonl'),
      [small('a', 0), small('b', 1), toolLine('c', ['Read'], '2026-11-20T10:02:00.000Z', { read: 10_000, w5: 100 }), assistantLine({ session: 's', id: 'd', req: 'r-d', ts: '2026-11-20T10:03:00.000Z', read: 10_100, input: 200_000 })].join('\n') + '\n',
    );
    const meter = new Meter({ prices: bundledPriceTable(), settings: defaultSettings(), workspaceFolders: [], env: { CLAUDE_CONFIG_DIR: path.join(dir, 'claude') }, home: dir, rootPollMs: 100, throttleMs: 0 });
    try {
      await meter.start();
      const pending = buildPanelSnapshot(meter.refreshNow(), null, (id) => meter.sessionDetail(id));
      assert.deepEqual(pending.session?.spikes.map((x) => [x.cause, x.tools]), [['large new input (e.g. a big tool result)', null]]);
      const done = await new Promise<MeterSnapshot>((resolve) => {
        const check = (s: MeterSnapshot) => s.currentDetail?.spikes[0]?.tools !== undefined && resolve(s);
        meter.on('update', check);
      });
      const panel = buildPanelSnapshot(done, null, (id) => meter.sessionDetail(id));
      assert.deepEqual(panel.session?.spikes[0]?.tools, ['Read']);
    } finally {
      await meter.dispose();
    }
    // claude-cost session says the same.
    const cli = await runCli(['session', 's', '--no-cache', '--config-dir', path.join(dir, 'claude')]);
    assert.equal(cli.code, 0);
    assert.match(cli.stdout, /^Spike: 2026-11-20 10:03:00 UTC \$0\.60 \([0-9.]+x the median\): large new input \(e\.g\. a big tool result\); after Read$/m);
  });
});
