// The PromQL the source sends, in one place: the simulator answers exactly these forms.
// With a service name, a `service="NAME"` matcher is added to every selector of the default
// queries; a per-service override in the config is sent verbatim.
import type { ServiceConfig } from '../../config/schema.js';

export const RATE_WINDOW = '5m';

/** `{service="NAME"}`-style matcher list (without braces), escaped as PromQL strings. */
export function serviceMatcher(service: string | undefined): string {
  return service ? `service=${JSON.stringify(service)}` : '';
}

function selector(...matchers: string[]): string {
  const m = matchers.filter(Boolean);
  return m.length ? `{${m.join(',')}}` : '';
}

export function defaultErrorRateQuery(service?: string): string {
  const s = serviceMatcher(service);
  return (
    `sum(rate(http_requests_total${selector(s, 'status=~"5.."')}[${RATE_WINDOW}])) / ` +
    `sum(rate(http_requests_total${selector(s)}[${RATE_WINDOW}]))`
  );
}

export function defaultLatencyP95Query(service?: string): string {
  return `histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket${selector(serviceMatcher(service))}[${RATE_WINDOW}])) by (le))`;
}

export function defaultRequestRateQuery(service?: string): string {
  return `sum(rate(http_requests_total${selector(serviceMatcher(service))}[${RATE_WINDOW}]))`;
}

/** The same rate an hour ago, with `offset 1h` (only for the default form). */
export function defaultRequestRateHourAgoQuery(service?: string): string {
  return `sum(rate(http_requests_total${selector(serviceMatcher(service))}[${RATE_WINDOW}] offset 1h))`;
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
export function serviceQueries(svc: Pick<ServiceConfig, 'name' | 'errorRateQuery' | 'latencyP95Query' | 'requestRateQuery'>): ServiceQueries {
  const name = svc.name;
  return {
    errorRate: svc.errorRateQuery ?? defaultErrorRateQuery(name),
    p95: svc.latencyP95Query ?? defaultLatencyP95Query(name),
    requestRate: svc.requestRateQuery ?? defaultRequestRateQuery(name),
    requestRateHourAgo: svc.requestRateQuery ? null : defaultRequestRateHourAgoQuery(name),
  };
}
