// Navigation through typed keys: the `:` command line, Enter on a workload, `e` for an object's
// events, the pods sort keys and the `/` regular expression filter.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup } from 'ink-testing-library';
import { renderCockpit, NOW } from '../helpers/cockpit.js';
import { alert, fill, pod } from '../helpers/cockpit-data.js';
import { waitFor } from '../helpers/net.js';
import type { StatefulSetRow } from '../../src/sources/kube/types.js';
import type { ReplicaSetRow } from '../../src/sources/kube/replicasets.js';

after(() => cleanup());

const sts: StatefulSetRow = {
  key: 'shop/noa-redis',
  namespace: 'shop',
  name: 'noa-redis',
  desired: 3,
  current: 3,
  ready: 2,
  updated: 3,
  images: ['redis:7.2'],
  revision: 4,
  currentRevision: 'noa-redis-5d8',
  updateRevision: 'noa-redis-5d8',
  rolling: false,
  rollout: 'partitioned roll out complete: 3 new pods have been updated...',
  uid: 'uid-sts',
};

function cockpit(opts: { cols?: number; rows?: number } = {}) {
  const calls: { namespaces: unknown[]; contexts: string[] } = { namespaces: [], contexts: [] };
  const replicaSets: ReplicaSetRow[] = [
    {
      namespace: 'shop',
      name: 'api-5f7c9d',
      desired: 9,
      current: 9,
      ready: 8,
      createdAt: NOW - 26 * 60_000,
      owner: 'Deployment/api',
      revision: '7',
      images: ['registry.example.com/api:v1.14.2'],
    },
    {
      namespace: 'shop',
      name: 'api-77b6c4',
      desired: 0,
      current: 0,
      ready: 0,
      createdAt: NOW - 3 * 86400_000,
      owner: 'Deployment/api',
      revision: '6',
      images: ['registry.example.com/api:v1.14.1'],
    },
  ];
  const c = renderCockpit({
    cols: opts.cols ?? 120,
    rows: opts.rows ?? 35,
    services: {
      kube: {
        listContexts: () => ['prod-eu-1', 'staging'],
        currentContext: () => 'prod-eu-1',
        switchContext: async (name) => void calls.contexts.push(name),
        setNamespaces: (ns) => void calls.namespaces.push(ns),
        missingNamespaces: async (names) => names.filter((n) => !['shop', 'payments'].includes(n)),
        logs: async () => ({ title: '', lines: [] }),
        history: async () => [],
        replicaSets: async () => replicaSets,
      },
    },
  });
  fill(c.cockpit);
  // A StatefulSet with its pods, and a pod whose name starts like api's but belongs to another owner.
  const data = c.cockpit.store.getState().kube.data;
  const stsPods = [0, 1, 2].map((i) => ({
    ...pod('shop', 'x', 90 + i),
    name: `noa-redis-${i}`,
    key: `shop/noa-redis-${i}`,
    deployment: null,
    owner: { kind: 'StatefulSet', name: 'noa-redis' },
  }));
  const lookalike = { ...pod('shop', 'api-canary', 99), deployment: 'api-canary', owner: { kind: 'Deployment', name: 'api-canary' } };
  c.set((s) => ({ kube: { ...s.kube, data: { ...data, pods: [...data.pods, ...stsPods, lookalike], statefulSets: [sts] } } }));
  return Object.assign(c, { calls });
}

const type = (s: string) => [...s].map((ch) => (ch === ' ' ? 'space' : ch));

