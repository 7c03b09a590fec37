// The Kubernetes source: reflectors (list + watch) for pods, deployments, replicasets, statefulsets,
// daemonsets, controllerrevisions, events and nodes feed Maps; a dirty flag stages ONE materialising
// updater per frame, so a burst of watch events costs one publish. Pod and node metrics are polled
// (the metrics API has no watch), scoped to what is shown and within a byte budget (metrics.ts).
import { missingNamespaces } from './namespaces.js';
import { describeObject, yamlOfObject, type InspectRef } from './inspect.js';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Publish, Source, SourceSlice } from '../types.js';
import { KubeOperations, type KubeOps } from './actions.js';
import { loadKubeConfig, makeClients, resolveNamespaces, type KubeClients } from './client.js';
import { toKubeError } from './errors.js';
import {
  compareDeployments,
  podOrder,
  controllerOf,
  deploymentRow,
  foldEvents,
  objKey,
  podRow,
  RestartTracker,
  revisionOf,
  RolloutTracker,
  type ControllerRevision,
  type DaemonSet,
  type Deployment,
  type KubeEvent,
  type KubeNode,
  type KubeObject,
  type Pod,
  type ReplicaSet,
  type StatefulSet,
} from './normalize.js';
import { MetricsPoller, type MetricsResult, type Usage } from './metrics.js';
import { Reflector } from './reflector.js';
import { slimPod } from './slim.js';
import { getJsonSized, openStream, probeApi } from './watch.js';
import { compareNodes, compareWorkloads, daemonSetRow, newestRevisions, nodeRow, statefulSetRow, trimObject } from './workloads.js';
import { safeInterval } from '../../util/delay.js';
import { deploymentLogs, podLogs, summarizeErrors } from './logs.js';
import { listReplicaSets } from './replicasets.js';
import { streamPodLogs, type LogStreamEvents, type LogStreamOptions } from './log-stream.js';
import type { DeploymentRow, KubeData, PodRow } from './types.js';

export interface KubeSourceOptions {
  /** --kubeconfig path; undefined → KUBECONFIG, ~/.kube/config, in-cluster. */
  kubeconfig?: string;
  context?: string;
  namespaces: string[];
  allNamespaces: boolean;
  labelSelector?: string;
  timeoutSeconds: number;
  /** The refresh interval; metrics are polled at most this often and never more than every 15 s. */
  refreshSeconds?: number;
  /** Bytes of metrics a minute at most (default 1 MiB): large clusters are polled less often. */
  metricsBudgetBytesPerMinute?: number;
}

export interface KubeSourceExtra {
  log?: (msg: string) => void;
  now?: () => number;
  /** How a hung API server is noticed; the defaults suit a real cluster. */
  liveness?: Partial<LivenessOptions>;
  /** A watch silent this long is reopened (default 75 s; API servers bookmark about once a minute). */
  watchIdleTimeoutMs?: number;
}

export interface LivenessOptions {
  /** Probe the API once every watch has been silent this long (default 4 s). */
  silentMs: number;
  /** A probe (GET /readyz) not answered within this is a failure (default 2 s). */
  probeTimeoutMs: number;
  /** Not answering for this long turns degraded into down (default 8 s). */
  downAfterMs: number;
  /** How often the silence is checked (default 1 s). */
  tickMs: number;
}

const LIVENESS: LivenessOptions = { silentMs: 4000, probeTimeoutMs: 2000, downAfterMs: 8000, tickMs: 1000 };

const KIND_OF: Record<Kind, string> = {
  pods: 'Pod',
  deployments: 'Deployment',
  replicasets: 'ReplicaSet',
  events: 'Event',
  statefulsets: 'StatefulSet',
  daemonsets: 'DaemonSet',
  controllerrevisions: 'ControllerRevision',
  nodes: 'Node',
};

type Kind = 'pods' | 'deployments' | 'replicasets' | 'events' | 'statefulsets' | 'daemonsets' | 'controllerrevisions' | 'nodes';
/** Watched per namespace; nodes are cluster-scoped and watched once. */
/** Objects per LIST page (kubectl's and client-go's default). */
const LIST_PAGE = 500;
const NAMESPACED: Kind[] = ['pods', 'deployments', 'replicasets', 'events', 'statefulsets', 'daemonsets', 'controllerrevisions'];
const APPS = new Set<Kind>(['deployments', 'replicasets', 'statefulsets', 'daemonsets', 'controllerrevisions']);

/** One page of a LIST, whatever the kind (client-node's V1PodList, V1DeploymentList, ...). */
interface ListPage {
  items: KubeObject[];
  metadata?: { resourceVersion?: string; _continue?: string };
}

