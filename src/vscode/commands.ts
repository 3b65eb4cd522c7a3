import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { exportCsv, exportJson } from '../core/export';
import { formatInt, formatPercent, formatUsd } from '../core/format';
import { sendCompact } from './nudge-actions';
import type { MeterView } from '../node/live/meter-view';
import { Commands, ContextKeys, PINNED_STATE_KEY } from './ids';
import { statusLineSnippet } from '../core/limits-view';

/** Pin a session from a quick pick (project, start time, cost). */
export async function pinSession(context: vscode.ExtensionContext, meter: MeterView): Promise<void> {
  const sessions = meter.snapshot.report?.sessions ?? [];
  if (sessions.length === 0) {
    void vscode.window.showInformationMessage('Claude Code Cost Meter: there is no Claude Code session to pin yet.');
    return;
  }
  const items = sessions.slice(0, 500).map((s) => ({
    label: s.project ?? 'unknown project',
    description: `${formatUsd(s.costUSD)} · started ${(s.firstTimestamp ?? '').slice(0, 16).replace('T', ' ')}`,
    detail: `session ${s.sessionId}${s.sessionId === meter.pinnedSession ? ' (pinned)' : ''}`,
    sessionId: s.sessionId,
  }));
  const choice = await vscode.window.showQuickPick(items, { title: 'Pin a Claude Code session', placeHolder: 'The status bar and panel follow the pinned session', matchOnDescription: true, matchOnDetail: true });
  if (choice) {
    await context.workspaceState.update(PINNED_STATE_KEY, choice.sessionId);
    meter.setPinnedSession(choice.sessionId);
    await setPinnedContext(true);
  }
}

/** Keeps the `claudeCostMeter.sessionPinned` context key (which shows "Unpin Session") in step with the pin. */
export async function setPinnedContext(pinned: boolean): Promise<void> {
  await vscode.commands.executeCommand('setContext', ContextKeys.sessionPinned, pinned);
}

export async function unpinSession(context: vscode.ExtensionContext, meter: MeterView): Promise<void> {
  await context.workspaceState.update(PINNED_STATE_KEY, undefined);
  meter.setPinnedSession(undefined);
  await setPinnedContext(false);
}

/** A plain-text summary of the current session, for the clipboard. */
export function sessionSummary(meter: MeterView): string | undefined {
  const snap = meter.snapshot;
  const s = snap.report?.sessions.find((x) => x.sessionId === snap.current.sessionId);
  if (!s) {
    return undefined;
  }
  const lines = [
    `Claude Code session ${s.sessionId} (${s.project ?? 'unknown project'})`,
    `Cost: ${formatUsd(s.costUSD)} at list prices (subagents ${formatUsd(s.subagentCostUSD)}${s.unitemisedCostUSD ? `, not itemised ${formatUsd(s.unitemisedCostUSD)}` : ''})`,
    `Tokens: input ${formatInt(s.inputTokens)}, output ${formatInt(s.outputTokens)}, cache write 5m ${formatInt(s.cacheWrite5mTokens)}, cache write 1h ${formatInt(s.cacheWrite1hTokens)}, cache read ${formatInt(s.cacheReadTokens)}`,
    `Cache hit rate: ${formatPercent(s.cacheHitRate)}; context: ${s.contextTokens === null ? s.contextState : `${formatInt(s.contextTokens)} / ${formatInt(s.contextWindow)}`}`,
    `Calls: ${formatInt(s.messages)}; models: ${s.models.join(', ')}`,
    `From ${s.firstTimestamp ?? '-'} to ${s.lastTimestamp ?? '-'}; prices as of ${snap.report?.priceTableAsOf ?? '-'}`,
  ];
  return lines.join('\n');
}

async function copySummary(meter: MeterView): Promise<void> {
  const text = sessionSummary(meter);
  if (!text) {
    void vscode.window.showInformationMessage('Claude Code Cost Meter: there is no current session to summarise.');
    return;
  }
  await vscode.env.clipboard.writeText(text);
  void vscode.window.showInformationMessage('Claude Code Cost Meter: session summary copied.');
}

/** Arguments the Export command accepts when run programmatically (tests, keybindings). */
interface ExportArgs {
  format?: 'csv' | 'json';
  path?: string;
}

