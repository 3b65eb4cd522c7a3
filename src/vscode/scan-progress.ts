import * as vscode from 'vscode';
import type { MeterSnapshot, MeterView } from '../node/live/meter-view';

/** Shows the first scan's progress in the status bar area (window.withProgress). */
export class ScanProgress implements vscode.Disposable {
  private running = false;

  constructor(private readonly meter: MeterView) {}

  begin(): void {
    if (this.running) {
      return;
    }
    this.running = true;
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Claude cost' }, (progress) => {
      let lastPct = 0;
      return new Promise<void>((resolve) => {
        const onUpdate = (s: MeterSnapshot) => {
          const src = s.source;
          if (src.kind === 'scanning') {
            const pct = src.bytesTotal > 0 ? Math.floor((src.bytesDone / src.bytesTotal) * 100) : 0;
            progress.report({ message: `scanning transcripts ${pct}%`, increment: pct - lastPct });
            lastPct = pct;
          } else if (src.kind === 'ready' || src.kind === 'empty') {
            this.meter.off('update', onUpdate);
            this.running = false;
            resolve();
          }
        };
        this.meter.on('update', onUpdate);
      });
    });
  }

  dispose(): void {
    this.running = false;
  }
}
