// The drill's paging world: a PagerDuty simulator with an on-call rotation for the scenario's
// services, a Slack simulator with an #incidents channel and two responders, and a bridge that pages
// for firing Prometheus alerts (as an Alertmanager → PagerDuty integration would) and resolves the
// page when the alert stops firing.
import { randomBytes } from 'node:crypto';
import { PagerDutySim } from './server.js';
import { SlackSim } from '../slack/server.js';
import { httpRequest } from '../../net/http.js';

export const DRILL_ONCALL_EMAIL = 'oncall@drill.warroom.invalid';
export const DRILL_ANNOUNCE_CHANNEL = 'CINCIDENTS';

export interface DrillPaging {
  pagerduty: PagerDutySim;
  slack: SlackSim;
  /** The `paging:` config block pointing at both. */
  config: Record<string, unknown>;
  secrets: string[];
  stop(): Promise<void>;
}

export async function startDrillPaging(o: { services: string[]; promUrl: string; log?: (m: string) => void }): Promise<DrillPaging> {
  const token = `pd-drill-${randomBytes(12).toString('hex')}`;
  const bot = `xoxb-drill-${randomBytes(12).toString('hex')}`;
  const key = () => randomBytes(16).toString('hex');
  const services = o.services.map((name, i) => ({ id: `PSVC${i + 1}`, name, policyId: 'PEPONCALL', routingKey: key() }));
  const leadsKey = key();
  const pagerduty = new PagerDutySim({
    token,
    users: [
      { id: 'PONCALL', name: 'You (on call)', email: DRILL_ONCALL_EMAIL },
      { id: 'PBACKUP', name: 'Sam Backup', email: 'backup@drill.warroom.invalid' },
      { id: 'PLEAD', name: 'Lee Lead', email: 'lead@drill.warroom.invalid' },
    ],
    policies: [
      { id: 'PEPONCALL', name: 'Drill on-call', levels: [['PONCALL'], ['PBACKUP'], ['PLEAD']] },
      { id: 'PEPLEADS', name: 'Engineering leads', levels: [['PLEAD']] },
    ],
    services: [...services, { id: 'PSVCLEADS', name: 'engineering leads', policyId: 'PEPLEADS', routingKey: leadsKey }],
  });
  const slack = new SlackSim({
    token: bot,
    users: [
      { id: 'UDRILL1', name: 'you' },
      { id: 'UDRILL2', name: 'sam' },
    ],
    channels: [{ id: DRILL_ANNOUNCE_CHANNEL, name: 'incidents' }],
  });
  await Promise.all([pagerduty.start(), slack.start()]);

  // Alertmanager's PagerDuty integration, in small: one page per firing alert (its labels are the key).
  const paged = new Map<string, string>();
  let stopped = false;
  const bridge = async () => {
    try {
      const res = await httpRequest(`${o.promUrl}/api/v1/alerts`, { timeoutMs: 2000, maxBytes: 4 * 1024 * 1024 });
      const body = JSON.parse(res.text) as { data?: { alerts?: Array<{ labels: Record<string, string>; annotations?: Record<string, string>; state: string }> } };
      const firing = new Map<string, { labels: Record<string, string>; summary: string }>();
      for (const a of body.data?.alerts ?? [])
        if (a.state === 'firing') firing.set(JSON.stringify(a.labels), { labels: a.labels, summary: a.annotations?.summary ?? a.labels.alertname ?? 'alert' });
      for (const [k, a] of firing) {
        if (paged.has(k)) continue;
        const svc = services.find((s) => s.name === a.labels.service) ?? services[0];
        if (!svc) continue;
        const inc = pagerduty.page(svc.id, `${a.labels.alertname ?? 'Alert'}: ${a.summary}`, k);
        paged.set(k, inc.id);
      }
      for (const [k, id] of paged) {
        if (firing.has(k)) continue;
        pagerduty.resolve(id);
        paged.delete(k);
      }
    } catch (e) {
      o.log?.(`drill paging bridge: ${(e as Error).message}`);
    }
  };
  const timer = setInterval(() => void (stopped || bridge()), 2000);
  timer.unref?.();

  const config = {
    pagerduty: {
      token,
      from: DRILL_ONCALL_EMAIL,
      apiUrl: pagerduty.url,
      eventsUrl: pagerduty.url,
      serviceIds: services.map((s) => s.id),
      pollSeconds: 5,
      escalationTargets: [{ name: 'Engineering leads', routingKey: leadsKey }],
    },
    slack: { botToken: bot, apiUrl: slack.apiUrl, announceChannel: DRILL_ANNOUNCE_CHANNEL, responders: ['UDRILL1', 'UDRILL2'], pollSeconds: 1 },
    escalation: [
      { severity: 'P0', afterMinutes: 0, contact: 'engineering manager', target: 'Engineering leads' },
      { severity: 'P1', afterMinutes: 15, contact: 'engineering lead', target: 'Engineering leads' },
      { severity: 'P1', afterMinutes: 60, contact: 'engineering manager' },
      { severity: 'P2', afterMinutes: 240, contact: 'team lead' },
    ],
  };
  return {
    pagerduty,
    slack,
    config,
    secrets: [token, bot, leadsKey, ...services.map((s) => s.routingKey)],
    async stop() {
      stopped = true;
      clearInterval(timer);
      await Promise.allSettled([pagerduty.stop(), slack.stop()]);
    },
  };
}
