// What the cockpit keeps of a watched pod, cut at ingest: the fields its row, its health and its
// actions read (names, owners, node, container names, limits and ports, statuses, conditions); no
// managedFields, annotations, env, volumes or the rest of the spec. At 5,000 pods the raw
// objects were most of the heap. (Other kinds are trimmed by workloads.ts trimObject.)
import type { V1ContainerStatus } from '@kubernetes/client-node';
import type { Kube, Pod } from './normalize.js';

export function slimPod(o: Pod): Pod {
  if (!o || typeof o !== 'object') return o;
  const m: NonNullable<Pod['metadata']> = o.metadata ?? {};
  const spec: NonNullable<Pod['spec']> = o.spec ?? {};
  const st: NonNullable<Pod['status']> = o.status ?? {};
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    metadata: {
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      creationTimestamp: m.creationTimestamp,
      deletionTimestamp: m.deletionTimestamp,
      labels: m.labels,
      ownerReferences: (m.ownerReferences ?? []).map((r) => ({ kind: r.kind, name: r.name, uid: r.uid, controller: r.controller })),
    },
    spec: {
      nodeName: spec.nodeName,
      containers: (spec.containers ?? []).map((c) => ({
        name: c.name,
        resources: c.resources?.limits ? { limits: { cpu: c.resources.limits.cpu, memory: c.resources.limits.memory } } : undefined,
        ports: c.ports?.map((q) => ({ name: q.name, containerPort: q.containerPort, protocol: q.protocol })),
      })),
      initContainers: spec.initContainers?.map((c) => ({ name: c.name, restartPolicy: c.restartPolicy })),
    },
    status: {
      phase: st.phase,
      reason: st.reason,
      message: st.message,
      conditions: st.conditions?.map((c) => ({ type: c.type, status: c.status, reason: c.reason, message: c.message })),
      containerStatuses: st.containerStatuses?.map(slimContainerStatus),
      initContainerStatuses: st.initContainerStatuses?.map(slimContainerStatus),
    },
  };
}

function slimContainerStatus(c: Kube<V1ContainerStatus>): Kube<V1ContainerStatus> {
  return { name: c.name, ready: c.ready, started: c.started, restartCount: c.restartCount, state: c.state, lastState: c.lastState };
}
