import * as vscode from 'vscode';
import { parseSettings, SETTINGS_SECTION, type Settings } from '../core/settings';

/**
 * The one module that reads `getConfiguration` (CONTRIBUTING.md §8): validated
 * through the schema in core; each bad value is reported once, by name.
 */
export class Config implements vscode.Disposable {
  private current: Settings;
  /** Problems of the settings as last read: `<setting>: <message>`. */
  problems: string[] = [];
  private readonly reported = new Set<string>();
  private readonly emitter = new vscode.EventEmitter<Settings>();
  private readonly subscription: vscode.Disposable;
  readonly onDidChange = this.emitter.event;

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.current = this.read();
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(SETTINGS_SECTION)) {
        this.current = this.read();
        this.emitter.fire(this.current);
      }
    });
  }

  get settings(): Settings {
    return this.current;
  }

  private read(): Settings {
    const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
    const { settings, problems } = parseSettings((key) => config.get(key));
    this.problems = problems.map((p) => `${p.key}: ${p.message}`);
    for (const p of problems) {
      const id = `${p.key}:${p.message}`;
      this.log.warn(`setting ${p.key}: ${p.message}; using the default`);
      if (!this.reported.has(id)) {
        this.reported.add(id);
        void vscode.window.showWarningMessage(`Claude Code Cost Meter: the setting "${p.key}" is not valid (${p.message}); the default is used.`, 'Open Settings').then((choice) => {
          if (choice === 'Open Settings') {
            void vscode.commands.executeCommand('workbench.action.openSettings', p.key);
          }
        });
      }
    }
    return settings;
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}
