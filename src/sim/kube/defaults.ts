// Object defaults and validation for the workload kinds, as the API server applies them.
import { ApiError } from './errors.js';
import { canonicalJson, clone, fnv32a, intOrPercent, safeEncode } from './util.js';

export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
export const CHANGE_CAUSE = 'kubernetes.io/change-cause';
export const HASH_LABEL = 'pod-template-hash';
export const REVISION_HASH_LABEL = 'controller-revision-hash';

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet';
export const WORKLOAD_RESOURCE: Record<WorkloadKind, string> = { Deployment: 'deployments', StatefulSet: 'statefulsets', DaemonSet: 'daemonsets' };
export const RESOURCE_KIND: Record<string, WorkloadKind> = { deployments: 'Deployment', statefulsets: 'StatefulSet', daemonsets: 'DaemonSet' };

export function templateHash(template: any): string {
  const t = clone(template ?? {});
  if (t.metadata?.labels) delete t.metadata.labels[HASH_LABEL];
  return safeEncode(String(fnv32a(canonicalJson(t))));
}

export function revisionOf(o: any): number {
  return Number(o?.metadata?.annotations?.[REVISION] ?? 0) || 0;
}

export function defaultTemplate(t: any): any {
  t.metadata ??= {};
  if (!('creationTimestamp' in t.metadata)) t.metadata.creationTimestamp = null;
  t.spec ??= {};
  const s = t.spec;
  s.restartPolicy ??= 'Always';
  s.terminationGracePeriodSeconds ??= 30;
  s.dnsPolicy ??= 'ClusterFirst';
  s.securityContext ??= {};
  s.schedulerName ??= 'default-scheduler';
  for (const c of s.containers ?? []) {
    if (c && typeof c === 'object') {
      const img = String(c.image ?? '');
      const tag = img.includes('@') ? 'digest' : (/:([^/:]+)$/.exec(img)?.[1] ?? 'latest');
      c.imagePullPolicy ??= tag === 'latest' ? 'Always' : 'IfNotPresent';
      c.terminationMessagePath ??= '/dev/termination-log';
      c.terminationMessagePolicy ??= 'File';
      c.resources ??= {};
    }
  }
  return t;
}

function defaultMeta(o: any, kind: WorkloadKind): void {
  o.apiVersion = 'apps/v1';
  o.kind = kind;
  o.metadata ??= {};
  o.spec ??= {};
  o.spec.template = defaultTemplate(o.spec.template ?? {});
  o.status ??= {};
}

export function defaultDeployment(d: any): any {
  defaultMeta(d, 'Deployment');
  d.spec.replicas ??= 1;
  d.spec.revisionHistoryLimit ??= 10;
  d.spec.progressDeadlineSeconds ??= 600;
  d.spec.strategy ??= { type: 'RollingUpdate' };
  if ((d.spec.strategy.type ?? 'RollingUpdate') === 'RollingUpdate') {
    d.spec.strategy.type = 'RollingUpdate';
    d.spec.strategy.rollingUpdate ??= {};
    d.spec.strategy.rollingUpdate.maxSurge ??= '25%';
    d.spec.strategy.rollingUpdate.maxUnavailable ??= '25%';
  }
  return d;
}

export function defaultStatefulSet(s: any): any {
  defaultMeta(s, 'StatefulSet');
  s.spec.replicas ??= 1;
  s.spec.revisionHistoryLimit ??= 10;
  s.spec.podManagementPolicy ??= 'OrderedReady';
  s.spec.updateStrategy ??= { type: 'RollingUpdate' };
  if ((s.spec.updateStrategy.type ?? 'RollingUpdate') === 'RollingUpdate') {
    s.spec.updateStrategy.type = 'RollingUpdate';
    s.spec.updateStrategy.rollingUpdate ??= {};
    s.spec.updateStrategy.rollingUpdate.partition ??= 0;
  }
  s.spec.persistentVolumeClaimRetentionPolicy ??= { whenDeleted: 'Retain', whenScaled: 'Retain' };
  return s;
}

export function defaultDaemonSet(d: any): any {
  defaultMeta(d, 'DaemonSet');
  d.spec.revisionHistoryLimit ??= 10;
  d.spec.updateStrategy ??= { type: 'RollingUpdate' };
  if ((d.spec.updateStrategy.type ?? 'RollingUpdate') === 'RollingUpdate') {
    d.spec.updateStrategy.type = 'RollingUpdate';
    d.spec.updateStrategy.rollingUpdate ??= {};
    d.spec.updateStrategy.rollingUpdate.maxUnavailable ??= 1;
    d.spec.updateStrategy.rollingUpdate.maxSurge ??= 0;
  }
  return d;
}

export const DEFAULTERS: Record<WorkloadKind, (o: any) => any> = { Deployment: defaultDeployment, StatefulSet: defaultStatefulSet, DaemonSet: defaultDaemonSet };

