// Kubernetes actions: restart, scale, rollback (and history, read-only). The runner applies
// the gates; these say what will change, check permission (SSAR), dry-run on the server,
// perform the change with kubectl's semantics, then follow the rollout.
import type { ActionDef, ActionEnv, ActionOutcome, ActionTarget } from './types.js';
// Only client-free modules here: the registry loads before the first frame.
import { imageDiff, type KubeOps } from '../sources/kube/rollout.js';
import type { RolloutState } from '../sources/kube/normalize.js';
import { revisionOf } from '../sources/kube/normalize.js';
import type { DeploymentRow, PodRow } from '../sources/kube/types.js';

export type { KubeOps } from '../sources/kube/rollout.js';

/** How long `run` follows a rollout before reporting it as still in progress. */
export const FOLLOW_TIMEOUT_MS = 5 * 60 * 1000;

export interface KubeTarget extends ActionTarget {
  namespace?: string;
  deployment?: DeploymentRow;
  pod?: PodRow;
  /** Chosen in the history view. */
  toRevision?: number;
}

function ops(env: ActionEnv): KubeOps {
  const k = env.services.kube;
  if (!k) throw new Error('Kubernetes is not configured');
  return k;
}

/** The deployment an action on this row means: the row itself, or the pod's owning deployment. */
export function deploymentOf(t: KubeTarget): { namespace: string; name: string } {
  const namespace = t.namespace ?? t.deployment?.namespace ?? t.pod?.namespace;
  if (!namespace) throw new Error(`no namespace for ${t.name}`);
  if (t.deployment) return { namespace, name: t.deployment.name ?? t.name };
  if (t.pod) {
    if (!t.pod.deployment) throw new Error(`pod ${t.pod.name} is not managed by a deployment`);
    return { namespace, name: t.pod.deployment };
  }
  return { namespace, name: t.name };
}

function where(env: ActionEnv, ns: string): string {
  return `context ${env.context ?? '(none)'}, namespace ${ns}`;
}

async function refusal(env: ActionEnv, verb: string, ns: string, name: string, subresource?: string): Promise<string | null> {
  const r = await ops(env).canI(verb, 'deployments', ns, name, subresource);
  if (r.allowed) return null;
  const what = subresource ? `deployments/${subresource}` : 'deployments';
  return `forbidden: you cannot ${verb} ${what} in ${ns}${env.context ? ` (context ${env.context})` : ''}${r.reason ? `: ${r.reason}` : ''}`;
}

function progressLine(s: RolloutState): string {
  return `${s.updated}/${s.desired} updated, ${s.ready} ready, ${s.available} available${s.total > s.updated ? `, ${s.total - s.updated} old` : ''}`;
}

/** Follows the rollout after a change; a rollout still going at the timeout is reported, not failed. */
async function follow(env: ActionEnv, ns: string, name: string): Promise<{ state: RolloutState | null; note: string }> {
  const progress = env.services.progress;
  try {
    const state = await ops(env).followRollout(ns, name, (s) => progress?.(`${ns}/${name}: ${progressLine(s)}`), { timeoutMs: FOLLOW_TIMEOUT_MS });
    return { state, note: state.failed ? `rollout FAILED: ${state.message}` : `rollout complete: ${progressLine(state)}` };
  } catch (e) {
    return { state: null, note: `rollout not finished: ${(e as Error).message}` };
  }
}

async function outcome(env: ActionEnv, ns: string, name: string, summary: string, revisionBefore: number | null, extra: string[] = []): Promise<ActionOutcome> {
  const f = await follow(env, ns, name);
  let revisionAfter: number | null = null;
  try {
    revisionAfter = revisionOf(await ops(env).getDeployment(ns, name));
  } catch {
    // The change was made; a failed re-read only loses the revision number.
  }
  if (f.state?.failed) throw new Error(`${summary}, but the ${f.note}`);
  return {
    summary: `${summary}; ${f.note}`,
    details: [...extra, f.note],
    refs: { deployment: name, namespace: ns, revisionBefore, revisionAfter },
  };
}

export const kubeRestart: ActionDef<KubeTarget> = {
  id: 'kube.restart',
  binding: { keys: ['r'], label: 'restart', description: 'Rollout restart the selected deployment', group: 'Kubernetes', target: 'row', footer: true },
  requires: 'kube',
  title: 'Restart deployment',
  scope: 'deployments',
  mutating: true,
  confirm: 'confirm',
  describe(t, _p, env) {
    const { namespace, name } = deploymentOf(t);
    return [
      `Rolling restart of deployment ${name} (${where(env, namespace)})`,
      `Sets the pod template annotation kubectl.kubernetes.io/restartedAt to now, as kubectl rollout restart:`,
      `every pod is replaced following the rollout strategy; a new revision is created.`,
    ];
  },
  precheck: (t, _p, env) => {
    const { namespace, name } = deploymentOf(t);
    return refusal(env, 'patch', namespace, name);
  },
  async dryRun(t, _p, env) {
    const { namespace, name } = deploymentOf(t);
    const r = await ops(env).restart(namespace, name, { dryRun: true });
    return [`restartedAt would be ${r.restartedAt} (current revision ${r.revisionBefore ?? '?'})`];
  },
  async run(t, _p, env) {
    const { namespace, name } = deploymentOf(t);
    const r = await ops(env).restart(namespace, name);
    return outcome(env, namespace, name, `restarted (restartedAt ${r.restartedAt})`, r.revisionBefore);
  },
};

