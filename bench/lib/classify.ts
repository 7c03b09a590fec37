// Sorting requests to the Kubernetes API into the kinds the idle figures report.

export type KubeKind = 'list' | 'watch' | 'get' | 'metrics' | 'discovery' | 'write';

/** Classifies one request to the Kubernetes API the way the figures separate them. */
export function kubeKind(method: string, rawUrl: string): KubeKind {
  const url = new URL(rawUrl, 'http://x');
  if (method !== 'GET') return method === 'POST' && /selfsubject\w*reviews$/.test(url.pathname) ? 'get' : 'write';
  if (['1', 'true'].includes(url.searchParams.get('watch') ?? '')) return 'watch';
  if (url.pathname.startsWith('/apis/metrics.k8s.io/')) return 'metrics';
  const m = /^\/(?:api\/v1|apis\/[^/]+\/[^/]+)(\/.*)?$/.exec(url.pathname);
  if (!m || !m[1]) return 'discovery';
  const parts = m[1].split('/').filter(Boolean);
  // /R, /namespaces/NS/R → collection; /R/NAME, /namespaces/NS/R/NAME[/sub] → one object.
  if (parts[0] === 'namespaces' && parts.length >= 3) return parts.length === 3 ? 'list' : 'get';
  return parts.length === 1 ? 'list' : 'get';
}
