// The kubectl command lines the cockpit hands the terminal to (shell, port-forward): the same
// kubeconfig, context and namespace the cockpit reads, so kubectl reaches the cluster on screen.
import fs from 'node:fs';
import path from 'node:path';

export interface KubectlConnection {
  /** The kubeconfig the cockpit was given (flag, config, WARROOM_KUBECONFIG); absent: kubectl's own lookup (KUBECONFIG, ~/.kube/config), as the cockpit's. */
  kubeconfig?: string;
  /** The context the cockpit shows; absent or in-cluster: kubectl's default. */
  context?: string | null;
}

/** The name @kubernetes/client-node gives the context it builds from the pod's service account; kubectl finds it alone. */
const IN_CLUSTER_CONTEXT = 'inClusterContext';

/** As k9s: the first shell the image has. */
export const SHELL_COMMAND = 'clear; (bash || ash || sh)';

function connectionArgs(c: KubectlConnection, namespace: string): string[] {
  const args: string[] = [];
  if (c.kubeconfig) args.push('--kubeconfig', c.kubeconfig);
  if (c.context && c.context !== IN_CLUSTER_CONTEXT) args.push('--context', c.context);
  args.push('-n', namespace);
  return args;
}

export function execArgs(c: KubectlConnection, namespace: string, pod: string, container: string | null): string[] {
  return [...connectionArgs(c, namespace), 'exec', '-it', pod, ...(container ? ['-c', container] : []), '--', 'sh', '-c', SHELL_COMMAND];
}

export function portForwardArgs(c: KubectlConnection, namespace: string, pod: string, local: number, remote: number): string[] {
  // 127.0.0.1 only (kubectl's default also binds ::1); the banner names the one address.
  return [...connectionArgs(c, namespace), 'port-forward', '--address', '127.0.0.1', `pod/${pod}`, `${local}:${remote}`];
}

/** The command as a person would type it (shown in the confirmation, the journal and the dry run). */
export function commandLine(file: string, args: string[]): string {
  return [file, ...args].map(quote).join(' ');
}

function quote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** kubectl's full path on PATH, or null. */
export function findKubectl(envPath: string | undefined = process.env.PATH, names: string[] = process.platform === 'win32' ? ['kubectl.exe'] : ['kubectl']): string | null {
  for (const dir of (envPath ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const n of names) {
      const file = path.join(dir, n);
      try {
        fs.accessSync(file, fs.constants.X_OK);
        if (fs.statSync(file).isFile()) return file;
      } catch {
        // not here
      }
    }
  }
  return null;
}
