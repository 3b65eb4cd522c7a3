// Runs `npm ci` when the dependencies are not installed yet, so `npm start`
// and `npm test` work as the first commands on a fresh clone.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const needed = ['eslint', 'tsc', 'esbuild', 'mocha', 'vsce'].map((b) => join(root, 'node_modules', '.bin', b));
if (!needed.every((p) => existsSync(p))) {
  console.log('== installing dependencies (npm ci)');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
