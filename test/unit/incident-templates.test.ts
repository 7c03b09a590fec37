import { test } from 'node:test';
import assert from 'node:assert/strict';
import { composeUpdate, defaultPublicMessage, prefillFields, publicLeaks } from '../../src/incident/templates.js';
import type { IncidentInfo, TimelineEntry } from '../../src/incident/types.js';

const T0 = Date.UTC(2026, 10, 25, 16, 42);
const inc: IncidentInfo = {
  id: 'i1',
  title: 'api 5xx after v2.4.1',
  severity: 'P1',
  status: 'identified',
  declaredAt: T0,
  commander: 'ana',
  comms: 'bo',
  lastUpdateAt: T0 + 60_000,
  publicTitle: null,
  components: ['Storefront'],
};
const signals = {
  services: [{ name: 'api', errorRate: 0.123, p95Seconds: 1.5, allPodsNotReady: false, podsReady: 2, podsDesired: 3 }],
  dataLossFlagged: false,
  majorFeatureDown: null,
  degraded: ['2 pods crash-looping (api-68ddbb977d-bxvvd and api-68ddbb977d-k2x9q)'],
};
const action = (at: number, kind: TimelineEntry['kind'], summary: string): TimelineEntry => ({ id: summary, incidentId: 'i1', at, kind, actor: 'ana', source: 'runner', summary });

test('prefill: actions taken with times and outcomes, impact per service with the window, next update from the cadence', () => {
  const f = prefillFields(inc, {
    now: T0 + 23 * 60_000,
    suggestion: { severity: 'P1', rule: '5xx 12.3% > 10% → P1' },
    signals,
    timeline: [
      action(T0 - 60_000, 'action.succeeded', 'before the incident'),
      action(T0 + 20 * 60_000, 'action.succeeded', 'Roll back deployment shop/api: rolled back to revision 1; rollout complete'),
      action(T0 + 21 * 60_000, 'action.started', 'ignored'),
    ],
    cadenceMinutes: { P0: 15, P1: 30, P2: 120, P3: 1440 },
    rateWindow: '1m',
  });
  assert.equal(f.currentActions, '17:02 Roll back deployment shop/api: rolled back to revision 1; rollout complete');
  const withAlerts = prefillFields(inc, {
    now: T0,
    signals: { ...signals, degraded: ['2 alerts firing (HighErrorRate and HighLatency)'] },
    alerts: [
      { label: 'HighErrorRate (api)', summary: 'High 5xx error rate on api' },
      { label: 'KubePodCrashLooping', summary: null },
    ],
    timeline: [{ ...action(T0 - 9 * 60_000, 'change.observed', 'Rolled out shop/api revision 2: api:2.4.0 → api:2.4.1 ("deploy api v2.4.1 (CI #4821)")') }],
  });
  assert.equal(
    withAlerts.whatWeKnow,
    [
      'HighErrorRate (api) firing: High 5xx error rate on api',
      'KubePodCrashLooping firing',
      'Rolled out shop/api revision 2: api:2.4.0 → api:2.4.1 ("deploy api v2.4.1 (CI #4821)")',
    ].join('\n'),
  );
  assert.equal(f.impact, 'api: 5xx 12.3%, p95 1.50s, 2/3 pods ready\n(rates over 1m)');
  // Once the signals recover, the worst figures since the declaration stay in the impact.
  const recovered = prefillFields(inc, {
    now: T0,
    signals: { ...signals, services: [{ ...signals.services[0]!, errorRate: 0.004, p95Seconds: 1.45 }] },
    rateWindow: '1m',
    peaks: new Map([['api', { errorRate: 0.444, errorRateAt: T0 - 20 * 60_000, p95Seconds: 1.5, p95At: T0 - 19 * 60_000 }]]),
  });
  assert.equal(recovered.impact, 'api: 5xx 0.4% (peak 44.4% at 16:22 UTC), p95 1.45s, 2/3 pods ready\n(rates over 1m)');
  assert.equal(f.nextUpdate, '17:35 UTC');
  assert.equal(f.publicTitle, 'Degraded service: Storefront');
  assert.match(f.publicMessage!, /identified the cause of the errors affecting Storefront/);
  const resolved = prefillFields(inc, { now: T0, status: 'resolved', signals });
  assert.match(resolved.publicMessage!, /resolved\. Storefront is operating normally/);
  assert.equal(resolved.nextUpdate, 'none (resolved)');
});

