// The real kubectl against the kube simulator: get, set image, rollout status/history/undo/restart, scale, top, forbidden.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { KubeSim } from '../../src/sim/kube/index.js';
import { kubectl, kubectlBinary, type KubectlResult } from '../helpers/kubectl.js';
import { tempDir, waitFor } from '../helpers/net.js';

const NS = 'prod';

describe('kube sim with the real kubectl', () => {
  let sim: KubeSim;
  let kc: string;
  const k = (...args: string[]) => kubectl(args, { kubeconfig: kc, timeoutMs: 30_000 });
  const ok = async (...args: string[]): Promise<string> => {
    const r = await k(...args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
    assert.doesNotMatch(r.stderr, /warning|error/i, `kubectl ${args.join(' ')} printed on stderr:\n${r.stderr}`);
    return r.stdout;
  };
  const history = async () =>
    (await ok('rollout', 'history', 'deployment/api'))
      .split('\n')
      .filter((l) => /^\d+\s/.test(l))
      .map((l) => {
        const m = /^(\d+)\s+(.*)$/.exec(l.trim())!;
        return { revision: Number(m[1]), cause: m[2]!.trim() };
      });
  const rsOf = async () => {
    const list = JSON.parse(await ok('get', 'rs', '-l', 'app=api', '-o', 'json')).items as any[];
    return list.sort((a, b) => Number(a.metadata.annotations['deployment.kubernetes.io/revision']) - Number(b.metadata.annotations['deployment.kubernetes.io/revision']));
  };

  before(async () => {
    kubectlBinary(); // fails the suite with a clear message when kubectl is missing
    sim = new KubeSim({ speed: 20, seed: 3 });
    await sim.start();
    sim.addNamespace(NS);
    sim.addDeployment({ namespace: NS, name: 'api', image: 'shop/api:1.0', replicas: 3, changeCause: 'initial release' });
    sim.addDeployment({ namespace: NS, name: 'web', image: 'shop/web:1.0', replicas: 2 });
    const dir = tempDir('warroom-kubectl-');
    kc = path.join(dir, 'kubeconfig');
    fs.writeFileSync(kc, sim.kubeconfig({ namespace: NS }));
  });

  after(async () => {
    await sim.stop();
  });

  it('gets pods and deployments with the usual columns', async () => {
    const pods = await ok('get', 'pods');
    assert.match(pods, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE/);
    assert.equal((pods.match(/\b1\/1\s+Running\s+0\b/g) ?? []).length, 5);
    const deploy = await ok('get', 'deploy', '-o', 'wide');
    assert.match(deploy, /^api\s+3\/3\s+3\s+3\s+\S+\s+api\s+shop\/api:1\.0\s+app=api$/m);
    const one = JSON.parse(await ok('get', 'deploy', 'api', '-o', 'json'));
    assert.equal(one.status.availableReplicas, 3);
  });

  it('set image → rollout status terminates, history lists change-causes', async () => {
    await ok('set', 'image', 'deployment/api', 'api=shop/api:2.0');
    await ok('annotate', 'deployment/api', 'kubernetes.io/change-cause=upgrade to 2.0', '--overwrite');
    const status = await ok('rollout', 'status', 'deployment/api', '--timeout=25s');
    assert.match(status, /deployment "api" successfully rolled out/);
    const d = sim.getDeployment(NS, 'api');
    assert.equal(d.status.updatedReplicas, 3);
    assert.equal(d.status.availableReplicas, 3);
    assert.equal(d.spec.template.spec.containers[0].image, 'shop/api:2.0');
    assert.ok(
      sim
        .listPods(NS)
        .filter((p) => p.metadata.labels.app === 'api' && !p.metadata.deletionTimestamp)
        .every((p) => p.spec.containers[0].image === 'shop/api:2.0'),
    );
    assert.deepEqual(await history(), [
      { revision: 1, cause: 'initial release' },
      { revision: 2, cause: 'upgrade to 2.0' },
    ]);
  });

  it('rollout undo makes the old ReplicaSet the newest revision, as on a cluster', async () => {
    const before = await rsOf();
    const rev1Name = before[0].metadata.name;
    await ok('rollout', 'undo', 'deployment/api');
    await ok('rollout', 'status', 'deployment/api', '--timeout=25s');
    assert.deepEqual(await history(), [
      { revision: 2, cause: 'upgrade to 2.0' },
      { revision: 3, cause: 'initial release' },
    ]);
    const rs = await rsOf();
    assert.equal(rs.length, 2);
    const newest = rs[rs.length - 1];
    assert.equal(newest.metadata.name, rev1Name, 'the revision-1 ReplicaSet is reused');
    assert.equal(newest.metadata.annotations['deployment.kubernetes.io/revision'], '3');
    assert.equal(newest.spec.replicas, 3);
    assert.equal(rs[0].spec.replicas, 0);
    assert.equal(sim.getDeployment(NS, 'api').spec.template.spec.containers[0].image, 'shop/api:1.0');
    // The sim's own view agrees with what kubectl saw.
    const simRs = sim.listReplicaSets(NS).find((r) => r.metadata.name === rev1Name);
    assert.equal(simRs.metadata.annotations['deployment.kubernetes.io/revision'], '3');
  });

  it('rollout restart stamps restartedAt and rolls a new ReplicaSet', async () => {
    await ok('rollout', 'restart', 'deployment/api');
    const d = sim.getDeployment(NS, 'api');
    assert.match(d.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt'], /^\d{4}-\d\d-\d\dT/);
    await ok('rollout', 'status', 'deployment/api', '--timeout=25s');
    const rs = await rsOf();
    assert.equal(rs.length, 3);
    const newest = rs[rs.length - 1];
    assert.equal(newest.metadata.annotations['deployment.kubernetes.io/revision'], '4');
    assert.ok(newest.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']);
    assert.equal(newest.status.readyReplicas, 3);
  });

  it('scale --replicas=N converges the pods to N', async () => {
    await ok('scale', 'deployment/web', '--replicas=4');
    await waitFor(() => sim.listPods(NS).filter((p) => p.metadata.labels.app === 'web' && !p.metadata.deletionTimestamp && p.status.containerStatuses?.[0]?.ready).length === 4, {
      timeoutMs: 15_000,
      what: 'web to have 4 ready pods',
    });
    await ok('scale', 'deployment/web', '--replicas=1');
    await waitFor(() => sim.listPods(NS).filter((p) => p.metadata.labels.app === 'web').length === 1, { timeoutMs: 15_000, what: 'web to shrink to 1 pod' });
    const out = await ok('get', 'deploy', 'web');
    assert.match(out, /^web\s+1\/1\s+1\s+1\s/m);
  });

  it('top pods reads the metrics API', async () => {
    const out = await ok('top', 'pods');
    assert.match(out, /^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)/);
    assert.match(out, /^api-\S+\s+\d+m\s+\d+Mi/m);
  });

  it('the viewer user is forbidden to mutate, and the server keeps serving', async () => {
    const r: KubectlResult = await k('--user', 'viewer', 'scale', 'deployment/api', '--replicas=1');
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /Error from server \(Forbidden\): deployments\.apps "api" is forbidden: User "viewer" cannot patch resource "deployments\/scale" in API group "apps" in the namespace "prod"/,
    );
    const r2 = await k('--user', 'viewer', 'rollout', 'restart', 'deployment/api');
    assert.notEqual(r2.code, 0);
    assert.match(r2.stderr, /deployments\.apps "api" is forbidden: User "viewer" cannot patch resource "deployments" in API group "apps" in the namespace "prod"/);
    assert.equal(sim.getDeployment(NS, 'api').spec.replicas, 3);
    assert.equal((await k('--user', 'viewer', 'auth', 'can-i', 'patch', 'deployments')).stdout.trim(), 'no');
    assert.equal((await k('auth', 'can-i', 'patch', 'deployments')).stdout.trim(), 'yes');
    const missing = await k('get', 'deploy', 'nope');
    assert.match(missing.stderr, /Error from server \(NotFound\): deployments\.apps "nope" not found/);
    await ok('--user', 'viewer', 'get', 'pods');
  });
});

describe('kube sim rollouts that do not finish', () => {
  let sim: KubeSim;
  let kc: string;
  const k = (...args: string[]) => kubectl(args, { kubeconfig: kc, timeoutMs: 30_000 });

  before(async () => {
    sim = new KubeSim({ speed: 20, seed: 9 });
    await sim.start();
    sim.setImageBehavior('shop/api:broken', { startup: 'crashloop' });
    sim.addDeployment({ namespace: NS, name: 'api', image: 'shop/api:1.0', replicas: 2, changeCause: 'initial' });
    sim.addDeployment({ namespace: NS, name: 'batch', image: 'shop/batch:1.0', replicas: 1 });
    const dir = tempDir('warroom-kubectl-');
    kc = path.join(dir, 'kubeconfig');
    fs.writeFileSync(kc, sim.kubeconfig({ namespace: NS }));
  });

  after(async () => {
    await sim.stop();
  });

  it('a crashing image exceeds progressDeadlineSeconds and rollout status fails', async () => {
    const p = await k('patch', 'deployment/api', '-p', '{"spec":{"progressDeadlineSeconds":20}}');
    assert.equal(p.code, 0, p.stderr);
    sim.setImage(NS, 'api', 'shop/api:broken', 'bad build');
    const r = await k('rollout', 'status', 'deployment/api', '--timeout=25s');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /deployment "api" exceeded its progress deadline/);
    const d = sim.getDeployment(NS, 'api');
    const prog = d.status.conditions.find((c: any) => c.type === 'Progressing');
    assert.equal(prog.status, 'False');
    assert.equal(prog.reason, 'ProgressDeadlineExceeded');
    // maxUnavailable 25% of 2 rounds down to 0: the old pods keep serving.
    assert.equal(d.status.availableReplicas, 2);
    const pods = (await k('get', 'pods', '-l', 'app=api')).stdout;
    assert.match(pods, /0\/1\s+(CrashLoopBackOff|Running|Error)\s+\d+/);
  });

  it('a paused deployment does not roll, still scales, and kubectl refuses to undo it', async () => {
    sim.setImage(NS, 'batch', 'shop/batch:1.5', 'second');
    assert.equal((await k('rollout', 'status', 'deployment/batch', '--timeout=20s')).code, 0);
    assert.equal((await k('rollout', 'pause', 'deployment/batch')).code, 0);
    assert.equal((await k('set', 'image', 'deployment/batch', 'batch=shop/batch:2.0')).code, 0);
    assert.equal((await k('scale', 'deployment/batch', '--replicas=2')).code, 0);
    await waitFor(() => sim.listPods(NS).filter((p) => p.metadata.labels.app === 'batch' && p.status.containerStatuses?.[0]?.ready).length === 2, {
      timeoutMs: 10_000,
      what: 'paused deployment to scale to 2',
    });
    const rs = sim.listReplicaSets(NS).filter((r) => r.metadata.labels.app === 'batch');
    assert.equal(rs.length, 2, 'no new ReplicaSet while paused');
    assert.ok(
      sim
        .listPods(NS)
        .filter((p) => p.metadata.labels.app === 'batch' && !p.metadata.deletionTimestamp)
        .every((p) => p.spec.containers[0].image === 'shop/batch:1.5'),
    );
    const cond = sim.getDeployment(NS, 'batch').status.conditions.find((c: any) => c.type === 'Progressing');
    assert.equal(cond.reason, 'DeploymentPaused');
    const undo = await k('rollout', 'undo', 'deployment/batch');
    assert.notEqual(undo.code, 0);
    assert.match(undo.stderr, /paused/);
    assert.equal((await k('rollout', 'resume', 'deployment/batch')).code, 0);
    const st = await k('rollout', 'status', 'deployment/batch', '--timeout=20s');
    assert.equal(st.code, 0, st.stderr);
    assert.ok(
      sim
        .listPods(NS)
        .filter((p) => p.metadata.labels.app === 'batch' && !p.metadata.deletionTimestamp)
        .every((p) => p.spec.containers[0].image === 'shop/batch:2.0'),
    );
  });
});
