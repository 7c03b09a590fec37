// StatefulSet, DaemonSet, node, pod and resource-limit actions through the real runner and client-node
// against the simulator: gates, dry runs, followed rollouts, journal; the rollback plan pinned between
// confirmation and run; the rollout follower across an API outage.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { KubeSim } from '../../src/sim/kube/index.js';
import { connect } from '../../src/sources/kube/client.js';
import { KubeOperations } from '../../src/sources/kube/actions.js';
import { ActionRunner } from '../../src/actions/runner.js';
import { kubeActions } from '../../src/actions/kube.js';
import type { ActionEnv, Interaction } from '../../src/actions/types.js';
import type { NewEntry } from '../../src/incident/types.js';
import { freePort, tempDir, waitFor } from '../helpers/net.js';

const NS = 'prod';
let sim: KubeSim;
let dir: string;
let ops: KubeOperations;
let viewerOps: KubeOperations;

function cfg(name: string, user: 'admin' | 'viewer' = 'admin', port?: number): string {
  const p = path.join(dir, name);
  let text = sim.kubeconfig({ context: 'prod-cluster', namespace: NS, user });
  if (port) text = text.replace(/(server: https?:\/\/127\.0\.0\.1:)\d+/, `$1${port}`);
  fs.writeFileSync(p, text);
  return p;
}

function harness(kube: KubeOperations, answers: Record<string, string> = {}, onConfirm?: () => Promise<void> | void) {
  const recorded: NewEntry[] = [];
  const confirms: string[] = [];
  const notes: string[] = [];
  const progress: string[] = [];
  const ui: Interaction = {
    prompt: async (_t, fields) => Object.fromEntries(fields.map((f) => [f.name, answers[f.name] ?? f.initial])),
    confirm: async (req) => {
      confirms.push(`${req.title}\n${req.lines.join('\n')}`);
      await onConfirm?.();
      return true;
    },
    notify: (m) => notes.push(m),
  };
  const env: ActionEnv = {
    context: 'prod-cluster',
    readOnly: false,
    drill: false,
    recorder: { record: (e) => recorded.push(e) },
    services: { kube, progress: (m) => progress.push(m) },
  };
  return { runner: new ActionRunner(env, ui, { productionContexts: [] }).register(...kubeActions), recorded, confirms, notes, progress };
}

const stsTarget = (name = 'noa-redis') => ({ name, namespace: NS, kind: 'StatefulSet' });
const dsTarget = { name: 'node-exporter', namespace: NS, kind: 'DaemonSet' };
const live = (prefix: string) => sim.listPods(NS).filter((p) => p.metadata.name.startsWith(prefix) && !p.metadata.deletionTimestamp);

before(async () => {
  dir = tempDir('warroom-kube-wl-actions-');
  sim = new KubeSim({ speed: 20, seed: 21 });
  await sim.start();
  sim.setImageBehavior('redis:7.2', { readyDelaySeconds: 1 });
  sim.setImageBehavior('redis:7.4', { readyDelaySeconds: 1 });
  sim.setImageBehavior('shop/api:1.0', { readyDelaySeconds: 1, baseMemoryMiB: 400, memoryLimitMiB: 512 });
  sim.addStatefulSet({ namespace: NS, name: 'noa-redis', image: 'redis:7.2', replicas: 3, changeCause: 'redis 7.2' });
  sim.addStatefulSet({ namespace: NS, name: 'slow', image: 'redis:slow', replicas: 3 });
  sim.setImageBehavior('redis:slow', { readyDelaySeconds: 30 });
  sim.addDaemonSet({ namespace: NS, name: 'node-exporter', image: 'prom/node-exporter:1.8' });
  sim.addDeployment({ namespace: NS, name: 'api', image: 'shop/api:1.0', replicas: 2, changeCause: 'api 1.0' });
  ops = new KubeOperations(connect({ kubeconfig: cfg('admin'), timeoutSeconds: 5 }));
  viewerOps = new KubeOperations(connect({ kubeconfig: cfg('viewer', 'viewer'), timeoutSeconds: 5 }));
});

after(async () => {
  await sim?.stop();
});

