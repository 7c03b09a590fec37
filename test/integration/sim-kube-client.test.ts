// The real @kubernetes/client-node against the kube simulator: lists, watches, patches, scale, errors.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AppsV1Api, AuthorizationV1Api, CoreV1Api, KubeConfig, Metrics, PatchStrategy, Watch, setHeaderOptions } from '@kubernetes/client-node';
import { KubeSim } from '../../src/sim/kube/index.js';
import { waitFor } from '../helpers/net.js';

const NS = 'prod';

function client(sim: KubeSim, user: 'admin' | 'viewer' = 'admin') {
  const kc = new KubeConfig();
  kc.loadFromString(sim.kubeconfig({ user, namespace: NS }));
  return { kc, core: kc.makeApiClient(CoreV1Api), apps: kc.makeApiClient(AppsV1Api), authz: kc.makeApiClient(AuthorizationV1Api) };
}

/** The API error a client-node call rejected with: HTTP code and the decoded Status body. */
async function apiError(p: Promise<unknown>): Promise<{ code: number; status: any }> {
  try {
    await p;
  } catch (e: any) {
    assert.equal(typeof e.code, 'number', `expected an ApiException, got ${e}`);
    return { code: e.code, status: typeof e.body === 'string' ? JSON.parse(e.body) : e.body };
  }
  assert.fail('expected the call to fail');
}

interface Seen {
  type: string;
  obj: any;
}

async function startWatch(kc: KubeConfig, path: string, query: Record<string, string | boolean | number | undefined>) {
  const seen: Seen[] = [];
  let ended: unknown = undefined;
  let isEnded = false;
  const ctl = await new Watch(kc).watch(
    path,
    query,
    (type, obj) => seen.push({ type, obj }),
    (err) => {
      isEnded = true;
      ended = err;
    },
  );
  return { seen, ctl, ended: () => isEnded, error: () => ended };
}

