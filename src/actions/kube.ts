// Kubernetes actions: restart, scale, rollback for Deployments, StatefulSets and DaemonSets (the row's
// kind), node cordon/uncordon, delete pod, container resource limits. The runner applies the gates;
// these say what will change, check permission (SSAR), dry-run on the server, perform the change with
// kubectl's semantics, then follow the rollout.
import type { ActionDef, ActionEnv, ActionOutcome, ActionTarget } from './types.js';
// Only client-free modules here: the registry loads before the first frame.
import { imageDiff, type KubeOps, type PinnedRollback, type WorkloadKind } from '../sources/kube/rollout.js';
import type { RolloutState } from '../sources/kube/normalize.js';
import { revisionOf } from '../sources/kube/normalize.js';
import type { DaemonSetRow, DeploymentRow, NodeRow, PodRow, StatefulSetRow } from '../sources/kube/types.js';

export type { KubeOps } from '../sources/kube/rollout.js';

/** How long `run` follows a rollout before reporting it as still in progress. */
export const FOLLOW_TIMEOUT_MS = 5 * 60 * 1000;

export interface KubeTarget extends ActionTarget {
  namespace?: string;
  kind?: WorkloadKind | string;
  deployment?: DeploymentRow;
  statefulSet?: StatefulSetRow;
  daemonSet?: DaemonSetRow;
  pod?: PodRow;
  node?: NodeRow;
  /** Chosen in the history view. */
  toRevision?: number;
}

const LOWER: Record<WorkloadKind, string> = { Deployment: 'deployment', StatefulSet: 'statefulset', DaemonSet: 'daemonset' };
const RESOURCE: Record<WorkloadKind, string> = { Deployment: 'deployments', StatefulSet: 'statefulsets', DaemonSet: 'daemonsets' };

function ops(env: ActionEnv): KubeOps {
  const k = env.services.kube;
  if (!k) throw new Error('Kubernetes is not configured');
  return k;
}

export interface WorkloadRef {
  kind: WorkloadKind;
  namespace: string;
  name: string;
}

/** The workload an action on this row means: the row itself, or the pod's owner. */
export function workloadOf(t: KubeTarget): WorkloadRef {
  const namespace = t.namespace ?? t.deployment?.namespace ?? t.statefulSet?.namespace ?? t.daemonSet?.namespace ?? t.pod?.namespace;
  if (!namespace) throw new Error(`no namespace for ${t.name}`);
  if (t.statefulSet || t.kind === 'StatefulSet') return { kind: 'StatefulSet', namespace, name: t.statefulSet?.name ?? t.name };
  if (t.daemonSet || t.kind === 'DaemonSet') return { kind: 'DaemonSet', namespace, name: t.daemonSet?.name ?? t.name };
  if (t.deployment) return { kind: 'Deployment', namespace, name: t.deployment.name ?? t.name };
  if (t.pod) {
    if (t.pod.deployment) return { kind: 'Deployment', namespace, name: t.pod.deployment };
    const o = t.pod.owner;
    if (o && (o.kind === 'StatefulSet' || o.kind === 'DaemonSet')) return { kind: o.kind, namespace, name: o.name };
    throw new Error(`pod ${t.pod.name} is not managed by a deployment, statefulset or daemonset${o ? ` (owner: ${o.kind} ${o.name})` : ''}`);
  }
  return { kind: 'Deployment', namespace, name: t.name };
}

/** Kept for callers that only know deployments. */
export function deploymentOf(t: KubeTarget): { namespace: string; name: string } {
  const w = workloadOf(t);
  return { namespace: w.namespace, name: w.name };
}

function kindTitle(verb: string, t: KubeTarget): string {
  try {
    return `${verb} ${LOWER[workloadOf(t).kind]}`;
  } catch {
    return `${verb} deployment`;
  }
}

function where(env: ActionEnv, ns: string): string {
  return `context ${env.context ?? '(none)'}, namespace ${ns}`;
}

