// Describe (d) and YAML (y) through the keys against the Kubernetes simulator, compared with the
// real `kubectl describe` and `kubectl get -o yaml` on the same objects.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { cleanup } from 'ink-testing-library';
import { KubeSim } from '../../src/sim/kube/index.js';
import { KubeSource } from '../../src/sources/kube/source.js';
import { loadKubeConfig, makeClients, type KubeClients } from '../../src/sources/kube/client.js';
import { describeObject, yamlOfObject, type InspectRef } from '../../src/sources/kube/inspect.js';
import { renderCockpit } from '../helpers/cockpit.js';
import type { CockpitServices } from '../../src/ui/controller.js';
import { kubectl, kubectlBinary } from '../helpers/kubectl.js';
import { tempDir, waitFor } from '../helpers/net.js';
import type { PodRow } from '../../src/sources/kube/types.js';

const NS = 'shop';
let sim: KubeSim;
let source: KubeSource;
let clients: KubeClients;
let kc: string;
let c: ReturnType<typeof renderCockpit>;
let simStopped = false;

const k = async (...args: string[]) => {
  const r = await kubectl(args, { kubeconfig: kc, timeoutMs: 30_000 });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const screen = (re: RegExp, what: string, of = () => c) =>
  waitFor(() => re.test(of().frame()), { what, timeoutMs: 10_000 }).catch((e) => assert.fail(`${(e as Error).message}\n${of().frame()}`));
const pods = () => c.cockpit.store.getState().kube.data.pods as PodRow[];
const overlayText = () => {
  const o = c.cockpit.store.getState().ui.overlay;
  return o?.kind === 'viewer' ? o.lines.join('\n') : '';
};

/** Selects the row of `name` in the focused pane by filtering for it. */
async function select(name: string) {
  await c.press('/', 'ctrl+u', ...name.split(''), 'enter');
}

before(async () => {
  kubectlBinary();
  sim = new KubeSim({ speed: 30, seed: 5 });
  await sim.start();
  sim.addNamespace(NS);
  sim.setImageBehavior('shop/api:bad', { startup: 'crashloop' });
  sim.addDeployment({ namespace: NS, name: 'api', image: 'shop/api:bad', replicas: 1 });
  sim.addDeployment({ namespace: NS, name: 'web', image: 'shop/web:1.0', replicas: 2 });
  sim.addStatefulSet({ namespace: NS, name: 'redis', image: 'redis:7', replicas: 1 });
  sim.addDaemonSet({ namespace: NS, name: 'agent', image: 'agent:1' });
  kc = path.join(tempDir(), 'kubeconfig');
  fs.writeFileSync(kc, sim.kubeconfig({ context: 'drill', namespace: NS }));
  clients = makeClients(loadKubeConfig({ kubeconfig: kc }), 5);
  const services: CockpitServices = {};
  c = renderCockpit({ cols: 100, rows: 45, context: 'drill', services });
  source = new KubeSource({ kubeconfig: kc, namespaces: [NS], allNamespaces: false, timeoutSeconds: 5 }, c.cockpit.publisher('kube'));
  services.kube = source.cockpitService();
  c.cockpit.startClock(30);
  await source.start();
  // A crash loop with a restart behind it and the kubelet's BackOff event.
  await waitFor(() => pods().some((p) => p.name.startsWith('api-') && p.restarts >= 2), { what: 'api pod restarted twice', timeoutMs: 20_000 });
  await waitFor(async () => (await k('get', 'events', '--field-selector', 'reason=BackOff', '-o', 'name')).trim().length > 0, { what: 'a BackOff event', timeoutMs: 20_000 });
});

after(async () => {
  c.cockpit.stopClock();
  c.ui.unmount();
  cleanup();
  await source.stop();
  if (!simStopped) await sim.stop();
});

test('d on a crash-looping pod: Last State Terminated with its reason, Restart Count and the BackOff event, as kubectl describe has them', async () => {
  const pod = pods().find((p) => p.name.startsWith('api-'))!;
  await c.press('1');
  await select(pod.name);
  await c.press('d');
  await screen(/Describe pod shop\/api-/, 'the describe viewer, titled');
  await screen(/Last State:\s+Terminated/, 'the last state');
  const ours = overlayText();
  const theirs = await k('describe', 'pod', pod.name);
  const fact = (text: string, re: RegExp) => re.exec(text)?.[1];
  for (const re of [
    /Last State:\s+Terminated\s+Reason:\s+(\S+)/,
    /Last State:[\s\S]*?Exit Code:\s+(\d+)/,
    /State:\s+Waiting\s+Reason:\s+(\S+)/,
    /Controlled By:\s+(\S+)/,
    /Node:\s+(\S+)/,
    /IP:\s+(\S+)/,
    /QoS Class:\s+(\S+)/,
  ]) {
    assert.ok(fact(ours, re), `ours has ${re}:\n${ours}`);
    assert.equal(fact(ours, re), fact(theirs, re), `${re}: ours and kubectl's agree`);
  }
  assert.equal(fact(ours, /Last State:[\s\S]*?Reason:\s+(\S+)/), 'Error');
  // The pod keeps crashing: kubectl, asked later, has seen at least as many restarts.
  const restarts = (t: string) => Number(fact(t, /Restart Count:\s+(\d+)/));
  assert.ok(restarts(ours) >= 2 && restarts(ours) <= restarts(theirs), `restart counts: ours ${restarts(ours)}, kubectl ${restarts(theirs)}`);
  const events = (t: string) =>
    new Set(
      t
        .slice(t.indexOf('\nEvents:'))
        .split('\n')
        .map((l) => /^\s+(Normal|Warning)\s+(\S+)\s+.*?\s(kubelet|default-scheduler)\s+(.*)$/.exec(l))
        .filter((m) => m)
        .map((m) => `${m![1]} ${m![2]} ${m![4]}`),
    );
  const backoff = [...events(ours)].find((e) => e.startsWith('Warning BackOff Back-off restarting failed container api'));
  assert.ok(backoff, `the BackOff event is listed:\n${ours}`);
  for (const e of events(ours)) assert.ok(events(theirs).has(e), `kubectl lists the event "${e}" too`);
  await c.press('G');
  await screen(/Warning\s+BackOff/, 'the event on screen, at the end');
  await c.press('g');
});

test('in the describe view, / searches by regex with n/N and a count, w wraps, Esc closes', async () => {
  await c.press('/', ...'reason:\\s+\\w+'.split(''), 'enter');
  await screen(/\/reason:\\s\+\\w\+ 1\/2/, 'the first of two matches (State and Last State reasons)');
  await c.press('n');
  await screen(/ 2\/2/, 'the second match');
  await c.press('N');
  await screen(/ 1\/2/, 'back to the first');
  await c.press('w');
  await screen(/^│ [0-9a-f]+\s+│$/m, 'wrapped: the end of the long image id on a row of its own');
  await c.press('escape');
  assert.equal(c.cockpit.store.getState().ui.overlay, null);
});

test('y shows the whole object; equal to kubectl get -o yaml without managedFields', async () => {
  const pod = pods().find((p) => p.name.startsWith('web-'))!;
  await select(pod.name);
  await c.press('y');
  await screen(/YAML of pod shop\/web-/, 'the YAML viewer, titled');
  await screen(/kind: Pod/, 'the object');
  assert.match(overlayText(), /^apiVersion: v1$/m);
  assert.match(overlayText(), /terminationMessagePath: \/dev\/termination-log/, 'fields the watch cache trims are there');
  assert.doesNotMatch(overlayText(), /managedFields/);
  await c.press('escape');
});

test('YAML of every kind parses equal to kubectl get -o yaml (managedFields left out)', async () => {
  const node = (await k('get', 'nodes', '-o', 'name')).trim().split('\n')[0]!.replace('node/', '');
  const web = pods().find((p) => p.name.startsWith('web-'))!.name;
  const refs: [InspectRef, string][] = [
    [{ kind: 'Pod', name: web, namespace: NS }, 'pod'],
    [{ kind: 'Deployment', name: 'web', namespace: NS }, 'deployment'],
    [{ kind: 'StatefulSet', name: 'redis', namespace: NS }, 'statefulset'],
    [{ kind: 'DaemonSet', name: 'agent', namespace: NS }, 'daemonset'],
    [{ kind: 'Node', name: node }, 'node'],
  ];
  for (const [ref, res] of refs) {
    // Objects change under a live controller: compare two reads of the same resourceVersion.
    await waitFor(
      async () => {
        const ours = parse((await yamlOfObject(clients, ref)).join('\n'));
        const theirs = parse(await k('get', res, ref.name, '-o', 'yaml', '--show-managed-fields=false'));
        if (ours.metadata.resourceVersion !== theirs.metadata.resourceVersion) return false;
        assert.deepEqual(ours, theirs, `${ref.kind} ${ref.name}`);
        return true;
      },
      { what: `a stable read of ${ref.kind} ${ref.name}`, timeoutMs: 10_000 },
    );
  }
});

test('describe of a deployment, statefulset, daemonset and node has the facts kubectl describe shows', async () => {
  const node = (await k('get', 'nodes', '-o', 'name')).trim().split('\n')[0]!.replace('node/', '');
  const cases: [InspectRef, string, RegExp[]][] = [
    [
      { kind: 'Deployment', name: 'web', namespace: NS },
      'deployment',
      [/Replicas:\s+(.*)/, /StrategyType:\s+(\S+)/, /RollingUpdateStrategy:\s+(.*)/, /Image:\s+(\S+)/, /Available\s+(\w+)/, /NewReplicaSet:\s+(.*)/],
    ],
    [{ kind: 'StatefulSet', name: 'redis', namespace: NS }, 'statefulset', [/Replicas:\s+(.*)/, /Update Strategy:\s+(\S+)/, /Pods Status:\s+(.*)/, /Image:\s+(\S+)/]],
    [
      { kind: 'DaemonSet', name: 'agent', namespace: NS },
      'daemonset',
      [/Desired Number of Nodes Scheduled:\s+(\d+)/, /Misscheduled:\s+(\d+)/, /Pods Status:\s+(.*)/, /Image:\s+(\S+)/],
    ],
    [
      { kind: 'Node', name: node },
      'node',
      [
        /Taints:\s+(.*)/,
        /Unschedulable:\s+(\S+)/,
        /Ready\s+(\w+)/,
        /InternalIP:\s+(\S+)/,
        /Capacity:\s+cpu:\s+(\S+)/,
        /memory:\s+(\S+)/,
        /Allocatable:\s+cpu:\s+(\S+)/,
        /Non-terminated Pods:\s+(\(\d+ in total\))/,
      ],
    ],
  ];
  for (const [ref, res, facts] of cases) {
    const ours = (await describeObject(clients, ref, Date.now())).join('\n');
    const theirs = await k('describe', res, ref.name);
    for (const re of facts) {
      assert.ok(re.exec(ours), `${ref.kind}: ours has ${re}:\n${ours}`);
      assert.equal(re.exec(ours)?.[1]?.trim(), re.exec(theirs)?.[1]?.trim(), `${ref.kind} ${re}`);
    }
  }
});

test('read-only allows d and y; a pod that is gone (404) shows a message and the cockpit keeps running', async () => {
  const ro = renderCockpit({ cols: 100, rows: 35, meta: { readOnly: true, readOnlyReason: '--read-only' }, services: { kube: source.cockpitService() } });
  const live = c.cockpit.store.getState().kube;
  const ghost: PodRow = { ...pods()[0]!, key: `${NS}/ghost-0`, name: 'ghost-0' };
  ro.set(() => ({ kube: { ...live, data: { ...live.data, pods: [ghost] } } }));
  await ro.press('1', 'd');
  await screen(/Cannot describe pod ghost-0: not found/, 'the 404 in the viewer', () => ro);
  assert.match(ro.frame(), /may have been deleted/);
  await ro.press('escape', 'y');
  await screen(/Cannot read pod ghost-0: not found/, 'the 404 for YAML', () => ro);
  await ro.press('escape', '9', 'd');
  await screen(/Describe node /, 'describe works in read-only', () => ro);
  await ro.press('G');
  await screen(/Non-terminated Pods:/, 'the node described', () => ro);
  await ro.press('escape', '4', 'd');
  await screen(/work on the Pods, Workloads and Nodes panes/, 'a pane without objects says so', () => ro);
  assert.equal(ro.exited, false);
  ro.ui.unmount();
});

test('with the API server down, d says so in the viewer within a second and the cockpit keeps running', async () => {
  await c.press('escape', '9');
  await sim.stop();
  simStopped = true;
  const started = Date.now();
  await c.press('d');
  await screen(/Cannot describe node sim-node-\d/, 'the failure in the viewer');
  assert.ok(Date.now() - started < 1000, `shown after ${Date.now() - started} ms`);
  assert.match(overlayText(), /not reachable|unreachable|refused|cannot reach/i);
  await c.press('escape');
  assert.match(c.frame(), /Nodes/, 'the panes are back');
  assert.equal(c.exited, false);
});
