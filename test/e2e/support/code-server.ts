// Starts and stops a real VS Code (code-server 4.100.3, VS Code 1.100.3) for
// the end-to-end and extension-host tests. Install it first with
// `bash scripts/install-test-vscode.sh`. Each server has its own port, its own
// temporary folder (user data, extensions, logs) and its own process group,
// and stop() ends that group by its id and deletes the folder.
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export interface CodeServerOptions {
  /** The folder the workbench opens. */
  workspaceDir: string;
  /** Merged over process.env for the server and so for the extension host (e.g. HOME, CLAUDE_CONFIG_DIR). */
  env?: Record<string, string>;
  /** A .vsix to install into the server's own extensions folder before it starts. */
  vsixPath?: string;
  /** An extension folder loaded as in "Run Extension"; `url` then carries it in its `payload`. */
  extensionDevelopmentPath?: string;
  /** User settings, written over the quiet defaults of `defaultSettings`. */
  settings?: object;
  /** How long to wait for the server to answer; default 30 s. */
  startTimeoutMs?: number;
  /**
   * A folder for the user data, extensions and logs that outlives the server
   * (a restart with the same user data): used instead of a new temporary one,
   * and left in place by stop(). The caller deletes it.
   */
  stateDir?: string;
}

export interface CodeServer {
  /** `http://127.0.0.1:PORT/`, with a `payload` query when extensionDevelopmentPath was given. */
  url: string;
  port: number;
  /** The server's process id, also its process group id. */
  pid: number;
  userDataDir: string;
  extensionsDir: string;
  /** The server's stdout and stderr. */
  logPath: string;
  /** Ends the server's process group and deletes its temporary folder. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * The code-server that scripts/install-test-vscode.sh installed: the env var
 * CCM_CODE_SERVER, else `.vscode-test/code-server/node_modules/.bin/code-server`
 * in the first folder above this file (or above the working directory) that
 * holds `scripts/install-test-vscode.sh`.
 */
export function codeServerBin(): string {
  const fromEnv = process.env.CCM_CODE_SERVER;
  if (fromEnv !== undefined && fromEnv !== '') {
    return fromEnv;
  }
  const root = findRepoRoot(__dirname) ?? findRepoRoot(process.cwd()) ?? process.cwd();
  return path.join(root, '.vscode-test', 'code-server', 'node_modules', '.bin', 'code-server');
}

/** User settings that keep the workbench quiet, local and free of first-run UI. */
export const defaultSettings: Readonly<Record<string, unknown>> = {
  'telemetry.telemetryLevel': 'off',
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.settings.enableNaturalLanguageSearch': false,
  'security.workspace.trust.enabled': false,
  'extensions.ignoreRecommendations': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'npm.fetchOnlinePackageInfo': false,
  'json.schemaDownload.enable': false,
  'typescript.surveys.enabled': false,
  'git.autofetch': false,
  'chat.commandCenter.enabled': false,
};

/** Starts code-server on a free 127.0.0.1 port and resolves once it answers HTTP. */
export async function startCodeServer(opts: CodeServerOptions): Promise<CodeServer> {
  const bin = codeServerBin();
  if (!fs.existsSync(bin)) {
    throw new Error(`code-server not found at ${bin}; run: bash scripts/install-test-vscode.sh`);
  }
  const keepDir = opts.stateDir !== undefined;
  const tempDir = opts.stateDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-cs-'));
  const userDataDir = path.join(tempDir, 'user-data');
  const extensionsDir = path.join(tempDir, 'extensions');
  const logPath = path.join(tempDir, 'code-server.log');
  const configPath = path.join(tempDir, 'config.yaml');
  let child: cp.ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  try {
    fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
    fs.mkdirSync(extensionsDir, { recursive: true });
    fs.writeFileSync(configPath, '');
    fs.writeFileSync(
      path.join(userDataDir, 'User', 'settings.json'),
      JSON.stringify({ ...defaultSettings, ...(opts.settings ?? {}) }, null, 2),
    );
    const env = serverEnv(tempDir, opts.env);
    const common = ['--config', configPath, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];

    if (opts.vsixPath !== undefined) {
      await execFile(bin, [...common, '--force', '--install-extension', path.resolve(opts.vsixPath)], env);
    }

    const port = await freePort();
    const log = fs.openSync(logPath, 'a');
    try {
      child = cp.spawn(
        bin,
        [
          ...common,
          '--auth', 'none',
          '--bind-addr', `127.0.0.1:${port}`,
          '--disable-telemetry',
          '--disable-update-check',
          '--disable-workspace-trust',
          '--disable-getting-started-override',
          '--ignore-last-opened',
          path.resolve(opts.workspaceDir),
        ],
        { env, detached: true, stdio: ['ignore', log, log] },
      );
      const started = child;
      exited = new Promise<void>((resolve) => {
        started.once('exit', () => resolve());
        started.once('error', () => resolve());
      });
    } finally {
      fs.closeSync(log);
    }
    const pid = child.pid;
    if (pid === undefined) {
      throw new Error(`could not start ${bin}`);
    }
    await waitForHttp(port, exited, opts.startTimeoutMs ?? 30_000, logPath);

    const url = new URL(`http://127.0.0.1:${port}/`);
    if (opts.extensionDevelopmentPath !== undefined) {
      url.searchParams.set(
        'payload',
        JSON.stringify([['extensionDevelopmentPath', remoteUri(port, opts.extensionDevelopmentPath)]]),
      );
    }
    let stopped: Promise<void> | undefined;
    return {
      url: url.toString(),
      port,
      pid,
      userDataDir,
      extensionsDir,
      logPath,
      stop: () => (stopped ??= stopGroup(pid, exited).finally(() => (keepDir ? undefined : removeDir(tempDir)))),
    };
  } catch (err) {
    if (child?.pid !== undefined) {
      await stopGroup(child.pid, exited);
    }
    const logTail = readTail(logPath);
    if (!keepDir) {
      removeDir(tempDir);
    }
    throw new Error(`${err instanceof Error ? err.message : String(err)}${logTail ? `\n--- code-server log ---\n${logTail}` : ''}`);
  }
}

/** A `vscode-remote://` URI naming a path on the server's machine, as the workbench's payload wants it. */
export function remoteUri(port: number, fsPath: string): string {
  const abs = path.resolve(fsPath).split(path.sep).map(encodeURIComponent).join('/');
  return `vscode-remote://127.0.0.1:${port}${abs.startsWith('/') ? abs : `/${abs}`}`;
}

function serverEnv(tempDir: string, extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // code-server writes its default config and logs, VS Code its device id,
    // here rather than in the real home.
    XDG_CONFIG_HOME: path.join(tempDir, 'xdg-config'),
    XDG_DATA_HOME: path.join(tempDir, 'xdg-data'),
    XDG_CACHE_HOME: path.join(tempDir, 'xdg-cache'),
    // No extension gallery: no look-ups leave the machine.
    EXTENSIONS_GALLERY: '{}',
  };
  // Inside a VS Code terminal this would make code-server hand the folder to
  // that VS Code instead of starting.
  delete env.VSCODE_IPC_HOOK_CLI;
  delete env.PORT;
  delete env.PASSWORD;
  delete env.HASHED_PASSWORD;
  return { ...env, ...(extra ?? {}) };
}

