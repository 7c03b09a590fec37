// Drives restart, scale and rollback from the keyboard (confirm and cancel paths) against the
// Kubernetes simulator through the real source, client and actions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { cleanup } from 'ink-testing-library';
import { KubeSim } from '../../src/sim/kube/index.js';
import { KubeSource } from '../../src/sources/kube/source.js';
import { kubeActions } from '../../src/actions/kube.js';
import { renderCockpit } from '../helpers/cockpit.js';
import type { CockpitServices } from '../../src/ui/controller.js';
import { tempDir, waitFor } from '../helpers/net.js';

const NS = 'shop';
let sim: KubeSim;
let source: KubeSource;
let c: ReturnType<typeof renderCockpit>;

const deploy = () => sim.getDeployment(NS, 'api');
const image = () => deploy().spec.template.spec.containers[0].image as string;
const succeeded = () => c.journal.filter((e) => e.kind === 'action.succeeded').length;
const screen = (re: RegExp, what: string) => waitFor(() => re.test(c.frame()), { what, timeoutMs: 15_000 }).catch((e) => assert.fail(`${(e as Error).message}\n${c.frame()}`));

before(async () => {
  sim = new KubeSim({ speed: 30, seed: 7 });
  await sim.start();
  sim.addNamespace(NS);
  sim.addDeployment({ namespace: NS, name: 'api', image: 'shop/api:1.0', replicas: 2, changeCause: 'deploy 1.0' });
  sim.setImage(NS, 'api', 'shop/api:1.1', 'deploy 1.1');
  const file = path.join(tempDir(), 'kubeconfig');
  fs.writeFileSync(file, sim.kubeconfig({ context: 'drill', namespace: NS }));
  const services: CockpitServices = {};
  c = renderCockpit({ cols: 140, rows: 40, actions: kubeActions, context: 'drill', services });
  source = new KubeSource({ kubeconfig: file, namespaces: [NS], allNamespaces: false, timeoutSeconds: 5 }, c.cockpit.publisher('kube'));
  c.runner.env.services.kube = source.operations();
  services.kube = source.cockpitService();
  c.cockpit.startClock(30);
  await source.start();
  await waitFor(() => c.cockpit.store.getState().kube.data.deployments.some((d) => d.name === 'api' && d.revision === 2 && !d.rolling), {
    what: 'deployment api at revision 2',
    timeoutMs: 15_000,
  });
  await screen(/Deployments 1/, 'deployments pane');
  await c.press('2');
});

after(async () => {
  c.cockpit.stopClock();
  c.ui.unmount();
  cleanup();
  await source.stop();
  await sim.stop();
});

