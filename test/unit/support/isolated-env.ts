/**
 * Loaded by mocha before the unit tests (.mocharc.json "require"): points the
 * CLI's default index folder at a temporary one, so no test writes into the
 * real ~/.cache, and removes it when the run ends.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-test-cache-'));
process.env.XDG_CACHE_HOME = cache;
process.on('exit', () => {
  fs.rmSync(cache, { recursive: true, force: true });
});
