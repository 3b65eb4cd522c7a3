/**
 * The fixture both extension-host runners use (code-server and desktop VS
 * Code): a workspace and a Claude tree dated today in a temporary folder, and
 * the environment that tells the in-host tests what to expect.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeTodayTree } from '../../support/today-tree';

export interface HostFixture {
  root: string;
  temp: string;
  workspaceDir: string;
  extensionTestsPath: string;
  env: Record<string, string>;
  /** Deletes the temporary folder. */
  dispose(): void;
}

export function makeHostFixture(prefix: string): HostFixture {
  const root = path.resolve(__dirname, '../../../..');
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const workspaceDir = path.join(temp, 'workspace');
  fs.mkdirSync(workspaceDir);
  const tree = writeTodayTree(path.join(temp, 'claude'), workspaceDir);
  return {
    root,
    temp,
    workspaceDir,
    extensionTestsPath: path.join(root, 'out/test/extension/support/mocha-index.js'),
    env: {
      CLAUDE_CONFIG_DIR: tree.configDir,
      CCM_FIXTURE_FILE: tree.currentFile,
      CCM_WORKSPACE_DIR: workspaceDir,
      CCM_EXPECTED_SESSION_USD: String(tree.sessionUSD),
      CCM_EXPECTED_TODAY_USD: String(tree.todayUSD),
      CCM_EXTENSION_TESTS_DIR: path.join(root, 'out/test/extension'),
    },
    dispose: () => fs.rmSync(temp, { recursive: true, force: true }),
  };
}
