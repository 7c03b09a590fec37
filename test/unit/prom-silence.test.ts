import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration, validateDuration, silenceMatchers, silenceAction } from '../../src/actions/silence.js';
import type { ActionEnv } from '../../src/actions/types.js';
import type { AlertRow } from '../../src/sources/prometheus/types.js';

test('durations', () => {
  assert.equal(parseDuration('2h'), 7_200_000);
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration(' 1d '), 86_400_000);
  assert.equal(parseDuration('2 hours'), null);
  assert.equal(parseDuration('-1h'), null);
  assert.equal(parseDuration(''), null);
  assert.equal(validateDuration('2h'), null);
  assert.match(validateDuration('soon')!, /30m, 2h/);
  assert.match(validateDuration('30s')!, /shorter than a minute/);
  assert.match(validateDuration('31d')!, /at most 30d/);
});

test('matchers come from every label, sorted and exact', () => {
  assert.deepEqual(silenceMatchers({ severity: 'critical', alertname: 'X' }), [
    { name: 'alertname', value: 'X', isRegex: false, isEqual: true },
    { name: 'severity', value: 'critical', isRegex: false, isEqual: true },
  ]);
});

test('the action is mutating, confirmed, and refused without Alertmanager', async () => {
  assert.equal(silenceAction.mutating, true);
  assert.equal(silenceAction.confirm, 'confirm');
  assert.equal(silenceAction.scope, 'alerts');
  const alert = { name: 'X', labels: { alertname: 'X' } } as unknown as AlertRow;
  const env: ActionEnv = { context: null, readOnly: false, drill: false, recorder: { record: () => {} }, services: {} };
  assert.deepEqual(
    silenceAction.fields!({ name: 'X', alert }, env).map((f) => [f.name, f.initial]),
    [
      ['duration', '2h'],
      ['comment', ''],
    ],
  );
  assert.match((await silenceAction.precheck!({ name: 'X', alert }, {}, env))!, /Alertmanager is not configured/);
  const noAm = { ...env, services: { alertmanager: { alertmanagerConfigured: false, createSilence: async () => 'x' } } };
  assert.match((await silenceAction.precheck!({ name: 'X', alert }, {}, noAm))!, /not configured/);
  const lines = await silenceAction.describe({ name: 'X', alert }, { duration: '2h', comment: 'why' }, env);
  assert.deepEqual(lines, ['Silence X for 2h in Alertmanager', 'matchers: {alertname="X"}', 'comment: why']);
});
