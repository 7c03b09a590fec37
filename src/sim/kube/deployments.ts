// The deployment controller (rolling updates and Recreate, revisions, conditions) and the replicaset
// controller, following the real reconcileNewReplicaSet / reconcileOldReplicaSets.
import { CHANGE_CAUSE, DESIRED, HASH_LABEL, MAX_REPLICAS, REVISION, REVISION_HISTORY, revisionOf, templateHash } from './defaults.js';
import { canonicalJson, clone, intOrPercent, isoSeconds, randSuffix, uuid } from './util.js';
import type { World } from './world.js';

/** Annotations the controller does not copy from a deployment onto its ReplicaSets. */
const SKIP_ANNOTATIONS = new Set([REVISION, REVISION_HISTORY, DESIRED, MAX_REPLICAS, 'kubectl.kubernetes.io/last-applied-configuration']);
const wallIso = () => isoSeconds(Date.now());

export class DeploymentController {
  private readonly lastProgress = new Map<string, number>();
  private readonly progressReason = new Map<string, [string, string]>();

  constructor(private readonly w: World) {}

  /** One pass over every deployment and replicaset. */
  sync(): void {
    for (const rs of this.w.store.peekAll('replicasets')) this.refreshReplicaSetStatus(rs.metadata.namespace, rs.metadata.name);
    for (const d of this.w.store.peekAll('deployments')) this.syncDeployment(d.metadata.namespace, d.metadata.name);
    for (const rs of this.w.store.peekAll('replicasets')) this.reconcileReplicaSet(rs.metadata.namespace, rs.metadata.name);
    for (const rs of this.w.store.peekAll('replicasets')) this.refreshReplicaSetStatus(rs.metadata.namespace, rs.metadata.name);
    for (const d of this.w.store.peekAll('deployments')) this.updateDeploymentStatus(d.metadata.namespace, d.metadata.name);
  }

  /** A pod of a ReplicaSet, `<rs>-<suffix>`. */
  createPod(rs: any, opts: { startReady?: boolean; ageMs?: number } = {}): any {
    return this.w.kubelet.createPod({
      owner: rs,
      name: `${rs.metadata.name}-${randSuffix(this.w.rand)}`,
      generateName: `${rs.metadata.name}-`,
      labels: { ...(rs.spec.template.metadata?.labels ?? {}) },
      template: rs.spec.template,
      ...opts,
    });
  }

  delete(ns: string, name: string): void {
    const d = this.w.store.peek('deployments', ns, name);
    if (!d) return;
    for (const rs of this.ownedReplicaSets(d)) {
      for (const p of this.podsOf(rs)) this.w.kubelet.deletePod(ns, p.metadata.name);
      this.w.store.remove('replicasets', ns, rs.metadata.name);
    }
    this.w.store.remove('deployments', ns, name);
  }