export async function refusal(env: ActionEnv, verb: string, resource: string, ns: string | undefined, name: string, subresource?: string): Promise<string | null> {
  const r = await ops(env).canI(verb, resource, ns ?? '', name, subresource);
  if (r.allowed) return null;
  const what = subresource ? `${resource}/${subresource}` : resource;
  return `forbidden: you cannot ${verb} ${what}${ns ? ` in ${ns}` : ''}${env.context ? ` (context ${env.context})` : ''}${r.reason ? `: ${r.reason}` : ''}`;
}

function progressLine(s: RolloutState): string {
  return `${s.updated}/${s.desired} updated, ${s.ready} ready, ${s.available} available${s.total > s.updated ? `, ${s.total - s.updated} old` : ''}`;
}

/** Follows the rollout after a change; a rollout still going at the timeout is reported, not failed. */
async function follow(env: ActionEnv, w: WorkloadRef): Promise<{ state: RolloutState | null; note: string }> {
  const progress = env.services.progress;
  const label = `${w.namespace}/${w.name}`;
  try {
    const state = await ops(env).followWorkload(w.kind, w.namespace, w.name, (s) => progress?.(`${label}: ${progressLine(s)}`), {
      timeoutMs: FOLLOW_TIMEOUT_MS,
      onRetry: (m) => progress?.(`${label}: ${m}`),
    });
    return { state, note: state.failed ? `rollout FAILED: ${state.message}` : `rollout complete: ${progressLine(state)}` };
  } catch (e) {
    return { state: null, note: `rollout not finished: ${(e as Error).message}` };
  }
}

async function revisionNow(env: ActionEnv, w: WorkloadRef): Promise<number | null> {
  try {
    if (w.kind === 'Deployment') return revisionOf(await ops(env).getWorkload(w.kind, w.namespace, w.name));
    const h = await ops(env).workloadHistory(w.kind, w.namespace, w.name);
    return h.length ? h[h.length - 1]!.revision : null;
  } catch {
    // The change was made; a failed re-read only loses the revision number.
    return null;
  }
}

async function outcome(
  env: ActionEnv,
  w: WorkloadRef,
  summary: string,
  revisionBefore: number | null,
  extra: string[] = [],
  refs: Record<string, unknown> = {},
): Promise<ActionOutcome> {
  const f = await follow(env, w);
  const revisionAfter = await revisionNow(env, w);
  if (f.state?.failed) throw new Error(`${summary}, but the ${f.note}`);
  const key = w.kind === 'Deployment' ? 'deployment' : LOWER[w.kind];
  return { summary: `${summary}; ${f.note}`, details: [...extra, f.note], refs: { [key]: w.name, kind: w.kind, namespace: w.namespace, revisionBefore, revisionAfter, ...refs } };
}

export const kubeRestart: ActionDef<KubeTarget> = {
  id: 'kube.restart',
  binding: { keys: ['r'], label: 'restart', description: 'Rollout restart the selected workload', group: 'Kubernetes', target: 'row', footer: true },
  requires: 'kube',
  title: 'Restart deployment',
  titleFor: (t) => kindTitle('Restart', t),
  scope: 'deployments',
  mutating: true,
  confirm: 'confirm',
  describe(t, _p, env) {
    const w = workloadOf(t);
    const how =
      w.kind === 'StatefulSet'
        ? 'pods are replaced one at a time from the highest ordinal, each once the previous one is Ready.'
        : w.kind === 'DaemonSet'
          ? 'the pod on each node is replaced, as many nodes at a time as maxUnavailable allows.'
          : 'every pod is replaced following the rollout strategy.';
    return [
      `Rolling restart of ${LOWER[w.kind]} ${w.name} (${where(env, w.namespace)})`,
      `Sets the pod template annotation kubectl.kubernetes.io/restartedAt to now, as kubectl rollout restart:`,
      `${how} A new revision is created.`,
    ];
  },
  precheck: (t, _p, env) => {
    const w = workloadOf(t);
    return refusal(env, 'patch', RESOURCE[w.kind], w.namespace, w.name);
  },
  async dryRun(t, _p, env) {
    const w = workloadOf(t);
    const r = await ops(env).restartWorkload(w.kind, w.namespace, w.name, { dryRun: true });
    return [`restartedAt would be ${r.restartedAt} (current revision ${r.revisionBefore ?? '?'})`];
  },
  async run(t, _p, env) {
    const w = workloadOf(t);
    const r = await ops(env).restartWorkload(w.kind, w.namespace, w.name);
    return outcome(env, w, `restarted (restartedAt ${r.restartedAt})`, r.revisionBefore);
  },
};

