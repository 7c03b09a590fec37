// meta.k8s.io/v1 Table rendering, so `kubectl get` prints the same columns as against a cluster.
import { humanDuration } from './util.js';

interface Col {
  name: string;
  type?: string;
  format?: string;
  priority?: number;
  description?: string;
}

const age = (ts: string | undefined) => (ts ? humanDuration(Date.now() - Date.parse(ts)) : '<unknown>');

function podStatus(p: any): string {
  let reason = p.status?.reason || p.status?.phase || 'Unknown';
  for (const cs of p.status?.containerStatuses ?? []) {
    if (cs.state?.waiting?.reason) reason = cs.state.waiting.reason;
    else if (cs.state?.terminated?.reason) reason = cs.state.terminated.reason;
    else if (cs.state?.running && cs.ready && reason !== 'Running') reason = 'Running';
  }
  if (p.metadata.deletionTimestamp) reason = 'Terminating';
  return reason;
}

function podRow(p: any): unknown[] {
  const cs: any[] = p.status?.containerStatuses ?? [];
  const total = (p.spec?.containers ?? []).length;
  const ready = cs.filter((c) => c.ready).length;
  const restarts = cs.reduce((s, c) => s + (c.restartCount ?? 0), 0);
  const lastRestart = cs
    .map((c) => c.lastState?.terminated?.finishedAt)
    .filter(Boolean)
    .sort()
    .pop();
  return [
    p.metadata.name,
    `${ready}/${total}`,
    podStatus(p),
    lastRestart && restarts ? `${restarts} (${age(lastRestart)} ago)` : String(restarts),
    age(p.metadata.creationTimestamp),
    p.status?.podIP ?? '<none>',
    p.spec?.nodeName ?? '<none>',
    '<none>',
    '<none>',
  ];
}

