// Operations on StatefulSets, DaemonSets, Nodes and Pods with kubectl's semantics, and the pieces
// shared with Deployments: rollback planned once and pinned (what was confirmed is what is applied;
// a change in between is refused), a rollout follower that outlives an API outage, cordon, delete
// pod and container resource limits.
import type { V1ControllerRevision, V1ReplicaSet } from '@kubernetes/client-node';
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import { safeTimeout } from '../../util/delay.js';
import { PATCH, type KubeClients } from './client.js';
import { KubeError, toKubeError } from './errors.js';
import {
  CHANGE_CAUSE_ANNOTATION,
  isRecord,
  ownedReplicaSets,
  revisionOf,
  rolloutState,
  templateImages,
  toMs,
  type PodTemplate,
  type RolloutState,
  type Wire,
  type Workload,
} from './normalize.js';
import {
  RESTARTED_AT_ANNOTATION,
  pickRevision,
  rfc3339,
  rollbackPatch,
  semanticEqual,
  templatesEqualIgnoringHash,
  type HistoryEntry,
  type PinnedRollback,
  type ResourceChange,
  type RestartResult,
  type RollbackResult,
  type ScaleResult,
  type WorkloadKind,
} from './rollout.js';
import { openStream, parseWatchLine } from './watch.js';
import { daemonSetRollout, statefulSetRollout } from './workloads.js';

const RESOURCE: Record<WorkloadKind, string> = { Deployment: 'deployments', StatefulSet: 'statefulsets', DaemonSet: 'daemonsets' };
const MODEL: Record<WorkloadKind, string> = { Deployment: 'V1Deployment', StatefulSet: 'V1StatefulSet', DaemonSet: 'V1DaemonSet' };
const LOWER: Record<WorkloadKind, string> = { Deployment: 'deployment', StatefulSet: 'statefulset', DaemonSet: 'daemonset' };

export function resourceOf(kind: WorkloadKind): string {
  return RESOURCE[kind];
}

type RevisionJson = Wire<V1ControllerRevision>;

/** A client-node model as its JSON (timestamps as strings), as `kubectl get -o json` shows it. */
function toJson<T>(data: T, type: string): Wire<T> {
  return ObjectSerializer.serialize(data, type, '') as Wire<T>;
}

function fail(c: KubeClients, err: unknown, what: string): never {
  throw toKubeError(err, what, c.server);
}

function notFound(kind: WorkloadKind, ns: string, name: string): KubeError {
  return new KubeError('not-found', `not found: ${LOWER[kind]} "${name}" in namespace "${ns}"`, 404);
}

export async function getWorkload(c: KubeClients, kind: WorkloadKind, ns: string, name: string): Promise<Workload> {
  try {
    const req = { name, namespace: ns };
    const o =
      kind === 'Deployment'
        ? await c.apps.readNamespacedDeployment(req, c.opts())
        : kind === 'StatefulSet'
          ? await c.apps.readNamespacedStatefulSet(req, c.opts())
          : await c.apps.readNamespacedDaemonSet(req, c.opts());
    return toJson(o, MODEL[kind]);
  } catch (e) {
    const err = toKubeError(e, `get ${LOWER[kind]} ${ns}/${name}`, c.server);
    if (err.kind === 'not-found') throw notFound(kind, ns, name);
    throw err;
  }
}

async function patchWorkload(
  c: KubeClients,
  kind: WorkloadKind,
  ns: string,
  name: string,
  body: unknown,
  contentType: string,
  dryRun: boolean,
  fieldManager?: string,
): Promise<Workload> {
  const req = { name, namespace: ns, body, dryRun: dryRun ? 'All' : undefined, fieldManager };
  const o = c.opts({ contentType });
  const r =
    kind === 'Deployment'
      ? await c.apps.patchNamespacedDeployment(req, o)
      : kind === 'StatefulSet'
        ? await c.apps.patchNamespacedStatefulSet(req, o)
        : await c.apps.patchNamespacedDaemonSet(req, o);
  return toJson(r, MODEL[kind]);
}

