// The simulated cluster: object defaults and validation, the deployment and replicaset controllers,
// pod lifecycles (kubelet), the event recorder, logs and metrics. All delays run on the sim clock.
import { type SimClock, type TimerHandle } from './clock.js';
import { ApiError } from './errors.js';
import { ObjectStore } from './store.js';
import type { ImageBehavior } from './types.js';
import { canonicalJson, clone, fnv32a, intOrPercent, isoSeconds, randSuffix, safeEncode, uuid, type Rand } from './util.js';

const REVISION = 'deployment.kubernetes.io/revision';
const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
const DESIRED = 'deployment.kubernetes.io/desired-replicas';
const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
const CHANGE_CAUSE = 'kubernetes.io/change-cause';
const HASH_LABEL = 'pod-template-hash';
/** Annotations the controller does not copy from a deployment onto its ReplicaSets. */
const SKIP_ANNOTATIONS = new Set([REVISION, REVISION_HISTORY, DESIRED, MAX_REPLICAS, 'kubectl.kubernetes.io/last-applied-configuration']);
const MAX_LOG_LINES = 2000;
const MAX_EVENTS = 3000;
const TERMINATE_MS = 1500;
const NODES = ['sim-node-1', 'sim-node-2', 'sim-node-3'];

type CtrPhase = 'creating' | 'pullerr' | 'pullbackoff' | 'running' | 'backoff';

interface LogLine {
  wall: number;
  instance: number;
  text: string;
}

interface CtrRt {
  name: string;
  image: string;
  phase: CtrPhase;
  ready: boolean;
  pulled: boolean;
  restartCount: number;
  backoffSec: number;
  startedSim: number;
  startedWall: number;
  containerId?: string;
  waitingMessage?: string;
  last?: { exitCode: number; reason: string; startedAt: string; finishedAt: string; containerID: string };
  instance: number;
  logs: LogLine[];
  logSeq: number;
  lastLogSim: number;
  cpu: number;
  baseMem: number;
}

interface PodRt {
  ns: string;
  name: string;
  uid: string;
  scheduled: boolean;
  nodeName: string;
  ip: string;
  startWall: number;
  containers: CtrRt[];
  terminating: boolean;
  timers: Set<TimerHandle>;
  conds: Map<string, { status: string; at: string }>;
}

export function templateHash(template: any): string {
  const t = clone(template ?? {});
  if (t.metadata?.labels) delete t.metadata.labels[HASH_LABEL];
  return safeEncode(String(fnv32a(canonicalJson(t))));
}

export function revisionOf(o: any): number {
  return Number(o?.metadata?.annotations?.[REVISION] ?? 0) || 0;
}

export function defaultTemplate(t: any): any {
  t.metadata ??= {};
  if (!('creationTimestamp' in t.metadata)) t.metadata.creationTimestamp = null;
  t.spec ??= {};
  const s = t.spec;
  s.restartPolicy ??= 'Always';
  s.terminationGracePeriodSeconds ??= 30;
  s.dnsPolicy ??= 'ClusterFirst';
  s.securityContext ??= {};
  s.schedulerName ??= 'default-scheduler';
  for (const c of s.containers ?? []) {
    if (c && typeof c === 'object') {
      const img = String(c.image ?? '');
      const tag = img.includes('@') ? 'digest' : (/:([^/:]+)$/.exec(img)?.[1] ?? 'latest');
      c.imagePullPolicy ??= tag === 'latest' ? 'Always' : 'IfNotPresent';
      c.terminationMessagePath ??= '/dev/termination-log';
      c.terminationMessagePolicy ??= 'File';
      c.resources ??= {};
    }
  }
  return t;
}

export function defaultDeployment(d: any): any {
  d.apiVersion = 'apps/v1';
  d.kind = 'Deployment';
  d.metadata ??= {};
  d.spec ??= {};
  d.spec.replicas ??= 1;
  d.spec.revisionHistoryLimit ??= 10;
  d.spec.progressDeadlineSeconds ??= 600;
  d.spec.strategy ??= { type: 'RollingUpdate' };
  if ((d.spec.strategy.type ?? 'RollingUpdate') === 'RollingUpdate') {
    d.spec.strategy.type = 'RollingUpdate';
    d.spec.strategy.rollingUpdate ??= {};
    d.spec.strategy.rollingUpdate.maxSurge ??= '25%';
    d.spec.strategy.rollingUpdate.maxUnavailable ??= '25%';
  }
  d.spec.template = defaultTemplate(d.spec.template ?? {});
  d.status ??= {};
  return d;
}