test('r then n: the confirmation says what will change, cancelling changes nothing', async () => {
  await c.press('r');
  await screen(/Restart deployment/, 'restart confirmation');
  assert.match(c.frame(), /shop/);
  assert.match(c.frame().split('\n').at(-1)!, /keys go to the dialog above/, "the footer does not offer the pane's keys under a dialog");
  assert.match(c.frame(), /Proceed\? y/);
  await c.press('n');
  await screen(/cancelled; nothing changed/, 'cancel notice');
  assert.equal(deploy().spec.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'], undefined);
});

test('r then y restarts the deployment (restartedAt annotation) and journals it', async () => {
  const before = succeeded();
  await c.press('r');
  await screen(/Proceed\? y/, 'restart confirmation');
  await c.press('y');
  await waitFor(() => succeeded() > before, { what: 'restart succeeded', timeoutMs: 20_000 });
  assert.ok(deploy().spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']);
});

test('s: replicas pre-filled; editing and confirming scales; 0 requires typing the name and Esc cancels', async () => {
  await c.press('s');
  await screen(/Replicas.*: 2/, 'replicas pre-filled with the current count');
  await c.press('backspace', '3', 'enter');
  await screen(/Proceed\? y/, 'scale confirmation');
  const before = succeeded();
  await c.press('y');
  await waitFor(() => deploy().spec.replicas === 3 && succeeded() > before, { what: 'scaled to 3', timeoutMs: 20_000 });

  await c.press('s');
  await screen(/Replicas.*: 3/, 'replicas pre-filled with the new count');
  await c.press('backspace', '0', 'enter');
  await screen(/Type "api" to confirm/, 'typed-name confirmation for scaling to 0');
  await c.press('enter');
  await screen(/type "api" exactly/, 'refuses without the name');
  // Esc in the confirmation steps back to the form, with what was typed; leaving the form then asks.
  await c.press('escape');
  await screen(/Replicas.*: 0/, 'back in the form with the typed value');
  await c.press('escape');
  await screen(/Discard your changes\? y discard/, 'leaving with changes asks');
  await c.press('y');
  await screen(/cancelled; nothing changed/, 'cancel notice');
  assert.equal(deploy().spec.replicas, 3);
});

test('u rolls back to the previous revision, showing the image diff first', async () => {
  await c.press('u');
  await screen(/Roll back deployment api from revision 3 to revision 2/, 'rollback confirmation');
  assert.match(c.frame(), /Proceed\? y/);
  const before = succeeded();
  await c.press('y');
  await waitFor(() => succeeded() > before, { what: 'rollback succeeded', timeoutMs: 20_000 });
  // Undo after a restart returns to the 1.1 template without the restart annotation.
  assert.equal(image(), 'shop/api:1.1');
  assert.equal(deploy().spec.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'], undefined);
});

test('h lists revisions with images and change-causes; choosing one rolls back to it', async () => {
  await c.press('h');
  await screen(/rev \d+\s+shop\/api:1\.0/, 'history with images');
  assert.match(c.frame(), /deploy 1\.0/);
  // Move to the revision running 1.0 and choose it.
  for (let i = 0; i < 6 && !/› .*shop\/api:1\.0/.test(c.frame()); i++) await c.press('down');
  assert.match(c.frame(), /› .*shop\/api:1\.0/);
  await c.press('enter');
  await screen(/to revision 1[\s\S]*Images:[\s\S]*shop\/api:1\.1[\s\S]*shop\/api:1\.0/, 'image diff before confirming');
  const before = succeeded();
  await c.press('y');
  await waitFor(() => succeeded() > before, { what: 'rollback to chosen revision', timeoutMs: 20_000 });
  assert.equal(image(), 'shop/api:1.0');
});

test('Ctrl-D typed in one chunk with the key before it (fast typing, SSH) still asks to delete the pod; y deletes it', async () => {
  // The rollbacks above are still replacing pods: wait until the pane lists just the live ones.
  const live = () =>
    sim
      .listPods(NS)
      .filter((p) => !p.metadata.deletionTimestamp)
      .map((p) => p.metadata.name as string)
      .sort();
  const shown = () =>
    c.cockpit.store
      .getState()
      .kube.data.pods.map((p) => p.name)
      .sort();
  await waitFor(() => JSON.stringify(shown()) === JSON.stringify(live()) && c.cockpit.store.getState().kube.data.pods.every((p) => p.status === 'Running'), {
    what: 'pods settled',
    timeoutMs: 20_000,
  });
  await c.press('1');
  await screen(/Pods \d/, 'pods pane');
  c.ui.stdin.write('g\x04');
  await screen(/Delete pod api-[\w-]+ \(context drill, namespace shop\)/, 'the delete confirmation');
  const pod = /Delete pod (api-[\w-]+) \(/.exec(c.frame())![1]!;
  const before = succeeded();
  await c.press('y');
  await waitFor(() => succeeded() > before, { what: 'delete succeeded', timeoutMs: 20_000 });
  await waitFor(() => !sim.listPods(NS).some((p) => p.metadata.name === pod && !p.metadata.deletionTimestamp), { what: `${pod} gone`, timeoutMs: 20_000 });
});
