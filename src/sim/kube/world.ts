// The simulated cluster: the object store, the controllers (deployment/replicaset, statefulset,
// daemonset, node lifecycle), the kubelet, events, logs and metrics wired together on the sim clock.
import type { SimClock, TimerHandle } from './clock.js';
import { DaemonSetController } from './daemonsets.js';
import { DEFAULTERS, RESOURCE_KIND, validateWorkload, type WorkloadKind } from './defaults.js';
import { DeploymentController } from './deployments.js';
import { ApiError } from './errors.js';
import { EventRecorder } from './events.js';
import { Kubelet } from './kubelet.js';
import { followLogs, podLogs, type LogOptions } from './logs.js';
import { nodeMetrics, podMetrics } from './metrics.js';
import { Nodes } from './nodes.js';
import { StatefulSetController } from './statefulsets.js';
import { ObjectStore } from './store.js';
import type { ImageBehavior } from './types.js';
import { canonicalJson, clone, isoSeconds, uuid, type Rand } from './util.js';

export { templateHash, revisionOf } from './defaults.js';

const DEFAULT_NODES = ['sim-node-1', 'sim-node-2', 'sim-node-3'];
const NODE_AGE_MS = 30 * 24 * 3600_000;

export class World {
  readonly store = new ObjectStore();
  readonly behaviors = new Map<string, ImageBehavior>();
  readonly events: EventRecorder;
  readonly nodes: Nodes;
  readonly kubelet: Kubelet;
  readonly deployments: DeploymentController;
  readonly statefulsets: StatefulSetController;
  readonly daemonsets: DaemonSetController;
  private syncTimer: TimerHandle | undefined;

  constructor(
    readonly clock: SimClock,
    readonly rand: Rand,
  ) {
    this.events = new EventRecorder(this.store, rand);
    this.nodes = new Nodes(this.store, rand);
    this.kubelet = new Kubelet(
      this.store,
      clock,
      rand,
      this.events,
      this.nodes,
      (image) => this.behaviorOf(image),
      () => this.requestSync(),
    );
    this.deployments = new DeploymentController(this);
    this.statefulsets = new StatefulSetController(this);
    this.daemonsets = new DaemonSetController(this);
    for (const name of DEFAULT_NODES) this.nodes.add({ name }, Date.now() - NODE_AGE_MS);
    this.clock.after(5000, () => this.resync());
  }

  private resync(): void {
    this.sync();
    this.clock.after(5000, () => this.resync());
  }

  wallIso(): string {
    return isoSeconds(Date.now());
  }

  behaviorOf(image: string): ImageBehavior {
    return this.behaviors.get(image) ?? {};
  }

  stop(): void {
    this.kubelet.stop();
  }

  // ---------- namespaces ----------

  addNamespace(name: string, createdWall = Date.now()): void {
    if (this.store.peek('namespaces', undefined, name)) return;
    this.store.put('namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, uid: uuid(this.rand), creationTimestamp: isoSeconds(createdWall), labels: { 'kubernetes.io/metadata.name': name } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
  }

  requireNamespace(ns: string): void {
    if (!this.store.peek('namespaces', undefined, ns)) throw ApiError.notFound('namespaces', '', ns);
  }

  // ---------- workloads ----------

  /** Store a validated, defaulted workload (create or update) of any kind and kick the controllers. */
  writeWorkload(resource: string, d: any, old: any | undefined, dryRun: boolean): any {
    const kind: WorkloadKind = RESOURCE_KIND[resource]!;
    const next = DEFAULTERS[kind](clone(d));
    if (old) {
      next.metadata.uid = old.metadata.uid;
      next.metadata.name = old.metadata.name;
      next.metadata.namespace = old.metadata.namespace;
      next.metadata.creationTimestamp = old.metadata.creationTimestamp;
      next.metadata.generation = old.metadata.generation ?? 1;
      next.status = old.status;
      if (canonicalJson(old.spec) !== canonicalJson(next.spec)) next.metadata.generation += 1;
    } else {
      next.metadata.uid = uuid(this.rand);
      next.metadata.creationTimestamp = this.wallIso();
      next.metadata.generation = 1;
      next.status = {};
    }
    validateWorkload(kind, next, old);
    if (dryRun) {
      next.metadata.resourceVersion = old?.metadata.resourceVersion ?? '';
      return next;
    }
    const saved = this.store.put(resource, next);
    this.requestSync();
    return saved;
  }

  writeDeployment(d: any, old: any | undefined, dryRun: boolean): any {
    return this.writeWorkload('deployments', d, old, dryRun);
  }

  deleteWorkload(resource: string, ns: string, name: string): void {
    if (resource === 'deployments') this.deployments.delete(ns, name);
    else if (resource === 'statefulsets') this.statefulsets.delete(ns, name);
    else if (resource === 'daemonsets') this.daemonsets.delete(ns, name);
  }

  /** Update a node (cordon, taints, labels): status and identity stay the server's. */
  writeNode(n: any, old: any, dryRun: boolean): any {
    const next = clone(n);
    next.apiVersion = 'v1';
    next.kind = 'Node';
    next.metadata = { ...next.metadata, name: old.metadata.name, uid: old.metadata.uid, creationTimestamp: old.metadata.creationTimestamp };
    next.status = old.status;
    next.spec ??= {};
    if (next.spec.unschedulable === false) delete next.spec.unschedulable;
    const bad = (next.spec.taints ?? []).findIndex((t: any) => !t?.key || !['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(t?.effect));
    if (bad >= 0) {
      const t = next.spec.taints[bad];
      const [field, message] = !t?.key
        ? [`spec.taints[${bad}].key`, 'Required value']
        : [`spec.taints[${bad}].effect`, `Unsupported value: "${t?.effect ?? ''}": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"`];
      throw ApiError.invalid('Node', '', old.metadata.name, [{ field, message }]);
    }
    if (dryRun) return next;
    const saved = this.store.put('nodes', next);
    this.nodes.sync();
    this.requestSync();
    return this.store.get('nodes', undefined, saved.metadata.name);
  }

  // ---------- controllers ----------

  requestSync(): void {
    if (this.syncTimer) return;
    this.syncTimer = this.clock.after(0, () => {
      this.syncTimer = undefined;
      this.sync();
    });
  }

  /** One pass of every controller. */
  sync(): void {
    this.nodes.sync();
    this.deployments.sync();
    this.statefulsets.sync();
    this.daemonsets.sync();
  }

  // ---------- pods ----------

  deletePod(ns: string, name: string, graceSeconds?: number): any | undefined {
    return this.kubelet.deletePod(ns, name, graceSeconds);
  }

  podExists(ns: string, name: string): boolean {
    return this.kubelet.podExists(ns, name);
  }

  podLogs(ns: string, name: string, opts: LogOptions): string {
    return podLogs(this.kubelet, ns, name, opts);
  }

  followLogs(ns: string, name: string, opts: LogOptions, write: (text: string) => void, end: () => void): () => void {
    return followLogs(this.kubelet, ns, name, opts, write, end);
  }

  podMetrics(ns?: string): any[] {
    return podMetrics(this.kubelet, ns);
  }

  nodeMetrics(): any[] {
    return nodeMetrics(this.kubelet);
  }
}