function currentReplicas(t: KubeTarget): number | null {
  return t.deployment ? t.deployment.desired : t.statefulSet ? t.statefulSet.desired : null;
}

function parseReplicas(v: string): number {
  return Number(v.trim());
}

function scalable(t: KubeTarget): WorkloadRef & { kind: 'Deployment' | 'StatefulSet' } {
  const w = workloadOf(t);
  if (w.kind === 'DaemonSet') throw new Error(`daemonset ${w.name} runs one pod per eligible node and cannot be scaled; change its node selector or tolerations instead`);
  return w as WorkloadRef & { kind: 'Deployment' | 'StatefulSet' };
}

export const kubeScale: ActionDef<KubeTarget> = {
  id: 'kube.scale',
  binding: { keys: ['s'], label: 'scale', description: 'Scale the selected deployment or statefulset', group: 'Kubernetes', target: 'row', footer: true },
  requires: 'kube',
  title: 'Scale deployment',
  titleFor: (t) => kindTitle('Scale', t),
  scope: 'deployments',
  mutating: true,
  confirm: 'confirm',
  fields: (t) => [
    {
      name: 'replicas',
      label: 'Replicas',
      initial: String(currentReplicas(t) ?? ''),
      validate: (v) => {
        const n = parseReplicas(v);
        return v.trim() !== '' && Number.isInteger(n) && n >= 0 ? null : 'enter a whole number of replicas, 0 or more';
      },
    },
  ],
  requiresTypedName: (_t, p) => parseReplicas(p.replicas ?? '') === 0,
  describe(t, p, env) {
    const w = scalable(t);
    const to = parseReplicas(p.replicas ?? '');
    const from = currentReplicas(t);
    const lines = [`Scale ${LOWER[w.kind]} ${w.name} from ${from ?? '?'} to ${to} replicas (${where(env, w.namespace)})`, 'Writes the scale subresource, as kubectl scale.'];
    if (w.kind === 'StatefulSet' && from != null && to < from)
      lines.push(`Pods ${w.name}-${from - 1}${to < from - 1 ? ` … ${w.name}-${to}` : ''} are removed, highest ordinal first; their volumes stay.`);
    if (to === 0) lines.push(`Scaling to 0 stops every pod of this ${LOWER[w.kind]}: the service will have no backends.`);
    return lines;
  },
  precheck: async (t, _p, env) => {
    if (workloadOf(t).kind === 'DaemonSet') return `daemonset ${t.name} runs one pod per eligible node and cannot be scaled; change its node selector or tolerations instead`;
    const w = scalable(t);
    return refusal(env, 'update', RESOURCE[w.kind], w.namespace, w.name, 'scale');
  },
  async dryRun(t, p, env) {
    const w = scalable(t);
    const r = await ops(env).scaleWorkload(w.kind, w.namespace, w.name, parseReplicas(p.replicas ?? ''), { dryRun: true });
    return [`replicas ${r.from} → ${r.to}`];
  },
  async run(t, p, env) {
    const w = scalable(t);
    const before = await revisionNow(env, w);
    const r = await ops(env).scaleWorkload(w.kind, w.namespace, w.name, parseReplicas(p.replicas ?? ''));
    return outcome(env, w, `scaled ${r.from} → ${r.to}${r.retried ? ' (retried after a conflict)' : ''}`, before);
  },
};

function targetRevision(t: KubeTarget, p: Record<string, string>): number {
  const raw = (p.toRevision ?? '').trim();
  if (raw) return Number(raw);
  return t.toRevision ?? 0;
}

