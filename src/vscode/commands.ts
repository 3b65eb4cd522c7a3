import * as vscode from 'vscode';
import { formatUsd } from '../core/format';
import type { Meter } from '../node/meter';
import { Commands, PINNED_STATE_KEY } from './ids';

/** Pin a session from a quick pick (project, start time, cost). */
export async function pinSession(context: vscode.ExtensionContext, meter: Meter): Promise<void> {
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
  }
}

export async function unpinSession(context: vscode.ExtensionContext, meter: Meter): Promise<void> {
  await context.workspaceState.update(PINNED_STATE_KEY, undefined);
  meter.setPinnedSession(undefined);
}

export function registerCommands(
  context: vscode.ExtensionContext,
  meter: Meter,
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
  ];
}
