// PagerDuty and the incident channel, as actions: every one passes the runner's gates (read-only
// first, so a read-only screen acknowledges, escalates and creates nothing) and is journaled by it,
// with what it touched in refs (pagerdutyIncidentId, slackChannelId …: how later actions, the
// channel sync and the post-mortem find them).
//   paging.acknowledge  a   (Alerts, on a page)       PUT status acknowledged
//   paging.escalate     E   (Alerts, page or none)    reassign to the next level, or page a chosen policy (Events v2); confirmed
//   paging.link         L   (Alerts, on a page)       declare the incident from the page, or link it to the open one
//   paging.channel      O                             open the incident channel (runbook name, first message, responders)
//   paging.mirror       m   (Timeline, on a note)     add the note to the linked pages (never twice: checked first)
import type { ActionDef, AnyActionDef, ActionEnv, ActionTarget } from './types.js';
import type { Page } from '../paging/pagerduty.js';
import type { PagingServices } from '../paging/services.js';
import { channelName, channelNameProblem, initialMessage, openIncidentChannel } from '../paging/channel.js';
import { linkedPages, incidentChannel } from '../paging/services.js';
import type { Severity, TimelineEntry } from '../incident/types.js';

type PageTarget = ActionTarget & { page?: Page };
type EntryTarget = ActionTarget & { entry?: TimelineEntry };

const paging = (env: ActionEnv): PagingServices => {
  const p = env.services.paging;
  if (!p) throw new Error('paging is not configured');
  return p;
};
const actorOf = (env: ActionEnv) => env.actor ?? 'you';
const pageLabel = (p: Page) => `PagerDuty${p.number != null ? ` #${p.number}` : ''} "${p.title}"`;

function pageLines(p: Page): string[] {
  return [
    `${pageLabel(p)} on ${p.service ?? 'an unknown service'}: ${p.status}`,
    `escalation policy ${p.escalationPolicy ?? '?'}${p.escalationLevel != null ? `, level ${p.escalationLevel}${p.levels ? ` of ${p.levels}` : ''}` : ''}`,
    `assigned to ${p.assignees.join(', ') || 'nobody'}${p.acknowledgedBy.length ? `; acknowledged by ${p.acknowledgedBy.join(', ')}` : ''}`,
  ];
}

const needsPage = (t: PageTarget, env: ActionEnv, what: string): string | null => {
  if (!env.services.paging?.pagerduty) return 'PagerDuty is not configured (paging.pagerduty)';
  if (!t.page) return `Select a PagerDuty page (not a Prometheus alert) to ${what} it`;
  return null;
};

export const acknowledgeAction: ActionDef<PageTarget> = {
  id: 'paging.acknowledge',
  title: 'Acknowledge page',
  scope: 'alerts',
  mutating: true,
  confirm: 'none',
  requires: 'paging',
  binding: { keys: ['a'], label: 'ack', description: 'Acknowledge the selected PagerDuty page', group: 'Alerts', target: 'row', footer: true },
  precheck: async (t, _p, env) => needsPage(t, env, 'acknowledge') ?? (t.page!.status === 'resolved' ? 'the page is resolved already' : null),
  describe: (t, _p, env) => [...pageLines(t.page!), `acknowledge it as ${paging(env).config.pagerduty?.from}`],
  run: async (t, _p, env) => {
    const svc = paging(env);
    const p = await svc.pagerduty!.acknowledge(t.page!.id);
    svc.refresh();
    return {
      summary: `acknowledged ${pageLabel(p)}${p.acknowledgedBy.length ? ` (${p.acknowledgedBy.join(', ')})` : ''}`,
      refs: { pagerdutyIncidentId: p.id, pagerdutyUrl: p.url },
    };
  },
};