/**
 * The plan shown in the confirmation, kept for the dry run and the run of the same invocation (the
 * runner passes them the same params object): what was confirmed is what is applied.
 */
const pinned = new WeakMap<Record<string, string>, PinnedRollback>();

async function planFor(t: KubeTarget, p: Record<string, string>, env: ActionEnv): Promise<PinnedRollback> {
  const have = pinned.get(p);
  if (have) return have;
  const w = workloadOf(t);
  const plan = await ops(env).planWorkloadRollback(w.kind, w.namespace, w.name, targetRevision(t, p));
  pinned.set(p, plan);
  return plan;
}

export const kubeRollback: ActionDef<KubeTarget> = {
  id: 'kube.rollback',
  binding: { keys: ['u'], label: 'undo', description: 'Roll back the selected workload to the previous revision', group: 'Kubernetes', target: 'row', footer: true },
  requires: 'kube',
  title: 'Roll back deployment',
  titleFor: (t) => kindTitle('Roll back', t),
  scope: 'deployments',
  mutating: true,
  confirm: 'confirm',
  // `u` goes straight to the confirmation (previous revision); the history view (h) passes toRevision.
  async describe(t, p, env) {
    const plan = await planFor(t, p, env);
    const lines = [
      `Roll back ${LOWER[plan.kind]} ${plan.name} from revision ${plan.fromRevision ?? '?'} to revision ${plan.toRevision} (${where(env, plan.namespace)})`,
      'Images:',
      ...imageDiff(plan.fromImages, plan.toImages),
    ];
    if (plan.changeCause) lines.push(`Change-cause of revision ${plan.toRevision}: ${plan.changeCause}`);
    if (plan.skip) lines.push(`Nothing will change: the ${LOWER[plan.kind]} already runs the template of revision ${plan.toRevision}.`);
    else lines.push(`As kubectl rollout undo: the template of revision ${plan.toRevision} (${plan.source}) becomes the next revision.`);
    lines.push(`If the ${LOWER[plan.kind]} changes before you confirm, nothing is applied and the change is reported.`);
    return lines;
  },
  precheck: (t, _p, env) => {
    const w = workloadOf(t);
    return refusal(env, 'patch', RESOURCE[w.kind], w.namespace, w.name);
  },
  async dryRun(t, p, env) {
    const r = await ops(env).applyRollback(await planFor(t, p, env), { dryRun: true });
    return [r.message];
  },
  async run(t, p, env) {
    const plan = await planFor(t, p, env);
    const w = { kind: plan.kind, namespace: plan.namespace, name: plan.name };
    const r = await ops(env).applyRollback(plan);
    if (r.outcome === 'skipped') {
      return {
        summary: r.message,
        refs: {
          [w.kind === 'Deployment' ? 'deployment' : LOWER[w.kind]]: w.name,
          kind: w.kind,
          namespace: w.namespace,
          revisionBefore: r.fromRevision,
          revisionAfter: r.fromRevision,
        },
      };
    }
    return outcome(
      env,
      w,
      `rolled back to revision ${r.toRevision}`,
      r.fromRevision,
      imageDiff(r.fromImages, r.toImages).map((l) => `image ${l.trim()}`),
      { toRevision: r.toRevision },
    );
  },
};

/** Kubernetes quantities as the API accepts them; memory in millibytes ("512m") is refused as a typo. */
const QUANTITY = /^(\d+(\.\d+)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E|m)?$/;

export function checkQuantity(v: string, resource: 'memory' | 'cpu'): string | null {
  const s = v.trim();
  if (s === '') return null;
  if (!QUANTITY.test(s)) return `"${s}" is not a Kubernetes quantity (e.g. ${resource === 'memory' ? '512Mi, 1Gi' : '500m, 2'})`;
  if (resource === 'memory' && s.endsWith('m')) return `"${s}" means ${s.slice(0, -1)} thousandths of a byte; did you mean ${s.slice(0, -1)}Mi?`;
  if (/^0+(\.0+)?[a-zA-Z]*$/.test(s)) return 'a limit of 0 would stop the container from starting';
  return null;
}