const images = (o: any) => (o.spec?.template?.spec?.containers ?? []).map((c: any) => c.image).join(',');
const containers = (o: any) => (o.spec?.template?.spec?.containers ?? []).map((c: any) => c.name).join(',');
const selector = (o: any) =>
  Object.entries(o.spec?.selector?.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

const DEFS: Record<string, { cols: Col[]; row: (o: any) => unknown[] }> = {
  pods: {
    cols: [
      { name: 'Name', format: 'name' },
      { name: 'Ready' },
      { name: 'Status' },
      { name: 'Restarts' },
      { name: 'Age' },
      { name: 'IP', priority: 1 },
      { name: 'Node', priority: 1 },
      { name: 'Nominated Node', priority: 1 },
      { name: 'Readiness Gates', priority: 1 },
    ],
    row: podRow,
  },
  deployments: {
    cols: [
      { name: 'Name', format: 'name' },
      { name: 'Ready' },
      { name: 'Up-to-date', type: 'integer' },
      { name: 'Available', type: 'integer' },
      { name: 'Age' },
      { name: 'Containers', priority: 1 },
      { name: 'Images', priority: 1 },
      { name: 'Selector', priority: 1 },
    ],
    row: (d) => [
      d.metadata.name,
      `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`,
      d.status?.updatedReplicas ?? 0,
      d.status?.availableReplicas ?? 0,
      age(d.metadata.creationTimestamp),
      containers(d),
      images(d),
      selector(d),
    ],
  },
  replicasets: {
    cols: [
      { name: 'Name', format: 'name' },
      { name: 'Desired', type: 'integer' },
      { name: 'Current', type: 'integer' },
      { name: 'Ready', type: 'integer' },
      { name: 'Age' },
      { name: 'Containers', priority: 1 },
      { name: 'Images', priority: 1 },
      { name: 'Selector', priority: 1 },
    ],
    row: (r) => [
      r.metadata.name,
      r.spec?.replicas ?? 0,
      r.status?.replicas ?? 0,
      r.status?.readyReplicas ?? 0,
      age(r.metadata.creationTimestamp),
      containers(r),
      images(r),
      selector(r),
    ],
  },
  statefulsets: {
    cols: [{ name: 'Name', format: 'name' }, { name: 'Ready' }, { name: 'Age' }, { name: 'Containers', priority: 1 }, { name: 'Images', priority: 1 }],
    row: (s) => [s.metadata.name, `${s.status?.readyReplicas ?? 0}/${s.spec?.replicas ?? 0}`, age(s.metadata.creationTimestamp), containers(s), images(s)],
  },
  daemonsets: {
    cols: [
      { name: 'Name', format: 'name' },
      { name: 'Desired', type: 'integer' },
      { name: 'Current', type: 'integer' },
      { name: 'Ready', type: 'integer' },
      { name: 'Up-to-date', type: 'integer' },
      { name: 'Available', type: 'integer' },
      { name: 'Node Selector' },
      { name: 'Age' },
      { name: 'Containers', priority: 1 },
      { name: 'Images', priority: 1 },
      { name: 'Selector', priority: 1 },
    ],
    row: (d) => [
      d.metadata.name,
      d.status?.desiredNumberScheduled ?? 0,
      d.status?.currentNumberScheduled ?? 0,
      d.status?.numberReady ?? 0,
      d.status?.updatedNumberScheduled ?? 0,
      d.status?.numberAvailable ?? 0,
      Object.entries(d.spec?.template?.spec?.nodeSelector ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(',') || '<none>',
      age(d.metadata.creationTimestamp),
      containers(d),
      images(d),
      selector(d),
    ],
  },
  controllerrevisions: {
    cols: [{ name: 'Name', format: 'name' }, { name: 'Controller' }, { name: 'Revision', type: 'integer' }, { name: 'Age' }],
    row: (r) => {
      const o = (r.metadata.ownerReferences ?? []).find((x: any) => x.controller);
      return [r.metadata.name, o ? `${String(o.kind).toLowerCase()}.apps/${o.name}` : '<none>', r.revision, age(r.metadata.creationTimestamp)];
    },
  },
  nodes: {
    cols: [
      { name: 'Name', format: 'name' },
      { name: 'Status' },
      { name: 'Roles' },
      { name: 'Age' },
      { name: 'Version' },
      { name: 'Internal-IP', priority: 1 },
      { name: 'External-IP', priority: 1 },
      { name: 'OS-Image', priority: 1 },
      { name: 'Kernel-Version', priority: 1 },
      { name: 'Container-Runtime', priority: 1 },
    ],
    row: (n) => {
      const ready = (n.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
      const status = [ready?.status === 'True' ? 'Ready' : 'NotReady', ...(n.spec?.unschedulable ? ['SchedulingDisabled'] : [])].join(',');
      const roles =
        Object.keys(n.metadata.labels ?? {})
          .filter((k) => k.startsWith('node-role.kubernetes.io/'))
          .map((k) => k.slice('node-role.kubernetes.io/'.length))
          .join(',') || '<none>';
      const addr = (t: string) => (n.status?.addresses ?? []).find((a: any) => a.type === t)?.address ?? '<none>';
      const info = n.status?.nodeInfo ?? {};
      return [
        n.metadata.name,
        status,
        roles,
        age(n.metadata.creationTimestamp),
        info.kubeletVersion ?? '',
        addr('InternalIP'),
        addr('ExternalIP'),
        info.osImage ?? '',
        info.kernelVersion ?? '',
        info.containerRuntimeVersion ?? '',
      ];
    },
  },
  namespaces: {
    cols: [{ name: 'Name', format: 'name' }, { name: 'Status' }, { name: 'Age' }],
    row: (n) => [n.metadata.name, n.status?.phase ?? 'Active', age(n.metadata.creationTimestamp)],
  },
  events: {
    cols: [
      { name: 'Last Seen' },
      { name: 'Type' },
      { name: 'Reason' },
      { name: 'Object' },
      { name: 'Subobject', priority: 1 },
      { name: 'Source', priority: 1 },
      { name: 'Message' },
      { name: 'First Seen', priority: 1 },
      { name: 'Count', priority: 1 },
      { name: 'Name', priority: 1 },
    ],
    row: (e) => [
      age(e.lastTimestamp),
      e.type,
      e.reason,
      `${String(e.involvedObject?.kind ?? '').toLowerCase()}/${e.involvedObject?.name}`,
      e.involvedObject?.fieldPath ?? '',
      [e.source?.component, e.source?.host].filter(Boolean).join(', '),
      e.message,
      age(e.firstTimestamp),
      e.count ?? 1,
      e.metadata.name,
    ],
  },
};

export function wantsTable(accept: string | undefined): boolean {
  return /as=Table/.test(accept ?? '');
}

export function toTable(resource: string, objs: any[], rv: string, includeObject: string | null): any {
  const def = DEFS[resource];
  const cols: Col[] = def ? def.cols : [{ name: 'Name', format: 'name' }, { name: 'Age' }];
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: rv },
    columnDefinitions: cols.map((c) => ({ name: c.name, type: c.type ?? 'string', format: c.format ?? '', description: c.description ?? c.name, priority: c.priority ?? 0 })),
    rows: objs.map((o) => ({
      cells: def ? def.row(o) : [o.metadata.name, age(o.metadata.creationTimestamp)],
      object: includeObject === 'Object' ? o : includeObject === 'None' ? undefined : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}
