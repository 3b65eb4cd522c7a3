/** Nudges as one-line callouts with their actions; the detail behind a disclosure. */
import type { PanelNudge } from '../../src/shared/protocol';
import { button, el, icon } from '../core';

const ACTIONS: Record<PanelNudge['actions'][number], [string, string]> = {
  sendCompact: ['Send /compact', 'terminal'],
  copyCompact: ['Copy /compact', 'copy'],
  copyClear: ['Copy /clear', 'copy'],
  openPanel: ['Open panel', 'graph'],
  snooze: ['Snooze', 'bell-slash'],
};

const isMain = (a: PanelNudge['actions'][number]) => a !== 'openPanel' && a !== 'snooze';

/** Whether some nudge has an action worth the panel's one primary button. */
export const nudgeHasPrimary = (nudges: PanelNudge[]) => nudges.some((n) => n.actions.some(isMain));

/** The callouts; the first main action (not Snooze) of the first nudge that has one is the panel's one primary button. */
export function nudgesSection(nudges: PanelNudge[]): HTMLElement {
  const section = el('section', { 'aria-label': 'Nudges', class: 'nudges' });
  const primaryAt = nudges.findIndex((n) => n.actions.some(isMain));
  nudges.forEach((n, i) => {
    const primaryAction = i === primaryAt ? n.actions.find(isMain) : undefined;
    const box = el('div', { class: `nudge nudge-${n.level}`, role: 'alert', 'data-testid': `nudge-${n.key.split(':')[0] ?? ''}` });
    const line = el('div', { class: 'nudge-line' }, icon(n.level === 'error' ? 'error' : 'warning'), el('span', { class: 'nudge-title' }, n.title));
    const actions = el('span', { class: 'nudge-actions' });
    n.actions
      .filter((a) => a !== 'openPanel')
      .forEach((a) => {
        const [label, codicon] = ACTIONS[a];
        actions.append(button(label, { type: 'nudgeAction', key: n.key, action: a }, { codicon, testId: `action-${a}`, primary: a === primaryAction }));
      });
    line.append(actions);
    box.append(line, el('details', { class: 'nudge-detail' }, el('summary', {}, 'Details'), el('p', {}, n.message)));
    section.append(box);
  });
  return section;
}
