// Recent logs of a pod or of every pod of a deployment, and the runbooks'
// `grep ERROR | sort | uniq -c | sort -rn | head` as a function.
import type { KubeClients } from './client.js';
import { toKubeError } from './errors.js';
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { controllerOf, ownedReplicaSets } from './normalize.js';

export interface LogOptions {
  tailLines?: number;
  sinceSeconds?: number;
  container?: string;
  previous?: boolean;
}

export interface PodLogs {
  pod: string;
  lines: string[];
  error: string | null;
}

export async function podLogs(c: KubeClients, ns: string, pod: string, opts: LogOptions = {}): Promise<string[]> {
  try {
    const text = await c.core.readNamespacedPodLog(
      { name: pod, namespace: ns, container: opts.container, tailLines: opts.tailLines ?? 200, sinceSeconds: opts.sinceSeconds, previous: opts.previous },
      c.opts(),
    );
    return splitLines(String(text ?? ''));
  } catch (e) {
    throw toKubeError(e, `read logs of ${ns}/${pod}`, c.server);
  }
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Logs of every pod of a deployment (pods whose ReplicaSet the deployment owns); per-pod errors are kept, not thrown. */
export async function deploymentLogs(c: KubeClients, ns: string, name: string, opts: LogOptions = {}): Promise<PodLogs[]> {
  let deploy: V1Deployment;
  let pods: V1Pod[];
  let rsNames: Set<string | undefined>;
  try {
    deploy = await c.apps.readNamespacedDeployment({ name, namespace: ns }, c.opts());
    const sel = deploy.spec?.selector?.matchLabels ?? {};
    const labelSelector =
      Object.entries(sel)
        .map(([k, v]) => `${k}=${v}`)
        .join(',') || undefined;
    const [rsList, podList] = await Promise.all([
      c.apps.listNamespacedReplicaSet({ namespace: ns, labelSelector }, c.opts()),
      c.core.listNamespacedPod({ namespace: ns, labelSelector }, c.opts()),
    ]);
    rsNames = new Set(ownedReplicaSets(deploy, rsList.items).map((rs) => rs.metadata?.name));
    pods = podList.items;
  } catch (e) {
    throw toKubeError(e, `list pods of deployment ${ns}/${name}`, c.server);
  }
  const mine = pods.filter((p) => {
    const owner = controllerOf(p);
    return owner?.kind === 'ReplicaSet' && rsNames.has(owner.name);
  });
  return Promise.all(
    mine.map(async (p): Promise<PodLogs> => {
      const pod = p.metadata?.name ?? '';
      try {
        return { pod, lines: await podLogs(c, ns, pod, opts), error: null };
      } catch (e) {
        return { pod, lines: [], error: (e as Error).message };
      }
    }),
  );
}

export interface ErrorGroup {
  message: string;
  count: number;
  example: string;
}

const ERROR_RE = /\b(ERROR|FATAL|Exception|panic)\b|Exception\b|\bpanic:/;

/** Strips what varies between otherwise identical errors: timestamps, UUIDs, IPs, hex ids, numbers. */
export function normalizeErrorLine(line: string): string {
  return (
    line
      .replace(/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?/g, '')
      .replace(/\b\d{2}:\d{2}:\d{2}(?:[.,]\d+)?\b/g, '')
      .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>')
      .replace(/\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b/g, '<ip>')
      // The value of an id field (req_id=1a9dcb, trace-id: 4bf92f…), whatever its length or alphabet.
      .replace(/\b((?:\w+[_-])?id[=:] ?)[^\s,;):]+/gi, '$1<id>')
      .replace(/\b0x[0-9a-f]+\b/gi, '<hex>')
      .replace(/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/gi, '<hex>')
      .replace(/\d+(?:\.\d+)?/g, 'N')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

/** Groups error lines by normalised message with counts, most frequent first. */
export function summarizeErrors(lines: Iterable<string>, limit = 20): ErrorGroup[] {
  const groups = new Map<string, ErrorGroup>();
  for (const line of lines) {
    if (!ERROR_RE.test(line)) continue;
    const message = normalizeErrorLine(line);
    const g = groups.get(message);
    if (g) g.count++;
    else groups.set(message, { message, count: 1, example: line });
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || (a.message < b.message ? -1 : 1)).slice(0, limit);
}
