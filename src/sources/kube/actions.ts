// Kubernetes operations with kubectl's semantics: rollout restart, scale (scale subresource),
// rollout undo (as kubectl's pkg/polymorphichelpers/rollback.go, planned once and pinned), rollout
// history, rollout status, cordon, delete pod, resource limits, and auth can-i
// (SelfSubjectAccessReview). The work is in workload-ops.ts; the pure parts live in rollout.ts.
import type { KubeClients } from './client.js';
import { toKubeError } from './errors.js';
import type { V1Deployment, V1ReplicaSet } from '@kubernetes/client-node';
import type { Kube, RolloutState, Wire, Workload } from './normalize.js';
import type { CanIResult, HistoryEntry, KubeOps, PinnedRollback, ResourceChange, RestartResult, RollbackPlan, RollbackResult, ScaleResult, WorkloadKind } from './rollout.js';
import {
  applyRollback,
  cordonNode,
  deletePod,
  followWorkload,
  getWorkload,
  planWorkloadRollback,
  replicaSetsOf,
  restartWorkload,
  scaleWorkload,
  setResources,
  workloadHistory,
} from './workload-ops.js';

export * from './rollout.js';

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

  async getDeployment(ns: string, name: string): Promise<Kube<V1Deployment, string>> {
    return getWorkload(this.c, 'Deployment', ns, name);
  }

  /** ReplicaSets owned by the deployment, as JSON (kubectl's GetAllReplicaSets: selector, then owner UID). */
  replicaSetsOf(deploy: Workload): Promise<Wire<V1ReplicaSet>[]> {
    return replicaSetsOf(this.c, deploy);
  }

  restart(ns: string, name: string, opts: { dryRun?: boolean } = {}): Promise<RestartResult> {
    return restartWorkload(this.c, this.now, 'Deployment', ns, name, opts);
  }

  scale(ns: string, name: string, replicas: number, opts: { dryRun?: boolean } = {}): Promise<ScaleResult> {
    return scaleWorkload(this.c, 'Deployment', ns, name, replicas, opts);
  }

  rolloutHistory(ns: string, name: string): Promise<HistoryEntry[]> {
    return workloadHistory(this.c, 'Deployment', ns, name);
  }

  async planRollback(ns: string, name: string, toRevision = 0): Promise<RollbackPlan> {
    return planWorkloadRollback(this.c, 'Deployment', ns, name, toRevision);
  }

  async rollback(ns: string, name: string, opts: { toRevision?: number; dryRun?: boolean } = {}): Promise<RollbackResult> {
    return applyRollback(this.c, await planWorkloadRollback(this.c, 'Deployment', ns, name, opts.toRevision ?? 0), opts);
  }

  /**
   * Watches the deployment until kubectl rollout status would call it done or failed; resolves
   * with the final state (failed → state.failed), rejects on timeout, deletion or refusal. An API
   * outage is waited out.
   */
  followRollout(ns: string, name: string, onProgress?: (s: RolloutState) => void, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<RolloutState> {
    return followWorkload(this.c, 'Deployment', ns, name, onProgress, opts);
  }

  getWorkload(kind: WorkloadKind, ns: string, name: string): Promise<Workload> {
    return getWorkload(this.c, kind, ns, name);
  }

  restartWorkload(kind: WorkloadKind, ns: string, name: string, opts: { dryRun?: boolean } = {}): Promise<RestartResult> {
    return restartWorkload(this.c, this.now, kind, ns, name, opts);
  }

  scaleWorkload(kind: 'Deployment' | 'StatefulSet', ns: string, name: string, replicas: number, opts: { dryRun?: boolean } = {}): Promise<ScaleResult> {
    return scaleWorkload(this.c, kind, ns, name, replicas, opts);
  }

  workloadHistory(kind: WorkloadKind, ns: string, name: string): Promise<HistoryEntry[]> {
    return workloadHistory(this.c, kind, ns, name);
  }

  planWorkloadRollback(kind: WorkloadKind, ns: string, name: string, toRevision = 0): Promise<PinnedRollback> {
    return planWorkloadRollback(this.c, kind, ns, name, toRevision);
  }

  applyRollback(pin: PinnedRollback, opts: { dryRun?: boolean } = {}): Promise<RollbackResult> {
    return applyRollback(this.c, pin, opts);
  }

  followWorkload(
    kind: WorkloadKind,
    ns: string,
    name: string,
    onProgress?: (s: RolloutState) => void,
    opts: { timeoutMs?: number; signal?: AbortSignal; onRetry?: (message: string) => void } = {},
  ): Promise<RolloutState> {
    return followWorkload(this.c, kind, ns, name, onProgress, opts);
  }

  cordon(node: string, unschedulable: boolean, opts: { dryRun?: boolean } = {}): Promise<{ name: string; was: boolean; now: boolean }> {
    return cordonNode(this.c, node, unschedulable, opts);
  }

  deletePod(ns: string, name: string, opts: { dryRun?: boolean; gracePeriodSeconds?: number } = {}): Promise<{ uid: string; grace: number | null }> {
    return deletePod(this.c, ns, name, opts);
  }

  setResources(
    kind: WorkloadKind,
    ns: string,
    name: string,
    container: string,
    limits: { memory?: string; cpu?: string },
    opts: { dryRun?: boolean } = {},
  ): Promise<ResourceChange> {
    return setResources(this.c, kind, ns, name, container, limits, opts);
  }

  async canI(verb: string, resource: string, ns: string, name?: string, subresource?: string, group?: string): Promise<CanIResult> {
    const apiGroup = group ?? (['deployments', 'replicasets', 'statefulsets', 'daemonsets', 'controllerrevisions'].includes(resource) ? 'apps' : '');
    try {
      const r = await this.c.authz.createSelfSubjectAccessReview(
        {
          body: {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SelfSubjectAccessReview',
            spec: { resourceAttributes: { verb, resource, namespace: ns, name, subresource, group: apiGroup } },
          },
        },
        this.c.opts(),
      );
      return { allowed: Boolean(r.status?.allowed), reason: r.status?.reason || null };
    } catch (e) {
      this.fail(e, `check permission to ${verb} ${resource}`);
    }
  }
}