describe('kube sim with @kubernetes/client-node', () => {
  let sim: KubeSim;
  let admin: ReturnType<typeof client>;
  let viewer: ReturnType<typeof client>;
  const watches: AbortController[] = [];

  before(async () => {
    sim = new KubeSim({ speed: 20, seed: 42, bookmarkIntervalMs: 200 });
    await sim.start();
    sim.addNamespace(NS);
    sim.addNamespace('staging');
    sim.setImageBehavior('shop/worker:bad', { startup: 'crashloop' });
    sim.addDeployment({ namespace: NS, name: 'api', image: 'shop/api:1.0', replicas: 3, changeCause: 'initial release', labels: { app: 'api', tier: 'backend' } });
    sim.addDeployment({ namespace: NS, name: 'web', image: 'shop/web:1.0', replicas: 2, labels: { app: 'web', tier: 'frontend' } });
    sim.addDeployment({ namespace: 'staging', name: 'api', image: 'shop/api:1.1', replicas: 1 });
    admin = client(sim);
    viewer = client(sim, 'viewer');
  });

  after(async () => {
    for (const w of watches) w.abort();
    await sim.stop();
  });

  it('lists namespaces, pods, deployments and replicasets with the real shapes', async () => {
    const nss = await admin.core.listNamespace();
    assert.deepEqual(nss.items.map((n) => n.metadata?.name).sort(), ['default', 'prod', 'staging']);
    assert.equal((await admin.core.readNamespace({ name: 'prod' })).status?.phase, 'Active');
    const pods = await admin.core.listNamespacedPod({ namespace: NS });
    assert.equal(pods.items.length, 5);
    for (const p of pods.items) {
      assert.equal(p.status?.phase, 'Running');
      assert.equal(p.status?.containerStatuses?.[0]?.ready, true);
      assert.ok(p.spec?.nodeName);
    }
    const d = await admin.apps.readNamespacedDeployment({ name: 'api', namespace: NS });
    assert.equal(d.status?.readyReplicas, 3);
    assert.equal(d.metadata?.annotations?.['deployment.kubernetes.io/revision'], '1');
    assert.equal(d.status?.conditions?.find((c) => c.type === 'Progressing')?.reason, 'NewReplicaSetAvailable');
    const rs = await admin.apps.listNamespacedReplicaSet({ namespace: NS, labelSelector: 'app=api' });
    assert.equal(rs.items.length, 1);
    const owner = rs.items[0]!.metadata?.ownerReferences?.[0];
    assert.equal(owner?.uid, d.metadata?.uid);
    assert.equal(owner?.controller, true);
    assert.equal(rs.items[0]!.metadata?.annotations?.['kubernetes.io/change-cause'], 'initial release');
    assert.ok(rs.items[0]!.metadata?.labels?.['pod-template-hash']);
    // Cluster-wide lists.
    assert.equal((await admin.core.listPodForAllNamespaces()).items.length, 6);
    assert.equal((await admin.apps.listDeploymentForAllNamespaces()).items.length, 3);
  });

  it('filters with set-based label selectors and field selectors', async () => {
    const names = async (labelSelector?: string, fieldSelector?: string) =>
      (await admin.apps.listNamespacedDeployment({ namespace: NS, labelSelector, fieldSelector })).items.map((d) => d.metadata?.name).sort();
    assert.deepEqual(await names('tier in (backend,db)'), ['api']);
    assert.deepEqual(await names('tier notin (backend)'), ['web']);
    assert.deepEqual(await names('app!=api'), ['web']);
    assert.deepEqual(await names('tier'), ['api', 'web']);
    assert.deepEqual(await names('!tier'), []);
    assert.deepEqual(await names(undefined, 'metadata.name=web'), ['web']);
    const pods = await admin.core.listPodForAllNamespaces({ fieldSelector: 'metadata.namespace=staging' });
    assert.equal(pods.items.length, 1);
  });

  it('watches pods, resumes from a resourceVersion, and sends bookmarks', async () => {
    const list = await admin.core.listNamespacedPod({ namespace: NS, labelSelector: 'app=web' });
    const rv = list.metadata!.resourceVersion!;
    const w = await startWatch(admin.kc, `/api/v1/namespaces/${NS}/pods`, { labelSelector: 'app=web', resourceVersion: rv, allowWatchBookmarks: true });
    watches.push(w.ctl);
    const victim = list.items[0]!.metadata!.name!;
    await admin.core.deleteNamespacedPod({ name: victim, namespace: NS });
    await waitFor(() => w.seen.some((e) => e.type === 'DELETED' && e.obj.metadata.name === victim), { what: 'DELETED of the deleted pod' });
    const terminating = w.seen.find((e) => e.type === 'MODIFIED' && e.obj.metadata.name === victim && e.obj.metadata.deletionTimestamp);
    assert.ok(terminating, 'the pod goes Terminating (deletionTimestamp) before it is deleted');
    await waitFor(() => w.seen.some((e) => e.type === 'ADDED' && e.obj.metadata.name !== victim), { what: 'replacement pod ADDED' });
    await waitFor(() => w.seen.some((e) => e.type === 'BOOKMARK'), { what: 'a BOOKMARK' });
    const bm = w.seen.find((e) => e.type === 'BOOKMARK')!;
    assert.match(bm.obj.metadata.resourceVersion, /^\d+$/);
    w.ctl.abort();

    // Resume: changes made while no watch was open arrive when watching from the last seen resourceVersion.
    const lastRv = [...w.seen].reverse().find((e) => e.obj?.metadata?.resourceVersion)!.obj.metadata.resourceVersion;
    await admin.apps.patchNamespacedDeploymentScale({ name: 'web', namespace: NS, body: { spec: { replicas: 3 } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    await new Promise((r) => setTimeout(r, 300));
    const w2 = await startWatch(admin.kc, `/api/v1/namespaces/${NS}/pods`, { labelSelector: 'app=web', resourceVersion: lastRv });
    watches.push(w2.ctl);
    await waitFor(() => w2.seen.some((e) => e.type === 'ADDED'), { what: 'the pod created while not watching' });
    assert.ok(w2.seen.every((e) => Number(e.obj.metadata.resourceVersion) > Number(lastRv)));
    w2.ctl.abort();
  });

  it('answers a watch from a compacted resourceVersion with ERROR 410 Expired, and dropWatches ends streams', async () => {
    const list = await admin.core.listNamespacedPod({ namespace: NS });
    const rv = list.metadata!.resourceVersion!;
    const live = await startWatch(admin.kc, `/api/v1/namespaces/${NS}/pods`, { resourceVersion: rv });
    watches.push(live.ctl);
    sim.compactHistory();
    const w = await startWatch(admin.kc, `/api/v1/namespaces/${NS}/pods`, { resourceVersion: rv });
    await waitFor(() => w.ended(), { what: 'the expired watch to end' });
    assert.equal(w.seen.length, 1);
    assert.equal(w.seen[0]!.type, 'ERROR');
    assert.equal(w.seen[0]!.obj.kind, 'Status');
    assert.equal(w.seen[0]!.obj.code, 410);
    assert.equal(w.seen[0]!.obj.reason, 'Expired');
    sim.dropWatches();
    await waitFor(() => live.ended(), { what: 'dropWatches to close the open watch' });
  });

  it('ends a watch after timeoutSeconds and tells onChange listeners about changes', async () => {
    const t0 = Date.now();
    const w = await startWatch(admin.kc, `/apis/apps/v1/namespaces/${NS}/deployments`, { timeoutSeconds: 1 });
    watches.push(w.ctl);
    await waitFor(() => w.ended(), { what: 'the watch to time out', timeoutMs: 5000 });
    assert.ok(Date.now() - t0 >= 900, 'not before timeoutSeconds');
    assert.deepEqual(
      w.seen.map((e) => e.type),
      ['ADDED', 'ADDED'],
      'no resourceVersion: current objects arrive as ADDED',
    );
    let calls = 0;
    const off = sim.onChange(() => calls++);
    await admin.apps.patchNamespacedDeployment(
      { name: 'web', namespace: NS, body: { metadata: { labels: { touched: 'yes' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await waitFor(() => calls > 0, { what: 'onChange to fire' });
    off();
    const before = calls;
    sim.addNamespace('quiet');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(calls, before, 'an unsubscribed listener is not called');
  });

  it('applies strategic-merge, merge and JSON patches like the API server', async () => {
    // Strategic merge: containers merge by name, so only the image changes.
    const d1 = await admin.apps.patchNamespacedDeployment(
      { name: 'api', namespace: NS, body: { spec: { template: { spec: { containers: [{ name: 'api', image: 'shop/api:1.1' }] } } } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    assert.equal(d1.spec?.template.spec?.containers.length, 1);
    assert.equal(d1.spec?.template.spec?.containers[0]!.image, 'shop/api:1.1');
    assert.deepEqual(JSON.parse(JSON.stringify(d1.spec?.template.spec?.containers[0]!.ports)), [{ containerPort: 8080, protocol: 'TCP' }]);
    assert.equal(d1.metadata?.generation, 2);
    // Merge patch: annotations.
    const d2 = await admin.apps.patchNamespacedDeployment(
      { name: 'api', namespace: NS, body: { metadata: { annotations: { 'kubernetes.io/change-cause': 'bump to 1.1' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    assert.equal(d2.metadata?.annotations?.['kubernetes.io/change-cause'], 'bump to 1.1');
    // JSON patch: replicas.
    const d3 = await admin.apps.patchNamespacedDeployment(
      { name: 'api', namespace: NS, body: [{ op: 'replace', path: '/spec/replicas', value: 4 }] },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    assert.equal(d3.spec?.replicas, 4);
    // The controller rolls out a new ReplicaSet with the next revision.
    const done = await waitFor(
      async () => {
        const d = await admin.apps.readNamespacedDeployment({ name: 'api', namespace: NS });
        const s = d.status!;
        return s.observedGeneration === d.metadata?.generation && s.updatedReplicas === 4 && s.availableReplicas === 4 && s.replicas === 4 ? d : undefined;
      },
      { timeoutMs: 15_000, what: 'rollout to complete' },
    );
    assert.equal(done.metadata?.annotations?.['deployment.kubernetes.io/revision'], '2');
    const rs = (await admin.apps.listNamespacedReplicaSet({ namespace: NS, labelSelector: 'app=api' })).items;
    assert.equal(rs.length, 2);
    const newest = rs.find((r) => r.metadata?.annotations?.['deployment.kubernetes.io/revision'] === '2')!;
    assert.equal(newest.spec?.replicas, 4);
    assert.equal(newest.metadata?.annotations?.['kubernetes.io/change-cause'], 'bump to 1.1');
    assert.equal(rs.find((r) => r !== newest)!.spec?.replicas, 0);
    const ev = (await admin.core.listNamespacedEvent({ namespace: NS, fieldSelector: 'involvedObject.name=api' })).items;
    assert.ok(ev.some((e) => e.reason === 'ScalingReplicaSet' && e.source?.component === 'deployment-controller'));
  });

  it('reads and writes the scale subresource, with 409 on a stale resourceVersion', async () => {
    const s = await admin.apps.readNamespacedDeploymentScale({ name: 'web', namespace: NS });
    assert.equal(s.kind, 'Scale');
    assert.equal(s.status?.selector, 'app=web,tier=frontend');
    const put = await admin.apps.replaceNamespacedDeploymentScale({ name: 'web', namespace: NS, body: { ...s, spec: { replicas: 2 } } });
    assert.equal(put.spec?.replicas, 2);
    const stale = await apiError(admin.apps.replaceNamespacedDeploymentScale({ name: 'web', namespace: NS, body: { ...s, spec: { replicas: 5 } } }));
    assert.equal(stale.code, 409);
    assert.equal(stale.status.reason, 'Conflict');
    assert.equal(
      stale.status.message,
      'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again',
    );
    assert.equal((await admin.apps.readNamespacedDeployment({ name: 'web', namespace: NS })).spec?.replicas, 2);
  });

  it('dryRun=All validates and returns the result without changing the world', async () => {
    const before = sim.getDeployment(NS, 'web');
    const res = await admin.apps.patchNamespacedDeployment(
      { name: 'web', namespace: NS, dryRun: 'All', body: { spec: { replicas: 7, template: { spec: { containers: [{ name: 'web', image: 'shop/web:2.0' }] } } } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    assert.equal(res.spec?.replicas, 7);
    assert.equal(res.spec?.template.spec?.containers[0]!.image, 'shop/web:2.0');
    await new Promise((r) => setTimeout(r, 200));
    const afterD = sim.getDeployment(NS, 'web');
    assert.equal(afterD.spec.replicas, before.spec.replicas);
    assert.equal(afterD.spec.template.spec.containers[0].image, 'shop/web:1.0');
    assert.equal(afterD.metadata.generation, before.metadata.generation);
    assert.equal(sim.listReplicaSets(NS).filter((r) => r.metadata.labels.app === 'web').length, 1);
    const bad = await apiError(
      admin.apps.patchNamespacedDeployment(
        { name: 'web', namespace: NS, dryRun: 'All', body: { spec: { replicas: -2 } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
    assert.equal(bad.code, 422);
  });

  it('answers SelfSubjectAccessReviews per token', async () => {
    const review = (verb: string) => ({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: { namespace: NS, verb, group: 'apps', resource: 'deployments', name: 'api' } },
    });
    assert.equal((await admin.authz.createSelfSubjectAccessReview({ body: review('patch') })).status?.allowed, true);
    assert.equal((await viewer.authz.createSelfSubjectAccessReview({ body: review('patch') })).status?.allowed, false);
    assert.equal((await viewer.authz.createSelfSubjectAccessReview({ body: review('delete') })).status?.allowed, false);
    assert.equal((await viewer.authz.createSelfSubjectAccessReview({ body: review('list') })).status?.allowed, true);
  });

  it('returns errors shaped like the API server and keeps serving', async () => {
    const nf = await apiError(admin.apps.readNamespacedDeployment({ name: 'nope', namespace: NS }));
    assert.equal(nf.code, 404);
    assert.deepEqual(nf.status, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'deployments.apps "nope" not found',
      reason: 'NotFound',
      details: { name: 'nope', group: 'apps', kind: 'deployments' },
      code: 404,
    });
    const podNf = await apiError(admin.core.readNamespacedPod({ name: 'ghost', namespace: NS }));
    assert.equal(podNf.status.message, 'pods "ghost" not found');

    const exists = await apiError(
      admin.apps.createNamespacedDeployment({
        namespace: NS,
        body: {
          metadata: { name: 'web' },
          spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'x' }] } } },
        },
      }),
    );
    assert.equal(exists.code, 409);
    assert.equal(exists.status.reason, 'AlreadyExists');

    const neg = await apiError(
      admin.apps.patchNamespacedDeployment({ name: 'web', namespace: NS, body: { spec: { replicas: -1 } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)),
    );
    assert.equal(neg.code, 422);
    assert.equal(neg.status.reason, 'Invalid');
    assert.equal(neg.status.message, 'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
    assert.equal(neg.status.details.causes[0].field, 'spec.replicas');

    const badPath = await apiError(
      admin.apps.patchNamespacedDeployment(
        { name: 'web', namespace: NS, body: [{ op: 'replace', path: '/spec/nothing/here', value: 1 }] },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      ),
    );
    assert.equal(badPath.code, 422);

    const forbidden = await apiError(
      viewer.apps.patchNamespacedDeployment({ name: 'api', namespace: NS, body: { spec: { replicas: 1 } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)),
    );
    assert.equal(forbidden.code, 403);
    assert.equal(forbidden.status.reason, 'Forbidden');
    assert.equal(forbidden.status.message, 'deployments.apps "api" is forbidden: User "viewer" cannot patch resource "deployments" in API group "apps" in the namespace "prod"');
    const forbiddenDelete = await apiError(viewer.core.deleteNamespacedPod({ name: 'whatever', namespace: NS }));
    assert.equal(forbiddenDelete.code, 403);
    assert.equal(sim.getDeployment(NS, 'api').spec.replicas, 4);

    const ssa = await apiError(
      admin.apps.patchNamespacedDeployment({ name: 'web', namespace: NS, body: { spec: { replicas: 1 } } }, setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply)),
    );
    assert.equal(ssa.code, 415);
    assert.equal(ssa.status.reason, 'UnsupportedMediaType');

    // A malformed body cannot be sent through client-node; send it raw over the plain-HTTP address.
    const raw = await fetch(`${sim.url}/apis/apps/v1/namespaces/${NS}/deployments/web`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${sim.token('admin')}`, 'Content-Type': 'application/merge-patch+json' },
      body: '{"spec": {"replicas": ',
    });
    assert.equal(raw.status, 400);
    const rawStatus = (await raw.json()) as any;
    assert.equal(rawStatus.kind, 'Status');
    assert.equal(rawStatus.reason, 'BadRequest');
    const unknown = await fetch(`${sim.url}/apis/apps/v1/namespaces/${NS}/widgets`, { headers: { Authorization: `Bearer ${sim.token('admin')}` } });
    assert.equal(unknown.status, 404);
    const noToken = await fetch(`${sim.url}/api/v1/pods`);
    assert.equal(noToken.status, 401);

    // Still serving.
    assert.ok((await admin.core.listNamespace()).items.length >= 3);
  });

  it('serves logs with tailLines/sinceSeconds/container, metrics, and kubelet events for a crashing image', async () => {
    const pod = (await admin.core.listNamespacedPod({ namespace: NS, labelSelector: 'app=web' })).items[0]!;
    await new Promise((r) => setTimeout(r, 600));
    const logs = await admin.core.readNamespacedPodLog({ name: pod.metadata!.name!, namespace: NS, container: 'web', tailLines: 3 });
    const lines = logs.trim().split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0]!, /level=INFO/);
    const none = await admin.core.readNamespacedPodLog({ name: pod.metadata!.name!, namespace: NS, sinceSeconds: 1, tailLines: 0 });
    assert.equal(none, '');
    const bad = await apiError(admin.core.readNamespacedPodLog({ name: pod.metadata!.name!, namespace: NS, container: 'nope' }));
    assert.equal(bad.code, 400);

    const metrics = await new Metrics(admin.kc).getPodMetrics(NS);
    assert.ok(metrics.items.length >= 5);
    assert.match(metrics.items[0]!.containers[0]!.usage.cpu, /^\d+m$/);
    assert.match(metrics.items[0]!.containers[0]!.usage.memory, /^\d+Ki$/);
    const all = await new Metrics(admin.kc).getPodMetrics();
    assert.ok(all.items.some((m) => m.metadata.namespace === 'staging'));

    sim.setImage('staging', 'api', 'shop/worker:bad', 'broken build');
    const crashing = await waitFor(
      () => sim.listPods('staging').find((p) => p.status?.containerStatuses?.[0]?.restartCount >= 2 && p.status.containerStatuses[0].state.waiting?.reason === 'CrashLoopBackOff'),
      { timeoutMs: 15_000, what: 'a pod in CrashLoopBackOff' },
    );
    const cs = crashing.status.containerStatuses[0];
    assert.equal(cs.lastState.terminated.exitCode, 1);
    assert.equal(cs.lastState.terminated.reason, 'Error');
    const prev = await admin.core.readNamespacedPodLog({ name: crashing.metadata.name, namespace: 'staging', previous: true });
    assert.match(prev, /panic:|FATAL/);
    const events = (await admin.core.listNamespacedEvent({ namespace: 'staging', fieldSelector: `involvedObject.name=${crashing.metadata.name}` })).items;
    const backoff = events.find((e) => e.reason === 'BackOff');
    assert.ok(backoff, 'a BackOff event');
    assert.equal(backoff.type, 'Warning');
    assert.match(backoff.message!, /^Back-off restarting failed container api in pod/);
    assert.ok((backoff.count ?? 0) >= 2, 'repeats are folded into count');
    // The old ReplicaSet keeps serving: maxUnavailable 25% of 1 rounds down to 0.
    assert.equal(sim.getDeployment('staging', 'api').status.availableReplicas, 1);
  });
});
