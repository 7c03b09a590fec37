// Silencing through the action runner against a real Alertmanager, with PromSim as Prometheus:
// the alert is merged by labels, silenced, and the pane data shows when the silence ends.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startAlertmanager, sliceHolder, type RealServer } from '../helpers/prometheus.js';
import { waitFor } from '../helpers/net.js';
import { PromSim, type PromWorld } from '../../src/sim/prometheus/sim.js';
import { labelFingerprint, PrometheusSource } from '../../src/sources/prometheus/source.js';
import { severitySchema } from '../../src/config/schema.js';
import { ActionRunner } from '../../src/actions/runner.js';
import { silenceAction, type SilenceTarget } from '../../src/actions/silence.js';
import type { Interaction } from '../../src/actions/types.js';
import type { NewEntry } from '../../src/incident/types.js';
import { alertCells } from '../../src/present/alerts.js';

let am: RealServer;
let sim: PromSim;
let source: PrometheusSource;
const slice = sliceHolder();
const world: PromWorld = { services: { api: { rps: 50, errorRatio: 0.3, p95Seconds: 0.4 } } };

before(async () => {
  am = await startAlertmanager();
  sim = new PromSim({
    world: () => world,
    backfillSeconds: 600,
    rules: [
      {
        name: 'ApiErrors',
        severity: 'critical',
        summary: 'api 5xx above 10%',
        expr: 'api_error_ratio > 0.1',
        value: (w) => w.services.api.errorRatio,
        op: '>',
        threshold: 0.1,
        forSeconds: 0,
        labels: { service: 'api' },
      },
    ],
  });
  await sim.start();
  source = new PrometheusSource({ url: sim.url, alertmanagerUrl: am.url, timeoutSeconds: 2, services: [] }, severitySchema.parse({}), 0.3, slice.publish);
  // Prometheus would forward its firing alert; post the same labels, plus one only Alertmanager knows.
  const now = new Date().toISOString();
  const res = await fetch(`${am.url}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([
      { labels: { alertname: 'ApiErrors', severity: 'critical', service: 'api' }, annotations: { summary: 'api 5xx above 10%' }, startsAt: now },
      { labels: { alertname: 'DiskFull', severity: 'warning', instance: 'db-1' }, annotations: { summary: 'disk 95% full' }, startsAt: now },
      { labels: FINGERPRINTED, annotations: {}, startsAt: now },
    ]),
  });
  assert.equal(res.status, 200, await res.text());
  source.start();
});

after(async () => {
  await source?.stop();
  await sim?.stop();
  await am?.stop();
});

/** Posted only to compare fingerprints; non-ASCII too, so the byte encoding counts. */
const FINGERPRINTED = { alertname: 'FingerprintCheck', zone: 'eu-west-1', team: 'paiements-équipe', b: 'ünïcødé ✓' };

const alert = (name: string) => slice.get().data.alerts.find((a) => a.name === name);

test('Prometheus alerts are merged with Alertmanager state by labels', async () => {
  await waitFor(() => alert('ApiErrors') && alert('DiskFull'), { timeoutMs: 10_000, what: 'both alerts' });
  assert.equal(slice.get().data.alertmanager, true);
  assert.equal(slice.get().data.alerts.filter((a) => a.name === 'ApiErrors').length, 1, 'one row per alert');
  const amAlerts = (await (await fetch(`${am.url}/api/v2/alerts`)).json()) as Array<{ fingerprint: string; labels: Record<string, string> }>;
  assert.equal(alert('ApiErrors')!.fingerprint, amAlerts.find((a) => a.labels.alertname === 'ApiErrors')!.fingerprint, 'Alertmanager fingerprint used');
  assert.equal(alert('DiskFull')!.state, 'firing');
  // warroom's own fingerprint (used when Alertmanager has no match) is Alertmanager's.
  for (const a of amAlerts) assert.equal(labelFingerprint(a.labels), a.fingerprint, JSON.stringify(a.labels));
  assert.ok(amAlerts.some((a) => a.labels.alertname === 'FingerprintCheck'));
  assert.equal(alert('ApiErrors')!.silenced, false);
});

test('the silence action silences the alert in Alertmanager and the pane shows when it ends', async () => {
  const entries: NewEntry[] = [];
  const notes: string[] = [];
  const ui: Interaction = {
    prompt: async (_title, fields) => {
      assert.deepEqual(
        fields.map((f) => f.name),
        ['duration', 'comment'],
      );
      return { duration: '2h', comment: 'known issue, deploy rolling back' };
    },
    confirm: async (req) => {
      assert.ok(
        req.lines.some((l) => l.includes('alertname="ApiErrors"') && l.includes('service="api"')),
        req.lines.join('\n'),
      );
      return true;
    },
    notify: (m) => notes.push(m),
  };
  const runner = new ActionRunner(
    { context: 'drill', readOnly: false, drill: false, recorder: { record: (e) => entries.push(e) }, actor: 'alice', services: { alertmanager: source.client } },
    ui,
    { productionContexts: [] },
  );
  runner.register(silenceAction);
  const target: SilenceTarget = { name: 'ApiErrors', alert: alert('ApiErrors')! };
  const before = Date.now();
  const result = await runner.invoke('alert.silence', target);
  assert.ok(result.ok, JSON.stringify(result));
  const silenceId = result.outcome.refs?.silenceId as string;
  assert.match(silenceId, /^[0-9a-f-]{36}$/);
  assert.ok(entries.some((e) => e.kind === 'silence.created' && e.refs?.silenceId === silenceId));

  const silences = (await (await fetch(`${am.url}/api/v2/silences`)).json()) as Array<{
    id: string;
    comment: string;
    createdBy: string;
    endsAt: string;
    matchers: Array<{ name: string; value: string }>;
  }>;
  const s = silences.find((x) => x.id === silenceId)!;
  assert.equal(s.comment, 'known issue, deploy rolling back');
  assert.equal(s.createdBy, 'alice');
  assert.deepEqual(s.matchers.map((m) => `${m.name}=${m.value}`).sort(), ['alertname=ApiErrors', 'service=api', 'severity=critical']);
  const endsAt = Date.parse(s.endsAt);
  assert.ok(Math.abs(endsAt - (before + 2 * 3_600_000)) < 10_000);

  await waitFor(() => alert('ApiErrors')?.silenced, { timeoutMs: 10_000, what: 'alert silenced in the slice' });
  assert.equal(alert('ApiErrors')!.silenceEndsAt, endsAt);
  assert.equal(alert('DiskFull')!.silenced, false, 'only the matching alert is silenced');
  const cells = alertCells(alert('ApiErrors')!, Date.now());
  assert.match(cells.map((c) => c.text).join(' | '), /silenced until \d\d:\d\dZ \(1h5\dm\)/);
});

test('a silence with a bad duration is refused before anything is sent', async () => {
  const runner = new ActionRunner(
    { context: 'drill', readOnly: false, drill: false, recorder: { record: () => {} }, services: { alertmanager: source.client } },
    { prompt: async () => ({ duration: 'soon', comment: 'x' }), confirm: async () => true, notify: () => {} },
    { productionContexts: [] },
  );
  runner.register(silenceAction);
  const before = ((await (await fetch(`${am.url}/api/v2/silences`)).json()) as unknown[]).length;
  const result = await runner.invoke('alert.silence', { name: 'DiskFull', alert: alert('DiskFull')! });
  assert.equal(result.ok, false);
  assert.match(!result.ok ? result.message : '', /Duration: use a duration like/);
  assert.equal(((await (await fetch(`${am.url}/api/v2/silences`)).json()) as unknown[]).length, before);
});

test('Alertmanager going away degrades the slice and keeps the alerts and their silence', async () => {
  await am.stop();
  await waitFor(() => slice.get().status === 'degraded', { timeoutMs: 10_000, what: 'slice degraded' });
  assert.match(slice.get().error ?? '', /^Alertmanager at 127\.0\.0\.1:\d+ unreachable \(ECONNREFUSED\)$/);
  assert.equal(alert('ApiErrors')?.silenced, true);
  assert.equal(alert('ApiErrors')?.state, 'firing', 'Prometheus still says it fires');
});
