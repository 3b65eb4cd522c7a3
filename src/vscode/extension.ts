/**
 * Composition root (CONTRIBUTING.md §6): builds the log, config, meter, status bar
 * and panel, and pushes each into `context.subscriptions`. Activation only
 * wires; the first scan runs in worker threads.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MeterSnapshot } from '../node/live/meter-view';
import { RemoteMeter } from '../node/live/remote-meter';
import { registerCommands, setPinnedContext } from './commands';
import { Config } from './config';
import { PINNED_STATE_KEY } from './ids';
import { createLog, logSink } from './log';
import { CostPanel } from './panel';
import { SessionTitles } from '../node/session-titles';
import { findClaudeRoots } from '../node/claude-roots';
import { StatusBar } from './status-bar';
import { ScanProgress } from './scan-progress';
import type { StatusModel } from '../core/status-model';
import type { Nudge } from '../core/nudges';
import { notifyNudge } from './nudge-actions';
import { registerExport } from './export-token';
import { historyNotifier } from './history-notice';

/** What `activate` returns: read-only views for tests and other extensions. */
export interface CostMeterApi {
  snapshot(): MeterSnapshot;
  statusModel(): StatusModel | undefined;
  /** The team export's note on the status bar (undefined: off or working). */
  exportHint(): string | undefined;
  /** Resolves when the first scan has been merged. */
  ready: Promise<void>;
  onDidUpdate(listener: (s: MeterSnapshot) => void): vscode.Disposable;
  panelHtml(): string | undefined;
  /** Problems found in the settings as last read (each reported once to the user). */
  settingsProblems(): string[];
  /** How long the synchronous part of `activate` took, in ms (also in the log). */
  readonly activationMs: number;
}

function workspaceFolders(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
}

export function activate(context: vscode.ExtensionContext): CostMeterApi {
  const activateStarted = performance.now();
  const log = createLog();
  context.subscriptions.push(log);
  const config = new Config(log);
  context.subscriptions.push(config);
  const meter = new RemoteMeter({
    meterWorkerPath: path.join(context.extensionPath, 'dist', 'meter-worker.js'),
    settings: config.settings,
    workspaceFolders: workspaceFolders(),
    pinnedSession: context.workspaceState.get<string>(PINNED_STATE_KEY),
    workerPath: path.join(context.extensionPath, 'dist', 'scan-worker.js'),
    storageDir: context.globalStorageUri.fsPath,
    // Plan limits: Claude Code's config and the snapshot `claude-cost statusline` records in the CLI's cache folder.
    limits: {},
    log: logSink(log),
  });
  context.subscriptions.push({ dispose: () => void meter.dispose() });
  stopMeter = () => meter.dispose();
  void setPinnedContext(context.workspaceState.get<string>(PINNED_STATE_KEY) !== undefined);

  const statusBar = new StatusBar();
  context.subscriptions.push(statusBar);
  meter.on('update', (s: MeterSnapshot) => statusBar.update(s.status));
  meter.on('nudge', (n: Nudge) => notifyNudge(n, meter, log));
  context.subscriptions.push(...registerExport(context, meter, statusBar, log));
  const notifyHistory = historyNotifier(context.globalState, log);
  meter.on('update', (s: MeterSnapshot) => notifyHistory(s.history?.notice));
  meter.on('failed', () => {
    void vscode.window.showErrorMessage('Claude Code Cost Meter stopped: its worker thread failed repeatedly. Rescan to start it again.', 'Rescan', 'Show Log').then((choice) => {
      if (choice === 'Rescan') {
        void rescan();
      } else if (choice === 'Show Log') {
        log.show();
      }
    });
  });

  const progress = new ScanProgress(meter);
  context.subscriptions.push(progress);

  const titles = new SessionTitles(() => findClaudeRoots({ configDirs: config.settings.configDirs }).projectsDirs);
  const openPanel = () => void CostPanel.show(context, meter, log, titles);
  const rescan = async () => {
    log.info('rescan requested');
    progress.begin();
    try {
      await meter.rebuild();
    } catch (err) {
      log.error(`rescan failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  context.subscriptions.push(...registerCommands(context, meter, log, openPanel, rescan));
  context.subscriptions.push(CostPanel.registerSerializer(context, meter, log, titles));
  context.subscriptions.push({ dispose: () => CostPanel.open?.dispose() });

  context.subscriptions.push(
    config.onDidChange((settings) => {
      meter.updateSettings(settings).catch((err: unknown) => log.error(`settings not applied: ${err instanceof Error ? err.message : String(err)}`));
    }),
  );
  context.subscriptions.push(vscode.workspace.onDidChangeWorkspaceFolders(() => meter.setWorkspaceFolders(workspaceFolders())));

  progress.begin();
  const activationMs = performance.now() - activateStarted;
  log.info(`activated in ${Math.round(activationMs)} ms; the first scan runs in worker threads`);
  const ready = meter.start().catch((err: unknown) => {
    log.error(`first scan failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  });

  return {
    snapshot: () => meter.snapshot,
    statusModel: () => statusBar.model,
    exportHint: () => statusBar.exportNote,
    ready,
    onDidUpdate: (listener) => {
      meter.on('update', listener);
      return { dispose: () => meter.off('update', listener) };
    },
    panelHtml: () => CostPanel.open?.renderedHtml,
    settingsProblems: () => [...config.problems],
    activationMs,
  };
}

/** Set by `activate`: stops the meter's worker once it has written the history. */
let stopMeter: (() => Promise<void>) | undefined;

/**
 * Everything is disposed through context.subscriptions, but VS Code waits
 * only for the promise returned here: the meter's (the same promise,
 * whichever asks first), so the history is written before the host exits.
 */
export function deactivate(): Promise<void> | undefined {
  const stop = stopMeter;
  stopMeter = undefined;
  return stop?.();
}
