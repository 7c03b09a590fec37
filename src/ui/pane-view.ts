// What narrows or orders a pane beyond the typed `/` filter: a scope (the pods of a workload,
// the events of one object, one kind of workload) and a sort column. Set by Enter, `e`, `:`
// commands and the sort keys; shown in the pane's title; Esc clears the scope.
import type { EventRow, PodRow } from '../sources/kube/types.js';

export type PaneScope =
  /** Pods controlled by this workload (the pod's controller chain: ReplicaSet → Deployment, StatefulSet, DaemonSet, Job…). */
  | { kind: 'owner'; owner: { kind: string; name: string; namespace: string } }
  /** Events whose involvedObject is this object (`pod/api-1`); nodes are cluster-scoped. */
  | { kind: 'object'; object: string; namespace: string | null }
  /** Workloads of one kind (`:sts`). */
  | { kind: 'workloadKind'; workloadKind: 'Deployment' | 'StatefulSet' | 'DaemonSet' };

export interface PaneSort {
  column: PodSortColumn;
  desc: boolean;
}

export interface PaneView {
  scope?: PaneScope;
  sort?: PaneSort;
}

export function scopeLabel(scope: PaneScope): string {
  switch (scope.kind) {
    case 'owner':
      return `of ${scope.owner.kind.toLowerCase()} ${scope.owner.namespace}/${scope.owner.name}`;
    case 'object':
      return `of ${scope.namespace ? `${scope.namespace}/` : ''}${scope.object}`;
    default:
      return `${scope.workloadKind}s only`;
  }
}

export function podInScope(p: PodRow, scope: PaneScope | undefined): boolean {
  if (scope?.kind !== 'owner') return true;
  const o = p.owner ?? (p.deployment ? { kind: 'Deployment', name: p.deployment } : null);
  return p.namespace === scope.owner.namespace && o?.kind === scope.owner.kind && o.name === scope.owner.name;
}

export function eventInScope(e: EventRow, scope: PaneScope | undefined): boolean {
  if (scope?.kind !== 'object') return true;
  return e.object === scope.object && (scope.namespace === null || e.namespace === scope.namespace);
}

/** The Pods pane's sort columns, in the order `>` cycles them, with the direction each starts in (k9s: numbers largest first). */
export const POD_SORTS = {
  name: { desc: false, value: (p: PodRow) => p.name },
  namespace: { desc: false, value: (p: PodRow) => p.namespace },
  status: { desc: false, value: (p: PodRow) => p.status },
  ready: { desc: false, value: (p: PodRow) => (p.containers ? p.ready / p.containers : 1) },
  restarts: { desc: true, value: (p: PodRow) => p.restarts },
  // Usage itself, as `kubectl top pods --sort-by`: a share of a limit and an amount do not compare.
  cpu: { desc: true, value: (p: PodRow) => p.cpuMilli ?? -1 },
  mem: { desc: true, value: (p: PodRow) => p.memoryBytes ?? -1 },
  age: { desc: false, value: (p: PodRow) => -p.createdAt },
  node: { desc: false, value: (p: PodRow) => p.node ?? '' },
} satisfies Record<string, { desc: boolean; value: (p: PodRow) => string | number }>;

export type PodSortColumn = keyof typeof POD_SORTS;
export const POD_SORT_COLUMNS = Object.keys(POD_SORTS) as PodSortColumn[];

export function isPodSortColumn(s: string): s is PodSortColumn {
  return Object.hasOwn(POD_SORTS, s);
}

/** Pods in sort order (name breaks ties, so the order is stable); the source's order without a sort. */
export function sortPods(pods: readonly PodRow[], sort: PaneSort | undefined): readonly PodRow[] {
  if (!sort) return pods;
  const value = POD_SORTS[sort.column].value;
  const dir = sort.desc ? -1 : 1;
  return pods
    .map((p) => ({ p, v: value(p) }))
    .sort((a, b) => (a.v < b.v ? -dir : a.v > b.v ? dir : a.p.name < b.p.name ? -1 : a.p.name > b.p.name ? 1 : 0))
    .map((x) => x.p);
}

export function sortLabel(sort: PaneSort | undefined): string {
  return sort ? `by ${sort.column} ${sort.desc ? '↓' : '↑'}` : '';
}
