/**
 * The plan-limit fixtures (test/fixtures/limits) with their times set relative to a clock.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../../..');
const H = 3600_000;

/** The fixture with its relative times (`+2h`, `+3d`) made absolute at `now`, fetched `ageMs` ago. */
export function configFixture(nowMs: number, ageMs: number): Record<string, unknown> {
  const text = fs.readFileSync(path.join(ROOT, 'test/fixtures/limits/claude-config.json'), 'utf8');
  const c = JSON.parse(text.replace(/"\+(\d+)([hd])"/g, (_m, n: string, unit: string) => JSON.stringify(new Date(nowMs + Number(n) * (unit === 'h' ? H : 24 * H)).toISOString()))) as {
    cachedUsageUtilization: { fetchedAtMs: number };
  };
  c.cachedUsageUtilization.fetchedAtMs = nowMs - ageMs;
  return c;
}


