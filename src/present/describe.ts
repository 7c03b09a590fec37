// `kubectl describe` for pods, deployments, statefulsets, daemonsets and nodes: the same
// sections in the same order, labels aligned, times in RFC 1123 (UTC), and the object's events
// last. Pure: the full object, its events and the clock in, lines out.
import type {
  CoreV1Event,
  V1Container,
  V1ContainerState,
  V1DaemonSet,
  V1Deployment,
  V1EnvVar,
  V1Node,
  V1Pod,
  V1PodTemplateSpec,
  V1ReplicaSet,
  V1StatefulSet,
  V1Toleration,
} from '@kubernetes/client-node';
import { formatKubeAge } from './format.js';
import { maskUserinfo } from '../util/url-credentials.js';

type Time = Date | string | undefined | null;

/** One line before alignment: its depth, a label (or '' for a continued value) and the value. */
type Entry = { level: number; label: string; value?: string } | { level: number; raw: string };

class Writer {
  readonly entries: Entry[] = [];
  /** `Label:  value`; without a value the label heads a nested block. */
  kv(level: number, label: string, value?: string | number | null): void {
    this.entries.push({ level, label: `${label}:`, value: value === undefined ? undefined : value === null || value === '' ? '<none>' : String(value) });
  }
  /** A label with one value per line (labels, annotations, tolerations). */
  list(level: number, label: string, values: string[]): void {
    if (!values.length) return this.kv(level, label, '<none>');
    this.entries.push({ level, label: `${label}:`, value: values[0] });
    for (const v of values.slice(1)) this.entries.push({ level, label: '', value: v });
  }
  raw(level: number, text: string): void {
    this.entries.push({ level, raw: text });
  }
  /** A table with a header and dashes under it, columns padded to their widest cell. */
  table(level: number, head: string[], rows: string[][], dashes = true): void {
    const all = dashes ? [head, head.map((h) => '-'.repeat(Math.max(4, h.length))), ...rows] : [head, ...rows];
    const widths = head.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
    for (const r of all) this.raw(level, r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 2))).join(''));
  }
  /**
   * Values of consecutive `label: value` lines share a column, nested ones included, as kubectl's
   * tabwriter aligns them; a heading or a table row ends the run.
   */
  lines(): string[] {
    const out: string[] = [];
    const es = this.entries;
    const head = (x: { level: number; label: string }) => `${'  '.repeat(x.level)}${x.label}`;
    for (let i = 0; i < es.length;) {
      const e = es[i]!;
      if ('raw' in e || e.value === undefined) {
        out.push('raw' in e ? `${'  '.repeat(e.level)}${e.raw}` : head(e));
        i++;
        continue;
      }
      let j = i;
      let width = 0;
      for (; j < es.length; j++) {
        const x = es[j]!;
        if ('raw' in x || x.value === undefined) break;
        width = Math.max(width, head(x).length);
      }
      for (const x of es.slice(i, j) as { level: number; label: string; value: string }[]) out.push(`${head(x).padEnd(width)}  ${x.value}`);
      i = j;
    }
    return out;
  }
}

/** kubectl's RFC 1123 with numeric zone, in UTC. */
export function describeTime(t: Time): string {
  if (!t) return '<unset>';
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return String(t);
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()];
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${day}, ${p(d.getUTCDate())} ${mon} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

