/**
 * Plan limits in a real VS Code workbench (code-server + Chromium): the status
 * bar shows the 5-hour share from a `.claude.json` fixture (in
 * CLAUDE_CONFIG_DIR, as Claude Code keeps it) and follows a change of the file.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { tearDown, openWorkbench, waitForStatusBarText, type Workbench } from './support/browser';
import { startCodeServer, type CodeServer } from './support/code-server';
import { writeTodayTree } from '../support/today-tree';
import { configFixture } from '../unit/support/limits';

const ROOT = path.resolve(__dirname, '../../..');
const VSIX = path.join(ROOT, 'dist/claude-code-cost-meter.vsix');

/** Writes the config the way Claude Code does: a temp file renamed over it. */
function writeConfig(file: string, fiveHour: number): void {
  const c = configFixture(Date.now(), 120_000) as { cachedUsageUtilization: { utilization: { five_hour: { utilization: number } } } };
  c.cachedUsageUtilization.utilization.five_hour.utilization = fiveHour;
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(c));
  fs.renameSync(`${file}.tmp`, file);
}

describe('plan limits in a real VS Code workbench (code-server + Chromium)', function () {
  this.timeout(180_000);
  let temp = '';
  let configDir = '';
  let server: CodeServer | undefined;
  let wb: Workbench | undefined;

  before(async () => {
    assert.ok(fs.existsSync(VSIX), `${VSIX} exists (npm run package)`);
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-e2e-limits-'));
    const workspaceDir = path.join(temp, 'workspace');
    configDir = path.join(temp, 'claude');
    const home = path.join(temp, 'home');
    for (const d of [workspaceDir, configDir, home]) {
      fs.mkdirSync(d);
    }
    writeTodayTree(configDir, workspaceDir);
    writeConfig(path.join(configDir, '.claude.json'), 37.5);
    server = await startCodeServer({ workspaceDir, vsixPath: VSIX, env: { CLAUDE_CONFIG_DIR: configDir, HOME: home, XDG_CACHE_HOME: path.join(home, '.cache') } });
    wb = await openWorkbench(server.url, workspaceDir);
  });

  after(async () => {
    await tearDown(wb, server, temp);
  });

  it('shows the 5-hour share from the fixture, then follows a change of the file', async () => {
    const page = wb!.page;
    const first = await waitForStatusBarText(page, (t) => /today \$.* · 5h 37\.5%$/.test(t.trim()), 60_000);
    assert.match(first.trim(), / · 5h 37\.5%$/);
    const started = Date.now();
    writeConfig(path.join(configDir, '.claude.json'), 83);
    const changed = await waitForStatusBarText(page, (t) => / · 5h 83%$/.test(t.trim()), 15_000);
    assert.match(changed.trim(), / · 5h 83%$/);
    console.log(`      config change -> status bar: ${Date.now() - started} ms`);
  });
});
