// Kube actions against the Kubernetes API simulator through the real client-node, with the
// real action runner; parity with the real kubectl's `rollout undo`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { KubeSim } from '../../src/sim/kube/index.js';
import { connect } from '../../src/sources/kube/client.js';
import { KubeOperations } from '../../src/sources/kube/actions.js';
import { type KubeError } from '../../src/sources/kube/errors.js';
import { ActionRunner } from '../../src/actions/runner.js';
import { kubeActions } from '../../src/actions/kube.js';
import type { ActionEnv, Interaction } from '../../src/actions/types.js';
import type { NewEntry } from '../../src/incident/types.js';
import { tempDir, waitFor } from '../helpers/net.js';

const run = promisify(execFile);
const KUBECTL = '/usr/bin/kubectl';
const NS = 'prod';

let sim: KubeSim;
let dir: string;
let adminCfg: string;
let viewerCfg: string;
let ops: KubeOperations;
const cleanups: Array<() => Promise<void> | void> = [];

function writeCfg(s: KubeSim, name: string, user: 'admin' | 'viewer' = 'admin'): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, s.kubeconfig({ context: 'prod-cluster', namespace: NS, user }));
  return p;
}

async function kubectl(cfg: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(KUBECTL, ['--kubeconfig', cfg, ...args], { timeout: 15_000 });
  return stdout;
}

function settled(s: KubeSim, name: string): boolean {
  const d = s.getDeployment(NS, name);
  const st = d?.status ?? {};
  const want = d?.spec?.replicas ?? 1;
  return (
    Boolean(d) && (st.observedGeneration ?? 0) >= d.metadata.generation && (st.updatedReplicas ?? 0) === want && (st.availableReplicas ?? 0) === want && (st.replicas ?? 0) === want
  );
}

const settle = (s: KubeSim, name: string) => waitFor(() => settled(s, name), { what: `${name} settled`, timeoutMs: 20_000 });

function harness(services: Record<string, unknown>, answers: Record<string, string> = {}) {
  const recorded: NewEntry[] = [];
  const confirms: Array<{ lines: string[]; typeName?: string }> = [];
  const notes: string[] = [];
  const ui: Interaction = {
    prompt: async (_t, fields) => Object.fromEntries(fields.map((f) => [f.name, answers[f.name] ?? f.initial])),
    confirm: async (req) => {
      confirms.push({ lines: req.lines, typeName: req.typeName });
      return true;
    },
    notify: (m) => notes.push(m),
  };
  const env: ActionEnv = { context: 'prod-cluster', readOnly: false, drill: false, recorder: { record: (e) => recorded.push(e) }, services };
  const runner = new ActionRunner(env, ui, { productionContexts: [] }).register(...kubeActions);
  return { runner, recorded, confirms, notes };
}

/** What a deployment looks like to the user, without the fields that always change. */
function snapshot(s: KubeSim, name: string) {
  const d = s.getDeployment(NS, name);
  return {
    rv: d.metadata.resourceVersion,
    generation: d.metadata.generation,
    template: JSON.stringify(d.spec.template),
    replicas: d.spec.replicas,
    annotations: JSON.stringify(d.metadata.annotations),
    rs: s.listReplicaSets(NS).filter((r: any) => r.metadata.name.startsWith(`${name}-`)).length,
  };
}

function setupWorld(s: KubeSim): void {
  s.addNamespace(NS);
  s.setImageBehavior('shop/api:1.0', { readyDelaySeconds: 1 });
  s.setImageBehavior('shop/api:1.1', { readyDelaySeconds: 1 });
  s.setImageBehavior('shop/api:1.2', { readyDelaySeconds: 1 });
  s.addDeployment({ namespace: NS, name: 'api', image: 'shop/api:1.0', replicas: 3, changeCause: 'deploy 1.0' });
  s.addDeployment({ namespace: NS, name: 'solo', image: 'shop/api:1.0', replicas: 1 });
  s.addDeployment({ namespace: NS, name: 'paused', image: 'shop/api:1.0', replicas: 1 });
}

before(async () => {
  assert.ok(fs.existsSync(KUBECTL), `kubectl is required at ${KUBECTL}`);
  dir = tempDir('warroom-kube-actions-');
  sim = new KubeSim({ speed: 20, seed: 11 });
  await sim.start();
  cleanups.push(() => sim.stop());
  setupWorld(sim);
  adminCfg = writeCfg(sim, 'admin');
  viewerCfg = writeCfg(sim, 'viewer', 'viewer');
  ops = new KubeOperations(connect({ kubeconfig: adminCfg, timeoutSeconds: 5 }));
});

after(async () => {
  for (const c of cleanups.reverse()) await c();
});

