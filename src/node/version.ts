/**
 * The package version, set by esbuild (`__VERSION__`); `dev` when run from
 * tsc's output in tests.
 */
declare const __VERSION__: string | undefined;
export const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : 'dev';
