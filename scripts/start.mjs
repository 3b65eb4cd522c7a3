// npm start: build, package the .vsix, install it into the test VS Code
// (code-server) and serve it on 127.0.0.1, watching your real Claude folders.
// With none, it says so and replays a bundled demo session so the numbers move.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const state = join(root, '.vscode-test', 'start');
const vsix = join(root, 'dist', 'claude-code-cost-meter.vsix');

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) {
    console.error(`npm start: "${cmd} ${args.join(' ')}" failed`);
    process.exit(r.status ?? 1);
  }
  return r;
}

function freePort(preferred) {
  return new Promise((res) => {
    const srv = createServer();
    srv.once('error', () => {
      const any = createServer();
      any.listen(0, '127.0.0.1', () => {
        const { port } = any.address();
        any.close(() => res(port));
      });
    });
    srv.listen(preferred, '127.0.0.1', () => srv.close(() => res(preferred)));
  });
}

/** True when `dir` holds a .jsonl file somewhere below it. */
function hasTranscripts(dir, depth = 0) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return false;
  }
  return entries.some((e) => (e.isFile() && e.name.endsWith('.jsonl')) || (e.isDirectory() && depth < 4 && hasTranscripts(join(dir, e.name), depth + 1)));
}

function realClaudeDirs() {
  if (process.env.CLAUDE_CONFIG_DIR) {
    return process.env.CLAUDE_CONFIG_DIR.split(',').filter((d) => d.trim() !== '');
  }
  const xdg = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return [join(xdg, 'claude'), join(homedir(), '.claude')].filter((d) => hasTranscripts(join(d, 'projects')));
}

console.log('== building and packaging the extension');
run('npm', ['run', 'package']);
console.log('== installing the test VS Code (code-server 4.100.3), once');
run('bash', ['scripts/install-test-vscode.sh']);
const codeServer = join(root, '.vscode-test', 'code-server', 'node_modules', '.bin', 'code-server');

const userData = join(state, 'user-data');
const extensions = join(state, 'extensions');
const xdg = join(state, 'xdg');
for (const d of [userData, join(userData, 'User'), extensions, xdg]) {
  mkdirSync(d, { recursive: true });
}
writeFileSync(
  join(userData, 'User', 'settings.json'),
  JSON.stringify({ 'telemetry.telemetryLevel': 'off', 'workbench.startupEditor': 'none', 'security.workspace.trust.enabled': false, 'extensions.autoUpdate': false, 'update.mode': 'none', 'git.openRepositoryInParentFolders': 'never' }, null, 2),
);
const quietEnv = { ...process.env, XDG_CONFIG_HOME: join(xdg, 'config'), XDG_DATA_HOME: join(xdg, 'data'), XDG_CACHE_HOME: join(xdg, 'cache'), EXTENSIONS_GALLERY: '{}' };
delete quietEnv.PASSWORD;
delete quietEnv.HASHED_PASSWORD;
run(codeServer, ['--config', '/dev/null', '--user-data-dir', userData, '--extensions-dir', extensions, '--install-extension', vsix, '--force'], { env: quietEnv });

const children = [];
let workspace = process.env.INIT_CWD || root;
const dirs = realClaudeDirs();
const env = { ...quietEnv };
if (dirs.length > 0) {
  console.log(`== watching your Claude transcripts in: ${dirs.join(', ')}`);
  env.CLAUDE_CONFIG_DIR = dirs.join(',');
} else {
  const demoConfig = join(state, 'demo-claude');
  workspace = join(state, 'demo-project');
  mkdirSync(workspace, { recursive: true });
  console.log('== no Claude Code transcripts found (looked for CLAUDE_CONFIG_DIR, ~/.config/claude/projects, ~/.claude/projects)');
  console.log(`== using the bundled demo: a session replayed live into ${demoConfig}`);
  env.CLAUDE_CONFIG_DIR = demoConfig;
  children.push(spawn(process.execPath, [join(root, 'scripts', 'demo-replay.mjs'), demoConfig, workspace, '4000'], { stdio: 'inherit', detached: true }));
}

const port = await freePort(Number(process.env.PORT) || 8080);
const server = spawn(
  codeServer,
  ['--config', '/dev/null', '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--user-data-dir', userData, '--extensions-dir', extensions, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', workspace],
  { env, stdio: ['ignore', 'ignore', 'inherit'], detached: true },
);
children.push(server);
const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`;
console.log(`\n   Claude Code Cost Meter is running in VS Code at:  ${url}\n   (Ctrl+C to stop)\n`);

const stop = () => {
  for (const c of children) {
    try {
      process.kill(-c.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
server.on('exit', (code) => {
  console.error(`code-server exited (${code})`);
  stop();
});
