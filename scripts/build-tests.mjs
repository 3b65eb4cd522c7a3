// Compiles src/ and test/ to out/ with tsc so mocha runs plain JavaScript.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
rmSync('out', { recursive: true, force: true });
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', '.', '--outDir', 'out', '--noEmit', 'false'], { stdio: 'inherit' });
