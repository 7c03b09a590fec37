// Normalised Prometheus / Alertmanager data. Owned by the prometheus source.

export interface AlertRow {
  /** Alertmanager fingerprint, or a stable hash of the label set for Prometheus alerts. */
  fingerprint: string;
  name: string;
  state: 'pending' | 'firing' | 'resolved';
  severity: string | null;
  labels: Record<string, string>;
  summary: string | null;
  description: string | null;
  runbookUrl: string | null;
  activeAt: number | null;
  /** When it was first seen firing by this cockpit (for the "new" marker). */
  firstSeenAt: number;
  /** Set when it disappeared; resolved alerts stay visible for a few minutes. */
  resolvedAt: number | null;
  silenced: boolean;
  inhibited: boolean;
  silenceEndsAt: number | null;
  /** The alert's own value at its last evaluation, as Prometheus gives it (absent from Alertmanager-only alerts). */
  value?: number | null;
}

export interface ServiceSignals {
  name: string;
  /** 5xx ratio 0..1, or null when the query returned nothing. */
  errorRate: number | null;
  p95Seconds: number | null;
  requestRate: number | null;
  requestRateHourAgo: number | null;
  /** Last 30 minutes of the error ratio, oldest first, for the sparkline. */
  errorRateSeries: number[];
  latencySeries: number[];
  /** Per-query problems ("no data", "NaN", errorType: message). */
  problems: string[];
  /** When every instant query for this service last gave a good value; failed ones keep their last value. */
  updatedAt: number | null;
}

export interface PromData {
  alerts: AlertRow[];
  services: ServiceSignals[];
  alertmanager: boolean;
  /** The rate window the services' figures are measured over ("1m"), for the pane title. */
  rateWindow?: string;
  /** Names of every alerting rule Prometheus evaluates, firing or not: none may reach a public page. */
  alertRules?: string[];
}

export function emptyPromData(): PromData {
  return { alerts: [], services: [], alertmanager: false };
}
