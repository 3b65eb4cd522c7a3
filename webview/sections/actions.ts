/** The panel's actions, near the top; "Unpin" only when a session is pinned. */
import type { PanelSnapshot } from '../../src/shared/protocol';
import { button, el } from '../core';

export function actionsBar(snap: PanelSnapshot, primaryTaken: boolean): HTMLElement {
  const bar = el('div', { class: 'actions', role: 'toolbar', 'aria-label': 'Actions' });
  bar.append(button('Copy summary', { type: 'command', command: 'copySummary' }, { codicon: 'copy', primary: !primaryTaken, testId: 'cmd-copySummary' }));
  bar.append(
    snap.pinned
      ? button('Unpin', { type: 'command', command: 'unpinSession' }, { codicon: 'pinned', testId: 'cmd-unpin', title: 'Follow the latest session again' })
      : button('Pin', { type: 'command', command: 'pinSession' }, { codicon: 'pin', testId: 'cmd-pin', title: 'Keep showing this session' }),
  );
  bar.append(
    button('Export…', { type: 'command', command: 'export' }, { codicon: 'export', testId: 'cmd-export' }),
    button('Rescan', { type: 'command', command: 'rescan' }, { codicon: 'refresh', testId: 'cmd-rescan', title: 'Rescan transcripts', iconOnly: true }),
    button('Log', { type: 'command', command: 'showLog' }, { codicon: 'output', testId: 'cmd-log', title: 'Show the log', iconOnly: true }),
  );
  return bar;
}