export const escalateAction: ActionDef<PageTarget> = {
  id: 'paging.escalate',
  title: 'Escalate',
  scope: 'alerts',
  mutating: true,
  confirm: 'confirm',
  requires: 'paging',
  binding: { keys: ['E'], label: 'escalate', description: 'Escalate the page to its next level, or page a policy', group: 'Alerts', target: 'row-if-any', footer: true },
  precheck: async (t, _p, env) => {
    const svc = env.services.paging;
    if (!svc?.pagerduty) return 'PagerDuty is not configured (paging.pagerduty)';
    if (!t.page && !svc.config.pagerduty?.escalationTargets.length) return 'Select a PagerDuty page to reassign, or configure paging.pagerduty.escalationTargets to page a policy';
    if (t.page?.status === 'resolved') return 'the page is resolved already';
    return null;
  },
  choose: (t, env) => {
    const svc = paging(env);
    const options = [];
    const p = t.page;
    if (p) {
      const next = (p.escalationLevel ?? 1) + 1;
      if (p.levels == null || next <= p.levels)
        options.push({ label: `Reassign ${pageLabel(p)} to level ${next} of ${p.escalationPolicy ?? 'its policy'}`, value: `level:${next}` });
    }
    for (const target of svc.config.pagerduty?.escalationTargets ?? []) options.push({ label: `Page ${target.name} (a new PagerDuty incident)`, value: `target:${target.name}` });
    const due = svc.escalationDue?.();
    return { title: 'Escalate', options, lines: due ? [due] : undefined, initial: due && svc.dueTarget?.() ? `target:${svc.dueTarget()}` : undefined };
  },
  describe: (t, p, env) => {
    const choice = p.choice ?? '';
    if (choice.startsWith('level:')) return [...pageLines(t.page!), '', `PagerDuty reassigns it to level ${choice.slice(6)}: those on call there are paged now.`];
    const info = env.services.incident?.current;
    const target = paging(env).config.pagerduty?.escalationTargets.find((x) => x.name === choice.slice(7));
    const how =
      target && 'routingKey' in target
        ? 'a PagerDuty event (Events API v2)'
        : `a PagerDuty incident on service ${target?.serviceId ?? '?'} with escalation policy ${target?.escalationPolicyId ?? '?'}`;
    return [
      `Page ${choice.slice(7)} with ${how}: whoever is on call there is paged.`,
      `summary: ${escalationSummary(info?.title ?? t.page?.title ?? 'warroom escalation', info?.severity ?? null, actorOf(env))}`,
    ];
  },
  run: async (t, p, env) => {
    const svc = paging(env);
    const pd = svc.pagerduty!;
    const choice = p.choice ?? '';
    if (choice.startsWith('level:')) {
      const level = Number(choice.slice(6));
      const page = await pd.escalate(t.page!.id, level);
      svc.refresh();
      return {
        summary: `${pageLabel(page)} reassigned to level ${level} (${page.assignees.join(', ') || 'nobody'})`,
        refs: { pagerdutyIncidentId: page.id, escalationLevel: level, escalation: 'reassign' },
      };
    }
    const name = choice.slice(7);
    const target = svc.config.pagerduty?.escalationTargets.find((x) => x.name === name);
    if (!target) throw new Error(`no escalation target named ${name}`);
    const info = env.services.incident?.current;
    // One key per incident and target: pressing it again (or a retry) does not page twice.
    const dedupKey = `warroom-${info?.id ?? t.page?.id ?? 'no-incident'}-${name}`.replace(/\s+/g, '_');
    const summary = escalationSummary(info?.title ?? t.page?.title ?? 'warroom escalation', info?.severity ?? null, actorOf(env));
    let already = false;
    if ('routingKey' in target) {
      await pd.trigger({
        routingKey: target.routingKey,
        summary,
        source: 'warroom',
        severity: 'critical',
        dedupKey,
        details: { incident: info?.id ?? null, page: t.page?.id ?? null },
      });
    } else {
      already = (
        await pd.createIncident({
          title: summary,
          serviceId: target.serviceId,
          escalationPolicyId: target.escalationPolicyId,
          incidentKey: dedupKey,
          details: `warroom incident ${info?.id ?? '(none)'}${t.page ? `, page ${t.page.id}` : ''}`,
        })
      ).already;
    }
    svc.refresh();
    return { summary: already ? `${name} was paged already for this incident` : `paged ${name}`, refs: { escalation: 'trigger', escalationTarget: name, dedupKey } };
  },
};

function escalationSummary(title: string, severity: Severity | null, actor: string): string {
  return `${severity ? `${severity} ` : ''}${title}: escalated by ${actor} from warroom`;
}

export const linkAction: ActionDef<PageTarget> = {
  id: 'paging.link',
  title: 'Declare from page',
  scope: 'alerts',
  mutating: true,
  confirm: 'none',
  requires: 'paging',
  binding: { keys: ['L'], label: 'declare/link', description: 'Declare the incident from the page, or link it to the open one', group: 'Alerts', target: 'row' },
  precheck: async (t, _p, env) => needsPage(t, env, 'link') ?? (env.services.incident ? null : 'the incident engine is not available'),
  fields: (t, env) =>
    env.services.incident?.current
      ? []
      : [
          { name: 'title', label: 'Title', initial: t.page!.title, validate: (v) => (v.trim() ? null : 'a short title') },
          {
            name: 'severity',
            label: 'Severity (P0–P3)',
            initial: env.services.incident?.slice().suggestion.severity ?? (t.page!.urgency === 'high' ? 'P1' : 'P3'),
            validate: (v) => (/^P[0-3]$/i.test(v.trim()) ? null : 'one of P0, P1, P2, P3'),
          },
          { name: 'commander', label: 'Incident commander', initial: env.actor ?? '' },
        ],
  describe: (t, _p, env) => {
    const cur = env.services.incident?.current;
    return [...pageLines(t.page!), '', cur ? `Link it to ${cur.id}: notes can be mirrored to it.` : 'Declare an incident from it; the page is linked to the incident.'];
  },
  run: async (t, p, env) => {
    const engine = env.services.incident!;
    let declared = '';
    if (!engine.current) {
      const info = engine.declare({ title: p.title!.trim(), severity: p.severity!.trim().toUpperCase() as Severity, commander: p.commander?.trim() || null, actor: actorOf(env) });
      declared = `declared ${info.id}; `;
    }
    return { summary: `${declared}linked ${pageLabel(t.page!)}`, refs: { pagerdutyIncidentId: t.page!.id, pagerdutyUrl: t.page!.url } };
  },
};

