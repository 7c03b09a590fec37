// Runs a scenario against the simulators: sets up the cluster, fires the timeline on the sim
// clock, and on every tick reads the simulators' state (the same state kubectl and warroom
// change through the real APIs) into an Observation, asks the scenario's pure world function
// what follows from it, and pushes that to Prometheus (via world()), Postgres and Redis.
import type { KubeSim } from '../kube/index.js';
import type { PromWorld } from '../prometheus/sim.js';
import type { DeploymentObs, Observation, PgLoad, PodObs, Scenario, Trigger, WorldOutput } from './types.js';
import { seededRand } from '../random.js';

/** What the engine needs from the drill's Postgres and Redis (subsets of DrillPostgres/DrillRedis). */
export interface EnginePostgres {
  maxConnections: number;
  load: { setTarget(t: PgLoad): unknown; current?(): PgLoad };
}
export interface EngineRedis {
  outage(on: boolean): Promise<void>;
  setLatencyMs(ms: number): void;
}

export interface EngineOptions {
  scenario: Scenario;
  kube: KubeSim;
  postgres?: EnginePostgres | null;
  redis?: EngineRedis | null;
  speed?: number;
  /** Seeds the jitter of trigger times (±15%), so one seed gives one run. */
  seed?: number;
  log?: (msg: string) => void;
}

const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

/** Trigger times jittered by ±15% with a seeded PRNG, in timeline order. */
export function scheduleTimeline(timeline: readonly Trigger[], seed: number): Trigger[] {
  const rand = seededRand(seed);
  return timeline.map((t) => ({ ...t, at: Math.round(t.at * (0.85 + 0.3 * rand())) })).sort((a, b) => a.at - b.at);
}

interface PodTrack {
  createdAt: number;
  restarts: number;
  running: boolean;
  startedAt: number | null;
}

export class ScenarioEngine {
  readonly scenario: Scenario;
  readonly speed: number;
  readonly timeline: Trigger[];
  private readonly kube: KubeSim;
  private pg: EnginePostgres | null;
  private redis: EngineRedis | null;
  private readonly log: (msg: string) => void;
  private wallStart = Date.now();
  private fired = 0;
  private readonly events: Record<string, number> = {};
  private readonly pods = new Map<string, PodTrack>();
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private last: WorldOutput | null = null;
  private pgTarget = '';
  private redisDown = false;
  private logsKey = '';
  private redisLatency = 0;
  private stopped = false;

  constructor(opts: EngineOptions) {
    this.scenario = opts.scenario;
    this.kube = opts.kube;
    this.pg = opts.postgres ?? null;
    this.redis = opts.redis ?? null;
    this.speed = opts.speed && opts.speed > 0 ? opts.speed : 1;
    this.log = opts.log ?? (() => {});
    this.timeline = scheduleTimeline(opts.scenario.timeline, opts.seed ?? 1);
  }

  /** Creates the namespace, deployments and image behaviours; call once, before start(). */
  setup(): void {
    const s = this.scenario;
    for (const [image, behavior] of Object.entries(s.images)) this.kube.setImageBehavior(image, behavior);
    this.kube.addNamespace(s.namespace);
    for (const d of s.deployments) this.kube.addDeployment({ namespace: s.namespace, ...d });
    this.wallStart = Date.now();
    this.trackPods();
  }

  /** Connects the backends that started after setup (Postgres, Redis). */
  attach(parts: { postgres?: EnginePostgres | null; redis?: EngineRedis | null }): void {
    if (parts.postgres !== undefined) this.pg = parts.postgres;
    if (parts.redis !== undefined) this.redis = parts.redis;
  }

