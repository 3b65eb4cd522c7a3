/**
 * Which session is "current" for the status bar and the panel.
 */
import type { SessionReport } from './report';

export type SessionScope = 'workspace' | 'any';

export type CurrentReason = 'pinned' | 'workspace' | 'any' | 'none';

export interface CurrentSession {
  sessionId: string | undefined;
  reason: CurrentReason;
}

function normalise(p: string): string {
  let n = p.replace(/\\/g, '/');
  if (/^[a-zA-Z]:\//.test(n)) {
    n = n.toLowerCase(); // Windows paths compare case-insensitively (c:\ vs C:\)
  }
  return n.endsWith('/') && n.length > 1 ? n.slice(0, -1) : n;
}

/** True when `child` is `parent` or inside it. */
export function isInside(child: string, parent: string): boolean {
  const c = normalise(child);
  const p = normalise(parent);
  return c === p || c.startsWith(p === '/' ? '/' : `${p}/`);
}

/**
 * The pinned session if it still exists; else the most recently active main
 * session whose project is inside an open workspace folder; else (scope
 * `any`) the most recently active session anywhere.
 */
export function pickCurrentSession(
  sessions: readonly Pick<SessionReport, 'sessionId' | 'project' | 'lastTimestamp' | 'contextState'>[],
  workspaceFolders: readonly string[],
  scope: SessionScope,
  pinned?: string,
): CurrentSession {
  if (pinned !== undefined && sessions.some((s) => s.sessionId === pinned)) {
    return { sessionId: pinned, reason: 'pinned' };
  }
  const byRecency = [...sessions].sort((a, b) => ((a.lastTimestamp ?? '') < (b.lastTimestamp ?? '') ? 1 : (a.lastTimestamp ?? '') > (b.lastTimestamp ?? '') ? -1 : 0));
  const main = byRecency.filter((s) => s.contextState !== 'none' || s.project !== null);
  const inWorkspace = main.find((s) => s.project !== null && workspaceFolders.some((w) => isInside(s.project ?? '', w)));
  if (inWorkspace) {
    return { sessionId: inWorkspace.sessionId, reason: 'workspace' };
  }
  if (scope === 'any' && byRecency[0]) {
    return { sessionId: byRecency[0].sessionId, reason: 'any' };
  }
  return { sessionId: undefined, reason: 'none' };
}
