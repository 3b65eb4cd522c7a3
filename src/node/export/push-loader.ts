/**
 * Loads the network code (src/node/pushgateway.ts, bundled as dist/push.js)
 * only when an export URL is set: the meter and the CLI bundles themselves
 * contain no network module (test/unit/hardening/no-network.test.ts).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as PushModule from './pushgateway';

export type { PushModule };

/**
 * The push module: `push.js` beside the bundle that loads it (dist/), or
 * `pushgateway.js` beside this module when run from compiled sources (tests).
 */
export function loadPushModule(dir: string = __dirname): typeof PushModule {
  const file = path.join(dir, fs.existsSync(path.join(dir, 'push.js')) ? 'push.js' : 'pushgateway.js');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(file) as typeof PushModule;
}

/** The default instance label: user@host. */
export function defaultInstance(): string {
  let user = process.env.USER ?? process.env.USERNAME ?? '';
  try {
    user = os.userInfo().username || user;
  } catch {
    // no passwd entry (containers): the environment's name
  }
  return `${user || 'user'}@${os.hostname()}`;
}

/** A project name as sent when hashing is on: 12 hex digits of its SHA-256 (the same name gives the same label on every machine). */
export function hashProjectName(name: string): string {
  return createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 12);
}
