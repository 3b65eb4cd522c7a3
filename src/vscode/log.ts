import * as vscode from 'vscode';
import { LOG_NAME } from './ids';

/** The extension's log: a LogOutputChannel (never console.log). */
export function createLog(): vscode.LogOutputChannel {
  return vscode.window.createOutputChannel(LOG_NAME, { log: true });
}

/** Adapts the channel to the node layer's `(level, message)` callback. */
export function logSink(log: vscode.LogOutputChannel): (level: 'info' | 'warn' | 'error', message: string) => void {
  return (level, message) => {
    if (level === 'error') {
      log.error(message);
    } else if (level === 'warn') {
      log.warn(message);
    } else {
      log.info(message);
    }
  };
}
