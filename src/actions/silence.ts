// Silence an alert in Alertmanager: matchers from the alert's labels, a duration and a comment.
// The Alertmanager client is the `alertmanager` service in the action environment.
import os from 'node:os';
import type { ActionDef, ActionEnv, ActionTarget } from './types.js';
import type { AlertRow } from '../sources/prometheus/types.js';
import type { AlertmanagerApi, Matcher } from '../sources/prometheus/client.js';

export const MAX_SILENCE_MS = 30 * 24 * 3_600_000;

export interface SilenceTarget extends ActionTarget {
  alert: AlertRow;
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** Parses "90m", "2h", "1h30m", "1d"; null when not a duration. */
export function parseDuration(text: string): number | null {
  const t = text.trim();
  if (!/^(\d+[smhdw])+$/.test(t)) return null;
  let ms = 0;
  // Both groups always match, and only with a unit UNIT_MS has.
  for (const m of t.matchAll(/(\d+)([smhdw])/g)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  return ms;
}

export function validateDuration(text: string): string | null {
  const ms = parseDuration(text);
  if (ms === null) return 'use a duration like 30m, 2h or 1h30m';
  if (ms < 60_000) return 'a silence shorter than a minute would expire before it helps';
  if (ms > MAX_SILENCE_MS) return 'at most 30d';
  return null;
}

export function silenceMatchers(labels: Record<string, string>): Matcher[] {
  return Object.entries(labels)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => ({ name, value, isRegex: false, isEqual: true }));
}

function alertmanager(env: ActionEnv): AlertmanagerApi | null {
  const am = env.services.alertmanager;
  return am && am.alertmanagerConfigured ? am : null;
}

function createdBy(env: ActionEnv): string {
  if (env.actor) return env.actor;
  try {
    return os.userInfo().username || 'warroom';
  } catch {
    return 'warroom';
  }
}

function matcherText(labels: Record<string, string>): string {
  return silenceMatchers(labels)
    .map((m) => `${m.name}="${m.value}"`)
    .join(', ');
}

export const silenceAction: ActionDef<SilenceTarget> = {
  id: 'alert.silence',
  binding: { keys: ['x'], label: 'silence', description: 'Silence the selected alert in Alertmanager', group: 'Alerts', target: 'row', footer: true },
  requires: 'alertmanager',
  title: 'Silence alert',
  scope: 'alerts',
  mutating: true,
  confirm: 'confirm',
  fields: () => [
    { name: 'duration', label: 'Duration', initial: '2h', validate: validateDuration },
    { name: 'comment', label: 'Comment', initial: '', validate: (v) => (v.trim() ? null : 'say why (Alertmanager requires a comment)') },
  ],
  describe: (t, p) => [`Silence ${t.alert.name} for ${p.duration ?? '?'} in Alertmanager`, `matchers: {${matcherText(t.alert.labels)}}`, `comment: ${p.comment ?? ''}`],
  precheck: async (t, p, env) => {
    if (!alertmanager(env)) return 'Alertmanager is not configured (prometheus.alertmanagerUrl)';
    if (!t.alert) return 'Select a Prometheus alert to silence it (PagerDuty pages are acknowledged with a)';
    if (Object.keys(t.alert.labels).length === 0) return 'the alert has no labels to match';
    if (p.duration !== undefined && validateDuration(p.duration)) return validateDuration(p.duration);
    return null;
  },
  run: async (t, p, env) => {
    const am = alertmanager(env);
    if (!am) throw new Error('Alertmanager is not configured (prometheus.alertmanagerUrl)');
    const duration = p.duration ?? '';
    const comment = (p.comment ?? '').trim();
    const err = validateDuration(duration) ?? (comment ? null : 'a comment is required');
    if (err) throw new Error(err);
    const start = Date.now();
    const endsAt = start + parseDuration(duration)!;
    const silenceId = await am.createSilence({
      matchers: silenceMatchers(t.alert.labels),
      startsAt: new Date(start).toISOString(),
      endsAt: new Date(endsAt).toISOString(),
      createdBy: createdBy(env),
      comment,
    });
    env.recorder.record({
      kind: 'silence.created',
      actor: createdBy(env),
      source: 'alertmanager',
      summary: `Silenced ${t.alert.name} for ${p.duration} until ${new Date(endsAt).toISOString()}`,
      body: comment,
      refs: { silenceId, fingerprint: t.alert.fingerprint, endsAt },
    });
    return {
      summary: `Silenced ${t.alert.name} until ${new Date(endsAt).toISOString().slice(11, 16)}Z (${p.duration})`,
      details: [`silence id ${silenceId}`, `matchers: {${matcherText(t.alert.labels)}}`],
      refs: { silenceId, fingerprint: t.alert.fingerprint, endsAt },
    };
  },
};