const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function validateDeployment(d: any, old?: any): void {
  const name = String(d?.metadata?.name ?? '');
  const causes: { field: string; message: string; reason?: string }[] = [];
  if (!name) causes.push({ field: 'metadata.name', message: 'Required value: name or generateName is required', reason: 'FieldValueRequired' });
  else if (!DNS1123.test(name) || name.length > 253) causes.push({ field: 'metadata.name', message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character` });
  const r = d.spec?.replicas;
  if (typeof r !== 'number' || !Number.isInteger(r)) causes.push({ field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(r)}: must be an integer` });
  else if (r < 0) causes.push({ field: 'spec.replicas', message: `Invalid value: ${r}: must be greater than or equal to 0` });
  const sel = d.spec?.selector?.matchLabels;
  if (!sel || typeof sel !== 'object' || Object.keys(sel).length === 0) {
    causes.push({ field: 'spec.selector', message: 'Required value', reason: 'FieldValueRequired' });
  } else {
    const labels = d.spec?.template?.metadata?.labels ?? {};
    if (!Object.entries(sel).every(([k, v]) => labels[k] === v)) {
      causes.push({ field: 'spec.template.metadata.labels', message: `Invalid value: ${JSON.stringify(labels)}: \`selector\` does not match template \`labels\`` });
    }
    if (old && canonicalJson(old.spec?.selector) !== canonicalJson(d.spec.selector)) {
      causes.push({ field: 'spec.selector', message: `Invalid value: ${JSON.stringify(d.spec.selector)}: field is immutable` });
    }
  }
  const cs = d.spec?.template?.spec?.containers;
  if (!Array.isArray(cs) || cs.length === 0) causes.push({ field: 'spec.template.spec.containers', message: 'Required value', reason: 'FieldValueRequired' });
  else
    cs.forEach((c: any, i: number) => {
      if (!c?.name) causes.push({ field: `spec.template.spec.containers[${i}].name`, message: 'Required value', reason: 'FieldValueRequired' });
      if (!c?.image) causes.push({ field: `spec.template.spec.containers[${i}].image`, message: 'Required value', reason: 'FieldValueRequired' });
    });
  const ru = d.spec?.strategy?.rollingUpdate;
  if (ru && intOrPercent(ru.maxSurge, 100, true, '25%') === 0 && intOrPercent(ru.maxUnavailable, 100, false, '25%') === 0) {
    causes.push({ field: 'spec.strategy.rollingUpdate.maxUnavailable', message: 'Invalid value: 0: may not be 0 when `maxSurge` is 0' });
  }
  if (causes.length) throw ApiError.invalid('Deployment', 'apps', name, causes);
}

const DEFAULT_LOG = (podName: string, seq: number, rand: () => number): string => {
  const paths = ['/api/orders', '/api/users', '/healthz', '/api/cart', '/api/search', '/metrics'];
  const codes = [200, 200, 200, 200, 201, 204, 304, 404];
  const p = paths[Math.floor(rand() * paths.length)];
  const c = codes[Math.floor(rand() * codes.length)];
  return `level=INFO msg="request handled" method=GET path=${p} status=${c} duration_ms=${1 + Math.floor(rand() * 80)} seq=${seq} pod=${podName}`;
};

export class World {
  readonly store = new ObjectStore();
  readonly behaviors = new Map<string, ImageBehavior>();
  private readonly pods = new Map<string, PodRt>();
  private readonly lastProgress = new Map<string, number>();
  private syncTimer: TimerHandle | undefined;
  private ipCounter = 10;
  private eventCounter = 0;
  private readonly eventIndex = new Map<string, string>();
  private readonly eventOrder: { ns: string; name: string; key: string }[] = [];

  constructor(
    readonly clock: SimClock,
    readonly rand: Rand,
  ) {
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
    for (const rt of this.pods.values()) rt.timers.clear();
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

  // ---------- deployments ----------

  /** Store a validated, defaulted deployment (create or update) and kick the controller. */
  writeDeployment(d: any, old: any | undefined, dryRun: boolean): any {
    const next = defaultDeployment(clone(d));
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
    validateDeployment(next, old);
    if (dryRun) {
      next.metadata.resourceVersion = old?.metadata.resourceVersion ?? '';
      return next;
    }
    const saved = this.store.put('deployments', next);
    this.requestSync();
    return saved;
  }

  deleteDeployment(ns: string, name: string): void {
    const d = this.store.peek('deployments', ns, name);
    if (!d) return;
    for (const rs of this.ownedReplicaSets(d)) {
      for (const p of this.podsOf(rs)) this.deletePod(ns, p.metadata.name);
      this.store.remove('replicasets', ns, rs.metadata.name);
    }
    this.store.remove('deployments', ns, name);
  }

  // ---------- controller ----------

  requestSync(): void {
    if (this.syncTimer) return;
    this.syncTimer = this.clock.after(0, () => {
      this.syncTimer = undefined;
      this.sync();
    });
  }

  /** One controller pass over every deployment and replicaset. */
  sync(): void {
    for (const rs of this.store.peekAll('replicasets')) this.refreshReplicaSetStatus(rs.metadata.namespace, rs.metadata.name);
    for (const d of this.store.peekAll('deployments')) this.syncDeployment(d.metadata.namespace, d.metadata.name);
    for (const rs of this.store.peekAll('replicasets')) this.reconcileReplicaSet(rs.metadata.namespace, rs.metadata.name);
    for (const rs of this.store.peekAll('replicasets')) this.refreshReplicaSetStatus(rs.metadata.namespace, rs.metadata.name);
    for (const d of this.store.peekAll('deployments')) this.updateDeploymentStatus(d.metadata.namespace, d.metadata.name, false);
  }

  ownedReplicaSets(d: any): any[] {
    return this.store
      .peekAll('replicasets', d.metadata.namespace, (rs) => (rs.metadata.ownerReferences ?? []).some((o: any) => o.uid === d.metadata.uid && o.controller))
      .sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || revisionOf(a) - revisionOf(b));
  }

  private putIfChanged(resource: string, before: any, after: any): boolean {
    if (canonicalJson(before) === canonicalJson(after)) return false;
    this.store.put(resource, after);
    return true;
  }