test('restart: patches restartedAt, follows the rollout, journals revisions', async () => {
  const progress: string[] = [];
  const { runner, recorded, confirms } = harness({ kube: ops, progress: (m: string) => progress.push(m) });
  const before = Number(sim.getDeployment(NS, 'api').metadata.annotations['deployment.kubernetes.io/revision']);
  const r = await runner.invoke('kube.restart', { name: 'api', namespace: NS });
  assert.ok(r.ok, JSON.stringify(r));
  assert.match(confirms[0].lines.join('\n'), /Rolling restart of deployment api \(context prod-cluster, namespace prod\)/);
  assert.match(confirms[0].lines.join('\n'), /Server-side dry run: accepted/);
  const d = sim.getDeployment(NS, 'api');
  const at = d.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt'];
  assert.match(at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/);
  assert.ok(Math.abs(Date.parse(at) - Date.now()) < 30_000);
  assert.ok(settled(sim, 'api'), 'run returned after the rollout completed');
  assert.match(r.outcome.summary, /rollout complete/);
  assert.deepEqual(r.outcome.refs, { deployment: 'api', kind: 'Deployment', namespace: NS, revisionBefore: before, revisionAfter: before + 1 });
  assert.ok(progress.length > 0 && progress.every((p) => p.startsWith('prod/api: ')), 'progress reported');
  assert.deepEqual(
    recorded.map((e) => e.kind),
    ['action.started', 'action.succeeded'],
  );
});

test('scale: pre-filled with the current replicas; scaling to 0 needs the typed name', async () => {
  const { runner, confirms } = harness({ kube: ops }, { replicas: '5' });
  const row = { desired: 3 } as any;
  const def = runner.get('kube.scale')!;
  assert.equal(def.fields!({ name: 'api', namespace: NS, deployment: row }, runner.env)[0].initial, '3');
  const r = await runner.invoke('kube.scale', { name: 'api', namespace: NS, deployment: row });
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal(sim.getDeployment(NS, 'api').spec.replicas, 5);
  assert.ok(settled(sim, 'api'));
  assert.equal(confirms[0].typeName, undefined);
  assert.match(confirms[0].lines[0], /Scale deployment api from 3 to 5 replicas \(context prod-cluster, namespace prod\)/);

  const zero = harness({ kube: ops }, { replicas: '0' });
  const r0 = await zero.runner.invoke('kube.scale', { name: 'solo', namespace: NS, deployment: { desired: 1 } as any });
  assert.ok(r0.ok, JSON.stringify(r0));
  assert.equal(zero.confirms[0].typeName, 'solo');
  assert.equal(sim.getDeployment(NS, 'solo').spec.replicas, 0);
  await ops.scale(NS, 'solo', 1);
});

test('scale: a conflicting write between read and write is retried once on fresh data, twice is reported', async () => {
  const clients = connect({ kubeconfig: adminCfg, timeoutSeconds: 5 });
  const read = clients.apps.readNamespacedDeploymentScale.bind(clients.apps);
  let interfere = 1;
  let n = 0;
  // Another person annotates the deployment right after each of our reads (a real concurrent write).
  clients.apps.readNamespacedDeploymentScale = (async (...args: Parameters<typeof read>) => {
    const s = await read(...args);
    if (interfere-- > 0) await kubectl(adminCfg, 'annotate', '--overwrite', 'deployment/api', `touched=${++n}`);
    return s;
  }) as typeof read;
  const racing = new KubeOperations(clients);
  const r = await racing.scale(NS, 'api', 4);
  assert.equal(r.retried, true);
  assert.equal(r.from, 5);
  assert.equal(sim.getDeployment(NS, 'api').spec.replicas, 4);

  interfere = 2;
  await assert.rejects(racing.scale(NS, 'api', 2), (e: KubeError) => e.kind === 'conflict' && /^conflict: /.test(e.message));
  assert.equal(sim.getDeployment(NS, 'api').spec.replicas, 4, 'nothing written');
  await settle(sim, 'api');
});