/** kubectl rollout restart: the restartedAt annotation on the pod template (strategic merge). */
export async function restartWorkload(c: KubeClients, now: () => number, kind: WorkloadKind, ns: string, name: string, opts: { dryRun?: boolean } = {}): Promise<RestartResult> {
  const d = await getWorkload(c, kind, ns, name);
  if (kind === 'Deployment' && d.spec?.paused) throw new KubeError('paused', `deployment "${name}" is paused; resume it first (kubectl rollout resume deployment/${name})`);
  const revisionBefore = kind === 'Deployment' ? revisionOf(d) : await currentRevision(c, d).catch(() => null);
  const restartedAt = rfc3339(now());
  const body = { spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: restartedAt } } } } };
  try {
    await patchWorkload(c, kind, ns, name, body, PATCH.StrategicMergePatch, Boolean(opts.dryRun), 'kubectl-rollout');
  } catch (e) {
    fail(c, e, `patch ${LOWER[kind]} ${ns}/${name}`);
  }
  return { namespace: ns, name, restartedAt, revisionBefore, dryRun: Boolean(opts.dryRun) };
}

/** kubectl scale on the scale subresource, with one retry after a conflict. */
export async function scaleWorkload(
  c: KubeClients,
  kind: 'Deployment' | 'StatefulSet',
  ns: string,
  name: string,
  replicas: number,
  opts: { dryRun?: boolean } = {},
): Promise<ScaleResult> {
  if (!Number.isInteger(replicas) || replicas < 0) throw new KubeError('invalid', `invalid replica count ${replicas}: must be a whole number ≥ 0`);
  let retried = false;
  for (let attempt = 0; ; attempt++) {
    let scale;
    try {
      scale =
        kind === 'Deployment'
          ? await c.apps.readNamespacedDeploymentScale({ name, namespace: ns }, c.opts())
          : await c.apps.readNamespacedStatefulSetScale({ name, namespace: ns }, c.opts());
    } catch (e) {
      const err = toKubeError(e, `get scale of ${ns}/${name}`, c.server);
      if (err.kind === 'not-found') throw notFound(kind, ns, name);
      throw err;
    }
    const from = scale.spec?.replicas ?? 0;
    const body = { ...scale, spec: { ...scale.spec, replicas } };
    const req = { name, namespace: ns, body, dryRun: opts.dryRun ? 'All' : undefined };
    try {
      if (kind === 'Deployment') await c.apps.replaceNamespacedDeploymentScale(req, c.opts());
      else await c.apps.replaceNamespacedStatefulSetScale(req, c.opts());
      return { namespace: ns, name, from, to: replicas, retried, dryRun: Boolean(opts.dryRun) };
    } catch (e) {
      const err = toKubeError(e, `scale ${ns}/${name}`, c.server);
      if (err.kind === 'conflict' && attempt === 0) {
        retried = true;
        continue;
      }
      throw err;
    }
  }
}

function selectorOf(o: Workload): string | undefined {
  return (
    Object.entries(o.spec?.selector?.matchLabels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(',') || undefined
  );
}

/** ReplicaSets owned by a deployment (kubectl's GetAllReplicaSets: selector, then owner UID). */
export async function replicaSetsOf(c: KubeClients, deploy: Workload): Promise<Wire<V1ReplicaSet>[]> {
  // A workload read from the API server has its namespace.
  const ns = deploy.metadata!.namespace!;
  try {
    const list = await c.apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: selectorOf(deploy) }, c.opts());
    return ownedReplicaSets(
      deploy,
      list.items.map((rs) => toJson(rs, 'V1ReplicaSet')),
    );
  } catch (e) {
    fail(c, e, `list replicasets in ${ns}`);
  }
}

