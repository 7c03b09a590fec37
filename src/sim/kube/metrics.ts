// metrics.k8s.io: PodMetrics per running container and NodeMetrics (the node's pods plus system usage).
import type { Kubelet } from './kubelet.js';
import { fnv32a, isoSeconds } from './util.js';

const SYSTEM_CPU_MILLI = 120;
const SYSTEM_MEM_MIB = 900;

function jitter(key: string, bucket: number): number {
  return 0.8 + ((fnv32a(`${key}/${bucket}`) % 1000) / 1000) * 0.4;
}

export function podMetrics(k: Kubelet, ns?: string): any[] {
  const out: any[] = [];
  const bucket = Math.floor(k.clock.now() / 15_000);
  for (const pod of k.store.peekAll('pods', ns)) {
    const rt = k.runtime(pod.metadata.namespace, pod.metadata.name);
    if (!rt || rt.terminating) continue;
    const running = rt.containers.filter((c) => c.phase === 'running');
    if (running.length === 0) continue;
    out.push({
      metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, creationTimestamp: isoSeconds(Date.now()), labels: { ...(pod.metadata.labels ?? {}) } },
      timestamp: isoSeconds(Date.now() - 5000),
      window: '15.034s',
      containers: running.map((c) => ({
        name: c.name,
        usage: { cpu: `${Math.max(1, Math.round(c.cpu * jitter(`${pod.metadata.name}/${c.name}`, bucket)))}m`, memory: `${Math.round(k.memoryMiB(c) * 1024)}Ki` },
      })),
    });
  }
  return out;
}

export function nodeMetrics(k: Kubelet): any[] {
  const bucket = Math.floor(k.clock.now() / 15_000);
  const use = new Map<string, { cpu: number; mem: number }>();
  for (const rt of k.runtimes()) {
    if (!rt.scheduled || rt.terminating) continue;
    const u = use.get(rt.nodeName) ?? { cpu: 0, mem: 0 };
    for (const c of rt.containers) {
      if (c.phase !== 'running') continue;
      u.cpu += c.cpu * jitter(`${rt.name}/${c.name}`, bucket);
      u.mem += k.memoryMiB(c);
    }
    use.set(rt.nodeName, u);
  }
  return k.store.peekAll('nodes').flatMap((n) => {
    const ready = (n.status?.conditions ?? []).find((c: any) => c.type === 'Ready')?.status === 'True';
    if (!ready) return []; // metrics-server has nothing from a node whose kubelet is down
    const u = use.get(n.metadata.name) ?? { cpu: 0, mem: 0 };
    return [
      {
        metadata: { name: n.metadata.name, creationTimestamp: isoSeconds(Date.now()), labels: { ...(n.metadata.labels ?? {}) } },
        timestamp: isoSeconds(Date.now() - 5000),
        window: '20.027s',
        usage: { cpu: `${Math.round((u.cpu + SYSTEM_CPU_MILLI * jitter(n.metadata.name, bucket)) * 1e6)}n`, memory: `${Math.round((u.mem + SYSTEM_MEM_MIB) * 1024)}Ki` },
      },
    ];
  });
}