function containerOf(t: KubeTarget, p: Record<string, string>): string {
  return (p.container ?? '').trim() || t.pod?.containerNames?.[0] || workloadOf(t).name;
}

export const kubeSetLimits: ActionDef<KubeTarget> = {
  id: 'kube.limits',
  binding: { keys: ['L'], label: 'limits', description: "Set a container's memory/CPU limit (rolls out)", group: 'Kubernetes', target: 'row', footer: false },
  requires: 'kube',
  title: 'Set resource limits',
  titleFor: (t) =>
    `Set resource limits of ${(() => {
      try {
        return LOWER[workloadOf(t).kind];
      } catch {
        return 'workload';
      }
    })()}`,
  scope: 'deployments',
  mutating: true,
  confirm: 'confirm',
  fields: (t) => [
    { name: 'container', label: 'Container', initial: t.pod?.containerNames?.[0] ?? workloadOf(t).name, validate: (v) => (v.trim() ? null : 'enter the container name') },
    { name: 'memory', label: 'Memory limit (e.g. 1Gi; empty: unchanged)', initial: '', validate: (v) => checkQuantity(v, 'memory') },
    { name: 'cpu', label: 'CPU limit (e.g. 500m; empty: unchanged)', initial: '', validate: (v) => checkQuantity(v, 'cpu') },
  ],
  async describe(t, p, env) {
    const w = workloadOf(t);
    const container = containerOf(t, p);
    if (!p.memory?.trim() && !p.cpu?.trim()) throw new Error('enter a memory limit, a CPU limit or both');
    const cur = await ops(env).getWorkload(w.kind, w.namespace, w.name);
    const ct = (cur.spec?.template?.spec?.containers ?? []).find((c: { name?: string }) => c.name === container);
    if (!ct) throw new Error(`container "${container}" not found in ${LOWER[w.kind]} ${w.name}`);
    const lines = [`Set resource limits of container ${container} in ${LOWER[w.kind]} ${w.name} (${where(env, w.namespace)})`];
    if (p.memory?.trim()) lines.push(`  memory limit: ${ct.resources?.limits?.memory ?? '(none)'} → ${p.memory.trim()}`);
    if (p.cpu?.trim()) lines.push(`  cpu limit: ${ct.resources?.limits?.cpu ?? '(none)'} → ${p.cpu.trim()}`);
    lines.push('As kubectl patch … resources.limits: the pod template changes, so every pod is replaced (a rollout).');
    return lines;
  },
  precheck: (t, _p, env) => {
    const w = workloadOf(t);
    return refusal(env, 'patch', RESOURCE[w.kind], w.namespace, w.name);
  },
  async dryRun(t, p, env) {
    const w = workloadOf(t);
    const r = await ops(env).setResources(
      w.kind,
      w.namespace,
      w.name,
      containerOf(t, p),
      { memory: p.memory?.trim() || undefined, cpu: p.cpu?.trim() || undefined },
      { dryRun: true },
    );
    return [`limits after: memory ${r.after.memoryLimit ?? '(none)'}, cpu ${r.after.cpuLimit ?? '(none)'}`];
  },
  async run(t, p, env) {
    const w = workloadOf(t);
    const before = await revisionNow(env, w);
    const r = await ops(env).setResources(w.kind, w.namespace, w.name, containerOf(t, p), { memory: p.memory?.trim() || undefined, cpu: p.cpu?.trim() || undefined });
    const change = [
      `memory limit ${r.before.memoryLimit ?? '(none)'} → ${r.after.memoryLimit ?? '(none)'}`,
      `cpu limit ${r.before.cpuLimit ?? '(none)'} → ${r.after.cpuLimit ?? '(none)'}`,
    ];
    return outcome(env, w, `container ${r.container}: ${change.join(', ')}`, before, change, { container: r.container, before: r.before, after: r.after });
  },
};

function nodeName(t: KubeTarget): string {
  return t.node?.name ?? t.name;
}