const pairs = (m: Record<string, string> | undefined, sep = '='): string[] =>
  Object.entries(m ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}${sep}${v}`);

/** Annotations as kubectl shows them; long values (last-applied-configuration) are kept whole but their credentials masked. */
const annotations = (m: Record<string, string> | undefined) => pairs(m, ': ').map(maskCredentials);

/** Credentials in URLs inside free text. */
export function maskCredentials(text: string): string {
  return text.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+@[^\s"'<>]*/gi, (u) => maskUserinfo(u));
}

const SECRET_NAME = /pass(word|wd)?|secret|token|api[_-]?key|private[_-]?key|credential|auth/i;

/** An env value as shown: secret-looking names hidden, URL credentials masked. */
export function envValue(e: V1EnvVar): string {
  if (e.valueFrom) {
    const f = e.valueFrom;
    if (f.secretKeyRef) return `<set to the key '${f.secretKeyRef.key}' in secret '${f.secretKeyRef.name}'>${f.secretKeyRef.optional ? '  Optional: true' : '  Optional: false'}`;
    if (f.configMapKeyRef)
      return `<set to the key '${f.configMapKeyRef.key}' of config map '${f.configMapKeyRef.name}'>${f.configMapKeyRef.optional ? '  Optional: true' : '  Optional: false'}`;
    if (f.fieldRef) return ` (${f.fieldRef.apiVersion ?? 'v1'}:${f.fieldRef.fieldPath})`;
    if (f.resourceFieldRef) return ` (${f.resourceFieldRef.containerName ?? ''}/${f.resourceFieldRef.resource})`;
    return '<set from a reference>';
  }
  const v = e.value ?? '';
  return SECRET_NAME.test(e.name) && v ? '<hidden>' : maskCredentials(v);
}

function selector(m: Record<string, string> | undefined, expr?: { key: string; operator: string; values?: string[] }[]): string {
  const parts = pairs(m);
  for (const x of expr ?? []) {
    const op = x.operator.toLowerCase();
    parts.push(op === 'exists' ? x.key : op === 'doesnotexist' ? `!${x.key}` : `${x.key} ${op} (${(x.values ?? []).join(',')})`);
  }
  return parts.join(',') || '<none>';
}

function toleration(t: V1Toleration): string {
  let s = t.key ?? '';
  if (t.value) s += `=${t.value}`;
  if (t.effect) s += `:${t.effect}`;
  if (t.operator === 'Exists' && !t.value) s += ` op=Exists`;
  if (t.tolerationSeconds != null) s += ` for ${t.tolerationSeconds}s`;
  return s || 'op=Exists';
}

/** A binary quantity in its largest exact unit, as kubectl prints it (16777216Ki is 16Gi). */
export function canonicalQuantity(q: string): string {
  const m = /^(\d+)(Ki|Mi|Gi|Ti)$/.exec(q);
  if (!m) return q;
  const units = ['Ki', 'Mi', 'Gi', 'Ti', 'Pi'];
  let n = Number(m[1]);
  let u = units.indexOf(m[2]!);
  while (n >= 1024 && n % 1024 === 0 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return `${n}${units[u]}`;
}

function resources(w: Writer, level: number, label: string, r: Record<string, string> | undefined): void {
  const entries = Object.entries(r ?? {}).sort(([a], [b]) => a.localeCompare(b));
  if (!entries.length) return;
  w.kv(level, label);
  for (const [k, v] of entries) w.kv(level + 1, k, canonicalQuantity(v));
}

function state(w: Writer, level: number, label: string, s: V1ContainerState | undefined): void {
  if (s?.running) {
    w.kv(level, label, 'Running');
    w.kv(level + 1, 'Started', describeTime(s.running.startedAt));
  } else if (s?.waiting) {
    w.kv(level, label, 'Waiting');
    if (s.waiting.reason) w.kv(level + 1, 'Reason', s.waiting.reason);
  } else if (s?.terminated) {
    const t = s.terminated;
    w.kv(level, label, 'Terminated');
    if (t.reason) w.kv(level + 1, 'Reason', t.reason);
    if (t.message) w.kv(level + 1, 'Message', t.message);
    w.kv(level + 1, 'Exit Code', t.exitCode);
    if (t.signal) w.kv(level + 1, 'Signal', t.signal);
    w.kv(level + 1, 'Started', describeTime(t.startedAt));
    w.kv(level + 1, 'Finished', describeTime(t.finishedAt));
  } else w.kv(level, label, label === 'State' ? 'Waiting' : '');
}

function ports(c: V1Container): string {
  const ps = c.ports ?? [];
  return ps.length ? ps.map((p) => `${p.containerPort}/${p.protocol ?? 'TCP'}${p.name ? ` (${p.name})` : ''}`).join(', ') : '<none>';
}

function probe(p: V1Container['livenessProbe']): string | null {
  if (!p) return null;
  const how = p.httpGet
    ? `http-get ${String(p.httpGet.scheme ?? 'HTTP').toLowerCase()}://${p.httpGet.host ?? ''}:${p.httpGet.port}${p.httpGet.path ?? ''}`
    : p.tcpSocket
      ? `tcp-socket ${p.tcpSocket.host ?? ''}:${p.tcpSocket.port}`
      : p.exec
        ? `exec [${(p.exec.command ?? []).join(' ')}]`
        : p.grpc
          ? `grpc <pod>:${p.grpc.port} ${p.grpc.service ?? ''}`
          : 'unknown';
  return `${how} delay=${p.initialDelaySeconds ?? 0}s timeout=${p.timeoutSeconds ?? 1}s period=${p.periodSeconds ?? 10}s #success=${p.successThreshold ?? 1} #failure=${p.failureThreshold ?? 3}`;
}

