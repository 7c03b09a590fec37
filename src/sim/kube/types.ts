export interface ImageBehavior {
  startup?: 'ok' | 'crashloop' | 'imagepull' | 'oom'; // default 'ok'
  readyDelaySeconds?: number; // default 3
  memoryLeakMiBPerMinute?: number;
  memoryLimitMiB?: number; // leak → OOMKilled when memory crosses the limit, then restart
  baseMemoryMiB?: number;
  cpuMilli?: number;
  logLine?: (podName: string, seq: number, rand: () => number) => string;
  /** What the container writes just before it crashes (default: a generic upstream error and a panic). */
  crashLines?: string[];
}

export interface KubeSimOptions {
  speed?: number;
  seed?: number;
  /** Real milliseconds between BOOKMARK events on watches that asked for them (default 1000). */
  bookmarkIntervalMs?: number;
  /** Receives one line per answered request ("GET /api/v1/pods 200"), for debugging. */
  log?: (msg: string) => void;
}

/** A deployment as the simulator creates it (addDeployment adds the namespace). */
export interface DeploymentSpec {
  name: string;
  image: string;
  replicas: number;
  labels?: Record<string, string>;
  changeCause?: string;
  maxSurge?: number | string;
  maxUnavailable?: number | string;
  containerName?: string;
  /** More containers in each pod after the main one (e.g. a log shipper). */
  sidecars?: Array<{ name: string; image: string }>;
}

/** A StatefulSet as the simulator creates it: pods <name>-0 … <name>-(n-1), already rolled out. */
export interface StatefulSetSpec {
  name: string;
  image: string;
  replicas: number;
  labels?: Record<string, string>;
  serviceName?: string;
  containerName?: string;
  podManagementPolicy?: 'OrderedReady' | 'Parallel';
  changeCause?: string;
}

/** A DaemonSet as the simulator creates it: one pod per node, already rolled out. */
export interface DaemonSetSpec {
  name: string;
  image: string;
  labels?: Record<string, string>;
  containerName?: string;
  changeCause?: string;
}