function cordonAction(id: string, key: string, unschedulable: boolean): ActionDef<KubeTarget> {
  const verb = unschedulable ? 'Cordon' : 'Uncordon';
  return {
    id,
    binding: {
      keys: [key],
      label: verb.toLowerCase(),
      description: unschedulable ? 'Cordon the selected node' : 'Uncordon the selected node',
      group: 'Kubernetes',
      target: 'row',
      footer: true,
    },
    requires: 'kube',
    title: `${verb} node`,
    scope: 'nodes',
    mutating: true,
    confirm: 'confirm',
    describe(t, _p, env) {
      const n = nodeName(t);
      return unschedulable
        ? [
            `Cordon node ${n} (context ${env.context ?? '(none)'})`,
            'As kubectl cordon: spec.unschedulable=true. Pods already there keep running; nothing new is scheduled on it (DaemonSet pods excepted).',
          ]
        : [`Uncordon node ${n} (context ${env.context ?? '(none)'})`, 'As kubectl uncordon: spec.unschedulable is removed and the node takes new pods again.'];
    },
    precheck: (t, _p, env) => refusal(env, 'patch', 'nodes', undefined, nodeName(t)),
    async dryRun(t, _p, env) {
      const r = await ops(env).cordon(nodeName(t), unschedulable, { dryRun: true });
      return [r.was === unschedulable ? `already ${unschedulable ? 'cordoned' : 'schedulable'}: nothing would change` : `unschedulable ${r.was} → ${r.now}`];
    },
    async run(t, _p, env) {
      const r = await ops(env).cordon(nodeName(t), unschedulable);
      const summary =
        r.was === unschedulable
          ? `already ${unschedulable ? 'cordoned' : 'schedulable'}; nothing changed`
          : `${unschedulable ? 'cordoned' : 'uncordoned'} (unschedulable ${r.was} → ${r.now})`;
      return { summary, refs: { node: r.name, unschedulableBefore: r.was, unschedulableAfter: r.now } };
    },
  };
}

export const kubeCordon = cordonAction('kube.cordon', 'c', true);
export const kubeUncordon = cordonAction('kube.uncordon', 'u', false);

export const kubeDeletePod: ActionDef<KubeTarget> = {
  id: 'kube.deletePod',
  binding: { keys: ['ctrl+d'], label: 'delete', description: 'Delete the selected pod (graceful)', group: 'Kubernetes', target: 'row', footer: true },
  requires: 'kube',
  title: 'Delete pod',
  scope: 'pods',
  mutating: true,
  confirm: 'confirm',
  describe(t, _p, env) {
    const ns = t.namespace ?? t.pod?.namespace ?? '';
    const owner = t.pod?.owner;
    return [
      `Delete pod ${t.name} (${where(env, ns)})`,
      'As kubectl delete pod: graceful (Terminating for its grace period, then gone).',
      owner ? `Its ${owner.kind} ${owner.name} creates a replacement.` : 'No controller owns it: it will NOT be replaced.',
    ];
  },
  precheck: (t, _p, env) => refusal(env, 'delete', 'pods', t.namespace ?? t.pod?.namespace, t.name),
  async dryRun(t, _p, env) {
    const r = await ops(env).deletePod(t.namespace ?? t.pod?.namespace ?? '', t.name, { dryRun: true });
    return [`deletion accepted (grace period ${r.grace ?? '?'}s)`];
  },
  async run(t, _p, env) {
    const ns = t.namespace ?? t.pod?.namespace ?? '';
    const r = await ops(env).deletePod(ns, t.name);
    return {
      summary: `deleted (grace period ${r.grace ?? '?'}s)${t.pod?.owner ? `; ${t.pod.owner.kind} ${t.pod.owner.name} replaces it` : ''}`,
      refs: { pod: t.name, namespace: ns, uid: r.uid, owner: t.pod?.owner ?? null },
    };
  },
};

export const kubeActions: ActionDef<KubeTarget>[] = [kubeRestart, kubeScale, kubeRollback, kubeSetLimits, kubeCordon, kubeUncordon, kubeDeletePod];
