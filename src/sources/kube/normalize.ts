// Pure normalisers: Kubernetes objects (raw JSON from a watch, or client-node models from a
// list; field names are the same, timestamps may be strings or Dates) → the rows panes show.
// The pod status follows kubectl's printPod so "STATUS" reads as it does in `kubectl get pods`.
import type {
  CoreV1Event,
  EventsV1Event,
  V1ControllerRevision,
  V1DaemonSet,
  V1Deployment,
  V1DeploymentCondition,
  V1Node,
  V1ObjectMeta,
  V1OwnerReference,
  V1Pod,
  V1PodTemplateSpec,
  V1ReplicaSet,
  V1StatefulSet,
} from '@kubernetes/client-node';
import type { DeploymentRow, EventRow, PodRow } from './types.js';

/**
 * A client-node model as JSON off the wire (a watch line, getJson, ObjectSerializer.serialize):
 * the same fields, but timestamps are RFC 3339 strings, not the Dates client-node's deserializer
 * makes. The models' `any` (ControllerRevision data, managedFields' fieldsV1) is `unknown`.
 */
export type Wire<T> = 0 extends 1 & T ? unknown : T extends Date ? string : T extends readonly (infer U)[] ? Wire<U>[] : T extends object ? { [K in keyof T]: Wire<T[K]> } : T;

