// Kubernetes operations with kubectl's semantics: rollout restart, scale (scale subresource),
// rollout undo (client-side, as kubectl's pkg/polymorphichelpers/rollback.go), rollout
// history, rollout status, and auth can-i (SelfSubjectAccessReview). The pure parts live in
// rollout.ts.
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import { PATCH, type KubeClients } from './client.js';
import { KubeError, toKubeError } from './errors.js';
import { CHANGE_CAUSE_ANNOTATION, ownedReplicaSets, revisionOf, rolloutState, templateImages, toMs, type K8sObject, type RolloutState } from './normalize.js';
import {
  RESTARTED_AT_ANNOTATION,
  pickRevision,
  rfc3339,
  rollbackPatch,
  templatesEqualIgnoringHash,
  type CanIResult,
  type HistoryEntry,
  type KubeOps,
  type RestartResult,
  type RollbackPlan,
  type RollbackResult,
  type ScaleResult,
} from './rollout.js';

export * from './rollout.js';

/** Serialises a client-node model (Dates, typed classes) back to Kubernetes JSON. */
function toJson(data: unknown, type: string): K8sObject {
  return ObjectSerializer.serialize(data, type, '') as K8sObject;
}

export class KubeOperations implements KubeOps {
  constructor(
    private readonly c: KubeClients,
    private readonly now: () => number = Date.now,
  ) {}

  get context(): string | null {
    return this.c.context;
  }

  private fail(err: unknown, what: string): never {
    throw toKubeError(err, what, this.c.server);
  }

  async getDeployment(ns: string, name: string): Promise<K8sObject> {
    try {
      const d = await this.c.apps.readNamespacedDeployment({ name, namespace: ns }, this.c.opts());
      return toJson(d, 'V1Deployment');
    } catch (e) {
      const err = toKubeError(e, `get deployment ${ns}/${name}`, this.c.server);
      if (err.kind === 'not-found') throw new KubeError('not-found', `not found: deployment "${name}" in namespace "${ns}"`, 404);
      throw err;
    }
  }

  /** ReplicaSets owned by the deployment, as JSON (kubectl's GetAllReplicaSets: selector, then owner UID). */
  async replicaSetsOf(deploy: K8sObject): Promise<K8sObject[]> {
    const ns = deploy.metadata.namespace;
    const sel = deploy.spec?.selector?.matchLabels ?? {};
    const labelSelector = Object.entries(sel).map(([k, v]) => `${k}=${v}`).join(',') || undefined;
    try {
      const list = await this.c.apps.listNamespacedReplicaSet({ namespace: ns, labelSelector }, this.c.opts());
      return ownedReplicaSets(deploy, list.items.map((rs) => toJson(rs, 'V1ReplicaSet')));
    } catch (e) {
      this.fail(e, `list replicasets in ${ns}`);
    }
  }

