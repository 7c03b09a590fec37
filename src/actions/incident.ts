// Everything that writes the incident journal or leaves the building is an action, so it passes
// the runner's gates: read-only first (a read-only screen declares, notes and posts nothing), then
// the checks, the prompts and (for posts) the preview and confirmation. The engine writes its own
// timeline entries for these, so the runner does not add action.started/succeeded around them.
import type { IncidentEngine } from '../incident/incident.js';
import { composeUpdate, publicLeaks, STATUSES, type UpdateFields } from '../incident/templates.js';
import type { IncidentStatus, OutboxItemView, Severity } from '../incident/types.js';
import type { ActionDef, AnyActionDef, ActionEnv, ActionTarget } from './types.js';
import { displayPath } from '../util/display-path.js';

/** Multi-line template fields are edited on one line, lines joined by " | ". */
const JOIN = ' | ';

/** Writes the post-mortem draft of the open (or latest) incident; resolves to the files written. */
export type PostmortemWriter = () => Promise<string[]>;

function engineOf(env: ActionEnv): IncidentEngine {
  const engine = env.services.incident;
  if (!engine) throw new Error('incident engine unavailable');
  return engine;
}

const actorOf = (env: ActionEnv) => env.actor ?? 'you';
const required = (what: string) => (v: string) => (v.trim() ? null : `${what} is empty`);
const needsOpen = async (_t: ActionTarget, _p: Record<string, string>, env: ActionEnv) => (engineOf(env).current ? null : 'No open incident: D declares one');
const noPreview = () => [];

function validSeverity(v: string): string | null {
  return /^P[0-3]$/i.test(v.trim()) ? null : 'one of P0, P1, P2, P3';
}

/** The fields common to every incident-journal action. */
const journalAction = { scope: 'global', mutating: true, confirm: 'none', journal: false, describe: noPreview, requires: 'incident' } as const;

export const declareAction: ActionDef = {
  ...journalAction,
  id: 'incident.declare',
  binding: { keys: ['D'], label: 'declare', description: 'Declare an incident (title, severity, roles)', group: 'Incident', target: 'none', footer: true },
  title: 'Declare an incident',
  precheck: async (_t, _p, env) => {
    const open = engineOf(env).current;
    return open ? `Incident ${open.id} is already open` : null;
  },
  fields: (_t, env) => [
    { name: 'title', label: 'Title', initial: '', validate: (v) => (v.trim() ? null : 'a short title, e.g. "checkout 5xx after deploy"') },
    { name: 'severity', label: 'Severity (P0–P3)', initial: engineOf(env).slice().suggestion.severity ?? 'P3', validate: validSeverity },
    { name: 'commander', label: 'Incident commander', initial: env.actor ?? '' },
    { name: 'comms', label: 'Comms lead', initial: '' },
    // What a public status page will call it: neutral, naming the affected components only.
    { name: 'components', label: 'Affected components (public names, comma-separated)', initial: engineOf(env).affectedComponents().join(', '), validate: noLeaks(engineOf(env)) },
    { name: 'publicTitle', label: 'Public title (empty: from the components)', initial: '', validate: noLeaks(engineOf(env)) },
  ],
  run: async (_t, p, env) => {
    const components = (p.components ?? '')
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean);
    const info = engineOf(env).declare({
      title: p.title!.trim(),
      severity: p.severity!.trim().toUpperCase() as Severity,
      commander: p.commander?.trim() || null,
      comms: p.comms?.trim() || null,
      actor: actorOf(env),
      components,
      publicTitle: p.publicTitle?.trim() || null,
    });
    return { summary: `declared ${info.id} (${info.severity})` };
  },
};

export const noteAction: ActionDef = {
  ...journalAction,
  id: 'incident.note',
  binding: { keys: ['n'], label: 'note', description: 'Add a note to the timeline', group: 'Incident', target: 'none', footer: true },
  title: 'Note for the timeline',
  fields: () => [{ name: 'text', label: 'Note', initial: '', validate: (v) => (v.trim() ? null : 'empty note') }],
  run: async (_t, p, env) => {
    engineOf(env).note(p.text!.trim(), actorOf(env));
    return { summary: 'noted' };
  },
};

