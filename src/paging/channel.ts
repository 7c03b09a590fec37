// The incident channel, as the runbooks open it:
//   channelName(info)          #incident-YYYYMMDD-HHMM-brief-description (UTC, Slack's rules: a–z 0–9 - _, ≤ 80)
//   initialMessage(info, fields, links)   the runbook's "INCIDENT DECLARED" template
//   openIncidentChannel(slack, {...})     create (or find, after a crash) → invite responders → first
//        message (once: looked for by its metadata first). ChannelSync announces it in #incidents.
import type { SlackClient } from './slack.js';
import { ApiError } from './api.js';
import type { IncidentInfo } from '../incident/types.js';

export const ROOT_EVENT = 'warroom_incident';

export function channelName(info: Pick<IncidentInfo, 'declaredAt' | 'title'>): string {
  const iso = new Date(info.declaredAt).toISOString();
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}`;
  const prefix = `incident-${stamp}-`;
  const brief = info.title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80 - prefix.length)
    .replace(/-+$/g, '');
  return brief ? prefix + brief : prefix.slice(0, -1);
}

/** Checks a channel name typed by a person against Slack's rules; null when fine. */
export function channelNameProblem(name: string): string | null {
  if (!name) return 'empty';
  if (name.length > 80) return `${name.length} characters, Slack allows 80`;
  if (!/^[a-z0-9_-]+$/.test(name)) return 'only lowercase letters, digits, "-" and "_" (no spaces, no #)';
  return null;
}

export interface InitialFields {
  whatWeKnow: string;
  currentActions: string;
  impact: string;
}

export function initialMessage(info: IncidentInfo, fields: InitialFields, links: Array<{ title: string; url: string }>): string {
  const start = new Date(info.declaredAt).toISOString().replace('T', ' ').slice(0, 16);
  const bullets = (text: string) =>
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .map((l) => `- ${l.replace(/^[-•]\s*/, '')}`);
  const lines = [
    '🚨 INCIDENT DECLARED 🚨',
    `Severity: ${info.severity}`,
    `Summary: ${info.title}`,
    `IC: ${info.commander || 'not assigned yet'}`,
    ...(info.comms ? [`Comms: ${info.comms}`] : []),
    `Start Time: ${start} UTC`,
    `Status: ${info.status[0]!.toUpperCase()}${info.status.slice(1)}`,
    '',
    'What we know:',
    ...bullets(fields.whatWeKnow || 'Investigating'),
    '',
    'Impact:',
    ...bullets(fields.impact || 'Being assessed'),
    '',
    'Current Actions:',
    ...bullets(fields.currentActions || 'Investigating'),
  ];
  if (links.length) lines.push('', 'Links:', ...links.map((l) => `- ${l.title}: ${l.url}`));
  lines.push('', 'Status updates follow in this thread; warroom posts its timeline in this channel.');
  return lines.join('\n');
}

export interface OpenedChannel {
  channelId: string;
  channelName: string;
  /** The first message: status updates are threaded under it. */
  rootTs: string;
  permalink: string | null;
  created: boolean;
  invited: string[];
  /** What did not work but did not stop it (a responder who is not in the workspace…). */
  warnings: string[];
}

export async function openIncidentChannel(slack: SlackClient, o: { info: IncidentInfo; name: string; text: string; responders: string[] }): Promise<OpenedChannel> {
  const warnings: string[] = [];
  const ch = await slack.createChannel(o.name);
  const invited: string[] = [];
  if (o.responders.length) {
    try {
      await slack.invite(ch.id, o.responders);
      invited.push(...o.responders);
    } catch (e) {
      // One unknown user fails the whole call: invite the others one by one, and name who failed.
      if (!(e instanceof ApiError) || e.kind !== 'api') throw e;
      for (const u of o.responders) {
        try {
          await slack.invite(ch.id, [u]);
          invited.push(u);
        } catch (e2) {
          warnings.push(`${u} not invited: ${(e2 as Error).message}`);
        }
      }
    }
  }
  // After a crash or a lost answer, the first message may be there already: it carries our metadata.
  let rootTs: string | null = null;
  if (!ch.created) {
    for (let cursor: string | undefined, page = 0; page < 20 && !rootTs; page++) {
      const h = await slack.history(ch.id, { cursor, limit: 200 });
      rootTs = h.messages.find((m) => m.metadata?.event_type === ROOT_EVENT && m.metadata.event_payload.incident_id === o.info.id)?.ts ?? null;
      cursor = h.nextCursor ?? undefined;
      if (!cursor) break;
    }
  }
  if (!rootTs)
    rootTs = (await slack.post({ channel: ch.id, text: o.text, metadata: { event_type: ROOT_EVENT, event_payload: { incident_id: o.info.id, severity: o.info.severity } } })).ts;
  const permalink = await slack.permalink(ch.id, rootTs);
  return { channelId: ch.id, channelName: ch.name, rootTs, permalink, created: ch.created, invited, warnings };
}
