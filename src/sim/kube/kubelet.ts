// Pod lifecycles (scheduler and kubelet): Pending → scheduled → pulled → Running → Ready, crash loops,
// OOM kills, image pull back-off, graceful deletion. All delays run on the sim clock.
import type { SimClock, TimerHandle } from './clock.js';
import { parseQuantity } from './defaults.js';
import type { EventRecorder } from './events.js';
import { appendLog, type LogLine } from './logs.js';
import type { Nodes } from './nodes.js';
import type { ObjectStore } from './store.js';
import type { ImageBehavior } from './types.js';
import { clone, fnv32a, isoSeconds, uuid, type Rand } from './util.js';

const TERMINATE_MS = 1500;
const RETRY_SCHEDULE_MS = 5000;

type CtrPhase = 'creating' | 'pullerr' | 'pullbackoff' | 'running' | 'backoff';

export interface CtrRt {
  name: string;
  image: string;
  phase: CtrPhase;
  ready: boolean;
  pulled: boolean;
  restartCount: number;
  backoffSec: number;
  startedSim: number;
  startedWall: number;
  containerId?: string;
  waitingMessage?: string;
  last?: { exitCode: number; reason: string; startedAt: string; finishedAt: string; containerID: string };
  instance: number;
  logs: LogLine[];
  logSeq: number;
  lastLogSim: number;
  cpu: number;
  baseMem: number;
  /** The container's memory limit in MiB (from its spec, else the image behaviour), where it is OOM-killed. */
  memLimitMiB?: number;
}

export interface PodRt {
  ns: string;
  name: string;
  uid: string;
  scheduled: boolean;
  nodeName: string;
  ip: string;
  startWall: number;
  containers: CtrRt[];
  terminating: boolean;
  timers: Set<TimerHandle>;
  conds: Map<string, { status: string; at: string }>;
  /** Set while no node fits: the PodScheduled=False condition's message. */
  unschedulable?: string;
}

/** What a controller asks the kubelet to run. */
export interface PodPlan {
  owner: any;
  name: string;
  generateName?: string;
  labels: Record<string, string>;
  template: any;
  /** A fixed node (DaemonSet pods); otherwise the scheduler picks one that fits. */
  nodeName?: string;
  spec?: Record<string, unknown>;
  /** Already running (objects that exist before anyone looks), created `ageMs` ago. */
  startReady?: boolean;
  ageMs?: number;
}

export function qosClass(containers: any[]): string {
  let any = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const l = c.resources?.limits ?? {};
    const r = c.resources?.requests ?? {};
    if (Object.keys(l).length || Object.keys(r).length) any = true;
    for (const k of ['cpu', 'memory']) {
      if (l[k] === undefined || (r[k] !== undefined && parseQuantity(r[k]) !== parseQuantity(l[k]))) guaranteed = false;
    }
  }
  return guaranteed ? 'Guaranteed' : any ? 'Burstable' : 'BestEffort';
}

export class Kubelet {
  private readonly pods = new Map<string, PodRt>();
  private ipCounter = 10;

  constructor(
    readonly store: ObjectStore,
    readonly clock: SimClock,
    readonly rand: Rand,
    private readonly events: EventRecorder,
    private readonly nodes: Nodes,
    readonly behaviorOf: (image: string) => ImageBehavior,
    private readonly changed: () => void,
  ) {}

  runtime(ns: string, name: string): PodRt | undefined {
    return this.pods.get(`${ns}/${name}`);
  }

  runtimes(): IterableIterator<PodRt> {
    return this.pods.values();
  }

  stop(): void {
    for (const rt of this.pods.values()) rt.timers.clear();
  }

  private later(rt: PodRt, simMs: number, fn: () => void): void {
    const h = this.clock.after(simMs, () => {
      rt.timers.delete(h);
      if (!this.pods.has(`${rt.ns}/${rt.name}`)) return;
      fn();
    });
    rt.timers.add(h);
  }