/** ControllerRevisions owned by a StatefulSet or DaemonSet, oldest first (kubectl's controlledHistory). */
export async function revisionsOf(c: KubeClients, owner: Workload): Promise<RevisionJson[]> {
  const ns = owner.metadata!.namespace!;
  try {
    const list = await c.apps.listNamespacedControllerRevision({ namespace: ns, labelSelector: selectorOf(owner) }, c.opts());
    return list.items
      .map((r) => toJson(r, 'V1ControllerRevision'))
      .filter((r) => (r.metadata?.ownerReferences ?? []).some((o) => o.controller && o.uid === owner.metadata!.uid))
      .sort((a, b) => Number(a.revision) - Number(b.revision));
  } catch (e) {
    fail(c, e, `list controllerrevisions in ${ns}`);
  }
}

async function currentRevision(c: KubeClients, owner: Workload): Promise<number | null> {
  const all = await revisionsOf(c, owner);
  return all.length ? Number(all[all.length - 1]!.revision) : null;
}

/** The template a ControllerRevision restores (its data is {"spec":{"template":{"$patch":"replace",…}}}). */
export function revisionTemplate(r: RevisionJson): PodTemplate {
  const t: PodTemplate & { $patch?: unknown } = structuredClone(templateIn(r.data) ?? {});
  delete t.$patch;
  return t;
}

/** data.spec.template, when there is one: the controllers write a pod template there. */
function templateIn(data: unknown): PodTemplate | undefined {
  const spec = isRecord(data) ? data.spec : undefined;
  const template = isRecord(spec) ? spec.template : undefined;
  return (template ?? undefined) as PodTemplate | undefined;
}

function templateMatches(current: PodTemplate | undefined, wanted: PodTemplate): boolean {
  return semanticEqual(JSON.parse(JSON.stringify(current ?? {})), JSON.parse(JSON.stringify(wanted ?? {})));
}

export async function workloadHistory(c: KubeClients, kind: WorkloadKind, ns: string, name: string): Promise<HistoryEntry[]> {
  const o = await getWorkload(c, kind, ns, name);
  if (kind === 'Deployment') {
    const out: HistoryEntry[] = [];
    for (const rs of await replicaSetsOf(c, o)) {
      const revision = revisionOf(rs);
      if (revision == null) continue;
      out.push({
        revision,
        images: templateImages(rs.spec?.template),
        changeCause: rs.metadata?.annotations?.[CHANGE_CAUSE_ANNOTATION] ?? null,
        createdAt: toMs(rs.metadata?.creationTimestamp),
        current: templatesEqualIgnoringHash(rs.spec?.template ?? {}, o.spec?.template ?? {}),
        replicaSet: rs.metadata?.name ?? '',
      });
    }
    return out.sort((a, b) => a.revision - b.revision);
  }
  return (await revisionsOf(c, o)).map((r) => {
    const t = revisionTemplate(r);
    return {
      revision: Number(r.revision),
      images: templateImages(t),
      changeCause: r.metadata?.annotations?.[CHANGE_CAUSE_ANNOTATION] ?? null,
      createdAt: toMs(r.metadata?.creationTimestamp),
      current: templateMatches(o.spec?.template, t),
      replicaSet: r.metadata?.name ?? '',
    };
  });
}

/** kubectl's findHistory: the revision asked for, or (0) the one before the newest. */
function pickControllerRevision(kind: WorkloadKind, name: string, all: RevisionJson[], toRevision: number): RevisionJson {
  if (toRevision === 0) {
    if (all.length <= 1) throw new KubeError('no-history', `no last revision to roll back to: ${LOWER[kind]} "${name}" has only one revision`);
    return all[all.length - 2]!;
  }
  const r = all.find((x) => Number(x.revision) === toRevision);
  if (!r) throw new KubeError('no-history', `unable to find specified revision ${toRevision} in history`);
  return r;
}

/**
 * The rollback, computed once: which revision, its template, and the workload's generation at that
 * moment. Applying it later (dry run, then the real patch) uses exactly this and nothing re-read.
 */
