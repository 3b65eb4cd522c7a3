/**
 * The same extension-host suite under desktop VS Code via @vscode/test-electron
 * (`npm run test:desktop`). It downloads VS Code, so it needs the internet:
 * on machines without it, use `npm run test:extension` (code-server).
 */
import { runTests } from '@vscode/test-electron';
import { makeHostFixture } from './support/fixture-env';

async function main(): Promise<void> {
  const fixture = makeHostFixture('ccm-desktop-');
  try {
    await runTests({
      version: '1.100.3',
      extensionDevelopmentPath: fixture.root,
      extensionTestsPath: fixture.extensionTestsPath,
      launchArgs: [fixture.workspaceDir, '--disable-extensions', '--disable-workspace-trust'],
      extensionTestsEnv: fixture.env,
    });
  } finally {
    fixture.dispose();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
