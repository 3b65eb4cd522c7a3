import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import type { HostToWebview, PanelState } from '../shared/protocol';
import { buildPanelSnapshot } from '../node/panel-snapshot';
import { panelStateSchema, parseWebviewMessage } from '../node/panel-messages';
import type { MeterSnapshot, MeterView } from '../node/live/meter-view';
import { Commands, PANEL_VIEW_TYPE } from './ids';
import { runNudgeAction } from './nudge-actions';
import type { SessionTitles } from '../node/session-titles';

/** The cost panel: one webview, restored by a serializer after a reload. */
export class CostPanel implements vscode.Disposable {
  private static current: CostPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private selected: string | null;

  static show(context: vscode.ExtensionContext, meter: MeterView, log: vscode.LogOutputChannel, titles?: SessionTitles): CostPanel {
    if (CostPanel.current) {
      CostPanel.current.panel.reveal(vscode.ViewColumn.Active);
      return CostPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, 'Claude Code Cost Meter', vscode.ViewColumn.Active, CostPanel.options(context));
    CostPanel.current = new CostPanel(panel, context, meter, log, null, titles);
    return CostPanel.current;
  }

  static registerSerializer(context: vscode.ExtensionContext, meter: MeterView, log: vscode.LogOutputChannel, titles?: SessionTitles): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: (panel: vscode.WebviewPanel, state: unknown) => {
        const parsed = panelStateSchema.safeParse(state);
        panel.webview.options = CostPanel.options(context);
        CostPanel.current?.dispose();
        CostPanel.current = new CostPanel(panel, context, meter, log, parsed.success ? parsed.data.selectedSession : null, titles);
        return Promise.resolve();
      },
    });
  }

  /** The open panel, if any (for tests through the extension API). */
  static get open(): CostPanel | undefined {
    return CostPanel.current;
  }

  private static options(context: vscode.ExtensionContext): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(context.extensionUri, 'media')],
    };
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly context: vscode.ExtensionContext,
    private readonly meter: MeterView,
    private readonly log: vscode.LogOutputChannel,
    selected: string | null,
    private readonly titles?: SessionTitles,
  ) {
    this.selected = selected;
    meter.watchSession(selected ?? undefined);
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.png');
    panel.webview.html = this.html();
    const onUpdate = (snapshot: MeterSnapshot) => this.post(snapshot);
    meter.on('update', onUpdate);
    this.disposables.push({ dispose: () => meter.off('update', onUpdate) });
    this.disposables.push({ dispose: () => meter.watchSession(undefined) });
    this.disposables.push(panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m)));
    this.disposables.push(panel.onDidDispose(() => this.dispose()));
  }

  /** The HTML the webview was given (for the CSP test). */
  get renderedHtml(): string {
    return this.panel.webview.html;
  }

  private html(): string {
    const webview = this.panel.webview;
    const nonce = crypto.randomBytes(18).toString('base64');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview', 'main.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, 'media', 'panel.css'));
    const uplotStyle = webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview', 'uplot.css'));
    const codicons = webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview', 'codicon.css'));
    const csp = [
      "default-src 'none'",
      `style-src ${webview.cspSource}`,
      `font-src ${webview.cspSource}`,
      `img-src ${webview.cspSource}`,
      `script-src 'nonce-${nonce}'`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${codicons.toString()}">
<link rel="stylesheet" href="${uplotStyle.toString()}">
<link rel="stylesheet" href="${style.toString()}">
<title>Claude Code Cost Meter</title>
</head>
<body>
<main id="app" aria-live="polite"><p class="muted">Loading…</p></main>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
  }

  private post(snapshot: MeterSnapshot): void {
    const message: HostToWebview = { type: 'snapshot', snapshot: buildPanelSnapshot(snapshot, this.selected, (id) => this.meter.sessionDetail(id), (id) => this.titles?.titleOf(id) ?? null) };
    void this.panel.webview.postMessage(message);
  }

  private receive(raw: unknown): void {
    const m = parseWebviewMessage(raw);
    if (!m) {
      let shown: string;
      try {
        shown = JSON.stringify(raw)?.slice(0, 200) ?? String(raw);
      } catch {
        shown = typeof raw;
      }
      this.log.warn(`panel: rejected a message of unexpected shape: ${shown}`);
      return;
    }
    switch (m.type) {
      case 'ready':
        this.post(this.meter.snapshot);
        return;
      case 'selectSession':
        this.selected = m.sessionId;
        this.meter.watchSession(m.sessionId ?? undefined);
        this.post(this.meter.snapshot);
        return;
      case 'command': {
        const ids = {
          pinSession: Commands.pinSession,
          unpinSession: Commands.unpinSession,
          rescan: Commands.rescan,
          showLog: Commands.showLog,
          copySummary: Commands.copySummary,
          export: Commands.export,
        } as const;
        void vscode.commands.executeCommand(ids[m.command]);
        return;
      }
      case 'nudgeAction':
        void runNudgeAction(m.action, m.key, this.meter, this.log);
        return;
      default: {
        const never: never = m;
        return never;
      }
    }
  }

  /** The state a serializer restores (also mirrored by the webview's own setState). */
  get state(): PanelState {
    return { selectedSession: this.selected };
  }

  dispose(): void {
    if (CostPanel.current === this) {
      CostPanel.current = undefined;
    }
    for (const d of this.disposables.splice(0)) {
      d.dispose();
    }
    this.panel.dispose();
  }
}
