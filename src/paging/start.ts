// Starts paging for a cockpit once its config is known (a drill's arrives after the first frame):
// the PagerDuty and Slack clients, the paging source (pages, escalation due), the channel sync,
// and the offer (a notice) to open the incident channel when an incident is declared here.
import { hostname } from 'node:os';
import type { Config } from '../config/schema.js';
import type { Cockpit } from '../store/store.js';
import type { IncidentEngine } from '../incident/incident.js';
import type { Source } from '../sources/types.js';
import { PagerDutyClient } from './pagerduty.js';
import { SlackClient } from './slack.js';
import { PagingSource } from './source.js';
import { ChannelSync } from './timeline-sync.js';
import { escalationDue } from './escalation.js';
import { incidentChannel, type PagingServices } from './services.js';
import { channelName } from './channel.js';

export interface StartPagingOptions {
  config: Config;
  cockpit: Cockpit;
  engine: IncidentEngine;
  stateDir: string;
  actor: string;
  readOnly: () => boolean;
  log: (msg: string) => void;
  /** Shows a notice (the offer to open the channel when an incident is declared). */
  notify?: (message: string, level: 'info' | 'warn') => void;
}

export interface StartedPaging {
  services: PagingServices;
  sources: Source[];
}

/** The configured clients (null when not configured), so secrets and the thread sink can know them early. */
export function pagingClients(config: Config): { pagerduty: PagerDutyClient | null; slack: SlackClient | null; secrets: string[] } {
  const p = config.paging;
  const maxBytes = config.limits.maxResponseMiB * 1024 * 1024;
  const routingKeys = p.pagerduty?.escalationTargets.flatMap((t) => ('routingKey' in t ? [t.routingKey] : [])) ?? [];
  const pagerduty = p.pagerduty
    ? new PagerDutyClient({
        apiUrl: p.pagerduty.apiUrl,
        eventsUrl: p.pagerduty.eventsUrl,
        token: p.pagerduty.token,
        from: p.pagerduty.from,
        serviceIds: p.pagerduty.serviceIds,
        timeoutMs: p.pagerduty.timeoutSeconds * 1000,
        maxBytes,
        secrets: routingKeys,
      })
    : null;
  const slack = p.slack ? new SlackClient({ apiUrl: p.slack.apiUrl, token: p.slack.botToken, timeoutMs: p.slack.timeoutSeconds * 1000, maxBytes }) : null;
  return { pagerduty, slack, secrets: [p.pagerduty?.token, p.slack?.botToken, ...routingKeys].filter((x): x is string => !!x) };
}

export function startPaging(o: StartPagingOptions, clients = pagingClients(o.config)): StartedPaging | null {
  const cfg = o.config.paging;
  if (!clients.pagerduty && !clients.slack && cfg.escalation.length === 0) return null;
  const { engine } = o;
  const due = () => escalationDue(engine.current, engine.slice().timeline, cfg.escalation, Date.now());
  const source = new PagingSource(cfg, o.cockpit.publisher('paging'), { pagerduty: clients.pagerduty, escalation: () => due()?.text ?? null, log: o.log });
  const sources: Source[] = [source];
  if (clients.slack) {
    const sync = new ChannelSync({
      slack: clients.slack,
      engine,
      stateDir: o.stateDir,
      origin: `${o.actor}@${hostname()}`,
      pollMs: cfg.slack!.pollSeconds * 1000,
      announceChannel: cfg.slack!.announceChannel ?? null,
      readOnly: o.readOnly,
    });
    source.setChannel(sync.status());
    sync.onChange((s) => {
      source.setChannel(s);
      if (s.state === 'failing' || s.state === 'waiting') o.log(`slack channel: ${s.message}`);
    });
    sources.push({ start: () => sync.start(), stop: () => sync.stop() });
    offerChannel(o);
  }
  // The escalation due follows the incident at once, not only on the 5 s tick.
  let lastIncident: unknown = null;
  o.cockpit.onFlush((s) => {
    if (s.incident.current === lastIncident) return;
    lastIncident = s.incident.current;
    source.evaluate();
  });
  const services: PagingServices = {
    pagerduty: clients.pagerduty,
    slack: clients.slack,
    config: cfg,
    refresh: () => source.refresh(),
    escalationDue: () => due()?.text ?? null,
    dueTarget: () => due()?.rule.target ?? null,
  };
  return { services, sources };
}

/**
 * When an incident is declared on this cockpit (not merged from another), offer its channel: a
 * notice naming it and the key, so the offer never takes the keyboard from whoever is typing.
 */
function offerChannel(o: StartPagingOptions): void {
  if (!o.notify) return;
  const startedAt = Date.now();
  let prev: string | null = o.engine.current?.id ?? null;
  o.cockpit.onFlush((s) => {
    const info = s.incident.current;
    const id = info?.id ?? null;
    if (id === prev) return;
    prev = id;
    if (!info || o.readOnly()) return;
    const entries = o.engine.journalEntries(info.id);
    const declared = entries.find((e) => e.kind === 'incident.declared');
    if (!declared || declared.origin || declared.at < startedAt || incidentChannel(entries)) return;
    o.notify!(`O opens the incident channel #${channelName(info)} (the runbook's first message; responders invited)`, 'info');
  });
}
