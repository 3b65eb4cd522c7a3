/**
 * Runs inside the real VS Code extension host (code-server 4.100.3, or
 * desktop VS Code through @vscode/test-electron).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import Mocha from 'mocha';
import * as vscode from 'vscode';
import type { CostMeterApi } from '../../src/vscode/extension';
import { EXTENSION_ID, Commands } from '../../src/vscode/ids';
import { CURRENT_SESSION, SONNET_CALL_USD, sonnetLine } from '../support/today-tree';

const fixtureFile = process.env.CCM_FIXTURE_FILE ?? '';
const workspaceDir = process.env.CCM_WORKSPACE_DIR ?? '';
const expectedSessionUSD = Number(process.env.CCM_EXPECTED_SESSION_USD);
const expectedTodayUSD = Number(process.env.CCM_EXPECTED_TODAY_USD);

async function waitFor<T>(what: string, get: () => T | undefined, timeoutMs = 8000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = get();
    if (v !== undefined) {
      return v;
    }
    if (Date.now() - start > timeoutMs) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Claude Code Cost Meter in the extension host', function () {
  this.timeout(30_000);
  let api: CostMeterApi;

  before(async () => {
    const ext = vscode.extensions.getExtension<CostMeterApi>(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is installed`);
    api = await ext.activate();
    await api.ready;
  });

  afterEach(async () => {
    await vscode.workspace.getConfiguration('claudeCostMeter').update('budgets.sessionUSD', undefined, vscode.ConfigurationTarget.Global);
  });

  it('activates and reads the fixture: the current session and today, exactly', async () => {
    const status = await waitFor('status model', () => (api.statusModel()?.state === 'ready' ? api.statusModel() : undefined));
    assert.equal(status.sessionId, CURRENT_SESSION);
    assert.ok(Math.abs((status.sessionCostUSD ?? NaN) - expectedSessionUSD) < 1e-12, String(status.sessionCostUSD));
    assert.ok(Math.abs(status.todayCostUSD - expectedTodayUSD) < 1e-12, String(status.todayCostUSD));
    assert.match(status.text, /^\$\(pulse\) \$0\.03 · today \$0\.11/);
    const session = api.snapshot().report?.sessions.find((s) => s.sessionId === CURRENT_SESSION);
    assert.equal(session?.project, workspaceDir);
    // Reported, not judged (speed is the benchmarks' business): the real host's figure for the README.
    assert.ok(Number.isFinite(api.activationMs) && api.activationMs > 0, String(api.activationMs));
    // Through the reporter's own log, which the runner prints with the results.
    (Mocha.reporters.Base as unknown as { consoleLog: (line: string) => void }).consoleLog(`      activate() synchronous part in this extension host: ${api.activationMs.toFixed(1)} ms`);
  });

  it('contributes its commands under one category', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const id of Object.values(Commands)) {
      assert.ok(all.includes(id), id);
    }
  });

  it('updates the status bar model when a line is appended to a transcript', async () => {
    const before = api.statusModel()?.sessionCostUSD ?? NaN;
    fs.appendFileSync(fixtureFile, `${sonnetLine(CURRENT_SESSION, workspaceDir, 'ext-append', 1)}\n`);
    const after = await waitFor('the appended call', () => {
      const v = api.statusModel()?.sessionCostUSD;
      return v !== undefined && v > before ? v : undefined;
    });
    assert.ok(Math.abs(after - (before + SONNET_CALL_USD)) < 1e-12);
  });

  it('applies a settings change at once, without a reload', async () => {
    await vscode.workspace.getConfiguration('claudeCostMeter').update('budgets.sessionUSD', 0.01, vscode.ConfigurationTarget.Global);
    const status = await waitFor('error colour', () => (api.statusModel()?.severity === 'error' ? api.statusModel() : undefined));
    assert.ok(status.reasons.some((r) => r.includes('Session budget')), status.reasons.join('; '));
  });

  it('team export: a Pushgateway that refuses gives a status bar hint (no toast); clearing the URL turns it off', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = net.createServer();
      server.listen(0, '127.0.0.1', () => {
        const p = (server.address() as net.AddressInfo).port;
        server.close(() => resolve(p));
      });
    });
    const config = vscode.workspace.getConfiguration('claudeCostMeter');
    await config.update('export.intervalSeconds', 5, vscode.ConfigurationTarget.Global);
    await config.update('export.pushgatewayUrl', `http://127.0.0.1:${port}`, vscode.ConfigurationTarget.Global);
    const hint = await waitFor('the export hint', () => api.exportHint());
    assert.match(hint, /refused/);
    await config.update('export.pushgatewayUrl', undefined, vscode.ConfigurationTarget.Global);
    await config.update('export.intervalSeconds', undefined, vscode.ConfigurationTarget.Global);
    await waitFor('the hint to go', () => (api.exportHint() === undefined ? true : undefined));
  });

  it('reports a bad setting by name and keeps working on its default', async () => {
    const config = vscode.workspace.getConfiguration('claudeCostMeter');
    await config.update('budgets.sessionUSD', -5, vscode.ConfigurationTarget.Global);
    const problems = await waitFor('the settings problem', () => {
      const p = api.settingsProblems();
      return p.length > 0 ? p : undefined;
    });
    assert.ok(problems.some((p) => p.startsWith('claudeCostMeter.budgets.sessionUSD:')), problems.join('; '));
    const status = await waitFor('a status model', () => api.statusModel());
    assert.equal(status.state, 'ready');
    assert.ok(!status.reasons.some((r) => r.includes('Session budget')), 'the default budget ($5) is used, not -5');
  });

  it('opens the panel with a strict, nonce-based CSP', async () => {
    await vscode.commands.executeCommand(Commands.openPanel);
    const html = await waitFor('panel html', () => api.panelHtml());
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    assert.match(csp, /default-src 'none'/);
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce && nonce.length >= 16);
    assert.ok(html.includes(`<script nonce="${nonce}"`));
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  });
});
