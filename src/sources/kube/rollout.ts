// Pure rollout logic and the operation types, kept free of @kubernetes/client-node so the
// action registry and the UI can use them without loading the client (about 0.5 s).
import { KubeError } from './errors.js';
import type { V1Deployment } from '@kubernetes/client-node';
import { POD_TEMPLATE_HASH, revisionOf, toMs, type Kube, type KubeObject, type PodTemplate, type ReplicaSet, type RolloutState, type Workload } from './normalize.js';

export { RESTARTED_AT_ANNOTATION } from './normalize.js';

// Annotations kubectl keeps from the deployment instead of copying them from the ReplicaSet.
const ANNOTATIONS_TO_SKIP = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  'deployment.kubernetes.io/revision',
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);

export interface HistoryEntry {
  revision: number;
  images: string[];
  changeCause: string | null;
  createdAt: number | null;
  /** The ReplicaSet's template matches the deployment's current template. */
  current: boolean;
  replicaSet: string;
}

export interface RollbackPlan {
  namespace: string;
  name: string;
  fromRevision: number | null;
  toRevision: number;
  fromImages: string[];
  toImages: string[];
  changeCause: string | null;
  /** Current template already matches the target: nothing would change. */
  skip: boolean;
}

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet';

/**
 * A rollback computed once and pinned: the template applied is the one that was shown, and the
 * workload's generation then; a spec change in between is refused instead of applied blindly.
 */
export interface PinnedRollback extends RollbackPlan {
  kind: WorkloadKind;
  generation: number;
  template: PodTemplate;
  /** Deployments: the annotations kubectl copies from the ReplicaSet. */
  annotations?: Record<string, string | undefined>;
  /** The ReplicaSet or ControllerRevision the template comes from. */
  source: string;
  paused: boolean;
}

export interface ResourceChange {
  kind: WorkloadKind;
  namespace: string;
  name: string;
  container: string;
  before: { memoryLimit: string | null; cpuLimit: string | null; memoryRequest: string | null; cpuRequest: string | null };
  after: { memoryLimit: string | null; cpuLimit: string | null; memoryRequest: string | null; cpuRequest: string | null };
  dryRun: boolean;
}

export interface RollbackResult extends RollbackPlan {
  outcome: 'rolled back' | 'skipped' | 'dry run';
  message: string;
}

export interface ScaleResult {
  namespace: string;
  name: string;
  from: number;
  to: number;
  retried: boolean;
  dryRun: boolean;
}

export interface RestartResult {
  namespace: string;
  name: string;
  restartedAt: string;
  revisionBefore: number | null;
  dryRun: boolean;
}

export interface CanIResult {
  allowed: boolean;
  reason: string | null;
}

/** What the actions need; implemented by KubeOperations, replaceable in tests. */
export interface KubeOps {
  readonly context: string | null;
  getDeployment(ns: string, name: string): Promise<Kube<V1Deployment, string>>;
  restart(ns: string, name: string, opts?: { dryRun?: boolean }): Promise<RestartResult>;
  scale(ns: string, name: string, replicas: number, opts?: { dryRun?: boolean }): Promise<ScaleResult>;
  planRollback(ns: string, name: string, toRevision?: number): Promise<RollbackPlan>;
  rollback(ns: string, name: string, opts?: { toRevision?: number; dryRun?: boolean }): Promise<RollbackResult>;
  rolloutHistory(ns: string, name: string): Promise<HistoryEntry[]>;
  followRollout(ns: string, name: string, onProgress?: (s: RolloutState) => void, opts?: { timeoutMs?: number; signal?: AbortSignal }): Promise<RolloutState>;
  canI(verb: string, resource: string, ns: string, name?: string, subresource?: string, group?: string): Promise<CanIResult>;
  // Every workload kind (Deployment, StatefulSet, DaemonSet), nodes and pods:
  getWorkload(kind: WorkloadKind, ns: string, name: string): Promise<Workload>;
  restartWorkload(kind: WorkloadKind, ns: string, name: string, opts?: { dryRun?: boolean }): Promise<RestartResult>;
  scaleWorkload(kind: 'Deployment' | 'StatefulSet', ns: string, name: string, replicas: number, opts?: { dryRun?: boolean }): Promise<ScaleResult>;
  workloadHistory(kind: WorkloadKind, ns: string, name: string): Promise<HistoryEntry[]>;
  planWorkloadRollback(kind: WorkloadKind, ns: string, name: string, toRevision?: number): Promise<PinnedRollback>;
  applyRollback(pin: PinnedRollback, opts?: { dryRun?: boolean }): Promise<RollbackResult>;
  followWorkload(
    kind: WorkloadKind,
    ns: string,
    name: string,
    onProgress?: (s: RolloutState) => void,
    opts?: { timeoutMs?: number; signal?: AbortSignal; onRetry?: (message: string) => void },
  ): Promise<RolloutState>;
  cordon(node: string, unschedulable: boolean, opts?: { dryRun?: boolean }): Promise<{ name: string; was: boolean; now: boolean }>;
  deletePod(ns: string, name: string, opts?: { dryRun?: boolean; gracePeriodSeconds?: number }): Promise<{ uid: string; grace: number | null }>;
  setResources(kind: WorkloadKind, ns: string, name: string, container: string, limits: { memory?: string; cpu?: string }, opts?: { dryRun?: boolean }): Promise<ResourceChange>;
}

