// The kube source's StatefulSets, DaemonSets and Nodes, the pods' node / limits / last termination, and
// metrics scoped to what is shown, against the simulator through client-node, kubectl changing the world.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { KubeSim } from '../../src/sim/kube/index.js';
import { KubeSource } from '../../src/sources/kube/source.js';
import { createCockpit, type Cockpit } from '../../src/store/store.js';
import { kubectl } from '../helpers/kubectl.js';
import { tempDir, waitFor } from '../helpers/net.js';

let sim: KubeSim;
let kc: string;
let cockpit: Cockpit;
let source: KubeSource;
const requests: string[] = [];
const BUDGET = 4096;

const kube = () => cockpit.store.getState().kube;
const data = () => kube().data;
const ok = async (...args: string[]) => {
  const r = await kubectl(args, { kubeconfig: kc, timeoutMs: 30_000 });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

before(async () => {
  sim = new KubeSim({ speed: 20, seed: 11, log: (l) => requests.push(l) });
  await sim.start();
  sim.setImageBehavior('redis:leaky', { memoryLeakMiBPerMinute: 4000, baseMemoryMiB: 100, memoryLimitMiB: 128 });
  sim.setImageBehavior('shop/api:1.0', { baseMemoryMiB: 96, memoryLimitMiB: 128 });
  sim.addDeployment({ namespace: 'prod', name: 'api', image: 'shop/api:1.0', replicas: 2, labels: { app: 'api', tier: 'web' } });
  sim.addStatefulSet({ namespace: 'prod', name: 'noa-redis', image: 'redis:7.2', replicas: 2, labels: { app: 'noa-redis', tier: 'web' } });
  sim.addDaemonSet({ namespace: 'prod', name: 'node-exporter', image: 'prom/node-exporter:1.8', labels: { app: 'node-exporter', tier: 'web' } });
  sim.addDeployment({ namespace: 'prod', name: 'batch', image: 'shop/batch:1.0', replicas: 1, labels: { app: 'batch', tier: 'jobs' } });
  sim.addDeployment({ namespace: 'other', name: 'elsewhere', image: 'shop/api:1.0', replicas: 1 });
  const dir = tempDir('warroom-kube-wl-');
  kc = path.join(dir, 'config');
  fs.writeFileSync(kc, sim.kubeconfig({ context: 'sim', namespace: 'prod' }));
  cockpit = createCockpit();
  cockpit.startClock(10);
  source = new KubeSource(
    { kubeconfig: kc, namespaces: [], allNamespaces: false, labelSelector: 'tier=web', timeoutSeconds: 5, refreshSeconds: 1, metricsBudgetBytesPerMinute: BUDGET },
    cockpit.publisher('kube'),
  );
  await source.start();
  await waitFor(() => kube().status === 'ok' && (data().statefulSets?.length ?? 0) === 1 && (data().nodes?.length ?? 0) === 3, {
    what: 'kube ok with sts and nodes',
    timeoutMs: 15_000,
  });
});

after(async () => {
  await source?.stop();
  cockpit?.stopClock();
  await sim?.stop();
});

test('StatefulSets and DaemonSets: counts, revision, rollout state; restart shows rolling then done at the next revision', async () => {
  const sts = data().statefulSets![0]!;
  assert.equal(sts.name, 'noa-redis');
  assert.deepEqual([sts.desired, sts.ready, sts.updated, sts.revision, sts.rolling], [2, 2, 2, 1, false]);
  assert.deepEqual(sts.images, ['redis:7.2']);
  const ds = data().daemonSets![0]!;
  assert.deepEqual([ds.name, ds.desired, ds.ready, ds.updated, ds.revision, ds.rolling], ['node-exporter', 3, 3, 3, 1, false]);
  await ok('rollout', 'restart', 'statefulset/noa-redis');
  await waitFor(() => data().statefulSets![0]!.rolling, { what: 'sts rolling', timeoutMs: 5_000 });
  await waitFor(() => !data().statefulSets![0]!.rolling && data().statefulSets![0]!.revision === 2, { what: 'sts rolled to revision 2', timeoutMs: 20_000 });
  assert.match(data().statefulSets![0]!.rollout, /partitioned roll out complete: 2 new pods/);
  await ok('set', 'image', 'daemonset/node-exporter', 'node-exporter=prom/node-exporter:1.9');
  await waitFor(() => data().daemonSets![0]!.revision === 2 && !data().daemonSets![0]!.rolling, { what: 'ds at revision 2', timeoutMs: 20_000 });
  assert.deepEqual(data().daemonSets![0]!.images, ['prom/node-exporter:1.9']);
});

test('Nodes: Ready, cordoned with its taint, NotReady, pressure; pods per node; usage against allocatable', async () => {
  await waitFor(() => data().nodes!.every((n) => n.cpuMilli != null), { what: 'node metrics', timeoutMs: 10_000 });
  const n1 = data().nodes!.find((n) => n.name === 'sim-node-1')!;
  assert.equal(n1.ready, 'True');
  assert.equal(n1.cpuAllocMilli, 3900);
  assert.ok(n1.cpuPct! > 0 && n1.cpuPct! < 100 && n1.memPct! > 0 && n1.memPct! < 100);
  assert.equal(
    data().nodes!.reduce((s, n) => s + n.pods, 0),
    data().pods.filter((p) => p.status !== 'Terminating').length,
  );
  await ok('cordon', 'sim-node-1');
  await waitFor(() => data().nodes!.find((n) => n.name === 'sim-node-1')!.unschedulable, { what: 'cordoned', timeoutMs: 5_000 });
  assert.deepEqual(data().nodes!.find((n) => n.name === 'sim-node-1')!.taints, ['node.kubernetes.io/unschedulable:NoSchedule']);
  sim.setNodeCondition('sim-node-2', 'Ready', false);
  sim.setNodeCondition('sim-node-3', 'MemoryPressure', false);
  await waitFor(() => data().nodes![0]!.name === 'sim-node-2' && data().nodes![0]!.ready === 'Unknown', { what: 'NotReady node first', timeoutMs: 5_000 });
  assert.deepEqual(data().nodes![1]!.pressures, ['MemoryPressure']);
  await ok('uncordon', 'sim-node-1');
  sim.setNodeCondition('sim-node-2', 'Ready', true);
  sim.setNodeCondition('sim-node-3', 'MemoryPressure', true);
  await waitFor(() => data().nodes!.every((n) => n.ready === 'True' && !n.unschedulable && n.pressures.length === 0), { what: 'nodes healthy', timeoutMs: 5_000 });
});

test('Pods: owner kind, node, memory against the limit, the label selector; last termination after an OOM kill', async () => {
  assert.ok(!data().pods.some((p) => p.name.startsWith('batch-')), 'tier=jobs is filtered out');
  const redis = data().pods.find((p) => p.name === 'noa-redis-0')!;
  assert.deepEqual(redis.owner, { kind: 'StatefulSet', name: 'noa-redis' });
  assert.ok(redis.node?.startsWith('sim-node-'));
  assert.deepEqual(data().pods.find((p) => p.name.startsWith('node-exporter-'))!.owner, { kind: 'DaemonSet', name: 'node-exporter' });
  await waitFor(() => data().pods.find((p) => p.name.startsWith('api-'))?.memPct != null, { what: 'api memory %', timeoutMs: 10_000 });
  const api = data().pods.find((p) => p.name.startsWith('api-'))!;
  assert.equal(api.memoryLimitBytes, 128 * 2 ** 20);
  assert.equal(api.cpuLimitMilli, null, 'no cpu limit, no ceiling');
  assert.ok(Math.abs(api.memPct! - (api.memoryBytes! / api.memoryLimitBytes!) * 100) < 1e-9);
  assert.ok(api.memPct! > 70 && api.memPct! < 80, `96 of 128 MiB: ${api.memPct}`);
  sim.setImage('prod', 'noa-redis', 'redis:leaky', 'leak', 'statefulsets');
  await waitFor(() => data().pods.find((p) => p.name.startsWith('noa-redis-') && p.lastTermination?.reason === 'OOMKilled'), {
    what: 'an OOMKilled last termination',
    timeoutMs: 30_000,
  });
  const oom = data().pods.find((p) => p.lastTermination?.reason === 'OOMKilled')!;
  assert.equal(oom.lastTermination!.exitCode, 137);
  assert.equal(oom.lastTermination!.container, 'noa-redis');
  assert.ok(Math.abs(Date.now() - oom.lastTermination!.at!) < 60_000);
});

test('metrics: one namespaced, label-selected PodMetrics list per poll, at most every 15 s, stretched to the byte budget', async () => {
  const metricsReqs = requests.filter((l) => l.includes('metrics.k8s.io'));
  const podLists = metricsReqs.filter((l) => /\/pods\?/.test(l) || /\/pods /.test(l));
  assert.ok(podLists.length >= 1);
  assert.ok(
    podLists.every((l) => l.includes('/apis/metrics.k8s.io/v1beta1/namespaces/prod/pods?labelSelector=tier%3Dweb')),
    podLists.join('\n'),
  );
  assert.ok(!metricsReqs.some((l) => /v1beta1\/pods/.test(l)), 'never the cluster-wide list');
  const st = source.metricsStats();
  assert.ok(st.lastBytes > BUDGET / 4, `a poll is ${st.lastBytes} bytes`);
  // refreshSeconds is 1, but never more often than every 15 s, and the budget stretches it further.
  assert.equal(st.lastDelayMs, Math.max(15_000, Math.ceil((st.lastBytes / BUDGET) * 60_000)));
  assert.ok((st.lastBytes * 60_000) / st.lastDelayMs <= BUDGET + 1, 'bytes per minute within the budget');
});

test(':rs lists the ReplicaSets kubectl lists: names, counts, owner and revision, in the watched namespace and selector', async () => {
  await ok('-n', 'prod', 'set', 'image', 'deploy/api', 'api=shop/api:1.1');
  await ok('-n', 'prod', 'rollout', 'status', 'deploy/api', '--timeout=60s');
  const rows = await source.cockpitService().replicaSets();
  const fromKubectl = JSON.parse(await ok('-n', 'prod', 'get', 'rs', '-l', 'tier=web', '-o', 'json')).items as {
    metadata: { name: string; annotations?: Record<string, string>; ownerReferences?: { kind: string; name: string; controller?: boolean }[] };
    spec: { replicas: number };
    status: { replicas?: number; readyReplicas?: number };
  }[];
  assert.ok(fromKubectl.length >= 2, 'the rollout left an old and a new ReplicaSet');
  assert.deepEqual(
    rows.map((r) => [r.namespace, r.name, r.desired, r.current, r.ready, r.owner, r.revision]).sort(),
    fromKubectl
      .map((rs) => {
        const owner = rs.metadata.ownerReferences?.find((o) => o.controller);
        return [
          'prod',
          rs.metadata.name,
          rs.spec.replicas,
          rs.status.replicas ?? 0,
          rs.status.readyReplicas ?? 0,
          owner ? `${owner.kind}/${owner.name}` : null,
          rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? null,
        ];
      })
      .sort(),
  );
  assert.ok(!rows.some((r) => r.owner === 'Deployment/batch' || r.owner === 'Deployment/elsewhere'), 'outside the selector or namespace: not listed');
  const newest = rows.find((r) => r.owner === 'Deployment/api' && r.images.includes('shop/api:1.1'));
  assert.equal(newest?.desired, 2, 'the new ReplicaSet carries the replicas');
});

test(':ns checks the namespace first: the ones kubectl cannot get are named missing, the others pass', async () => {
  const service = source.cockpitService();
  const nope = await kubectl(['get', 'namespace', 'nope'], { kubeconfig: kc });
  assert.notEqual(nope.code, 0, 'kubectl finds no namespace nope');
  assert.match(nope.stderr, /NotFound|not found/);
  await ok('get', 'namespace', 'other');
  assert.deepEqual(await service.missingNamespaces(['prod', 'nope', 'other', 'typo-ns']), ['nope', 'typo-ns']);
});
