/** Budgets with their pace, each on one row with a theme-token gauge. */
import type { PanelBudget } from '../../src/shared/protocol';
import { el, foldable, gauge, pct0, usd } from '../core';

export function budgetsSection(budgets: PanelBudget[]): HTMLElement {
  const content: HTMLElement[] = [];
  if (budgets.length === 0) {
    content.push(el('p', { class: 'muted' }, 'No budgets set (settings: Claude Code Cost Meter › Budgets).'));
  }
  for (const b of budgets) {
    const ahead = b.share > b.paceShare;
    content.push(
      el(
        'div',
        { class: 'budget', 'data-testid': `budget-${b.period}` },
        el('div', { class: 'budget-head' }, el('span', { class: 'budget-label' }, b.label), el('span', { class: 'num', 'data-testid': `budget-${b.period}-spent` }, `${usd(b.spentUSD)} / ${usd(b.limitUSD)}`)),
        gauge(b.share, `${b.label}: ${pct0(b.share)} of the budget; safe pace ${pct0(b.paceShare)}`, { markAt: b.paceShare, level: b.share >= 1 ? 'error' : ahead ? 'warning' : 'ok' }),
        el('div', { class: ahead ? 'warning small' : 'muted small', 'data-testid': `budget-${b.period}-pace` }, b.summary),
      ),
    );
  }
  const top = budgets.reduce<PanelBudget | undefined>((a, b) => (a === undefined || b.share > a.share ? b : a), undefined);
  const d = foldable('budgets', 'Budgets', content, top ? { hint: `${top.label} ${pct0(top.share)} used` } : {});
  d.classList.add('budgets');
  return d;
}
