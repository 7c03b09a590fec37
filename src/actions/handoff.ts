// Hand-off: the terminal goes to the real kubectl (exec -it for a shell, port-forward) with the
// cockpit's kubeconfig, context and the pod's namespace; the cockpit repaints when kubectl ends.
// Both are mutating (a shell can change anything), so read-only refuses them and the journal
// records who opened what and how it ended.
import type { ActionDef, ActionEnv, Handoff } from './types.js';
import { refusal, type KubeTarget } from './kube.js';
import { commandLine, execArgs, portForwardArgs } from '../sources/kube/kubectl.js';

export const KUBECTL_MISSING = 'kubectl is not installed (needed for shell and port-forward)';

function handoff(env: ActionEnv): Handoff {
  const h = env.services.handoff;
  if (!h) throw new Error('the terminal hand-off is not available');
  return h;
}

function kubectl(env: ActionEnv): string {
  const file = handoff(env).kubectl();
  if (!file) throw new Error(KUBECTL_MISSING);
  return file;
}

function podOf(t: KubeTarget): { namespace: string; name: string } {
  const namespace = t.namespace ?? t.pod?.namespace;
  if (!namespace) throw new Error(`no namespace for pod ${t.name}`);
  return { namespace, name: t.pod?.name ?? t.name };
}

async function allowed(t: KubeTarget, env: ActionEnv, sub: 'exec' | 'portforward'): Promise<string | null> {
  if (!handoff(env).kubectl()) return KUBECTL_MISSING;
  if (!env.services.kube) return null;
  const p = podOf(t);
  const create = await refusal(env, 'create', 'pods', p.namespace, p.name, sub);
  // Before Kubernetes 1.35 a WebSocket exec/port-forward (kubectl 1.31+) needed only `get`: a role granting that still works there.
  if (!create || !(await refusal(env, 'get', 'pods', p.namespace, p.name, sub))) return null;
  return create;
}

function ended(r: { code: number | null; signal: string | null }): string {
  return r.signal ? `ended by ${r.signal}` : `ended, exit ${r.code ?? '?'}`;
}

/** kubectl's own failure (it could not connect, the pod is gone): its last error line, or null. */
function kubectlError(r: { code: number | null; stderr: string }): string | null {
  if (!r.code) return null;
  const lines = r.stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.at(-1) ?? null;
}

function containerOf(t: KubeTarget, p: Record<string, string>): string | null {
  return p.choice || t.pod?.containerNames?.[0] || null;
}

export const kubeShell: ActionDef<KubeTarget> = {
  id: 'kube.shell',
  binding: { keys: ['s'], label: 'shell', description: 'Shell into the selected pod (kubectl exec -it; exit to return)', group: 'Kubernetes', target: 'row', footer: true },
  requires: 'handoff',
  title: 'Shell into pod',
  scope: 'pods',
  mutating: true,
  confirm: 'confirm',
  choose: (t) => {
    const names = t.pod?.containerNames ?? [];
    if (names.length < 2) return null;
    return { title: `Container of ${t.name}`, options: names.map((n) => ({ label: n, value: n })) };
  },
  precheck: (t, _p, env) => allowed(t, env, 'exec'),
  describe(t, p, env) {
    const pod = podOf(t);
    const c = containerOf(t, p);
    return [
      `Open a shell in pod ${pod.name}${c ? ` (container ${c})` : ''} (context ${env.context ?? '(none)'}, namespace ${pod.namespace})`,
      'The cockpit steps aside until the shell ends (exit or Ctrl-D); anything typed there runs in the container.',
      `Runs: ${commandLine('kubectl', execArgs(handoff(env).connection(), pod.namespace, pod.name, c))}`,
    ];
  },
  async run(t, p, env) {
    const pod = podOf(t);
    const c = containerOf(t, p);
    const banner = `warroom: shell into ${pod.namespace}/${pod.name}${c ? ` (container ${c})` : ''}; exit the shell to return to the cockpit.`;
    const r = await handoff(env).run(kubectl(env), execArgs(handoff(env).connection(), pod.namespace, pod.name, c), [banner]);
    // The runner's line already names the pod: "Shell into pod prod/api-x: session in container api ended, exit 0".
    const what = `session${c ? ` in container ${c}` : ''}`;
    const error = kubectlError(r);
    // kubectl's reason first: it is what the footer has room for.
    if (error) throw new Error(`${error} (kubectl exec${c ? ` into container ${c}` : ''}, exit ${r.code ?? '?'})`);
    return { summary: `${what} ${ended(r)}`, refs: { pod: pod.name, namespace: pod.namespace, container: c, exitCode: r.code, signal: r.signal } };
  },
};

function validPort(v: string): string | null {
  const n = Number(v.trim());
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? null : 'enter a port number from 1 to 65535';
}

export const kubePortForward: ActionDef<KubeTarget> = {
  id: 'kube.portForward',
  binding: {
    keys: ['F'],
    label: 'port-fwd',
    description: 'Port-forward to the selected pod (kubectl port-forward; Ctrl-C to return)',
    group: 'Kubernetes',
    target: 'row',
    footer: false,
  },
  requires: 'handoff',
  title: 'Port-forward to pod',
  scope: 'pods',
  mutating: true,
  confirm: 'confirm',
  choose: (t) => {
    const ports = t.pod?.ports ?? [];
    if (ports.length < 2) return null;
    return {
      title: `Port of ${t.name}`,
      options: ports.map((q) => ({ label: `${q.port}${q.name ? ` (${q.name})` : ''}`, value: String(q.port), detail: `container ${q.container}` })),
    };
  },
  fields: (t, _env, p) => {
    const port = p?.choice ?? String(t.pod?.ports?.[0]?.port ?? '');
    return [
      { name: 'local', label: 'Local port (127.0.0.1)', initial: port, validate: validPort },
      { name: 'remote', label: 'Pod port', initial: port, validate: validPort },
    ];
  },
  precheck: (t, _p, env) => allowed(t, env, 'portforward'),
  describe(t, p, env) {
    const pod = podOf(t);
    const local = Number(p.local);
    const remote = Number(p.remote);
    return [
      `Forward 127.0.0.1:${local} to port ${remote} of pod ${pod.name} (context ${env.context ?? '(none)'}, namespace ${pod.namespace})`,
      'The cockpit steps aside while the forward runs; Ctrl-C stops it and brings the cockpit back.',
      `Runs: ${commandLine('kubectl', portForwardArgs(handoff(env).connection(), pod.namespace, pod.name, local, remote))}`,
    ];
  },
  async run(t, p, env) {
    const pod = podOf(t);
    const local = Number(p.local);
    const remote = Number(p.remote);
    const what = `127.0.0.1:${local} → pod port ${remote}`;
    const r = await handoff(env).run(kubectl(env), portForwardArgs(handoff(env).connection(), pod.namespace, pod.name, local, remote), [
      `warroom: forwarding 127.0.0.1:${local} → ${pod.name}:${remote}, Ctrl-C to stop`,
    ]);
    const error = kubectlError(r);
    if (error) throw new Error(`${error} (kubectl port-forward ${what}, exit ${r.code ?? '?'})`);
    return { summary: `${what} ${ended(r)}`, refs: { pod: pod.name, namespace: pod.namespace, local, remote, exitCode: r.code, signal: r.signal } };
  },
};

export const handoffActions: ActionDef<KubeTarget>[] = [kubeShell, kubePortForward];
