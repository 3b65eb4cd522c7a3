// The real-client scenarios against chosen Claude Code releases, with a table
// per scenario: our total, the usage the stand-in served (priced on our
// table) and Claude Code's own total (its cost-state), and whether every
// check of the suite holds.
//
//   npm run test:real-client                      the pinned devDependency
//   npm run test:real-client -- --latest 3        the three newest releases
//   npm run test:real-client -- --version 2.1.332 [--version ...] [--scenario advisor ...]
//
// Releases other than the pinned one are installed once each into
// $XDG_CACHE_HOME/claude-code-cost-meter/real-client/<version> (default
// ~/.cache/...), from the npm registry, with `allowScripts` for the package
// (its install script links the native binary). Nothing else is written
// outside a temp folder, which is removed at the end.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const PACKAGE = '@anthropic-ai/claude-code';
const require = createRequire(import.meta.url);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function parseArgs(argv) {
  const o = { latest: 0, versions: [], scenarios: [], build: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--latest') {
      o.latest = Number(argv[++i]);
      if (!(o.latest >= 1 && o.latest <= 20)) {
        throw new Error('--latest expects a count from 1 to 20');
      }
    } else if (a === '--version') {
      o.versions.push(String(argv[++i]));
    } else if (a === '--scenario') {
      o.scenarios.push(String(argv[++i]));
    } else if (a === '--no-build') {
      o.build = false;
    } else {
      throw new Error(`unknown argument ${a}`);
    }
  }
  return o;
}

function cacheRoot() {
  const base = process.env.XDG_CACHE_HOME && process.env.XDG_CACHE_HOME.trim() !== '' ? process.env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'claude-code-cost-meter', 'real-client');
}

/** The newest `n` releases (no pre-releases), oldest first. */
function latestVersions(n) {
  const all = JSON.parse(execFileSync(npm, ['view', PACKAGE, 'versions', '--json'], { encoding: 'utf8' }));
  return all.filter((v) => /^\d+\.\d+\.\d+$/.test(v)).slice(-n);
}

/** Path of the claude binary of `version`: the pinned one from node_modules, any other installed into the cache once. */
function claudeFor(version, pinned) {
  if (version === pinned) {
    return resolve('node_modules', '.bin', 'claude');
  }
  const dir = join(cacheRoot(), version);
  const bin = join(dir, 'node_modules', '.bin', 'claude');
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: `claude-code-${version}`, private: true, dependencies: { [PACKAGE]: version }, allowScripts: { [PACKAGE]: true } }, null, 2)}\n`);
    process.stderr.write(`installing ${PACKAGE}@${version} into ${dir}\n`);
    execFileSync(npm, ['install', '--no-audit', '--no-fund', '--prefix', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return bin;
}

const usd = (v) => (v === null || v === undefined || Number.isNaN(v) ? '-' : `$${v.toFixed(6)}`);

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.build) {
    execFileSync(process.execPath, ['scripts/build-tests.mjs'], { stdio: 'inherit' });
  }
  const pinned = JSON.parse(readFileSync('package.json', 'utf8')).devDependencies[PACKAGE];
  const versions = opts.versions.length > 0 ? opts.versions : opts.latest > 0 ? latestVersions(opts.latest) : [pinned];
  const { runScenario, claudeVersionOf } = require(resolve('out/test/real-client/run-scenario.js'));
  const { SCENARIOS } = require(resolve('out/test/real-client/scenarios.js'));
  const { checkAgainstGroundTruth, reportOfTree, truthOf } = require(resolve('out/test/real-client/ground-truth.js'));
  const names = opts.scenarios.length > 0 ? opts.scenarios : SCENARIOS.map((s) => s.name);
  const bins = new Map(versions.map((v) => [v, claudeFor(v, pinned)]));
  const work = mkdtempSync(join(tmpdir(), 'ccm-real-clients-'));
  let failures = 0;
  try {
    for (const name of names) {
      const rows = [];
      for (const version of versions) {
        const bin = bins.get(version);
        const found = claudeVersionOf(bin);
        if (found !== version) {
          throw new Error(`${bin} is ${found ?? 'missing'}, not ${version}`);
        }
        let row;
        try {
          const out = await runScenario(name, join(work, version, name), { claudeBin: bin });
          const truth = JSON.parse(readFileSync(out.groundTruthPath, 'utf8'));
          const report = reportOfTree(out.projectsDir);
          let check = 'ok';
          try {
            checkAgainstGroundTruth(report, truth);
          } catch (err) {
            check = `FAILED: ${String(err.message).split('\n')[0]}`;
            failures++;
          }
          row = [version, usd(report.totals.costUSD), usd(truthOf(truth.served).cost), usd(report.totals.claudeCodeCostUSD), String(report.totals.advisorCalls), usd(report.totals.unitemisedCostUSD), check];
        } catch (err) {
          failures++;
          row = [version, '-', '-', '-', '-', '-', `FAILED to run: ${String(err.message).split('\n')[0]}`];
        }
        rows.push(row);
      }
      const head = ['Claude Code', 'our total', 'served', "Claude Code's total", 'advisor calls', 'not itemised', 'checks'];
      const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
      const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
      console.log(`\n${name}`);
      console.log(line(head));
      console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
      for (const r of rows) {
        console.log(line(r));
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return failures === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  },
);
