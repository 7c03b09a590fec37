// Internal and external wording can differ: the status page text, when given, replaces the
// internal fields there, and only there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { composeUpdate, type UpdateFields } from '../../src/incident/templates.js';
import type { IncidentInfo } from '../../src/incident/types.js';

const incident: IncidentInfo = { id: 'inc', title: 'checkout errors', severity: 'P1', status: 'identified', declaredAt: Date.parse('2026-11-25T16:00:00Z'), commander: 'ana', comms: 'bo', lastUpdateAt: null };
const fields: UpdateFields = { whatWeKnow: 'api v2.4.1 crash-loops (TypeError in pricing)', currentActions: 'rolling back to v2.4.0', impact: '45% of api requests fail', nextUpdate: '16:30 UTC' };

test('without external text both audiences come from the same fields', () => {
  const ext = composeUpdate(incident, fields, { audience: 'external', now: incident.declaredAt });
  assert.match(ext.statuspage.body, /api v2\.4\.1 crash-loops/);
});

test('external text replaces the internal details on the status page only', () => {
  const f = { ...fields, externalText: 'Some customers cannot complete checkout. We have found the cause and are fixing it.' };
  const ext = composeUpdate(incident, f, { audience: 'external', now: incident.declaredAt });
  const int = composeUpdate(incident, f, { audience: 'internal', now: incident.declaredAt });
  assert.match(ext.statuspage.body, /Some customers cannot complete checkout/);
  assert.doesNotMatch(ext.statuspage.body, /TypeError|v2\.4\.1/, 'internal details stay internal');
  assert.match(ext.slack.text, /Some customers cannot complete checkout/);
  assert.match(int.slack.text, /TypeError in pricing/);
  assert.match(int.slack.text, /rolling back to v2\.4\.0/);
});
