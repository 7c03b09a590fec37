// kube://NAMESPACE/SERVICE:PORT URLs: a service inside the cluster reached through the API
// server's service proxy (/api/v1/namespaces/NS/services/NAME:PORT/proxy/), with the kubeconfig's
// credentials, so Prometheus and Alertmanager need no port-forward. The API server checks RBAC
// on the `services/proxy` subresource: `get` for reads, `create` for POSTs (silences).
import type https from 'node:https';
import { loadKubeConfig, type KubeConnectOptions } from '../sources/kube/client.js';
import { KUBE_URL_HELP, parseKubeUrl } from './kube-url.js';

export interface KubeTransport {
  /** The service's root through the proxy, ending in '/'. */
  base: URL;
  /** Headers and TLS settings for one request (an exec plugin's token is renewed when it expires). */
  prepare(): Promise<{ headers: Record<string, string>; tls: https.AgentOptions }>;
}

/** The transport for a kube:// URL, from the kubeconfig and context warroom uses for Kubernetes. */
export function kubeTransport(raw: string, kube: KubeConnectOptions): KubeTransport {
  const ref = parseKubeUrl(raw);
  if (!ref) throw new Error(`${raw}: ${KUBE_URL_HELP}`);
  const kc = loadKubeConfig(kube);
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) throw new Error(`${raw}: the kubeconfig's current context has no cluster server`);
  const name = ref.port ? `${ref.service}:${ref.port}` : ref.service;
  const base = new URL(`${cluster.server.replace(/\/+$/, '')}/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/services/${encodeURIComponent(name)}/proxy${ref.path}/`);
  return {
    base,
    async prepare() {
      const o: https.RequestOptions = {};
      await kc.applyToHTTPSOptions(o);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(o.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = String(v);
      if (o.auth && !headers.authorization) headers.authorization = `Basic ${Buffer.from(o.auth).toString('base64')}`;
      return { headers, tls: { ca: o.ca, cert: o.cert, key: o.key, rejectUnauthorized: o.rejectUnauthorized, servername: o.servername } };
    },
  };
}

/**
 * What an API server's own refusal of a proxied request means, or null when the answer came
 * from the service itself. Its errors are a Status object; the service's are not.
 */
export function proxyRefusal(url: string, status: number, text: string): string | null {
  let body: { kind?: string; message?: string; reason?: string } | null = null;
  try {
    body = JSON.parse(text);
  } catch {
    return null;
  }
  if (!body || body.kind !== 'Status') return null;
  const ref = parseKubeUrl(url);
  const ns = ref?.namespace ?? 'its namespace';
  if (status === 401) return `the Kubernetes API server did not accept the kubeconfig's credentials (${body.message ?? 'Unauthorized'})`;
  if (status === 403) {
    return `the Kubernetes API server refused the service proxy: reaching ${url} needs "get" (and "create" for silences) on services/proxy in namespace ${ns} — check with \`kubectl auth can-i get services/proxy -n ${ns}\` (${body.message ?? 'Forbidden'})`;
  }
  if (status === 404) return `not found in the cluster: ${body.message ?? `service ${ref?.service ?? ''}`}`;
  if (status === 503) return `the service has no ready endpoints (${body.message ?? 'Service Unavailable'})`;
  return `the Kubernetes API server answered HTTP ${status}: ${body.message ?? body.reason ?? ''}`;
}