export const statusAction: ActionDef = {
  ...journalAction,
  id: 'incident.status',
  binding: { keys: ['S'], label: 'status', description: 'Change state: Investigating → Identified → Monitoring → Resolved', group: 'Incident', target: 'none' },
  title: 'Change incident state',
  precheck: needsOpen,
  // The cursor starts on the next state, never on the current one: Enter moves forward.
  // Resolved offers the final update first; resolving without one is a separate, explicit choice.
  choose: (_t, env) => {
    const cur = engineOf(env).current?.status ?? 'investigating';
    const next = STATUSES[Math.min(STATUSES.indexOf(cur) + 1, STATUSES.length - 1)]!;
    const options: Array<{ label: string; value: string }> = STATUSES.map((s) => ({
      label: `${stateLabel(s)}${s === cur ? '  (current)' : ''}${s === 'resolved' ? ': post the final update, then resolve' : ''}`,
      value: s,
    }));
    options.push({ label: 'Resolved without posting an update', value: 'resolved-silently' });
    return { title: 'Incident state', initial: next, options };
  },
  run: async (_t, p, env) => {
    const engine = engineOf(env);
    if (p.choice === engine.current?.status) return { summary: `still ${p.choice}` };
    if (p.choice === 'resolved') {
      const invoke = env.services.invoke;
      if (invoke) {
        const r = await invoke('incident.post', { name: engine.current?.id ?? '', status: 'resolved' });
        return { summary: r.ok ? 'final update posted; incident resolved' : `not resolved: ${r.message ?? 'the final update was not posted'}` };
      }
    }
    const to = (p.choice === 'resolved-silently' ? 'resolved' : p.choice) as IncidentStatus;
    engine.setStatus(to, actorOf(env));
    return { summary: `now ${to}` };
  },
};

export const severityAction: ActionDef = {
  ...journalAction,
  id: 'incident.severity',
  binding: { keys: ['V'], label: 'severity', description: 'Set the incident severity (accept or override the suggestion)', group: 'Incident', target: 'none' },
  title: 'Set severity',
  precheck: needsOpen,
  choose: (_t, env) => {
    const sug = engineOf(env).slice().suggestion;
    return {
      title: `Severity (suggested: ${sug.severity ?? 'none'} — ${sug.rule})`,
      options: ['P0', 'P1', 'P2', 'P3'].map((s) => ({ label: `${s}${s === sug.severity ? '  (suggested)' : ''}`, value: s })),
    };
  },
  run: async (_t, p, env) => {
    engineOf(env).setSeverity(p.choice as Severity, actorOf(env));
    return { summary: `now ${p.choice}` };
  },
};

export const roleAction: ActionDef = {
  ...journalAction,
  id: 'incident.role',
  binding: { keys: ['A'], label: 'roles', description: 'Assign incident commander / comms', group: 'Incident', target: 'none' },
  title: 'Assign roles',
  precheck: needsOpen,
  fields: (_t, env) => {
    const cur = engineOf(env).current;
    return [
      { name: 'commander', label: 'Incident commander', initial: cur?.commander ?? '' },
      { name: 'comms', label: 'Comms lead', initial: cur?.comms ?? '' },
    ];
  },
  run: async (_t, p, env) => {
    const engine = engineOf(env);
    const cur = engine.current;
    const changed: string[] = [];
    for (const role of ['commander', 'comms'] as const) {
      const name = (p[role] ?? '').trim();
      if (name !== (cur?.[role] ?? '')) {
        engine.assignRole(role, name, actorOf(env));
        changed.push(`${role} ${name || '(none)'}`);
      }
    }
    return { summary: changed.length ? changed.join(', ') : 'unchanged' };
  },
};

export const postmortemAction: ActionDef = {
  ...journalAction,
  id: 'incident.postmortem',
  binding: { keys: ['P'], label: 'post-mortem', description: 'Write the post-mortem draft (Markdown and JSON)', group: 'Incident', target: 'none' },
  requires: 'postmortem',
  title: 'Post-mortem draft',
  run: async (_t, _p, env) => {
    const write = env.services.postmortem;
    if (!write) throw new Error('post-mortems are not available here');
    const paths = await write();
    return { summary: `written to ${displayPath(paths[0] ?? '')} (and .json)`, refs: { paths } };
  },
};

