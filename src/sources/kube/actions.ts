// Kubernetes operations with kubectl's semantics: rollout restart, scale (scale subresource),
// rollout undo (client-side, as kubectl's pkg/polymorphichelpers/rollback.go), rollout
// history, rollout status, and auth can-i (SelfSubjectAccessReview).
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import { PATCH, type KubeClients } from './client.js';
import { KubeError, toKubeError } from './errors.js';
import {
  CHANGE_CAUSE_ANNOTATION,
  POD_TEMPLATE_HASH,
  ownedReplicaSets,
  revisionOf,
  rolloutState,
  templateImages,
  toMs,
  type K8sObject,
  type RolloutState,
} from './normalize.js';

export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';

// Annotations kubectl keeps from the deployment instead of copying them from the ReplicaSet.
const ANNOTATIONS_TO_SKIP = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  'deployment.kubernetes.io/revision',
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);

export interface HistoryEntry {
  revision: number;
  images: string[];
  changeCause: string | null;
  createdAt: number | null;
  /** The ReplicaSet's template matches the deployment's current template. */
  current: boolean;
  replicaSet: string;
}

export interface RollbackPlan {
  namespace: string;
  name: string;
  fromRevision: number | null;
  toRevision: number;
  fromImages: string[];
  toImages: string[];
  changeCause: string | null;
  /** Current template already matches the target: nothing would change. */
  skip: boolean;
}

export interface RollbackResult extends RollbackPlan {
  outcome: 'rolled back' | 'skipped' | 'dry run';
  message: string;
}

export interface ScaleResult {
  namespace: string;
  name: string;
  from: number;
  to: number;
  retried: boolean;
  dryRun: boolean;
}

export interface RestartResult {
  namespace: string;
  name: string;
  restartedAt: string;
  revisionBefore: number | null;
  dryRun: boolean;
}

export interface CanIResult {
  allowed: boolean;
  reason: string | null;
}

/** What the actions need; implemented by KubeOperations, replaceable in tests. */
export interface KubeOps {
  readonly context: string | null;
  getDeployment(ns: string, name: string): Promise<K8sObject>;
  restart(ns: string, name: string, opts?: { dryRun?: boolean }): Promise<RestartResult>;
  scale(ns: string, name: string, replicas: number, opts?: { dryRun?: boolean }): Promise<ScaleResult>;
  planRollback(ns: string, name: string, toRevision?: number): Promise<RollbackPlan>;
  rollback(ns: string, name: string, opts?: { toRevision?: number; dryRun?: boolean }): Promise<RollbackResult>;
  rolloutHistory(ns: string, name: string): Promise<HistoryEntry[]>;
  followRollout(ns: string, name: string, onProgress?: (s: RolloutState) => void, opts?: { timeoutMs?: number; signal?: AbortSignal }): Promise<RolloutState>;
  canI(verb: string, resource: string, ns: string, name?: string, subresource?: string, group?: string): Promise<CanIResult>;
}

/** RFC 3339 local time with offset, as Go's time.Now().Format(time.RFC3339) (what kubectl writes). */
export function rfc3339(ms: number): string {
  const d = new Date(ms);
  const off = -d.getTimezoneOffset();
  const p = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  const tz = off === 0 ? 'Z' : `${off > 0 ? '+' : '-'}${p(off / 60)}:${p(off % 60)}`;
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}${tz}`;
}

/** Image changes between two image lists (per container position), as "name: a → b" lines. */
export function imageDiff(from: string[], to: string[]): string[] {
  const lines: string[] = [];
  const n = Math.max(from.length, to.length);
  for (let i = 0; i < n; i++) {
    const a = from[i];
    const b = to[i];
    if (a === b) lines.push(`  ${a} (unchanged)`);
    else if (a && b) lines.push(`  ${a} → ${b}`);
    else if (b) lines.push(`  + ${b}`);
    else lines.push(`  - ${a}`);
  }
  return lines;
}

/** Serialises a client-node model (Dates, typed classes) back to Kubernetes JSON. */
function toJson(data: unknown, type: string): K8sObject {
  return ObjectSerializer.serialize(data, type, '') as K8sObject;
}

function isEmpty(v: unknown): boolean {
  return v == null || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0);
}

/** apimachinery's Semantic.DeepEqual as far as templates go: nil and empty maps/slices are equal. */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (isEmpty(a) && isEmpty(b)) return true;
  if (a instanceof Date || b instanceof Date) return toMs(a) === toMs(b);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => semanticEqual(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) if (!semanticEqual(ao[k], bo[k])) return false;
  return true;
}

function withoutHash(template: K8sObject): K8sObject {
  const t = structuredClone(template);
  if (t.metadata?.labels) delete t.metadata.labels[POD_TEMPLATE_HASH];
  return t;
}

/** kubectl's equalIgnoreHash. */
export function templatesEqualIgnoringHash(a: K8sObject, b: K8sObject): boolean {
  return semanticEqual(withoutHash(a), withoutHash(b));
}

/**
 * kubectl's deploymentRevision: the ReplicaSet for `toRevision`, or (0) the second newest.
 * Throws KubeError('no-history') as kubectl does when there is none.
 */
export function pickRevision(deployName: string, replicaSets: K8sObject[], toRevision = 0): K8sObject {
  if (toRevision < 0) throw new KubeError('no-history', `unable to find specified revision ${toRevision} in history`);
  let latest: K8sObject | null = null;
  let latestRev = -1;
  let previous: K8sObject | null = null;
  let previousRev = -1;
  for (const rs of replicaSets) {
    const v = revisionOf(rs);
    if (v == null) continue;
    if (toRevision === 0) {
      if (latestRev < v) {
        previousRev = latestRev;
        previous = latest;
        latestRev = v;
        latest = rs;
      } else if (previousRev < v) {
        previousRev = v;
        previous = rs;
      }
    } else if (toRevision === v) return rs;
  }
  if (toRevision > 0) throw new KubeError('no-history', `unable to find specified revision ${toRevision} in history`);
  if (!previous) throw new KubeError('no-history', `nothing to roll back to: no previous revision in the rollout history of deployment "${deployName}"`);
  return previous;
}

/** kubectl's rollback patch: replace /spec/template (hash label removed) and the annotations it copies. */
export function rollbackPatch(deploy: K8sObject, rs: K8sObject): Array<{ op: 'replace'; path: string; value: unknown }> {
  const template = structuredClone(rs.spec?.template ?? {});
  if (template.metadata?.labels) delete template.metadata.labels[POD_TEMPLATE_HASH];
  const annotations: Record<string, string> = {};
  const depAnn: Record<string, string> = deploy.metadata?.annotations ?? {};
  for (const k of ANNOTATIONS_TO_SKIP) if (k in depAnn) annotations[k] = depAnn[k];
  for (const [k, v] of Object.entries((rs.metadata?.annotations ?? {}) as Record<string, string>)) {
    if (!ANNOTATIONS_TO_SKIP.has(k)) annotations[k] = v;
  }
  return [
    { op: 'replace', path: '/spec/template', value: template },
    { op: 'replace', path: '/metadata/annotations', value: annotations },
  ];
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
