import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import fsModule from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundledPriceTable } from '../../../../src/core/pricing/price-table';
import { buildReport } from '../../../../src/core/report';
import { LiveSource } from '../../../../src/node/live/live-source';
import { assistantLine } from '../../support/lines';

const S = 'ffffffff-0000-4000-8000-000000000006';
const T = 'ffffffff-0000-4000-8000-000000000007';

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('LiveSource (real watcher on a temp folder)', function () {
  this.timeout(20_000);
  let home = '';
  let source: LiveSource | undefined;
  const projects = () => path.join(home, '.claude', 'projects');
  const file = (session: string) => path.join(projects(), '-work-p', `${session}.jsonl`);
  const line = (id: string, output: number, session = S) => assistantLine({ session, id, req: `r_${id}`, output, input: 1 }) + '\n';
  const report = () => buildReport(source!.engine);

  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-live-'));
  });

  afterEach(async () => {
    await source?.dispose();
    source = undefined;
    fs.rmSync(home, { recursive: true, force: true });
  });

  async function start(): Promise<LiveSource> {
    source = new LiveSource({ prices: bundledPriceTable(), timeZone: 'UTC', env: {}, home, rootPollMs: 100, log: (l, m) => { if (process.env.CCM_DEBUG) { console.log(l, m); } } });
    await source.start();
    return source;
  }

  it('scans the history in a worker, then reads appended lines only', async () => {
    fs.mkdirSync(path.dirname(file(S)), { recursive: true });
    fs.writeFileSync(file(S), line('a', 10) + line('b', 20));
    const s = await start();
    assert.equal(s.state.kind, 'ready');
    assert.equal(report().totals.outputTokens, 30);
    fs.appendFileSync(file(S), line('c', 5));
    await waitFor('append', () => report().totals.outputTokens === 35);
  });

  it('waits for a partial last line to get its newline', async () => {
    fs.mkdirSync(path.dirname(file(S)), { recursive: true });
    fs.writeFileSync(file(S), line('a', 10));
    const s = await start();
    const next = line('b', 7);
    fs.appendFileSync(file(S), next.slice(0, 25));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(report().totals.outputTokens, 10);
    assert.equal(s.pendingFiles(), 1);
    fs.appendFileSync(file(S), next.slice(25));
    await waitFor('completed line', () => report().totals.outputTokens === 17);
    assert.equal(report().skipped.malformedLines, 0);
  });

  it('re-reads a file that was truncated or replaced, and withdraws a deleted one', async () => {
    fs.mkdirSync(path.dirname(file(S)), { recursive: true });
    fs.writeFileSync(file(S), line('a', 10) + line('b', 20));
    fs.writeFileSync(file(T), line('x', 100, T));
    await start();
    assert.equal(report().totals.outputTokens, 130);
    fs.writeFileSync(file(S), line('a', 10));
    await waitFor('truncation', () => report().totals.outputTokens === 110);
    const tmp = `${file(S)}.tmp`;
    fs.writeFileSync(tmp, line('z', 1));
    fs.renameSync(tmp, file(S));
    await waitFor('replacement', () => report().totals.outputTokens === 101);
    fs.rmSync(file(T));
    await waitFor('deletion', () => report().totals.outputTokens === 1);
  });

  it('picks up new files (a /clear session, a subagent)', async () => {
    fs.mkdirSync(path.dirname(file(S)), { recursive: true });
    fs.writeFileSync(file(S), line('a', 10));
    await start();
    fs.writeFileSync(file(T), line('n', 3, T));
    const sub = path.join(projects(), '-work-p', S, 'subagents', 'agent-1.jsonl');
    fs.mkdirSync(path.dirname(sub), { recursive: true });
    fs.writeFileSync(sub, assistantLine({ session: S, id: 'sub', req: 'rs', side: true, output: 4 }) + '\n');
    await waitFor('new files', () => report().totals.outputTokens === 17);
    assert.equal(report().sessions.length, 2);
  });

  it('withdraws every file of a project folder that is deleted, and reads one moved in whole', async () => {
    fs.mkdirSync(path.dirname(file(S)), { recursive: true });
    fs.writeFileSync(file(S), line('a', 10));
    const other = path.join(projects(), '-work-q');
    fs.mkdirSync(path.join(other, T, 'subagents'), { recursive: true });
    fs.writeFileSync(path.join(other, `${T}.jsonl`), line('t', 100, T));
    fs.writeFileSync(path.join(other, T, 'subagents', 'agent-1.jsonl'), assistantLine({ session: T, id: 'sub', req: 'rs', side: true, output: 1000 }) + '\n');
    const s = await start();
    assert.equal(report().totals.outputTokens, 1110);
    fs.rmSync(other, { recursive: true });
    await waitFor('deleted folder withdrawn', () => report().totals.outputTokens === 10);
    // A folder (with a subfolder) prepared elsewhere and moved in at once: no event ever names its files.
    const staged = path.join(home, 'staged');
    fs.mkdirSync(path.join(staged, T, 'subagents'), { recursive: true });
    fs.writeFileSync(path.join(staged, `${T}.jsonl`), line('t', 100, T));
    fs.writeFileSync(path.join(staged, T, 'subagents', 'agent-1.jsonl'), assistantLine({ session: T, id: 'sub', req: 'rs', side: true, output: 1000 }) + '\n');
    fs.renameSync(staged, other);
    await waitFor('moved-in folder read', () => report().totals.outputTokens === 1110);
    // Its subfolder is watched too: an append there is seen.
    fs.appendFileSync(path.join(other, T, 'subagents', 'agent-1.jsonl'), assistantLine({ session: T, id: 'sub2', req: 'rs2', side: true, output: 7 }) + '\n');
    await waitFor('append in the moved-in subfolder', () => report().totals.outputTokens === 1117);
    assert.equal(s.state.kind, 'ready');
  });

  it('reads a projects/ folder that is removed and made again', async () => {
    fs.mkdirSync(path.dirname(file(S)), { recursive: true });
    fs.writeFileSync(file(S), line('a', 10));
    await start();
    fs.rmSync(projects(), { recursive: true });
    await waitFor('removed', () => report().totals.outputTokens === 0);
    fs.mkdirSync(path.dirname(file(S)), { recursive: true });
    fs.writeFileSync(file(S), line('b', 20));
    await waitFor('made again', () => report().totals.outputTokens === 20, 8000);
    fs.appendFileSync(file(S), line('c', 5));
    await waitFor('append after', () => report().totals.outputTokens === 25);
  });

  it('is calm with no Claude folder, and picks it up when it appears', async () => {
    const s = await start();
    assert.equal(s.state.kind, 'empty');
    assert.ok(s.lookedAt.some((p) => p.endsWith(path.join('.claude', 'projects'))));
    fs.mkdirSync(path.dirname(file(S)), { recursive: true });
    fs.writeFileSync(file(S), line('a', 10));
    await waitFor('folder appearing', () => s.state.kind === 'ready' && report().totals.outputTokens === 10, 8000);
  });

  it('treats an empty projects/ folder as "no transcripts" until the first file appears', async () => {
    fs.mkdirSync(projects(), { recursive: true });
    const s = await start();
    assert.equal(s.state.kind, 'empty');
    fs.mkdirSync(path.dirname(file(S)), { recursive: true });
    fs.writeFileSync(file(S), line('a', 10));
    await waitFor('first transcript', () => s.state.kind === 'ready' && report().totals.outputTokens === 10);
  });

  it('falls back to polling when the OS watcher limit is hit, says so in the log, and keeps counting', async () => {
    fs.mkdirSync(path.dirname(file(S)), { recursive: true });
    fs.writeFileSync(file(S), line('a', 10));
    const logged: string[] = [];
    source = new LiveSource({ prices: bundledPriceTable(), timeZone: 'UTC', env: {}, home, rootPollMs: 0, log: (_l, m) => logged.push(m) });
    await source.start();
    const watcher = (source as unknown as { watcher: NodeJS.EventEmitter }).watcher;
    watcher.emit('error', Object.assign(new Error('inotify watch limit reached'), { code: 'ENOSPC' }));
    assert.equal(source.usingPolling, true);
    assert.ok(logged.some((m) => m.includes('watcher limit reached (ENOSPC); falling back to polling')), logged.join('\n'));
    fs.appendFileSync(file(S), line('b', 5));
    await waitFor('an append seen by polling', () => report().totals.outputTokens === 15, 8000);
    const sub = path.join(projects(), '-work-new', T, 'subagents', 'agent-1.jsonl');
    fs.mkdirSync(path.dirname(sub), { recursive: true });
    fs.writeFileSync(sub, assistantLine({ session: T, id: 'sub', req: 'rs', side: true, output: 100 }) + '\n');
    await waitFor('a new file in a new folder seen by polling', () => report().totals.outputTokens === 115, 8000);
    fs.rmSync(file(S));
    await waitFor('a deletion seen by polling', () => report().totals.outputTokens === 100, 8000);
  });

  it('falls back to polling when the OS limit is reached halfway through the listing, and adds no watch after it', async () => {
    for (const p of ['-a', '-b', '-c', '-d']) {
      fs.mkdirSync(path.join(projects(), p), { recursive: true });
    }
    fs.mkdirSync(path.dirname(file(S)), { recursive: true });
    fs.writeFileSync(file(S), line('a', 10));
    // The module object itself (the namespace import only has getters): the watcher reads `watch` from it at each call.
    const realWatch = fsModule.watch;
    let calls = 0;
    // The third folder's watch hits the limit, as inotify's ENOSPC does.
    fsModule.watch = ((...args: Parameters<typeof fs.watch>) => {
      calls++;
      if (calls >= 3) {
        throw Object.assign(new Error('ENOSPC: System limit for number of file watchers reached'), { code: 'ENOSPC' });
      }
      return realWatch(...args);
    }) as typeof fs.watch;
    const logged: string[] = [];
    try {
      source = new LiveSource({ prices: bundledPriceTable(), timeZone: 'UTC', env: {}, home, rootPollMs: 0, log: (_l, m) => logged.push(m) });
      await source.start();
    } finally {
      fsModule.watch = realWatch;
    }
    assert.equal(source.usingPolling, true);
    assert.equal(calls, 3, 'no watch was tried after the limit');
    assert.equal((source as unknown as { watcher: { size: number } }).watcher.size, 0);
    assert.equal(logged.filter((m) => m.includes('falling back to polling')).length, 1, logged.join('\n'));
    assert.equal(report().totals.outputTokens, 10);
    fs.appendFileSync(file(S), line('b', 5));
    await waitFor('an append seen by polling', () => report().totals.outputTokens === 15, 8000);
  });

  it('polls from the start when asked to, with no watch at all', async () => {
    fs.mkdirSync(path.dirname(file(S)), { recursive: true });
    fs.writeFileSync(file(S), line('a', 10));
    source = new LiveSource({ prices: bundledPriceTable(), timeZone: 'UTC', env: {}, home, rootPollMs: 0, usePolling: true });
    await source.start();
    assert.equal((source as unknown as { watcher: { size: number } }).watcher.size, 0);
    fs.appendFileSync(file(S), line('b', 5));
    await waitFor('an append seen by polling', () => report().totals.outputTokens === 15, 8000);
  });
});