/** Map.get with a key that may be missing (Map.get takes it as it is). */
function lookup<V>(map: ReadonlyMap<string | undefined, V>, key: string | undefined): V | undefined {
  return map.get(key);
}

export class KubeSource implements Source {
  private clients: KubeClients | null = null;
  private kc: KubeConfig | null = null;
  private context: string | undefined;
  private namespaces: string[];
  private allNamespaces: boolean;
  /** `optional` reflectors (nodes) may be forbidden without making the source degraded. */
  private reflectors: Array<{ kind: Kind; ns: string | null; r: Reflector; optional: boolean }> = [];
  /** Per reflector: what is wrong, and whether its data is stale because of it. */
  private errors = new Map<string, { message: string; stale: boolean }>();
  private readonly liveness: LivenessOptions;
  /** Last sign of life from the API server: watch bytes, an answered list or probe. */
  private lastHeard = 0;
  /** Since when (the last sign of life) the API server has not been answering; null when it is. */
  private unansweredSince: number | null = null;
  private probing = false;
  private livenessTimer: NodeJS.Timeout | null = null;
  private dropped = 0;
  // What the reflectors keep, by kind (slimPod, trimObject); objects come from lists (Dates) and watches (strings).
  private pods = new Map<string, Pod>();
  private deployments = new Map<string, Deployment>();
  private replicaSets = new Map<string, ReplicaSet>();
  private events = new Map<string, KubeEvent>();
  private statefulSets = new Map<string, StatefulSet>();
  private daemonSets = new Map<string, DaemonSet>();
  private revisions = new Map<string, ControllerRevision>();
  private nodes = new Map<string, KubeNode>();
  private nodesError: string | null = null;
  private metrics = new Map<string, Usage>();
  private nodeMetrics = new Map<string, Usage>();
  private metricsAvailable = false;
  private metricsPoller: MetricsPoller | null = null;
  private workloadsDirty = true;
  private nodesDirty = true;
  private decayTimer: NodeJS.Timeout | null = null;
  private restarts = new RestartTracker();
  private rollouts = new RolloutTracker();
  private podRows = new Map<string, PodRow>();
  private dirtyPods = new Set<string>();
  private allPodsDirty = true;
  private deploymentsDirty = true;
  private eventsDirty = true;
  private staged = false;
  private generation = 0;
  private readonly now: () => number;
  private readonly log: (msg: string) => void;
  private readonly operationsProxy: KubeOps;
  private readonly watchIdleTimeoutMs: number;

  constructor(
    private readonly opts: KubeSourceOptions,
    private readonly publish: Publish<KubeData>,
    extra: KubeSourceExtra = {},
  ) {
    this.context = opts.context;
    this.namespaces = opts.namespaces;
    this.allNamespaces = opts.allNamespaces;
    this.now = extra.now ?? Date.now;
    this.log = extra.log ?? (() => {});
    this.liveness = { ...LIVENESS, ...extra.liveness };
    this.watchIdleTimeoutMs = extra.watchIdleTimeoutMs ?? 75_000;
    this.operationsProxy = this.makeOpsProxy();
  }

  async start(): Promise<void> {
    this.generation++;
    try {
      this.kc = loadKubeConfig({ kubeconfig: this.opts.kubeconfig, context: this.context });
      this.clients = makeClients(this.kc, this.opts.timeoutSeconds);
    } catch (e) {
      const msg = (e as Error).message;
      this.publish((prev) => ({ ...prev, status: 'down', error: msg }));
      return;
    }
    const c = this.clients;
    const ns = resolveNamespaces(c, this.namespaces, this.allNamespaces);
    this.publish((prev) => ({
      ...prev,
      status: prev.updatedAt ? prev.status : 'connecting',
      data: { ...prev.data, context: c.context, cluster: c.cluster, namespaces: ns ?? [], allNamespaces: ns === null },
    }));
    for (const n of ns ?? [null]) {
      for (const kind of NAMESPACED) this.addReflector(kind, n);
    }
    this.addReflector('nodes', null, true);
    this.lastHeard = this.now();
    this.unansweredSince = null;
    for (const r of this.reflectors) r.r.start();
    this.startLiveness();
    this.startMetrics();
    this.decayTimer = safeInterval(() => {
      // Recent restarts fall out of the 10-minute window without any event.
      if ([...this.podRows.values()].some((p) => p.recentRestarts > 0)) {
        this.allPodsDirty = true;
        this.markDirty();
      }
    }, 30_000);
    this.decayTimer.unref?.();
  }

  async stop(): Promise<void> {
    this.generation++;
    for (const r of this.reflectors) r.r.stop();
    this.reflectors = [];
    this.metricsPoller?.stop();
    if (this.decayTimer) clearInterval(this.decayTimer);
    if (this.livenessTimer) clearInterval(this.livenessTimer);
    this.metricsPoller = null;
    this.decayTimer = null;
    this.livenessTimer = null;
  }