export async function planWorkloadRollback(c: KubeClients, kind: WorkloadKind, ns: string, name: string, toRevision = 0): Promise<PinnedRollback> {
  const o = await getWorkload(c, kind, ns, name);
  const base = { kind, namespace: ns, name, generation: Number(o.metadata?.generation ?? 0), fromImages: templateImages(o.spec?.template), paused: Boolean(o.spec?.paused) };
  if (kind === 'Deployment') {
    const rs = pickRevision(name, await replicaSetsOf(c, o), toRevision);
    const patch = rollbackPatch(o, rs);
    return {
      ...base,
      fromRevision: revisionOf(o),
      toRevision: revisionOf(rs) ?? toRevision,
      toImages: templateImages(rs.spec?.template),
      changeCause: rs.metadata?.annotations?.[CHANGE_CAUSE_ANNOTATION] ?? null,
      skip: templatesEqualIgnoringHash(rs.spec?.template ?? {}, o.spec?.template ?? {}),
      template: patch[0].value,
      annotations: patch[1].value,
      source: rs.metadata?.name ?? '',
    };
  }
  const all = await revisionsOf(c, o);
  const r = pickControllerRevision(kind, name, all, toRevision);
  const t = revisionTemplate(r);
  return {
    ...base,
    fromRevision: all.length ? Number(all[all.length - 1]!.revision) : null,
    toRevision: Number(r.revision),
    toImages: templateImages(t),
    changeCause: r.metadata?.annotations?.[CHANGE_CAUSE_ANNOTATION] ?? null,
    skip: templateMatches(o.spec?.template, t),
    template: t,
    source: r.metadata?.name ?? '',
  };
}

function changedSince(pin: PinnedRollback, generation: number): KubeError {
  return new KubeError(
    'conflict',
    `${LOWER[pin.kind]} "${pin.name}" changed after the rollback to revision ${pin.toRevision} was planned (generation ${pin.generation} → ${generation}): nothing was rolled back; look at the history again`,
    409,
  );
}

/** Applies a pinned rollback: refused when the workload's spec changed since it was planned. */
export async function applyRollback(c: KubeClients, pin: PinnedRollback, opts: { dryRun?: boolean } = {}): Promise<RollbackResult> {
  const { kind, namespace: ns, name } = pin;
  if (pin.paused) throw new KubeError('paused', `deployment "${name}" is paused; resume it first (kubectl rollout resume deployment/${name})`);
  const cur = await getWorkload(c, kind, ns, name);
  const generation = Number(cur.metadata?.generation ?? 0);
  if (generation !== pin.generation) throw changedSince(pin, generation);
  if (pin.skip) return { ...pin, outcome: 'skipped', message: `skipped rollback: already at revision ${pin.toRevision} (current template already matches it)` };
  // The server tests the generation too, so a change landing between this read and the patch is refused.
  const body: unknown[] = [
    { op: 'test', path: '/metadata/generation', value: pin.generation },
    { op: 'replace', path: '/spec/template', value: pin.template },
  ];
  if (pin.annotations) body.push({ op: 'replace', path: '/metadata/annotations', value: pin.annotations });
  try {
    await patchWorkload(c, kind, ns, name, body, PATCH.JsonPatch, Boolean(opts.dryRun));
  } catch (e) {
    const err = toKubeError(e, `roll back ${ns}/${name}`, c.server);
    if (/test/i.test(err.message) && err.kind === 'invalid') throw changedSince(pin, NaN);
    throw new KubeError(err.kind, `failed restoring revision ${pin.toRevision}: ${err.message}`, err.code);
  }
  return opts.dryRun
    ? { ...pin, outcome: 'dry run', message: `would roll back to revision ${pin.toRevision} (server dry run accepted)` }
    : { ...pin, outcome: 'rolled back', message: `rolled back to revision ${pin.toRevision}` };
}

export function workloadRollout(kind: WorkloadKind, o: Workload): RolloutState {
  return kind === 'Deployment' ? rolloutState(o) : kind === 'StatefulSet' ? statefulSetRollout(o) : daemonSetRollout(o);
}

const RETRYABLE = new Set(['unreachable', 'timeout', 'other']);

