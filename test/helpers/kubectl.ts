// Run the real kubectl binary from tests.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { waitFor } from './net.js';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Path of the kubectl binary (KUBECTL env, else /usr/bin/kubectl, else on PATH); throws a clear error when missing. */
export function kubectlBinary(): string {
  const candidates = [process.env.KUBECTL, '/usr/bin/kubectl', ...(process.env.PATH ?? '').split(path.delimiter).map((d) => path.join(d, 'kubectl'))];
  for (const c of candidates) {
    if (c && fs.existsSync(c)) return c;
  }
  throw new Error('kubectl not found: install kubectl (e.g. /usr/bin/kubectl) or set KUBECTL to its path; these tests need the real binary');
}

export interface KubectlOptions {
  /** Path of a kubeconfig file; passed as --kubeconfig. */
  kubeconfig: string;
  /** Discovery cache directory (defaults to a `kubectl-cache` folder next to the kubeconfig). */
  cacheDir?: string;
  timeoutMs?: number;
  env?: Record<string, string>;
}

export function kubectl(args: string[], opts: KubectlOptions): Promise<KubectlResult> {
  const bin = kubectlBinary();
  const cacheDir = opts.cacheDir ?? path.join(path.dirname(opts.kubeconfig), 'kubectl-cache');
  const full = ['--kubeconfig', opts.kubeconfig, '--cache-dir', cacheDir, ...args];
  return new Promise((resolve) => {
    execFile(
      bin,
      full,
      { timeout: opts.timeoutMs ?? 20_000, env: { ...process.env, KUBECONFIG: opts.kubeconfig, ...(opts.env ?? {}) }, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean }) | null;
        let code = 0;
        if (e) code = typeof e.code === 'number' ? e.code : e.killed ? 124 : 1;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) + (e?.killed ? `\n(kubectl killed after ${opts.timeoutMs ?? 20_000} ms)` : '') });
      },
    );
  });
}

/** Resolves once kubectl sees `deployment` at `revision` or later (a scenario's deploy has happened). */
export async function waitForRevision(kubeconfig: string, namespace: string, deployment: string, revision: number, timeoutMs = 30_000): Promise<void> {
  const jsonpath = '{.metadata.annotations.deployment\\.kubernetes\\.io/revision}';
  await waitFor(
    async () => {
      const r = await kubectl(['-n', namespace, 'get', 'deployment', deployment, '-o', `jsonpath=${jsonpath}`], { kubeconfig });
      return r.code === 0 && Number(r.stdout) >= revision ? true : null;
    },
    { what: `deployment ${namespace}/${deployment} at revision ${revision}`, timeoutMs, intervalMs: 250 },
  );
}