  /**
   * Ctrl-R: restart at once every reflector that is stuck (a list in flight, a failing watch,
   * a back-off wait), all of them while the API server is not answering, and poll metrics.
   */
  refresh(): void {
    const all = this.unansweredSince !== null;
    let n = 0;
    for (const { r } of this.reflectors) {
      if (all || !r.healthy) {
        r.restart();
        n++;
      }
    }
    if (n) this.log(`kube refresh: restarted ${n} watch${n === 1 ? '' : 'es'}`);
    if (all) void this.probe(this.generation);
    this.metricsPoller?.pollNow();
  }

  /** Any sign of life from the API server. */
  private heard(): void {
    this.lastHeard = this.now();
    if (this.unansweredSince !== null) this.recovered();
  }

  private recovered(): void {
    const was = this.unansweredSince;
    this.unansweredSince = null;
    this.log(`kube: the API server answers again (after ${Math.round((this.now() - (was ?? this.now())) / 1000)}s)`);
    // Streams opened before the outage may be dead without knowing it: reopen them all now
    // (watches resume from their resourceVersion; failed lists are retried).
    for (const { r } of this.reflectors) r.restart();
    this.markDirty();
  }

  private startLiveness(): void {
    const gen = this.generation;
    this.livenessTimer = safeInterval(() => {
      if (gen !== this.generation) return;
      if (this.unansweredSince !== null) this.markDirty(); // the "not answering for Ns" grows
      if (!this.probing && this.now() - this.lastHeard >= this.liveness.silentMs) void this.probe(gen);
    }, this.liveness.tickMs);
    this.livenessTimer.unref?.();
  }

  /** GET /readyz with a short timeout, only while every watch is silent. */
  private async probe(gen: number): Promise<void> {
    const kc = this.kc;
    if (!kc || this.probing) return;
    this.probing = true;
    try {
      const r = await probeApi(kc, this.liveness.probeTimeoutMs);
      if (gen !== this.generation) return;
      if (r.answering) this.heard();
      else if (this.unansweredSince === null) {
        this.unansweredSince = this.lastHeard;
        this.log(`kube: the API server is not answering (${r.error?.message ?? 'no answer'})`);
        this.markDirty();
      }
    } finally {
      this.probing = false;
    }
  }

  listContexts(): { name: string; current: boolean; namespace: string | null; cluster: string }[] {
    const kc = this.kc ?? loadKubeConfig({ kubeconfig: this.opts.kubeconfig });
    const current = this.clients?.context ?? kc.getCurrentContext();
    return kc.getContexts().map((c) => ({ name: c.name, current: c.name === current, namespace: c.namespace ?? null, cluster: c.cluster }));
  }

  async switchContext(name: string): Promise<void> {
    const prevContext = this.context;
    // Validate before tearing anything down: a bad name leaves the cockpit as it was.
    loadKubeConfig({ kubeconfig: this.opts.kubeconfig, context: name });
    this.context = name;
    try {
      await this.restart();
    } catch (e) {
      this.context = prevContext;
      throw e;
    }
  }

  async setNamespaces(list: string[] | 'all'): Promise<void> {
    if (list === 'all') {
      this.allNamespaces = true;
      this.namespaces = [];
    } else {
      this.allNamespaces = false;
      this.namespaces = list;
    }
    await this.restart();
  }

  /** Kube operations bound to whatever context the source currently uses. */
  operations(): KubeOps {
    return this.operationsProxy;
  }

  /**
   * What the cockpit's controller needs (CockpitServices.kube): contexts, namespaces, logs
   * with an error summary on top, and rollout history.
   */
  cockpitService() {
    return {
      listContexts: (): string[] => this.listContexts().map((c) => c.name),
      currentContext: (): string | null => this.clients?.context ?? null,
      switchContext: (name: string) => this.switchContext(name),
      setNamespaces: (ns: string[] | 'all') => void this.setNamespaces(ns).catch((e) => this.log(`kube namespaces: ${(e as Error).message}`)),
      missingNamespaces: (names: string[]) => missingNamespaces(this.connected(), names),
      logs: (target: { name: string; namespace?: string; pod?: PodRow; deployment?: DeploymentRow }, kind: 'pod' | 'deployment') => this.logsFor(target, kind),
      streamLogs: (namespace: string, pod: string, opts: LogStreamOptions, ev: LogStreamEvents) => {
        if (!this.clients) throw new Error('not connected to Kubernetes');
        return streamPodLogs(this.clients, namespace, pod, opts, ev);
      },
      describe: (ref: InspectRef) => describeObject(this.connected(), ref, this.now()),
      yaml: (ref: InspectRef) => yamlOfObject(this.connected(), ref),
      replicaSets: () => {
        const c = this.clients;
        if (!c) throw new Error('not connected to Kubernetes');
        return listReplicaSets(c, resolveNamespaces(c, this.namespaces, this.allNamespaces), this.opts.labelSelector);
      },
      history: async (target: { name: string; namespace?: string; kind?: unknown; deployment?: DeploymentRow; pod?: PodRow }) => {
        const ns = target.namespace ?? target.deployment?.namespace ?? target.pod?.namespace ?? this.clients?.defaultNamespace ?? 'default';
        if (target.kind === 'StatefulSet' || target.kind === 'DaemonSet') return this.operations().workloadHistory(target.kind, ns, target.name);
        const name = target.deployment?.name ?? target.pod?.deployment ?? target.name;
        return this.operations().rolloutHistory(ns, name);
      },
    };
  }