  ownedReplicaSets(d: any): any[] {
    return this.w.store
      .peekAll('replicasets', d.metadata.namespace, (rs) => (rs.metadata.ownerReferences ?? []).some((o: any) => o.uid === d.metadata.uid && o.controller))
      .sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || revisionOf(a) - revisionOf(b));
  }

  private putIfChanged(resource: string, before: any, after: any): boolean {
    if (canonicalJson(before) === canonicalJson(after)) return false;
    this.w.store.put(resource, after);
    return true;
  }

  private scaleReplicaSet(d: any, rs: any, to: number): void {
    const from = rs.spec.replicas ?? 0;
    if (from === to) return;
    const next = clone(this.w.store.peek('replicasets', rs.metadata.namespace, rs.metadata.name));
    next.spec.replicas = to;
    next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [DESIRED]: String(d.spec.replicas), [MAX_REPLICAS]: String(d.spec.replicas + this.maxSurge(d)) };
    next.metadata.generation = (next.metadata.generation ?? 1) + 1;
    this.w.store.put('replicasets', next);
    rs.spec.replicas = to;
    this.w.events.record(d, 'Normal', 'ScalingReplicaSet', `Scaled ${to > from ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${to}`, 'deployment-controller');
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
    this.lastProgress.set(`${d.metadata.namespace}/${d.metadata.name}`, this.w.clock.now());
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
        uid: uuid(this.w.rand),
        generation: 1,
        creationTimestamp: wallIso(),
        labels: { ...(template.metadata.labels ?? {}) },
        annotations,
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name, uid: d.metadata.uid, controller: true, blockOwnerDeletion: true }],
      },
      spec: { replicas: 0, selector: { matchLabels: { ...(d.spec.selector?.matchLabels ?? {}), [HASH_LABEL]: hash } }, template },
      status: { replicas: 0, observedGeneration: 1 },
    };
    return this.w.store.put('replicasets', rs);
  }

  private syncDeployment(ns: string, name: string): void {
    const cur = this.w.store.peek('deployments', ns, name);
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
      if (this.putIfChanged('replicasets', before, after)) newRS = clone(this.w.store.peek('replicasets', ns, newRS.metadata.name));
    }
    const rev = String(revisionOf(newRS));
    if (d.metadata.annotations?.[REVISION] !== rev) {
      const next = clone(this.w.store.peek('deployments', ns, name));
      next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [REVISION]: rev };
      this.w.store.put('deployments', next);
    }
    const olds = this.ownedReplicaSets(d)
      .filter((rs) => rs.metadata.name !== newRS.metadata.name)
      .map(clone);
    const nrs = clone(this.w.store.peek('replicasets', ns, newRS.metadata.name));
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
      const nrsStatus = this.w.store.peek('replicasets', ns, nrs.metadata.name)?.status ?? {};
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
      this.w.store.remove('replicasets', ns, rs.metadata.name);
    }
  }

  podsOf(rs: any): any[] {
    return this.w.store.peekUnsorted('pods', rs.metadata.namespace, (p) => (p.metadata.ownerReferences ?? []).some((o: any) => o.uid === rs.metadata.uid));
  }

  private isReady(p: any): boolean {
    return !p.metadata.deletionTimestamp && (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
  }

  private refreshReplicaSetStatus(ns: string, name: string): void {
    const rs = this.w.store.peek('replicasets', ns, name);
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
    const rs = this.w.store.peek('replicasets', ns, name);
    if (!rs) return;
    const active = this.podsOf(rs).filter((p) => !p.metadata.deletionTimestamp);
    const want = rs.spec.replicas ?? 0;
    if (active.length < want) {
      for (let i = active.length; i < want; i++) {
        const pod = this.createPod(rs);
        this.w.events.record(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`, 'replicaset-controller');
      }
    } else if (active.length > want) {
      const rank = (p: any) => (!p.spec.nodeName ? 0 : p.status?.phase === 'Pending' ? 1 : !this.isReady(p) ? 2 : 3);
      const victims = [...active]
        .sort((a, b) => rank(a) - rank(b) || (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''))
        .slice(0, active.length - want);
      for (const p of victims) {
        this.w.kubelet.deletePod(ns, p.metadata.name);
        this.w.events.record(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`, 'replicaset-controller');
      }
    }
  }

  private condition(old: any[] | undefined, type: string, status: string, reason: string, message: string): any {
    const prev = (old ?? []).find((c: any) => c.type === type);
    const now = wallIso();
    return {
      type,
      status,
      lastUpdateTime: prev && prev.status === status && prev.reason === reason ? prev.lastUpdateTime : now,
      lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : now,
      reason,
      message,
    };
  }

  private updateDeploymentStatus(ns: string, name: string): void {
    const cur = this.w.store.peek('deployments', ns, name);
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
      const since = this.lastProgress.get(key) ?? this.w.clock.now();
      const deadline = (d.spec.progressDeadlineSeconds ?? 600) * 1000;
      if (prevProg?.reason === 'ProgressDeadlineExceeded' && !countsChanged) {
        conds.push(prevProg);
      } else if (this.w.clock.now() - since > deadline) {
        conds.push(this.condition(old.conditions, 'Progressing', 'False', 'ProgressDeadlineExceeded', `ReplicaSet "${rsName}" has timed out progressing.`));
      } else {
        const pr = this.progressReason.get(key);
        const [reason, msg] = pr && prevProg?.reason !== pr[0] && prevProg?.reason !== 'ReplicaSetUpdated' ? pr : ['ReplicaSetUpdated', `ReplicaSet "${rsName}" is progressing.`];
        const c = this.condition(old.conditions, 'Progressing', 'True', reason, msg);
        if (countsChanged) c.lastUpdateTime = wallIso();
        conds.push(c);
      }
    }
    // Real servers list Available first, then Progressing.
    status.conditions = conds;
    const next = clone(d);
    next.status = status;
    this.putIfChanged('deployments', d, next);
  }
}