/** A container of a pod (with its status) or of a pod template (without). */
function container(w: Writer, level: number, c: V1Container, pod?: V1Pod): void {
  const st = [...(pod?.status?.containerStatuses ?? []), ...(pod?.status?.initContainerStatuses ?? [])].find((s) => s.name === c.name);
  w.kv(level, c.name);
  const l = level + 1;
  if (pod) w.kv(l, 'Container ID', st?.containerID ?? '');
  w.kv(l, 'Image', c.image ?? '');
  if (pod) w.kv(l, 'Image ID', st?.imageID ?? '');
  w.kv(l, c.ports && c.ports.length > 1 ? 'Ports' : 'Port', ports(c));
  w.kv(l, c.ports && c.ports.length > 1 ? 'Host Ports' : 'Host Port', c.ports?.length ? c.ports.map((p) => `${p.hostPort ?? 0}/${p.protocol ?? 'TCP'}`).join(', ') : '<none>');
  if (c.command?.length) w.list(l, 'Command', c.command);
  if (c.args?.length) w.list(l, 'Args', c.args);
  if (pod) {
    state(w, l, 'State', st?.state);
    if (st?.lastState && (st.lastState.running || st.lastState.waiting || st.lastState.terminated)) state(w, l, 'Last State', st.lastState);
    w.kv(l, 'Ready', st?.ready ? 'True' : 'False');
    w.kv(l, 'Restart Count', st?.restartCount ?? 0);
  }
  resources(w, l, 'Limits', c.resources?.limits);
  resources(w, l, 'Requests', c.resources?.requests);
  const live = probe(c.livenessProbe);
  if (live) w.kv(l, 'Liveness', live);
  const ready = probe(c.readinessProbe);
  if (ready) w.kv(l, 'Readiness', ready);
  const startup = probe(c.startupProbe);
  if (startup) w.kv(l, 'Startup', startup);
  if (c.env?.length) {
    w.kv(l, 'Environment');
    for (const e of c.env) w.kv(l + 1, e.name, envValue(e));
  } else w.kv(l, 'Environment', '<none>');
  const mounts = (c.volumeMounts ?? []).map((m) => `${m.mountPath} from ${m.name} (${m.readOnly ? 'ro' : 'rw'})`);
  w.list(l, 'Mounts', mounts);
}