/**
 * Follows a workload until kubectl rollout status would call it done or failed. An API outage does
 * not end it: reads and watches are retried with back-off (progress says so) until the API answers
 * again or the overall timeout passes. Forbidden, not found and deletion end it.
 */
export function followWorkload(
  c: KubeClients,
  kind: WorkloadKind,
  ns: string,
  name: string,
  onProgress?: (s: RolloutState) => void,
  opts: { timeoutMs?: number; signal?: AbortSignal; onRetry?: (message: string) => void; idleTimeoutMs?: number } = {},
): Promise<RolloutState> {
  const timeoutMs = opts.timeoutMs ?? 10 * 60 * 1000;
  const path = `/apis/apps/v1/namespaces/${encodeURIComponent(ns)}/${RESOURCE[kind]}`;
  return new Promise<RolloutState>((resolve, reject) => {
    let settled = false;
    let stream: { abort(): void } | null = null;
    let retryTimer: NodeJS.Timeout | null = null;
    let last: RolloutState | null = null;
    let failures = 0;
    const finish = (err: Error | null, s?: RolloutState) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (retryTimer) clearTimeout(retryTimer);
      stream?.abort();
      opts.signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(s!);
    };
    const onAbort = () => finish(new KubeError('other', 'stopped following the rollout'));
    opts.signal?.addEventListener('abort', onAbort);
    const timer = safeTimeout(
      () => finish(new KubeError('timeout', `timed out after ${Math.round(timeoutMs / 1000)}s waiting for the rollout of ${ns}/${name}${last ? `: ${last.message}` : ''}`)),
      timeoutMs,
    );
    const consider = (o: Workload) => {
      failures = 0;
      const s = workloadRollout(kind, o);
      last = s;
      onProgress?.(s);
      if (s.done || s.failed) finish(null, s);
    };
    const retry = (why: string) => {
      if (settled) return;
      failures++;
      const wait = Math.min(10_000, 500 * 2 ** Math.min(failures - 1, 5));
      if (failures > 1) opts.onRetry?.(`${why}; still following ${LOWER[kind]} ${ns}/${name}, retrying in ${Math.round(wait / 1000)}s`);
      retryTimer = safeTimeout(() => void start(), failures === 1 ? 200 : wait);
      retryTimer.unref?.();
    };
    const start = async (): Promise<void> => {
      if (settled) return;
      let o: Workload;
      try {
        o = await getWorkload(c, kind, ns, name);
      } catch (e) {
        const err = e instanceof KubeError ? e : toKubeError(e, `get ${LOWER[kind]} ${ns}/${name}`, c.server);
        if (RETRYABLE.has(err.kind)) return retry(err.message);
        return finish(err.kind === 'not-found' ? new KubeError('not-found', `${LOWER[kind]} "${name}" was deleted during the rollout`, 404) : err);
      }
      consider(o);
      if (settled) return;
      let gone = false;
      const s = openStream(
        c.kc,
        path,
        { watch: '1', fieldSelector: `metadata.name=${name}`, resourceVersion: o.metadata?.resourceVersion, allowWatchBookmarks: 'true', timeoutSeconds: '300' },
        {
          onLine: (line) => {
            const w = parseWatchLine<Workload>(line, kind);
            if (w.kind === 'event') {
              if (w.type === 'DELETED') finish(new KubeError('not-found', `${LOWER[kind]} "${name}" was deleted during the rollout`, 404));
              else consider(w.object);
            } else if (w.kind === 'error') gone = true; // 410 and friends: re-read and watch again
          },
        },
        { connectTimeoutMs: c.timeoutMs, idleTimeoutMs: opts.idleTimeoutMs ?? 75_000 },
      );
      stream = s;
      const err = await s.done;
      if (settled) return;
      if (!err && !gone) {
        // A clean end (server timeout): watch again at once.
        retryTimer = safeTimeout(() => void start(), 50);
        return;
      }
      const code = (err as { statusCode?: number } | null)?.statusCode;
      if (code === 403 || code === 401) return finish(toKubeError(Object.assign(err ?? new Error('forbidden'), { code }), `watch ${LOWER[kind]} ${ns}/${name}`, c.server));
      retry(err ? toKubeError(err, `watch ${LOWER[kind]} ${ns}/${name}`, c.server).message : 'watch expired');
    };
    void start();
  });
}

