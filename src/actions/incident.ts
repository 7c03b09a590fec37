// Status updates and resends are mutating actions: they leave the building (Slack, the status
// page), so they pass the same gates as a rollback: read-only, preview, confirmation, journal.
import type { IncidentEngine } from '../incident/incident.js';
import { composeUpdate, type UpdateFields } from '../incident/templates.js';
import type { OutboxItemView } from '../incident/types.js';
import type { ActionDef, ActionEnv, ActionTarget } from './types.js';

/** Multi-line template fields are edited on one line, lines joined by " | ". */
const JOIN = ' | ';

function engineOf(env: ActionEnv): IncidentEngine {
  const engine = env.services.incident as IncidentEngine | undefined;
  if (!engine) throw new Error('incident engine unavailable');
  return engine;
}

function fieldsFrom(params: Record<string, string>): UpdateFields {
  const lines = (v: string | undefined) => (v ?? '').split(JOIN).join('\n');
  return { whatWeKnow: lines(params.whatWeKnow), currentActions: lines(params.currentActions), impact: lines(params.impact), nextUpdate: params.nextUpdate ?? '', externalText: lines(params.externalText) };
}

const required = (what: string) => (v: string) => (v.trim() ? null : `${what} is empty`);

export const postUpdateAction: ActionDef<ActionTarget> = {
  id: 'incident.post',
  title: 'Post status update',
  scope: 'global',
  mutating: true,
  confirm: 'confirm',
  fields: (_t, env) => {
    const engine = engineOf(env);
    const f = engine.prefill();
    const one = (v: string) => v.split('\n').join(JOIN);
    return [
      { name: 'whatWeKnow', label: 'What we know', initial: one(f.whatWeKnow), validate: required('What we know') },
      { name: 'currentActions', label: 'Current actions', initial: one(f.currentActions), validate: required('Current actions') },
      { name: 'impact', label: 'Impact', initial: one(f.impact), validate: required('Impact') },
      { name: 'nextUpdate', label: 'Next update', initial: f.nextUpdate },
      // Internal and external wording can differ: the status page gets this text when it is given.
      { name: 'externalText', label: 'Status page text (empty: from the fields above)', initial: '' },
    ];
  },
  describe: (_t, params, env) => {
    const engine = engineOf(env);
    const info = engine.current;
    if (!info) return ['No open incident.'];
    const internal = composeUpdate(info, fieldsFrom(params), { audience: 'internal' });
    const external = composeUpdate(info, fieldsFrom(params), { audience: 'external' });
    const sinks = engine.sinkNames();
    return [
      `Sinks: ${sinks.length ? sinks.join(', ') : 'none configured (the update is only journaled)'}`,
      '',
      '— internal (Slack, webhook) —',
      ...internal.slack.text.split('\n'),
      '',
      '— external (status page) —',
      ...external.statuspage.body.split('\n'),
    ];
  },
  run: async (_t, params, env) => {
    const engine = engineOf(env);
    const info = engine.current;
    if (!info) throw new Error('no open incident');
    const ids = engine.postUpdatePair(fieldsFrom(params), env.actor ?? 'you');
    return { summary: `queued ${ids.length} deliveries; their state shows in the Timeline pane`, refs: { deliveries: ids } };
  },
};

export const resendAction: ActionDef<ActionTarget & { delivery?: OutboxItemView }> = {
  id: 'incident.resend',
  title: 'Resend update',
  scope: 'timeline',
  mutating: true,
  confirm: 'confirm',
  describe: (t) => [
    `Delivery ${t.delivery?.id} to ${t.delivery?.sink} is ${t.delivery?.state}.`,
    t.delivery?.state === 'unknown' ? 'warroom stopped while sending it: it may already have been delivered. Resending can post it twice.' : 'It will be sent again now.',
  ],
  run: async (t, _p, env) => {
    if (!t.delivery) throw new Error('select a delivery in the Timeline pane');
    if (!engineOf(env).resend(t.delivery.id, env.actor ?? 'you')) throw new Error(`delivery ${t.delivery.id} cannot be resent (state ${t.delivery.state})`);
    return { summary: 'resend queued' };
  },
};

export const incidentActions = [postUpdateAction, resendAction];
