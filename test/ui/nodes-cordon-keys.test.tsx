// Cordon and uncordon from the Nodes pane (c, u) against the Kubernetes simulator through the real
// source, client and runner; the node ends exactly as the real `kubectl cordon` / `uncordon` leave
// another node, and the pane shows SchedulingDisabled from the watch.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { cleanup } from 'ink-testing-library';
import { KubeSim } from '../../src/sim/kube/index.js';
import { KubeSource } from '../../src/sources/kube/source.js';
import { renderCockpit } from '../helpers/cockpit.js';
import { kubectl } from '../helpers/kubectl.js';
import { tempDir, waitFor } from '../helpers/net.js';

const NS = 'shop';
let sim: KubeSim;
let source: KubeSource;
let file: string;
let c: ReturnType<typeof renderCockpit>;

const screen = (re: RegExp, what: string) => waitFor(() => re.test(c.frame()), { what, timeoutMs: 15_000 }).catch((e) => assert.fail(`${(e as Error).message}\n${c.frame()}`));
const flat = () => c.frame().replace(/[\s│]+/g, ' ');
const k = async (...args: string[]) => {
  const r = await kubectl(args, { kubeconfig: file });
  assert.equal(r.code, 0, r.stderr);
  return r.stdout + r.stderr;
};
/** What cordon is about on a node: spec.unschedulable and the taints, without their timestamps. */
const cordonState = (name: string) => {
  const spec = sim.getNode(name).spec;
  return { unschedulable: spec.unschedulable, taints: spec.taints?.map((t: { key: string; effect: string }) => `${t.key}:${t.effect}`) };
};

before(async () => {
  sim = new KubeSim({ speed: 30, seed: 11 });
  await sim.start();
  sim.addNamespace(NS);
  sim.addDeployment({ namespace: NS, name: 'api', image: 'shop/api:1.0', replicas: 1 });
  file = path.join(tempDir(), 'kubeconfig');
  fs.writeFileSync(file, sim.kubeconfig({ context: 'drill', namespace: NS }));
  c = renderCockpit({ cols: 140, rows: 40, context: 'drill' });
  source = new KubeSource({ kubeconfig: file, namespaces: [NS], allNamespaces: false, timeoutSeconds: 5 }, c.cockpit.publisher('kube'));
  c.runner.env.services.kube = source.operations();
  c.cockpit.startClock(30);
  await source.start();
  await screen(/Nodes 3[\s\S]*sim-node-3/, 'nodes pane');
  await c.press('9');
});

after(async () => {
  c.cockpit.stopClock();
  c.ui.unmount();
  cleanup();
  await source.stop();
  await sim.stop();
});

test('c on a node: confirmation with the server dry run, then SchedulingDisabled; the node is as kubectl cordon leaves one', async () => {
  await c.press('j', 'c');
  await screen(/Cordon node sim-node-2[\s\S]*Proceed\?/, 'cordon confirmation');
  assert.match(flat(), /As kubectl cordon: spec\.unschedulable=true/);
  assert.match(flat(), /Server-side dry run: accepted unschedulable false → true/);
  assert.equal(sim.getNode('sim-node-2').spec.unschedulable, undefined, 'the dry run changed nothing');
  await c.press('enter');
  await screen(/sim-node-2 +Ready,SchedulingDisabled/, 'SchedulingDisabled on sim-node-2');
  assert.match(c.frame(), /Nodes 3 \(1 cordoned\)/);
  assert.match(c.journal.find((e) => e.kind === 'action.succeeded')!.summary, /Cordon node sim-node-2: cordoned \(unschedulable false → true\)/);

  await k('cordon', 'sim-node-3');
  await waitFor(() => cordonState('sim-node-3').taints?.length === 1 && cordonState('sim-node-2').taints?.length === 1, { what: 'the unschedulable taints', timeoutMs: 10_000 });
  assert.deepEqual(cordonState('sim-node-2'), cordonState('sim-node-3'));
  assert.deepEqual(cordonState('sim-node-2'), { unschedulable: true, taints: ['node.kubernetes.io/unschedulable:NoSchedule'] });
  const nodes = await k('get', 'nodes');
  assert.match(nodes, /^sim-node-2\s+Ready,SchedulingDisabled\s/m);
  assert.match(nodes, /^sim-node-3\s+Ready,SchedulingDisabled\s/m);
});

test('c on a cordoned node changes nothing and says so, as kubectl says "already cordoned"', async () => {
  const rv = sim.getNode('sim-node-2').metadata.resourceVersion;
  // Cordoned nodes sort before schedulable ones, so the row under the cursor moved: select by filtering.
  await c.press('/', ...'sim-node-2', 'enter', 'c');
  await screen(/Cordon node sim-node-2[\s\S]*already cordoned: nothing would change/, 'already-cordoned preview');
  await c.press('enter');
  await screen(/already cordoned; nothing changed/, 'already cordoned');
  assert.equal(sim.getNode('sim-node-2').metadata.resourceVersion, rv, 'no write');
  assert.match(await k('cordon', 'sim-node-3'), /node\/sim-node-3 already cordoned/);
  await c.press('escape');
});

test('u on the node: uncordoned, the pane drops SchedulingDisabled; the same node kubectl uncordon leaves', async () => {
  await c.press('/', ...'sim-node-2', 'enter', 'u');
  await screen(/Uncordon node sim-node-2[\s\S]*Proceed\?/, 'uncordon confirmation');
  assert.match(flat(), /Server-side dry run: accepted unschedulable true → false/);
  await c.press('enter');
  await screen(/sim-node-2 +Ready +\d/, 'sim-node-2 schedulable again');
  await k('uncordon', 'sim-node-3');
  await waitFor(() => !cordonState('sim-node-2').taints && !cordonState('sim-node-3').taints, { what: 'taints lifted', timeoutMs: 10_000 });
  assert.deepEqual(cordonState('sim-node-2'), cordonState('sim-node-3'));
  assert.deepEqual(cordonState('sim-node-2'), { unschedulable: undefined, taints: undefined });
  await screen(/Nodes 3 \/sim-node-2 ─/, 'no node cordoned in the title');
  await c.press('escape');
  assert.match(c.journal.filter((e) => e.kind === 'action.succeeded').at(-1)!.summary, /Uncordon node sim-node-2: uncordoned \(unschedulable true → false\)/);
});