test('sts restart: confirmation says how, the rollout is followed, the journal names the kind and revisions', async () => {
  const h = harness(ops);
  const uids = new Set(live('noa-redis-').map((p) => p.metadata.uid));
  const r = await h.runner.invoke('kube.restart', stsTarget());
  assert.ok(r.ok, JSON.stringify(r));
  assert.match(h.confirms[0]!, /^Restart statefulset\nRolling restart of statefulset noa-redis \(context prod-cluster, namespace prod\)/);
  assert.match(h.confirms[0]!, /one at a time from the highest ordinal/);
  assert.match(h.confirms[0]!, /Server-side dry run: accepted/);
  assert.match(r.outcome.summary, /rollout complete: 3\/3 updated, 3 ready/);
  assert.ok(
    live('noa-redis-').every((p) => !uids.has(p.metadata.uid)),
    'every pod replaced',
  );
  assert.deepEqual(r.outcome.refs, { statefulset: 'noa-redis', kind: 'StatefulSet', namespace: NS, revisionBefore: 1, revisionAfter: 2 });
  assert.deepEqual(
    h.recorded.map((e) => e.kind),
    ['action.started', 'action.succeeded'],
  );
  assert.match(h.recorded[1]!.summary, /^Restart statefulset prod\/noa-redis: restarted/);
  assert.ok(h.progress.some((m) => /prod\/noa-redis: \d\/3 updated/.test(m)));
});

test('sts scale through the scale subresource; a daemonset cannot be scaled and says why', async () => {
  const h = harness(ops, { replicas: '1' });
  const r = await h.runner.invoke('kube.scale', { ...stsTarget(), statefulSet: { desired: 3 } as never });
  assert.ok(r.ok, JSON.stringify(r));
  assert.match(h.confirms[0]!, /Scale statefulset noa-redis from 3 to 1 replicas/);
  assert.match(h.confirms[0]!, /Pods noa-redis-2 … noa-redis-1 are removed, highest ordinal first/);
  await waitFor(() => sim.listPods(NS).filter((p) => p.metadata.name.startsWith('noa-redis-')).length === 1, { what: 'one redis pod', timeoutMs: 15_000 });
  assert.equal(sim.getStatefulSet(NS, 'noa-redis').spec.replicas, 1);
  const back = await harness(ops, { replicas: '3' }).runner.invoke('kube.scale', stsTarget());
  assert.ok(back.ok, JSON.stringify(back));
  const ds = harness(ops, { replicas: '5' });
  const no = await ds.runner.invoke('kube.scale', dsTarget);
  assert.equal(no.ok, false);
  assert.match((no as { message: string }).message, /daemonset node-exporter runs one pod per eligible node and cannot be scaled/);
  assert.equal(ds.confirms.length, 0, 'refused before any prompt');
});

test('sts undo: the previous revision from the ControllerRevisions, as kubectl rollout undo', async () => {
  sim.setImage(NS, 'noa-redis', 'redis:7.4', 'redis 7.4', 'statefulsets');
  await waitFor(() => live('noa-redis-').length === 3 && live('noa-redis-').every((p) => p.spec.containers[0].image === 'redis:7.4' && p.status.containerStatuses?.[0]?.ready), {
    what: 'redis 7.4 rolled out',
    timeoutMs: 20_000,
  });
  const history = await ops.workloadHistory('StatefulSet', NS, 'noa-redis');
  assert.deepEqual(
    history.map((e) => [e.revision, e.current]),
    [
      [1, false],
      [2, false],
      [3, true],
    ],
  );
  const h = harness(ops);
  const r = await h.runner.invoke('kube.rollback', stsTarget());
  assert.ok(r.ok, JSON.stringify(r));
  assert.match(h.confirms[0]!, /Roll back statefulset noa-redis from revision 3 to revision 2/);
  assert.match(h.confirms[0]!, /redis:7\.4 → redis:7\.2/);
  assert.match(h.confirms[0]!, /would roll back to revision 2 \(server dry run accepted\)/);
  assert.equal(sim.getStatefulSet(NS, 'noa-redis').spec.template.spec.containers[0].image, 'redis:7.2');
  assert.ok(live('noa-redis-').every((p) => p.spec.containers[0].image === 'redis:7.2'));
  assert.deepEqual(
    (await ops.workloadHistory('StatefulSet', NS, 'noa-redis')).map((e) => e.revision),
    [1, 3, 4],
    'revision 2 became 4, as on a cluster',
  );
  assert.equal(r.outcome.refs!.toRevision, 2);
});

test("ds undo with a single revision: refused before any confirmation, in the daemonset's words", async () => {
  const h = harness(ops);
  const r = await h.runner.invoke('kube.rollback', dsTarget);
  assert.equal(r.ok, false);
  assert.ok(!r.ok && r.reason === 'invalid', JSON.stringify(r));
  assert.match(r.message, /^Roll back daemonset: no last revision to roll back to: daemonset "node-exporter" has only one revision/);
  assert.equal(h.confirms.length, 0, 'nothing to confirm');
});

