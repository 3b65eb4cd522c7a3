import * as vscode from 'vscode';
import type { StatusModel } from '../core/status-model';
import { Commands, STATUS_ITEM_ID } from './ids';

/** The one status bar item: copies the pure status model onto the item (CONTRIBUTING.md §9). */
export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private last: StatusModel | undefined;
  private exportHint: string | undefined;

  constructor() {
    this.item = vscode.window.createStatusBarItem(STATUS_ITEM_ID, vscode.StatusBarAlignment.Left, 100);
    this.item.name = 'Claude Code Cost Meter';
    this.item.command = Commands.openPanel;
    this.item.text = '$(sync~spin) Claude cost: scanning…';
    this.item.show();
  }

  /** The model currently shown (for tests through the extension API). */
  get model(): StatusModel | undefined {
    return this.last;
  }

  /** The team export's note as shown (for tests through the extension API). */
  get exportNote(): string | undefined {
    return this.exportHint;
  }

  /** A short note on the team export's trouble (undefined: none): a marker on the item and a line in its tooltip. */
  setExportHint(hint: string | undefined): void {
    if (hint !== this.exportHint) {
      this.exportHint = hint;
      if (this.last) {
        this.update(this.last);
      }
    }
  }

  update(model: StatusModel): void {
    this.last = model;
    const hint = this.exportHint;
    this.item.text = hint === undefined ? model.text : `${model.text} $(cloud-upload)$(warning)`;
    const tooltip = new vscode.MarkdownString(hint === undefined ? model.tooltip : `${model.tooltip}\n\n---\n\n**Team export:** ${hint}`, true);
    tooltip.isTrusted = false;
    tooltip.supportHtml = false;
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = { label: model.text.replace(/\$\([^)]*\)\s*/g, ''), role: 'button' };
    this.item.backgroundColor =
      model.severity === 'error'
        ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : model.severity === 'warning'
          ? new vscode.ThemeColor('statusBarItem.warningBackground')
          : undefined;
  }

  dispose(): void {
    this.item.dispose();
  }
}
