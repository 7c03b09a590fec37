// Describe and YAML: the full object read with a GET (the watch cache is trimmed at ingest), the
// events that name it (by kind, name, namespace and uid, as kubectl describe selects them), and
// for a node the pods that still run on it.
import {
  dumpYaml,
  type CoreV1Event,
  type KubernetesObject,
  type V1DaemonSet,
  type V1Deployment,
  type V1EnvVar,
  type V1LabelSelector,
  type V1Node,
  type V1Pod,
  type V1ReplicaSet,
  type V1StatefulSet,
} from '@kubernetes/client-node';
import type { KubeClients } from './client.js';
import { toKubeError } from './errors.js';
import { describeDaemonSet, describeDeployment, describeNode, describePod, describeStatefulSet, envValue, maskCredentials } from '../../present/describe.js';

export type InspectKind = 'Pod' | 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Node';

export interface InspectRef {
  kind: InspectKind;
  name: string;
  /** Absent for nodes. */
  namespace?: string;
}

const RESOURCE: Record<InspectKind, string> = { Pod: 'pods', Deployment: 'deployments.apps', StatefulSet: 'statefulsets.apps', DaemonSet: 'daemonsets.apps', Node: 'nodes' };

export function refLabel(ref: InspectRef): string {
  return `${RESOURCE[ref.kind].split('.')[0]}/${ref.name}${ref.namespace ? ` in ${ref.namespace}` : ''}`;
}

/** The whole object as the API server has it. */
export async function getObject(c: KubeClients, ref: InspectRef): Promise<KubernetesObject> {
  const o = c.opts();
  const namespace = ref.namespace ?? c.defaultNamespace;
  const { name } = ref;
  try {
    switch (ref.kind) {
      case 'Pod':
        return await c.core.readNamespacedPod({ name, namespace }, o);
      case 'Deployment':
        return await c.apps.readNamespacedDeployment({ name, namespace }, o);
      case 'StatefulSet':
        return await c.apps.readNamespacedStatefulSet({ name, namespace }, o);
      case 'DaemonSet':
        return await c.apps.readNamespacedDaemonSet({ name, namespace }, o);
      case 'Node':
        return await c.core.readNode({ name }, o);
    }
  } catch (e) {
    throw toKubeError(e, `get ${refLabel(ref)}`, c.server);
  }
}

/**
 * The events about `obj`, oldest first. As kubectl describe does: involvedObject kind, name,
 * namespace and uid; a node's events carry its name as their uid and live in any namespace.
 */
export async function objectEvents(c: KubeClients, ref: InspectRef, obj: KubernetesObject): Promise<CoreV1Event[]> {
  const uid = ref.kind === 'Node' ? ref.name : obj.metadata?.uid;
  const fields = [`involvedObject.kind=${ref.kind}`, `involvedObject.name=${ref.name}`];
  if (ref.kind !== 'Node') fields.push(`involvedObject.namespace=${obj.metadata?.namespace ?? ref.namespace}`);
  if (uid) fields.push(`involvedObject.uid=${uid}`);
  const fieldSelector = fields.join(',');
  try {
    const list =
      ref.kind === 'Node'
        ? await c.core.listEventForAllNamespaces({ fieldSelector }, c.opts())
        : await c.core.listNamespacedEvent({ namespace: obj.metadata?.namespace ?? ref.namespace ?? c.defaultNamespace, fieldSelector }, c.opts());
    return [...list.items].sort((a, b) => eventTime(a) - eventTime(b));
  } catch (e) {
    throw toKubeError(e, `list events of ${refLabel(ref)}`, c.server);
  }
}

export function eventTime(e: CoreV1Event): number {
  const t = e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp;
  return t ? new Date(t).getTime() : 0;
}