  async restart(ns: string, name: string, opts: { dryRun?: boolean } = {}): Promise<RestartResult> {
    const d = await this.getDeployment(ns, name);
    if (d.spec?.paused) throw new KubeError('paused', `deployment "${name}" is paused; resume it first (kubectl rollout resume deployment/${name})`);
    const restartedAt = rfc3339(this.now());
    const body = { spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: restartedAt } } } } };
    try {
      await this.c.apps.patchNamespacedDeployment(
        { name, namespace: ns, body, dryRun: opts.dryRun ? 'All' : undefined, fieldManager: 'kubectl-rollout' },
        this.c.opts({ contentType: PATCH.StrategicMergePatch }),
      );
    } catch (e) {
      this.fail(e, `patch deployment ${ns}/${name}`);
    }
    return { namespace: ns, name, restartedAt, revisionBefore: revisionOf(d), dryRun: Boolean(opts.dryRun) };
  }

  async scale(ns: string, name: string, replicas: number, opts: { dryRun?: boolean } = {}): Promise<ScaleResult> {
    if (!Number.isInteger(replicas) || replicas < 0) throw new KubeError('invalid', `invalid replica count ${replicas}: must be a whole number ≥ 0`);
    let retried = false;
    for (let attempt = 0; ; attempt++) {
      let scale;
      try {
        scale = await this.c.apps.readNamespacedDeploymentScale({ name, namespace: ns }, this.c.opts());
      } catch (e) {
        const err = toKubeError(e, `get scale of ${ns}/${name}`, this.c.server);
        if (err.kind === 'not-found') throw new KubeError('not-found', `not found: deployment "${name}" in namespace "${ns}"`, 404);
        throw err;
      }
      const from = scale.spec?.replicas ?? 0;
      const body = { ...scale, spec: { ...scale.spec, replicas } };
      try {
        await this.c.apps.replaceNamespacedDeploymentScale(
          { name, namespace: ns, body, dryRun: opts.dryRun ? 'All' : undefined },
          this.c.opts(),
        );
        return { namespace: ns, name, from, to: replicas, retried, dryRun: Boolean(opts.dryRun) };
      } catch (e) {
        const err = toKubeError(e, `scale ${ns}/${name}`, this.c.server);
        if (err.kind === 'conflict' && attempt === 0) {
          retried = true;
          continue;
        }
        throw err;
      }
    }
  }

  async rolloutHistory(ns: string, name: string): Promise<HistoryEntry[]> {
    const d = await this.getDeployment(ns, name);
    const rss = await this.replicaSetsOf(d);
    const out: HistoryEntry[] = [];
    for (const rs of rss) {
      const revision = revisionOf(rs);
      if (revision == null) continue;
      out.push({
        revision,
        images: templateImages(rs.spec?.template),
        changeCause: rs.metadata?.annotations?.[CHANGE_CAUSE_ANNOTATION] ?? null,
        createdAt: toMs(rs.metadata?.creationTimestamp),
        current: templatesEqualIgnoringHash(rs.spec?.template ?? {}, d.spec?.template ?? {}),
        replicaSet: rs.metadata?.name ?? '',
      });
    }
    return out.sort((a, b) => a.revision - b.revision);
  }

  private async plan(ns: string, name: string, toRevision = 0): Promise<{ plan: RollbackPlan; deploy: K8sObject; rs: K8sObject }> {
    const deploy = await this.getDeployment(ns, name);
    const rss = await this.replicaSetsOf(deploy);
    const rs = pickRevision(name, rss, toRevision);
    const plan: RollbackPlan = {
      namespace: ns,
      name,
      fromRevision: revisionOf(deploy),
      toRevision: revisionOf(rs) ?? toRevision,
      fromImages: templateImages(deploy.spec?.template),
      toImages: templateImages(rs.spec?.template),
      changeCause: rs.metadata?.annotations?.[CHANGE_CAUSE_ANNOTATION] ?? null,
      skip: templatesEqualIgnoringHash(rs.spec?.template ?? {}, deploy.spec?.template ?? {}),
    };
    return { plan, deploy, rs };
  }

  async planRollback(ns: string, name: string, toRevision = 0): Promise<RollbackPlan> {
    return (await this.plan(ns, name, toRevision)).plan;
  }

  async rollback(ns: string, name: string, opts: { toRevision?: number; dryRun?: boolean } = {}): Promise<RollbackResult> {
    const { plan, deploy, rs } = await this.plan(ns, name, opts.toRevision ?? 0);
    if (deploy.spec?.paused) {
      throw new KubeError('paused', `deployment "${name}" is paused; resume it first (kubectl rollout resume deployment/${name})`);
    }
    if (plan.skip) {
      return { ...plan, outcome: 'skipped', message: `skipped rollback: already at revision ${plan.toRevision} (current template already matches it)` };
    }
    try {
      await this.c.apps.patchNamespacedDeployment(
        { name, namespace: ns, body: rollbackPatch(deploy, rs), dryRun: opts.dryRun ? 'All' : undefined },
        this.c.opts({ contentType: PATCH.JsonPatch }),
      );
    } catch (e) {
      const err = toKubeError(e, `roll back ${ns}/${name}`, this.c.server);
      throw new KubeError(err.kind, `failed restoring revision ${plan.toRevision}: ${err.message}`, err.code);
    }
    return opts.dryRun
      ? { ...plan, outcome: 'dry run', message: `would roll back to revision ${plan.toRevision} (server dry run accepted)` }
      : { ...plan, outcome: 'rolled back', message: `rolled back to revision ${plan.toRevision}` };
  }

  /**
   * Watches the deployment until kubectl rollout status would call it done or failed; resolves
   * with the final state (failed → state.failed), rejects on timeout or API errors.
   */
  followRollout(ns: string, name: string, onProgress?: (s: RolloutState) => void, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<RolloutState> {
    const timeoutMs = opts.timeoutMs ?? 10 * 60 * 1000;
    return new Promise<RolloutState>((resolve, reject) => {
      let settled = false;
      let ctrl: AbortController | null = null;
      let last: RolloutState | null = null;
      const finish = (err: Error | null, s?: RolloutState) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        ctrl?.abort();
        opts.signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(s!);
      };
      const onAbort = () => finish(new KubeError('other', 'stopped following the rollout'));
      opts.signal?.addEventListener('abort', onAbort);
      const timer = setTimeout(
        () => finish(new KubeError('timeout', `timed out after ${Math.round(timeoutMs / 1000)}s waiting for the rollout of ${ns}/${name}${last ? `: ${last.message}` : ''}`)),
        timeoutMs,
      );
      const consider = (d: K8sObject) => {
        const s = rolloutState(d);
        last = s;
        onProgress?.(s);
        if (s.done || s.failed) finish(null, s);
      };
      const start = async (): Promise<void> => {
        if (settled) return;
        let d: K8sObject;
        try {
          d = await this.getDeployment(ns, name);
        } catch (e) {
          finish(e as Error);
          return;
        }
        consider(d);
        if (settled) return;
        try {
          ctrl = await this.c.watch.watch(
            `/apis/apps/v1/namespaces/${encodeURIComponent(ns)}/deployments`,
            { fieldSelector: `metadata.name=${name}`, resourceVersion: d.metadata?.resourceVersion, allowWatchBookmarks: true },
            (type, obj) => {
              if (type === 'ADDED' || type === 'MODIFIED') consider(obj);
              else if (type === 'DELETED') finish(new KubeError('not-found', `deployment "${name}" was deleted during the rollout`));
            },
            () => {
              // Stream ended (server timeout, 410, dropped): re-read and watch again.
              if (!settled) setTimeout(() => void start(), 200).unref?.();
            },
          );
          if (settled) ctrl.abort();
        } catch (e) {
          finish(toKubeError(e, `watch deployment ${ns}/${name}`, this.c.server));
        }
      };
      void start();
    });
  }

  async canI(verb: string, resource: string, ns: string, name?: string, subresource?: string, group?: string): Promise<CanIResult> {
    const apiGroup = group ?? (resource === 'deployments' || resource === 'replicasets' ? 'apps' : '');
    try {
      const r = await this.c.authz.createSelfSubjectAccessReview(
        { body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb, resource, namespace: ns, name, subresource, group: apiGroup } } } },
        this.c.opts(),
      );
      return { allowed: Boolean(r.status?.allowed), reason: r.status?.reason || null };
    } catch (e) {
      this.fail(e, `check permission to ${verb} ${resource}`);
    }
  }
}
