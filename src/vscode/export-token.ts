import * as vscode from 'vscode';
import type { RemoteMeter } from '../node/live/remote-meter';
import type { ExportStatus } from '../node/live/meter-export';
import { Commands, EXPORT_TOKEN_SECRET } from './ids';
import type { StatusBar } from './status-bar';

/** The status bar's note on the team export: undefined while it works or is off. */
export function exportHint(status: ExportStatus): string | undefined {
  if (status === undefined || status.kind === 'ok') {
    return undefined;
  }
  const escape = (t: string) => t.replace(/[\\`*_{}[\]()#+\-.!<>|]/g, '\\$&');
  return status.kind === 'invalid' ? `${escape(status.message)} (${escape(status.hint)})` : `not sent: ${escape(status.message)}. ${escape(status.hint)} (retry in ${Math.round(status.retryInMs / 1000)} s)`;
}

/**
 * The team export's token, kept in VS Code's SecretStorage and handed to the
 * meter's worker; the command to set or clear it; the status bar hint.
 */
export function registerExport(context: vscode.ExtensionContext, meter: RemoteMeter, statusBar: StatusBar, log: vscode.LogOutputChannel): vscode.Disposable[] {
  const load = async () => {
    try {
      meter.setExportToken((await context.secrets.get(EXPORT_TOKEN_SECRET)) || undefined);
    } catch (err) {
      log.warn(`team export: could not read the token: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  void load();
  meter.on('export', (status: ExportStatus) => statusBar.setExportHint(exportHint(status)));
  return [
    context.secrets.onDidChange((e) => {
      if (e.key === EXPORT_TOKEN_SECRET) {
        void load();
      }
    }),
    vscode.commands.registerCommand(Commands.setExportToken, async () => {
      const token = await vscode.window.showInputBox({
        title: 'Team export: Pushgateway token',
        prompt: 'Sent as "Authorization: Bearer <token>" with each push. Leave empty to remove the token.',
        password: true,
        ignoreFocusOut: true,
      });
      if (token === undefined) {
        return;
      }
      if (token.trim() === '') {
        await context.secrets.delete(EXPORT_TOKEN_SECRET);
        log.info('team export: token removed');
      } else {
        await context.secrets.store(EXPORT_TOKEN_SECRET, token.trim());
        log.info('team export: token set');
      }
    }),
  ];
}