  private scaleReplicaSet(d: any, rs: any, to: number): void {
    const from = rs.spec.replicas ?? 0;
    if (from === to) return;
    const next = clone(this.store.peek('replicasets', rs.metadata.namespace, rs.metadata.name));
    next.spec.replicas = to;
    next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [DESIRED]: String(d.spec.replicas), [MAX_REPLICAS]: String(d.spec.replicas + this.maxSurge(d)) };
    next.metadata.generation = (next.metadata.generation ?? 1) + 1;
    this.store.put('replicasets', next);
    rs.spec.replicas = to;
    this.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${to > from ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${to}`, 'deployment-controller');
    this.markProgress(d);
  }

  private maxSurge(d: any): number {
    if (d.spec.strategy?.type !== 'RollingUpdate') return 0;
    const ru = d.spec.strategy.rollingUpdate ?? {};
    const surge = intOrPercent(ru.maxSurge, d.spec.replicas, true, '25%');
    return surge;
  }

  private maxUnavailable(d: any): number {
    if (d.spec.strategy?.type !== 'RollingUpdate') return 0;
    const ru = d.spec.strategy.rollingUpdate ?? {};
    const surge = intOrPercent(ru.maxSurge, d.spec.replicas, true, '25%');
    let un = intOrPercent(ru.maxUnavailable, d.spec.replicas, false, '25%');
    if (surge === 0 && un === 0) un = 1;
    return Math.min(un, d.spec.replicas);
  }

  private markProgress(d: any): void {
    this.lastProgress.set(`${d.metadata.namespace}/${d.metadata.name}`, this.clock.now());
  }

  createReplicaSet(d: any, hash: string, revision: number): any {
    const template = clone(d.spec.template);
    template.metadata.labels = { ...(template.metadata.labels ?? {}), [HASH_LABEL]: hash };
    const annotations: Record<string, string> = {};
    for (const [k, v] of Object.entries<string>(d.metadata.annotations ?? {})) if (!SKIP_ANNOTATIONS.has(k)) annotations[k] = v;
    annotations[DESIRED] = String(d.spec.replicas);
    annotations[MAX_REPLICAS] = String(d.spec.replicas + this.maxSurge(d));
    annotations[REVISION] = String(revision);
    const rs = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: d.metadata.namespace,
        uid: uuid(this.rand),
        generation: 1,
        creationTimestamp: this.wallIso(),
        labels: { ...(template.metadata.labels ?? {}) },
        annotations,
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name, uid: d.metadata.uid, controller: true, blockOwnerDeletion: true }],
      },
      spec: { replicas: 0, selector: { matchLabels: { ...(d.spec.selector?.matchLabels ?? {}), [HASH_LABEL]: hash } }, template },
      status: { replicas: 0, observedGeneration: 1 },
    };
    return this.store.put('replicasets', rs);
  }

  private syncDeployment(ns: string, name: string): void {
    const cur = this.store.peek('deployments', ns, name);
    if (!cur || cur.metadata.deletionTimestamp) return;
    const d = clone(cur);
    const all = this.ownedReplicaSets(d);
    if (d.spec.paused) {
      // A paused deployment does not roll, but a lone active ReplicaSet still follows spec.replicas.
      const active = all.filter((rs) => (rs.spec.replicas ?? 0) > 0);
      const target = active.length === 1 ? active[0] : active.length === 0 ? [...all].sort((a, b) => revisionOf(b) - revisionOf(a))[0] : undefined;
      if (target) this.scaleReplicaSet(d, clone(target), d.spec.replicas);
      return;
    }
    const hash = templateHash(d.spec.template);
    let newRS = all.find((rs) => rs.metadata.labels?.[HASH_LABEL] === hash);
    const maxRev = all.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
    if (!newRS) {
      newRS = clone(this.createReplicaSet(d, hash, maxRev + 1));
      this.markProgress(d);
      this.progressReason.set(`${ns}/${name}`, ['NewReplicaSetCreated', `Created new replica set "${newRS.metadata.name}"`]);
    } else {
      const ann: Record<string, string> = { ...(newRS.metadata.annotations ?? {}) };
      const before = clone(newRS);
      if (revisionOf(newRS) < maxRev) {
        const hist = [ann[REVISION_HISTORY], ann[REVISION]].filter(Boolean).join(',');
        ann[REVISION_HISTORY] = hist;
        ann[REVISION] = String(maxRev + 1);
        this.markProgress(d);
        this.progressReason.set(`${ns}/${name}`, ['FoundNewReplicaSet', `Found new replica set "${newRS.metadata.name}"`]);
      }
      for (const [k, v] of Object.entries<string>(d.metadata.annotations ?? {})) if (!SKIP_ANNOTATIONS.has(k)) ann[k] = v;
      if (!d.metadata.annotations?.[CHANGE_CAUSE]) delete ann[CHANGE_CAUSE];
      const after = clone(newRS);
      after.metadata.annotations = ann;
      if (this.putIfChanged('replicasets', before, after)) newRS = clone(this.store.peek('replicasets', ns, newRS.metadata.name));
    }
    const rev = String(revisionOf(newRS));
    if (d.metadata.annotations?.[REVISION] !== rev) {
      const next = clone(this.store.peek('deployments', ns, name));
      next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [REVISION]: rev };
      this.store.put('deployments', next);
    }
    const olds = this.ownedReplicaSets(d)
      .filter((rs) => rs.metadata.name !== newRS.metadata.name)
      .map(clone);
    const nrs = clone(this.store.peek('replicasets', ns, newRS.metadata.name));
    const replicas: number = d.spec.replicas;

    if (d.spec.strategy?.type === 'Recreate') {
      const oldActive = olds.some((rs) => (rs.spec.replicas ?? 0) > 0);
      for (const rs of olds) this.scaleReplicaSet(d, rs, 0);
      const oldPods = olds.some((rs) => this.podsOf(rs).length > 0);
      if (!oldActive && !oldPods) this.scaleReplicaSet(d, nrs, replicas);
    } else {
      // Scale up the new ReplicaSet within maxSurge.
      const total = () => olds.reduce((s, rs) => s + (rs.spec.replicas ?? 0), 0) + (nrs.spec.replicas ?? 0);
      if ((nrs.spec.replicas ?? 0) > replicas) this.scaleReplicaSet(d, nrs, replicas);
      else if ((nrs.spec.replicas ?? 0) < replicas) {
        const maxTotal = replicas + this.maxSurge(d);
        const room = maxTotal - total();
        if (room > 0) this.scaleReplicaSet(d, nrs, Math.min(replicas, nrs.spec.replicas + room));
      }
      // Scale down old ReplicaSets within maxUnavailable (as the real reconcileOldReplicaSets).
      const minAvailable = replicas - this.maxUnavailable(d);
      const nrsStatus = this.store.peek('replicasets', ns, nrs.metadata.name)?.status ?? {};
      const newUnavailable = Math.max(0, (nrs.spec.replicas ?? 0) - (nrsStatus.availableReplicas ?? 0));
      let maxScaledDown = total() - minAvailable - newUnavailable;
      if (maxScaledDown > 0) {
        for (const rs of olds) {
          if (maxScaledDown <= 0) break;
          const avail = rs.status?.availableReplicas ?? 0;
          if ((rs.spec.replicas ?? 0) === 0 || rs.spec.replicas <= avail) continue;
          const n = Math.min(maxScaledDown, rs.spec.replicas - avail);
          this.scaleReplicaSet(d, rs, rs.spec.replicas - n);
          maxScaledDown -= n;
        }
        const available = olds.reduce((s, rs) => s + Math.min(rs.spec.replicas ?? 0, rs.status?.availableReplicas ?? 0), 0) + (nrsStatus.availableReplicas ?? 0);
        let down = available - minAvailable;
        for (const rs of olds) {
          if (down <= 0) break;
          if ((rs.spec.replicas ?? 0) === 0) continue;
          const n = Math.min(rs.spec.replicas, down);
          this.scaleReplicaSet(d, rs, rs.spec.replicas - n);
          down -= n;
        }
      }
    }
    // Keep at most revisionHistoryLimit old ReplicaSets that are fully scaled down.
    const limit = d.spec.revisionHistoryLimit ?? 10;
    const dead = olds.filter((rs) => (rs.spec.replicas ?? 0) === 0 && this.podsOf(rs).length === 0).sort((a, b) => revisionOf(a) - revisionOf(b));
    while (dead.length > limit) {
      const rs = dead.shift()!;
      this.store.remove('replicasets', ns, rs.metadata.name);
    }
  }

  private readonly progressReason = new Map<string, [string, string]>();

  podsOf(rs: any): any[] {
    return this.store.peekUnsorted('pods', rs.metadata.namespace, (p) => (p.metadata.ownerReferences ?? []).some((o: any) => o.uid === rs.metadata.uid));
  }

  private isReady(p: any): boolean {
    return !p.metadata.deletionTimestamp && (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
  }

  private refreshReplicaSetStatus(ns: string, name: string): void {
    const rs = this.store.peek('replicasets', ns, name);
    if (!rs) return;
    const active = this.podsOf(rs).filter((p) => !p.metadata.deletionTimestamp);
    const ready = active.filter((p) => this.isReady(p)).length;
    const status: any = { replicas: active.length, fullyLabeledReplicas: active.length, observedGeneration: rs.metadata.generation ?? 1 };
    if (ready) {
      status.readyReplicas = ready;
      status.availableReplicas = ready;
    }
    const next = clone(rs);
    next.status = status;
    this.putIfChanged('replicasets', rs, next);
  }

  private reconcileReplicaSet(ns: string, name: string): void {
    const rs = this.store.peek('replicasets', ns, name);
    if (!rs) return;
    const active = this.podsOf(rs).filter((p) => !p.metadata.deletionTimestamp);
    const want = rs.spec.replicas ?? 0;
    if (active.length < want) {
      for (let i = active.length; i < want; i++) {
        const pod = this.createPod(rs, false);
        this.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`, 'replicaset-controller');
      }
    } else if (active.length > want) {
      const rank = (p: any) => (!p.spec.nodeName ? 0 : p.status?.phase === 'Pending' ? 1 : !this.isReady(p) ? 2 : 3);
      const victims = [...active]
        .sort((a, b) => rank(a) - rank(b) || (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''))
        .slice(0, active.length - want);
      for (const p of victims) {
        this.deletePod(ns, p.metadata.name);
        this.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`, 'replicaset-controller');
      }
    }
  }

  private condition(old: any[] | undefined, type: string, status: string, reason: string, message: string): any {
    const prev = (old ?? []).find((c: any) => c.type === type);
    const now = this.wallIso();
    return {
      type,
      status,
      lastUpdateTime: prev && prev.status === status && prev.reason === reason ? prev.lastUpdateTime : now,
      lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : now,
      reason,
      message,
    };
  }

  private updateDeploymentStatus(ns: string, name: string, _force: boolean): void {
    const cur = this.store.peek('deployments', ns, name);
    if (!cur) return;
    const d = cur;
    const all = this.ownedReplicaSets(d);
    const hash = templateHash(d.spec.template);
    const newRS = all.find((rs) => rs.metadata.labels?.[HASH_LABEL] === hash);
    const sum = (f: (rs: any) => number) => all.reduce((s, rs) => s + f(rs), 0);
    const replicas = sum((rs) => rs.status?.replicas ?? 0);
    const updated = newRS?.status?.replicas ?? 0;
    const ready = sum((rs) => rs.status?.readyReplicas ?? 0);
    const available = sum((rs) => rs.status?.availableReplicas ?? 0);
    const specTotal = sum((rs) => rs.spec?.replicas ?? 0);
    const old = d.status ?? {};
    const status: any = { observedGeneration: d.metadata.generation ?? 1, replicas, updatedReplicas: updated, readyReplicas: ready, availableReplicas: available };
    const unavailable = Math.max(0, specTotal - available);
    if (unavailable) status.unavailableReplicas = unavailable;
    for (const k of ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas']) if (!status[k]) delete status[k];
    const key = `${ns}/${name}`;
    const want = d.spec.replicas;
    const minAvail = want - this.maxUnavailable(d);
    const conds: any[] = [];
    conds.push(
      available >= minAvail
        ? this.condition(old.conditions, 'Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.')
        : this.condition(old.conditions, 'Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.'),
    );
    const rsName = newRS?.metadata.name ?? '';
    const prevProg = (old.conditions ?? []).find((c: any) => c.type === 'Progressing');
    const countsChanged = ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas'].some((k) => (old[k] ?? 0) !== (status[k] ?? 0));
    if (countsChanged) this.markProgress(d);
    if (d.spec.paused) {
      conds.push(this.condition(old.conditions, 'Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused'));
    } else if (newRS && updated === want && replicas === want && available >= want && (newRS.spec.replicas ?? 0) === want) {
      conds.push(this.condition(old.conditions, 'Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${rsName}" has successfully progressed.`));
      this.progressReason.delete(key);
    } else {
      const since = this.lastProgress.get(key) ?? this.clock.now();
      const deadline = (d.spec.progressDeadlineSeconds ?? 600) * 1000;
      if (prevProg?.reason === 'ProgressDeadlineExceeded' && !countsChanged) {
        conds.push(prevProg);
      } else if (this.clock.now() - since > deadline) {
        conds.push(this.condition(old.conditions, 'Progressing', 'False', 'ProgressDeadlineExceeded', `ReplicaSet "${rsName}" has timed out progressing.`));
      } else {
        const pr = this.progressReason.get(key);
        const [reason, msg] = pr && prevProg?.reason !== pr[0] && prevProg?.reason !== 'ReplicaSetUpdated' ? pr : ['ReplicaSetUpdated', `ReplicaSet "${rsName}" is progressing.`];
        const c = this.condition(old.conditions, 'Progressing', 'True', reason, msg);
        if (countsChanged) c.lastUpdateTime = this.wallIso();
        conds.push(c);
      }
    }
    // Real servers list Available first, then Progressing.
    status.conditions = conds;
    const next = clone(d);
    next.status = status;
    this.putIfChanged('deployments', d, next);
  }

  // ---------- pods (kubelet) ----------

  private rtKey(ns: string, name: string): string {
    return `${ns}/${name}`;
  }

  private later(rt: PodRt, simMs: number, fn: () => void): void {
    const h = this.clock.after(simMs, () => {
      rt.timers.delete(h);
      if (!this.pods.has(this.rtKey(rt.ns, rt.name))) return;
      fn();
    });
    rt.timers.add(h);
  }

  createPod(rs: any, startReady: boolean, ageMs = 0): any {
    const name = `${rs.metadata.name}-${randSuffix(this.rand)}`;
    const ns = rs.metadata.namespace;
    const t = rs.spec.template;
    const created = Date.now() - ageMs;
    const rt: PodRt = {
      ns,
      name,
      uid: uuid(this.rand),
      scheduled: false,
      nodeName: NODES[Math.floor(this.rand() * NODES.length)]!,
      ip: `10.244.${Math.floor(this.ipCounter / 250)}.${(this.ipCounter++ % 250) + 2}`,
      startWall: created,
      containers: (t.spec.containers ?? []).map((c: any) => {
        const b = this.behaviorOf(c.image);
        return {
          name: c.name,
          image: c.image,
          phase: 'creating' as CtrPhase,
          ready: false,
          pulled: false,
          restartCount: 0,
          backoffSec: 10,
          startedSim: 0,
          startedWall: 0,
          instance: 0,
          logs: [],
          logSeq: 0,
          lastLogSim: 0,
          cpu: b.cpuMilli ?? 5 + Math.floor(this.rand() * 45),
          baseMem: b.baseMemoryMiB ?? 48 + Math.floor(this.rand() * 96),
        };
      }),
      terminating: false,
      timers: new Set(),
      conds: new Map(),
    };
    this.pods.set(this.rtKey(ns, name), rt);
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        generateName: `${rs.metadata.name}-`,
        namespace: ns,
        uid: rt.uid,
        creationTimestamp: isoSeconds(created),
        labels: { ...(t.metadata?.labels ?? {}) },
        ...(t.metadata?.annotations ? { annotations: { ...t.metadata.annotations } } : {}),
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name, uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }],
      },
      spec: { ...clone(t.spec) },
      status: { phase: 'Pending', qosClass: 'BestEffort' },
    };
    pod.spec.serviceAccountName ??= 'default';
    pod.spec.enableServiceLinks ??= true;
    pod.spec.priority ??= 0;
    const saved = this.store.put('pods', pod);
    if (startReady) {
      rt.scheduled = true;
      for (const c of rt.containers) {
        const b = this.behaviorOf(c.image);
        if ((b.startup ?? 'ok') === 'ok') {
          c.pulled = true;
          this.runContainer(rt, c, ageMs, true);
        } else this.startContainer(rt, c, true);
      }
      this.writePod(rt);
    } else {
      this.later(rt, 300, () => {
        rt.scheduled = true;
        this.podEvent(rt, undefined, 'Normal', 'Scheduled', `Successfully assigned ${ns}/${name} to ${rt.nodeName}`, 'default-scheduler');
        for (const c of rt.containers) this.startContainer(rt, c, true);
        this.writePod(rt);
      });
    }
    return saved;
  }

  private startContainer(rt: PodRt, c: CtrRt, first: boolean): void {
    const b = this.behaviorOf(c.image);
    if (!first && c.pulled) {
      this.podEvent(rt, c, 'Normal', 'Pulled', `Container image "${c.image}" already present on machine`, 'kubelet');
      this.runContainer(rt, c, 0, false);
      return;
    }
    this.podEvent(rt, c, 'Normal', 'Pulling', `Pulling image "${c.image}"`, 'kubelet');
    this.later(rt, 1200, () => {
      if ((b.startup ?? 'ok') === 'imagepull' && (this.behaviorOf(c.image).startup ?? 'ok') === 'imagepull') {
        this.pullFailed(rt, c);
        return;
      }
      c.pulled = true;
      this.podEvent(rt, c, 'Normal', 'Pulled', `Successfully pulled image "${c.image}" in 1.2s (1.2s including waiting). Image size: 48213504 bytes.`, 'kubelet');
      this.runContainer(rt, c, 0, false);
      this.writePod(rt);
    });
  }

  private pullFailed(rt: PodRt, c: CtrRt): void {
    const why = `rpc error: code = NotFound desc = failed to pull and unpack image "${c.image}": failed to resolve reference "${c.image}": not found`;
    c.phase = 'pullerr';
    c.waitingMessage = why;
    this.podEvent(rt, c, 'Warning', 'Failed', `Failed to pull image "${c.image}": ${why}`, 'kubelet');
    this.podEvent(rt, c, 'Warning', 'Failed', 'Error: ErrImagePull', 'kubelet');
    this.writePod(rt);
    this.later(rt, 2000, () => {
      c.phase = 'pullbackoff';
      c.waitingMessage = `Back-off pulling image "${c.image}"`;
      this.podEvent(rt, c, 'Normal', 'BackOff', `Back-off pulling image "${c.image}"`, 'kubelet');
      this.podEvent(rt, c, 'Warning', 'Failed', 'Error: ImagePullBackOff', 'kubelet');
      this.writePod(rt);
      const wait = c.backoffSec * 1000;
      c.backoffSec = Math.min(300, c.backoffSec * 2);
      this.later(rt, wait, () => this.startContainer(rt, c, true));
    });
  }

  private runContainer(rt: PodRt, c: CtrRt, ageMs: number, silent: boolean): void {
    const b = this.behaviorOf(c.image);
    c.instance++;
    c.phase = 'running';
    c.ready = false;
    c.startedSim = this.clock.now();
    c.startedWall = Date.now() - ageMs;
    c.lastLogSim = c.startedSim;
    c.containerId = Array.from({ length: 64 }, () => Math.floor(this.rand() * 16).toString(16)).join('');
    if (!silent) {
      this.podEvent(rt, c, 'Normal', 'Created', `Created container: ${c.name}`, 'kubelet');
      this.podEvent(rt, c, 'Normal', 'Started', `Started container ${c.name}`, 'kubelet');
    }
    this.log(c, c.startedWall, `level=INFO msg="starting" image=${c.image} container=${c.name}`);
    this.log(c, c.startedWall, `level=INFO msg="listening" addr=:8080`);
    const startup = b.startup ?? 'ok';
    if (startup === 'crashloop') {
      this.later(rt, 1500 + Math.floor(this.rand() * 1000), () => this.crash(rt, c, 'Error', 1));
      return;
    }
    if (startup === 'oom') {
      this.later(rt, 2000, () => this.crash(rt, c, 'OOMKilled', 137));
      return;
    }
    const ready = () => {
      c.ready = true;
      this.writePod(rt);
    };
    if (ageMs > 0 || silent) c.ready = true;
    else this.later(rt, (b.readyDelaySeconds ?? 3) * 1000, ready);
    if (b.memoryLeakMiBPerMinute && b.memoryLimitMiB) {
      const mem = this.memoryMiB(c);
      const minutes = (b.memoryLimitMiB - mem) / b.memoryLeakMiBPerMinute;
      this.later(rt, Math.max(1000, minutes * 60_000), () => this.crash(rt, c, 'OOMKilled', 137));
    }
  }

  private crash(rt: PodRt, c: CtrRt, reason: 'Error' | 'OOMKilled', exitCode: number): void {
    const now = Date.now();
    if (reason === 'Error') {
      this.log(c, now, `level=ERROR msg="failed to connect to upstream" err="dial tcp 10.96.0.15:5432: connect: connection refused"`);
      this.log(c, now, `level=FATAL msg="startup failed, exiting" exit_code=${exitCode}`);
      this.log(c, now, 'panic: runtime error: invalid memory address or nil pointer dereference');
    } else {
      this.log(c, now, `level=WARN msg="heap usage high" heap_mib=${Math.round(this.memoryMiB(c))}`);
      this.podEvent(rt, c, 'Warning', 'OOMKilling', `Memory cgroup out of memory: Killed process ${1000 + Math.floor(this.rand() * 30000)} (${c.name}) total-vm:${Math.round(this.memoryMiB(c) * 1400)}kB`, 'kernel-monitor');
    }
    c.last = {
      exitCode,
      reason,
      startedAt: isoSeconds(c.startedWall),
      finishedAt: isoSeconds(now),
      containerID: `containerd://${c.containerId}`,
    };
    c.restartCount++;
    c.ready = false;
    c.phase = 'backoff';
    const wait = c.backoffSec;
    c.backoffSec = Math.min(300, c.backoffSec * 2);
    c.waitingMessage = `back-off ${wait < 60 ? `${wait}s` : `${Math.floor(wait / 60)}m${wait % 60 ? `${wait % 60}s` : '0s'}`} restarting failed container=${c.name} pod=${rt.name}_${rt.ns}(${rt.uid})`;
    this.podEvent(rt, c, 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${rt.name}_${rt.ns}(${rt.uid})`, 'kubelet');
    this.writePod(rt);
    this.later(rt, wait * 1000, () => {
      this.startContainer(rt, c, false);
      this.writePod(rt);
    });
  }

  /** API-side delete: the pod goes Terminating, then disappears. */
  deletePod(ns: string, name: string): any | undefined {
    const rt = this.pods.get(this.rtKey(ns, name));
    const pod = this.store.peek('pods', ns, name);
    if (!pod) return undefined;
    if (!rt) return this.store.remove('pods', ns, name);
    if (rt.terminating) return clone(pod);
    rt.terminating = true;
    for (const h of rt.timers) this.clock.cancel(h);
    rt.timers.clear();
    for (const c of rt.containers) {
      c.ready = false;
      if (c.phase === 'running') this.podEvent(rt, c, 'Normal', 'Killing', `Stopping container ${c.name}`, 'kubelet');
    }
    const saved = this.writePod(rt, true);
    this.later(rt, TERMINATE_MS, () => {
      this.pods.delete(this.rtKey(ns, name));
      this.store.remove('pods', ns, name);
      this.requestSync();
    });
    return saved;
  }

  private setCond(rt: PodRt, type: string, ok: boolean): any {
    const status = ok ? 'True' : 'False';
    const prev = rt.conds.get(type);
    if (!prev || prev.status !== status) rt.conds.set(type, { status, at: this.wallIso() });
    const c: any = { type, status, lastProbeTime: null, lastTransitionTime: rt.conds.get(type)!.at };
    if (!ok && (type === 'Ready' || type === 'ContainersReady')) {
      const notReady = rt.containers.filter((x) => !x.ready).map((x) => x.name);
      c.reason = 'ContainersNotReady';
      c.message = `containers with unready status: [${notReady.join(' ')}]`;
    }
    return c;
  }

  private writePod(rt: PodRt, deleting = false): any {
    const cur = this.store.peek('pods', rt.ns, rt.name);
    if (!cur) return undefined;
    const pod = clone(cur);
    if (deleting) {
      pod.metadata.deletionTimestamp = isoSeconds(Date.now() + 30_000);
      pod.metadata.deletionGracePeriodSeconds = 30;
    }
    if (rt.scheduled) {
      pod.spec.nodeName = rt.nodeName;
      const everStarted = rt.containers.some((c) => c.instance > 0);
      const allReady = !rt.terminating && rt.containers.every((c) => c.ready);
      pod.status = {
        phase: everStarted ? 'Running' : 'Pending',
        conditions: [
          this.setCond(rt, 'PodReadyToStartContainers', true),
          this.setCond(rt, 'Initialized', true),
          this.setCond(rt, 'Ready', allReady),
          this.setCond(rt, 'ContainersReady', allReady),
          this.setCond(rt, 'PodScheduled', true),
        ],
        hostIP: '10.0.0.' + (NODES.indexOf(rt.nodeName) + 11),
        hostIPs: [{ ip: '10.0.0.' + (NODES.indexOf(rt.nodeName) + 11) }],
        podIP: rt.ip,
        podIPs: [{ ip: rt.ip }],
        startTime: isoSeconds(rt.startWall),
        containerStatuses: rt.containers.map((c) => this.containerStatus(c)),
        qosClass: 'BestEffort',
      };
    }
    const saved = this.store.put('pods', pod);
    this.requestSync();
    return saved;
  }

  private containerStatus(c: CtrRt): any {
    let state: any;
    switch (c.phase) {
      case 'creating':
        state = { waiting: { reason: 'ContainerCreating' } };
        break;
      case 'pullerr':
        state = { waiting: { reason: 'ErrImagePull', message: c.waitingMessage } };
        break;
      case 'pullbackoff':
        state = { waiting: { reason: 'ImagePullBackOff', message: c.waitingMessage } };
        break;
      case 'backoff':
        state = { waiting: { reason: 'CrashLoopBackOff', message: c.waitingMessage } };
        break;
      case 'running':
        state = { running: { startedAt: isoSeconds(c.startedWall) } };
        break;
    }
    const s: any = {
      name: c.name,
      state,
      lastState: c.last ? { terminated: { ...c.last } } : {},
      ready: c.ready,
      restartCount: c.restartCount,
      image: c.image,
      imageID: c.pulled ? `docker.io/library/${c.image.replace(/:.*$/, '')}@sha256:${fnv32a(c.image).toString(16).padStart(8, '0').repeat(8)}` : '',
      started: c.phase === 'running',
    };
    if (c.containerId) s.containerID = `containerd://${c.containerId}`;
    return s;
  }

  // ---------- logs ----------

  private log(c: CtrRt, wall: number, text: string): void {
    c.logs.push({ wall, instance: c.instance, text });
    if (c.logs.length > MAX_LOG_LINES) c.logs.splice(0, c.logs.length - MAX_LOG_LINES);
  }

  /** Lines due since the last read, one every 2 sim seconds while the container runs. */
  private materialize(rt: PodRt, c: CtrRt): void {
    if (c.phase !== 'running') return;
    const interval = 2000;
    const now = this.clock.now();
    const due = Math.floor((now - c.lastLogSim) / interval);
    if (due <= 0) return;
    const b = this.behaviorOf(c.image);
    const gen = b.logLine ?? DEFAULT_LOG;
    const first = Math.max(0, due - 500);
    for (let i = first; i < due; i++) {
      const simT = c.lastLogSim + (i + 1) * interval;
      let text: string;
      try {
        text = gen(rt.name, ++c.logSeq, this.rand);
      } catch {
        text = `level=INFO seq=${c.logSeq}`;
      }
      this.log(c, Math.round(this.clock.toWall(simT)), text);
    }
    c.lastLogSim += due * interval;
  }

  podLogs(ns: string, name: string, opts: { container?: string; tailLines?: number; sinceSeconds?: number; previous?: boolean; timestamps?: boolean }): string {
    const pod = this.store.peek('pods', ns, name);
    if (!pod) throw ApiError.notFound('pods', '', name);
    const rt = this.pods.get(this.rtKey(ns, name));
    const names = (pod.spec.containers ?? []).map((c: any) => c.name);
    let cname = opts.container;
    if (!cname) {
      if (names.length !== 1) throw ApiError.badRequest(`a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]`);
      cname = names[0];
    }
    const c = rt?.containers.find((x) => x.name === cname);
    if (!names.includes(cname) || !c) throw ApiError.badRequest(`container ${cname} is not valid for pod ${name}`);
    let instance = c.instance;
    if (opts.previous) {
      instance = c.phase === 'running' ? c.instance - 1 : c.instance;
      if (c.restartCount === 0 || instance < 1) throw ApiError.badRequest(`previous terminated container "${cname}" in pod "${name}" not found`);
    } else if (c.instance === 0 || (c.phase !== 'running' && c.phase !== 'backoff')) {
      const reason = c.phase === 'pullerr' ? 'ErrImagePull' : c.phase === 'pullbackoff' ? 'ImagePullBackOff' : 'ContainerCreating';
      throw ApiError.badRequest(`container "${cname}" in pod "${name}" is waiting to start: ${reason}`);
    }
    if (rt) this.materialize(rt, c);
    let lines = c.logs.filter((l) => l.instance === instance);
    if (opts.sinceSeconds !== undefined) {
      const cutoff = Date.now() - opts.sinceSeconds * 1000;
      lines = lines.filter((l) => l.wall >= cutoff);
    }
    if (opts.tailLines !== undefined) lines = opts.tailLines <= 0 ? [] : lines.slice(-opts.tailLines);
    return lines.map((l) => (opts.timestamps ? `${new Date(l.wall).toISOString()} ${l.text}\n` : `${l.text}\n`)).join('');
  }

  podExists(ns: string, name: string): boolean {
    return this.store.peek('pods', ns, name) !== undefined;
  }

  // ---------- metrics ----------

  private memoryMiB(c: CtrRt): number {
    const b = this.behaviorOf(c.image);
    const minutes = Math.max(0, (this.clock.now() - c.startedSim) / 60_000);
    return c.baseMem + (b.memoryLeakMiBPerMinute ?? 0) * minutes;
  }

  podMetrics(ns?: string): any[] {
    const out: any[] = [];
    for (const pod of this.store.peekAll('pods', ns)) {
      const rt = this.pods.get(this.rtKey(pod.metadata.namespace, pod.metadata.name));
      if (!rt || rt.terminating) continue;
      const running = rt.containers.filter((c) => c.phase === 'running');
      if (running.length === 0) continue;
      const bucket = Math.floor(this.clock.now() / 15_000);
      out.push({
        metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, creationTimestamp: this.wallIso(), labels: { ...(pod.metadata.labels ?? {}) } },
        timestamp: isoSeconds(Date.now() - 5000),
        window: '15.034s',
        containers: running.map((c) => {
          const jitter = 0.8 + ((fnv32a(`${pod.metadata.name}/${c.name}/${bucket}`) % 1000) / 1000) * 0.4;
          return { name: c.name, usage: { cpu: `${Math.max(1, Math.round(c.cpu * jitter))}m`, memory: `${Math.round(this.memoryMiB(c) * 1024)}Ki` } };
        }),
      });
    }
    return out;
  }

  // ---------- events ----------

  private podEvent(rt: PodRt, c: CtrRt | undefined, type: string, reason: string, message: string, component: string): void {
    const pod = this.store.peek('pods', rt.ns, rt.name);
    if (!pod) return;
    this.event(pod, type, reason, message, component, c ? `spec.containers{${c.name}}` : undefined, rt.nodeName);
  }

  /** Record a core/v1 Event, folding repeats into `count` like the real event recorder. */
  event(obj: any, type: string, reason: string, message: string, component: string, fieldPath?: string, host?: string): void {
    const ns = obj.metadata.namespace ?? 'default';
    const foldKey = [obj.metadata.uid, type, reason, message, component].join('\u0000');
    const existingName = this.eventIndex.get(foldKey);
    const existing = existingName ? this.store.peek('events', ns, existingName) : undefined;
    const now = this.wallIso();
    if (existing) {
      const next = clone(existing);
      next.count = (next.count ?? 1) + 1;
      next.lastTimestamp = now;
      this.store.put('events', next);
      return;
    }
    const stamp = (BigInt(Date.now()) * 1_000_000n + BigInt(this.eventCounter++)).toString(16);
    const involved: any = {
      kind: obj.kind,
      namespace: ns,
      name: obj.metadata.name,
      uid: obj.metadata.uid,
      apiVersion: obj.apiVersion,
      resourceVersion: obj.metadata.resourceVersion,
    };
    if (fieldPath) involved.fieldPath = fieldPath;
    this.store.put('events', {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${obj.metadata.name}.${stamp}`, namespace: ns, uid: uuid(this.rand), creationTimestamp: now },
      involvedObject: involved,
      reason,
      message,
      source: host ? { component, host } : { component },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: component,
      reportingInstance: host ?? '',
    });
    const evName = `${obj.metadata.name}.${stamp}`;
    this.eventIndex.set(foldKey, evName);
    this.eventOrder.push({ ns, name: evName, key: foldKey });
    while (this.eventOrder.length > MAX_EVENTS) {
      const old = this.eventOrder.shift()!;
      this.store.remove('events', old.ns, old.name);
      if (this.eventIndex.get(old.key) === old.name) this.eventIndex.delete(old.key);
    }
  }
}
