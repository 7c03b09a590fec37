// The public audience's two questions: which components does a status page name, and which words
// must never reach it (pods, workloads, namespaces, nodes, alerts and their naming labels, the
// configured services, databases, caches, the kube context, every alerting rule's name).
import type { Config } from '../config/schema.js';
import type { State } from '../store/store.js';
import type { Signals } from './severity.js';

/** Only labels that name things (a label like priority="high" would forbid ordinary words). */
const NAMING_LABELS = ['namespace', 'pod', 'instance', 'job', 'service', 'deployment', 'statefulset', 'daemonset', 'container', 'node', 'host', 'hostname', 'cluster', 'endpoint'];

/** Public names of the services whose signals are past the P2 thresholds or that have an alert firing. */
export function affectedComponents(config: Config, state: State | null, signals: Signals | null): string[] {
  const sev = config.severity;
  const firing = new Set(
    (state?.prom.data.alerts ?? [])
      .filter((a) => a.state === 'firing')
      .flatMap((a) => [a.labels.service, a.labels.deployment])
      .filter(Boolean),
  );
  const out: string[] = [];
  for (const svc of config.prometheus?.services ?? []) {
    if (!svc.publicName) continue;
    const sig = signals?.services.find((s) => s.name === svc.name);
    const hit =
      firing.has(svc.name) ||
      svc.deployments.some((d) => firing.has(d)) ||
      (sig != null && (sig.allPodsNotReady || (sig.errorRate ?? 0) >= sev.errorRate.p2 || (sig.p95Seconds ?? 0) >= sev.latencyP95Seconds.p2));
    if (hit && !out.includes(svc.publicName)) out.push(svc.publicName);
  }
  return out;
}

/** Matched case-sensitively by the public check: a component may share a word with an identifier by case ("API" vs "api"). */
export function internalIdentifiers(config: Config, state: State | null): Set<string> {
  const ids = new Set<string>();
  const add = (v: unknown) => {
    if (typeof v === 'string' && v.length >= 2) ids.add(v);
  };
  if (state) {
    const k = state.kube.data;
    for (const p of k.pods) [p.name, p.namespace, p.node].forEach(add);
    for (const w of [...k.deployments, ...(k.statefulSets ?? []), ...(k.daemonSets ?? [])]) [w.name, w.namespace].forEach(add);
    for (const n of k.nodes ?? []) add(n.name);
    for (const name of state.prom.data.alertRules ?? []) add(name);
    for (const a of state.prom.data.alerts) {
      add(a.name);
      for (const key of NAMING_LABELS) add(a.labels[key]);
    }
    add(k.context);
    add(k.cluster);
  }
  for (const s of config.prometheus?.services ?? []) [s.name, s.namespace, ...s.deployments].forEach(add);
  for (const p of config.postgres) add(p.name);
  for (const r of config.redis) add(r.name);
  for (const n of config.kube.namespaces) add(n);
  return ids;
}
