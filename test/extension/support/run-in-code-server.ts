// Runs a mocha suite inside code-server's real extension host (VS Code 1.100.3),
// where @vscode/test-electron cannot download a desktop VS Code. The workbench
// page carries the development extension and the tests' index in its `payload`
// query; opening it in Chromium is what starts the extension host. The index
// (see mocha-index.ts) writes its summary to $CCM_TEST_RESULT_FILE.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openWorkbench, type Workbench } from '../../e2e/support/browser';
import { remoteUri, startCodeServer, type CodeServer } from '../../e2e/support/code-server';
import { RESULT_FILE_ENV, type TestResult } from './mocha-index';

export interface RunExtensionTestsOptions {
  /** The extension folder (its package.json), loaded as in "Run Extension". */
  extensionDevelopmentPath: string;
  /** The compiled index whose run() VS Code calls, e.g. out/test/extension/support/mocha-index.js. */
  extensionTestsPath: string;
  /** The folder the workbench opens. */
  workspaceDir: string;
  /** Merged over process.env for the server and the extension host. */
  env?: Record<string, string>;
  /** User settings for the workbench. */
  settings?: object;
  /** How long to wait for the summary; default 120 s. */
  timeoutMs?: number;
}

export interface ExtensionTestsResult {
  passed: number;
  failed: number;
  /** The spec reporter's text, then one block per failure. */
  output: string;
}

/** Starts code-server and Chromium, runs the suite in the extension host, stops both and returns the counts. */
export async function runExtensionTests(opts: RunExtensionTestsOptions): Promise<ExtensionTestsResult> {
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-ext-'));
  const resultFile = path.join(tempDir, 'result.json');
  let server: CodeServer | undefined;
  let workbench: Workbench | undefined;
  try {
    server = await startCodeServer({
      workspaceDir: opts.workspaceDir,
      env: { ...(opts.env ?? {}), [RESULT_FILE_ENV]: resultFile },
      settings: opts.settings,
    });
    const url = new URL(`http://127.0.0.1:${server.port}/`);
    url.searchParams.set(
      'payload',
      JSON.stringify([
        ['extensionDevelopmentPath', remoteUri(server.port, opts.extensionDevelopmentPath)],
        ['extensionTestsPath', remoteUri(server.port, opts.extensionTestsPath)],
      ]),
    );
    workbench = await openWorkbench(url.toString(), opts.workspaceDir);
    const result = await waitForResult(resultFile, opts.timeoutMs ?? 120_000, server);
    const failures = result.failures.map((f, i) => `${i + 1}) ${f.title}\n${f.message}`).join('\n\n');
    return {
      passed: result.passed,
      failed: result.failed,
      output: failures === '' ? result.output : `${result.output}\n\n${failures}`,
    };
  } finally {
    await workbench?.close();
    await server?.stop();
    fs.rmSync(tempDir, { recursive: true, force: true });
  }
}

async function waitForResult(file: string, timeoutMs: number, server: CodeServer): Promise<TestResult> {
  const deadline = Date.now() + timeoutMs;
  let hostExitedAt: number | undefined;
  while (Date.now() < deadline) {
    if (fs.existsSync(file)) {
      return JSON.parse(fs.readFileSync(file, 'utf8')) as TestResult;
    }
    // The host exits once run() settles; without a result that means the
    // index never ran (a wrong path, a load error): give up early.
    if (hostExitedAt === undefined && /Extension host with pid \d+ exiting/.test(tail(findExthostLog(server.userDataDir)))) {
      hostExitedAt = Date.now();
    }
    if (hostExitedAt !== undefined && Date.now() - hostExitedAt > 2000) {
      throw new Error(noResult(`the extension host exited without writing ${file}`, server));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(noResult(`no test result in ${file} after ${timeoutMs} ms`, server));
}

function noResult(what: string, server: CodeServer): string {
  return (
    `${what}: the tests did not run in the extension host (is extensionTestsPath a compiled index exporting run()?).\n` +
    `--- code-server log ---\n${tail(server.logPath)}\n--- extension host log ---\n${tail(findExthostLog(server.userDataDir))}`
  );
}

function findExthostLog(userDataDir: string): string | undefined {
  const logs = path.join(userDataDir, 'logs');
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of safeReaddir(dir)) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(full);
      } else if (entry.name === 'remoteexthost.log' || entry.name === 'exthost.log') {
        found.push(full);
      }
    }
  };
  walk(logs);
  return found.sort().at(-1);
}

function safeReaddir(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

function tail(file: string | undefined, bytes = 4000): string {
  if (file === undefined) {
    return '(none)';
  }
  try {
    return fs.readFileSync(file, 'utf8').slice(-bytes);
  } catch {
    return '(unreadable)';
  }
}
