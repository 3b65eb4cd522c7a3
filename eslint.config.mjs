// Lint rules, including the one-way import flow of CONTRIBUTING.md:
// vscode/ -> node/ -> core/; webview/ -> shared/.
import tseslint from 'typescript-eslint';

const restrict = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', '.vscode-test/**', 'bench/node_modules/**', 'bench/.work/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      eqeqeq: ['error', 'always'],
      curly: ['error', 'all'],
      'no-console': 'off',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: restrict([
      { group: ['vscode'], message: 'core/ is pure: no vscode.' },
      { group: ['node:*', 'fs', 'path', 'os', 'child_process', 'worker_threads'], message: 'core/ is pure: no Node I/O.' },
      { group: ['**/node/**', '**/vscode/**', '**/webview/**'], message: 'core/ imports nothing outside core/.' },
    ]),
  },
  {
    // The rules at the bottom of core: they import nothing from the rest of it.
    files: ['src/core/pricing/**/*.ts', 'src/core/transcript/**/*.ts'],
    rules: restrict([
      { group: ['vscode'], message: 'core/ is pure: no vscode.' },
      { group: ['node:*', 'fs', 'path', 'os', 'child_process', 'worker_threads'], message: 'core/ is pure: no Node I/O.' },
      { group: ['**/node/**', '**/vscode/**', '**/webview/**'], message: 'core/ imports nothing outside core/.' },
      { group: ['../*', '!../pricing', '!../pricing/*', '!../transcript', '!../transcript/*'], message: 'pricing/ and transcript/ are the bottom of core: they import only each other.' },
    ]),
  },
  {
    files: ['src/node/**/*.ts'],
    rules: restrict([
      { group: ['vscode'], message: 'node/ has no vscode import.' },
      { group: ['**/vscode/**', '**/webview/**'], message: 'node/ imports only core/ and shared/.' },
    ]),
  },
  {
    // node/scan reads files; node/live builds on it; node/cli on both. Never the other way.
    files: ['src/node/scan/**/*.ts'],
    rules: restrict([
      { group: ['vscode'], message: 'node/ has no vscode import.' },
      { group: ['**/vscode/**', '**/webview/**'], message: 'node/ imports only core/ and shared/.' },
      { group: ['**/live/**', '**/cli/**', '../live', '../cli'], message: 'node/scan is below node/live and node/cli.' },
    ]),
  },
  {
    files: ['src/node/live/**/*.ts'],
    rules: restrict([
      { group: ['vscode'], message: 'node/ has no vscode import.' },
      { group: ['**/vscode/**', '**/webview/**'], message: 'node/ imports only core/ and shared/.' },
      { group: ['**/cli/**', '../cli'], message: 'node/live is below node/cli.' },
    ]),
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: restrict([
      { group: ['vscode', 'node:*', 'fs', 'path'], message: 'shared/ is the host-webview contract: no vscode, no Node.' },
      { group: ['**/node/**', '**/vscode/**', '**/webview/**', '**/core/**'], message: 'shared/ stands alone.' },
    ]),
  },
  {
    files: ['webview/**/*.ts'],
    rules: restrict([
      { group: ['vscode', 'node:*', 'fs', 'path'], message: 'webview/ is browser code.' },
      { group: ['**/src/node/**', '**/src/vscode/**', '**/src/core/**'], message: 'webview/ imports only src/shared.' },
    ]),
  },
);