function fieldsFrom(params: Record<string, string>): UpdateFields {
  const lines = (v: string | undefined) => (v ?? '').split(JOIN).join('\n');
  return {
    whatWeKnow: lines(params.whatWeKnow),
    currentActions: lines(params.currentActions),
    impact: lines(params.impact),
    nextUpdate: params.nextUpdate ?? '',
    publicTitle: (params.publicTitle ?? '').trim(),
    publicMessage: lines(params.publicMessage).trim(),
  };
}

/** A public text naming a pod, deployment, alert, host or IP, or quoting a signal value, is refused, with what it named. */
function noLeaks(engine: IncidentEngine) {
  return (v: string) => {
    const leaks = publicLeaks(v, engine.internalIdentifiers());
    return leaks.length ? `names internal ${leaks.length === 1 ? 'detail' : 'details'} (${leaks.slice(0, 3).join(', ')}); a public page must never show it` : null;
  };
}

const stateLabel = (s: IncidentStatus) => s[0]!.toUpperCase() + s.slice(1);

/**
 * Exactly what each sink receives, complete: for every sink its audience and the text (and
 * fields) sent. The preview is built by the same composer as the post.
 */
export function previewPost(engine: IncidentEngine, fields: UpdateFields, status: IncidentStatus, now = Date.now()): string[] {
  const info = engine.postTarget();
  if (!info) return ['No open incident.'];
  const out: string[] = [];
  const current = engine.current;
  if (current && status !== current.status)
    out.push(status === 'resolved' ? 'Posting this update RESOLVES the incident.' : `Posting this update moves the incident to ${stateLabel(status)}.`, '');
  if (!current) out.push(`Follow-up to the resolved incident ${info.id}.`, '');
  const sinks = engine.sinkList();
  if (sinks.length === 0) out.push('No sinks configured: the update is only journaled.', '');
  for (const sink of sinks.length ? sinks : [{ name: 'journal', kind: 'dryrun' as const, audience: 'internal' as const }]) {
    const u = composeUpdate(info, fields, { audience: sink.audience, status, now });
    out.push(`── ${sink.name} (${sink.audience}) ──`);
    // A public dry run stands in for a status page: it records the page's fields, so they are shown.
    if (sink.kind === 'statuspage' || (sink.kind === 'dryrun' && sink.audience === 'public')) {
      out.push(
        `Incident name: ${u.statuspage.name}`,
        `Status: ${u.statuspage.status}`,
        `Components: ${u.statuspage.componentStatus}`,
        'Message:',
        ...u.statuspage.body.split('\n'),
      );
    } else if (sink.kind === 'webhook') {
      out.push(`Title: ${u.title}`, ...u.slack.text.split('\n'));
    } else out.push(...u.slack.text.split('\n'));
    out.push('');
  }
  return out;
}

