// PagerDuty pages as rows of the Alerts pane, in its columns: state, urgency, title with service and
// escalation level, age, who acknowledged or is assigned (in the summary column), who is on call.
import type { Page } from '../paging/pagerduty.js';
import { cell, type Cell } from './cell.js';
import { formatAge } from './format.js';

export function pageCells(p: Page, now: number, opts: { ascii?: boolean } = {}): Cell[] {
  const g = opts.ascii ? { triggered: '!', acknowledged: '+' } : { triggered: '▲', acknowledged: '✔' };
  const state = p.status === 'triggered' ? cell(`${g.triggered} PAGE`, 'critical', true) : cell(`${g.acknowledged} ACKED`, 'warn', true);
  const level = p.escalationLevel != null ? ` L${p.escalationLevel}${p.levels ? `/${p.levels}` : ''}` : '';
  const who = p.status === 'acknowledged' && p.acknowledgedBy.length ? `acked by ${p.acknowledgedBy.join(', ')}` : `assigned ${p.assignees.join(', ') || 'nobody'}`;
  return [
    state,
    cell(p.urgency ?? '-', p.urgency === 'high' ? 'critical' : 'muted'),
    cell(`PD${p.number != null ? ` #${p.number}` : ''} ${p.title}${p.service ? ` (${p.service})` : ''}${level}`, 'fg', p.status === 'triggered'),
    p.createdAt !== null ? cell(formatAge(now - p.createdAt)) : cell('-', 'muted'),
    cell(''),
    cell(`${who}${p.escalationPolicy ? ` · ${p.escalationPolicy}` : ''}`, 'fg'),
    cell(p.onCall.length ? `on call ${p.onCall.join(', ')}` : '', 'muted'),
  ];
}
