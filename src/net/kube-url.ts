// kube://NAMESPACE/SERVICE[:PORT][/PATH]: how warroom names a service inside the cluster that it
// reaches through the Kubernetes API server (src/net/kube-proxy.ts). Parsing only, no client.

export interface KubeServiceRef {
  namespace: string;
  service: string;
  /** Port number or name; '' for the service's first port. */
  port: string;
  /** Path below the service's root, '' or starting with '/'. */
  path: string;
}

const DNS_LABEL = '[a-z0-9](?:[-a-z0-9]*[a-z0-9])?';
const KUBE_URL = new RegExp(`^kube://(${DNS_LABEL})/(${DNS_LABEL})(?::([A-Za-z0-9](?:[-A-Za-z0-9]*[A-Za-z0-9])?))?(/[^?#]*)?$`);

export function isKubeUrl(raw: string): boolean {
  return raw.startsWith('kube://');
}

/** The parts of kube://NAMESPACE/SERVICE[:PORT][/PATH], or null when it is not one. */
export function parseKubeUrl(raw: string): KubeServiceRef | null {
  const m = KUBE_URL.exec(raw);
  if (!m) return null;
  // Groups 1 and 2 are not optional: a match has both.
  return { namespace: m[1]!, service: m[2]!, port: m[3] ?? '', path: (m[4] ?? '').replace(/\/+$/, '') };
}

export function formatKubeUrl(ref: KubeServiceRef): string {
  return `kube://${ref.namespace}/${ref.service}${ref.port ? `:${ref.port}` : ''}${ref.path}`;
}

export const KUBE_URL_HELP = 'expected kube://NAMESPACE/SERVICE:PORT (a service reached through the Kubernetes API server), e.g. kube://monitoring/prometheus-operated:9090';
