/**
 * Runs test/extension/*.test.js inside code-server's real extension host,
 * with CLAUDE_CONFIG_DIR pointing at a temporary tree dated today.
 * Usage: node out/test/extension/run.js   (after npm run build and the test compile)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runExtensionTests } from './support/run-in-code-server';
import { writeTodayTree } from '../support/today-tree';

async function main(): Promise<number> {
  const root = path.resolve(__dirname, '../../..');
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-exthost-'));
  try {
    const workspaceDir = path.join(temp, 'workspace');
    fs.mkdirSync(workspaceDir);
    const tree = writeTodayTree(path.join(temp, 'claude'), workspaceDir);
    const result = await runExtensionTests({
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(root, 'out/test/extension/support/mocha-index.js'),
      workspaceDir,
      env: {
        CLAUDE_CONFIG_DIR: tree.configDir,
        CCM_FIXTURE_FILE: tree.currentFile,
        CCM_WORKSPACE_DIR: workspaceDir,
        CCM_EXPECTED_SESSION_USD: String(tree.sessionUSD),
        CCM_EXPECTED_TODAY_USD: String(tree.todayUSD),
        CCM_EXTENSION_TESTS_DIR: path.join(root, 'out/test/extension'),
      },
    });
    console.log(result.output);
    console.log(`extension host: ${result.passed} passed, ${result.failed} failed`);
    return result.failed === 0 && result.passed > 0 ? 0 : 1;
  } finally {
    fs.rmSync(temp, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