function events(w: Writer, list: CoreV1Event[], now: number): void {
  if (!list.length) return w.kv(0, 'Events', '<none>');
  w.kv(0, 'Events');
  const age = (t: Time) => (t ? formatKubeAge(now - new Date(t).getTime()) : '<unknown>');
  w.table(
    1,
    ['Type', 'Reason', 'Age', 'From', 'Message'],
    list.map((e) => {
      const last = e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp;
      const count = e.count ?? e.series?.count ?? 1;
      const when = count > 1 ? `${age(last)} (x${count} over ${age(e.firstTimestamp ?? e.eventTime ?? last)})` : age(last);
      const from = e.source?.component || e.reportingComponent || '';
      return [e.type ?? '', e.reason ?? '', when, from, maskCredentials((e.message ?? '').trim())];
    }),
  );
}

function head(
  w: Writer,
  meta: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; creationTimestamp?: Time },
  created = true,
) {
  w.kv(0, 'Name', meta.name ?? '');
  if (meta.namespace !== undefined) w.kv(0, 'Namespace', meta.namespace);
  if (created) w.kv(0, 'CreationTimestamp', describeTime(meta.creationTimestamp));
  w.list(0, 'Labels', pairs(meta.labels));
  w.list(0, 'Annotations', annotations(meta.annotations));
}

function controlledBy(refs: { kind: string; name: string; controller?: boolean }[] | undefined): string | null {
  const c = (refs ?? []).find((r) => r.controller);
  return c ? `${c.kind}/${c.name}` : null;
}

function qosClass(pod: V1Pod): string {
  return pod.status?.qosClass ?? '';
}

export function describePod(pod: V1Pod, evs: CoreV1Event[], now: number): string[] {
  const w = new Writer();
  const m = pod.metadata ?? {};
  const s = pod.spec;
  w.kv(0, 'Name', m.name ?? '');
  w.kv(0, 'Namespace', m.namespace ?? '');
  w.kv(0, 'Priority', s?.priority ?? 0);
  if (s?.priorityClassName) w.kv(0, 'Priority Class Name', s.priorityClassName);
  w.kv(0, 'Service Account', s?.serviceAccountName ?? '');
  w.kv(0, 'Node', s?.nodeName ? `${s.nodeName}${pod.status?.hostIP ? `/${pod.status.hostIP}` : ''}` : '<none>');
  w.kv(0, 'Start Time', pod.status?.startTime ? describeTime(pod.status.startTime) : null);
  w.list(0, 'Labels', pairs(m.labels));
  w.list(0, 'Annotations', annotations(m.annotations));
  if (m.deletionTimestamp) w.kv(0, 'Status', `Terminating (lasts ${formatKubeAge(now - new Date(m.deletionTimestamp).getTime())})`);
  else w.kv(0, 'Status', pod.status?.phase ?? '');
  if (pod.status?.reason) w.kv(0, 'Reason', pod.status.reason);
  if (pod.status?.message) w.kv(0, 'Message', pod.status.message);
  w.kv(0, 'IP', pod.status?.podIP ?? '');
  const ips = pod.status?.podIPs ?? [];
  if (ips.length) {
    w.kv(0, 'IPs');
    for (const ip of ips) w.kv(1, 'IP', ip.ip);
  } else w.kv(0, 'IPs', '<none>');
  const owner = controlledBy(m.ownerReferences);
  if (owner) w.kv(0, 'Controlled By', owner);
  if (s?.initContainers?.length) {
    w.kv(0, 'Init Containers');
    for (const c of s.initContainers) container(w, 1, c, pod);
  }
  w.kv(0, 'Containers');
  for (const c of s?.containers ?? []) container(w, 1, c, pod);
  const conds = pod.status?.conditions ?? [];
  if (conds.length) {
    w.kv(0, 'Conditions');
    w.table(
      1,
      ['Type', 'Status'],
      conds.map((c) => [c.type, c.status]),
      false,
    );
  }
  const vols = s?.volumes ?? [];
  if (vols.length) {
    w.kv(0, 'Volumes');
    for (const v of vols) {
      w.kv(1, v.name);
      const kind = Object.keys(v).find((k) => k !== 'name' && (v as unknown as Record<string, unknown>)[k] != null);
      w.kv(2, 'Type', kind ?? '<unknown>');
    }
  } else w.kv(0, 'Volumes', '<none>');
  w.kv(0, 'QoS Class', qosClass(pod));
  w.list(0, 'Node-Selectors', pairs(s?.nodeSelector));
  w.list(0, 'Tolerations', (s?.tolerations ?? []).map(toleration));
  events(w, evs, now);
  return w.lines();
}

