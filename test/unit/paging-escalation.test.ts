// The escalation matrix: due after the rule's time at the incident's severity, counted from the
// declaration or the last change to that severity, and no longer due once someone escalated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escalationDue, matrixLines } from '../../src/paging/escalation.js';
import { channelName, channelNameProblem } from '../../src/paging/channel.js';
import type { IncidentInfo, TimelineEntry } from '../../src/incident/types.js';

const T0 = Date.UTC(2026, 11, 3, 14, 30);
const MIN = 60_000;
const info = (over: Partial<IncidentInfo> = {}): IncidentInfo => ({
  id: 'i',
  title: 'API outage',
  severity: 'P1',
  status: 'investigating',
  declaredAt: T0,
  commander: null,
  comms: null,
  lastUpdateAt: null,
  ...over,
});
const entry = (at: number, kind: TimelineEntry['kind'], refs: Record<string, unknown> = {}): TimelineEntry => ({
  id: `${kind}-${at}`,
  incidentId: 'i',
  at,
  kind,
  actor: 'a',
  source: 'warroom',
  summary: kind,
  refs,
});
const matrix = [
  { severity: 'P1' as const, afterMinutes: 15, contact: 'engineering lead' },
  { severity: 'P1' as const, afterMinutes: 60, contact: 'CTO', target: 'CTO' },
  { severity: 'P0' as const, afterMinutes: 0, contact: 'engineering manager' },
];

test('P1 for 15 min: escalate to the engineering lead; then the CTO after an hour', () => {
  assert.equal(escalationDue(info(), [], matrix, T0 + 14 * MIN), null);
  assert.equal(escalationDue(info(), [], matrix, T0 + 15 * MIN)?.text, 'P1 for 15 min: escalate to engineering lead');
  const esc = [entry(T0 + 16 * MIN, 'action.succeeded', { action: 'paging.escalate' })];
  assert.equal(escalationDue(info(), esc, matrix, T0 + 30 * MIN), null, 'escalated: not due');
  assert.equal(escalationDue(info(), esc, matrix, T0 + 61 * MIN)?.text, 'P1 for 60 min: escalate to CTO');
});

test('the clock starts when the incident took its severity; P0 is due at once; resolved is never due', () => {
  const raised = [entry(T0 + 40 * MIN, 'severity.changed', { from: 'P2', to: 'P1' })];
  assert.equal(escalationDue(info(), raised, matrix, T0 + 50 * MIN), null);
  assert.equal(escalationDue(info(), raised, matrix, T0 + 55 * MIN)?.text, 'P1 for 15 min: escalate to engineering lead');
  assert.equal(escalationDue(info({ severity: 'P0' }), [], matrix, T0)?.text, 'P0 for 0 min: escalate to engineering manager');
  assert.equal(escalationDue(info({ status: 'resolved' }), [], matrix, T0 + 99 * MIN), null);
  assert.equal(escalationDue(info({ severity: 'P3' }), [], matrix, T0 + 9999 * MIN), null);
});

test('the matrix as the help shows it', () => {
  assert.deepEqual(matrixLines(matrix), ['P0 after 0 min (at once): engineering manager', 'P1 after 15 min: engineering lead', 'P1 after 60 min: CTO (E pages CTO)']);
  assert.deepEqual(matrixLines([]), ['No escalation matrix configured (paging.escalation).']);
});

test('channel names follow the runbook and Slack’s rules', () => {
  assert.equal(channelName({ declaredAt: T0, title: 'API outage: 5xx > 10% (EU)' }), 'incident-20261203-1430-api-outage-5xx-10-eu');
  assert.equal(channelName({ declaredAt: T0, title: 'Ünïcode Überfall' }), 'incident-20261203-1430-unicode-uberfall');
  assert.equal(channelName({ declaredAt: T0, title: '!!!' }), 'incident-20261203-1430');
  assert.ok(channelName({ declaredAt: T0, title: 'x'.repeat(200) }).length <= 80);
  assert.equal(channelNameProblem('incident-1'), null);
  assert.match(channelNameProblem('#Incident 1') ?? '', /lowercase/);
});