export const postUpdateAction: ActionDef<ActionTarget & { status?: IncidentStatus }> = {
  id: 'incident.post',
  binding: { keys: ['p'], label: 'post update', description: 'Compose and post a status update to the configured sinks', group: 'Incident', target: 'none', footer: true },
  title: 'Post status update',
  scope: 'global',
  mutating: true,
  confirm: 'confirm',
  journal: false,
  precheck: async (_t, _p, env) => (engineOf(env).postTarget() ? null : 'No open incident: D declares one before posting updates'),
  // The state the update announces; posting it moves the incident there (Resolved resolves it).
  choose: (t, env) => {
    const engine = engineOf(env);
    const cur = engine.current?.status;
    if (!cur) return { title: 'Post a follow-up to the resolved incident', options: [{ label: 'Resolved (follow-up)', value: 'resolved' }], initial: 'resolved' };
    return {
      title: 'Post an update as',
      initial: t.status ?? cur,
      options: STATUSES.filter((s) => STATUSES.indexOf(s) >= STATUSES.indexOf(cur)).map((s) => ({
        label: `${stateLabel(s)}${s === cur ? '  (current)' : ''}${s === 'resolved' ? '  (resolves the incident)' : ''}`,
        value: s,
      })),
    };
  },
  fields: (_t, env, params) => {
    const engine = engineOf(env);
    const f = engine.prefill((params?.choice as IncidentStatus) || undefined);
    const one = (v: string | undefined) => (v ?? '').split('\n').join(JOIN);
    const safe = noLeaks(engine);
    return [
      { name: 'whatWeKnow', label: 'What we know (internal)', initial: one(f.whatWeKnow), validate: required('What we know') },
      { name: 'currentActions', label: 'Current actions (internal)', initial: one(f.currentActions), validate: required('Current actions') },
      { name: 'impact', label: 'Impact (internal)', initial: one(f.impact), validate: required('Impact') },
      { name: 'nextUpdate', label: 'Next update', initial: f.nextUpdate },
      { name: 'publicTitle', label: 'Public title (status page)', initial: f.publicTitle ?? '', validate: (v) => required('Public title')(v) ?? safe(v) },
      { name: 'publicMessage', label: 'Public message (status page)', initial: one(f.publicMessage), validate: (v) => required('Public message')(v) ?? safe(v) },
    ];
  },
  describe: (_t, params, env) => previewPost(engineOf(env), fieldsFrom(params), (params.choice as IncidentStatus) || (engineOf(env).current?.status ?? 'resolved')),
  run: async (_t, params, env) => {
    const engine = engineOf(env);
    const fields = fieldsFrom(params);
    const leak = noLeaks(engine)(`${fields.publicTitle}\n${fields.publicMessage}`);
    if (leak) throw new Error(`public text ${leak}`);
    const status = (params.choice as IncidentStatus) || undefined;
    const ids = engine.postUpdatePair(fields, actorOf(env), status);
    const resolved = status === 'resolved' && !engine.current ? '; incident resolved' : '';
    return {
      summary: `${ids.length ? `queued for ${ids.length} ${ids.length === 1 ? 'sink' : 'sinks'}` : 'recorded (no sinks configured)'}${resolved}`,
      refs: { deliveries: ids },
    };
  },
};

type DeliveryTarget = ActionTarget & { delivery?: OutboxItemView };

export const resendAction: ActionDef<DeliveryTarget> = {
  id: 'incident.resend',
  binding: { keys: ['enter'], label: 'resend', description: 'Resend a delivery whose outcome is unknown, or that failed', group: 'Incident', target: 'row-if-any' },
  title: 'Resend update',
  scope: 'timeline',
  mutating: true,
  confirm: 'confirm',
  journal: false,
  precheck: async (t) => (t.delivery ? null : 'Select a delivery marked UNKNOWN or FAILED in the Timeline pane to resend it'),
  describe: (t) => [
    `Delivery ${t.delivery?.id} to ${t.delivery?.sink} is ${t.delivery?.state}.`,
    t.delivery?.state === 'unknown' ? 'It may already have arrived (the connection ended after the update was sent). Resending can post it twice.' : 'It will be sent again now.',
  ],
  run: async (t, _p, env) => {
    if (!t.delivery) throw new Error('select a delivery in the Timeline pane');
    if (!engineOf(env).resend(t.delivery.id, actorOf(env))) throw new Error(`delivery ${t.delivery.id} cannot be resent (state ${t.delivery.state})`);
    return { summary: 'resend queued' };
  },
};

export const discardAction: ActionDef<DeliveryTarget> = {
  id: 'incident.discard',
  binding: { keys: ['x'], label: 'discard', description: 'Discard a delivery whose outcome is unknown, or that waits to be retried', group: 'Incident', target: 'row-if-any' },
  title: 'Discard update',
  scope: 'timeline',
  mutating: true,
  confirm: 'confirm',
  journal: false,
  precheck: async (t) => (t.delivery ? null : 'Select a delivery marked UNKNOWN or RETRYING in the Timeline pane to discard it'),
  describe: (t) => [`Delivery ${t.delivery?.id} to ${t.delivery?.sink} (${t.delivery?.state}) will not be sent. The timeline records that you discarded it.`],
  run: async (t, _p, env) => {
    if (!t.delivery) throw new Error('select a delivery in the Timeline pane');
    if (!engineOf(env).discard(t.delivery.id, actorOf(env))) throw new Error(`delivery ${t.delivery.id} cannot be discarded (state ${t.delivery.state})`);
    return { summary: 'discarded' };
  },
};

export const incidentActions: AnyActionDef[] = [
  declareAction,
  noteAction,
  statusAction,
  severityAction,
  roleAction,
  postmortemAction,
  postUpdateAction,
  resendAction,
  discardAction,
];