/** RFC 3339 local time with offset, as Go's time.Now().Format(time.RFC3339) (what kubectl writes). */
export function rfc3339(ms: number): string {
  const d = new Date(ms);
  const off = -d.getTimezoneOffset();
  const p = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  const tz = off === 0 ? 'Z' : `${off > 0 ? '+' : '-'}${p(off / 60)}:${p(off % 60)}`;
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}${tz}`;
}

/** Image changes between two image lists (per container position), as "name: a → b" lines. */
export function imageDiff(from: string[], to: string[]): string[] {
  const lines: string[] = [];
  const n = Math.max(from.length, to.length);
  for (let i = 0; i < n; i++) {
    const a = from[i];
    const b = to[i];
    if (a === b) lines.push(`  ${a} (unchanged)`);
    else if (a && b) lines.push(`  ${a} → ${b}`);
    else if (b) lines.push(`  + ${b}`);
    else lines.push(`  - ${a}`);
  }
  return lines;
}

function isEmpty(v: unknown): boolean {
  return v == null || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0);
}

/** apimachinery's Semantic.DeepEqual as far as templates go: nil and empty maps/slices are equal. */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (isEmpty(a) && isEmpty(b)) return true;
  if (a instanceof Date || b instanceof Date) return toMs(a) === toMs(b);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => semanticEqual(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) if (!semanticEqual(ao[k], bo[k])) return false;
  return true;
}

function withoutHash(template: PodTemplate): PodTemplate {
  const t = structuredClone(template);
  if (t.metadata?.labels) delete t.metadata.labels[POD_TEMPLATE_HASH];
  return t;
}

/** kubectl's equalIgnoreHash. */
export function templatesEqualIgnoringHash(a: PodTemplate, b: PodTemplate): boolean {
  return semanticEqual(withoutHash(a), withoutHash(b));
}

/**
 * kubectl's deploymentRevision: the ReplicaSet for `toRevision`, or (0) the second newest.
 * Throws KubeError('no-history') as kubectl does when there is none.
 */
export function pickRevision<T extends KubeObject>(deployName: string, replicaSets: T[], toRevision = 0): T {
  if (toRevision < 0) throw new KubeError('no-history', `unable to find specified revision ${toRevision} in history`);
  let latest: T | null = null;
  let latestRev = -1;
  let previous: T | null = null;
  let previousRev = -1;
  for (const rs of replicaSets) {
    const v = revisionOf(rs);
    if (v == null) continue;
    if (toRevision === 0) {
      if (latestRev < v) {
        previousRev = latestRev;
        previous = latest;
        latestRev = v;
        latest = rs;
      } else if (previousRev < v) {
        previousRev = v;
        previous = rs;
      }
    } else if (toRevision === v) return rs;
  }
  if (toRevision > 0) throw new KubeError('no-history', `unable to find specified revision ${toRevision} in history`);
  if (!previous) throw new KubeError('no-history', `nothing to roll back to: no previous revision in the rollout history of deployment "${deployName}"`);
  return previous;
}

/** kubectl's rollback patch: replace /spec/template (hash label removed) and the annotations it copies. */
export function rollbackPatch(
  deploy: KubeObject,
  rs: ReplicaSet,
): [{ op: 'replace'; path: '/spec/template'; value: PodTemplate }, { op: 'replace'; path: '/metadata/annotations'; value: Record<string, string | undefined> }] {
  const template: PodTemplate = structuredClone(rs.spec?.template ?? {});
  if (template.metadata?.labels) delete template.metadata.labels[POD_TEMPLATE_HASH];
  const annotations: Record<string, string | undefined> = {};
  const depAnn: Record<string, string | undefined> = deploy.metadata?.annotations ?? {};
  for (const k of ANNOTATIONS_TO_SKIP) {
    const v = depAnn[k];
    if (v !== undefined) annotations[k] = v;
  }
  for (const [k, v] of Object.entries(rs.metadata?.annotations ?? {})) {
    if (!ANNOTATIONS_TO_SKIP.has(k)) annotations[k] = v;
  }
  return [
    { op: 'replace', path: '/spec/template', value: template },
    { op: 'replace', path: '/metadata/annotations', value: annotations },
  ];
}