function template(w: Writer, t: V1PodTemplateSpec | undefined): void {
  w.kv(0, 'Pod Template');
  w.list(1, 'Labels', pairs(t?.metadata?.labels));
  if (t?.metadata?.annotations && Object.keys(t.metadata.annotations).length) w.list(1, 'Annotations', annotations(t.metadata.annotations));
  if (t?.spec?.serviceAccountName) w.kv(1, 'Service Account', t.spec.serviceAccountName);
  if (t?.spec?.initContainers?.length) {
    w.kv(1, 'Init Containers');
    for (const c of t.spec.initContainers) container(w, 2, c);
  }
  w.kv(1, 'Containers');
  for (const c of t?.spec?.containers ?? []) container(w, 2, c);
  w.list(
    1,
    'Volumes',
    (t?.spec?.volumes ?? []).map((v) => v.name),
  );
  w.list(1, 'Node-Selectors', pairs(t?.spec?.nodeSelector));
  w.list(1, 'Tolerations', (t?.spec?.tolerations ?? []).map(toleration));
}

/** kubectl's "1 Running / 0 Waiting / 0 Succeeded / 0 Failed" of the pods a workload controls. */
function podsStatus(pods: V1Pod[] | string): string {
  if (typeof pods === 'string') return `not shown: ${pods}`;
  const n = (phase: string) => pods.filter((p) => p.status?.phase === phase).length;
  return `${n('Running')} Running / ${n('Pending')} Waiting / ${n('Succeeded')} Succeeded / ${n('Failed')} Failed`;
}

function workloadConditions(w: Writer, conds: { type: string; status: string; reason?: string }[] | undefined): void {
  if (!conds?.length) return;
  w.kv(0, 'Conditions');
  w.table(
    1,
    ['Type', 'Status', 'Reason'],
    conds.map((c) => [c.type, c.status, c.reason ?? '']),
  );
}

export function describeDeployment(d: V1Deployment, rs: { old: V1ReplicaSet[]; new: V1ReplicaSet | null } | string, evs: CoreV1Event[], now: number): string[] {
  const w = new Writer();
  head(w, d.metadata ?? {});
  const s = d.spec;
  const st = d.status ?? {};
  w.kv(0, 'Selector', selector(s?.selector?.matchLabels, s?.selector?.matchExpressions));
  const desired = s?.replicas ?? 1;
  w.kv(
    0,
    'Replicas',
    `${desired} desired | ${st.updatedReplicas ?? 0} updated | ${st.replicas ?? 0} total | ${st.availableReplicas ?? 0} available | ${st.unavailableReplicas ?? 0} unavailable`,
  );
  w.kv(0, 'StrategyType', s?.strategy?.type ?? '');
  w.kv(0, 'MinReadySeconds', s?.minReadySeconds ?? 0);
  const ru = s?.strategy?.rollingUpdate;
  if (s?.strategy?.type === 'RollingUpdate' || ru) w.kv(0, 'RollingUpdateStrategy', `${ru?.maxUnavailable ?? '25%'} max unavailable, ${ru?.maxSurge ?? '25%'} max surge`);
  if (s?.paused) w.kv(0, 'Paused', 'true');
  template(w, s?.template);
  workloadConditions(w, st.conditions);
  const rsLabel = (r: V1ReplicaSet) => `${r.metadata?.name ?? ''} (${r.status?.replicas ?? 0}/${r.spec?.replicas ?? 0} replicas created)`;
  if (typeof rs === 'string') w.kv(0, 'NewReplicaSet', `not shown: ${rs}`);
  else {
    w.kv(0, 'OldReplicaSets', rs.old.map(rsLabel).join(', ') || '<none>');
    w.kv(0, 'NewReplicaSet', rs.new ? rsLabel(rs.new) : '<none>');
  }
  events(w, evs, now);
  return w.lines();
}