  private connected(): KubeClients {
    if (!this.clients) throw new Error('not connected to Kubernetes');
    return this.clients;
  }

  /** Recent logs (last 10 minutes, up to 500 lines per pod) with the grouped errors first. */
  async logsFor(target: { name: string; namespace?: string; pod?: PodRow; deployment?: DeploymentRow }, kind: 'pod' | 'deployment'): Promise<{ title: string; lines: string[] }> {
    const c = this.clients;
    if (!c) throw new Error('not connected to Kubernetes');
    const ns = target.namespace ?? target.pod?.namespace ?? target.deployment?.namespace ?? c.defaultNamespace;
    const opts = { tailLines: 500, sinceSeconds: 600 };
    let lines: string[];
    let title: string;
    if (kind === 'pod' && (target.pod || !target.deployment)) {
      const pod = target.pod?.name ?? target.name;
      title = `Logs of pod ${ns}/${pod} (last 10 min)`;
      lines = await podLogs(c, ns, pod, opts);
    } else {
      const name = target.deployment?.name ?? target.pod?.deployment ?? target.name;
      title = `Logs of deployment ${ns}/${name} (last 10 min, all pods)`;
      const all = await deploymentLogs(c, ns, name, opts);
      lines = all.flatMap((p) => (p.error ? [`[${p.pod}] ${p.error}`] : p.lines.map((l) => `[${p.pod}] ${l}`)));
    }
    const errors = summarizeErrors(
      lines.map((l) => l.replace(/^\[[^\]]+\] /, '')),
      10,
    );
    const head = errors.length
      ? ['Errors (count, normalised message):', ...errors.map((e) => `${String(e.count).padStart(6)}  ${e.message}`), '']
      : ['No ERROR/FATAL/Exception/panic lines.', ''];
    return { title, lines: [...head, ...lines] };
  }

  /** Reflector counters (lists, watch connections, 410s, malformed events dropped), for tests and the bench. */
  stats(): { lists: number; watches: number; gone: number; dropped: number } {
    let lists = 0;
    let watches = 0;
    let gone = 0;
    for (const { r } of this.reflectors) {
      lists += r.stats.lists;
      watches += r.stats.watches;
      gone += r.stats.gone;
    }
    return { lists, watches, gone, dropped: this.dropped };
  }

  private async restart(): Promise<void> {
    await this.stop();
    this.pods.clear();
    this.deployments.clear();
    this.replicaSets.clear();
    this.events.clear();
    this.statefulSets.clear();
    this.daemonSets.clear();
    this.revisions.clear();
    this.nodes.clear();
    this.nodesError = null;
    this.metrics.clear();
    this.nodeMetrics.clear();
    this.podRows.clear();
    this.errors.clear();
    this.dropped = 0;
    this.metricsAvailable = false;
    this.allPodsDirty = this.deploymentsDirty = this.eventsDirty = this.workloadsDirty = this.nodesDirty = true;
    this.publish((prev) => ({
      ...prev,
      status: 'connecting',
      error: null,
      updatedAt: null,
      data: { ...prev.data, pods: [], deployments: [], statefulSets: [], daemonSets: [], nodes: [], nodesError: null, events: [] },
    }));
    await this.start();
  }

  private makeOpsProxy(): KubeOps {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the getters below read the live source
    const self = this;
    const ops = (): KubeOperations => {
      if (!self.clients) throw new Error('not connected to Kubernetes');
      return new KubeOperations(self.clients, self.now);
    };
    return {
      get context() {
        return self.clients?.context ?? null;
      },
      getDeployment: (...a) => ops().getDeployment(...a),
      restart: (...a) => ops().restart(...a),
      scale: (...a) => ops().scale(...a),
      planRollback: (...a) => ops().planRollback(...a),
      rollback: (...a) => ops().rollback(...a),
      rolloutHistory: (...a) => ops().rolloutHistory(...a),
      followRollout: (...a) => ops().followRollout(...a),
      canI: (...a) => ops().canI(...a),
      getWorkload: (...a) => ops().getWorkload(...a),
      restartWorkload: (...a) => ops().restartWorkload(...a),
      scaleWorkload: (...a) => ops().scaleWorkload(...a),
      workloadHistory: (...a) => ops().workloadHistory(...a),
      planWorkloadRollback: (...a) => ops().planWorkloadRollback(...a),
      applyRollback: (...a) => ops().applyRollback(...a),
      followWorkload: (...a) => ops().followWorkload(...a),
      cordon: (...a) => ops().cordon(...a),
      deletePod: (...a) => ops().deletePod(...a),
      setResources: (...a) => ops().setResources(...a),
    };
  }

  /** The kind's map, as kind-agnostic code (the reflectors' callbacks) fills it. */
  private mapFor(kind: Kind): Map<string, KubeObject> {
    switch (kind) {
      case 'pods':
        return this.pods;
      case 'deployments':
        return this.deployments;
      case 'replicasets':
        return this.replicaSets;
      case 'statefulsets':
        return this.statefulSets;
      case 'daemonsets':
        return this.daemonSets;
      case 'controllerrevisions':
        return this.revisions;
      case 'nodes':
        return this.nodes;
      default:
        return this.events;
    }
  }

  private listFor(
    kind: Kind,
    ns: string | null,
    labelSelector: string | undefined,
  ): (signal: AbortSignal) => Promise<{ items: KubeObject[]; metadata: { resourceVersion?: string } }> {
    const c = this.clients!;
    const namespace = ns ?? '';
    const page = (o: ReturnType<typeof c.opts>, p: { limit?: number; _continue?: string }): Promise<ListPage> => {
      switch (kind) {
        case 'pods':
          return ns ? c.core.listNamespacedPod({ namespace, labelSelector, ...p }, o) : c.core.listPodForAllNamespaces({ labelSelector, ...p }, o);
        case 'deployments':
          return ns ? c.apps.listNamespacedDeployment({ namespace, labelSelector, ...p }, o) : c.apps.listDeploymentForAllNamespaces({ labelSelector, ...p }, o);
        case 'replicasets':
          return ns ? c.apps.listNamespacedReplicaSet({ namespace, labelSelector, ...p }, o) : c.apps.listReplicaSetForAllNamespaces({ labelSelector, ...p }, o);
        case 'statefulsets':
          return ns ? c.apps.listNamespacedStatefulSet({ namespace, labelSelector, ...p }, o) : c.apps.listStatefulSetForAllNamespaces({ labelSelector, ...p }, o);
        case 'daemonsets':
          return ns ? c.apps.listNamespacedDaemonSet({ namespace, labelSelector, ...p }, o) : c.apps.listDaemonSetForAllNamespaces({ labelSelector, ...p }, o);
        case 'controllerrevisions':
          return ns ? c.apps.listNamespacedControllerRevision({ namespace, labelSelector, ...p }, o) : c.apps.listControllerRevisionForAllNamespaces({ labelSelector, ...p }, o);
        case 'nodes':
          return c.core.listNode({ ...p }, o);
        default:
          return ns ? c.core.listNamespacedEvent({ namespace, ...p }, o) : c.core.listEventForAllNamespaces({ ...p }, o);
      }
    };
    // In pages of LIST_PAGE, as kubectl and client-go's reflector list, each page trimmed as it
    // arrives: a 5,000-pod list never sits in memory whole. A continue token that has expired
    // (410 Gone, the snapshot compacted away) falls back to one list without a limit.
    return async (signal) => {
      const o = c.opts({ signal });
      let items: KubeObject[] = [];
      let resourceVersion: string | undefined;
      let token: string | undefined;
      let limit: number | undefined = LIST_PAGE;
      for (;;) {
        let r: ListPage;
        try {
          r = await page(o, { limit, _continue: token });
        } catch (e) {
          if (!token || (e as { code?: number }).code !== 410) throw e;
          items = [];
          token = undefined;
          limit = undefined;
          continue;
        }
        for (const item of r?.items ?? []) items.push(this.kept(kind, item));
        resourceVersion = r?.metadata?.resourceVersion;
        token = limit ? r?.metadata?._continue || undefined : undefined;
        if (!token) break;
      }
      return { items, metadata: { resourceVersion } };
    };
  }

  /** What is kept of an object (idempotent: a kept object kept again is the same). */
  private kept(kind: Kind, obj: KubeObject): KubeObject {
    return kind === 'pods' ? slimPod(obj) : trimObject(obj, KIND_OF[kind]);
  }

  private addReflector(kind: Kind, ns: string | null, optional = false): void {
    const c = this.clients!;
    const kc = this.kc!;
    // Nodes and events are not filtered by the workload label selector.
    const labelSelector = kind === 'events' || kind === 'nodes' ? undefined : this.opts.labelSelector;
    const group = APPS.has(kind) ? '/apis/apps/v1' : '/api/v1';
    const path = ns ? `${group}/namespaces/${encodeURIComponent(ns)}/${kind}` : `${group}/${kind}`;
    const list = this.listFor(kind, ns, labelSelector);
    const id = `${kind}@${ns ?? '*'}`;
    const gen = this.generation;
    const map = this.mapFor(kind);
    const r = new Reflector({
      id,
      kind: KIND_OF[kind],
      list,
      listTimeoutMs: c.timeoutMs,
      watch: (query, h) => openStream(kc, path, query, h, { connectTimeoutMs: c.timeoutMs, idleTimeoutMs: this.watchIdleTimeoutMs }),
      labelSelector,
      log: this.log,
      onActivity: () => {
        if (gen === this.generation) this.heard();
      },
      onDropped: (reason) => {
        if (gen !== this.generation) return;
        this.dropped++;
        // Every one of the first 20, then every 100th: a broken proxy must not flood the log.
        if (this.dropped <= 20 || this.dropped % 100 === 0) this.log(`kube ${id}: dropped a malformed watch event (${reason}); ${this.dropped} dropped so far`);
      },
      onSync: (items) => {
        if (gen !== this.generation) return;
        // Only what the list no longer has is gone: a relist (410 Gone after etcd compaction,
        // routine on real servers) must not erase restart and rollout history.
        const listed = new Set(items.map((item) => objKey(item)));
        for (const key of [...map.keys()]) if ((ns === null || key.startsWith(`${ns}/`)) && !listed.has(key)) this.remove(kind, key);
        for (const item of items) this.upsert(kind, item);
        this.markDirty();
      },
      onEvent: (type, obj) => {
        if (gen !== this.generation) return;
        if (type === 'DELETED') this.remove(kind, objKey(obj));
        else this.upsert(kind, obj);
        this.markDirty();
      },
      onError: (err, stale = true) => {
        if (gen !== this.generation) return;
        if (err == null) {
          if (this.errors.delete(id)) this.markDirty();
          return;
        }
        const ke = toKubeError(err, `watch ${kind}${ns ? ` in ${ns}` : ''}`, c.server);
        if (optional && (ke.kind === 'forbidden' || ke.kind === 'not-found')) {
          // No permission to list nodes: the Nodes pane says so, the rest of the cockpit is fine.
          if (this.nodesError !== ke.message) {
            this.log(`kube ${id}: ${ke.message}`);
            this.nodesError = ke.message;
            this.nodesDirty = true;
            this.markDirty();
          }
          return;
        }
        if (this.errors.get(id)?.message !== ke.message) this.log(`kube ${id}: ${ke.message}`);
        this.errors.set(id, { message: ke.message, stale });
        this.markDirty();
      },
    });
    this.reflectors.push({ kind, ns, r, optional });
  }

  private touched(kind: Kind): void {
    if (kind === 'replicasets') this.deploymentsDirty = true;
    else if (kind === 'deployments') this.deploymentsDirty = true;
    else if (kind === 'statefulsets' || kind === 'daemonsets' || kind === 'controllerrevisions') this.workloadsDirty = true;
    else if (kind === 'nodes') this.nodesDirty = true;
    else if (kind === 'events') this.eventsDirty = true;
  }

  private upsert(kind: Kind, obj: KubeObject): void {
    const key = objKey(obj);
    const keep = this.kept(kind, obj);
    const before = kind === 'replicasets' ? this.replicaSets.get(key) : undefined;
    this.mapFor(kind).set(key, keep);
    if (kind === 'replicasets') this.replicaSetChanged(before, keep);
    if (kind === 'pods') {
      this.dirtyPods.add(key);
      this.nodesDirty = true; // the pod count per node
    } else if (kind === 'nodes' && this.nodesError) {
      this.nodesError = null;
      this.nodesDirty = true;
    } else this.touched(kind);
  }

  private remove(kind: Kind, key: string): void {
    const before = kind === 'replicasets' ? this.replicaSets.get(key) : undefined;
    if (!this.mapFor(kind).delete(key)) return;
    if (kind === 'replicasets') this.replicaSetChanged(before, undefined);
    if (kind === 'pods') {
      this.dirtyPods.add(key);
      this.restarts.forget(key);
      this.nodesDirty = true;
    } else {
      if (kind === 'deployments') this.rollouts.forget(key);
      this.touched(kind);
    }
  }

  /**
   * A pod's deployment is its ReplicaSet's owner: when a ReplicaSet comes, goes or changes owner,
   * its pods are rebuilt; a status update (every step of a rollout) rebuilds none.
   */
  private replicaSetChanged(before: ReplicaSet | undefined, after: ReplicaSet | undefined): void {
    const owner = (rs: ReplicaSet | undefined) => {
      const c = rs ? controllerOf(rs) : null;
      return c?.kind === 'Deployment' ? c.name : null;
    };
    if ((before && after && owner(before) === owner(after)) || this.allPodsDirty) return;
    const rs = (after ?? before)!;
    const ns = rs.metadata?.namespace;
    const name = rs.metadata?.name;
    for (const [key, pod] of this.pods) {
      if (pod.metadata?.namespace !== ns) continue;
      const c = controllerOf(pod);
      if (c?.kind === 'ReplicaSet' && c.name === name) this.dirtyPods.add(key);
    }
  }

  private markDirty(): void {
    if (this.staged) return;
    this.staged = true;
    this.publish((prev) => {
      this.staged = false;
      return this.materialise(prev);
    });
  }

  private deploymentOfPod(pod: Pod): string | null {
    const owner = controllerOf(pod);
    if (!owner || owner.kind !== 'ReplicaSet') return null;
    const rs = this.replicaSets.get(`${pod.metadata?.namespace}/${owner.name}`);
    const d = rs ? controllerOf(rs) : null;
    return d?.kind === 'Deployment' ? d.name : null;
  }

  private buildPodRow(key: string, pod: Pod, now: number): PodRow {
    const s = this.metrics.get(key);
    const count = (pod.status?.containerStatuses ?? []).reduce((n: number, c) => n + (c.restartCount ?? 0), 0);
    const deployment = this.deploymentOfPod(pod);
    const ref = controllerOf(pod);
    return podRow(pod, {
      deployment,
      owner: deployment ? { kind: 'Deployment', name: deployment } : ref ? { kind: ref.kind, name: ref.name } : null,
      recentRestarts: this.restarts.observe(key, count, now),
      cpuMilli: s?.cpuMilli ?? null,
      memoryBytes: s?.memoryBytes ?? null,
      now,
    });
  }

  private materialise(prev: SourceSlice<KubeData>): SourceSlice<KubeData> {
    const now = this.now();
    const data = { ...prev.data, metricsAvailable: this.metricsAvailable };
    let podsChanged = false;
    if (this.allPodsDirty) {
      this.podRows.clear();
      for (const [key, pod] of this.pods) this.podRows.set(key, this.buildPodRow(key, pod, now));
      podsChanged = true;
    } else if (this.dirtyPods.size) {
      for (const key of this.dirtyPods) {
        const pod = this.pods.get(key);
        if (pod) this.podRows.set(key, this.buildPodRow(key, pod, now));
        else this.podRows.delete(key);
      }
      podsChanged = true;
    }
    this.allPodsDirty = false;
    this.dirtyPods.clear();
    if (podsChanged) data.pods = [...this.podRows.values()].sort(podOrder(now));

    if (this.deploymentsDirty) {
      const byDeploy = new Map<string, ReplicaSet[]>();
      for (const rs of this.replicaSets.values()) {
        const owner = controllerOf(rs);
        if (owner?.kind !== 'Deployment') continue;
        const list = byDeploy.get(owner.uid);
        if (list) list.push(rs);
        else byDeploy.set(owner.uid, [rs]);
      }
      const rows: DeploymentRow[] = [];
      for (const d of this.deployments.values())
        rows.push(deploymentRow(d, lookup(byDeploy, d.metadata?.uid) ?? [], { revisionSeenAt: this.rollouts.observe(objKey(d), revisionOf(d), now) }));
      data.deployments = rows.sort(compareDeployments);
      this.deploymentsDirty = false;
    }
    if (this.eventsDirty) {
      data.events = foldEvents(this.events.values()).slice(0, 500);
      this.eventsDirty = false;
    }
    if (this.workloadsDirty) {
      const newest = newestRevisions(this.revisions.values());
      data.statefulSets = [...this.statefulSets.values()].map((o) => statefulSetRow(o, lookup(newest, o.metadata?.uid) ?? null)).sort(compareWorkloads);
      data.daemonSets = [...this.daemonSets.values()].map((o) => daemonSetRow(o, lookup(newest, o.metadata?.uid) ?? null)).sort(compareWorkloads);
      this.workloadsDirty = false;
    }
    if (this.nodesDirty) {
      const perNode = new Map<string, number>();
      for (const p of this.pods.values()) {
        const n = p.spec?.nodeName;
        if (n && !p.metadata?.deletionTimestamp) perNode.set(n, (perNode.get(n) ?? 0) + 1);
      }
      data.nodes = [...this.nodes.values()]
        .map((n) => nodeRow(n, { pods: lookup(perNode, n.metadata?.name) ?? 0, ...lookup(this.nodeMetrics, n.metadata?.name) }))
        .sort(compareNodes);
      data.nodesError = this.nodesError;
      this.nodesDirty = false;
    }

    const errs = [...this.errors.entries()];
    const synced = this.reflectors.some((r) => !r.optional) && this.reflectors.every((r) => r.optional || r.r.hasSynced);
    const podsFailing = errs.some(([id, e]) => e.stale && id.startsWith('pods@'));
    let status = prev.status;
    let error: string | null = null;
    let updatedAt = prev.updatedAt;
    if (this.unansweredSince !== null) {
      // A hung API server: the data is as old as the last sign of life.
      const secs = Math.max(0, Math.round((now - this.unansweredSince) / 1000));
      error = `API server not answering for ${secs}s` + (errs[0] ? ` (${errs[0][1].message}${errs.length > 1 ? ` +${errs.length - 1} more` : ''})` : '');
      status = now - this.unansweredSince >= this.liveness.downAfterMs || podsFailing ? 'down' : 'degraded';
      if (prev.updatedAt === null || prev.updatedAt > this.unansweredSince) updatedAt = synced ? this.unansweredSince : prev.updatedAt;
    } else if (errs[0]) {
      error = errs[0][1].message + (errs.length > 1 ? ` (+${errs.length - 1} more)` : '');
      status = podsFailing ? 'down' : 'degraded';
      if (synced && errs.every(([, e]) => !e.stale)) updatedAt = now;
    } else if (synced) {
      status = 'ok';
      updatedAt = now;
    } else status = prev.updatedAt ? prev.status : 'connecting';
    return { ...prev, status, error, updatedAt, data };
  }

  private startMetrics(): void {
    const c = this.clients;
    const kc = this.kc;
    if (!c || !kc) return;
    const gen = this.generation;
    this.metricsPoller = new MetricsPoller({
      // Each poll has the request timeout and its socket is closed when it expires.
      fetch: (path, query) => getJsonSized(kc, path, c.timeoutMs, query),
      scope: () => ({ namespaces: resolveNamespaces(c, this.namespaces, this.allNamespaces), labelSelector: this.opts.labelSelector }),
      intervalMs: (this.opts.refreshSeconds ?? 15) * 1000,
      budgetBytesPerMinute: this.opts.metricsBudgetBytesPerMinute,
      onResult: (r) => {
        if (gen === this.generation) this.applyMetricsResult(r);
      },
    });
    this.metricsPoller.start();
  }

  /** Metrics received and polls made (bytes/min for the bench and tests). */
  metricsStats(): { bytes: number; polls: number; lastBytes: number; lastDelayMs: number } {
    return { ...(this.metricsPoller?.stats ?? { bytes: 0, polls: 0, lastBytes: 0, lastDelayMs: 0 }) };
  }

  private applyMetricsResult(r: MetricsResult): void {
    if (r.available) this.heard();
    else if (this.metricsAvailable) this.log(`kube metrics: ${r.error?.message ?? 'unavailable'}`);
    const nodes = r.nodes ?? new Map<string, Usage>();
    const same = (a: Usage | undefined, b: Usage | undefined) => a?.cpuMilli === b?.cpuMilli && a?.memoryBytes === b?.memoryBytes;
    if (nodes.size !== this.nodeMetrics.size || [...nodes].some(([k, v]) => !same(v, this.nodeMetrics.get(k)))) {
      this.nodeMetrics = nodes;
      this.nodesDirty = true;
      this.markDirty();
    }
    this.applyMetrics(r.pods, r.available);
  }

  /** Marks only pods whose figures changed, so an idle cluster publishes nothing. */
  private applyMetrics(next: Map<string, Usage>, available: boolean): void {
    let changed = available !== this.metricsAvailable;
    this.metricsAvailable = available;
    for (const [key, v] of next) {
      const old = this.metrics.get(key);
      if (!old || old.cpuMilli !== v.cpuMilli || old.memoryBytes !== v.memoryBytes) {
        this.dirtyPods.add(key);
        changed = true;
      }
    }
    for (const key of this.metrics.keys()) {
      if (!next.has(key)) {
        this.dirtyPods.add(key);
        changed = true;
      }
    }
    this.metrics = next;
    if (changed) this.markDirty();
  }
}
