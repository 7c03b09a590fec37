// A war room that mirrors: cockpits sharing a state directory see each other's journal entries
// within a second, whoever wrote them (a read-only screen included), and an incident belongs to
// the environment it was declared in: a cockpit with another config does not resume it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IncidentEngine } from '../../src/incident/incident.js';
import fs from 'node:fs';
import path from 'node:path';
import { environmentId } from '../../src/incident/journal.js';
import { environmentOf, kubeContextOf } from '../../src/incident/environment.js';
import { configSchema } from '../../src/config/schema.js';
import type { IncidentSlice } from '../../src/incident/types.js';
import { tempDir, waitFor } from '../helpers/net.js';

const shop = configSchema.parse({ kube: { context: 'prod-eu', namespaces: ['shop'] }, prometheus: { url: 'http://prom:9090' } });
const elsewhere = configSchema.parse({ kube: { enabled: false } });

test('a read-only screen on the same state directory shows the incident, its state and notes as they happen', { timeout: 20_000 }, async () => {
  const stateDir = tempDir('warroom-mirror-');
  const env = environmentId(shop);
  const commander = new IncidentEngine({ stateDir, config: shop, environment: env });
  let screen: IncidentSlice | null = null;
  const viewer = new IncidentEngine({ stateDir, config: shop, environment: env, readOnly: () => true, stage: (f) => (screen = f(screen!)) });
  commander.start();
  viewer.start();
  try {
    assert.equal(viewer.current, null);
    const info = commander.declare({ title: 'checkout 5xx', severity: 'P1', commander: 'alice', actor: 'alice' });
    let t0 = Date.now();
    await waitFor(() => viewer.current?.id === info.id, { timeoutMs: 1500, intervalMs: 20, what: 'the declared incident on the read-only screen' });
    assert.ok(Date.now() - t0 <= 1200, `seen within a second (${Date.now() - t0} ms)`);
    commander.note('rolling back api to rev 1', 'alice');
    commander.setStatus('identified', 'alice');
    t0 = Date.now();
    await waitFor(() => screen?.timeline.some((e) => e.summary === 'rolling back api to rev 1') && screen.current?.status === 'identified', {
      timeoutMs: 1500,
      intervalMs: 20,
      what: 'the note and the state on the read-only screen',
    });
    assert.ok(Date.now() - t0 <= 1200, `within a second (${Date.now() - t0} ms)`);
    assert.equal(screen!.timeline.filter((e) => e.summary === 'rolling back api to rev 1').length, 1, 'once');
    // Entries written by the other side reach the commander too (a second writable cockpit).
    const second = new IncidentEngine({ stateDir, config: shop, environment: env });
    second.start();
    assert.equal(second.current?.id, info.id, 'a cockpit started later resumes it');
    second.note('checkout recovered on my side', 'bob');
    await waitFor(() => commander.slice().timeline.some((e) => e.summary === 'checkout recovered on my side'), {
      timeoutMs: 1500,
      intervalMs: 20,
      what: "bob's note on alice's screen",
    });
    await second.close();
    commander.setStatus('resolved', 'alice');
    await waitFor(() => viewer.current === null, { timeoutMs: 1500, intervalMs: 20, what: 'resolved on the read-only screen' });
  } finally {
    await commander.close();
    await viewer.close();
  }
});

test('an incident is not resumed by a cockpit in another environment', async () => {
  const stateDir = tempDir('warroom-env-');
  const here = new IncidentEngine({ stateDir, config: shop, environment: environmentId(shop) });
  const info = here.declare({ title: 'api down', severity: 'P0', actor: 'alice' });
  await here.close();
  const there = new IncidentEngine({ stateDir, config: elsewhere, environment: environmentId(elsewhere) });
  there.start();
  await new Promise((r) => setTimeout(r, 1200));
  assert.equal(there.current, null, 'another config with no cluster does not resume it');
  await there.close();
  assert.notEqual(environmentId(shop), environmentId(shop, 'prod-us'), 'the kube context is part of the environment');
  // Without a context in the config, the kubeconfig's current-context decides.
  const dir = tempDir('warroom-kubeconfig-');
  const kc = path.join(dir, 'kubeconfig');
  const noContext = configSchema.parse({ kube: { kubeconfig: kc }, prometheus: { url: 'http://prom:9090' } });
  fs.writeFileSync(kc, 'apiVersion: v1\nkind: Config\ncurrent-context: prod-eu\n');
  assert.equal(kubeContextOf(noContext), 'prod-eu');
  const eu = environmentOf(noContext);
  fs.writeFileSync(kc, 'apiVersion: v1\nkind: Config\ncurrent-context: staging\n');
  assert.notEqual(environmentOf(noContext), eu, 'another current context is another environment');
  const again = new IncidentEngine({ stateDir, config: shop, environment: environmentId(shop) });
  assert.equal(again.current?.id, info.id, 'the same environment resumes it');
  await again.close();
});