  private pickNode(plan: PodPlan, tolerations: any[]): string | undefined {
    if (plan.nodeName) return plan.nodeName;
    const all = this.nodes.names();
    const pick = all[Math.floor(this.rand() * all.length)];
    if (pick && this.nodes.fits(pick, tolerations)) return pick;
    const fit = all.filter((n) => this.nodes.fits(n, tolerations));
    return fit.length ? fit[Math.floor(this.rand() * fit.length)] : undefined;
  }

  createPod(plan: PodPlan): any {
    const { owner, name, template: t } = plan;
    const ns = owner.metadata.namespace;
    const ageMs = plan.ageMs ?? 0;
    const created = Date.now() - ageMs;
    const podSpec: any = { ...clone(t.spec), ...(plan.spec ?? {}) };
    const rt: PodRt = {
      ns,
      name,
      uid: uuid(this.rand),
      scheduled: false,
      nodeName: '',
      ip: `10.244.${Math.floor(this.ipCounter / 250)}.${(this.ipCounter++ % 250) + 2}`,
      startWall: created,
      containers: (podSpec.containers ?? []).map((c: any) => {
        const b = this.behaviorOf(c.image);
        const limit = parseQuantity(c.resources?.limits?.memory);
        return {
          name: c.name,
          image: c.image,
          phase: 'creating' as CtrPhase,
          ready: false,
          pulled: false,
          restartCount: 0,
          backoffSec: 10,
          startedSim: 0,
          startedWall: 0,
          instance: 0,
          logs: [],
          logSeq: 0,
          lastLogSim: 0,
          cpu: b.cpuMilli ?? 5 + Math.floor(this.rand() * 45),
          baseMem: b.baseMemoryMiB ?? 48 + Math.floor(this.rand() * 96),
          memLimitMiB: limit !== undefined ? limit / 2 ** 20 : b.memoryLimitMiB,
        };
      }),
      terminating: false,
      timers: new Set(),
      conds: new Map(),
    };
    rt.nodeName = this.pickNode(plan, podSpec.tolerations) ?? '';
    this.pods.set(`${ns}/${name}`, rt);
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        ...(plan.generateName ? { generateName: plan.generateName } : {}),
        namespace: ns,
        uid: rt.uid,
        creationTimestamp: isoSeconds(created),
        labels: { ...plan.labels },
        ...(t.metadata?.annotations ? { annotations: { ...t.metadata.annotations } } : {}),
        ownerReferences: [{ apiVersion: 'apps/v1', kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true }],
      },
      spec: podSpec,
      status: { phase: 'Pending', qosClass: qosClass(podSpec.containers ?? []) },
    };
    pod.spec.serviceAccountName ??= 'default';
    pod.spec.enableServiceLinks ??= true;
    pod.spec.priority ??= 0;
    const saved = this.store.put('pods', pod);
    if (plan.startReady && rt.nodeName) {
      rt.scheduled = true;
      for (const c of rt.containers) {
        const b = this.behaviorOf(c.image);
        if ((b.startup ?? 'ok') === 'ok') {
          c.pulled = true;
          this.runContainer(rt, c, ageMs, true);
        } else this.startContainer(rt, c, true);
      }
      this.writePod(rt);
    } else {
      this.later(rt, 300, () => this.schedule(rt, podSpec.tolerations));
    }
    return saved;
  }

  private schedule(rt: PodRt, tolerations: any[]): void {
    if (!rt.nodeName || !this.nodes.fits(rt.nodeName, tolerations)) {
      const fit = this.nodes.names().filter((n) => this.nodes.fits(n, tolerations));
      if (fit.length === 0) {
        const msg = this.nodes.unschedulableMessage(tolerations);
        if (rt.unschedulable !== msg) {
          rt.unschedulable = msg;
          this.podEvent(rt, undefined, 'Warning', 'FailedScheduling', msg, 'default-scheduler');
          this.writePod(rt);
        }
        this.later(rt, RETRY_SCHEDULE_MS, () => this.schedule(rt, tolerations));
        return;
      }
      rt.nodeName = fit[Math.floor(this.rand() * fit.length)]!;
    }
    rt.unschedulable = undefined;
    rt.scheduled = true;
    this.podEvent(rt, undefined, 'Normal', 'Scheduled', `Successfully assigned ${rt.ns}/${rt.name} to ${rt.nodeName}`, 'default-scheduler');
    for (const c of rt.containers) this.startContainer(rt, c, true);
    this.writePod(rt);
  }

  private startContainer(rt: PodRt, c: CtrRt, first: boolean): void {
    const b = this.behaviorOf(c.image);
    if (!first && c.pulled) {
      this.podEvent(rt, c, 'Normal', 'Pulled', `Container image "${c.image}" already present on machine`, 'kubelet');
      this.runContainer(rt, c, 0, false);
      return;
    }
    this.podEvent(rt, c, 'Normal', 'Pulling', `Pulling image "${c.image}"`, 'kubelet');
    this.later(rt, 1200, () => {
      if ((b.startup ?? 'ok') === 'imagepull' && (this.behaviorOf(c.image).startup ?? 'ok') === 'imagepull') {
        this.pullFailed(rt, c);
        return;
      }
      c.pulled = true;
      this.podEvent(rt, c, 'Normal', 'Pulled', `Successfully pulled image "${c.image}" in 1.2s (1.2s including waiting). Image size: 48213504 bytes.`, 'kubelet');
      this.runContainer(rt, c, 0, false);
      this.writePod(rt);
    });
  }

  private pullFailed(rt: PodRt, c: CtrRt): void {
    const why = `rpc error: code = NotFound desc = failed to pull and unpack image "${c.image}": failed to resolve reference "${c.image}": not found`;
    c.phase = 'pullerr';
    c.waitingMessage = why;
    this.podEvent(rt, c, 'Warning', 'Failed', `Failed to pull image "${c.image}": ${why}`, 'kubelet');
    this.podEvent(rt, c, 'Warning', 'Failed', 'Error: ErrImagePull', 'kubelet');
    this.writePod(rt);
    this.later(rt, 2000, () => {
      c.phase = 'pullbackoff';
      c.waitingMessage = `Back-off pulling image "${c.image}"`;
      this.podEvent(rt, c, 'Normal', 'BackOff', `Back-off pulling image "${c.image}"`, 'kubelet');
      this.podEvent(rt, c, 'Warning', 'Failed', 'Error: ImagePullBackOff', 'kubelet');
      this.writePod(rt);
      const wait = c.backoffSec * 1000;
      c.backoffSec = Math.min(300, c.backoffSec * 2);
      this.later(rt, wait, () => this.startContainer(rt, c, true));
    });
  }

  private runContainer(rt: PodRt, c: CtrRt, ageMs: number, silent: boolean): void {
    const b = this.behaviorOf(c.image);
    c.instance++;
    c.phase = 'running';
    c.ready = false;
    c.startedSim = this.clock.now();
    c.startedWall = Date.now() - ageMs;
    c.lastLogSim = c.startedSim;
    c.containerId = Array.from({ length: 64 }, () => Math.floor(this.rand() * 16).toString(16)).join('');
    if (!silent) {
      this.podEvent(rt, c, 'Normal', 'Created', `Created container: ${c.name}`, 'kubelet');
      this.podEvent(rt, c, 'Normal', 'Started', `Started container ${c.name}`, 'kubelet');
    }
    appendLog(c, c.startedWall, `level=INFO msg="starting" image=${c.image} container=${c.name}`);
    appendLog(c, c.startedWall, `level=INFO msg="listening" addr=:8080`);
    const startup = b.startup ?? 'ok';
    if (startup === 'crashloop') {
      this.later(rt, 1500 + Math.floor(this.rand() * 1000), () => this.crash(rt, c, 'Error', 1));
      return;
    }
    if (startup === 'oom') {
      this.later(rt, 2000, () => this.crash(rt, c, 'OOMKilled', 137));
      return;
    }
    const ready = () => {
      c.ready = true;
      this.writePod(rt);
    };
    if (ageMs > 0 || silent) c.ready = true;
    else this.later(rt, (b.readyDelaySeconds ?? 3) * 1000, ready);
    if (b.memoryLeakMiBPerMinute && c.memLimitMiB) {
      const minutes = (c.memLimitMiB - this.memoryMiB(c)) / b.memoryLeakMiBPerMinute;
      this.later(rt, Math.max(1000, minutes * 60_000), () => this.crash(rt, c, 'OOMKilled', 137));
    }
  }

  private crash(rt: PodRt, c: CtrRt, reason: 'Error' | 'OOMKilled', exitCode: number): void {
    const now = Date.now();
    if (reason === 'Error') {
      const lines = this.behaviorOf(c.image).crashLines ?? [
        `level=ERROR msg="failed to connect to upstream" err="dial tcp 10.96.0.15:5432: connect: connection refused"`,
        `level=FATAL msg="startup failed, exiting" exit_code=${exitCode}`,
        'panic: runtime error: invalid memory address or nil pointer dereference',
      ];
      for (const line of lines) appendLog(c, now, line);
    } else {
      appendLog(c, now, `level=WARN msg="heap usage high" heap_mib=${Math.round(this.memoryMiB(c))}`);
      this.podEvent(
        rt,
        c,
        'Warning',
        'OOMKilling',
        `Memory cgroup out of memory: Killed process ${1000 + Math.floor(this.rand() * 30000)} (${c.name}) total-vm:${Math.round(this.memoryMiB(c) * 1400)}kB`,
        'kernel-monitor',
      );
    }
    c.last = {
      exitCode,
      reason,
      startedAt: isoSeconds(c.startedWall),
      finishedAt: isoSeconds(now),
      containerID: `containerd://${c.containerId}`,
    };
    c.restartCount++;
    c.ready = false;
    c.phase = 'backoff';
    const wait = c.backoffSec;
    c.backoffSec = Math.min(300, c.backoffSec * 2);
    c.waitingMessage = `back-off ${wait < 60 ? `${wait}s` : `${Math.floor(wait / 60)}m${wait % 60 ? `${wait % 60}s` : '0s'}`} restarting failed container=${c.name} pod=${rt.name}_${rt.ns}(${rt.uid})`;
    this.podEvent(rt, c, 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${rt.name}_${rt.ns}(${rt.uid})`, 'kubelet');
    this.writePod(rt);
    this.later(rt, wait * 1000, () => {
      this.startContainer(rt, c, false);
      this.writePod(rt);
    });
  }

  /**
   * API-side delete: the pod goes Terminating (deletionTimestamp = now + grace), its containers are
   * stopped, then it disappears. A grace period of 0 (`--force --grace-period=0`) removes it at once.
   */
  deletePod(ns: string, name: string, graceSeconds?: number): any | undefined {
    const rt = this.pods.get(`${ns}/${name}`);
    const pod = this.store.peek('pods', ns, name);
    if (!pod) return undefined;
    const grace = graceSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
    if (!rt || grace === 0) {
      if (rt) for (const h of rt.timers) this.clock.cancel(h);
      this.pods.delete(`${ns}/${name}`);
      const gone = this.store.remove('pods', ns, name);
      this.changed();
      return gone;
    }
    if (rt.terminating) return clone(pod);
    rt.terminating = true;
    for (const h of rt.timers) this.clock.cancel(h);
    rt.timers.clear();
    for (const c of rt.containers) {
      c.ready = false;
      if (c.phase === 'running') this.podEvent(rt, c, 'Normal', 'Killing', `Stopping container ${c.name}`, 'kubelet');
    }
    const saved = this.writePod(rt, grace);
    this.later(rt, Math.min(TERMINATE_MS, grace * 1000), () => {
      this.pods.delete(`${ns}/${name}`);
      this.store.remove('pods', ns, name);
      this.changed();
    });
    return saved;
  }

  podExists(ns: string, name: string): boolean {
    return this.store.peek('pods', ns, name) !== undefined;
  }

  private setCond(rt: PodRt, type: string, ok: boolean): any {
    const status = ok ? 'True' : 'False';
    const prev = rt.conds.get(type);
    if (!prev || prev.status !== status) rt.conds.set(type, { status, at: isoSeconds(Date.now()) });
    const c: any = { type, status, lastProbeTime: null, lastTransitionTime: rt.conds.get(type)!.at };
    if (!ok && (type === 'Ready' || type === 'ContainersReady')) {
      const notReady = rt.containers.filter((x) => !x.ready).map((x) => x.name);
      c.reason = 'ContainersNotReady';
      c.message = `containers with unready status: [${notReady.join(' ')}]`;
    }
    return c;
  }

  private writePod(rt: PodRt, deletingGrace?: number): any {
    const cur = this.store.peek('pods', rt.ns, rt.name);
    if (!cur) return undefined;
    const pod = clone(cur);
    if (deletingGrace !== undefined) {
      pod.metadata.deletionTimestamp = isoSeconds(Date.now() + deletingGrace * 1000);
      pod.metadata.deletionGracePeriodSeconds = deletingGrace;
    }
    if (rt.scheduled) {
      pod.spec.nodeName = rt.nodeName;
      const everStarted = rt.containers.some((c) => c.instance > 0);
      const allReady = !rt.terminating && rt.containers.every((c) => c.ready);
      const hostIP = this.nodes.hostIp(rt.nodeName);
      pod.status = {
        phase: everStarted ? 'Running' : 'Pending',
        conditions: [
          this.setCond(rt, 'PodReadyToStartContainers', true),
          this.setCond(rt, 'Initialized', true),
          this.setCond(rt, 'Ready', allReady),
          this.setCond(rt, 'ContainersReady', allReady),
          this.setCond(rt, 'PodScheduled', true),
        ],
        hostIP,
        hostIPs: [{ ip: hostIP }],
        podIP: rt.ip,
        podIPs: [{ ip: rt.ip }],
        startTime: isoSeconds(rt.startWall),
        containerStatuses: rt.containers.map((c) => this.containerStatus(c)),
        qosClass: cur.status?.qosClass ?? 'BestEffort',
      };
    } else if (rt.unschedulable) {
      pod.status = {
        phase: 'Pending',
        conditions: [
          { type: 'PodScheduled', status: 'False', lastProbeTime: null, lastTransitionTime: isoSeconds(Date.now()), reason: 'Unschedulable', message: rt.unschedulable },
        ],
        qosClass: cur.status?.qosClass ?? 'BestEffort',
      };
    }
    const saved = this.store.put('pods', pod);
    this.changed();
    return saved;
  }

  private containerStatus(c: CtrRt): any {
    let state: any;
    switch (c.phase) {
      case 'creating':
        state = { waiting: { reason: 'ContainerCreating' } };
        break;
      case 'pullerr':
        state = { waiting: { reason: 'ErrImagePull', message: c.waitingMessage } };
        break;
      case 'pullbackoff':
        state = { waiting: { reason: 'ImagePullBackOff', message: c.waitingMessage } };
        break;
      case 'backoff':
        state = { waiting: { reason: 'CrashLoopBackOff', message: c.waitingMessage } };
        break;
      case 'running':
        state = { running: { startedAt: isoSeconds(c.startedWall) } };
        break;
    }
    const s: any = {
      name: c.name,
      state,
      lastState: c.last ? { terminated: { ...c.last } } : {},
      ready: c.ready,
      restartCount: c.restartCount,
      image: c.image,
      imageID: c.pulled ? `docker.io/library/${c.image.replace(/:.*$/, '')}@sha256:${fnv32a(c.image).toString(16).padStart(8, '0').repeat(8)}` : '',
      started: c.phase === 'running',
    };
    if (c.containerId) s.containerID = `containerd://${c.containerId}`;
    return s;
  }

  memoryMiB(c: CtrRt): number {
    const b = this.behaviorOf(c.image);
    const minutes = Math.max(0, (this.clock.now() - c.startedSim) / 60_000);
    return c.baseMem + (b.memoryLeakMiBPerMinute ?? 0) * minutes;
  }

  private podEvent(rt: PodRt, c: CtrRt | undefined, type: string, reason: string, message: string, component: string): void {
    const pod = this.store.peek('pods', rt.ns, rt.name);
    if (!pod) return;
    this.events.record(pod, type, reason, message, component, c ? `spec.containers{${c.name}}` : undefined, rt.nodeName || undefined);
  }
}

/** Ready and not being deleted (what controllers count as available; minReadySeconds is ignored). */
export function podReady(p: any): boolean {
  return !p.metadata.deletionTimestamp && (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
}