test('rollback: previous revision, image diff before confirming, history', async () => {
  sim.setImage(NS, 'api', 'shop/api:1.1', 'deploy 1.1');
  await settle(sim, 'api');
  const history = await ops.rolloutHistory(NS, 'api');
  const revs = history.map((h) => h.revision);
  const current = history.find((h) => h.current)!;
  assert.deepEqual(current.images, ['shop/api:1.1']);
  assert.equal(current.changeCause, 'deploy 1.1');
  assert.equal(revs[revs.length - 1], current.revision);

  const { runner, confirms } = harness({ kube: ops });
  const r = await runner.invoke('kube.rollback', { name: 'api', namespace: NS });
  assert.ok(r.ok, JSON.stringify(r));
  const text = confirms[0].lines.join('\n');
  assert.match(text, new RegExp(`Roll back deployment api from revision ${current.revision} to revision ${current.revision - 1} \\(context prod-cluster, namespace prod\\)`));
  assert.match(text, /shop\/api:1\.1 → shop\/api:1\.0/);
  const d = sim.getDeployment(NS, 'api');
  assert.equal(d.spec.template.spec.containers[0].image, 'shop/api:1.0');
  assert.equal(d.spec.template.metadata.labels['pod-template-hash'], undefined);
  assert.equal(d.metadata.annotations['kubernetes.io/change-cause'], 'deploy 1.0', 'change-cause copied from the ReplicaSet');
  assert.ok(settled(sim, 'api'));
  assert.equal(r.outcome.refs!.revisionBefore, current.revision);
  assert.equal(r.outcome.refs!.revisionAfter, current.revision + 1);

  // The history view (h) lists the new revision as current, with the image and change-cause rolled back to.
  const current2 = (await ops.rolloutHistory(NS, 'api')).find((e) => e.current)!;
  assert.deepEqual([current2.revision, current2.images, current2.changeCause], [current.revision + 1, ['shop/api:1.0'], 'deploy 1.0']);
});

test('rollback to a chosen revision; already there is skipped', async () => {
  const hist = await ops.rolloutHistory(NS, 'api');
  const with11 = hist.find((h) => h.images[0] === 'shop/api:1.1')!;
  const r = await ops.rollback(NS, 'api', { toRevision: with11.revision });
  assert.equal(r.outcome, 'rolled back');
  await settle(sim, 'api');
  const now = (await ops.rolloutHistory(NS, 'api')).find((h) => h.current)!;
  assert.deepEqual(now.images, ['shop/api:1.1']);
  const skip = await ops.rollback(NS, 'api', { toRevision: now.revision });
  assert.equal(skip.outcome, 'skipped');
  assert.match(skip.message, new RegExp(`already at revision ${now.revision}`));
  await assert.rejects(ops.rollback(NS, 'api', { toRevision: 99 }), /unable to find specified revision 99 in history/);
});

test('dry run leaves the world unchanged', async () => {
  await settle(sim, 'api');
  const before = snapshot(sim, 'api');
  await ops.restart(NS, 'api', { dryRun: true });
  await ops.scale(NS, 'api', 7, { dryRun: true });
  const rb = await ops.rollback(NS, 'api', { dryRun: true });
  assert.equal(rb.outcome, 'dry run');
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(snapshot(sim, 'api'), before);
});

test('forbidden: the precheck refuses before confirming; the server message is kept', async () => {
  const viewer = new KubeOperations(connect({ kubeconfig: viewerCfg, timeoutSeconds: 5 }));
  const { runner, confirms, recorded } = harness({ kube: viewer }, { replicas: '2' });
  for (const id of ['kube.restart', 'kube.rollback', 'kube.scale']) {
    const r = await runner.invoke(id, { name: 'api', namespace: NS });
    assert.equal(r.ok, false);
    assert.equal((r as any).reason, 'forbidden', id);
    assert.match((r as any).message, id === 'kube.scale' ? /^forbidden: you cannot update deployments\/scale in prod/ : /^forbidden: you cannot patch deployments in prod/);
  }
  assert.equal(confirms.length, 0, 'never asked to confirm');
  assert.ok(recorded.every((e) => e.kind === 'action.refused'));
  await assert.rejects(viewer.restart(NS, 'api'), (e: KubeError) => e.kind === 'forbidden' && /^forbidden: .*viewer/.test(e.message));
  assert.equal((await viewer.canI('get', 'deployments', NS)).allowed, true);
});