  /** Starts the clock: t = 0 is now. */
  start(): void {
    if (this.timer || this.stopped) return;
    this.wallStart = Date.now();
    this.pods.clear();
    this.trackPods();
    // Pods running when the drill starts were created before it.
    for (const tr of this.pods.values()) tr.createdAt = -1;
    this.unsubscribe = this.kube.onChange(() => this.trackPods());
    const ms = Math.max(50, Math.min(1000, 2000 / this.speed));
    this.timer = setInterval(() => this.tick(), ms);
    this.timer.unref?.();
    this.tick();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  /** Drill time in sim seconds. */
  t(): number {
    return ((Date.now() - this.wallStart) * this.speed) / 1000;
  }

  /** Sim second at which each event (and `setImage:<deployment>`) fired. */
  firedEvents(): Readonly<Record<string, number>> {
    return { ...this.events };
  }

  /** The current world for PromSim (computed on demand before the first tick). */
  world(): PromWorld {
    return (this.last ?? this.compute()).world;
  }

  /** The last full output (world, Postgres load, Redis state). */
  output(): WorldOutput {
    return this.last ?? this.compute();
  }

  tick(): void {
    if (this.stopped) return;
    try {
      this.fireDue();
      this.last = this.compute();
      this.apply(this.last);
    } catch (e) {
      this.log(`scenario ${this.scenario.name}: tick failed: ${(e as Error).message}`);
    }
  }

  private fireDue(): void {
    const t = this.t();
    while (this.fired < this.timeline.length && this.timeline[this.fired]!.at <= t) {
      const trig = this.timeline[this.fired++]!;
      const a = trig.action;
      if (a.kind === 'setImage') {
        this.kube.setImage(this.scenario.namespace, a.deployment, a.image, a.changeCause);
        this.events[`setImage:${a.deployment}`] = t;
      } else {
        this.events[a.key] = t;
      }
      this.log(`drill t+${Math.round(t)}s: ${trig.note}`);
    }
  }

  private compute(): WorldOutput {
    return this.scenario.world(this.observe());
  }

  private apply(out: WorldOutput): void {
    const logsKey = out.logs?.key ?? '';
    if (logsKey !== this.logsKey) {
      this.logsKey = logsKey;
      for (const [image, behavior] of Object.entries(this.scenario.images)) {
        const override = out.logs?.images[image];
        this.kube.setImageBehavior(image, override ? { ...behavior, logLine: override } : behavior);
      }
    }
    if (this.pg) {
      const key = JSON.stringify(out.postgres);
      if (key !== this.pgTarget) {
        this.pgTarget = key;
        Promise.resolve(this.pg.load.setTarget(out.postgres)).catch((e: unknown) => this.log(`drill postgres load: ${(e as Error).message}`));
      }
    }
    if (this.redis) {
      if (out.redisOutage !== this.redisDown) {
        this.redisDown = out.redisOutage;
        this.log(`drill: redis ${out.redisOutage ? 'stops answering' : 'answers again'}`);
        this.redis.outage(out.redisOutage).catch((e: unknown) => this.log(`drill redis outage: ${(e as Error).message}`));
      }
      if (out.redisLatencyMs !== this.redisLatency) {
        this.redisLatency = out.redisLatencyMs;
        this.redis.setLatencyMs(out.redisLatencyMs);
      }
    }
  }

  /** Records when each pod was first seen and when its current container started. */
  private trackPods(): void {
    const t = this.t();
    const seen = new Set<string>();
    for (const p of this.kube.listPods(this.scenario.namespace)) {
      const uid: string = p.metadata?.uid ?? p.metadata?.name;
      seen.add(uid);
      const cs = p.status?.containerStatuses?.[0];
      const restarts = Number(cs?.restartCount ?? 0);
      const running = Boolean(cs?.state?.running);
      let tr = this.pods.get(uid);
      if (!tr) this.pods.set(uid, (tr = { createdAt: t, restarts, running: false, startedAt: null }));
      if (restarts !== tr.restarts || (running && !tr.running)) tr.startedAt = running ? t : null;
      else if (!running) tr.startedAt = null;
      tr.restarts = restarts;
      tr.running = running;
    }
    for (const uid of this.pods.keys()) if (!seen.has(uid)) this.pods.delete(uid);
  }

  /** Reads the simulators into an Observation. */
  observe(): Observation {
    this.trackPods();
    const ns = this.scenario.namespace;
    const rsOwner = new Map<string, string>();
    for (const rs of this.kube.listReplicaSets(ns)) {
      const owner = rs.metadata?.ownerReferences?.find((o: any) => o.kind === 'Deployment');
      if (owner) rsOwner.set(rs.metadata.name, owner.name);
    }
    const deployments: Record<string, DeploymentObs> = {};
    for (const spec of this.scenario.deployments) {
      const d = this.kube.getDeployment(ns, spec.name);
      if (!d) continue;
      deployments[spec.name] = {
        name: spec.name,
        image: d.spec?.template?.spec?.containers?.[0]?.image ?? '',
        replicas: Number(d.spec?.replicas ?? 0),
        restartedAt: d.spec?.template?.metadata?.annotations?.[RESTARTED_AT] ?? null,
        pods: [],
      };
    }
    for (const p of this.kube.listPods(ns)) {
      const rs = p.metadata?.ownerReferences?.find((o: any) => o.kind === 'ReplicaSet')?.name;
      const depName = (rs && rsOwner.get(rs)) ?? Object.keys(deployments).find((n) => String(p.metadata?.name).startsWith(`${n}-`));
      const dep = depName ? deployments[depName] : undefined;
      if (!dep) continue;
      dep.pods.push(this.podObs(p));
    }
    let postgres: Observation['postgres'] = null;
    if (this.pg) {
      const cur = this.pg.load.current?.();
      postgres = { sessions: cur ? cur.active + cur.idle + cur.idleInTransaction + cur.blocked : 0, maxConnections: this.pg.maxConnections };
    }
    return { t: this.t(), events: { ...this.events }, deployments, postgres };
  }

  private podObs(p: any): PodObs {
    const uid: string = p.metadata?.uid ?? p.metadata?.name;
    const tr = this.pods.get(uid);
    const cs = p.status?.containerStatuses?.[0];
    const ready = (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
    return {
      name: p.metadata?.name ?? '',
      image: p.spec?.containers?.[0]?.image ?? '',
      ready,
      phase: p.status?.phase ?? 'Unknown',
      restarts: Number(cs?.restartCount ?? 0),
      createdAt: tr?.createdAt ?? this.t(),
      startedAt: tr?.startedAt ?? null,
      waitingReason: cs?.state?.waiting?.reason ?? null,
      lastTerminatedReason: cs?.lastState?.terminated?.reason ?? null,
      terminating: Boolean(p.metadata?.deletionTimestamp),
      restartedAt: p.metadata?.annotations?.[RESTARTED_AT] ?? null,
    };
  }
}