const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

type Cause = { field: string; message: string; reason?: string };

export function validateWorkload(kind: WorkloadKind, d: any, old?: any): void {
  const name = String(d?.metadata?.name ?? '');
  const causes: Cause[] = [];
  if (!name) causes.push({ field: 'metadata.name', message: 'Required value: name or generateName is required', reason: 'FieldValueRequired' });
  else if (!DNS1123.test(name) || name.length > 253)
    causes.push({
      field: 'metadata.name',
      message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
    });
  if (kind !== 'DaemonSet') {
    const r = d.spec?.replicas;
    if (typeof r !== 'number' || !Number.isInteger(r)) causes.push({ field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(r)}: must be an integer` });
    else if (r < 0) causes.push({ field: 'spec.replicas', message: `Invalid value: ${r}: must be greater than or equal to 0` });
  }
  const sel = d.spec?.selector?.matchLabels;
  if (!sel || typeof sel !== 'object' || Object.keys(sel).length === 0) {
    causes.push({ field: 'spec.selector', message: 'Required value', reason: 'FieldValueRequired' });
  } else {
    const labels = d.spec?.template?.metadata?.labels ?? {};
    if (!Object.entries(sel).every(([k, v]) => labels[k] === v)) {
      causes.push({ field: 'spec.template.metadata.labels', message: `Invalid value: ${JSON.stringify(labels)}: \`selector\` does not match template \`labels\`` });
    }
    if (old && canonicalJson(old.spec?.selector) !== canonicalJson(d.spec.selector)) {
      causes.push({ field: 'spec.selector', message: `Invalid value: ${JSON.stringify(d.spec.selector)}: field is immutable` });
    }
  }
  const cs = d.spec?.template?.spec?.containers;
  if (!Array.isArray(cs) || cs.length === 0) causes.push({ field: 'spec.template.spec.containers', message: 'Required value', reason: 'FieldValueRequired' });
  else
    cs.forEach((c: any, i: number) => {
      if (!c?.name) causes.push({ field: `spec.template.spec.containers[${i}].name`, message: 'Required value', reason: 'FieldValueRequired' });
      if (!c?.image) causes.push({ field: `spec.template.spec.containers[${i}].image`, message: 'Required value', reason: 'FieldValueRequired' });
      for (const res of ['memory', 'cpu']) {
        const lim = parseQuantity(c?.resources?.limits?.[res]);
        const req = parseQuantity(c?.resources?.requests?.[res]);
        if (lim !== undefined && req !== undefined && req > lim) {
          causes.push({
            field: `spec.template.spec.containers[${i}].resources.requests`,
            message: `Invalid value: "${c.resources.requests[res]}": must be less than or equal to ${res} limit of ${c.resources.limits[res]}`,
          });
        }
      }
      for (const k of ['limits', 'requests'] as const) {
        for (const [res, v] of Object.entries<unknown>(c?.resources?.[k] ?? {})) {
          if (parseQuantity(v) === undefined)
            causes.push({
              field: `spec.template.spec.containers[${i}].resources.${k}[${res}]`,
              message: `Invalid value: ${JSON.stringify(v)}: must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
            });
        }
      }
    });
  if (kind === 'Deployment') {
    const ru = d.spec?.strategy?.rollingUpdate;
    if (ru && intOrPercent(ru.maxSurge, 100, true, '25%') === 0 && intOrPercent(ru.maxUnavailable, 100, false, '25%') === 0) {
      causes.push({ field: 'spec.strategy.rollingUpdate.maxUnavailable', message: 'Invalid value: 0: may not be 0 when `maxSurge` is 0' });
    }
  }
  if (kind === 'StatefulSet' && old) {
    // Only these fields of a StatefulSet's spec may change (the real validation message).
    const strip = (s: any) => {
      const c = clone(s ?? {});
      for (const k of ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds']) delete c[k];
      return canonicalJson(c);
    };
    if (strip(old.spec) !== strip(d.spec)) {
      causes.push({
        field: 'spec',
        message:
          "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        reason: 'FieldValueForbidden',
      });
    }
  }
  if (causes.length) throw ApiError.invalid(kind, 'apps', name, causes);
}

/** A resource.Quantity as a number (cores or bytes); undefined when it does not parse. */
export function parseQuantity(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const m = /^([+-]?[0-9.]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][-+]?[0-9]+)?$/.exec(v.trim());
  if (!m || !/^[+-]?(\d+\.?\d*|\.\d+)$/.test(m[1]!)) return undefined;
  const n = Number(m[1]);
  const suf = m[2] ?? '';
  const mult: Record<string, number> = {
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    Pi: 2 ** 50,
    Ei: 2 ** 60,
    n: 1e-9,
    u: 1e-6,
    m: 1e-3,
    '': 1,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
  };
  if (suf in mult) return n * mult[suf]!;
  return n * 10 ** Number(suf.slice(1));
}
