/**
 * End to end, the stored history's worst case (issue #24): the history file
 * in the extension's global storage was cut short mid-write (a crash, a full
 * disk). In a real VS Code workbench the extension must keep the damaged
 * bytes aside, keep the rows it can read, tell the user once (with "Show Log"
 * and "Open Folder") and say so in the panel's history note.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { frameShowing, notificationTexts, openWorkbench, runCommand, tearDown, type Workbench } from './support/browser';
import { startCodeServer, type CodeServer } from './support/code-server';
import { assistantLine } from '../unit/support/lines';

const ROOT = path.resolve(__dirname, '../../..');
const VSIX = path.join(ROOT, 'dist/claude-code-cost-meter.vsix');
const EXTENSION_ID = 'cost-meter.claude-code-cost-meter';
const LIVE = 'cccccccc-0000-4000-8000-000000000001';
const GONE = 'cccccccc-0000-4000-8000-000000000002';

async function waitForNotification(page: Page, pattern: RegExp, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let seen: string[] = [];
  while (Date.now() < deadline) {
    seen = await notificationTexts(page);
    const hit = seen.find((t) => pattern.test(t));
    if (hit !== undefined) {
      return hit;
    }
    await page.waitForTimeout(250);
  }
  throw new Error(`no notification matched ${pattern} within ${timeoutMs} ms; saw ${JSON.stringify(seen)}`);
}

describe('the stored history in a real VS Code workbench', function () {
  this.timeout(180_000);
  let temp = '';
  let server: CodeServer | undefined;
  let wb: Workbench | undefined;
  let storage = '';
  let damaged = '';

  before(async () => {
    assert.ok(fs.existsSync(VSIX), `${VSIX} exists (npm run package)`);
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-e2e-history-'));
    const workspaceDir = path.join(temp, 'workspace');
    const configDir = path.join(temp, 'claude');
    const home = path.join(temp, 'home');
    for (const d of [workspaceDir, path.join(configDir, 'projects', '-w'), home]) {
      fs.mkdirSync(d, { recursive: true });
    }
    const now = new Date().toISOString();
    fs.writeFileSync(path.join(configDir, 'projects', '-w', `${LIVE}.jsonl`), assistantLine({ session: LIVE, id: 'l1', req: 'rl1', ts: now, input: 1000, output: 10, cwd: workspaceDir }) + '\n');
    server = await startCodeServer({ workspaceDir, vsixPath: VSIX, env: { CLAUDE_CONFIG_DIR: configDir, HOME: home }, settings: { 'claudeCostMeter.nudges.notifications': 'never' } });
    // A history cut short mid-write: one whole row of a session whose transcript is gone, then the damage.
    storage = path.join(server.userDataDir, 'User', 'globalStorage', EXTENSION_ID);
    fs.mkdirSync(storage, { recursive: true });
    const day = now.slice(0, 10);
    damaged = `{"version":1,"savedAt":"${now}","rows":[["${day}","${GONE}","/gone","claude-sonnet-4-6",1.25,1,2,0,0,0,0,3,"main"],["${day}","${GONE}-b","/gone","claude-sonnet-4-6",2`;
    fs.writeFileSync(path.join(storage, 'history-v1.json'), damaged);
    wb = await openWorkbench(server.url, workspaceDir);
  });

  after(async () => {
    await tearDown(wb, server, temp);
  });

  it('keeps the damaged bytes aside, keeps the readable rows, tells the user once with Show Log and Open Folder', async () => {
    const page = wb!.page;
    const note = await waitForNotification(page, /could not be used as it stood/, 90_000);
    assert.match(note, /Its bytes were kept in .*history-v1\.damaged-.*\.json, and every row that could be read was kept/);
    const buttons = await page.locator('.notifications-toasts .notification-toast').filter({ hasText: 'could not be used as it stood' }).locator('.monaco-button').allInnerTexts();
    assert.deepEqual(
      buttons.map((b) => b.trim()),
      ['Show Log', 'Open Folder'],
    );
    const aside = fs.readdirSync(storage).filter((f) => /^history-v1\.damaged-.+\.json$/.test(f));
    assert.equal(aside.length, 1);
    assert.equal(fs.readFileSync(path.join(storage, aside[0] ?? ''), 'utf8'), damaged, 'the damaged bytes, exactly');
    const saved = JSON.parse(fs.readFileSync(path.join(storage, 'history-v1.json'), 'utf8')) as { rows: unknown[][] };
    assert.deepEqual([...new Set(saved.rows.map((r) => r[1]))].sort(), [LIVE, GONE].sort(), 'the recovered row and the live session');

    await runCommand(page, 'Claude Cost: Open Panel');
    const frame = await frameShowing(page, '[data-testid=history-problem]', 30_000);
    const problem = ((await frame.locator('[data-testid=history-problem]').first().textContent()) ?? '').trim();
    assert.match(problem, /could not be used as it stood/);
  });
});