test('ds rollback to a chosen revision; undo to the current one is skipped', async () => {
  sim.setImage(NS, 'node-exporter', 'prom/node-exporter:1.9', 'bump', 'daemonsets');
  await waitFor(
    () =>
      live('node-exporter-').every((p) => p.spec.containers[0].image === 'prom/node-exporter:1.9' && p.status.containerStatuses?.[0]?.ready) && live('node-exporter-').length === 3,
    { what: 'ds 1.9', timeoutMs: 20_000 },
  );
  const h = harness(ops);
  const r = await h.runner.invoke('kube.rollback', { ...dsTarget, toRevision: 1 });
  assert.ok(r.ok, JSON.stringify(r));
  assert.match(h.confirms[0]!, /^Roll back daemonset\nRoll back daemonset node-exporter from revision 2 to revision 1/);
  assert.ok(live('node-exporter-').every((p) => p.spec.containers[0].image === 'prom/node-exporter:1.8'));
  const again = await harness(ops).runner.invoke('kube.rollback', { ...dsTarget, toRevision: 3 });
  assert.ok(again.ok);
  assert.match(again.outcome.summary, /skipped rollback: already at revision 3/);
});

test('the rollback confirmed is the one applied: a change while the confirmation is open is refused, nothing rolled back', async () => {
  sim.setImage(NS, 'api', 'shop/api:1.0-hotfix', 'hotfix');
  await waitFor(() => sim.getDeployment(NS, 'api').status.updatedReplicas === 2 && sim.getDeployment(NS, 'api').status.availableReplicas === 2, {
    what: 'hotfix',
    timeoutMs: 20_000,
  });
  // `u` means "the previous revision": the plan pins revision 1 when it is shown.
  const h = harness(ops, {}, () => sim.setImage(NS, 'api', 'shop/api:2.0', 'someone else deploys 2.0'));
  const r = await h.runner.invoke('kube.rollback', { name: 'api', namespace: NS, deployment: { name: 'api' } as never });
  assert.equal(r.ok, false);
  assert.match(h.confirms[0]!, /Roll back deployment api from revision 2 to revision 1/);
  assert.match((r as { message: string }).message, /deployment "api" changed after the rollback to revision 1 was planned \(generation \d+ → \d+\): nothing was rolled back/);
  assert.equal(sim.getDeployment(NS, 'api').spec.template.spec.containers[0].image, 'shop/api:2.0', "the other person's change stands");
  assert.equal(h.recorded.at(-1)!.kind, 'action.failed');
});