export function describeStatefulSet(x: V1StatefulSet, pods: V1Pod[] | string, evs: CoreV1Event[], now: number): string[] {
  const w = new Writer();
  const m = x.metadata ?? {};
  const s = x.spec;
  const st = x.status;
  w.kv(0, 'Name', m.name ?? '');
  w.kv(0, 'Namespace', m.namespace ?? '');
  w.kv(0, 'CreationTimestamp', describeTime(m.creationTimestamp));
  w.kv(0, 'Selector', selector(s?.selector?.matchLabels, s?.selector?.matchExpressions));
  w.list(0, 'Labels', pairs(m.labels));
  w.list(0, 'Annotations', annotations(m.annotations));
  w.kv(0, 'Replicas', `${s?.replicas ?? 1} desired | ${st?.replicas ?? 0} total`);
  w.kv(0, 'Update Strategy', s?.updateStrategy?.type ?? 'RollingUpdate');
  if (s?.updateStrategy?.rollingUpdate?.partition != null) w.kv(1, 'Partition', s.updateStrategy.rollingUpdate.partition);
  w.kv(0, 'Pods Status', podsStatus(pods));
  if (st?.currentRevision) w.kv(0, 'Current Revision', st.currentRevision);
  if (st?.updateRevision) w.kv(0, 'Update Revision', st.updateRevision);
  template(w, s?.template);
  const claims = s?.volumeClaimTemplates ?? [];
  if (claims.length) {
    w.kv(0, 'Volume Claims');
    for (const c of claims) {
      w.kv(1, 'Name', c.metadata?.name ?? '');
      w.kv(1, 'Capacity', c.spec?.resources?.requests?.storage ?? '');
      w.kv(1, 'Access Modes', (c.spec?.accessModes ?? []).join(', '));
    }
  } else w.kv(0, 'Volume Claims', '<none>');
  workloadConditions(w, st?.conditions);
  events(w, evs, now);
  return w.lines();
}

export function describeDaemonSet(x: V1DaemonSet, pods: V1Pod[] | string, evs: CoreV1Event[], now: number): string[] {
  const w = new Writer();
  const m = x.metadata ?? {};
  const s = x.spec;
  const st = x.status;
  w.kv(0, 'Name', m.name ?? '');
  w.kv(0, 'Namespace', m.namespace ?? '');
  w.kv(0, 'Selector', selector(s?.selector?.matchLabels, s?.selector?.matchExpressions));
  w.list(0, 'Node-Selector', pairs(s?.template?.spec?.nodeSelector));
  w.list(0, 'Labels', pairs(m.labels));
  w.list(0, 'Annotations', annotations(m.annotations));
  w.raw(0, `Desired Number of Nodes Scheduled: ${st?.desiredNumberScheduled ?? 0}`);
  w.raw(0, `Current Number of Nodes Scheduled: ${st?.currentNumberScheduled ?? 0}`);
  w.raw(0, `Number of Nodes Scheduled with Up-to-date Pods: ${st?.updatedNumberScheduled ?? 0}`);
  w.raw(0, `Number of Nodes Scheduled with Available Pods: ${st?.numberAvailable ?? 0}`);
  w.raw(0, `Number of Nodes Misscheduled: ${st?.numberMisscheduled ?? 0}`);
  w.kv(0, 'Pods Status', podsStatus(pods));
  w.kv(0, 'Update Strategy', s?.updateStrategy?.type ?? 'RollingUpdate');
  template(w, s?.template);
  workloadConditions(w, st?.conditions);
  events(w, evs, now);
  return w.lines();
}

