// Pure normalisers for StatefulSets, DaemonSets and Nodes, and kubectl's rollout status verdicts for
// the two workload kinds (StatefulSetStatusViewer, DaemonSetStatusViewer).
import type { V1Taint } from '@kubernetes/client-node';
import {
  objKey,
  parseBytes,
  parseCpuMilli,
  percent,
  templateImages,
  toMs,
  type ControllerRevision,
  type DaemonSet,
  type Kube,
  type KubeNode,
  type KubeObject,
  type RolloutState,
  type StatefulSet,
} from './normalize.js';
import type { DaemonSetRow, NodeRow, StatefulSetRow } from './types.js';

/** kubectl rollout status for a StatefulSet. */
export function statefulSetRollout(s: StatefulSet): RolloutState {
  const st: NonNullable<StatefulSet['status']> = s.status ?? {};
  const desired = s.spec?.replicas ?? 1;
  const ready = st.readyReplicas ?? 0;
  const updated = st.updatedReplicas ?? 0;
  const base = { desired, updated, ready, available: st.availableReplicas ?? ready, total: st.replicas ?? 0 };
  const strategy: NonNullable<NonNullable<StatefulSet['spec']>['updateStrategy']> = s.spec?.updateStrategy ?? {};
  if ((strategy.type ?? 'RollingUpdate') !== 'RollingUpdate')
    return { ...base, done: true, failed: false, message: `rollout status is only available for RollingUpdate strategy type (${strategy.type})` };
  if (!st.observedGeneration || (s.metadata?.generation ?? 0) > st.observedGeneration)
    return { ...base, done: false, failed: false, message: 'Waiting for statefulset spec update to be observed...' };
  if (ready < desired) return { ...base, done: false, failed: false, message: `Waiting for ${desired - ready} pods to be ready...` };
  const partition = strategy.rollingUpdate?.partition;
  if (strategy.rollingUpdate && partition != null) {
    if (updated < desired - partition)
      return { ...base, done: false, failed: false, message: `Waiting for partitioned roll out to finish: ${updated} out of ${desired - partition} new pods have been updated...` };
    return { ...base, done: true, failed: false, message: `partitioned roll out complete: ${updated} new pods have been updated...` };
  }
  if (st.updateRevision !== st.currentRevision)
    return { ...base, done: false, failed: false, message: `waiting for statefulset rolling update to complete ${updated} pods at revision ${st.updateRevision}...` };
  return { ...base, done: true, failed: false, message: `statefulset rolling update complete ${st.currentReplicas ?? 0} pods at revision ${st.currentRevision}...` };
}

/** kubectl rollout status for a DaemonSet. */
export function daemonSetRollout(d: DaemonSet): RolloutState {
  const name = d.metadata?.name ?? '';
  const st: NonNullable<DaemonSet['status']> = d.status ?? {};
  const desired = st.desiredNumberScheduled ?? 0;
  const updated = st.updatedNumberScheduled ?? 0;
  const available = st.numberAvailable ?? 0;
  const base = { desired, updated, ready: st.numberReady ?? 0, available, total: st.currentNumberScheduled ?? 0 };
  const type = d.spec?.updateStrategy?.type ?? 'RollingUpdate';
  if (type !== 'RollingUpdate') return { ...base, done: true, failed: false, message: `rollout status is only available for RollingUpdate strategy type (${type})` };
  if ((d.metadata?.generation ?? 0) <= (st.observedGeneration ?? 0)) {
    if (updated < desired)
      return { ...base, done: false, failed: false, message: `Waiting for daemon set "${name}" rollout to finish: ${updated} out of ${desired} new pods have been updated...` };
    if (available < desired)
      return { ...base, done: false, failed: false, message: `Waiting for daemon set "${name}" rollout to finish: ${available} of ${desired} updated pods are available...` };
    return { ...base, done: true, failed: false, message: `daemon set "${name}" successfully rolled out` };
  }
  return { ...base, done: false, failed: false, message: 'Waiting for daemon set spec update to be observed...' };
}

/**
 * The newest ControllerRevision number per owner uid: the owner's current template (the controllers
 * renumber a template that comes back, so the newest is always the one in use).
 */
export function newestRevisions(revisions: Iterable<ControllerRevision>): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of revisions) {
    const owner = (r.metadata?.ownerReferences ?? []).find((o) => o.controller);
    const n = Number(r.revision);
    if (!owner || !Number.isFinite(n)) continue;
    if (n > (out.get(owner.uid) ?? 0)) out.set(owner.uid, n);
  }
  return out;
}

