import * as vscode from 'vscode';
import { toastActions, type Nudge, type NudgeAction } from '../core/nudges';
import { hasClaudeDescendant } from '../node/claude-terminal';
import type { MeterView } from '../node/live/meter-view';
import { Commands } from './ids';

/** Labels of nudge actions, as shown on buttons and notifications. */
export const ACTION_LABELS: Record<NudgeAction, string> = {
  sendCompact: 'Send /compact',
  copyCompact: 'Copy /compact',
  copyClear: 'Copy /clear',
  openPanel: 'Open panel',
  snooze: 'Snooze',
};

/** The integrated terminal running Claude Code: the active one first. */
export async function findClaudeTerminal(): Promise<vscode.Terminal | undefined> {
  const terminals = [...vscode.window.terminals];
  const active = vscode.window.activeTerminal;
  if (active) {
    terminals.sort((a, b) => (a === active ? -1 : b === active ? 1 : 0));
  }
  for (const t of terminals) {
    const pid = await t.processId;
    if (pid !== undefined && hasClaudeDescendant(pid)) {
      return t;
    }
  }
  return terminals.find((t) => /claude/i.test(t.name));
}

/** Types /compact into the terminal running Claude Code, or copies it when there is none. */
export async function sendCompact(log: vscode.LogOutputChannel): Promise<boolean> {
  const terminal = await findClaudeTerminal();
  if (!terminal) {
    await vscode.env.clipboard.writeText('/compact');
    void vscode.window.showInformationMessage('No integrated terminal is running Claude Code, so /compact was copied to the clipboard instead.');
    return false;
  }
  terminal.show(true);
  terminal.sendText('/compact', true);
  log.info(`sent /compact to terminal "${terminal.name}"`);
  return true;
}

export async function runNudgeAction(action: NudgeAction, key: string, meter: MeterView, log: vscode.LogOutputChannel): Promise<void> {
  switch (action) {
    case 'sendCompact':
      await sendCompact(log);
      return;
    case 'copyCompact':
      await vscode.env.clipboard.writeText('/compact');
      return;
    case 'copyClear':
      await vscode.env.clipboard.writeText('/clear');
      return;
    case 'openPanel':
      await vscode.commands.executeCommand(Commands.openPanel);
      return;
    case 'snooze':
      meter.snooze(key);
      return;
    default: {
      const never: never = action;
      return never;
    }
  }
}

/** Shows a nudge as a notification: its one-sentence title and at most two buttons (the detail is in the panel). */
export function notifyNudge(nudge: Nudge, meter: MeterView, log: vscode.LogOutputChannel): void {
  const actions = toastActions(nudge);
  const show = nudge.level === 'error' ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
  void show(nudge.title, ...actions.map((a) => ACTION_LABELS[a])).then((choice) => {
    const action = actions.find((a) => ACTION_LABELS[a] === choice);
    if (action) {
      void runNudgeAction(action, nudge.key, meter, log);
    }
  });
}
