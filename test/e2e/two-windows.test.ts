/**
 * End to end, two VS Code windows on different folders (issue #24.6): two
 * pages of one code-server, each with its own `?folder=`, so two extension
 * hosts, each with its own meter, sharing one global storage and so one
 * history file.
 *
 * Both windows start while only session S exists and save their first
 * history (S). Session X then appears; window A has it live and saves when
 * it is reloaded (the meter writes its history when it stops). X's
 * transcript is then deleted: window B now holds no copy of X at all (its
 * own rows are S, loaded before A's save), and B saves when it is reloaded.
 * A save that wrote B's own rows over the file would drop X for good; a
 * read-merge-write keeps it. After both saves X is still in the file and in
 * both windows' 90-day totals.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { frameShowing, openWorkbench, runCommand, tearDown, workbenchUrl, type Workbench } from './support/browser';
import { startCodeServer, type CodeServer } from './support/code-server';
import { assistantLine } from '../unit/support/lines';

const ROOT = path.resolve(__dirname, '../../..');
const VSIX = path.join(ROOT, 'dist/claude-code-cost-meter.vsix');
const EXTENSION_ID = 'cost-meter.claude-code-cost-meter';
const S = 'dddddddd-0000-4000-8000-000000000001';
const X = 'dddddddd-0000-4000-8000-000000000002';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The pids of the extension host processes in the process group `pgid` (the server's). */
function extensionHosts(pgid: number): number[] {
  const pids: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) {
      continue;
    }
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const group = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (group === pgid && fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('--type=extensionHost')) {
        pids.push(Number(d));
      }
    } catch {
      // the process ended while looking
    }
  }
  return pids.sort((a, b) => a - b);
}

/** The 90-day total the panel shows, once it satisfies `ok` (the panel is opened if need be). */
async function quarterTotal(page: Page, ok: (text: string) => boolean, what: string, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const frame = await frameShowing(page, '[data-testid=range-quarter]', 2_000).catch(() => undefined);
    if (frame === undefined) {
      await runCommand(page, 'Claude Cost: Open Panel').catch(() => undefined);
      await sleep(500);
      continue;
    }
    last = ((await frame.locator('[data-testid=range-quarter]').first().textContent().catch(() => '')) ?? '').trim();
    if (last !== '' && ok(last)) {
      return last;
    }
    await sleep(300);
  }
  throw new Error(`${what}: the 90-day total never matched within ${timeoutMs} ms; last seen ${JSON.stringify(last)}`);
}

function savedSessions(file: string): string[] {
  try {
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as { rows: unknown[][] };
    return [...new Set(saved.rows.map((r) => String(r[1])))].sort();
  } catch {
    return [];
  }
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() >= deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await sleep(250);
  }
}

/** Reloads the window (its extension host stops, so its meter saves) and waits for the workbench again. */
async function reloadWindow(page: Page): Promise<void> {
  const loaded = page.waitForEvent('load', { timeout: 60_000 });
  await runCommand(page, 'Developer: Reload Window', 10_000, false);
  await loaded;
  await page.locator('.monaco-workbench').first().waitFor({ state: 'visible', timeout: 60_000 });
}

describe('two VS Code windows sharing one stored history', function () {
  this.timeout(300_000);
  let temp = '';
  let server: CodeServer | undefined;
  let wb: Workbench | undefined;

  after(async () => {
    await tearDown(wb, server, temp);
  });

  it('keeps a session only one window held after it is deleted, in the file and in both 90-day totals', async () => {
    assert.ok(fs.existsSync(VSIX), `${VSIX} exists (npm run package)`);
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-e2e-two-windows-'));
    const folderA = path.join(temp, 'folder-a');
    const folderB = path.join(temp, 'folder-b');
    const configDir = path.join(temp, 'claude');
    const project = path.join(configDir, 'projects', '-w');
    const home = path.join(temp, 'home');
    for (const d of [folderA, folderB, project, home]) {
      fs.mkdirSync(d, { recursive: true });
    }
    const now = new Date().toISOString();
    fs.writeFileSync(path.join(project, `${S}.jsonl`), assistantLine({ session: S, id: 's1', req: 'rs1', ts: now, input: 1000, output: 10, cwd: folderB }) + '\n');
    server = await startCodeServer({ workspaceDir: folderA, vsixPath: VSIX, env: { CLAUDE_CONFIG_DIR: configDir, HOME: home }, settings: { 'claudeCostMeter.nudges.notifications': 'never' } });
    const historyFile = path.join(server.userDataDir, 'User', 'globalStorage', EXTENSION_ID, 'history-v1.json');

    wb = await openWorkbench(server.url, folderA);
    const a = wb.page;
    const b = await (await wb.browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    await b.goto(workbenchUrl(server.url, folderB));
    await b.locator('.monaco-workbench').first().waitFor({ state: 'visible', timeout: 60_000 });

    const onlyS = await quarterTotal(a, () => true, 'window A, S only');
    assert.equal(await quarterTotal(b, (t) => t === onlyS, 'window B, S only'), onlyS);
    await waitFor(() => savedSessions(historyFile).includes(S), 'the first save (S)');
    const hosts = extensionHosts(server.pid);
    console.log(`      extension host processes: ${JSON.stringify(hosts)}`);
    assert.equal(hosts.length, 2, 'one extension host per window');

    // X appears: window A has it live (so does B: both read the same transcripts).
    fs.writeFileSync(path.join(project, `${X}.jsonl`), assistantLine({ session: X, id: 'x1', req: 'rx1', ts: now, input: 200_000, output: 5000, cwd: folderA }) + '\n');
    const withX = await quarterTotal(a, (t) => t !== onlyS, 'window A, X live');
    assert.equal(savedSessions(historyFile).includes(X), false, 'X is not saved yet (saves are hourly, and when a window stops)');

    // A stops (a reload): its meter saves S and X.
    const hostsBefore = extensionHosts(server.pid);
    await reloadWindow(a);
    await waitFor(() => savedSessions(historyFile).includes(X), 'window A to save X');

    // X's transcript is deleted: B holds no copy of it now (its own rows are S only).
    fs.rmSync(path.join(project, `${X}.jsonl`));
    assert.equal(await quarterTotal(b, (t) => t === onlyS, 'window B, X gone'), onlyS);

    // B stops (a reload) and saves: a merge keeps A's row of X (a save that
    // changes nothing leaves the file as it is, so the end of B's old host is
    // what is waited for).
    const stillThere = () => extensionHosts(server!.pid).filter((pid) => hostsBefore.includes(pid));
    await waitFor(() => stillThere().length === 1, "A's old extension host to stop (B's is the one left)", 30_000);
    const hostsOfB = stillThere();
    await reloadWindow(b);
    await waitFor(() => !extensionHosts(server!.pid).includes(hostsOfB[0] ?? -1), "B's old extension host to stop");
    // B's new meter has loaded the file that B's old one left.
    await quarterTotal(b, () => true, 'window B after its reload');
    assert.deepEqual(savedSessions(historyFile), [S, X].sort(), 'after both saves, X is still in the file');

    assert.equal(await quarterTotal(b, (t) => t === withX, 'window B, X from history'), withX);
    assert.equal(await quarterTotal(a, (t) => t === withX, 'window A, X from history'), withX);
    const note = await frameShowing(b, '[data-testid=history-note]', 30_000);
    assert.match((await note.locator('[data-testid=history-note]').first().textContent()) ?? '', /1 session .* comes from the meter's own history/);
    await waitFor(() => extensionHosts(server!.pid).length === 2, 'still one extension host per window (the reloaded ones ended)', 30_000);
  });
});