async function exportReport(meter: MeterView, log: vscode.LogOutputChannel, args?: ExportArgs): Promise<void> {
  const report = meter.snapshot.report;
  if (!report) {
    void vscode.window.showInformationMessage('Claude Code Cost Meter: nothing to export yet.');
    return;
  }
  let format = args?.format;
  if (!format) {
    const pick = await vscode.window.showQuickPick(
      [
        { label: 'CSV', description: 'sessions, days and projects in one table (with sessions kept from history)', format: 'csv' as const },
        { label: 'JSON', description: 'sessions, days, projects and totals (with sessions kept from history)', format: 'json' as const },
      ],
      { title: 'Export Claude Code costs as' },
    );
    if (!pick) {
      return;
    }
    format = pick.format;
  }
  let target = args?.path;
  if (!target) {
    const uri = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.file(path.join(os.homedir(), `claude-code-costs-${new Date().toISOString().slice(0, 10)}.${format}`)),
      filters: format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
      title: 'Export Claude Code costs',
    });
    if (!uri) {
      return;
    }
    target = uri.fsPath;
  }
  try {
    const kept = meter.snapshot.history?.keptRows ?? [];
    fs.writeFileSync(target, format === 'csv' ? exportCsv(report, kept) : exportJson(report, kept));
    log.info(`exported ${format} to ${target}`);
    void vscode.window.showInformationMessage(`Claude Code Cost Meter: exported to ${target}`);
  } catch (err) {
    log.error(`export to ${target} failed: ${err instanceof Error ? err.message : String(err)}`);
    void vscode.window.showErrorMessage(`Claude Code Cost Meter: could not write ${target}.`, 'Show Log').then((c) => {
      if (c) {
        log.show();
      }
    });
  }
}

/** Claude Code's user settings file: `$CLAUDE_CONFIG_DIR/settings.json`, else `~/.claude/settings.json`. */
export function claudeSettingsFile(env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): string {
  const dir = (env.CLAUDE_CONFIG_DIR ?? '').split(',').map((s) => s.trim()).find((s) => s !== '');
  return path.join(dir !== undefined ? (dir.startsWith('~/') ? path.join(home, dir.slice(2)) : dir) : path.join(home, '.claude'), 'settings.json');
}

/**
 * Copies the `statusLine` snippet (running this extension's own CLI) and opens
 * Claude Code's settings file for the user to paste it. We never write that file:
 * a missing one opens as an unsaved editor at its path.
 */
async function setUpStatusLine(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): Promise<void> {
  const cli = path.join(context.extensionPath, 'dist', 'cli.js');
  const snippet = statusLineSnippet(cli.includes(' ') ? `node "${cli}" statusline` : `node ${cli} statusline`);
  await vscode.env.clipboard.writeText(snippet);
  const file = claudeSettingsFile();
  const uri = fs.existsSync(file) ? vscode.Uri.file(file) : vscode.Uri.file(file).with({ scheme: 'untitled' });
  try {
    await vscode.window.showTextDocument(uri);
  } catch (err) {
    log.warn(`could not open ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  log.info(`status line snippet copied; opened ${file}`);
  void vscode.window.showInformationMessage(`Claude Code Cost Meter: the statusLine snippet is copied. Paste it into ${file} (inside the top-level { }), then save: Claude Code shows it on its next start.`);
}

export function registerCommands(
  context: vscode.ExtensionContext,
  meter: MeterView,
  log: vscode.LogOutputChannel,
  openPanel: () => void,
  rescan: () => Promise<void>,
): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(Commands.openPanel, openPanel),
    vscode.commands.registerCommand(Commands.rescan, rescan),
    vscode.commands.registerCommand(Commands.pinSession, () => pinSession(context, meter)),
    vscode.commands.registerCommand(Commands.unpinSession, () => unpinSession(context, meter)),
    vscode.commands.registerCommand(Commands.showLog, () => log.show()),
    vscode.commands.registerCommand(Commands.copySummary, () => copySummary(meter)),
    vscode.commands.registerCommand(Commands.export, (args?: ExportArgs) => exportReport(meter, log, args)),
    vscode.commands.registerCommand(Commands.sendCompact, () => sendCompact(log)),
    vscode.commands.registerCommand(Commands.setUpStatusLine, () => setUpStatusLine(context, log)),
  ];
}
