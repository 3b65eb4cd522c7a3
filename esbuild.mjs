// One build script (STYLE.md §14): the extension (node, cjs, vscode external,
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

// zod (~800 KB with its locales) is needed by the scan worker only to
// explain a rejected line: there, transcript.ts's on-demand require of its
// schemas stays a require of a bundle of its own next to it
// (dist/transcript-schema.js), so a worker starts by parsing 58 KB instead
// of 880 KB. (The extension and the full CLI use zod for settings: they
// keep it inside.)
const lazySchemas = {
  name: 'lazy-transcript-schema',
  setup(build) {
    build.onResolve({ filter: /^\.\/transcript-schema$/ }, (args) => (args.importer.endsWith('transcript.ts') ? { path: './transcript-schema.js', external: true } : undefined));
  },
};

const builds = [
  { ...node, entryPoints: { extension: 'src/vscode/extension.ts' }, outdir: 'dist' },
  // `claude-cost`: a small launcher that answers a warm `report --json` alone, and the full CLI it loads otherwise.
  { ...node, entryPoints: { cli: 'src/node/cli-launch.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' } },
  { ...node, entryPoints: { 'cli-main': 'src/node/cli.ts' }, outdir: 'dist' },
  { ...node, entryPoints: { 'scan-worker': 'src/node/scan-worker.ts' }, outdir: 'dist', plugins: [lazySchemas] },
  { ...node, entryPoints: { 'transcript-schema': 'src/core/transcript-schema.ts' }, outdir: 'dist' },
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
