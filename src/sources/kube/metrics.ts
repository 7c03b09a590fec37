// metrics.k8s.io polling (the metrics API has no watch). Only what is shown is fetched: the selected
// namespaces and label selector, never more often than every 15 s, and the interval stretches so that
// the bytes received stay within a budget per minute however many pods there are (at 5,000 pods a
// PodMetrics list is ~1.7 MB, so it is fetched about every 100 s instead of every 15 s).
import { safeTimeout } from '../../util/delay.js';
import type { ContainerMetric, NodeMetric, PodMetric, Usage as MetricsUsage } from '@kubernetes/client-node';
import { isRecord, parseBytes, parseCpuMilli, type Kube } from './normalize.js';

export const MIN_METRICS_INTERVAL_MS = 15_000;
export const METRICS_BUDGET_BYTES_PER_MIN = 1024 * 1024;
/** Without a metrics API, look again only once a minute. */
const UNAVAILABLE_RETRY_MS = 60_000;

export interface Usage {
  cpuMilli: number | null;
  memoryBytes: number | null;
}

export interface MetricsResult {
  available: boolean;
  pods: Map<string, Usage>;
  /** null when node metrics are not readable (forbidden, or no metrics API). */
  nodes: Map<string, Usage> | null;
  error?: Error;
}

export interface MetricsPollerOptions {
  /** GET the path: the JSON body (unknown until read) and its size. */
  fetch: (path: string, query: Record<string, string | undefined>) => Promise<{ body: unknown; bytes: number }>;
  /** The namespaces shown (null: all) and the label selector in use. */
  scope: () => { namespaces: string[] | null; labelSelector?: string };
  intervalMs?: number;
  budgetBytesPerMinute?: number;
  onResult: (r: MetricsResult) => void;
  /** false to stop polling node metrics (e.g. forbidden); default true. */
  nodes?: boolean;
}

/**
 * The items of a PodMetricsList or NodeMetricsList (client-node's types, as JSON): none when the body
 * has no items; a body whose items are not a list is an error, as iterating it was.
 */
function itemsOf<T>(body: unknown): Kube<T, string>[] {
  const items = isRecord(body) ? body.items : undefined;
  if (items == null) return [];
  if (!Array.isArray(items)) throw new TypeError('metrics: the list has no items array');
  return items as Kube<T, string>[];
}

function usageOf(containers: Kube<ContainerMetric, string>[] | undefined, usage?: Kube<MetricsUsage, string>): Usage {
  if (usage) return { cpuMilli: parseCpuMilli(usage.cpu), memoryBytes: parseBytes(usage.memory) };
  let cpu: number | null = null;
  let mem: number | null = null;
  for (const ct of containers ?? []) {
    const cv = parseCpuMilli(ct.usage?.cpu);
    const mv = parseBytes(ct.usage?.memory);
    if (cv != null) cpu = (cpu ?? 0) + cv;
    if (mv != null) mem = (mem ?? 0) + mv;
  }
  return { cpuMilli: cpu, memoryBytes: mem };
}

export class MetricsPoller {
  private timer: NodeJS.Timeout | null = null;
  private generation = 0;
  private inFlight = false;
  private nodesReadable: boolean;
  /** Body bytes received and polls made since start (for the bench and tests). */
  readonly stats = { bytes: 0, polls: 0, lastBytes: 0, lastDelayMs: 0 };
  private readonly intervalMs: number;
  private readonly budget: number;

  constructor(private readonly o: MetricsPollerOptions) {
    this.intervalMs = Math.max(MIN_METRICS_INTERVAL_MS, o.intervalMs ?? MIN_METRICS_INTERVAL_MS);
    this.budget = o.budgetBytesPerMinute ?? METRICS_BUDGET_BYTES_PER_MIN;
    this.nodesReadable = o.nodes ?? true;
  }

  start(): void {
    const gen = ++this.generation;
    void this.tick(gen);
  }

  stop(): void {
    this.generation++;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Poll now (Ctrl-R); the next poll is scheduled from this one. */
  pollNow(): void {
    if (this.inFlight) return;
    if (this.timer) clearTimeout(this.timer);
    void this.tick(this.generation);
  }

  /** The wait before the next poll: the interval, stretched to keep within the byte budget. */
  delayAfter(bytes: number, available: boolean): number {
    if (!available) return UNAVAILABLE_RETRY_MS;
    return Math.max(this.intervalMs, Math.ceil((bytes / this.budget) * 60_000));
  }

  private async tick(gen: number): Promise<void> {
    this.inFlight = true;
    let bytes = 0;
    let result: MetricsResult;
    try {
      const { namespaces, labelSelector } = this.o.scope();
      const q = { labelSelector: labelSelector || undefined };
      const paths = (namespaces ?? [null]).map((n) => (n ? `/apis/metrics.k8s.io/v1beta1/namespaces/${encodeURIComponent(n)}/pods` : '/apis/metrics.k8s.io/v1beta1/pods'));
      const lists = await Promise.all(paths.map((p) => this.o.fetch(p, q)));
      const pods = new Map<string, Usage>();
      for (const l of lists) {
        bytes += l.bytes;
        for (const m of itemsOf<PodMetric>(l.body)) pods.set(`${m.metadata?.namespace}/${m.metadata?.name}`, usageOf(m.containers));
      }
      let nodes: Map<string, Usage> | null = null;
      if (this.nodesReadable) {
        try {
          const r = await this.o.fetch('/apis/metrics.k8s.io/v1beta1/nodes', {});
          bytes += r.bytes;
          nodes = new Map();
          for (const m of itemsOf<NodeMetric>(r.body)) nodes.set(String(m.metadata?.name), usageOf(undefined, m.usage));
        } catch (e) {
          // Forbidden node metrics (a namespaced role) are not an error of the pod metrics.
          if ((e as { code?: number }).code === 403) this.nodesReadable = false;
        }
      }
      result = { available: true, pods, nodes };
    } catch (e) {
      result = { available: false, pods: new Map(), nodes: null, error: e as Error };
    } finally {
      this.inFlight = false;
    }
    if (gen !== this.generation) return;
    this.stats.bytes += bytes;
    this.stats.polls++;
    this.stats.lastBytes = bytes;
    this.o.onResult(result);
    if (gen !== this.generation) return;
    const delay = this.delayAfter(bytes, result.available);
    this.stats.lastDelayMs = delay;
    this.timer = safeTimeout(() => void this.tick(gen), delay);
    this.timer.unref?.();
  }
}
