// One build script (CONTRIBUTING.md §14): the extension (node, cjs, vscode external,
// dependencies bundled), the CLI and its scan worker, and the webview (browser, iife).
// Type-checking is its own step (npm run check-types).
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));

const common = {
  bundle: true,
  minify: production,
  sourcemap: !production,
  logLevel: 'info',
  define: { __VERSION__: JSON.stringify(pkg.version) },
};

const node = {
  ...common,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
};

// zod (~800 KB with its locales) is one bundle of its own, dist/zod.js, that
// the others require: the CLI and the scan worker need it only to explain a
// rejected line, check a price table or run `watch`, all behind on-demand
// requires, so they start by parsing about 260 KB and 60 KB instead of
// 1,080 KB and 880 KB (a cold scan's CLI was about 35 ms later to start).
// The extension needs zod at activation (settings), the same code once.
const sharedZod = {
  name: 'shared-zod',
  setup(build) {
    build.onResolve({ filter: /^zod(\/.*)?$/ }, (args) => (args.path === 'zod' ? { path: './zod.js', external: true } : { errors: [{ text: `import zod itself, not ${args.path}` }] }));
  },
};

const builds = [
  { ...node, entryPoints: { extension: 'src/vscode/extension.ts' }, outdir: 'dist', plugins: [sharedZod] },
  // `claude-cost`: a small launcher that answers a warm `report --json` alone, and the full CLI it loads otherwise.
  { ...node, entryPoints: { cli: 'src/node/cli/cli-launch.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' } },
  { ...node, entryPoints: { 'cli-main': 'src/node/cli/cli.ts' }, outdir: 'dist', plugins: [sharedZod] },
  { ...node, entryPoints: { 'scan-worker': 'src/node/scan/scan-worker.ts' }, outdir: 'dist', plugins: [sharedZod] },
  // The extension's meter runs in a worker thread of its own: the host's thread only receives snapshots.
  { ...node, entryPoints: { 'meter-worker': 'src/node/live/meter-worker.ts' }, outdir: 'dist', plugins: [sharedZod] },
  // The only network code (team export to a Pushgateway), loaded only when an export URL is set.
  { ...node, entryPoints: { push: 'src/node/export/pushgateway.ts' }, outdir: 'dist' },
  { ...node, entryPoints: { zod: 'node_modules/zod/index.js' }, outdir: 'dist' },
  { ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: { main: 'webview/main.ts' }, outdir: 'dist/webview' },
].filter((b) => Object.values(b.entryPoints).every((p) => existsSync(p)));

// Static webview assets: uPlot's stylesheet and the codicon font.
mkdirSync('dist/webview', { recursive: true });
copyFileSync('node_modules/uplot/dist/uPlot.min.css', 'dist/webview/uplot.css');
copyFileSync('node_modules/@vscode/codicons/dist/codicon.css', 'dist/webview/codicon.css');
copyFileSync('node_modules/@vscode/codicons/dist/codicon.ttf', 'dist/webview/codicon.ttf');

if (watch) {
  for (const b of builds) {
    const ctx = await esbuild.context(b);
    await ctx.watch();
  }
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