export const channelAction: ActionDef = {
  id: 'paging.channel',
  title: 'Open the incident channel',
  scope: 'global',
  mutating: true,
  confirm: 'confirm',
  requires: 'paging',
  binding: { keys: ['O'], label: 'channel', description: "Open the incident's Slack channel (runbook name, first message)", group: 'Incident', target: 'none' },
  precheck: async (_t, _p, env) => {
    const svc = env.services.paging;
    if (!svc?.slack) return 'Slack is not configured (paging.slack.botToken)';
    const engine = env.services.incident;
    const info = engine?.current;
    if (!engine || !info) return 'No open incident: D declares one';
    const ch = incidentChannel(engine.journalEntries(info.id));
    return ch ? `The incident already has its channel #${ch.name ?? ch.id}` : null;
  },
  fields: (_t, env) => [{ name: 'name', label: 'Channel name', initial: channelName(env.services.incident!.current!), validate: channelNameProblem }],
  describe: (_t, p, env) => {
    const svc = paging(env);
    const info = env.services.incident!.current!;
    const responders = svc.config.slack?.responders ?? [];
    return [
      `Create #${p.name} in Slack`,
      `invite: ${responders.length ? responders.join(', ') : 'nobody configured (paging.slack.responders)'}`,
      'first message:',
      '',
      ...initialMessage(info, env.services.incident!.prefill(), svc.config.slack?.links ?? []).split('\n'),
    ];
  },
  run: async (_t, p, env) => {
    const svc = paging(env);
    const engine = env.services.incident!;
    const info = engine.current;
    if (!info) throw new Error('the incident was closed meanwhile');
    const opened = await openIncidentChannel(svc.slack!, {
      info,
      name: p.name!.trim(),
      text: initialMessage(info, engine.prefill(), svc.config.slack?.links ?? []),
      responders: svc.config.slack?.responders ?? [],
    });
    return {
      summary: `#${opened.channelName} ${opened.created ? 'created' : 'found (it existed)'}${opened.invited.length ? `, ${opened.invited.length} invited` : ''}${opened.warnings.length ? `; ${opened.warnings.join('; ')}` : ''}`,
      details: opened.permalink ? [`first message: ${opened.permalink}`] : undefined,
      refs: { slackChannelId: opened.channelId, slackChannel: opened.channelName, slackRootTs: opened.rootTs, slackPermalink: opened.permalink },
    };
  },
};

export const mirrorAction: ActionDef<EntryTarget> = {
  id: 'paging.mirror',
  title: 'Mirror note to PagerDuty',
  scope: 'timeline',
  mutating: true,
  confirm: 'none',
  requires: 'paging',
  binding: { keys: ['m'], label: 'mirror', description: 'Add the selected note to the linked PagerDuty pages', group: 'Incident', target: 'row' },
  precheck: async (t, _p, env) => {
    if (!env.services.paging?.pagerduty) return 'PagerDuty is not configured (paging.pagerduty)';
    if (t.entry?.kind !== 'note') return 'Select a note in the Timeline to mirror it';
    const engine = env.services.incident;
    if (!engine || linkedPages(engine.journalEntries(t.entry.incidentId)).length === 0) return 'No PagerDuty page is linked to this incident: L on a page in Alerts links it';
    return null;
  },
  describe: (t, _p, env) => [`Add to ${linkedPages(env.services.incident!.journalEntries(t.entry!.incidentId)).join(', ')}:`, noteText(t.entry!)],
  run: async (t, _p, env) => {
    const svc = paging(env);
    const pages = linkedPages(env.services.incident!.journalEntries(t.entry!.incidentId));
    const done: string[] = [];
    for (const id of pages) {
      // The entry id is in the note: a second press, or a retry after a lost answer, finds it and adds nothing.
      const r = await svc.pagerduty!.addNote(id, noteText(t.entry!), { marker: t.entry!.id, maybeLanded: true });
      done.push(`${id}${r.already ? ' (already there)' : ''}`);
    }
    return { summary: `note mirrored to ${done.join(', ')}`, refs: { pagerdutyIncidentIds: pages, entryId: t.entry!.id } };
  },
};

function noteText(e: TimelineEntry): string {
  return `${e.body ?? e.summary}\n— ${e.actor}, warroom ${new Date(e.at).toISOString().slice(0, 16).replace('T', ' ')} UTC [warroom ${e.id}]`;
}

export const pagingActions: AnyActionDef[] = [acknowledgeAction, escalateAction, linkAction, channelAction, mirrorAction];
