// What the cockpit keeps of a watched pod, cut at ingest: the fields its row, its health and its
// actions read (names, owners, node, container names, limits and ports, statuses, conditions); no
// managedFields, annotations, env, volumes or the rest of the spec. At 5,000 pods the raw
// objects were most of the heap. (Other kinds are trimmed by workloads.ts trimObject.)
import type { K8sObject } from './normalize.js';

export function slimPod(o: K8sObject): K8sObject {
  if (!o || typeof o !== 'object') return o;
  const m = o.metadata ?? {};
  const spec = o.spec ?? {};
  const st = o.status ?? {};
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
      ownerReferences: (m.ownerReferences ?? []).map((r: K8sObject) => ({ kind: r.kind, name: r.name, uid: r.uid, controller: r.controller })),
    },
    spec: {
      nodeName: spec.nodeName,
      containers: (spec.containers ?? []).map((c: K8sObject) => ({
        name: c.name,
        resources: c.resources?.limits ? { limits: { cpu: c.resources.limits.cpu, memory: c.resources.limits.memory } } : undefined,
        ports: c.ports?.map((q: K8sObject) => ({ name: q.name, containerPort: q.containerPort, protocol: q.protocol })),
      })),
      initContainers: spec.initContainers?.map((c: K8sObject) => ({ name: c.name, restartPolicy: c.restartPolicy })),
    },
    status: {
      phase: st.phase,
      reason: st.reason,
      message: st.message,
      conditions: st.conditions?.map((c: K8sObject) => ({ type: c.type, status: c.status, reason: c.reason, message: c.message })),
      containerStatuses: st.containerStatuses?.map(slimContainerStatus),
      initContainerStatuses: st.initContainerStatuses?.map(slimContainerStatus),
    },
  };
}

function slimContainerStatus(c: K8sObject): K8sObject {
  return { name: c.name, ready: c.ready, started: c.started, restartCount: c.restartCount, state: c.state, lastState: c.lastState };
}
