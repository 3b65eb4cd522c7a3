/**
 * No network (README "Privacy": the extension never touches the network).
 *
 * Static: the built bundles (dist/, made by `npm run build` or `npm run
 * package`; this test builds nothing) require only an allow-list of
 * non-network modules, never with a computed name, and contain no network API
 * (`fetch(`, XMLHttpRequest, WebSocket, EventSource, sendBeacon, dynamic
 * import, process.binding) and no URL literal except a few known-harmless ones
 * from bundled third-party code, each listed below with the reason. A NEW
 * occurrence fails the test with its context.
 *
 * Runtime: dist/cli.js and dist/scan-worker.js run under a preload that traps
 * every way Node can open a connection or resolve a name; nothing may be
 * attempted (a positive control proves the trap fires).
 */
import { strict as assert } from 'node:assert';
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lastJson, removeTree, repoRoot, runNodeScript, tempDir } from './helpers';

const ROOT = repoRoot();
const GOLDEN = path.join(ROOT, 'test', 'fixtures', 'golden');
const BUNDLES = ['dist/extension.js', 'dist/cli.js', 'dist/cli-main.js', 'dist/scan-worker.js', 'dist/meter-worker.js', 'dist/zod.js', 'dist/webview/main.js'];
/** Bundles a bundle may require next to it, by literal name (each is itself checked here): zod is one bundle the others share. */
const SIBLINGS = new Map(['dist/extension.js', 'dist/cli-main.js', 'dist/scan-worker.js', 'dist/meter-worker.js'].map((b) => [b, new Set(['./zod.js'])]));

/** Built-in modules with no network capability that the bundles may require. */
const ALLOWED_MODULES = new Set(['events', 'fs', 'fs/promises', 'path', 'os', 'stream', 'worker_threads', 'crypto', 'util', 'url', 'string_decoder', 'buffer', 'assert', 'timers', 'timers/promises']);
/** Only the extension host bundle may require the VS Code API. */
const VSCODE_ONLY_IN = 'dist/extension.js';
const NETWORK_MODULES = ['http', 'https', 'http2', 'net', 'tls', 'dgram', 'dns', 'dns/promises', 'undici', 'child_process', 'cluster', 'inspector'];

interface Finding {
  bundle: string;
  pattern: string;
  context: string;
}

/** Known-harmless occurrences: [pattern name, regex on the surrounding text, why it is harmless]. */
const ALLOWED_OCCURRENCES: Array<[string, RegExp, string]> = [
  ['url', /`http:\/\/\[\$\{/, "zod's IPv6 validator parses `http://[${value}]` with the URL constructor (canParseURL): string parsing, no I/O"],
  ['url', /"https:\/\/json-schema\.org\/draft\/2020-12\/schema"/, "zod's toJSONSchema writes/compares this $schema id: a constant, never fetched"],
  ['url', /"http:\/\/json-schema\.org\/draft-07\/schema#"/, "zod's toJSONSchema $schema id (draft-07): a constant, never fetched"],
  ['url', /"http:\/\/json-schema\.org\/draft-04\/schema#"/, "zod's toJSONSchema $schema id (draft-04): a constant, never fetched"],
  ['url', /Check for read permissions: https:\/\/stackoverflow\.com\/a\/11781404\/1358405\s*\*\//, "a comment in chokidar's source (the file watcher, non-minified builds): no code"],
  ['dynamic import', /an inline `import\(\)` of an ESM path/, "a comment in zod's source (non-minified builds): no code"],
  ['computed require', /require\([\w$]+\.join\(__dirname,\s*"cli-main\.js"\)\)/, 'the claude-cost launcher loads the full CLI bundle next to it (dist/cli-main.js, itself checked here)'],
  [
    'computed require',
    /"push\.js"\)\)\s*\?\s*"push\.js"\s*:\s*"pushgateway\.js"\);?\s*return\s*require\([\w$]+\)/,
    'the team export loads dist/push.js (its network code, checked below) only when claudeCostMeter.export.pushgatewayUrl or `claude-cost push --pushgateway` is set; the runtime tests here run with the defaults',
  ],
];

