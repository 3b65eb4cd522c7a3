/**
 * Tells the user, once, when the stored history needed attention: a damaged
 * file set aside, a file that cannot be read, a save that failed (full disk,
 * read-only folder). The panel's history note says it as long as it lasts;
 * the notification comes once per problem (remembered across restarts, told
 * again only if it is still there a week later).
 */
import * as vscode from 'vscode';
import type { HistoryNotice } from '../node/live/meter-history';
import { HISTORY_NOTICES_STATE_KEY } from './ids';

const AGAIN_AFTER_MS = 7 * 24 * 3_600_000;

/** Returns the function to call with each snapshot's notice. */
export function historyNotifier(state: vscode.Memento, log: vscode.LogOutputChannel): (notice: HistoryNotice | undefined) => void {
  let last: string | undefined;
  return (notice) => {
    if (notice === undefined || notice.key === last) {
      return;
    }
    last = notice.key;
    const shown = state.get<Record<string, number>>(HISTORY_NOTICES_STATE_KEY, {});
    const at = shown[notice.key];
    if (at !== undefined && Date.now() - at < AGAIN_AFTER_MS) {
      return;
    }
    const kept = Object.entries({ ...shown, [notice.key]: Date.now() })
      .sort((a, b) => b[1] - a[1])
      .slice(0, 20);
    void state.update(HISTORY_NOTICES_STATE_KEY, Object.fromEntries(kept));
    log.warn(`told the user: ${notice.message}`);
    void vscode.window.showWarningMessage(`Claude Code Cost Meter: ${notice.message}`, 'Show Log', 'Open Folder').then((choice) => {
      if (choice === 'Show Log') {
        log.show();
      } else if (choice === 'Open Folder') {
        const target = vscode.Uri.file(notice.file ?? notice.folder);
        void vscode.commands.executeCommand('revealFileInOS', target).then(undefined, () => vscode.env.openExternal(vscode.Uri.file(notice.folder)));
      }
    });
  };
}