/** An owner reference: the API server refuses one without kind, name and uid. */
export interface OwnerRef {
  apiVersion?: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/**
 * A client-node model as the cockpit holds it: from a list (client-node's typed API: Dates) or a
 * watch (JSON: strings), trimmed at ingest (slim.ts, trimObject) and read defensively, so every
 * field may be missing (owner references keep their identity; a map's entry may be undefined, as
 * a slim pod's limits are). `Time` is `string` for what is known to be JSON. Every client-node
 * model and its Wire form is one.
 */
export type Kube<T, Time = Date | string> = 0 extends 1 & T
  ? unknown
  : T extends Date
    ? Time
    : T extends readonly (infer U)[]
      ? Kube<U, Time>[]
      : T extends V1OwnerReference
        ? OwnerRef
        : T extends object
          ? string extends keyof T
            ? { [k: string]: Kube<T[string], Time> | undefined }
            : { [K in keyof T]?: Kube<T[K], Time> }
          : T;

/** Any kind, as kind-agnostic code (keys, revisions, owners, the reflector) reads it. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: Kube<V1ObjectMeta>;
}

export type Pod = Kube<V1Pod>;
export type Deployment = Kube<V1Deployment>;
export type ReplicaSet = Kube<V1ReplicaSet>;
export type StatefulSet = Kube<V1StatefulSet>;
export type DaemonSet = Kube<V1DaemonSet>;
export type ControllerRevision = Kube<V1ControllerRevision>;
export type KubeNode = Kube<V1Node>;
export type PodTemplate = Kube<V1PodTemplateSpec>;
/** A core/v1 Event or an events.k8s.io/v1 one: foldEvents reads the fields of either. */
export type KubeEvent = Kube<CoreV1Event> & Kube<EventsV1Event>;
/**
 * A Deployment, StatefulSet or DaemonSet as JSON (getWorkload, a workload's watch): the fields of the
 * three kinds, each there only on its own kind.
 */
export type Workload = Kube<V1Deployment, string> & Kube<V1StatefulSet, string> & Kube<V1DaemonSet, string>;

/** A JSON object (not null, not an array): what unknown JSON is narrowed to before reading a field. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';
const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';
export const POD_TEMPLATE_HASH = 'pod-template-hash';
export const RECENT_RESTART_WINDOW_MS = 10 * 60 * 1000;

export function toMs(t: unknown): number | null {
  if (t == null) return null;
  if (t instanceof Date) return Number.isFinite(t.getTime()) ? t.getTime() : null;
  if (typeof t === 'string' && t) {
    const ms = Date.parse(t);
    return Number.isFinite(ms) ? ms : null;
  }
  if (typeof t === 'number') return t;
  return null;
}

export function objKey(o: KubeObject): string {
  return `${o?.metadata?.namespace ?? ''}/${o?.metadata?.name ?? ''}`;
}

export function revisionOf(o: KubeObject): number | null {
  const v = o?.metadata?.annotations?.[REVISION_ANNOTATION];
  if (v == null) return null;
  const n = Number.parseInt(String(v), 10);
  return Number.isFinite(n) ? n : null;
}

export interface PodStatusView {
  status: string;
  reason: string | null;
  healthy: boolean;
  ready: number;
  containers: number;
  restarts: number;
}

/** kubectl's STATUS column (printPod), plus the detail a responder needs and a health verdict. */
export function podStatus(pod: Pod): PodStatusView {
  const spec: NonNullable<Pod['spec']> = pod.spec ?? {};
  const st: NonNullable<Pod['status']> = pod.status ?? {};
  const phase: string = st.phase ?? 'Unknown';
  let reason: string = st.reason || phase;
  let restarts = 0;
  let readyContainers = 0;
  const containerStatuses = st.containerStatuses ?? [];
  const initStatuses = st.initContainerStatuses ?? [];
  const initSpecs = spec.initContainers ?? [];
  const totalContainers = (spec.containers ?? []).length || containerStatuses.length;

  let initializing = false;
  for (const [i, c] of initStatuses.entries()) {
    restarts += c.restartCount ?? 0;
    const term = c.state?.terminated;
    const wait = c.state?.waiting;
    const sidecar = initSpecs.find((s) => s.name === c.name)?.restartPolicy === 'Always';
    if (term && term.exitCode === 0) continue;
    if (sidecar && c.started) continue;
    if (term) reason = term.reason ? `Init:${term.reason}` : term.signal ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode}`;
    else if (wait?.reason && wait.reason !== 'PodInitializing') reason = `Init:${wait.reason}`;
    else reason = `Init:${i}/${initSpecs.length || initStatuses.length}`;
    initializing = true;
    break;
  }
  const initializedTrue = (st.conditions ?? []).some((c) => c.type === 'Initialized' && c.status === 'True');
  if (!initializing || initializedTrue) {
    restarts = 0;
    let hasRunning = false;
    for (let i = containerStatuses.length - 1; i >= 0; i--) {
      const c = containerStatuses[i]!;
      restarts += c.restartCount ?? 0;
      const wait = c.state?.waiting;
      const term = c.state?.terminated;
      if (wait?.reason) reason = wait.reason;
      else if (term?.reason) reason = term.reason;
      else if (term) reason = term.signal ? `Signal:${term.signal}` : `ExitCode:${term.exitCode}`;
      else if (c.ready && c.state?.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      reason = (st.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
    }
  }
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  if (pod.metadata?.deletionTimestamp && st.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata?.deletionTimestamp && !terminal) reason = 'Terminating';

  let detail: string | null = null;
  const lastOom = containerStatuses.some((c) => c.lastState?.terminated?.reason === 'OOMKilled');
  const waitMsg = containerStatuses.map((c) => c.state?.waiting?.message).find((m) => m);
  const status = reason;
  if (reason === 'CrashLoopBackOff' && lastOom) {
    // STATUS stays kubectl's; the memory limit as the cause is the responder's first question.
    detail = 'last state OOMKilled';
  } else if (reason === 'Pending' || reason === 'ContainerCreating') {
    const sched = (st.conditions ?? []).find((c) => c.type === 'PodScheduled' && c.status === 'False');
    if (sched) detail = sched.message ? `${sched.reason ?? 'Unschedulable'}: ${sched.message}` : (sched.reason ?? 'Unschedulable');
  } else if (reason === 'ImagePullBackOff' || reason === 'ErrImagePull' || reason === 'CreateContainerConfigError') {
    detail = waitMsg ?? null;
  } else if (reason === 'CrashLoopBackOff') {
    const last = containerStatuses.map((c) => c.lastState?.terminated).find((t) => t);
    if (last) detail = `last state ${last.reason ?? 'Error'} (exit ${last.exitCode ?? '?'})`;
  } else if (reason === 'Running' && lastOom) {
    detail = 'last state OOMKilled';
  }

  let healthy: boolean;
  if (status === 'Completed' || status === 'Succeeded') healthy = true;
  else if (status === 'Running') {
    healthy = readyContainers === totalContainers && totalContainers > 0;
    if (!healthy && !detail) detail = 'not ready';
  } else healthy = false;

  return { status, reason: detail, healthy, ready: readyContainers, containers: totalContainers, restarts };
}

/**
 * Remembers restart counts per pod so "recent restarts" (increase within 10 minutes) can be
 * computed from successive observations. Pure apart from the clock passed in.
 */
export class RestartTracker {
  private seen = new Map<string, Array<{ at: number; count: number }>>();

  observe(key: string, count: number, now: number): number {
    let list = this.seen.get(key);
    if (!list) {
      list = [];
      this.seen.set(key, list);
    }
    const last = list[list.length - 1];
    // A lower count is a new pod under the same name (a StatefulSet's): its history starts over.
    if (last && count < last.count) list.splice(0, list.length);
    if (list.at(-1)?.count !== count) list.push({ at: now, count });
    const cutoff = now - RECENT_RESTART_WINDOW_MS;
    // Keep the newest observation at or before the cutoff as the baseline.
    while (list.length > 1 && list[1]!.at <= cutoff) list.shift();
    // Never empty: this call pushed its count unless the newest already had it.
    const baseline = list[0]!;
    return Math.max(0, count - baseline.count);
  }

  forget(key: string): void {
    this.seen.delete(key);
  }
}

/**
 * When each deployment was seen moving to another revision while warroom watched it. A rollback
 * reuses an old ReplicaSet (its creation time would hide the rollout) and gives it a new
 * revision number; pausing, resuming or a progress deadline changes neither.
 */
export class RolloutTracker {
  private seen = new Map<string, { revision: number | null; at: number | null }>();

  /** The time the current revision was first seen replacing another, or null (it was already there). */
  observe(key: string, revision: number | null, now: number): number | null {
    const prev = this.seen.get(key);
    if (!prev || prev.revision === revision) {
      if (!prev) this.seen.set(key, { revision, at: null });
      return prev?.at ?? null;
    }
    this.seen.set(key, { revision, at: now });
    return now;
  }

  forget(key: string): void {
    this.seen.delete(key);
  }
}

/** Recent restarts from the pod alone: a container whose last termination finished in the window counts at least once. */
function restartsFromLastState(pod: Pod, now: number): number {
  let n = 0;
  for (const c of pod.status?.containerStatuses ?? []) {
    const fin = toMs(c.lastState?.terminated?.finishedAt);
    if (fin != null && now - fin <= RECENT_RESTART_WINDOW_MS && (c.restartCount ?? 0) > 0) n++;
  }
  return n;
}

export interface PodUsage {
  cpuMilli?: number | null;
  memoryBytes?: number | null;
}

/** Sum of one resource's limit over the containers; null when any container has none. */
function limitSum(pod: Pod, resource: 'cpu' | 'memory'): number | null {
  const cs = pod.spec?.containers ?? [];
  if (cs.length === 0) return null;
  let sum = 0;
  for (const c of cs) {
    const q = c.resources?.limits?.[resource];
    const v = resource === 'cpu' ? parseCpuMilli(q == null ? null : String(q)) : parseBytes(q == null ? null : String(q));
    if (v == null) return null;
    sum += v;
  }
  return sum;
}

export function percent(used: number | null | undefined, of: number | null | undefined): number | null {
  if (used == null || of == null || of <= 0) return null;
  return (used / of) * 100;
}

/** The newest termination among the containers (current state first, then last state). */
export function lastTermination(pod: Pod): PodRow['lastTermination'] {
  let best: PodRow['lastTermination'] = null;
  for (const c of pod.status?.containerStatuses ?? []) {
    for (const t of [c.state?.terminated, c.lastState?.terminated]) {
      if (!t) continue;
      const at = toMs(t.finishedAt);
      const reason = t.reason ?? (t.signal ? `Signal:${t.signal}` : `ExitCode:${t.exitCode ?? '?'}`);
      if (!best || (at ?? 0) > (best.at ?? 0)) best = { reason, exitCode: typeof t.exitCode === 'number' ? t.exitCode : null, at, container: String(c.name ?? '') };
    }
  }
  return best;
}

export function podRow(
  pod: Pod,
  ctx: { deployment: string | null; owner?: { kind: string; name: string } | null; recentRestarts?: number; cpuMilli?: number | null; memoryBytes?: number | null; now: number },
): PodRow {
  const s = podStatus(pod);
  const recent = Math.max(ctx.recentRestarts ?? 0, restartsFromLastState(pod, ctx.now));
  const cpuLimit = limitSum(pod, 'cpu');
  const memLimit = limitSum(pod, 'memory');
  const ref = controllerOf(pod);
  return {
    key: objKey(pod),
    namespace: pod.metadata?.namespace ?? '',
    name: pod.metadata?.name ?? '',
    ready: s.ready,
    containers: s.containers,
    status: s.status,
    reason: s.reason,
    healthy: s.healthy,
    restarts: s.restarts,
    recentRestarts: recent,
    createdAt: toMs(pod.metadata?.creationTimestamp) ?? 0,
    node: pod.spec?.nodeName ?? null,
    deployment: ctx.deployment,
    owner: ctx.owner !== undefined ? ctx.owner : ctx.deployment ? { kind: 'Deployment', name: ctx.deployment } : ref ? { kind: ref.kind, name: ref.name } : null,
    containerNames: (pod.spec?.containers ?? []).map((c) => String(c.name ?? '')),
    ports: containerPorts(pod),
    cpuMilli: ctx.cpuMilli ?? null,
    memoryBytes: ctx.memoryBytes ?? null,
    cpuLimitMilli: cpuLimit,
    memoryLimitBytes: memLimit,
    cpuPct: percent(ctx.cpuMilli, cpuLimit),
    memPct: percent(ctx.memoryBytes, memLimit),
    lastTermination: lastTermination(pod),
  };
}

/** A pod this young that is still coming up (or one going away) is not yet a problem. */
export const STARTING_GRACE_MS = 120_000;
const STARTING = new Set(['Pending', 'ContainerCreating', 'PodInitializing', 'Running']);

/**
 * Unhealthy first, then healthy pods that restarted recently, then the rest; namespace/name
 * within each group. Only a change of group moves a row (a restart count going 3 → 4 does not
 * reorder the list), and the normal life of a pod moves none: one being deleted (Terminating)
 * or a new one still starting (Pending without a reason, ContainerCreating, Init, Running but
 * not yet ready, under two minutes old, never restarted) stays in place with its status shown,
 * so a rollout or a replaced pod does not shift every row of the pane. `now` is the data clock.
 */
export function podOrder(now: number): (a: PodRow, b: PodRow) => number {
  return (a, b) => {
    const ga = podGroup(a, now);
    const gb = podGroup(b, now);
    if (ga !== gb) return ga - gb;
    return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  };
}

/** podOrder at the wall clock's now. */
export function comparePods(a: PodRow, b: PodRow): number {
  return podOrder(Date.now())(a, b);
}

function podGroup(p: PodRow, now: number): number {
  if (p.healthy || transient(p, now)) return p.recentRestarts > 0 ? 1 : 2;
  return 0;
}

function transient(p: PodRow, now: number): boolean {
  if (p.status === 'Terminating') return true;
  if (p.restarts > 0 || now - p.createdAt > STARTING_GRACE_MS) return false;
  if (p.status.startsWith('Init:')) return !/Err|BackOff|Crash/.test(p.status);
  return STARTING.has(p.status) && (p.reason === null || p.reason === 'not ready');
}

/** The controller owner reference of an object (ReplicaSet of a pod, Deployment of a ReplicaSet). */
export function controllerOf(o: KubeObject): { kind: string; name: string; uid: string } | null {
  const ref = (o?.metadata?.ownerReferences ?? []).find((r) => r.controller) ?? null;
  return ref ? { kind: ref.kind, name: ref.name, uid: ref.uid } : null;
}

export interface RolloutState {
  done: boolean;
  failed: boolean;
  message: string;
  desired: number;
  updated: number;
  ready: number;
  available: number;
  total: number;
}

/** kubectl rollout status's verdict for a deployment (DeploymentStatusViewer). */
export function rolloutState(d: Deployment): RolloutState {
  const name = d.metadata?.name ?? '';
  const desired = d.spec?.replicas ?? 1;
  const st: NonNullable<Deployment['status']> = d.status ?? {};
  const updated = st.updatedReplicas ?? 0;
  const ready = st.readyReplicas ?? 0;
  const available = st.availableReplicas ?? 0;
  const total = st.replicas ?? 0;
  const base = { desired, updated, ready, available, total };
  if ((d.metadata?.generation ?? 0) <= (st.observedGeneration ?? 0)) {
    const progressing = (st.conditions ?? []).find((c) => c.type === 'Progressing');
    if (progressing?.reason === 'ProgressDeadlineExceeded') {
      return { ...base, done: false, failed: true, message: `deployment "${name}" exceeded its progress deadline` };
    }
    if (updated < desired)
      return { ...base, done: false, failed: false, message: `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${desired} new replicas have been updated...` };
    if (total > updated)
      return { ...base, done: false, failed: false, message: `Waiting for deployment "${name}" rollout to finish: ${total - updated} old replicas are pending termination...` };
    if (available < updated)
      return { ...base, done: false, failed: false, message: `Waiting for deployment "${name}" rollout to finish: ${available} of ${updated} updated replicas are available...` };
    return { ...base, done: true, failed: false, message: `deployment "${name}" successfully rolled out` };
  }
  return { ...base, done: false, failed: false, message: 'Waiting for deployment spec update to be observed...' };
}

export function templateImages(template: PodTemplate | undefined): string[] {
  return (template?.spec?.containers ?? []).map((c) => String(c.image ?? ''));
}

/** ReplicaSets controlled by a deployment (owner UID), as kubectl's GetAllReplicaSets selects them. */
export function ownedReplicaSets<T extends KubeObject>(deploy: KubeObject, replicaSets: Iterable<T>): T[] {
  const uid = deploy.metadata?.uid;
  const out: T[] = [];
  for (const rs of replicaSets) {
    if (rs.metadata?.namespace !== deploy.metadata?.namespace) continue;
    const owner = controllerOf(rs);
    if (owner && owner.uid === uid) out.push(rs);
  }
  return out;
}

function latest(...times: (number | null)[]): number | null {
  const known = times.filter((t): t is number => t !== null);
  return known.length ? Math.max(...known) : null;
}

/**
 * When a ReplicaSet that already existed became the deployment's current one again (a rollback, or
 * an old template re-applied): its creation says nothing then. The controller records the earlier
 * revisions in revision-history, and the Progressing condition naming this ReplicaSet was last
 * updated by that rollout. Only the rollout's reasons count: pause, resume and deadlines also
 * update the condition. The watch's own sighting (revisionSeenAt) is the better figure when there is one.
 */
function reusedAt(rs: KubeObject, progressing: Kube<V1DeploymentCondition> | undefined): number | null {
  if (!rs.metadata?.annotations?.[REVISION_HISTORY_ANNOTATION]) return null;
  if (progressing?.reason !== 'NewReplicaSetAvailable' && progressing?.reason !== 'ReplicaSetUpdated') return null;
  if (typeof progressing.message !== 'string' || !progressing.message.includes(`"${rs.metadata.name}"`)) return null;
  return toMs(progressing.lastUpdateTime);
}

export function deploymentRow(d: Deployment, replicaSets: ReplicaSet[], ctx: { revisionSeenAt?: number | null } = {}): DeploymentRow {
  const r = rolloutState(d);
  const revision = revisionOf(d);
  let newest: ReplicaSet | null = null;
  let previous: ReplicaSet | null = null;
  for (const rs of replicaSets) {
    const rev = revisionOf(rs);
    if (rev == null) continue;
    if (!newest || rev > (revisionOf(newest) ?? -1)) {
      previous = newest;
      newest = rs;
    } else if (!previous || rev > (revisionOf(previous) ?? -1)) previous = rs;
  }
  const annotation = (o: KubeObject | null | undefined, k: string): string | null => {
    const v = o?.metadata?.annotations?.[k];
    return typeof v === 'string' ? v : null;
  };
  const progressing = (d.status?.conditions ?? []).find((c) => c.type === 'Progressing');
  const rolledOut = (revision != null ? replicaSets.find((rs) => revisionOf(rs) === revision) : undefined) ?? newest;
  return {
    key: objKey(d),
    namespace: d.metadata?.namespace ?? '',
    name: d.metadata?.name ?? '',
    desired: r.desired,
    ready: r.ready,
    updated: r.updated,
    available: r.available,
    images: templateImages(d.spec?.template),
    revision: revision ?? (newest ? revisionOf(newest) : null),
    lastRolloutAt: latest(rolledOut ? toMs(rolledOut.metadata?.creationTimestamp) : null, ctx.revisionSeenAt ?? null, rolledOut ? reusedAt(rolledOut, progressing) : null),
    paused: Boolean(d.spec?.paused),
    rolling: !r.done && !r.failed,
    failedReason: progressing?.status === 'False' || progressing?.reason === 'ProgressDeadlineExceeded' ? (progressing.reason ?? 'Failed') : null,
    uid: d.metadata?.uid ?? '',
    changeCause: annotation(d, CHANGE_CAUSE_ANNOTATION) ?? annotation(newest, CHANGE_CAUSE_ANNOTATION),
    restartedAt: annotation(d.spec?.template, RESTARTED_AT_ANNOTATION),
    previousImages: previous ? templateImages(previous.spec?.template) : null,
  };
}

/** Problems first (failed, then not fully available, then rolling), then namespace/name. */
export function compareDeployments(a: DeploymentRow, b: DeploymentRow): number {
  const rank = (d: DeploymentRow) => (d.failedReason ? 0 : d.available < d.desired ? 1 : d.rolling ? 2 : 3);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

function eventTime(e: KubeEvent): number {
  return toMs(e.series?.lastObservedTime) ?? toMs(e.lastTimestamp) ?? toMs(e.eventTime) ?? toMs(e.firstTimestamp) ?? toMs(e.metadata?.creationTimestamp) ?? 0;
}

/** Events folded by (object, reason, message) with summed counts; warnings first, then newest. */
export function foldEvents(events: Iterable<KubeEvent>): EventRow[] {
  const folded = new Map<string, EventRow>();
  for (const e of events) {
    const obj: NonNullable<KubeEvent['regarding']> = e.involvedObject ?? e.regarding ?? {};
    const object = `${String(obj.kind ?? '').toLowerCase()}/${obj.name ?? ''}`;
    const namespace = obj.namespace ?? e.metadata?.namespace ?? '';
    const reason = e.reason ?? '';
    const message = e.message ?? e.note ?? '';
    const key = `${namespace}\u0000${object}\u0000${reason}\u0000${message}`;
    const count = Math.max(1, e.series?.count ?? e.count ?? 1);
    const at = eventTime(e);
    const type = e.type ?? 'Normal';
    const prev = folded.get(key);
    if (prev) {
      prev.count += count;
      if (at > prev.lastAt) prev.lastAt = at;
      if (type === 'Warning') prev.type = 'Warning';
    } else {
      folded.set(key, { key, namespace, type, reason, object, message, count, lastAt: at });
    }
  }
  return [...folded.values()].sort((a, b) => {
    const wa = a.type === 'Warning' ? 0 : 1;
    const wb = b.type === 'Warning' ? 0 : 1;
    if (wa !== wb) return wa - wb;
    return b.lastAt - a.lastAt;
  });
}

/** Kubernetes quantity → millicores (cpu). */
export function parseCpuMilli(q: string | undefined | null): number | null {
  if (!q) return null;
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(q.trim());
  if (!m) return null;
  const [, digits = '', unit] = m;
  const v = Number.parseFloat(digits);
  switch (unit) {
    case '':
      return v * 1000;
    case 'm':
      return v;
    case 'u':
      return v / 1000;
    case 'n':
      return v / 1e6;
    default:
      return null;
  }
}

const BYTE_SUFFIX: Record<string, number> = {
  '': 1,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  m: 1e-3,
};

/** Kubernetes quantity → bytes (memory). */
export function parseBytes(q: string | undefined | null): number | null {
  if (!q) return null;
  const m = /^([0-9.]+(?:e[0-9]+)?)([a-zA-Z]*)$/.exec(q.trim());
  if (!m) return null;
  const [, digits = '', suffix = ''] = m;
  const mult = Object.hasOwn(BYTE_SUFFIX, suffix) ? BYTE_SUFFIX[suffix] : undefined;
  if (mult == null) return null;
  return Number.parseFloat(digits) * mult;
}

/** The ports the containers declare (TCP: what port-forward can reach), for pre-filling port-forward. */
function containerPorts(pod: Pod): NonNullable<PodRow['ports']> {
  const out: NonNullable<PodRow['ports']> = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (typeof p.containerPort === 'number' && (p.protocol ?? 'TCP') === 'TCP')
        out.push({ container: String(c.name ?? ''), port: p.containerPort, ...(p.name ? { name: String(p.name) } : {}) });
    }
  }
  return out;
}