test(': opens a command line at the bottom; view names and aliases focus their pane, Tab completes, Esc cancels', async () => {
  const c = cockpit();
  await c.press(':');
  assert.match(c.frame(), /:▏ +pods deploy sts ds nodes events rs ns ctx sort q/, 'the prompt with what can be typed');
  await c.press(...type('no'), 'enter');
  let s = c.cockpit.store.getState().ui;
  assert.equal(s.focus, 'nodes', ':no focuses Nodes');
  assert.equal(s.command, null);
  assert.equal(s.zoom, null, 'at 120×35 the overview stays');

  await c.press(':', 's', 't', 'tab');
  assert.match(c.frame(), /:sts▏/, 'Tab completes to the first match');
  await c.press('enter');
  s = c.cockpit.store.getState().ui;
  assert.equal(s.focus, 'deployments');
  let f = c.frame();
  assert.match(f, /Workloads 1 StatefulSets only/);
  assert.match(f, /noa-redis/);
  assert.doesNotMatch(f, /deploy +checkout/, 'no Deployments while :sts is shown');
  await c.press(':', ...type('dp'), 'enter');
  f = c.frame();
  assert.match(f, /Workloads 4 Deployments only/);
  assert.doesNotMatch(f, /noa-redis +StatefulSet/);
  await c.press(':', ...type('workloads'), 'enter');
  assert.match(c.frame(), /Workloads 5 \(4 deploy, 1 sts, 0 ds\)/);

  await c.press(':', 'd', 'e', 'tab');
  assert.match(c.frame(), /:deploy▏ +deploy deployments deployment/, 'Tab extends to the common prefix and lists the choices');
  await c.press('escape');
  assert.equal(c.cockpit.store.getState().ui.command, null, 'Esc cancels');
  assert.equal(c.cockpit.store.getState().ui.focus, 'deployments', 'and nothing changed');

  await c.press(':', ...type('ev'), 'enter');
  assert.equal(c.cockpit.store.getState().ui.focus, 'events');
  await c.press(':', ...type('pods'), 'enter');
  assert.equal(c.cockpit.store.getState().ui.focus, 'pods');
});

test('an unknown command or a bad argument says why and keeps the line; :ns and :ctx switch; :q quits', async () => {
  const c = cockpit();
  await c.press(':', ...type('pdos'), 'enter');
  const f = c.frame();
  assert.match(f, /:pdos▏ +unknown command ":pdos"/, 'the reason, and the typed text is kept');
  assert.equal(c.cockpit.store.getState().ui.focus, 'pods');
  await c.press('backspace', 'backspace', 'backspace', 'backspace', ...type('ns Bad_NS'), 'enter');
  assert.match(c.frame(), /"Bad_NS" is not a namespace name/);
  assert.deepEqual(c.calls.namespaces, []);
  for (let i = 0; i < 'Bad_NS'.length; i++) await c.press('backspace');
  // A namespace the cluster does not have is refused, the line kept, nothing watched.
  await c.press(...type('paymnts'), 'enter');
  await waitFor(() => /no namespace "paymnts" in context prod-eu-1/.test(c.frame()), { what: 'the refusal' }).catch(() => assert.fail(c.frame()));
  assert.match(c.frame(), /:ns paymnts▏/);
  assert.deepEqual(c.calls.namespaces, []);
  for (let i = 0; i < 'paymnts'.length; i++) await c.press('backspace');
  await c.press('p', 'a', 'tab');
  assert.match(c.frame(), /:ns payments▏/, 'namespace names complete');
  await c.press('enter');
  await waitFor(() => c.calls.namespaces.length === 1, { what: 'the namespace watched' });
  assert.deepEqual(c.calls.namespaces, [['payments']]);
  await c.press(':', ...type('ns *'), 'enter');
  assert.deepEqual(c.calls.namespaces[1], 'all');

  await c.press(':', ...type('ctx nope'), 'enter');
  assert.match(c.frame(), /no context "nope" in the kubeconfig \(prod-eu-1, staging\)/);
  await c.press('escape', ':', ...type('ctx s'), 'tab', 'enter');
  assert.deepEqual(c.calls.contexts, ['staging']);

  await c.press(':', ...type('sort bogus'), 'enter');
  assert.match(c.frame(), /sort by one of: name namespace status/);
  await c.press('escape', ':', 'q', 'enter');
  assert.equal(c.exited, true, ':q quits (no incident open)');
});

test(':rs lists the ReplicaSets the API returned, in a viewer', async () => {
  const c = cockpit();
  await c.press(':', ...type('rs'), 'enter');
  await new Promise((r) => setTimeout(r, 50));
  await c.press();
  const f = c.frame();
  assert.match(f, /ReplicaSets \(2\)/);
  assert.match(f, /NAMESPACE +NAME +DESIRED +CURRENT +READY +AGE +REVISION +OWNER/);
  assert.match(f, /shop +api-5f7c9d +9 +9 +8 +26m +7 +Deployment\/api/);
  assert.match(f, /api-77b6c4 +0 +0 +0 +3d/);
});