test('not found, paused, nothing to roll back to', async () => {
  await assert.rejects(ops.restart(NS, 'nope'), (e: KubeError) => e.kind === 'not-found' && /deployment "nope" in namespace "prod"/.test(e.message));
  await assert.rejects(ops.scale(NS, 'nope', 1), (e: KubeError) => e.kind === 'not-found');
  await assert.rejects(ops.rollback(NS, 'solo'), (e: KubeError) => e.kind === 'no-history' && /nothing to roll back to/.test(e.message));

  sim.setImage(NS, 'paused', 'shop/api:1.1');
  await settle(sim, 'paused');
  await kubectl(adminCfg, 'rollout', 'pause', 'deployment/paused');
  await assert.rejects(
    ops.rollback(NS, 'paused'),
    (e: KubeError) => e.kind === 'paused' && /deployment "paused" is paused; resume it first \(kubectl rollout resume/.test(e.message),
  );
  await assert.rejects(ops.restart(NS, 'paused'), (e: KubeError) => e.kind === 'paused');
  const { runner } = harness({ kube: ops });
  const r = await runner.invoke('kube.rollback', { name: 'paused', namespace: NS });
  assert.equal(r.ok, false);
  assert.match((r as any).message, /is paused; resume it first/);
});

test('API unreachable and timed out are reported as such', async () => {
  const gone = new KubeSim({ speed: 20, seed: 3 });
  await gone.start();
  const cfg = writeCfg(gone, 'gone');
  await gone.stop();
  const down = new KubeOperations(connect({ kubeconfig: cfg, timeoutSeconds: 2 }));
  await assert.rejects(
    down.restart(NS, 'api'),
    (e: KubeError) => e.kind === 'unreachable' && /cannot connect to the Kubernetes API at https?:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/.test(e.message),
  );

  // A server that accepts connections and never answers.
  const silent = http.createServer(() => {});
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        silent.closeAllConnections();
        silent.close(() => r());
      }),
  );
  const port = (silent.address() as any).port;
  const cfgText = fs
    .readFileSync(adminCfg, 'utf8')
    .replace(/server: .*/, `server: http://127.0.0.1:${port}\n      insecure-skip-tls-verify: true`)
    .replace(/\s*certificate-authority-data: .*/, '');
  const slowCfg = path.join(dir, 'silent');
  fs.writeFileSync(slowCfg, cfgText);
  const slow = new KubeOperations(connect({ kubeconfig: slowCfg, timeoutSeconds: 1 }));
  const t0 = Date.now();
  await assert.rejects(
    slow.scale(NS, 'api', 1),
    (e: KubeError) => e.kind === 'timeout' && /timed out: the Kubernetes API at http:\/\/127\.0\.0\.1:\d+ did not answer in time/.test(e.message),
  );
  assert.ok(Date.now() - t0 < 4000, 'the request timeout applies');
});

test('parity: warroom rollback and kubectl rollout undo leave the same history and ReplicaSets', async () => {
  const a = new KubeSim({ speed: 20, seed: 99 });
  const b = new KubeSim({ speed: 20, seed: 99 });
  await a.start();
  await b.start();
  cleanups.push(
    () => a.stop(),
    () => b.stop(),
  );
  const cfgA = writeCfg(a, 'a');
  const cfgB = writeCfg(b, 'b');
  for (const s of [a, b]) {
    setupWorld(s);
    s.setImage(NS, 'api', 'shop/api:1.1', 'deploy 1.1');
  }
  await Promise.all([settle(a, 'api'), settle(b, 'api')]);
  for (const s of [a, b]) s.setImage(NS, 'api', 'shop/api:1.2', 'deploy 1.2');
  await Promise.all([settle(a, 'api'), settle(b, 'api')]);

  // Undo twice (1.2 → 1.1, then back to 1.2), then to a chosen revision (1.0).
  const opsB = new KubeOperations(connect({ kubeconfig: cfgB, timeoutSeconds: 5 }));
  for (const step of [[], [], ['--to-revision=1']]) {
    await kubectl(cfgA, 'rollout', 'undo', 'deployment/api', ...step);
    await opsB.rollback(NS, 'api', step.length ? { toRevision: 1 } : {});
    await Promise.all([settle(a, 'api'), settle(b, 'api')]);
  }

  const histA = await kubectl(cfgA, 'rollout', 'history', 'deployment/api');
  const histB = await kubectl(cfgB, 'rollout', 'history', 'deployment/api');
  assert.equal(histB, histA);
  assert.match(histA, /deploy 1\.0/);

  const rsView = async (cfg: string) => {
    const list = JSON.parse(await kubectl(cfg, 'get', 'rs', '-o', 'json', '-l', 'app=api'));
    return list.items
      .map((rs: any) => ({
        name: rs.metadata.name,
        revision: rs.metadata.annotations['deployment.kubernetes.io/revision'],
        history: rs.metadata.annotations['deployment.kubernetes.io/revision-history'] ?? null,
        changeCause: rs.metadata.annotations['kubernetes.io/change-cause'] ?? null,
        template: rs.spec.template,
        replicas: rs.spec.replicas,
      }))
      .sort((x: any, y: any) => (x.name < y.name ? -1 : 1));
  };
  const [rsA, rsB] = await Promise.all([rsView(cfgA), rsView(cfgB)]);
  assert.equal(rsA.length, 3);
  assert.deepEqual(rsB, rsA);
  const depView = async (cfg: string) => {
    const d = JSON.parse(await kubectl(cfg, 'get', 'deployment', 'api', '-o', 'json'));
    return { annotations: d.metadata.annotations, template: d.spec.template };
  };
  assert.deepEqual(await depView(cfgB), await depView(cfgA));
});
