/** API list prices against the subscription plans over the last 30 days. */
import type { PanelPlans } from '../../src/shared/protocol';
import { el, foldable, howEstimated, usd } from '../core';

export function plansSection(p: PanelPlans, apiEquivalent: string): HTMLElement {
  const perDay = p.perActiveDayUSD !== null ? `, ${usd(p.perActiveDayUSD)} per active day` : '';
  const lead = el(
    'p',
    {},
    'At API list prices: ',
    el('strong', { 'data-testid': 'plans-api' }, usd(p.apiUSD)),
    ` over ${p.activeDays} active day${p.activeDays === 1 ? '' : 's'}${perDay}. `,
    el('span', { 'data-testid': 'plans-best' }, p.best === 'api' ? 'Paying per token was the cheapest.' : `${p.best} would have been the cheapest.`),
    apiEquivalent ? ` (${apiEquivalent}.)` : '',
  );
  const t = el('table', { 'aria-label': 'Plans against the API' });
  t.append(
    el(
      'thead',
      {},
      el('tr', {}, el('th', { scope: 'col' }, 'Plan'), el('th', { scope: 'col', class: 'num' }, `${p.windowDays} days`), el('th', { scope: 'col', class: 'num', title: 'API cost minus the plan: positive, the plan was cheaper; negative, the API was' }, 'API minus plan'), el('th', { scope: 'col', class: 'num' }, 'Break-even / day'), el('th', { scope: 'col', class: 'num' }, '/ active day')),
    ),
  );
  const body = el('tbody');
  for (const r of p.rows) {
    body.append(
      el(
        'tr',
        { 'data-testid': `plan-${r.plan}` },
        el('td', { class: 'nowrap' }, r.name),
        el('td', { class: 'num' }, usd(r.windowUSD)),
        el('td', { class: `num ${r.cheaper === 'plan' ? 'good' : ''}` }, `${usd(r.savesUSD)} ${r.cheaper === 'plan' ? '(plan cheaper)' : r.cheaper === 'api' ? '(API cheaper)' : ''}`),
        el('td', { class: 'num' }, usd(r.breakEvenPerDayUSD)),
        el('td', { class: 'num' }, r.breakEvenPerActiveDayUSD === null ? '-' : usd(r.breakEvenPerActiveDayUSD)),
      ),
    );
  }
  t.append(body);
  return foldable('plans', `API or subscription, last ${p.windowDays} days`, [lead, el('div', { class: 'scroll' }, t), howEstimated(`${p.basis}.`)], { testId: 'plans' });
}
