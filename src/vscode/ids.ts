/** Every command, setting, view and state id in one place (CONTRIBUTING.md §5). */
export const EXTENSION_ID = 'cost-meter.claude-code-cost-meter';

export const Commands = {
  openPanel: 'claudeCostMeter.openPanel',
  rescan: 'claudeCostMeter.rescan',
  pinSession: 'claudeCostMeter.pinSession',
  unpinSession: 'claudeCostMeter.unpinSession',
  showLog: 'claudeCostMeter.showLog',
  copySummary: 'claudeCostMeter.copySessionSummary',
  export: 'claudeCostMeter.export',
  sendCompact: 'claudeCostMeter.sendCompact',
  setExportToken: 'claudeCostMeter.setExportToken',
  setUpStatusLine: 'claudeCostMeter.setUpStatusLine',
} as const;

/** Context keys for `when` clauses in package.json. */
export const ContextKeys = {
  sessionPinned: 'claudeCostMeter.sessionPinned',
} as const;

export const STATUS_ITEM_ID = 'claudeCostMeter.status';
export const PANEL_VIEW_TYPE = 'claudeCostMeter.panel';
export const LOG_NAME = 'Claude Code Cost Meter';
export const PINNED_STATE_KEY = 'claudeCostMeter.pinnedSession';
/** SecretStorage key of the team export's token. */
export const EXPORT_TOKEN_SECRET = 'claudeCostMeter.export.token';
/** History problems the user has been told about (key -> when), so a notification is not repeated at every start. */
export const HISTORY_NOTICES_STATE_KEY = 'claudeCostMeter.historyNoticesShown';