test('N: a namespace the cluster does not have is refused and asked again with the text kept; an existing one is watched', async () => {
  const c = cockpit();
  await c.press('N', 'ctrl+u', ...type('paymnts'), 'enter');
  await waitFor(() => /no namespace "paymnts" in context prod-eu-1/.test(c.frame()), { what: 'the refusal' }).catch(() => assert.fail(c.frame()));
  assert.match(c.frame(), /Namespaces[\s\S]*paymnts/, 'asked again, the typed text kept');
  assert.deepEqual(c.calls.namespaces, []);
  await c.press('ctrl+u', ...type('payments'), 'enter');
  await waitFor(() => c.calls.namespaces.length === 1, { what: 'the namespace watched' });
  assert.deepEqual(c.calls.namespaces, [['payments']]);
  assert.equal(c.cockpit.store.getState().ui.dialog, null);
});

test('at 80×24 a view command zooms its pane', async () => {
  const c = cockpit({ cols: 80, rows: 24 });
  await c.press(':', ...type('deploy'), 'enter');
  assert.equal(c.cockpit.store.getState().ui.zoom, 'deployments');
  assert.match(c.frame(), /worker/, 'every deployment row, zoomed');
});

test('Enter on a workload shows its pods (by owner, not by name prefix); the title says so and Esc shows all', async () => {
  const c = cockpit();
  await c.press('2', 'enter');
  let s = c.cockpit.store.getState().ui;
  assert.equal(s.focus, 'pods');
  let f = c.frame();
  assert.match(f, /Pods 9 \(1 unhealthy\) of deployment shop\/api/);
  assert.doesNotMatch(f, /api-canary/, "a pod named like api but owned by api-canary is not api's");
  assert.doesNotMatch(f, /checkout-/);
  await c.press('escape');
  f = c.frame();
  assert.match(f, /Pods 40/, 'Esc shows every pod again');
  // A StatefulSet: its pods by their controller.
  await c.press('2', 'G', 'enter');
  f = c.frame();
  assert.match(f, /Pods 3 of statefulset shop\/noa-redis/);
  assert.match(f, /noa-redis-0[\s\S]*noa-redis-2/);
  s = c.cockpit.store.getState().ui;
  assert.equal(s.focus, 'pods');
});

test('e shows the events of the selected pod, workload or node', async () => {
  const c = cockpit();
  const pods = c.cockpit.store.getState().kube.data.pods;
  // The fixture's event 0 is about pod 0, event 1 about pod 5.
  await c.press('1', 'e');
  let f = c.frame();
  assert.equal(c.cockpit.store.getState().ui.focus, 'events');
  assert.match(f, new RegExp(`Events 1 of shop/pod/${pods[0]!.name}`));
  assert.doesNotMatch(f, /OBJECT/, "one object's events do not repeat it on every row");
  assert.match(f, /\(1 warning\)/);
  // Enter shows the event whole: a long message is never out of reach.
  const long = `Back-off restarting failed container api in pod ${pods[0]!.name}_shop(1e7e4c2a-9f7d-4b7e-8d1a-0c2b3d4e5f60) ${'and more words '.repeat(12)}END`;
  c.set((s) => ({ kube: { ...s.kube, data: { ...s.kube.data, events: s.kube.data.events.map((e, i) => (i === 0 ? { ...e, message: long } : e)) } } }));
  await c.press('enter');
  f = c.frame();
  assert.match(f, new RegExp(`Event BackOff on pod/${pods[0]!.name}`));
  assert.match(f, /Count: +1\b/);
  assert.ok(f.replace(/[│\s]+/g, '').includes(long.replace(/\s+/g, '')), 'the whole message, wrapped');
  await c.press('escape');
  await c.press('escape');
  assert.match(c.frame(), /Events \(5 warnings\)/, 'Esc shows every event');
  await c.press('2', 'e');
  f = c.frame();
  assert.match(f, /Events 0 of shop\/deployment\/api/);
  assert.match(f, /no recent events of shop\/deployment\/api \(Esc shows all\)/);
  await c.press('4', 'e');
  assert.match(c.frame(), /Events: focus Pods, Workloads or Nodes/);
});

test('> cycles the pods sort column, < reverses it, :sort picks one; the title shows it', async () => {
  const c = cockpit();
  const firstPod = () => {
    const line = c
      .frame()
      .split('\n')
      .find((l) => /NAME +READY/.test(l));
    const lines = c.frame().split('\n');
    return lines[lines.indexOf(line!) + 1]!;
  };
  await c.press('1', '>');
  assert.match(c.frame(), /Pods 40 \(1 unhealthy\) by name ↑/);
  assert.match(firstPod(), /api-5f7c9d0b8/);
  await c.press('<');
  assert.match(c.frame(), /by name ↓/);
  assert.match(firstPod(), /worker-/);
  await c.press(':', ...type('sort restarts'), 'enter');
  assert.match(c.frame(), /by restarts ↓/);
  assert.match(firstPod(), /CrashLoopBackOff +14/);
  await c.press(':', ...type('sort cpu'), 'enter');
  const pods = c.cockpit.store.getState().kube.data.pods;
  const top = [...pods].sort((a, b) => (b.cpuMilli ?? 0) - (a.cpuMilli ?? 0))[0]!;
  assert.match(firstPod(), new RegExp(top.name));
  await c.press('?');
  assert.match(c.frame(), /> +Sort pods by the next column/, 'the sort keys are in the help');
});