/** The pods on a node that have not finished (kubectl describe node's "Non-terminated Pods"). */
export async function nodePods(c: KubeClients, node: string): Promise<V1Pod[]> {
  try {
    const list = await c.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node},status.phase!=Succeeded,status.phase!=Failed` }, c.opts());
    return list.items;
  } catch (e) {
    throw toKubeError(e, `list the pods on node ${node}`, c.server);
  }
}

/**
 * The object as YAML through client-node's own serializer, without metadata.managedFields (as
 * `kubectl get -o yaml` shows it). Times are the API's RFC 3339 seconds, not JavaScript's milliseconds.
 */
export function objectYaml(obj: KubernetesObject): string {
  const { managedFields: _drop, ...metadata } = (obj.metadata ?? {}) as Record<string, unknown>;
  void _drop;
  return dumpYaml(apiTimes({ ...obj, metadata }), { sortKeys: true, lineWidth: -1, noRefs: true });
}

function apiTimes<T>(v: T): T {
  if (v instanceof Date) {
    const iso = Number.isNaN(v.getTime()) ? String(v) : v.toISOString();
    return (v.getUTCMilliseconds() === 0 ? iso.replace(/\.000Z$/, 'Z') : iso) as T;
  }
  if (Array.isArray(v)) return v.map(apiTimes) as T;
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, apiTimes(x)])) as T;
  return v;
}

function labelSelector(sel: V1LabelSelector | undefined): string {
  const parts = Object.entries(sel?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const x of sel?.matchExpressions ?? []) {
    const op = x.operator.toLowerCase();
    parts.push(op === 'exists' ? x.key : op === 'doesnotexist' ? `!${x.key}` : `${x.key} ${op} (${(x.values ?? []).join(',')})`);
  }
  return parts.join(',');
}

const ownedBy = (o: KubernetesObject, uid: string | undefined) => !!uid && (o.metadata?.ownerReferences ?? []).some((r) => r.controller && r.uid === uid);

/** The deployment's ReplicaSets: the one of its current revision, and the others (kubectl's Old/NewReplicaSet). */
async function replicaSets(c: KubeClients, d: V1Deployment): Promise<{ old: V1ReplicaSet[]; new: V1ReplicaSet | null }> {
  const namespace = d.metadata?.namespace ?? c.defaultNamespace;
  try {
    const list = await c.apps.listNamespacedReplicaSet({ namespace, labelSelector: labelSelector(d.spec?.selector) }, c.opts());
    const mine = list.items.filter((r) => ownedBy(r, d.metadata?.uid));
    const rev = (o: KubernetesObject) => o.metadata?.annotations?.['deployment.kubernetes.io/revision'];
    const current = mine.find((r) => rev(r) === rev(d)) ?? null;
    return { old: mine.filter((r) => r !== current), new: current };
  } catch (e) {
    throw toKubeError(e, `list the replicasets of deployment ${d.metadata?.name}`, c.server);
  }
}

/** The pods a StatefulSet or DaemonSet controls. */
async function ownedPods(c: KubeClients, w: V1StatefulSet | V1DaemonSet): Promise<V1Pod[]> {
  const namespace = w.metadata?.namespace ?? c.defaultNamespace;
  try {
    const list = await c.core.listNamespacedPod({ namespace, labelSelector: labelSelector(w.spec?.selector) }, c.opts());
    return list.items.filter((p) => ownedBy(p, w.metadata?.uid));
  } catch (e) {
    throw toKubeError(e, `list the pods of ${w.metadata?.name}`, c.server);
  }
}

/** `kubectl describe` of the object, its events last. A node's pods that cannot be listed are said so, not fatal. */
export async function describeObject(c: KubeClients, ref: InspectRef, now: number): Promise<string[]> {
  const obj = await getObject(c, ref);
  const events = await objectEvents(c, ref, obj).catch((e: Error) => e);
  const evs = events instanceof Error ? [] : events;
  let lines: string[];
  switch (ref.kind) {
    case 'Pod':
      lines = describePod(obj as V1Pod, evs, now);
      break;
    case 'Deployment':
      lines = describeDeployment(obj as V1Deployment, await replicaSets(c, obj as V1Deployment).catch((e: Error) => e.message), evs, now);
      break;
    case 'StatefulSet':
      lines = describeStatefulSet(obj as V1StatefulSet, await ownedPods(c, obj as V1StatefulSet).catch((e: Error) => e.message), evs, now);
      break;
    case 'DaemonSet':
      lines = describeDaemonSet(obj as V1DaemonSet, await ownedPods(c, obj as V1DaemonSet).catch((e: Error) => e.message), evs, now);
      break;
    case 'Node': {
      const pods = await nodePods(c, ref.name).catch((e: Error) => e.message);
      lines = describeNode(obj as V1Node, pods, evs, now);
      break;
    }
  }
  return events instanceof Error ? [...lines.filter((l) => !/^Events:\s+<none>$/.test(l)), `Events:  not shown: ${events.message}`] : lines;
}

/** `kubectl get -o yaml` of the object, as lines, with env secrets and URL credentials masked. */
export async function yamlOfObject(c: KubeClients, ref: InspectRef): Promise<string[]> {
  return yamlLines(await getObject(c, ref));
}

/** The YAML as shown: secrets masked, one entry per line. */
export function yamlLines(obj: KubernetesObject): string[] {
  return objectYaml(maskObject(obj)).replace(/\n$/, '').split('\n');
}

/** Env values with secret-looking names hidden and URL credentials masked, in every container list the object has. */
function maskObject<T>(v: T, key = ''): T {
  if (Array.isArray(v)) {
    if (key === 'env') return v.map((e: V1EnvVar) => (e && typeof e === 'object' && 'value' in e && e.value !== undefined ? { ...e, value: envValue(e) } : e)) as T;
    return v.map((x) => maskObject(x)) as T;
  }
  if (typeof v === 'string') return maskCredentials(v) as T;
  if (v && typeof v === 'object' && !(v instanceof Date)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, maskObject(x, k)])) as T;
  return v;
}
