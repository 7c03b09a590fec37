// ControllerRevisions, as the StatefulSet and DaemonSet controllers keep them: one per distinct pod
// template, named <owner>-<hash>, `data` the strategic merge patch that restores the template (what
// `kubectl rollout undo` sends back), `revision` renumbered to the newest when a template comes back.
import { REVISION_HASH_LABEL } from './defaults.js';
import { clone, fnv32a, isoSeconds, safeEncode, uuid } from './util.js';
import type { World } from './world.js';

/** Keys sorted at every level, as Go marshals a map: kubectl compares these bytes to decide "skipped". */
function sortKeys(v: any): any {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const out: any = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]);
    return out;
  }
  return v;
}

/** The patch kubectl and the controllers compute: {"spec":{"template":{"$patch":"replace",...}}}. */
export function revisionData(owner: any): any {
  return sortKeys({ spec: { template: { ...clone(owner.spec.template), $patch: 'replace' } } });
}

export function revisionHash(data: any): string {
  return safeEncode(String(fnv32a(JSON.stringify(data))));
}

export function ownedRevisions(w: World, owner: any): any[] {
  return w.store
    .peekAll('controllerrevisions', owner.metadata.namespace, (r) => (r.metadata.ownerReferences ?? []).some((o: any) => o.uid === owner.metadata.uid && o.controller))
    .sort((a, b) => a.revision - b.revision);
}

/**
 * The revision of the owner's current template: an equal existing one (given the next revision number
 * when it is not the newest, as after an undo), else a new one.
 */
export function updateRevision(w: World, owner: any, hashLabel: boolean): any {
  const data = revisionData(owner);
  const raw = JSON.stringify(data);
  const all = ownedRevisions(w, owner);
  const max = all.reduce((m, r) => Math.max(m, r.revision), 0);
  const equal = all.find((r) => JSON.stringify(r.data) === raw);
  if (equal) {
    if (equal.revision === max) return equal;
    const next = clone(equal);
    next.revision = max + 1;
    next.metadata.annotations = { ...(owner.metadata.annotations ?? {}) };
    return w.store.put('controllerrevisions', next);
  }
  const hash = revisionHash(data);
  const labels: Record<string, string> = { ...(owner.spec.template.metadata?.labels ?? {}) };
  if (hashLabel) labels[REVISION_HASH_LABEL] = hash;
  return w.store.put('controllerrevisions', {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: `${owner.metadata.name}-${hash}`,
      namespace: owner.metadata.namespace,
      uid: uuid(w.rand),
      creationTimestamp: isoSeconds(Date.now()),
      labels,
      annotations: { ...(owner.metadata.annotations ?? {}) },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true }],
    },
    data,
    revision: max + 1,
  });
}

/** Drop the oldest revisions beyond revisionHistoryLimit that no pod and no status still uses. */
export function truncateHistory(w: World, owner: any, live: Set<string>): void {
  const limit = owner.spec.revisionHistoryLimit ?? 10;
  const dead = ownedRevisions(w, owner).filter((r) => !live.has(r.metadata.name));
  while (dead.length > limit) {
    const r = dead.shift()!;
    w.store.remove('controllerrevisions', r.metadata.namespace, r.metadata.name);
  }
}

export function ownedPods(w: World, owner: any): any[] {
  return w.store.peekUnsorted('pods', owner.metadata.namespace, (p) => (p.metadata.ownerReferences ?? []).some((o: any) => o.uid === owner.metadata.uid && o.controller));
}
