/**
 * The host <-> webview contract (STYLE.md §11): two discriminated unions, one
 * per direction, and the plain-data snapshot the panel renders. Both sides
 * import this file; neither vscode nor the DOM appears here.
 */

export interface PanelBucket {
  name: string;
  tokens: number;
  usd: number;
}

export interface PanelSession {
  id: string;
  project: string | null;
  costUSD: number;
  subagentCostUSD: number;
  unitemisedCostUSD: number | null;
  claudeCodeCostUSD: number | null;
  itemisation: 'reconciled' | 'transcript-only';
  buckets: PanelBucket[];
  webSearches: number;
  cacheHitRate: number | null;
  contextTokens: number | null;
  contextState: 'known' | 'compacted' | 'none';
  contextWindow: number;
  currentModel: string | null;
  models: string[];
  messages: number;
  firstTimestamp: string | null;
  lastTimestamp: string | null;
}

export interface PanelSessionChoice {
  id: string;
  project: string | null;
  costUSD: number;
  lastTimestamp: string | null;
}

export interface PanelSnapshot {
  state: 'starting' | 'scanning' | 'empty' | 'ready';
  lookedAt: string[];
  scanPercent: number;
  today: { date: string; costUSD: number };
  weekUSD: number;
  /** The session shown: the current one, or the one picked in the panel. */
  session: PanelSession | null;
  /** Why that session: picked in the panel, pinned, in the workspace, most recent anywhere. */
  sessionReason: 'selected' | 'pinned' | 'workspace' | 'any' | 'none';
  sessions: PanelSessionChoice[];
  unpricedModels: string[];
  priceTableAsOf: string;
  updatedAt: string;
}

export type HostToWebview = { type: 'snapshot'; snapshot: PanelSnapshot };

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'selectSession'; sessionId: string | null }
  | { type: 'command'; command: 'pinSession' | 'unpinSession' | 'rescan' | 'showLog' };

/** What the serializer keeps across reloads (webview state). */
export interface PanelState {
  selectedSession: string | null;
}
