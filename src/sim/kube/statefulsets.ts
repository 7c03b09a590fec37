// The StatefulSet controller: pods <name>-<ordinal> created in order (OrderedReady: each waits for the one
// before it to be Running and Ready, Parallel: all at once), removed from the highest ordinal, rolling
// updates from the highest ordinal down to the partition, one pod at a time; ControllerRevisions and
// status (currentRevision, updateRevision, counts) as the real controller keeps them.
import { REVISION_HASH_LABEL } from './defaults.js';
import { podReady } from './kubelet.js';
import { ownedPods, ownedRevisions, truncateHistory, updateRevision } from './revisions.js';
import { canonicalJson, clone } from './util.js';
import type { World } from './world.js';

const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

const ordinalOf = (sts: any, p: any): number => {
  const m = new RegExp(`^${sts.metadata.name.replace(/[.]/g, '\\.')}-(\\d+)$`).exec(p.metadata.name);
  return m ? Number(m[1]) : -1;
};

export class StatefulSetController {
  constructor(private readonly w: World) {}

  sync(): void {
    for (const s of this.w.store.peekAll('statefulsets')) this.syncOne(s.metadata.namespace, s.metadata.name);
  }

  delete(ns: string, name: string): void {
    const s = this.w.store.peek('statefulsets', ns, name);
    if (!s) return;
    for (const p of ownedPods(this.w, s)) this.w.kubelet.deletePod(ns, p.metadata.name);
    for (const r of ownedRevisions(this.w, s)) this.w.store.remove('controllerrevisions', ns, r.metadata.name);
    this.w.store.remove('statefulsets', ns, name);
  }

  /** Create the pod for an ordinal from a revision's template (what newVersionedStatefulSetPod does). */
  createPod(s: any, ordinal: number, rev: any, opts: { startReady?: boolean; ageMs?: number } = {}): any {
    const template = rev.data.spec.template;
    const name = `${s.metadata.name}-${ordinal}`;
    const t = clone(template);
    delete t.$patch;
    const pod = this.w.kubelet.createPod({
      owner: s,
      name,
      labels: { ...(t.metadata?.labels ?? {}), [REVISION_HASH_LABEL]: rev.metadata.name, [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal) },
      template: t,
      spec: { hostname: name, ...(s.spec.serviceName ? { subdomain: s.spec.serviceName } : {}) },
      ...opts,
    });
    if (!opts.startReady) this.w.events.record(s, 'Normal', 'SuccessfulCreate', `create Pod ${name} in StatefulSet ${s.metadata.name} successful`, 'statefulset-controller');
    return pod;
  }

  private syncOne(ns: string, name: string): void {
    const cur = this.w.store.peek('statefulsets', ns, name);
    if (!cur || cur.metadata.deletionTimestamp) return;
    const s = clone(cur);
    const update = updateRevision(this.w, s, false);
    const revs = ownedRevisions(this.w, s);
    const current = revs.find((r) => r.metadata.name === s.status?.currentRevision) ?? update;
    const replicas: number = s.spec.replicas ?? 1;
    const ordered = (s.spec.podManagementPolicy ?? 'OrderedReady') === 'OrderedReady';
    const rolling = (s.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
    const partition = rolling ? Number(s.spec.updateStrategy?.rollingUpdate?.partition ?? 0) : replicas;
    const pods = ownedPods(this.w, s);
    const byOrd = new Map<number, any>();
    for (const p of pods) byOrd.set(ordinalOf(s, p), p);
    const revFor = (ord: number) => (rolling && ord < partition ? current : update);

    // Create missing pods (one at a time when OrderedReady, waiting for the ones before to be Ready).
    let blocked = false;
    for (let ord = 0; ord < replicas && !blocked; ord++) {
      const p = byOrd.get(ord);
      if (!p) {
        const created = this.createPod(s, ord, revFor(ord));
        byOrd.set(ord, created);
        if (ordered) blocked = true;
      } else if (ordered && (p.metadata.deletionTimestamp || !podReady(p))) blocked = true;
    }
    // Scale down from the highest ordinal, one at a time when OrderedReady.
    if (!blocked) {
      const extra = [...byOrd.entries()].filter(([ord, p]) => ord >= replicas && !p.metadata.deletionTimestamp).sort((a, b) => b[0] - a[0]);
      const unhealthy = [...byOrd.values()].some((p) => p.metadata.deletionTimestamp || !podReady(p));
      for (const [, p] of extra) {
        if (ordered && unhealthy) break;
        this.w.kubelet.deletePod(ns, p.metadata.name);
        this.w.events.record(s, 'Normal', 'SuccessfulDelete', `delete Pod ${p.metadata.name} in StatefulSet ${s.metadata.name} successful`, 'statefulset-controller');
        if (ordered) break;
      }
    }
    // Rolling update: replace the highest-ordinal pod not at the update revision, once all are healthy.
    if (rolling && !blocked) {
      const live = [...byOrd.entries()].filter(([ord]) => ord < replicas).sort((a, b) => b[0] - a[0]);
      const healthy = live.length === replicas && live.every(([, p]) => !p.metadata.deletionTimestamp && podReady(p));
      if (healthy) {
        const stale = live.find(([ord, p]) => ord >= partition && p.metadata.labels?.[REVISION_HASH_LABEL] !== update.metadata.name);
        if (stale) {
          this.w.kubelet.deletePod(ns, stale[1].metadata.name);
          this.w.events.record(s, 'Normal', 'SuccessfulDelete', `delete Pod ${stale[1].metadata.name} in StatefulSet ${s.metadata.name} successful`, 'statefulset-controller');
        }
      }
    }
    this.updateStatus(ns, name, current, update);
  }

  private updateStatus(ns: string, name: string, current: any, update: any): void {
    const s = this.w.store.peek('statefulsets', ns, name);
    if (!s) return;
    const replicas: number = s.spec.replicas ?? 1;
    const pods = ownedPods(this.w, s).filter((p) => !p.metadata.deletionTimestamp);
    const at = (rev: any) => pods.filter((p) => p.metadata.labels?.[REVISION_HASH_LABEL] === rev.metadata.name).length;
    const ready = pods.filter(podReady).length;
    const updated = at(update);
    let currentRev = current;
    let currentReplicas = at(current);
    // The update is complete once every wanted pod runs the update revision.
    if (updated === replicas && pods.length === replicas && ready === replicas) {
      currentRev = update;
      currentReplicas = updated;
    }
    const status: any = {
      observedGeneration: s.metadata.generation ?? 1,
      replicas: pods.length,
      readyReplicas: ready,
      currentReplicas,
      updatedReplicas: updated,
      currentRevision: currentRev.metadata.name,
      updateRevision: update.metadata.name,
      collisionCount: 0,
      availableReplicas: ready,
    };
    for (const k of ['readyReplicas', 'currentReplicas', 'updatedReplicas']) if (!status[k]) delete status[k];
    const next = clone(s);
    next.status = status;
    if (canonicalJson(next.status) !== canonicalJson(s.status)) this.w.store.put('statefulsets', next);
    const inUse = new Set<string>([currentRev.metadata.name, update.metadata.name, ...pods.map((p) => p.metadata.labels?.[REVISION_HASH_LABEL])]);
    truncateHistory(this.w, s, inUse);
  }
}