const PATTERNS: Array<[string, RegExp]> = [
  ['url', /\b(?:https?|wss?|ftp):\/\//g],
  ['fetch', /\bfetch\s*\(/g],
  ['XMLHttpRequest', /\bXMLHttpRequest\b/g],
  ['WebSocket', /\bWebSocket\b/g],
  ['EventSource', /\bEventSource\b/g],
  ['sendBeacon', /\bsendBeacon\b/g],
  ['dynamic import', /\bimport\s*\(/g],
  ['computed require', /\brequire\s*\(\s*(?!["'`])/g],
  ['process.binding', /\bprocess\.binding\b|\binternalBinding\b/g],
  ['network module name', new RegExp(`["'\`](?:node:)?(?:${NETWORK_MODULES.map((m) => m.replace('/', '\\/')).join('|')})["'\`]`, 'g')],
];

function findings(bundle: string, text: string): Finding[] {
  const out: Finding[] = [];
  for (const [name, re] of PATTERNS) {
    for (const m of text.matchAll(re)) {
      const at = m.index ?? 0;
      const context = text.slice(Math.max(0, at - 80), at + 80);
      if (!ALLOWED_OCCURRENCES.some(([p, allowed]) => p === name && allowed.test(context))) {
        out.push({ bundle, pattern: name, context: context.replace(/\s+/g, ' ') });
      }
    }
  }
  return out;
}

/** Every module name a bundle requires or imports statically. */
function requiredModules(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(/\brequire\s*\(\s*["'`]([^"'`]+)["'`]\s*\)/g)) {
    names.add(m[1] ?? '');
  }
  // The bundles are CommonJS / an IIFE: an ES module statement at a line start would bypass the require check.
  for (const m of text.matchAll(/^\s*(?:import\s[^;\n]*?from\s*|import\s*|export\s[^;\n]*?from\s*)["']([^"']+)["']/gm)) {
    names.add(m[1] ?? '');
  }
  return [...names];
}

/** Traps every way to reach the network; records to $CCM_NET_LOG and throws. */
const PRELOAD = `
'use strict';
const fs = require('node:fs');
const log = process.env.CCM_NET_LOG;
function trap(what) {
  return function () {
    const args = Array.prototype.slice.call(arguments, 0, 2).map((a) => { try { return typeof a === 'function' ? 'fn' : JSON.stringify(a); } catch { return String(a); } });
    fs.appendFileSync(log, what + '(' + args.join(', ') + ')\\n');
    throw new Error('NETWORK ATTEMPT BLOCKED: ' + what);
  };
}
const net = require('node:net');
net.Socket.prototype.connect = trap('net.Socket.prototype.connect');
net.connect = trap('net.connect');
net.createConnection = trap('net.createConnection');
const tls = require('node:tls');
tls.connect = trap('tls.connect');
const dns = require('node:dns');
for (const k of ['lookup', 'lookupService', 'resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveTxt', 'resolveSrv', 'reverse']) { dns[k] = trap('dns.' + k); dns.promises[k] = trap('dns.promises.' + k); }
for (const mod of ['http', 'https']) { const m = require('node:' + mod); m.request = trap(mod + '.request'); m.get = trap(mod + '.get'); }
require('node:http2').connect = trap('http2.connect');
require('node:dgram').createSocket = trap('dgram.createSocket');
globalThis.fetch = trap('fetch');
if (typeof globalThis.WebSocket === 'function') { globalThis.WebSocket = trap('WebSocket'); }
if (typeof globalThis.EventSource === 'function') { globalThis.EventSource = trap('EventSource'); }
`;

describe('hardening: no network in the built bundles', function () {
  this.timeout(60_000);
  const texts = new Map<string, string>();
  let work = '';
  let preload = '';
  let netLog = '';

  before(function () {
    const missing = BUNDLES.filter((b) => !fs.existsSync(path.join(ROOT, b)));
    if (missing.length > 0) {
      console.log(`    (skipped: ${missing.join(', ')} missing; run \`npm run build\` first)`);
      this.skip();
    }
    for (const b of BUNDLES) {
      texts.set(b, fs.readFileSync(path.join(ROOT, b), 'utf8'));
    }
    work = tempDir('ccm-nonet-');
    preload = path.join(work, 'no-network-preload.js');
    netLog = path.join(work, 'attempts.log');
    fs.writeFileSync(preload, PRELOAD);
    fs.chmodSync(work, 0o755);
  });

  after(() => {
    removeTree(work);
  });

  beforeEach(() => {
    if (netLog !== '') {
      fs.writeFileSync(netLog, '');
    }
  });

  const attempts = (): string[] => fs.readFileSync(netLog, 'utf8').split('\n').filter((l) => l !== '');

  it('requires only allow-listed, non-network modules, always by a literal name', () => {
    for (const [bundle, text] of texts) {
      for (const name of requiredModules(text)) {
        const bare = name.replace(/^node:/, '');
        if (bare === 'vscode') {
          assert.equal(bundle, VSCODE_ONLY_IN, `${bundle} requires vscode`);
          continue;
        }
        if (SIBLINGS.get(bundle)?.has(name) === true) {
          continue;
        }
        assert.ok(ALLOWED_MODULES.has(bare), `${bundle} requires "${name}", which is not on the allow-list of non-network modules`);
        assert.ok(!NETWORK_MODULES.includes(bare), `${bundle} requires the network module "${name}"`);
      }
    }
    const webview = texts.get('dist/webview/main.js') ?? '';
    assert.deepEqual(requiredModules(webview), [], 'the webview bundle requires nothing');
  });

  it('contains no network API and no URL literal beyond the known-harmless allow-list', () => {
    const all = [...texts].flatMap(([b, t]) => findings(b, t));
    assert.deepEqual(all, [], `new network-looking occurrences (review, then allow-list with a reason if harmless):\n${all.map((f) => `${f.bundle} [${f.pattern}] …${f.context}…`).join('\n')}`);
  });

  it('dist/push.js, the team export (loaded only when an export URL is set), is the only bundle with network code: http and https, no URL literal, no other network API', () => {
    const file = path.join(ROOT, 'dist', 'push.js');
    assert.ok(fs.existsSync(file), 'dist/push.js is built with the others');
    const text = fs.readFileSync(file, 'utf8');
    const modules = requiredModules(text).map((n) => n.replace(/^node:/, ''));
    assert.deepEqual(
      modules.filter((m) => !ALLOWED_MODULES.has(m)).sort(),
      ['http', 'https'],
    );
    const other = findings('dist/push.js', text).filter((f) => !(f.pattern === 'network module name' && /require\(["'`]node:https?["'`]\)/.test(f.context)));
    assert.deepEqual(other, [], other.map((f) => `[${f.pattern}] …${f.context}…`).join('\n'));
    for (const [bundle, t] of texts) {
      assert.ok(!requiredModules(t).some((n) => n.endsWith('push.js') || n.endsWith('pushgateway')), `${bundle} loads the push bundle by a literal name`);
    }
  });

  it('the scan flags a planted occurrence of each pattern (the static check can fail)', () => {
    const planted = [
      'const h=require("https");',
      'const n=require("node:net");',
      'import("undici")',
      'fetch("https://example.com")',
      'new XMLHttpRequest()',
      'new WebSocket(u)',
      'new EventSource(u)',
      'navigator.sendBeacon(u)',
      'require(name)',
      'process.binding("tcp_wrap")',
      'const u="https://telemetry.example/collect";',
    ];
    for (const code of planted) {
      assert.ok(findings('planted', code).length > 0, `not flagged: ${code}`);
    }
    assert.ok(!ALLOWED_MODULES.has('https') && requiredModules('x=require("https")').includes('https'));
  });

  it('the runtime trap records and blocks a connection attempt (positive control)', () => {
    for (const code of [
      "fetch('http://127.0.0.1:9/')",
      "require('node:net').connect(9, '127.0.0.1')",
      "new (require('node:net').Socket)().connect(9, '127.0.0.1')",
      "require('node:dns').lookup('example.invalid', () => {})",
      "require('node:https').get('https://127.0.0.1:9/')",
      "require('node:http').request('http://127.0.0.1:9/').end()",
    ]) {
      fs.writeFileSync(netLog, '');
      const r = cp.spawnSync(process.execPath, ['--require', preload, '-e', `try { ${code} } catch (e) { console.log(String(e)) }`], { env: { ...process.env, CCM_NET_LOG: netLog }, encoding: 'utf8', timeout: 15_000 });
      assert.equal(attempts().length, 1, `not trapped: ${code} (${r.stdout} ${r.stderr})`);
      assert.match(r.stdout, /NETWORK ATTEMPT BLOCKED/);
    }
  });

  it('`node dist/cli.js report --json --config-dir test/fixtures/golden` attempts no connection and no name lookup', () => {
    const r = cp.spawnSync(process.execPath, ['--require', preload, path.join(ROOT, 'dist', 'cli.js'), 'report', '--json', '--config-dir', GOLDEN, '--tz', 'UTC'], {
      cwd: ROOT,
      env: { ...process.env, CCM_NET_LOG: netLog },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(attempts(), []);
    assert.doesNotMatch(r.stderr, /NETWORK ATTEMPT/);
    const expected = JSON.parse(fs.readFileSync(path.join(GOLDEN, 'expected.json'), 'utf8')) as { totals: { outputTokens: number; messages: number } };
    const report = JSON.parse(r.stdout) as { totals: { outputTokens: number; messages: number } };
    assert.equal(report.totals.outputTokens, expected.totals.outputTokens, 'the CLI really scanned the golden tree');
    assert.equal(report.totals.messages, expected.totals.messages);
  });

  it('the scan worker bundle (dist/scan-worker.js, run by a LiveSource) attempts no connection either', async () => {
    const r = await runNodeScript(
      `
      const { LiveSource } = require(COMPILED + '/src/node/live/live-source.js');
      const { bundledPriceTable } = require(COMPILED + '/src/core/pricing/price-table.js');
      const { buildReport } = require(COMPILED + '/src/core/report.js');
      (async () => {
        const s = new LiveSource({ prices: bundledPriceTable(), timeZone: 'UTC', configDirs: [${JSON.stringify(GOLDEN)}], rootPollMs: 0,
          workerPath: ${JSON.stringify(path.join(ROOT, 'dist', 'scan-worker.js'))} });
        // Positive control: the trap is active in worker threads too (exactly one attempt expected, this one).
        await new Promise((resolve) => {
          const w = new (require('node:worker_threads').Worker)('try { fetch("http://127.0.0.1:9/control") } catch {}', { eval: true });
          w.on('exit', resolve);
        });
        await s.start();
        console.log(JSON.stringify({ outputTokens: buildReport(s.engine).totals.outputTokens, problems: s.problems }));
        await s.dispose();
      })().catch((e) => { console.error(e); process.exit(3); });`,
      // --require also runs the trap in every worker thread.
      { env: { CCM_NET_LOG: netLog }, timeoutMs: 30_000, nodeArgs: ['--require', preload] },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(attempts(), ['fetch("http://127.0.0.1:9/control")'], 'only the control attempt');
    const out = lastJson<{ outputTokens: number; problems: unknown[] }>(r);
    assert.deepEqual(out.problems, []);
    const expected = JSON.parse(fs.readFileSync(path.join(GOLDEN, 'expected.json'), 'utf8')) as { totals: { outputTokens: number } };
    assert.equal(out.outputTokens, expected.totals.outputTokens);
  });

  it("the meter worker bundle (dist/meter-worker.js, the extension's meter, with its scan worker) attempts no connection either", async () => {
    const r = await runNodeScript(
      `
      const { RemoteMeter } = require(COMPILED + '/src/node/live/remote-meter.js');
      const { defaultSettings } = require(COMPILED + '/src/core/settings.js');
      (async () => {
        const m = new RemoteMeter({ meterWorkerPath: ${JSON.stringify(path.join(ROOT, 'dist', 'meter-worker.js'))},
          workerPath: ${JSON.stringify(path.join(ROOT, 'dist', 'scan-worker.js'))},
          settings: { ...defaultSettings(), configDirs: [${JSON.stringify(GOLDEN)}], timeZone: 'UTC' }, workspaceFolders: [], rootPollMs: 0, throttleMs: 0 });
        await m.start();
        await new Promise((resolve) => { const check = (s) => { if (s.report) { resolve(); } else { m.once('update', check); } }; check(m.snapshot); });
        console.log(JSON.stringify({ outputTokens: m.snapshot.report.totals.outputTokens }));
        await m.dispose();
      })().catch((e) => { console.error(e); process.exit(3); });`,
      { env: { CCM_NET_LOG: netLog }, timeoutMs: 30_000, nodeArgs: ['--require', preload] },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(attempts(), []);
    const expected = JSON.parse(fs.readFileSync(path.join(GOLDEN, 'expected.json'), 'utf8')) as { totals: { outputTokens: number } };
    assert.equal(lastJson<{ outputTokens: number }>(r).outputTokens, expected.totals.outputTokens);
  });
});