function execFile(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    cp.execFile(file, args, { env, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`${path.basename(file)} ${args.join(' ')} failed: ${err.message}\n${stdout}${stderr}`));
      } else {
        resolve();
      }
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') {
          resolve(address.port);
        } else {
          reject(new Error('no free port'));
        }
      });
    });
  });
}

function httpStatus(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

async function waitForHttp(port: number, exited: Promise<void>, timeoutMs: number, logPath: string): Promise<void> {
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gone) {
      throw new Error(`code-server exited before it answered on port ${port} (log: ${logPath})`);
    }
    if ((await httpStatus(port)) === 200) {
      return;
    }
    await sleep(100);
  }
  throw new Error(`code-server did not answer on port ${port} within ${timeoutMs} ms (log: ${logPath})`);
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // Already gone.
  }
}

/** SIGTERM to the whole group, then SIGKILL to whatever is left after 5 s. */
async function stopGroup(pgid: number, exited: Promise<unknown>): Promise<void> {
  signalGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + 5000;
  while (groupAlive(pgid) && Date.now() < deadline) {
    await sleep(50);
  }
  if (groupAlive(pgid)) {
    signalGroup(pgid, 'SIGKILL');
  }
  await Promise.race([exited, sleep(2000)]);
  const killDeadline = Date.now() + 2000;
  while (groupAlive(pgid) && Date.now() < killDeadline) {
    await sleep(50);
  }
}

function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

function readTail(file: string, bytes = 4000): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.slice(-bytes);
  } catch {
    return '';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function findRepoRoot(start: string): string | undefined {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'scripts', 'install-test-vscode.sh'))) {
      return dir;
    }
    if (path.dirname(dir) === dir) {
      return undefined;
    }
  }
}
