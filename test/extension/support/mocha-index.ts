// The `extensionTestsPath` entry point for tests that run inside a real VS Code
// extension host. VS Code calls run(); it runs mocha over the compiled
// `*.test.js` files of the extension test folder and writes a JSON summary to
// the file named by $CCM_TEST_RESULT_FILE, since under code-server nobody sees
// the host's console.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

/** The env var naming the file the summary is written to. */
export const RESULT_FILE_ENV = 'CCM_TEST_RESULT_FILE';
/** The env var naming the folder searched for `*.test.js` (default: the folder above this file's). */
export const TESTS_DIR_ENV = 'CCM_EXTENSION_TESTS_DIR';

export interface TestFailure {
  title: string;
  message: string;
}

/** What run() writes to $CCM_TEST_RESULT_FILE. */
export interface TestResult {
  passed: number;
  failed: number;
  failures: TestFailure[];
  /** What the spec reporter printed. */
  output: string;
}

export interface MochaSuiteOptions {
  /** Searched recursively for `*.test.js`, `support/` and `node_modules/` left out. */
  testsDir: string;
  /** Where the summary goes; nothing is written when undefined. */
  resultFile?: string;
  timeoutMs?: number;
}

/** Entry point VS Code calls: mocha over the extension tests, summary to $CCM_TEST_RESULT_FILE. */
export function run(): Promise<void> {
  const fromEnv = process.env[TESTS_DIR_ENV];
  return runMochaSuite({
    testsDir: fromEnv !== undefined && fromEnv !== '' ? fromEnv : path.resolve(__dirname, '..'),
    resultFile: process.env[RESULT_FILE_ENV],
  });
}

/** Runs mocha (bdd, spec reporter) over the test files; resolves when all pass, rejects otherwise. */
export async function runMochaSuite(opts: MochaSuiteOptions): Promise<void> {
  const lines: string[] = [];
  const baseReporter = Mocha.reporters.Base as unknown as { consoleLog: (...args: unknown[]) => void };
  const originalLog = baseReporter.consoleLog;
  baseReporter.consoleLog = (...args: unknown[]): void => {
    lines.push(formatLine(args));
    originalLog(...args);
  };
  const result: TestResult = { passed: 0, failed: 0, failures: [], output: '' };
  try {
    const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', color: false, timeout: opts.timeoutMs ?? 20_000 });
    const files = findTestFiles(opts.testsDir);
    if (files.length === 0) {
      throw new Error(`no *.test.js files under ${opts.testsDir}`);
    }
    for (const file of files) {
      mocha.addFile(file);
    }
    await new Promise<void>((resolve) => {
      const runner = mocha.run(() => resolve());
      runner.on('pass', () => {
        result.passed += 1;
      });
      runner.on('fail', (test, err: unknown) => {
        result.failed += 1;
        result.failures.push({ title: test.fullTitle(), message: errorText(err) });
      });
    });
  } catch (err) {
    result.failed += 1;
    result.failures.push({ title: '(loading the tests)', message: errorText(err) });
  } finally {
    baseReporter.consoleLog = originalLog;
  }
  result.output = lines.join('\n');
  if (opts.resultFile !== undefined && opts.resultFile !== '') {
    writeAtomically(opts.resultFile, JSON.stringify(result, null, 2));
  }
  if (result.failed > 0) {
    throw new Error(`${result.failed} extension test(s) failed`);
  }
}

function findTestFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'support' && entry.name !== 'node_modules') {
        out.push(...findTestFiles(full));
      }
    } else if (entry.name.endsWith('.test.js')) {
      out.push(full);
    }
  }
  return out.sort();
}

function writeAtomically(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    return err.stack ?? err.message;
  }
  return String(err);
}

function formatLine(args: unknown[]): string {
  if (args.length === 0) {
    return '';
  }
  const [first, ...rest] = args;
  if (typeof first !== 'string') {
    return args.map(String).join(' ');
  }
  // The reporters use printf-style %s / %d / %%.
  let i = 0;
  const text = first.replace(/%[sdj%]/g, (m) => (m === '%%' ? '%' : i < rest.length ? String(rest[i++]) : m));
  return [text, ...rest.slice(i).map(String)].join(' ').replace(/\u001b\[[0-9;]*m/g, '');
}
