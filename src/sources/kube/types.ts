// Normalised Kubernetes data as the panes need it. Owned by the kube source.

export type PodPhaseView =
  | 'Running'
  | 'Pending'
  | 'ContainerCreating'
  | 'Succeeded'
  | 'Failed'
  | 'Unknown'
  | 'CrashLoopBackOff'
  | 'OOMKilled'
  | 'ImagePullBackOff'
  | 'ErrImagePull'
  | 'Terminating'
  | 'Error'
  | 'Completed'
  | string;

export interface PodRow {
  /** namespace/name */
  key: string;
  namespace: string;
  name: string;
  ready: number;
  containers: number;
  /** What a responder needs to read: CrashLoopBackOff, OOMKilled, Pending (Unschedulable)… */
  status: PodPhaseView;
  /** Extra detail for the status, e.g. the Pending reason or the last termination reason. */
  reason: string | null;
  healthy: boolean;
  restarts: number;
  /** Restarts seen in the last 10 minutes (from the watch). */
  recentRestarts: number;
  createdAt: number;
  node: string | null;
  /** Owning deployment name when known (via ReplicaSet owner). */
  deployment: string | null;
  /** The workload that owns the pod (Deployment through its ReplicaSet, StatefulSet, DaemonSet, Job…). */
  owner?: { kind: string; name: string } | null;
  containerNames?: string[];
  /** The TCP ports the containers declare. */
  ports?: { container: string; port: number; name?: string }[];
  cpuMilli: number | null;
  memoryBytes: number | null;
  /** Sum of the containers' limits; null when any container has none (no ceiling). */
  cpuLimitMilli?: number | null;
  memoryLimitBytes?: number | null;
  /** Usage against the limit, in percent (null without usage or limit). */
  cpuPct?: number | null;
  memPct?: number | null;
  /** The newest container termination (OOMKilled, Error, Completed…) and when it ended. */
  lastTermination?: { reason: string; exitCode: number | null; at: number | null; container: string } | null;
}

export interface StatefulSetRow {
  key: string;
  namespace: string;
  name: string;
  desired: number;
  current: number;
  ready: number;
  updated: number;
  images: string[];
  /** The update revision's number (from its ControllerRevision when known), else null. */
  revision: number | null;
  currentRevision: string | null;
  updateRevision: string | null;
  rolling: boolean;
  /** kubectl rollout status's message. */
  rollout: string;
  uid: string;
}

export interface DaemonSetRow {
  key: string;
  namespace: string;
  name: string;
  desired: number;
  current: number;
  ready: number;
  updated: number;
  available: number;
  misscheduled: number;
  images: string[];
  revision: number | null;
  rolling: boolean;
  rollout: string;
  uid: string;
}

export interface NodeRow {
  key: string;
  name: string;
  /** Ready condition: True, False or Unknown. */
  ready: string;
  /** Conditions other than Ready that are True (MemoryPressure, DiskPressure, PIDPressure…). */
  pressures: string[];
  unschedulable: boolean;
  /** key=value:Effect, as kubectl describe prints them. */
  taints: string[];
  roles: string[];
  version: string;
  createdAt: number;
  /** Pods on the node among those the cockpit watches. */
  pods: number;
  cpuMilli: number | null;
  memoryBytes: number | null;
  cpuAllocMilli: number | null;
  memoryAllocBytes: number | null;
  cpuPct: number | null;
  memPct: number | null;
}

export interface DeploymentRow {
  key: string;
  namespace: string;
  name: string;
  desired: number;
  ready: number;
  updated: number;
  available: number;
  images: string[];
  revision: number | null;
  /** Epoch ms of the newest ReplicaSet's creation: "what changed?". */
  lastRolloutAt: number | null;
  paused: boolean;
  /** Rollout in progress: updated/ready/available not yet at desired, or generation not observed. */
  rolling: boolean;
  /** Progressing condition reason when it says the rollout failed (ProgressDeadlineExceeded). */
  failedReason: string | null;
  uid: string;
  /** kubernetes.io/change-cause of the deployment (or its newest ReplicaSet). */
  changeCause?: string | null;
  /** The pod template's kubectl.kubernetes.io/restartedAt (set by `kubectl rollout restart`). */
  restartedAt?: string | null;
  /** The images of the revision before the current one, when its ReplicaSet is still there. */
  previousImages?: string[] | null;
}

export interface EventRow {
  key: string;
  namespace: string;
  type: 'Normal' | 'Warning' | string;
  reason: string;
  object: string;
  message: string;
  count: number;
  lastAt: number;
}

export interface KubeData {
  context: string | null;
  cluster: string | null;
  namespaces: string[];
  allNamespaces: boolean;
  pods: PodRow[];
  deployments: DeploymentRow[];
  statefulSets?: StatefulSetRow[];
  daemonSets?: DaemonSetRow[];
  nodes?: NodeRow[];
  /** Why nodes are not shown (no permission to list them), or null. */
  nodesError?: string | null;
  events: EventRow[];
  metricsAvailable: boolean;
}

export function emptyKubeData(): KubeData {
  return {
    context: null,
    cluster: null,
    namespaces: [],
    allNamespaces: false,
    pods: [],
    deployments: [],
    statefulSets: [],
    daemonSets: [],
    nodes: [],
    nodesError: null,
    events: [],
    metricsAvailable: false,
  };
}