export async function cordonNode(c: KubeClients, name: string, unschedulable: boolean, opts: { dryRun?: boolean } = {}): Promise<{ name: string; was: boolean; now: boolean }> {
  let node;
  try {
    node = await c.core.readNode({ name }, c.opts());
  } catch (e) {
    const err = toKubeError(e, `get node ${name}`, c.server);
    if (err.kind === 'not-found') throw new KubeError('not-found', `not found: node "${name}"`, 404);
    throw err;
  }
  const was = node.spec?.unschedulable === true;
  if (was !== unschedulable) {
    try {
      await c.core.patchNode(
        { name, body: { spec: { unschedulable: unschedulable ? true : null } }, dryRun: opts.dryRun ? 'All' : undefined },
        c.opts({ contentType: PATCH.StrategicMergePatch }),
      );
    } catch (e) {
      fail(c, e, `patch node ${name}`);
    }
  }
  return { name, was, now: unschedulable };
}

export async function deletePod(
  c: KubeClients,
  ns: string,
  name: string,
  opts: { dryRun?: boolean; gracePeriodSeconds?: number } = {},
): Promise<{ uid: string; grace: number | null }> {
  try {
    const p = await c.core.deleteNamespacedPod({ name, namespace: ns, dryRun: opts.dryRun ? 'All' : undefined, gracePeriodSeconds: opts.gracePeriodSeconds }, c.opts());
    const pod = p;
    return { uid: pod.metadata?.uid ?? '', grace: pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? null };
  } catch (e) {
    const err = toKubeError(e, `delete pod ${ns}/${name}`, c.server);
    if (err.kind === 'not-found') throw new KubeError('not-found', `not found: pod "${name}" in namespace "${ns}" (already gone?)`, 404);
    throw err;
  }
}

/** The container's current limits and requests. */
export function containerResources(o: Workload, container: string): ResourceChange['before'] {
  const ct = (o.spec?.template?.spec?.containers ?? []).find((x) => x.name === container);
  if (!ct)
    throw new KubeError(
      'invalid',
      `container "${container}" not found in the pod template (containers: ${(o.spec?.template?.spec?.containers ?? []).map((x) => x.name).join(', ')})`,
    );
  const q = (v: unknown) => (v == null ? null : String(v));
  return {
    memoryLimit: q(ct.resources?.limits?.memory),
    cpuLimit: q(ct.resources?.limits?.cpu),
    memoryRequest: q(ct.resources?.requests?.memory),
    cpuRequest: q(ct.resources?.requests?.cpu),
  };
}

/**
 * Sets a container's memory and/or CPU limit as `kubectl patch … resources.limits` does (strategic
 * merge on the pod template, containers merged by name): a new revision rolls out.
 */
export async function setResources(
  c: KubeClients,
  kind: WorkloadKind,
  ns: string,
  name: string,
  container: string,
  limits: { memory?: string; cpu?: string },
  opts: { dryRun?: boolean } = {},
): Promise<ResourceChange> {
  const o = await getWorkload(c, kind, ns, name);
  const before = containerResources(o, container);
  const body = {
    spec: {
      template: {
        spec: { containers: [{ name: container, resources: { limits: { ...(limits.memory ? { memory: limits.memory } : {}), ...(limits.cpu ? { cpu: limits.cpu } : {}) } } }] },
      },
    },
  };
  let after: Workload;
  try {
    after = await patchWorkload(c, kind, ns, name, body, PATCH.StrategicMergePatch, Boolean(opts.dryRun));
  } catch (e) {
    fail(c, e, `patch ${LOWER[kind]} ${ns}/${name}`);
  }
  return { kind, namespace: ns, name, container, before, after: containerResources(after, container), dryRun: Boolean(opts.dryRun) };
}