function currentReplicas(t: KubeTarget): number | null {
  return t.deployment ? t.deployment.desired : null;
}

function parseReplicas(v: string): number {
  return Number(v.trim());
}

export const kubeScale: ActionDef<KubeTarget> = {
  id: 'kube.scale',
  binding: { keys: ['s'], label: 'scale', description: 'Scale the selected deployment', group: 'Kubernetes', target: 'row', footer: true },
  requires: 'kube',
  title: 'Scale deployment',
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
    const { namespace, name } = deploymentOf(t);
    const to = parseReplicas(p.replicas ?? '');
    const from = currentReplicas(t);
    const lines = [`Scale deployment ${name} from ${from ?? '?'} to ${to} replicas (${where(env, namespace)})`, 'Writes the scale subresource, as kubectl scale.'];
    if (to === 0) lines.push('Scaling to 0 stops every pod of this deployment: the service will have no backends.');
    return lines;
  },
  precheck: (t, _p, env) => {
    const { namespace, name } = deploymentOf(t);
    return refusal(env, 'update', namespace, name, 'scale');
  },
  async dryRun(t, p, env) {
    const { namespace, name } = deploymentOf(t);
    const r = await ops(env).scale(namespace, name, parseReplicas(p.replicas ?? ''), { dryRun: true });
    return [`replicas ${r.from} → ${r.to}`];
  },
  async run(t, p, env) {
    const { namespace, name } = deploymentOf(t);
    const before = revisionOf(await ops(env).getDeployment(namespace, name));
    const r = await ops(env).scale(namespace, name, parseReplicas(p.replicas ?? ''));
    return outcome(env, namespace, name, `scaled ${r.from} → ${r.to}${r.retried ? ' (retried after a conflict)' : ''}`, before);
  },
};

function targetRevision(t: KubeTarget, p: Record<string, string>): number {
  const raw = (p.toRevision ?? '').trim();
  if (raw) return Number(raw);
  return t.toRevision ?? 0;
}

export const kubeRollback: ActionDef<KubeTarget> = {
  id: 'kube.rollback',
  binding: { keys: ['u'], label: 'undo', description: 'Roll back the selected deployment to the previous revision', group: 'Kubernetes', target: 'row', footer: true },
  requires: 'kube',
  title: 'Roll back deployment',
  scope: 'deployments',
  mutating: true,
  confirm: 'confirm',
  // `u` goes straight to the confirmation (previous revision); the history view (h) passes toRevision.
  async describe(t, p, env) {
    const { namespace, name } = deploymentOf(t);
    const plan = await ops(env).planRollback(namespace, name, targetRevision(t, p));
    const lines = [
      `Roll back deployment ${name} from revision ${plan.fromRevision ?? '?'} to revision ${plan.toRevision} (${where(env, namespace)})`,
      'Images:',
      ...imageDiff(plan.fromImages, plan.toImages),
    ];
    if (plan.changeCause) lines.push(`Change-cause of revision ${plan.toRevision}: ${plan.changeCause}`);
    if (plan.skip) lines.push(`Nothing will change: the deployment already runs the template of revision ${plan.toRevision}.`);
    else lines.push(`As kubectl rollout undo: the template of revision ${plan.toRevision} becomes the next revision.`);
    return lines;
  },
  precheck: (t, _p, env) => {
    const { namespace, name } = deploymentOf(t);
    return refusal(env, 'patch', namespace, name);
  },
  async dryRun(t, p, env) {
    const { namespace, name } = deploymentOf(t);
    const r = await ops(env).rollback(namespace, name, { toRevision: targetRevision(t, p), dryRun: true });
    return [r.message];
  },
  async run(t, p, env) {
    const { namespace, name } = deploymentOf(t);
    const r = await ops(env).rollback(namespace, name, { toRevision: targetRevision(t, p) });
    if (r.outcome === 'skipped') {
      return { summary: r.message, refs: { deployment: name, namespace, revisionBefore: r.fromRevision, revisionAfter: r.fromRevision } };
    }
    return outcome(env, namespace, name, `rolled back to revision ${r.toRevision}`, r.fromRevision, imageDiff(r.fromImages, r.toImages).map((l) => `image ${l.trim()}`));
  },
};

export const kubeActions: ActionDef<KubeTarget>[] = [kubeRestart, kubeScale, kubeRollback];
