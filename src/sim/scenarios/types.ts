// Scenario definitions are data: the starting cluster, a timeline of triggers on the sim
// clock, image behaviours, and a pure `world` function that turns what the simulators show
// now (an Observation) into the signals Prometheus serves and the load on Postgres/Redis.
import type { DeploymentSpec, ImageBehavior } from '../kube/types.js';
export type { DeploymentSpec };
import type { PromWorld, SimAlertRule } from '../prometheus/sim.js';

/** A service as Prometheus sees it: traffic served by one deployment. */
export interface ServiceSpec {
  deployment: string;
  /** Requests per second at normal load. */
  baseRps: number;
  baseErrorRatio: number;
  baseP95Seconds: number;
  /** Requests per second one ready pod handles before queueing sets in. */
  rpsPerPod: number;
  /** What customers call it on the status page. */
  publicName?: string;
}

export type TriggerAction =
  | { kind: 'setImage'; deployment: string; image: string; changeCause: string }
  /** Marks a named event; world functions read its time from `Observation.events`. */
  | { kind: 'event'; key: string };

export interface Trigger {
  /** Sim seconds after the drill starts. */
  at: number;
  /** What happens, in the words of whoever would notice it (for logs and tests). */
  note: string;
  action: TriggerAction;
}

export interface PodObs {
  name: string;
  image: string;
  ready: boolean;
  phase: string;
  restarts: number;
  /** Sim seconds (drill time) the pod was created; negative for pods from before the drill. */
  createdAt: number;
  /** Sim seconds the current container started, when running. */
  startedAt: number | null;
  waitingReason: string | null;
  lastTerminatedReason: string | null;
  terminating: boolean;
  restartedAt: string | null;
}

export interface DeploymentObs {
  name: string;
  image: string;
  /** spec.replicas */
  replicas: number;
  pods: PodObs[];
  /** The pod template's kubectl.kubernetes.io/restartedAt annotation, if any. */
  restartedAt: string | null;
}

export interface Observation {
  /** Sim seconds since the drill started. */
  t: number;
  /** Sim second each fired trigger's event key (and `setImage:<deployment>`) happened. */
  events: Record<string, number>;
  deployments: Record<string, DeploymentObs>;
  /** Real sessions when the drill's Postgres runs, else null. */
  postgres: { sessions: number; maxConnections: number } | null;
}

export interface PgLoad {
  active: number;
  idle: number;
  idleInTransaction: number;
  blocked: number;
}

export interface WorldOutput {
  world: PromWorld;
  /** Sessions the drill's Postgres should hold now. */
  postgres: PgLoad;
  /** Whether Redis should refuse to answer. */
  redisOutage: boolean;
  /** Extra latency Redis adds to each command. */
  redisLatencyMs: number;
  /**
   * Log lines that depend on the world (api logging cache timeouts while Redis hangs): the images'
   * log generators to use now, under a key that changes when they do. Absent: the images' own.
   */
  logs?: { key: string; images: Record<string, ImageBehavior['logLine']> };
}

export interface ScenarioInfo {
  name: string;
  title: string;
  /** What happens and what the trainee should find. */
  description: string;
  /** The action that ends the incident, in kubectl words. */
  cure: string;
}

export interface Scenario extends ScenarioInfo {
  namespace: string;
  deployments: DeploymentSpec[];
  services: Record<string, ServiceSpec>;
  images: Record<string, ImageBehavior>;
  timeline: Trigger[];
  /** Parts of the scenario that need a real backend. */
  uses: { postgres: boolean; redis: boolean };
  /** Max connections assumed when no real Postgres runs. */
  postgresMaxConnections: number;
  /** Pure: the same observation gives the same output. */
  world(obs: Observation): WorldOutput;
  rules: SimAlertRule[];
}
