// The one definition of warroom's configuration. Every section has defaults, so an empty
// file (or none) is a valid config. Secrets are written as ${ENV} references in YAML and
// resolved by the loader; `SECRET_PATHS` lists the fields that are masked when printed.
import { z } from 'zod';

const seconds = z.number().positive();
const ratio = z.number().min(0).max(1);

export const serviceSchema = z.strictObject({
  name: z.string().min(1),
  /** Deployment(s) whose pods make up this service (for "all pods not ready" → P0). */
  deployments: z.array(z.string()).default([]),
  namespace: z.string().optional(),
  errorRateQuery: z.string().optional(),
  latencyP95Query: z.string().optional(),
  requestRateQuery: z.string().optional(),
});

export const postgresSchema = z.strictObject({
  name: z.string().min(1),
  url: z.string().min(1),
  statementTimeoutMs: z.number().int().positive().default(3000),
});

export const redisSchema = z.strictObject({
  name: z.string().min(1),
  url: z.string().min(1),
});

export const severitySchema = z.strictObject({
  errorRate: z.strictObject({ p0: ratio.default(0.5), p1: ratio.default(0.1), p2: ratio.default(0.05) }).default({ p0: 0.5, p1: 0.1, p2: 0.05 }),
  latencyP95Seconds: z.strictObject({ p1: seconds.default(5), p2: seconds.default(2) }).default({ p1: 5, p2: 2 }),
  postgresSaturation: z.strictObject({ warn: ratio.default(0.8) }).default({ warn: 0.8 }),
  /** Minutes between status updates, by severity. */
  cadenceMinutes: z
    .strictObject({ P0: seconds.default(15), P1: seconds.default(30), P2: seconds.default(120), P3: seconds.default(1440) })
    .default({ P0: 15, P1: 30, P2: 120, P3: 1440 }),
});

export const sinksSchema = z.strictObject({
  slack: z.strictObject({ webhookUrl: z.string().url(), channel: z.string().optional() }).optional(),
  statuspage: z
    .strictObject({
      pageId: z.string().min(1),
      apiKey: z.string().min(1),
      baseUrl: z.string().url().default('https://api.statuspage.io'),
      componentIds: z.array(z.string()).default([]),
    })
    .optional(),
  webhook: z.strictObject({ url: z.string().url(), headers: z.record(z.string(), z.string()).default({}) }).optional(),
  /** Writes what would be sent to this file instead of sending; the drill's default. */
  dryRun: z.strictObject({ path: z.string().optional() }).optional(),
});

export const configSchema = z.strictObject({
  kube: z
    .strictObject({
      enabled: z.boolean().default(true),
      kubeconfig: z.string().optional(),
      context: z.string().optional(),
      namespaces: z.array(z.string()).default([]),
      allNamespaces: z.boolean().default(false),
      labelSelector: z.string().optional(),
      requestTimeoutSeconds: seconds.default(10),
    })
    .default({ enabled: true, namespaces: [], allNamespaces: false, requestTimeoutSeconds: 10 }),
  prometheus: z
    .strictObject({
      url: z.string().url(),
      alertmanagerUrl: z.string().url().optional(),
      timeoutSeconds: seconds.default(5),
      services: z.array(serviceSchema).default([]),
    })
    .optional(),
  postgres: z.array(postgresSchema).default([]),
  redis: z.array(redisSchema).default([]),
  severity: severitySchema.default(severitySchema.parse({})),
  sinks: sinksSchema.default({}),
  ui: z
    .strictObject({
      theme: z.string().default('dark'),
      refreshSeconds: seconds.default(5),
      maxFps: z.number().int().min(1).max(60).default(10),
      lowBandwidth: z.boolean().default(false),
    })
    .default({ theme: 'dark', refreshSeconds: 5, maxFps: 10, lowBandwidth: false }),
  readOnly: z.boolean().default(false),
  /** Context name globs that always open read-only (a war-room screen's context). */
  readOnlyContexts: z.array(z.string()).default([]),
  /** Context name globs where mutating actions require typing the target's name. */
  productionContexts: z.array(z.string()).default(['*prod*']),
  /** Action id → keys, overriding the defaults. */
  keys: z.record(z.string(), z.array(z.string())).default({}),
  /** Caps on what any backend may send back. */
  limits: z.strictObject({ maxResponseMiB: z.number().min(1).max(1024).default(32) }).default({ maxResponseMiB: 32 }),
  /** Where journals and the outbox live; default $XDG_STATE_HOME/warroom. */
  stateDir: z.string().optional(),
});

export type Config = z.infer<typeof configSchema>;
export type ServiceConfig = z.infer<typeof serviceSchema>;
export type PostgresConfig = z.infer<typeof postgresSchema>;
export type RedisConfig = z.infer<typeof redisSchema>;
export type SeverityConfig = z.infer<typeof severitySchema>;
export type SinksConfig = z.infer<typeof sinksSchema>;

/** Paths (dot-separated, `*` for array items) whose values are secrets or may embed them. */
export const SECRET_PATHS = [
  'postgres.*.url',
  'redis.*.url',
  'sinks.slack.webhookUrl',
  'sinks.statuspage.apiKey',
  'sinks.webhook.url',
  'sinks.webhook.headers.*',
];

export function defaultConfig(): Config {
  return configSchema.parse({});
}