test('set memory limit: typed value checked, server dry run, confirmation with before/after, rollout, journal', async () => {
  const bad = harness(ops, { container: 'api', memory: '512m' });
  const b = await bad.runner.invoke('kube.limits', { name: 'api', namespace: NS, kind: 'Deployment' });
  assert.equal(b.ok, false);
  assert.match((b as { message: string }).message, /"512m" means 512 thousandths of a byte; did you mean 512Mi\?/);
  const h = harness(ops, { container: 'api', memory: '1Gi' });
  const r = await h.runner.invoke('kube.limits', { name: 'api', namespace: NS, kind: 'Deployment' });
  assert.ok(r.ok, JSON.stringify(r));
  assert.match(h.confirms[0]!, /memory limit: 512Mi → 1Gi/);
  assert.match(h.confirms[0]!, /limits after: memory 1Gi, cpu \(none\)/);
  assert.match(r.outcome.summary, /container api: memory limit 512Mi → 1Gi, cpu limit \(none\) → \(none\); rollout complete/);
  assert.deepEqual((r.outcome.refs as any).before.memoryLimit, '512Mi');
  assert.deepEqual((r.outcome.refs as any).after.memoryLimit, '1Gi');
  const pods = sim.listPods(NS).filter((p) => p.metadata.name.startsWith('api-') && !p.metadata.deletionTimestamp);
  assert.ok(pods.length === 2 && pods.every((p) => p.spec.containers[0].resources.limits.memory === '1Gi'));
  assert.match(h.recorded[1]!.body ?? '', /memory limit 512Mi → 1Gi/);
  // A limit below the container's request is refused by the server's dry run; nothing changes.
  await ops.setResources('Deployment', NS, 'api', 'api', { memory: '1Gi' });
  const patch = JSON.stringify({ spec: { template: { spec: { containers: [{ name: 'api', resources: { requests: { memory: '900Mi' } } }] } } } });
  const res = await fetch(`${sim.url}/apis/apps/v1/namespaces/${NS}/deployments/api`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${sim.token()}`, 'content-type': 'application/strategic-merge-patch+json' },
    body: patch,
  });
  assert.equal(res.status, 200);
  const low = await harness(ops, { container: 'api', memory: '256Mi' }).runner.invoke('kube.limits', { name: 'api', namespace: NS, kind: 'Deployment' });
  assert.equal(low.ok, false);
  assert.match((low as { message: string }).message, /Dry run rejected .*must be less than or equal to memory limit of 256Mi/);
  assert.equal(sim.getDeployment(NS, 'api').spec.template.spec.containers[0].resources.limits.memory, '1Gi');
});

test('cordon and uncordon through the runner; the viewer is refused before any dialog', async () => {
  const h = harness(ops);
  const r = await h.runner.invoke('kube.cordon', { name: 'sim-node-2' });
  assert.ok(r.ok, JSON.stringify(r));
  assert.match(h.confirms[0]!, /Cordon node sim-node-2/);
  assert.equal(sim.getNode('sim-node-2').spec.unschedulable, true);
  assert.match(r.outcome.summary, /cordoned \(unschedulable false → true\)/);
  const v = harness(viewerOps);
  const no = await v.runner.invoke('kube.uncordon', { name: 'sim-node-2' });
  assert.equal(no.ok, false);
  assert.match((no as { message: string }).message, /forbidden: you cannot patch nodes/);
  assert.equal(v.confirms.length, 0);
  assert.equal(v.recorded[0]!.kind, 'action.refused');
  const u = await harness(ops).runner.invoke('kube.uncordon', { name: 'sim-node-2' });
  assert.ok(u.ok);
  assert.equal(sim.getNode('sim-node-2').spec.unschedulable, undefined);
});

test('delete pod: graceful, replaced by its controller, journaled', async () => {
  const pod = live('noa-redis-1')[0]!;
  const h = harness(ops);
  const r = await h.runner.invoke('kube.deletePod', {
    name: 'noa-redis-1',
    namespace: NS,
    pod: { name: 'noa-redis-1', namespace: NS, owner: { kind: 'StatefulSet', name: 'noa-redis' } } as never,
  });
  assert.ok(r.ok, JSON.stringify(r));
  assert.match(h.confirms[0]!, /Its StatefulSet noa-redis creates a replacement/);
  assert.match(r.outcome.summary, /deleted \(grace period 30s\); StatefulSet noa-redis replaces it/);
  assert.equal(r.outcome.refs!.uid, pod.metadata.uid);
  await waitFor(() => live('noa-redis-1').some((p) => p.metadata.uid !== pod.metadata.uid), { what: 'replacement', timeoutMs: 10_000 });
  const gone = await harness(ops).runner.invoke('kube.deletePod', { name: 'nope', namespace: NS });
  assert.equal(gone.ok, false);
  assert.match((gone as { message: string }).message, /Dry run rejected .*pod "nope" in namespace "prod" \(already gone\?\)/);
});

test('the rollout follower waits out an API outage and reports the rollout done, not failed', async () => {
  // The operations reach the API through a link that is cut for 3 s during the rollout.
  const port = await freePort();
  const target = Number(new URL(sim.url).port);
  const sockets = new Set<net.Socket>();
  let server: net.Server | null = null;
  const up = () =>
    new Promise<void>((res) => {
      server = net.createServer((c) => {
        const u = net.connect(target, '127.0.0.1');
        for (const s of [c, u]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => {});
        }
        c.pipe(u).pipe(c);
      });
      server.listen(port, '127.0.0.1', () => res());
    });
  const down = () =>
    new Promise<void>((res) => {
      for (const s of sockets) s.destroy();
      server ? server.close(() => res()) : res();
    });
  await up();
  const linked = new KubeOperations(connect({ kubeconfig: cfg('linked', 'admin', port), timeoutSeconds: 2 }));
  const h = harness(linked);
  const running = h.runner.invoke('kube.restart', stsTarget('slow'));
  await waitFor(() => h.progress.length > 0, { what: 'following', timeoutMs: 10_000 });
  await down();
  await new Promise((r) => setTimeout(r, 3000));
  await up();
  const r = await running;
  await down();
  assert.ok(r.ok, JSON.stringify(r));
  assert.match(r.outcome.summary, /rollout complete: 3\/3 updated, 3 ready/);
  assert.ok(
    h.progress.some((m) => /still following statefulset prod\/slow, retrying/.test(m)),
    h.progress.join('\n'),
  );
});
