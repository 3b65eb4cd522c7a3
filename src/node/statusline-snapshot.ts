/**
 * The snapshot `claude-cost statusline` records in our cache folder (never
 * under Claude's): the hook's plan limits, prompt cache, context window and
 * Claude Code's own cost, as last seen. Written atomically, and only when
 * something but the time changed or the last write is `REWRITE_MS` old, so a
 * hook run several times a second does not write several times a second.
 * zod-free (the hook's start must stay cheap); `limits-source.ts` reads it
 * back through the schema in core/limits.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { STATUSLINE_SNAPSHOT_VERSION, type StatuslineFacts } from '../core/limits-view';
import { writeAtomically } from './scan/index-store';

export const SNAPSHOT_FILE = 'statusline-snapshot.json';

/** An unchanged snapshot is written again after this long, so its age stays honest. */
export const REWRITE_MS = 15_000;

/** The snapshot's JSON for these facts (times aside: see `record`). */
function body(facts: StatuslineFacts): Record<string, unknown> {
  return {
    sessionId: facts.sessionId,
    model: facts.model,
    windows: facts.windows,
    ignored: facts.ignored,
    promptCache: facts.promptCache,
    contextWindow: facts.contextWindow,
    claudeCodeCostUSD: facts.claudeCodeCostUSD,
  };
}

/**
 * Records the snapshot; returns whether it wrote. `limitsAtMs` is when the
 * limits were seen (now), or null when the hook carried none.
 */
export function recordStatuslineSnapshot(cacheDir: string, facts: StatuslineFacts, nowMs: number): boolean {
  const file = path.join(cacheDir, SNAPSHOT_FILE);
  const content = JSON.stringify(body(facts));
  try {
    const previous = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    const { version, recordedAtMs, limitsAtMs, ...rest } = previous;
    void limitsAtMs;
    if (version === STATUSLINE_SNAPSHOT_VERSION && typeof recordedAtMs === 'number' && nowMs - recordedAtMs < REWRITE_MS && nowMs >= recordedAtMs && JSON.stringify(rest) === content) {
      return false;
    }
  } catch {
    // none yet, or not ours: written anew
  }
  const snap = { version: STATUSLINE_SNAPSHOT_VERSION, recordedAtMs: nowMs, limitsAtMs: facts.windows.length > 0 ? nowMs : null, ...body(facts) };
  writeAtomically(cacheDir, SNAPSHOT_FILE, JSON.stringify(snap));
  return true;
}
