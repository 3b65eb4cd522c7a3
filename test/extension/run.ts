/**
 * Runs test/extension/*.test.js inside code-server's real extension host,
 * with CLAUDE_CONFIG_DIR pointing at a temporary tree dated today.
 * Usage: node out/test/extension/run.js   (after npm run build and the test compile)
 */
import { runExtensionTests } from './support/run-in-code-server';
import { makeHostFixture } from './support/fixture-env';

async function main(): Promise<number> {
  const fixture = makeHostFixture('ccm-exthost-');
  try {
    const result = await runExtensionTests({
      extensionDevelopmentPath: fixture.root,
      extensionTestsPath: fixture.extensionTestsPath,
      workspaceDir: fixture.workspaceDir,
      env: fixture.env,
    });
    console.log(result.output);
    console.log(`extension host: ${result.passed} passed, ${result.failed} failed`);
    return result.failed === 0 && result.passed > 0 ? 0 : 1;
  } finally {
    fixture.dispose();
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
