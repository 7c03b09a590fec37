// Nodes: the objects the kubelets register, their conditions, and the taints the node lifecycle
// controller derives from them (cordon → node.kubernetes.io/unschedulable, NotReady → not-ready, pressure).
import type { ObjectStore } from './store.js';
import { canonicalJson, clone, isoSeconds, uuid, type Rand } from './util.js';

export const CONDITION_TYPES = ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready'] as const;
export type NodeConditionType = (typeof CONDITION_TYPES)[number];

const HEALTHY: Record<NodeConditionType, [string, string, string]> = {
  MemoryPressure: ['False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
  DiskPressure: ['False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
  PIDPressure: ['False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
  Ready: ['True', 'KubeletReady', 'kubelet is posting ready status'],
};
const UNHEALTHY: Record<NodeConditionType, [string, string, string]> = {
  MemoryPressure: ['True', 'KubeletHasInsufficientMemory', 'kubelet has insufficient memory available'],
  DiskPressure: ['True', 'KubeletHasDiskPressure', 'kubelet has disk pressure'],
  PIDPressure: ['True', 'KubeletHasInsufficientPID', 'kubelet has insufficient PID available'],
  Ready: ['Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.'],
};
/** Taints the node lifecycle controller keeps in step with a node's state. */
const MANAGED_TAINTS: Record<string, (n: any) => boolean> = {
  'node.kubernetes.io/unschedulable': (n) => n.spec?.unschedulable === true,
  'node.kubernetes.io/not-ready': (n) => condStatus(n, 'Ready') === 'False',
  'node.kubernetes.io/unreachable': (n) => condStatus(n, 'Ready') === 'Unknown',
  'node.kubernetes.io/memory-pressure': (n) => condStatus(n, 'MemoryPressure') === 'True',
  'node.kubernetes.io/disk-pressure': (n) => condStatus(n, 'DiskPressure') === 'True',
  'node.kubernetes.io/pid-pressure': (n) => condStatus(n, 'PIDPressure') === 'True',
};

export interface NodeSpec {
  name: string;
  cpuCores?: number;
  memoryMiB?: number;
  labels?: Record<string, string>;
  taints?: { key: string; value?: string; effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' }[];
}

function condStatus(n: any, type: string): string | undefined {
  return (n.status?.conditions ?? []).find((c: any) => c.type === type)?.status;
}

export class Nodes {
  private count = 0;

  constructor(
    private readonly store: ObjectStore,
    private readonly rand: Rand,
  ) {}

  add(spec: NodeSpec, createdWall = Date.now()): any {
    const i = ++this.count;
    const cpu = spec.cpuCores ?? 4;
    const memKi = (spec.memoryMiB ?? 16384) * 1024;
    const at = isoSeconds(createdWall);
    const node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: spec.name,
        uid: uuid(this.rand),
        creationTimestamp: at,
        labels: {
          'beta.kubernetes.io/arch': 'amd64',
          'beta.kubernetes.io/os': 'linux',
          'kubernetes.io/arch': 'amd64',
          'kubernetes.io/hostname': spec.name,
          'kubernetes.io/os': 'linux',
          ...(spec.labels ?? {}),
        },
        annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
      },
      spec: { podCIDR: `10.244.${i}.0/24`, podCIDRs: [`10.244.${i}.0/24`], ...(spec.taints?.length ? { taints: clone(spec.taints) } : {}) },
      status: {
        capacity: { cpu: String(cpu), 'ephemeral-storage': '102350Mi', memory: `${memKi}Ki`, pods: '110' },
        allocatable: { cpu: `${cpu * 1000 - 100}m`, 'ephemeral-storage': '94318Mi', memory: `${memKi - 262144}Ki`, pods: '110' },
        conditions: CONDITION_TYPES.map((t) => ({ type: t, status: HEALTHY[t][0], lastHeartbeatTime: at, lastTransitionTime: at, reason: HEALTHY[t][1], message: HEALTHY[t][2] })),
        addresses: [
          { type: 'InternalIP', address: this.internalIp(i) },
          { type: 'Hostname', address: spec.name },
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: {
          machineID: uuid(this.rand).replace(/-/g, ''),
          systemUUID: uuid(this.rand),
          bootID: uuid(this.rand),
          kernelVersion: '6.8.0-49-generic',
          osImage: 'Ubuntu 24.04.1 LTS',
          containerRuntimeVersion: 'containerd://1.7.24',
          kubeletVersion: 'v1.32.4',
          kubeProxyVersion: 'v1.32.4',
          operatingSystem: 'linux',
          architecture: 'amd64',
        },
      },
    };
    return this.store.put('nodes', node);
  }

  private internalIp(i: number): string {
    return `10.0.0.${i + 10}`;
  }

  names(): string[] {
    return this.store.peekAll('nodes').map((n) => n.metadata.name);
  }

  hostIp(name: string): string {
    const n = this.store.peek('nodes', undefined, name);
    return (n?.status?.addresses ?? []).find((a: any) => a.type === 'InternalIP')?.address ?? '';
  }

  /** Whether the scheduler may place a pod with these tolerations on the node (NoSchedule/NoExecute taints). */
  fits(name: string, tolerations: any[] = []): boolean {
    const n = this.store.peek('nodes', undefined, name);
    if (!n) return false;
    return (n.spec?.taints ?? []).every((t: any) => t.effect === 'PreferNoSchedule' || tolerates(tolerations, t));
  }

  /** Why no node fits, worded as the scheduler's FailedScheduling event. */
  unschedulableMessage(tolerations: any[] = []): string {
    const all = this.store.peekAll('nodes');
    const reasons = new Map<string, number>();
    for (const n of all) {
      const t = (n.spec?.taints ?? []).find((x: any) => x.effect !== 'PreferNoSchedule' && !tolerates(tolerations, x));
      if (!t) continue;
      const why = t.key === 'node.kubernetes.io/unschedulable' ? 'node(s) were unschedulable' : `node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}`;
      reasons.set(why, (reasons.get(why) ?? 0) + 1);
    }
    const parts = [...reasons].map(([why, k]) => `${k} ${why}`).sort();
    return `0/${all.length} nodes are available: ${parts.join(', ')}. preemption: 0/${all.length} nodes are available: ${all.length} Preemption is not helpful for scheduling.`;
  }

  setCondition(name: string, type: NodeConditionType, healthy: boolean): void {
    const cur = this.store.peek('nodes', undefined, name);
    if (!cur) throw new Error(`node ${name} not found`);
    const next = clone(cur);
    const [status, reason, message] = (healthy ? HEALTHY : UNHEALTHY)[type];
    const at = isoSeconds(Date.now());
    next.status.conditions = next.status.conditions.map((c: any) =>
      c.type !== type ? c : { ...c, status, reason, message, lastHeartbeatTime: at, lastTransitionTime: c.status === status ? c.lastTransitionTime : at },
    );
    this.store.put('nodes', next);
    this.sync();
  }

  /** The node lifecycle controller: managed taints follow spec.unschedulable and the conditions. */
  sync(): void {
    for (const n of this.store.peekAll('nodes')) {
      const keep = (n.spec?.taints ?? []).filter((t: any) => !(t.key in MANAGED_TAINTS) || MANAGED_TAINTS[t.key]!(n));
      const have = new Set(keep.map((t: any) => t.key));
      for (const [key, on] of Object.entries(MANAGED_TAINTS)) {
        if (on(n) && !have.has(key)) keep.push({ key, effect: 'NoSchedule', ...(key === 'node.kubernetes.io/unschedulable' ? { timeAdded: isoSeconds(Date.now()) } : {}) });
      }
      const next = clone(n);
      if (keep.length) next.spec.taints = keep;
      else delete next.spec.taints;
      if (canonicalJson(next.spec) !== canonicalJson(n.spec)) this.store.put('nodes', next);
    }
  }
}

export function tolerates(tolerations: any[], taint: any): boolean {
  return tolerations.some((t: any) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (!t.key) return t.operator === 'Exists';
    if (t.key !== taint.key) return false;
    return t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? '');
  });
}

/** The tolerations the DaemonSet controller adds to every daemon pod. */
export const DAEMON_TOLERATIONS = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];
