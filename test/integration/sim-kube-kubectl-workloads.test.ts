// The real kubectl against the kube simulator's StatefulSets, DaemonSets, ControllerRevisions and Nodes:
// rollout restart/status/history/undo, scale, cordon, top nodes, delete pod, logs --previous, exec.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { KubeSim } from '../../src/sim/kube/index.js';
import { kubectl, kubectlBinary } from '../helpers/kubectl.js';
import { tempDir, waitFor } from '../helpers/net.js';

const NS = 'prod';

describe('kube sim StatefulSets, DaemonSets and Nodes with the real kubectl', () => {
  let sim: KubeSim;
  let kc: string;
  const k = (...args: string[]) => kubectl(args, { kubeconfig: kc, timeoutMs: 40_000 });
  const ok = async (...args: string[]): Promise<string> => {
    const r = await k(...args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
    assert.doesNotMatch(r.stderr, /warning|error/i, `kubectl ${args.join(' ')} printed on stderr:\n${r.stderr}`);
    return r.stdout;
  };
  const history = async (what: string) =>
    (await ok('rollout', 'history', what))
      .split('\n')
      .filter((l) => /^\d+\s/.test(l))
      .map((l) => Number(/^(\d+)/.exec(l)![1]));
  const livePods = (prefix: string) => sim.listPods(NS).filter((p) => p.metadata.name.startsWith(prefix) && !p.metadata.deletionTimestamp);

  before(async () => {
    kubectlBinary();
    sim = new KubeSim({ speed: 20, seed: 5 });
    await sim.start();
    sim.setImageBehavior('redis:broken', { startup: 'crashloop' });
    sim.addStatefulSet({ namespace: NS, name: 'noa-redis', image: 'redis:7.2', replicas: 3, changeCause: 'initial' });
    sim.addDaemonSet({ namespace: NS, name: 'node-exporter', image: 'prom/node-exporter:1.8' });
    const dir = tempDir('warroom-kubectl-wl-');
    kc = path.join(dir, 'kubeconfig');
    fs.writeFileSync(kc, sim.kubeconfig({ namespace: NS }));
  });

  after(async () => {
    await sim.stop();
  });

  it('gets StatefulSets, DaemonSets, ControllerRevisions and Nodes with kubectl columns', async () => {
    assert.match(await ok('get', 'sts'), /^noa-redis\s+3\/3\s+3d$/m);
    assert.match(await ok('get', 'ds'), /^node-exporter\s+3\s+3\s+3\s+3\s+3\s+<none>\s+3d$/m);
    const pods = await ok('get', 'pods', '-l', 'app=noa-redis', '-o', 'name');
    assert.deepEqual(pods.trim().split('\n'), ['pod/noa-redis-0', 'pod/noa-redis-1', 'pod/noa-redis-2']);
    const crs = await ok('get', 'controllerrevisions');
    assert.match(crs, /^noa-redis-\w+\s+statefulset\.apps\/noa-redis\s+1\s/m);
    assert.match(crs, /^node-exporter-\w+\s+daemonset\.apps\/node-exporter\s+1\s/m);
    assert.match(await ok('get', 'nodes'), /^sim-node-1\s+Ready\s+<none>\s+30d\s+v1\.32\.4$/m);
    const top = await ok('top', 'nodes');
    assert.match(top, /^NAME\s+CPU\(cores\)\s+CPU\(%\)\s+MEMORY\(bytes\)\s+MEMORY\(%\)/);
    assert.equal((top.match(/^sim-node-\d\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%/gm) ?? []).length, 3);
    // Each daemon pod sits on its own node and carries the revision hash.
    const ds = livePods('node-exporter-');
    assert.deepEqual(ds.map((p) => p.spec.nodeName).sort(), ['sim-node-1', 'sim-node-2', 'sim-node-3']);
    const cr = sim.listControllerRevisions(NS).find((r) => r.metadata.name.startsWith('node-exporter-'))!;
    assert.ok(ds.every((p) => `node-exporter-${p.metadata.labels['controller-revision-hash']}` === cr.metadata.name));
  });

  it('sts: rollout restart replaces pods from the highest ordinal, status ends, history grows', async () => {
    const before = new Map(livePods('noa-redis-').map((p) => [p.metadata.name, p.metadata.uid]));
    await ok('rollout', 'restart', 'statefulset/noa-redis');
    const st = await ok('rollout', 'status', 'statefulset/noa-redis', '--timeout=30s');
    assert.match(st, /partitioned roll out complete: 3 new pods have been updated/);
    const s = sim.getStatefulSet(NS, 'noa-redis');
    assert.equal(s.status.updateRevision, s.status.currentRevision);
    assert.equal(s.status.updatedReplicas, 3);
    const after = livePods('noa-redis-');
    assert.equal(after.length, 3);
    assert.ok(
      after.every((p) => p.metadata.uid !== before.get(p.metadata.name)),
      'every pod was replaced under its own name',
    );
    assert.ok(after.every((p) => p.metadata.labels['controller-revision-hash'] === s.status.updateRevision));
    // The controller deletes the highest ordinal first, as the real one does.
    const deletes = sim
      .listEvents(NS)
      .filter((e) => e.reason === 'SuccessfulDelete' && e.involvedObject.name === 'noa-redis')
      .map((e) => /delete Pod (\S+)/.exec(e.message)![1]);
    assert.deepEqual(deletes, ['noa-redis-2', 'noa-redis-1', 'noa-redis-0']);
    assert.deepEqual(await history('statefulset/noa-redis'), [1, 2]);
  });

  it('sts: rollout undo restores the old template and renumbers its revision', async () => {
    const image = (await ok('get', 'sts', 'noa-redis', '-o', 'json')).includes('restartedAt');
    assert.ok(image, 'the restart annotation is on the template before the undo');
    await ok('rollout', 'undo', 'statefulset/noa-redis');
    await ok('rollout', 'status', 'statefulset/noa-redis', '--timeout=30s');
    const s = sim.getStatefulSet(NS, 'noa-redis');
    assert.equal(s.spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt'], undefined);
    assert.deepEqual(await history('statefulset/noa-redis'), [2, 3]);
    const rev3 = sim.listControllerRevisions(NS).find((r) => r.revision === 3 && r.metadata.name.startsWith('noa-redis-'))!;
    assert.equal(s.status.currentRevision, rev3.metadata.name);
    const skipped = await ok('rollout', 'undo', 'statefulset/noa-redis', '--to-revision=3');
    assert.match(skipped, /skipped rollback \(current template already matches revision 3\)/);
    const missing = await k('rollout', 'undo', 'statefulset/noa-redis', '--to-revision=9');
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /unable to find specified revision 9 in history/);
  });

  it('sts: scale removes the highest ordinals and adds them back in order', async () => {
    await ok('scale', 'statefulset/noa-redis', '--replicas=1');
    await waitFor(() => sim.listPods(NS).filter((p) => p.metadata.name.startsWith('noa-redis-')).length === 1, { timeoutMs: 15_000, what: 'noa-redis to shrink to 1' });
    assert.deepEqual(
      sim
        .listPods(NS)
        .filter((p) => p.metadata.name.startsWith('noa-redis-'))
        .map((p) => p.metadata.name),
      ['noa-redis-0'],
    );
    // OrderedReady: noa-redis-2 appears only once noa-redis-1 is Running and Ready.
    const seen: string[] = [];
    let oneReadyWhenTwoAppeared: boolean | undefined;
    const stop = sim.onChange(() => {
      const pods = livePods('noa-redis-');
      for (const p of pods) if (!seen.includes(p.metadata.name)) seen.push(p.metadata.name);
      const two = pods.find((p) => p.metadata.name === 'noa-redis-2');
      if (two && oneReadyWhenTwoAppeared === undefined)
        oneReadyWhenTwoAppeared = pods.find((p) => p.metadata.name === 'noa-redis-1')?.status.containerStatuses?.[0]?.ready === true;
    });
    await ok('scale', 'statefulset/noa-redis', '--replicas=3');
    await ok('rollout', 'status', 'statefulset/noa-redis', '--timeout=30s');
    stop();
    assert.match(await ok('get', 'sts', 'noa-redis'), /^noa-redis\s+3\/3\s/m);
    assert.deepEqual(seen, ['noa-redis-0', 'noa-redis-1', 'noa-redis-2']);
    assert.equal(oneReadyWhenTwoAppeared, true);
    const bad = await k('scale', 'statefulset/noa-redis', '--replicas=-1');
    assert.notEqual(bad.code, 0);
  });

  it('ds: restart, set image and undo roll one node at a time; undo to the current revision is skipped', async () => {
    await ok('rollout', 'restart', 'daemonset/node-exporter');
    assert.match(await ok('rollout', 'status', 'daemonset/node-exporter', '--timeout=30s'), /daemon set "node-exporter" successfully rolled out/);
    await ok('set', 'image', 'daemonset/node-exporter', 'node-exporter=prom/node-exporter:1.9');
    await ok('rollout', 'status', 'daemonset/node-exporter', '--timeout=30s');
    assert.ok(livePods('node-exporter-').every((p) => p.spec.containers[0].image === 'prom/node-exporter:1.9'));
    assert.deepEqual(await history('daemonset/node-exporter'), [1, 2, 3]);
    await ok('rollout', 'undo', 'daemonset/node-exporter', '--to-revision=1');
    await ok('rollout', 'status', 'daemonset/node-exporter', '--timeout=30s');
    const pods = livePods('node-exporter-');
    assert.equal(pods.length, 3);
    assert.ok(pods.every((p) => p.spec.containers[0].image === 'prom/node-exporter:1.8'));
    assert.equal(sim.getDaemonSet(NS, 'node-exporter').spec.template.spec.containers[0].image, 'prom/node-exporter:1.8');
    assert.deepEqual(await history('daemonset/node-exporter'), [2, 3, 4]);
    assert.match(await ok('rollout', 'undo', 'daemonset/node-exporter', '--to-revision=4'), /skipped rollback/);
    // The rolling update never had more than maxUnavailable (1) daemon pod down at once.
    assert.equal(sim.getDaemonSet(NS, 'node-exporter').status.numberReady, 3);
  });

  it('nodes: cordon taints and stops scheduling; uncordon lifts it; the viewer may not', async () => {
    await ok('cordon', 'sim-node-1');
    assert.match(await ok('get', 'nodes'), /^sim-node-1\s+Ready,SchedulingDisabled\s/m);
    const n = sim.getNode('sim-node-1');
    assert.equal(n.spec.unschedulable, true);
    assert.ok(n.spec.taints.some((t: any) => t.key === 'node.kubernetes.io/unschedulable' && t.effect === 'NoSchedule'));
    // New StatefulSet pods avoid the cordoned node; daemon pods tolerate it and stay.
    await ok('rollout', 'restart', 'statefulset/noa-redis');
    await ok('rollout', 'status', 'statefulset/noa-redis', '--timeout=30s');
    assert.ok(livePods('noa-redis-').every((p) => p.spec.nodeName !== 'sim-node-1'));
    assert.ok(livePods('node-exporter-').some((p) => p.spec.nodeName === 'sim-node-1'));
    // (kubectl uncordon prints the error but exits 0, as against a cluster.)
    const viewer = await k('--user', 'viewer', 'uncordon', 'sim-node-1');
    assert.match(viewer.stderr, /nodes "sim-node-1" is forbidden: User "viewer" cannot patch resource "nodes" in API group "" at the cluster scope/);
    assert.equal(sim.getNode('sim-node-1').spec.unschedulable, true);
    await ok('uncordon', 'sim-node-1');
    const back = sim.getNode('sim-node-1');
    assert.equal(back.spec.unschedulable, undefined);
    assert.equal(back.spec.taints, undefined);
    assert.match(await ok('get', 'nodes'), /^sim-node-1\s+Ready\s/m);
  });

  it('nodes: a NotReady node shows in get nodes and gets no metrics', async () => {
    sim.setNodeCondition('sim-node-3', 'Ready', false);
    assert.match(await ok('get', 'nodes'), /^sim-node-3\s+NotReady\s/m);
    assert.ok(sim.getNode('sim-node-3').spec.taints.some((t: any) => t.key === 'node.kubernetes.io/unreachable'));
    const top = await k('top', 'nodes');
    assert.doesNotMatch(top.stdout, /^sim-node-3\s+\d+m/m);
    sim.setNodeCondition('sim-node-3', 'Ready', true);
    assert.match(await ok('get', 'nodes'), /^sim-node-3\s+Ready\s/m);
  });

  it('pods: delete is graceful (Terminating, then replaced); --grace-period=0 --force removes at once', async () => {
    const uid = livePods('noa-redis-1')[0]!.metadata.uid;
    await ok('delete', 'pod', 'noa-redis-1', '--wait=false');
    await waitFor(() => livePods('noa-redis-1').find((p) => p.metadata.uid !== uid && p.status.containerStatuses?.[0]?.ready), {
      timeoutMs: 15_000,
      what: 'noa-redis-1 to come back',
    });
    const ds = livePods('node-exporter-')[0]!;
    const r = await k('delete', 'pod', ds.metadata.name, '--grace-period=0', '--force');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      sim.listPods(NS).find((p) => p.metadata.name === ds.metadata.name),
      undefined,
      'gone without Terminating',
    );
  });

  it('pods: logs --previous after a crash, exec and port-forward answer that the sim runs no containers', async () => {
    sim.setImage(NS, 'noa-redis', 'redis:broken', 'bad', 'statefulsets');
    await waitFor(() => (livePods('noa-redis-2')[0]?.status.containerStatuses?.[0]?.restartCount ?? 0) > 0, { timeoutMs: 20_000, what: 'noa-redis-2 to crash' });
    const prev = await ok('logs', 'noa-redis-2', '--previous');
    assert.match(prev, /level=FATAL msg="startup failed, exiting"/);
    const ex = await k('exec', 'noa-redis-0', '--', 'redis-cli', 'ping');
    assert.notEqual(ex.code, 0);
    assert.match(ex.stderr, /pods\/exec is not supported by the warroom kube simulator/);
    const pf = await k('port-forward', 'pod/noa-redis-0', '16379:6379');
    assert.notEqual(pf.code, 0);
    assert.match(pf.stderr, /pods\/portforward is not supported/);
    const viewer = await k('--user', 'viewer', 'exec', 'noa-redis-0', '--', 'true');
    assert.match(viewer.stderr, /cannot create resource "pods\/exec"/);
  });
});
