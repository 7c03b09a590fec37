// The PromQL the source sends, in one place: the simulator answers exactly these forms.
// Services using the defaults are answered together by one grouped query per signal
// (`sum by (service) (…{service=~"a|b"}…)`); the single-service forms (a `service="NAME"`
// matcher added to every selector) remain for the post-mortem's impact figures. A per-service
// override in the config is sent verbatim.
import type { ServiceConfig } from '../../config/schema.js';

import type { Config } from '../../config/schema.js';

/** The default rate window: short enough that the pane agrees with typical `rate(…[1m])` alerts. */
export const RATE_WINDOW = '1m';

export function rateWindowOf(config: Pick<Config, 'prometheus'>): string {
  return config.prometheus?.rateWindow ?? RATE_WINDOW;
}

/** `{service="NAME"}`-style matcher list (without braces), escaped as PromQL strings. */
export function serviceMatcher(service: string | undefined): string {
  return service ? `service=${JSON.stringify(service)}` : '';
}

function selector(...matchers: string[]): string {
  const m = matchers.filter(Boolean);
  return m.length ? `{${m.join(',')}}` : '';
}

export function defaultErrorRateQuery(service?: string, w = RATE_WINDOW): string {
  const s = serviceMatcher(service);
  return `sum(rate(http_requests_total${selector(s, 'status=~"5.."')}[${w}])) / ` + `sum(rate(http_requests_total${selector(s)}[${w}]))`;
}

export function defaultLatencyP95Query(service?: string, w = RATE_WINDOW): string {
  return `histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket${selector(serviceMatcher(service))}[${w}])) by (le))`;
}

export function defaultRequestRateQuery(service?: string, w = RATE_WINDOW): string {
  return `sum(rate(http_requests_total${selector(serviceMatcher(service))}[${w}]))`;
}

/** The same rate an hour ago, with `offset 1h` (only for the default form). */
export function defaultRequestRateHourAgoQuery(service?: string, w = RATE_WINDOW): string {
  return `sum(rate(http_requests_total${selector(serviceMatcher(service))}[${w}] offset 1h))`;
}

export interface ServiceQueries {
  errorRate: string;
  p95: string;
  requestRate: string;
  /** When null, the request-rate query is evaluated with `time` set one hour back. */
  requestRateHourAgo: string | null;
}

/**
 * The queries for one configured service. An overridden request-rate query cannot have
 * `offset 1h` spliced into it safely, so it is evaluated at now − 1h instead.
 */
export function serviceQueries(svc: Pick<ServiceConfig, 'name' | 'errorRateQuery' | 'latencyP95Query' | 'requestRateQuery'>, w = RATE_WINDOW): ServiceQueries {
  const name = svc.name;
  return {
    errorRate: svc.errorRateQuery ?? defaultErrorRateQuery(name, w),
    p95: svc.latencyP95Query ?? defaultLatencyP95Query(name, w),
    requestRate: svc.requestRateQuery ?? defaultRequestRateQuery(name, w),
    requestRateHourAgo: svc.requestRateQuery ? null : defaultRequestRateHourAgoQuery(name, w),
  };
}

// ---------------------------------------------------------------------------------------------
// Grouped forms: one query per signal answers every service that uses the defaults. Results are
// matched back to services by their `service` label.

/** Escapes RE2 metacharacters so a service name matches only itself inside `=~`. */
export function escapeRegex(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

/** `service=~"a|b"` (anchored by Prometheus) for the given names, escaped for the regex and the string. */
export function servicesMatcher(services: readonly string[]): string {
  return `service=~${JSON.stringify(services.map(escapeRegex).join('|'))}`;
}

export function groupedErrorRateQuery(services: readonly string[], w = RATE_WINDOW): string {
  const s = servicesMatcher(services);
  return `sum by (service) (rate(http_requests_total{status=~"5..",${s}}[${w}])) / ` + `sum by (service) (rate(http_requests_total{${s}}[${w}]))`;
}

export function groupedLatencyP95Query(services: readonly string[], w = RATE_WINDOW): string {
  return `histogram_quantile(0.95, sum by (service, le) (rate(http_request_duration_seconds_bucket{${servicesMatcher(services)}}[${w}])))`;
}

export function groupedRequestRateQuery(services: readonly string[], w = RATE_WINDOW): string {
  return `sum by (service) (rate(http_requests_total{${servicesMatcher(services)}}[${w}]))`;
}

export function groupedRequestRateHourAgoQuery(services: readonly string[], w = RATE_WINDOW): string {
  return `sum by (service) (rate(http_requests_total{${servicesMatcher(services)}}[${w}] offset 1h))`;
}

export type Signal = 'errorRate' | 'p95' | 'requestRate' | 'requestRateHourAgo';

export interface QueryPlan {
  /** One query per signal for every service without an override of it; null when there are none. */
  grouped: Record<Signal, { query: string; services: string[] } | null>;
  /**
   * Per-service queries for the signals a service overrides. An overridden request rate cannot
   * have `offset 1h` spliced into it safely, so its hour-ago value is the override evaluated at
   * now − 1h (`hourBack`).
   */
  own: Array<{ service: string; signal: Signal; query: string; hourBack: boolean }>;
}

type OverridableService = Pick<ServiceConfig, 'name' | 'errorRateQuery' | 'latencyP95Query' | 'requestRateQuery'>;

const OVERRIDE: Record<Signal, 'errorRateQuery' | 'latencyP95Query' | 'requestRateQuery'> = {
  errorRate: 'errorRateQuery',
  p95: 'latencyP95Query',
  requestRate: 'requestRateQuery',
  requestRateHourAgo: 'requestRateQuery',
};

const GROUPED: Record<Signal, (services: readonly string[], w?: string) => string> = {
  errorRate: groupedErrorRateQuery,
  p95: groupedLatencyP95Query,
  requestRate: groupedRequestRateQuery,
  requestRateHourAgo: groupedRequestRateHourAgoQuery,
};

export const SIGNALS: readonly Signal[] = ['errorRate', 'p95', 'requestRate', 'requestRateHourAgo'];

/** True when the service has its own query for at least one signal. */
export function hasOverride(svc: OverridableService): boolean {
  return Boolean(svc.errorRateQuery || svc.latencyP95Query || svc.requestRateQuery);
}

/**
 * Which queries answer which services: the signals a service does not override are batched
 * into one grouped query each (duplicate names are queried once); overridden signals keep the
 * service's own query.
 */
export function planQueries(services: readonly OverridableService[], w = RATE_WINDOW): QueryPlan {
  const grouped = {} as QueryPlan['grouped'];
  const own: QueryPlan['own'] = [];
  for (const signal of SIGNALS) {
    const names = [...new Set(services.filter((s) => !s[OVERRIDE[signal]]).map((s) => s.name))];
    grouped[signal] = names.length ? { query: GROUPED[signal](names, w), services: names } : null;
  }
  for (const s of services) {
    if (!hasOverride(s)) continue;
    for (const signal of SIGNALS) {
      const query = s[OVERRIDE[signal]];
      if (query) own.push({ service: s.name, signal, query, hourBack: signal === 'requestRateHourAgo' });
    }
  }
  return { grouped, own };
}
