/**
 * The same extension-host suite under desktop VS Code via @vscode/test-electron
 * (`npm run test:desktop`). It downloads VS Code, so it needs the internet:
 * on machines without it, use `npm run test:extension` (code-server).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { writeTodayTree } from '../support/today-tree';

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '../../..');
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-desktop-'));
  try {
    const workspaceDir = path.join(temp, 'workspace');
    fs.mkdirSync(workspaceDir);
    const tree = writeTodayTree(path.join(temp, 'claude'), workspaceDir);
    await runTests({
      version: '1.100.3',
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(root, 'out/test/extension/support/mocha-index.js'),
      launchArgs: [workspaceDir, '--disable-extensions', '--disable-workspace-trust'],
      extensionTestsEnv: {
        CLAUDE_CONFIG_DIR: tree.configDir,
        CCM_FIXTURE_FILE: tree.currentFile,
        CCM_WORKSPACE_DIR: workspaceDir,
        CCM_EXPECTED_SESSION_USD: String(tree.sessionUSD),
        CCM_EXPECTED_TODAY_USD: String(tree.todayUSD),
        CCM_EXTENSION_TESTS_DIR: path.join(root, 'out/test/extension'),
      },
    });
  } finally {
    fs.rmSync(temp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
