// What only the watch history can tell, checked as a real API server behaves: the rollout age
// comes from the revision rolled out (pause/resume bump the Progressing condition's
// lastUpdateTime, a rollback reuses an old ReplicaSet), and "+N in 10m" restarts count every
// restartCount increase seen, across the relists a real server forces (410 Gone after compaction).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { KubeSim } from '../../src/sim/kube/index.js';
import { KubeSource } from '../../src/sources/kube/source.js';
import { createCockpit, type Cockpit } from '../../src/store/store.js';
import { tempDir, waitFor } from '../helpers/net.js';
import { kubectl as runKubectl } from '../helpers/kubectl.js';

let sim: KubeSim;
let cockpit: Cockpit;
let source: KubeSource;
let kubeconfig: string;

const kube = () => cockpit.store.getState().kube;
const deployment = (name: string) => kube().data.deployments.find((d) => d.name === name);
async function kubectl(...args: string[]) {
  const r = await runKubectl(['-n', 'prod', ...args], { kubeconfig });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

before(async () => {
  sim = new KubeSim({ speed: 20, seed: 11 });
  await sim.start({ host: '127.0.0.1' });
  sim.addNamespace('prod');
  sim.setImageBehavior('shop/api:1.0', { startup: 'ok', readyDelaySeconds: 1 });
  sim.setImageBehavior('shop/api:2.0', { startup: 'ok', readyDelaySeconds: 1 });
  sim.setImageBehavior('shop/crash:1.0', { startup: 'crashloop' });
  sim.addDeployment({ namespace: 'prod', name: 'worker', image: 'shop/api:1.0', replicas: 1 });
  sim.addDeployment({ namespace: 'prod', name: 'api', image: 'shop/api:1.0', replicas: 1 });
  sim.addDeployment({ namespace: 'prod', name: 'crash', image: 'shop/crash:1.0', replicas: 1 });
  kubeconfig = path.join(tempDir('warroom-kube-history-'), 'config');
  fs.writeFileSync(kubeconfig, sim.kubeconfig({ context: 'sim', namespace: 'prod' }));
  cockpit = createCockpit();
  cockpit.startClock(20);
  source = new KubeSource({ kubeconfig, namespaces: [], allNamespaces: false, timeoutSeconds: 5, refreshSeconds: 1 }, cockpit.publisher('kube'));
  await source.start();
  await waitFor(() => kube().status === 'ok' && kube().data.deployments.length === 3, { what: 'three deployments', timeoutMs: 15_000 });
});

after(async () => {
  await source?.stop();
  cockpit?.stopClock();
  await sim?.stop();
});

test('pause and resume leave the rollout age alone, though they bump the Progressing condition', async () => {
  await waitFor(() => deployment('worker')?.lastRolloutAt != null, { what: 'worker rollout time' });
  const rolledOut = deployment('worker')!.lastRolloutAt!;
  await new Promise((r) => setTimeout(r, 2500));
  const resumedAt = Date.now();
  await kubectl('rollout', 'pause', 'deployment/worker');
  await waitFor(() => deployment('worker')?.paused === true, { what: 'paused' });
  await kubectl('rollout', 'resume', 'deployment/worker');
  await waitFor(() => deployment('worker')?.paused === false, { what: 'resumed' });
  const live = JSON.parse(await kubectl('get', 'deployment/worker', '-o', 'json'));
  const progressing = live.status.conditions.find((c: { type: string }) => c.type === 'Progressing');
  assert.ok(Date.parse(progressing.lastUpdateTime) >= resumedAt - 1000, `the controller bumped lastUpdateTime (${progressing.lastUpdateTime}), which is what misled the old age`);
  const row = deployment('worker')!;
  assert.equal(row.revision, 1);
  assert.equal(row.lastRolloutAt, rolledOut, 'the age is still that of revision 1');
  assert.ok(row.lastRolloutAt! < resumedAt - 2000);
});

test('a rollback that reuses the old ReplicaSet is dated when it happened, not when that ReplicaSet was made', async () => {
  await waitFor(() => deployment('api')?.revision === 1, { what: 'api at revision 1' });
  const firstRs = deployment('api')!.lastRolloutAt!;
  await kubectl('set', 'image', 'deployment/api', 'api=shop/api:2.0');
  await waitFor(() => deployment('api')?.revision === 2 && !deployment('api')?.rolling, { what: 'api at revision 2', timeoutMs: 20_000 });
  await new Promise((r) => setTimeout(r, 1500));
  const undoAt = Date.now();
  await kubectl('rollout', 'undo', 'deployment/api');
  await waitFor(() => deployment('api')?.revision === 3, { what: 'api at revision 3 (the old ReplicaSet again)', timeoutMs: 20_000 });
  const rs = JSON.parse(await kubectl('get', 'rs', '-l', 'app=api', '-o', 'json')).items as Array<{ metadata: { annotations: Record<string, string>; creationTimestamp: string } }>;
  const reused = rs.find((x) => x.metadata.annotations['deployment.kubernetes.io/revision'] === '3')!;
  assert.ok(Date.parse(reused.metadata.creationTimestamp) <= firstRs + 1000, 'revision 3 is the first ReplicaSet, made before revision 2');
  const at = deployment('api')!.lastRolloutAt!;
  assert.ok(at >= undoAt - 500 && at <= Date.now(), `rolled out ${Date.now() - at} ms ago (the ReplicaSet is ${Date.now() - firstRs} ms old)`);
});

test('restarts in the last 10 minutes count every increase seen, across relists', async () => {
  const crash = () => kube().data.pods.find((p) => p.name.startsWith('crash-'));
  await waitFor(() => (crash()?.restarts ?? 0) >= 1, { what: 'first restart', timeoutMs: 20_000 });
  const first = crash()!.restarts;
  const baseline = first - crash()!.recentRestarts;
  // A real API server compacts its history: watches then end in 410 Gone and the source relists.
  const gone = source.stats().gone;
  for (let i = 0; i < 4; i++) {
    const before = crash()!.restarts;
    await waitFor(() => (crash()?.restarts ?? 0) > before, { what: `restart after relist ${i}`, timeoutMs: 30_000 });
    sim.compactHistory();
    sim.dropWatches();
    await waitFor(() => source.stats().gone > gone + i, { what: `relist ${i + 1}`, timeoutMs: 10_000 });
  }
  await waitFor(() => (crash()?.restarts ?? 0) >= first + 4, { what: 'four more restarts' });
  const p = crash()!;
  assert.ok(source.stats().gone >= gone + 4, 'the source relisted');
  assert.equal(p.recentRestarts, p.restarts - baseline, `+${p.recentRestarts} in 10m for ${p.restarts - baseline} increases seen (restarts ${p.restarts})`);
  assert.ok(p.recentRestarts >= 5);
});
