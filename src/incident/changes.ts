// What changed on the cluster, as the incident sees it: rollouts shortly before detection ("What
// changed" in the post-mortem) and changes someone else makes while an incident is open. The
// cockpit's own actions are told apart from both.
//
//   const changes = new ChangeWatcher(now)
//   changes.noteOwnChange(entry)                 every recorded entry (action.started/succeeded/failed mark a target ours)
//   changes.observe(state, incidentOpen) → NewEntry[]   change.external entries to record
//   changes.whatChanged(state, detectedAt, declaredAt, ownActions) → NewEntry[]   change.observed entries
import type { State } from '../store/store.js';
import type { NewEntry, TimelineEntry } from './types.js';

interface WorkloadShape {
  revision: number | null;
  images: string;
  replicas: number;
  restartedAt: string | null;
  changeCause: string | null;
}

interface StsRollout {
  at: number;
  namespace: string;
  name: string;
  revision: number | null;
  images: string;
  previousImages: string;
}

/** How long before detection a rollout counts as a change that preceded the incident. */
const LOOKBACK_MS = 2 * 3600_000;
/** A change to a target this cockpit acted on is its own until this long after the action ended (the watch lags). */
const OWN_GRACE_MS = 20_000;

export class ChangeWatcher {
  /** Each workload as last seen, to tell the watch's changes apart. */
  private readonly seen = new Map<string, WorkloadShape>();
  /** StatefulSet rollouts seen through the watch (they carry no rollout time). */
  private readonly stsRollouts = new Map<string, StsRollout>();
  /** Workloads this cockpit is changing (an action started), until when changes are ours. */
  private readonly own = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  noteOwnChange(entry: NewEntry): void {
    const r = (entry.refs ?? {}) as Record<string, unknown>;
    if (typeof r.action !== 'string' || !r.action.startsWith('kube.') || typeof r.target !== 'string') return;
    const key = `${r.namespace ?? ''}/${r.target}`;
    if (entry.kind === 'action.started') this.own.set(key, Infinity);
    else if (entry.kind === 'action.succeeded' || entry.kind === 'action.failed') this.own.set(key, this.now() + OWN_GRACE_MS);
  }

  /** What someone else changed on a deployment or StatefulSet since the last state, while an incident is open. */
  observe(state: State, incidentOpen: boolean): NewEntry[] {
    if (state.kube.status === 'disabled' || state.kube.updatedAt == null) return [];
    const workloads = [
      ...state.kube.data.deployments.map((d) => ({
        kind: 'deployment',
        d,
        shape: { revision: d.revision, images: d.images.join(', '), replicas: d.desired, restartedAt: d.restartedAt ?? null, changeCause: d.changeCause ?? null },
      })),
      ...(state.kube.data.statefulSets ?? []).map((d) => ({
        kind: 'statefulset',
        d,
        shape: { revision: d.revision, images: d.images.join(', '), replicas: d.desired, restartedAt: null, changeCause: null },
      })),
    ];
    const out: NewEntry[] = [];
    for (const { kind, d, shape: now } of workloads) {
      // Deployments keep their plain key (the actions' targets); StatefulSets are named by kind.
      const key = kind === 'deployment' ? `${d.namespace}/${d.name}` : `statefulset ${d.namespace}/${d.name}`;
      const before = this.seen.get(key);
      this.seen.set(key, now);
      if (!before) continue;
      const rolledOut = before.images !== now.images || (before.revision !== now.revision && now.revision != null);
      // A StatefulSet has no rollout time of its own: the one seen here is kept for "What changed".
      if (kind === 'statefulset' && rolledOut)
        this.stsRollouts.set(key, { at: this.now(), namespace: d.namespace, name: d.name, revision: now.revision, images: now.images, previousImages: before.images });
      if (!incidentOpen) continue;
      const what: string[] = [];
      if (before.images !== now.images) what.push(`image ${before.images} → ${now.images}`);
      if (before.replicas !== now.replicas) what.push(`replicas ${before.replicas} → ${now.replicas}`);
      if (before.restartedAt !== now.restartedAt && now.restartedAt) what.push(`restarted (restartedAt ${now.restartedAt})`);
      if (before.revision !== now.revision && now.revision != null) what.push(`revision ${before.revision ?? '?'} → ${now.revision}`);
      if (what.length === 0) continue;
      if ((this.own.get(`${d.namespace}/${d.name}`) ?? -Infinity) >= this.now()) continue;
      // kubectl copies the change-cause annotation onto a restart or a scale: quoted only when it changed.
      const changeCause = now.changeCause !== before.changeCause ? now.changeCause : null;
      out.push({
        kind: 'change.external',
        actor: 'someone else',
        source: 'kube',
        summary: `External change: ${key} ${what.join(', ')}${changeCause ? ` ("${changeCause}")` : ''}`,
        refs: { [kind]: d.name, namespace: d.namespace, before, after: now, changeCause },
      });
    }
    return out;
  }

  /** Deployments and StatefulSets rolled out within 2 h before the detection: revision, image diff, change-cause. */
  whatChanged(state: State | null, detected: number, declaredAt: number, ownActions: TimelineEntry[]): NewEntry[] {
    // A rollout this cockpit made (a rollback before declaring) is an action taken, not a change that preceded the incident.
    const ours = (ns: string, name: string, rolledOutAt: number) =>
      ownActions.some((e) => {
        const r = (e.refs ?? {}) as Record<string, unknown>;
        return e.kind === 'action.succeeded' && r.target === name && r.namespace === ns && Math.abs(e.at - rolledOutAt) <= 60_000;
      });
    const out: NewEntry[] = [];
    for (const d of state?.kube.data.deployments ?? []) {
      if (d.lastRolloutAt == null || d.lastRolloutAt < detected - LOOKBACK_MS || d.lastRolloutAt > Math.max(detected, this.now())) continue;
      if (ours(d.namespace, d.name, d.lastRolloutAt)) continue;
      const images = d.previousImages && d.previousImages.join() !== d.images.join() ? `${d.previousImages.join(', ')} → ${d.images.join(', ')}` : d.images.join(', ');
      out.push({
        kind: 'change.observed',
        at: Math.min(d.lastRolloutAt, declaredAt),
        actor: 'kubernetes',
        source: 'kube',
        summary: `Rolled out ${d.namespace}/${d.name} revision ${d.revision ?? '?'}: ${images}${d.changeCause ? ` ("${d.changeCause}")` : ''}`,
        refs: {
          deployment: d.name,
          namespace: d.namespace,
          revision: d.revision,
          images: d.images,
          previousImages: d.previousImages ?? null,
          changeCause: d.changeCause ?? null,
          rolledOutAt: d.lastRolloutAt,
        },
      });
    }
    for (const r of this.stsRollouts.values()) {
      if (r.at < detected - LOOKBACK_MS || r.at > declaredAt) continue;
      out.push({
        kind: 'change.observed',
        at: r.at,
        actor: 'kubernetes',
        source: 'kube',
        summary: `Rolled out StatefulSet ${r.namespace}/${r.name} revision ${r.revision ?? '?'}: ${r.previousImages === r.images ? r.images : `${r.previousImages} → ${r.images}`}`,
        refs: { statefulset: r.name, namespace: r.namespace, revision: r.revision, images: r.images, previousImages: r.previousImages },
      });
    }
    return out;
  }
}