/** `pods` null: they could not be listed (the reason is given instead). */
export function describeNode(n: V1Node, pods: V1Pod[] | string, evs: CoreV1Event[], now: number): string[] {
  const w = new Writer();
  const m = n.metadata ?? {};
  const labels = m.labels ?? {};
  const roles = Object.keys(labels)
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length))
    .filter(Boolean);
  w.kv(0, 'Name', m.name ?? '');
  w.kv(0, 'Roles', roles.join(',') || '<none>');
  w.list(0, 'Labels', pairs(m.labels));
  w.list(0, 'Annotations', annotations(m.annotations));
  w.kv(0, 'CreationTimestamp', describeTime(m.creationTimestamp));
  w.list(
    0,
    'Taints',
    (n.spec?.taints ?? []).map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`),
  );
  w.kv(0, 'Unschedulable', n.spec?.unschedulable ? 'true' : 'false');
  const conds = n.status?.conditions ?? [];
  if (conds.length) {
    w.kv(0, 'Conditions');
    w.table(
      1,
      ['Type', 'Status', 'LastHeartbeatTime', 'LastTransitionTime', 'Reason', 'Message'],
      conds.map((c) => [c.type, c.status, describeTime(c.lastHeartbeatTime), describeTime(c.lastTransitionTime), c.reason ?? '', c.message ?? '']),
    );
  } else w.kv(0, 'Conditions', '<none>');
  const addrs = n.status?.addresses ?? [];
  if (addrs.length) {
    w.kv(0, 'Addresses');
    for (const a of addrs) w.kv(1, a.type, a.address);
  } else w.kv(0, 'Addresses', '<none>');
  resources(w, 0, 'Capacity', n.status?.capacity);
  resources(w, 0, 'Allocatable', n.status?.allocatable);
  const info = n.status?.nodeInfo;
  if (info) {
    w.kv(0, 'System Info');
    w.kv(1, 'Machine ID', info.machineID);
    w.kv(1, 'System UUID', info.systemUUID);
    w.kv(1, 'Boot ID', info.bootID);
    w.kv(1, 'Kernel Version', info.kernelVersion);
    w.kv(1, 'OS Image', info.osImage);
    w.kv(1, 'Operating System', info.operatingSystem);
    w.kv(1, 'Architecture', info.architecture);
    w.kv(1, 'Container Runtime Version', info.containerRuntimeVersion);
    w.kv(1, 'Kubelet Version', info.kubeletVersion);
    if (info.kubeProxyVersion) w.kv(1, 'Kube-Proxy Version', info.kubeProxyVersion);
  }
  if (n.spec?.podCIDR) w.kv(0, 'PodCIDR', n.spec.podCIDR);
  if (n.spec?.podCIDRs?.length) w.kv(0, 'PodCIDRs', n.spec.podCIDRs.join(','));
  if (typeof pods === 'string') w.kv(0, 'Non-terminated Pods', `not shown: ${pods}`);
  else {
    w.kv(0, 'Non-terminated Pods', `(${pods.length} in total)`);
    if (pods.length) {
      const sum = (p: V1Pod, what: 'requests' | 'limits', r: string) =>
        (p.spec?.containers ?? [])
          .map((c) => c.resources?.[what]?.[r])
          .filter(Boolean)
          .join('+') || '0';
      w.table(
        1,
        ['Namespace', 'Name', 'CPU Requests', 'CPU Limits', 'Memory Requests', 'Memory Limits', 'Age'],
        pods.map((p) => [
          p.metadata?.namespace ?? '',
          p.metadata?.name ?? '',
          sum(p, 'requests', 'cpu'),
          sum(p, 'limits', 'cpu'),
          sum(p, 'requests', 'memory'),
          sum(p, 'limits', 'memory'),
          p.metadata?.creationTimestamp ? formatKubeAge(now - new Date(p.metadata.creationTimestamp).getTime()) : '',
        ]),
      );
    }
  }
  events(w, evs, now);
  return w.lines();
}