export function statefulSetRow(s: StatefulSet, revision: number | null): StatefulSetRow {
  const r = statefulSetRollout(s);
  const st: NonNullable<StatefulSet['status']> = s.status ?? {};
  return {
    key: objKey(s),
    namespace: s.metadata?.namespace ?? '',
    name: s.metadata?.name ?? '',
    desired: r.desired,
    current: st.replicas ?? 0,
    ready: r.ready,
    updated: r.updated,
    images: templateImages(s.spec?.template),
    revision,
    currentRevision: st.currentRevision ?? null,
    updateRevision: st.updateRevision ?? null,
    rolling: !r.done,
    rollout: r.message,
    uid: s.metadata?.uid ?? '',
  };
}

export function daemonSetRow(d: DaemonSet, revision: number | null): DaemonSetRow {
  const r = daemonSetRollout(d);
  const st: NonNullable<DaemonSet['status']> = d.status ?? {};
  return {
    key: objKey(d),
    namespace: d.metadata?.namespace ?? '',
    name: d.metadata?.name ?? '',
    desired: r.desired,
    current: st.currentNumberScheduled ?? 0,
    ready: st.numberReady ?? 0,
    updated: r.updated,
    available: r.available,
    misscheduled: st.numberMisscheduled ?? 0,
    images: templateImages(d.spec?.template),
    revision,
    rolling: !r.done,
    rollout: r.message,
    uid: d.metadata?.uid ?? '',
  };
}

export function formatTaint(t: Kube<V1Taint>): string {
  return `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`;
}

export function nodeRow(n: KubeNode, ctx: { pods: number; cpuMilli?: number | null; memoryBytes?: number | null }): NodeRow {
  const conds = n.status?.conditions ?? [];
  const alloc: NonNullable<NonNullable<KubeNode['status']>['allocatable']> = n.status?.allocatable ?? {};
  const cpuAlloc = parseCpuMilli(alloc.cpu == null ? null : String(alloc.cpu));
  const memAlloc = parseBytes(alloc.memory == null ? null : String(alloc.memory));
  const labels: Record<string, string | undefined> = n.metadata?.labels ?? {};
  return {
    key: n.metadata?.name ?? '',
    name: n.metadata?.name ?? '',
    ready: conds.find((c) => c.type === 'Ready')?.status ?? 'Unknown',
    pressures: conds.filter((c) => c.type !== 'Ready' && c.status === 'True').map((c) => String(c.type)),
    unschedulable: n.spec?.unschedulable === true,
    taints: (n.spec?.taints ?? []).map(formatTaint),
    roles: Object.keys(labels)
      .filter((k) => k.startsWith('node-role.kubernetes.io/'))
      .map((k) => k.slice('node-role.kubernetes.io/'.length)),
    version: n.status?.nodeInfo?.kubeletVersion ?? '',
    createdAt: toMs(n.metadata?.creationTimestamp) ?? 0,
    pods: ctx.pods,
    cpuMilli: ctx.cpuMilli ?? null,
    memoryBytes: ctx.memoryBytes ?? null,
    cpuAllocMilli: cpuAlloc,
    memoryAllocBytes: memAlloc,
    cpuPct: percent(ctx.cpuMilli, cpuAlloc),
    memPct: percent(ctx.memoryBytes, memAlloc),
  };
}

/** Problems first (not Ready, pressure, cordoned), then name. */
export function compareNodes(a: NodeRow, b: NodeRow): number {
  const rank = (n: NodeRow) => (n.ready !== 'True' ? 0 : n.pressures.length ? 1 : n.unschedulable ? 2 : 3);
  return rank(a) - rank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** Rolling or not fully ready first, then namespace/name. */
export function compareWorkloads(
  a: { key: string; rolling: boolean; ready: number; desired: number },
  b: { key: string; rolling: boolean; ready: number; desired: number },
): number {
  const rank = (w: typeof a) => (w.ready < w.desired ? 0 : w.rolling ? 1 : 2);
  return rank(a) - rank(b) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/**
 * Keep what the panes read: no managedFields, no last-applied annotation, no node image lists, no
 * ControllerRevision data (actions read fresh objects from the API).
 */
export function trimObject<T extends KubeObject>(o: T, kind: string): T {
  if (!o?.metadata) return o;
  const { managedFields: _m, ...metadata } = o.metadata;
  if (metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']) {
    const { 'kubectl.kubernetes.io/last-applied-configuration': _l, ...rest } = metadata.annotations;
    metadata.annotations = rest;
  }
  const out: KubeObject & { data?: unknown; status?: unknown } = { ...o, metadata };
  if (kind === 'ControllerRevision') delete out.data; // only the number and owner are read
  if (kind === 'Node' && out.status) {
    const { images: _i, volumesAttached: _v, volumesInUse: _u, ...status } = out.status as NonNullable<KubeNode['status']>;
    out.status = status;
  }
  // The same object less fields nothing reads (all optional): still a T.
  return out as T;
}
