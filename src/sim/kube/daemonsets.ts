// The DaemonSet controller: one pod per node the template fits (node selector, taints against the
// tolerations every daemon pod gets), rolling updates within maxUnavailable, ControllerRevisions with the
// controller-revision-hash label, and the status counts `kubectl rollout status ds` reads.
import { REVISION_HASH_LABEL } from './defaults.js';
import { podReady } from './kubelet.js';
import { DAEMON_TOLERATIONS } from './nodes.js';
import { ownedPods, ownedRevisions, truncateHistory, updateRevision } from './revisions.js';
import { canonicalJson, clone, intOrPercent, randSuffix } from './util.js';
import type { World } from './world.js';

const GENERATION_LABEL = 'pod-template-generation';

/** The affinity the real controller gives each daemon pod: the scheduler binds it to that one node. */
function nodeAffinity(node: string): any {
  return { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }] } } };
}

/** The node a daemon pod belongs to: bound, or (before the scheduler binds it) the node its affinity names. */
function podNode(p: any): string | undefined {
  if (p.spec.nodeName) return p.spec.nodeName;
  const terms = p.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  return terms[0]?.matchFields?.find((f: any) => f.key === 'metadata.name' && f.operator === 'In')?.values?.[0];
}

export class DaemonSetController {
  constructor(private readonly w: World) {}

  sync(): void {
    for (const d of this.w.store.peekAll('daemonsets')) this.syncOne(d.metadata.namespace, d.metadata.name);
  }

  delete(ns: string, name: string): void {
    const d = this.w.store.peek('daemonsets', ns, name);
    if (!d) return;
    for (const p of ownedPods(this.w, d)) this.w.kubelet.deletePod(ns, p.metadata.name);
    for (const r of ownedRevisions(this.w, d)) this.w.store.remove('controllerrevisions', ns, r.metadata.name);
    this.w.store.remove('daemonsets', ns, name);
  }

  private tolerations(d: any): any[] {
    return [...(d.spec.template.spec.tolerations ?? []), ...DAEMON_TOLERATIONS];
  }

  /** Nodes the daemon pod should run on. */
  eligibleNodes(d: any): string[] {
    const sel: Record<string, string> = d.spec.template.spec.nodeSelector ?? {};
    return this.w.store
      .peekAll('nodes')
      .filter((n) => Object.entries(sel).every(([k, v]) => n.metadata.labels?.[k] === v) && this.w.nodes.fits(n.metadata.name, this.tolerations(d)))
      .map((n) => n.metadata.name);
  }

  createPod(d: any, node: string, rev: any, opts: { startReady?: boolean; ageMs?: number } = {}): any {
    const t = clone(d.spec.template);
    const hash = rev.metadata.labels[REVISION_HASH_LABEL];
    const pod = this.w.kubelet.createPod({
      owner: d,
      name: `${d.metadata.name}-${randSuffix(this.w.rand)}`,
      generateName: `${d.metadata.name}-`,
      labels: { ...(t.metadata?.labels ?? {}), [REVISION_HASH_LABEL]: hash, [GENERATION_LABEL]: String(d.metadata.generation ?? 1) },
      template: t,
      nodeName: node,
      spec: { tolerations: this.tolerations(d), affinity: nodeAffinity(node) },
      ...opts,
    });
    if (!opts.startReady) this.w.events.record(d, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`, 'daemonset-controller');
    return pod;
  }

  private remove(d: any, p: any): void {
    this.w.kubelet.deletePod(d.metadata.namespace, p.metadata.name);
    this.w.events.record(d, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`, 'daemonset-controller');
  }

  private syncOne(ns: string, name: string): void {
    const cur = this.w.store.peek('daemonsets', ns, name);
    if (!cur || cur.metadata.deletionTimestamp) return;
    const d = clone(cur);
    const rev = updateRevision(this.w, d, true);
    const hash = rev.metadata.labels[REVISION_HASH_LABEL];
    const eligible = this.eligibleNodes(d);
    const pods = ownedPods(this.w, d).filter((p) => !p.metadata.deletionTimestamp);
    const onNode = new Map<string, any[]>();
    for (const p of pods) {
      const node = podNode(p) ?? '';
      onNode.set(node, [...(onNode.get(node) ?? []), p]);
    }
    for (const [node, ps] of onNode) {
      if (!eligible.includes(node)) for (const p of ps) this.remove(d, p);
      else for (const p of ps.slice(1)) this.remove(d, p);
    }
    for (const node of eligible) if (!onNode.has(node)) this.createPod(d, node, rev);
    if ((d.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
      const maxUnavailable = Math.max(1, intOrPercent(d.spec.updateStrategy.rollingUpdate?.maxUnavailable, eligible.length, false, '1'));
      const current = eligible.map((n) => onNode.get(n)?.[0]);
      let unavailable = current.filter((p) => !p || !podReady(p)).length;
      for (const p of current) {
        if (!p || p.metadata.labels?.[REVISION_HASH_LABEL] === hash) continue;
        if (!podReady(p)) this.remove(d, p);
        else if (unavailable < maxUnavailable) {
          this.remove(d, p);
          unavailable++;
        }
      }
    }
    this.updateStatus(ns, name, hash, rev.metadata.name);
  }

  private updateStatus(ns: string, name: string, hash: string, revName: string): void {
    const d = this.w.store.peek('daemonsets', ns, name);
    if (!d) return;
    const eligible = new Set(this.eligibleNodes(d));
    const pods = ownedPods(this.w, d).filter((p) => !p.metadata.deletionTimestamp);
    const scheduled = pods.filter((p) => eligible.has(podNode(p) ?? ''));
    const ready = scheduled.filter(podReady).length;
    const status: any = {
      currentNumberScheduled: new Set(scheduled.map(podNode)).size,
      numberMisscheduled: pods.filter((p) => {
        const n = podNode(p);
        return n && !eligible.has(n);
      }).length,
      desiredNumberScheduled: eligible.size,
      numberReady: ready,
      observedGeneration: d.metadata.generation ?? 1,
      updatedNumberScheduled: scheduled.filter((p) => p.metadata.labels?.[REVISION_HASH_LABEL] === hash).length,
      numberAvailable: ready,
      numberUnavailable: Math.max(0, eligible.size - ready),
    };
    for (const k of ['updatedNumberScheduled', 'numberAvailable', 'numberUnavailable']) if (!status[k]) delete status[k];
    const next = clone(d);
    next.status = status;
    if (canonicalJson(next.status) !== canonicalJson(d.status)) this.w.store.put('daemonsets', next);
    truncateHistory(this.w, d, new Set([revName, ...pods.map((p) => `${d.metadata.name}-${p.metadata.labels?.[REVISION_HASH_LABEL]}`)]));
  }
}