test('/ is a case-insensitive regular expression, plain text when it is not a valid one', async () => {
  const c = cockpit();
  await c.press('1', '/', ...type('API.*b8-kx'));
  assert.doesNotMatch(c.frame(), /not a valid regex/, 'a valid regex while typing');
  await c.press('enter');
  let f = c.frame();
  assert.match(f, /\/API\.\*b8-kx /);
  assert.doesNotMatch(f, /\(text\)/);
  assert.match(f, /api-5f7c9d/);
  assert.doesNotMatch(f, /checkout-5f/);
  await c.press('escape', '/', ...type('crash|oom'), 'enter');
  f = c.frame();
  assert.match(f, /CrashLoopBackOff/);
  assert.doesNotMatch(f, /Running/);
  await c.press('escape', '/', ...type('noa-redis-('));
  assert.match(c.frame(), /not a valid regex: matching as text/);
  await c.press('enter');
  f = c.frame();
  assert.match(f, /\/noa-redis-\( \(text\)/);
  assert.match(f, /no rows match/);
});

test('the selection stays on its pod while pods above it go and the sort changes; a deleted pod hands it to its neighbour', async () => {
  const c = cockpit({ cols: 120, rows: 35 });
  const selectedPod = async () => {
    await c.press('e');
    const m = /Events \d+ of shop\/pod\/(\S+)/.exec(c.frame());
    await c.press('escape', '1');
    return m?.[1];
  };
  const byName = () => [...c.cockpit.store.getState().kube.data.pods].sort((a, b) => a.name.localeCompare(b.name));
  await c.press('1', '>', 'j', 'j', 'j');
  const chosen = byName()[3]!.name;
  assert.equal(await selectedPod(), chosen);

  // Two pods sorted above it are deleted (by someone else's kubectl): the row under the cursor is still the chosen pod.
  const [gone1, gone2] = byName();
  const without = (...names: string[]) => c.set((s) => ({ kube: { ...s.kube, data: { ...s.kube.data, pods: s.kube.data.pods.filter((p) => !names.includes(p.name)) } } }));
  without(gone1!.name, gone2!.name);
  assert.equal(await selectedPod(), chosen, 'deleting pods above does not move the selection to another pod');

  await c.press('<');
  assert.match(c.frame(), /by name ↓/);
  assert.equal(await selectedPod(), chosen, 'reversing the sort keeps the same pod selected');
  await c.press('j');
  const reversed = byName().reverse();
  const next = reversed[reversed.findIndex((p) => p.name === chosen) + 1]!.name;
  assert.equal(await selectedPod(), next, 'j moves from where the pod is now');

  // The selected pod itself goes: its neighbour takes the place, and no error is shown.
  without(next);
  const after = await selectedPod();
  assert.ok(after && after !== next, `a pod is selected after the selected one went (got ${after})`);
});

test('two alerts of one name are told apart by fingerprint: a new alert above keeps the selection on the same one', async () => {
  const c = cockpit({ cols: 120, rows: 35 });
  const twins = [alert(0, 'HighErrorRate', 'critical', 'checkout 5xx above 5%'), alert(5, 'HighErrorRate', 'critical', 'api 5xx above 5%')];
  c.set((s) => ({ prom: { ...s.prom, data: { ...s.prom.data, alerts: twins } } }));
  const details = async () => {
    await c.press('o');
    const f = c.frame();
    await c.press('escape', '4');
    return /summary: (\w+) 5xx/.exec(f)?.[1];
  };
  await c.press('4', 'j');
  assert.equal(await details(), 'api');
  c.set((s) => ({ prom: { ...s.prom, data: { ...s.prom.data, alerts: [alert(9, 'DiskFull', 'warning', 'disk above 90%'), ...twins] } } }));
  assert.equal(await details(), 'api', 'the selection stays on the api alert, not the other HighErrorRate');
});