test('the public update carries only the public title, message and component status', () => {
  const f = prefillFields(inc, { now: T0, signals, suggestion: { severity: 'P1', rule: 'api: 5xx 12.3% > 10% → P1' } });
  const pub = composeUpdate(inc, f, { audience: 'public', now: T0 + 23 * 60_000, id: 'u2' });
  const everything = JSON.stringify({ title: pub.title, fields: pub.fields, slack: pub.slack, statuspage: pub.statuspage });
  for (const internal of ['api 5xx after v2.4.1', 'api-68ddbb977d', '12.3%', 'P1', 'ana', 'crash-looping', 'Signals'])
    assert.ok(!everything.includes(internal), `${internal} in ${everything}`);
  assert.deepEqual(pub.statuspage, { name: 'Degraded service: Storefront', status: 'identified', body: f.publicMessage, componentStatus: 'partial_outage' });
  assert.deepEqual(Object.keys(pub.fields).sort(), ['nextUpdate', 'publicMessage', 'publicTitle']);
  const resolved = composeUpdate(inc, f, { audience: 'public', status: 'resolved', now: T0 });
  assert.equal(resolved.statuspage.status, 'resolved');
  assert.equal(resolved.statuspage.componentStatus, 'operational');
  assert.ok(!resolved.slack.text.includes('Next update'));
});

test('internal Slack text follows the runbook template', () => {
  const fields = { whatWeKnow: 'Bad deploy of api 1.4.2', currentActions: 'Rolling back', impact: 'Checkout failing', nextUpdate: '17:35 UTC' };
  const internal = composeUpdate(inc, fields, { audience: 'internal', now: T0 + 23 * 60_000, id: 'u1' });
  assert.equal(
    internal.slack.text,
    [
      '⏰ UPDATE - 17:05 UTC: api 5xx after v2.4.1',
      'Severity: P1    Status: Identified    Duration: 23 minutes',
      'IC: ana    Comms: bo',
      '',
      'What we know:',
      '- Bad deploy of api 1.4.2',
      '',
      'Current actions:',
      '- Rolling back',
      '',
      'Impact:',
      '- Checkout failing',
      '',
      'Next update: 17:35 UTC',
    ].join('\n'),
  );
  const first = composeUpdate({ ...inc, lastUpdateAt: null, status: 'investigating' }, fields, { audience: 'internal', now: T0 });
  assert.match(first.slack.text, /^🚨 INCIDENT DECLARED - 16:42 UTC/);
  const resolved = composeUpdate(inc, fields, { audience: 'internal', status: 'resolved', now: T0 });
  assert.match(resolved.slack.text, /^✅ RESOLVED/);
});

test('publicLeaks finds internal names as whole words (case-sensitive) and IP addresses', () => {
  const ids = ['api', 'shop', 'api-68ddbb977d-bxvvd', 'HighErrorRate'];
  assert.deepEqual(publicLeaks('Storefront API is slow', ids), []);
  assert.deepEqual(publicLeaks('pod api-68ddbb977d-bxvvd restarted', ids), ['api-68ddbb977d-bxvvd']);
  assert.deepEqual(publicLeaks('the api in shop', ids).sort(), ['api', 'shop']);
  assert.deepEqual(publicLeaks('HighErrorRate fired at 10.96.0.15', ids), ['HighErrorRate', '10.96.0.15']);
  assert.match(defaultPublicMessage('investigating', []), /some of our services/);
});

test('publicLeaks finds signal values: percentages, ratios, latencies and their names', () => {
  assert.deepEqual(publicLeaks('A fix is in place. Errors peaked at 18.3% (0.183), p95 2.17s; we are monitoring.', []), ['18.3%', '0.183', 'p95', '2.17s']);
  assert.deepEqual(publicLeaks('Latency reached 350 ms and 5xx responses rose', []), ['350 ms', '5xx']);
  // Times, counts and durations in words are what a status page says.
  assert.deepEqual(publicLeaks('Since 14:05 UTC, about 2 in 10 checkouts failed for 15 minutes; version 2 of the app is back.', []), []);
  for (const state of ['investigating', 'identified', 'monitoring', 'resolved'] as const) {
    assert.deepEqual(publicLeaks(defaultPublicMessage(state, ['Checkout', 'Storefront API']), []), [], `the ${state} default passes`);
  }
});
