import { test } from 'node:test';
import assert from 'node:assert/strict';
import { composeUpdate, prefillFields } from '../../src/incident/templates.js';
import type { IncidentInfo } from '../../src/incident/types.js';

const T0 = Date.UTC(2026, 10, 25, 16, 42);
const inc: IncidentInfo = { id: 'i1', title: 'API errors', severity: 'P1', status: 'identified', declaredAt: T0, commander: 'ana', comms: 'bo', lastUpdateAt: T0 + 60_000 };

test('prefill from the incident and live signals; next update from the cadence', () => {
  const f = prefillFields(inc, {
    now: T0 + 23 * 60_000,
    suggestion: { severity: 'P1', rule: '5xx 12.3% > 10% → P1' },
    signals: { services: [{ name: 'api', errorRate: 0.123, p95Seconds: 1.5, allPodsNotReady: false, podsReady: 2, podsDesired: 3 }], dataLossFlagged: false, majorFeatureDown: null, degraded: ['redis cache down'] },
    cadenceMinutes: { P0: 15, P1: 30, P2: 120, P3: 1440 },
  });
  assert.equal(f.whatWeKnow, 'Signals: 5xx 12.3% > 10% → P1\napi: 5xx 12.3%, p95 1.50s, 2/3 pods ready\nRedis cache down');
  assert.equal(f.nextUpdate, '17:35 UTC');
});

test('internal Slack text follows the runbook template; external text leaves out severity, roles and actions', () => {
  const fields = { whatWeKnow: 'Bad deploy of api 1.4.2', currentActions: 'Rolling back', impact: 'Checkout failing', nextUpdate: '17:35 UTC' };
  const internal = composeUpdate(inc, fields, { audience: 'internal', now: T0 + 23 * 60_000, id: 'u1' });
  assert.equal(
    internal.slack.text,
    [
      '⏰ UPDATE - 17:05 UTC: API errors',
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
  const external = composeUpdate(inc, fields, { audience: 'external', now: T0 + 23 * 60_000, id: 'u2' });
  assert.ok(!/P1|ana|Rolling back/.test(external.slack.text), external.slack.text);
  assert.deepEqual(external.statuspage, {
    name: 'API errors',
    status: 'identified',
    body: 'The issue has been identified.\n\nBad deploy of api 1.4.2\n\nImpact: Checkout failing',
    componentStatus: 'partial_outage',
  });
  const first = composeUpdate({ ...inc, lastUpdateAt: null, status: 'investigating' }, fields, { audience: 'internal', now: T0 });
  assert.match(first.slack.text, /^🚨 INCIDENT DECLARED - 16:42 UTC: API errors/);
  const resolved = composeUpdate({ ...inc, status: 'resolved' }, fields, { audience: 'external', now: T0 });
  assert.equal(resolved.statuspage.componentStatus, 'operational');
  assert.ok(!resolved.slack.text.includes('Next update'));
});
