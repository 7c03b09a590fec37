// The one definition of warroom's configuration. Every section has defaults, so an empty
// file (or none) is a valid config. Secrets are written as ${ENV} references in YAML and
// resolved by the loader; `SECRET_PATHS` lists the fields that are masked when printed.
//
// Every number has a range and every URL a scheme, checked here and only here: files, WARROOM_*
// variables and flags all go through this schema (the loader formats the errors).
import { z } from 'zod';
import { parseRedisUrl } from '../sources/redis/url.js';
import { strayCharMessage, strayCredentialChar } from '../util/url-credentials.js';
import { isKubeUrl, KUBE_URL_HELP, parseKubeUrl } from '../net/kube-url.js';

/** A number from `min` to `max` (above `min` when `exclusiveMin`), with one message naming the whole range. */
function range(min: number, max: number, unit = '', opts: { exclusiveMin?: boolean; int?: boolean } = {}) {
  const what = opts.int ? 'an integer' : 'a number';
  const error = opts.exclusiveMin ? `expected ${what} above ${min} and at most ${max}${unit}` : `expected ${what} from ${min} to ${max}${unit}`;
  let n = z.number();
  if (opts.int) n = n.int({ error });
  n = opts.exclusiveMin ? n.gt(min, { error }) : n.min(min, { error });
  return n.max(max, { error });
}

const ratio = range(0, 1);
/** Network timeouts: a request may wait at most five minutes. */
const timeoutSeconds = range(0, 300, ' seconds', { exclusiveMin: true });
/** Latency thresholds, up to an hour. */
const latencySeconds = range(0, 3600, ' seconds', { exclusiveMin: true });
/** Status update cadence, from a minute to a week. */
const cadence = range(1, 10080, ' minutes');

/** http:// or https:// only (no ftp:, file:, javascript: …). */
const httpUrl = z.string().refine(
  (v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'http:' || u.protocol === 'https:') && !!u.hostname;
    } catch {
      return false;
    }
  },
  { error: 'expected an http:// or https:// URL' },
);

/** postgres:// or postgresql://, readable by pg (which parses it as a WHATWG URL). */
const postgresUrl = z.string().superRefine((v, ctx) => {
  if (!/^postgres(ql)?:\/\//i.test(v)) return void ctx.addIssue({ code: 'custom', message: 'expected a postgres:// or postgresql:// URL' });
  const stray = strayCredentialChar(v);
  if (stray) return void ctx.addIssue({ code: 'custom', message: strayCharMessage(stray) });
  try {
    new URL(v);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'not a valid URL: percent-encode any ":", "/", "?", "#", "@", "[" or "]" in the user name or password' });
  }
});

/** One of the Redis URL forms the Redis source reads (its parser is the judge). */
const redisUrl = z.string().superRefine((v, ctx) => {
  try {
    parseRedisUrl(v);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
  }
});

/** `lower` < `higher` for each pair of keys, with a message naming the field and both values. */
function ordered<T extends Record<string, number>>(pairs: Array<[lower: keyof T & string, higher: keyof T & string]>) {
  return (v: T, ctx: z.RefinementCtx) => {
    for (const [lo, hi] of pairs) {
      if (!(v[lo]! < v[hi]!)) ctx.addIssue({ code: 'custom', path: [lo], message: `must be below ${hi}: got ${lo} ${v[lo]}, ${hi} ${v[hi]}`, params: { complete: true } });
    }
  };
}

/** Prometheus and Alertmanager: http(s), or kube://NAMESPACE/SERVICE:PORT through the Kubernetes API server. */
const promUrl = z.string().superRefine((v, ctx) => {
  if (isKubeUrl(v)) {
    if (!parseKubeUrl(v)) ctx.addIssue({ code: 'custom', message: KUBE_URL_HELP });
    return;
  }
  if (!httpUrl.safeParse(v).success) ctx.addIssue({ code: 'custom', message: 'expected an http:// or https:// URL' });
});

export const serviceSchema = z.strictObject({
  name: z.string().min(1),
  /** Deployment(s) whose pods make up this service (for "all pods not ready" → P0). */
  deployments: z.array(z.string()).default([]),
  namespace: z.string().optional(),
  errorRateQuery: z.string().optional(),
  latencyP95Query: z.string().optional(),
  requestRateQuery: z.string().optional(),
  /** The name customers know it by ("Storefront"): public status pages name only this. */
  publicName: z.string().min(1).optional(),
});

export const postgresSchema = z.strictObject({
  name: z.string().min(1),
  url: postgresUrl,
  statementTimeoutMs: range(1, 600_000, ' ms', { int: true }).default(3000),
});

export const redisSchema = z.strictObject({
  name: z.string().min(1),
  url: redisUrl,
});

export const severitySchema = z.strictObject({
  errorRate: z
    .strictObject({ p0: ratio.default(0.5), p1: ratio.default(0.1), p2: ratio.default(0.05) })
    .superRefine(
      ordered([
        ['p1', 'p0'],
        ['p2', 'p1'],
      ]),
    )
    .default({ p0: 0.5, p1: 0.1, p2: 0.05 }),
  latencyP95Seconds: z
    .strictObject({ p1: latencySeconds.default(5), p2: latencySeconds.default(2) })
    .superRefine(ordered([['p2', 'p1']]))
    .default({ p1: 5, p2: 2 }),
  postgresSaturation: z.strictObject({ warn: ratio.default(0.8) }).default({ warn: 0.8 }),
  /** Minutes between status updates, by severity. */
  cadenceMinutes: z
    .strictObject({ P0: cadence.default(15), P1: cadence.default(30), P2: cadence.default(120), P3: cadence.default(1440) })
    .default({ P0: 15, P1: 30, P2: 120, P3: 1440 }),
});

/** Who reads a sink: internal sinks get the internal update, public ones only the public title and message. */
const audience = z.enum(['internal', 'public']);

export const sinksSchema = z.strictObject({
  slack: z.strictObject({ webhookUrl: httpUrl, channel: z.string().optional(), audience: audience.default('internal') }).optional(),
  statuspage: z
    .strictObject({
      pageId: z.string().min(1),
      apiKey: z.string().min(1),
      baseUrl: httpUrl.default('https://api.statuspage.io'),
      componentIds: z.array(z.string()).default([]),
      audience: audience.default('public'),
    })
    .optional(),
  webhook: z.strictObject({ url: httpUrl, headers: z.record(z.string(), z.string()).default({}), audience: audience.default('internal') }).optional(),
  /**
   * Writes what would be sent to this file instead of sending; the drill's default. `public` also
   * records the public update (as a status page would get it) when no public sink is configured.
   */
  dryRun: z.strictObject({ path: z.string().optional(), public: z.boolean().optional() }).optional(),
});

const severityName = z.enum(['P0', 'P1', 'P2', 'P3']);
/** Slack ids of users (U…/W…) and channels (C…/G…). */
const slackUserId = z.string().regex(/^[UW][A-Z0-9]{2,}$/, { error: 'expected a Slack user id such as U0123ABCD (not a name or an e-mail)' });
const slackChannelId = z.string().regex(/^[CG][A-Z0-9]{2,}$/, { error: 'expected a Slack channel id such as C0123ABCD (not #name)' });

/** PagerDuty, the incident channel and the escalation matrix. */
export const pagingSchema = z
  .strictObject({
    pagerduty: z
      .strictObject({
        /** REST API v2 token. */
        token: z.string().min(1),
        /** E-mail of the PagerDuty user warroom acts as (the From header of writes). */
        from: z.string().regex(/^[^@\s]+@[^@\s]+$/, { error: 'expected the e-mail address of a PagerDuty user' }),
        apiUrl: httpUrl.default('https://api.pagerduty.com'),
        eventsUrl: httpUrl.default('https://events.pagerduty.com'),
        /** Only these services' pages are shown (all when empty). */
        serviceIds: z.array(z.string().min(1)).default([]),
        pollSeconds: range(5, 3600, ' seconds').default(30),
        timeoutSeconds: timeoutSeconds.default(10),
        /**
         * Where "escalate" can page: an escalation policy, either through the Events v2 routing key of
         * a service on it, or as a REST incident on a service assigned to the policy.
         */
        escalationTargets: z
          .array(
            z.union(
              [
                z.strictObject({ name: z.string().min(1), routingKey: z.string().min(1) }),
                z.strictObject({ name: z.string().min(1), serviceId: z.string().min(1), escalationPolicyId: z.string().min(1) }),
              ],
              { error: 'expected {name, routingKey} (Events v2) or {name, serviceId, escalationPolicyId} (REST)' },
            ),
          )
          .default([]),
      })
      .optional(),
    slack: z
      .strictObject({
        /** Bot token (xoxb-…) with channels:manage, channels:read, channels:history, chat:write. */
        botToken: z.string().min(1),
        apiUrl: httpUrl.default('https://slack.com/api'),
        /** The #incidents channel: each new incident channel is announced there, and other cockpits find it there. */
        announceChannel: slackChannelId.optional(),
        /** Invited to every incident channel. */
        responders: z.array(slackUserId).default([]),
        /**
         * How often the incident channel is read for other cockpits' entries. conversations.history
         * allows about 50 calls a minute per app: cockpits sharing one bot token share that.
         */
        pollSeconds: range(0.5, 600, ' seconds').default(2),
        timeoutSeconds: timeoutSeconds.default(10),
        /** Links for the channel's first message (dashboards, the runbook). */
        links: z.array(z.strictObject({ title: z.string().min(1), url: httpUrl })).default([]),
      })
      .optional(),
    /** Severity → who to escalate to, and after how long at that severity. */
    escalation: z
      .array(
        z.strictObject({
          severity: severityName,
          afterMinutes: range(0, 10080, ' minutes'),
          contact: z.string().min(1),
          /** An escalationTargets name to page. */
          target: z.string().optional(),
        }),
      )
      .default([]),
  })
  .superRefine((v, ctx) => {
    const names = (v.pagerduty?.escalationTargets ?? []).map((t) => t.name);
    v.escalation.forEach((e, i) => {
      if (e.target && !names.includes(e.target)) {
        ctx.addIssue({
          code: 'custom',
          path: ['escalation', i, 'target'],
          message: `no paging.pagerduty.escalationTargets entry is named ${JSON.stringify(e.target)}${names.length ? ` (there are: ${names.join(', ')})` : ''}`,
        });
      }
    });
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
      requestTimeoutSeconds: timeoutSeconds.default(10),
    })
    .default({ enabled: true, namespaces: [], allNamespaces: false, requestTimeoutSeconds: 10 }),
  prometheus: z
    .strictObject({
      url: promUrl,
      alertmanagerUrl: promUrl.optional(),
      timeoutSeconds: timeoutSeconds.default(5),
      /** The rate window of the error-rate and latency queries (shown in the pane title); match your alerts'. */
      rateWindow: z
        .string()
        .regex(/^[1-9]\d*[smh]$/, { error: 'expected a duration like 30s, 1m or 5m' })
        .optional(),
      services: z.array(serviceSchema).default([]),
    })
    .optional(),
  postgres: z.array(postgresSchema).default([]),
  redis: z.array(redisSchema).default([]),
  severity: severitySchema.default(severitySchema.parse({})),
  sinks: sinksSchema.default({}),
  paging: pagingSchema.default({ escalation: [] }),
  ui: z
    .strictObject({
      theme: z.string().default('dark'),
      refreshSeconds: range(0.2, 3600, ' seconds').default(5),
      maxFps: range(1, 60, ' frames a second', { int: true }).default(10),
      lowBandwidth: z.boolean().default(false),
    })
    .default({ theme: 'dark', refreshSeconds: 5, maxFps: 10, lowBandwidth: false }),
  /** The responder's name in the timeline and post-mortem; default $USER. */
  responder: z.string().min(1).optional(),
  readOnly: z.boolean().default(false),
  /** Context name globs that always open read-only (a war-room screen's context). */
  readOnlyContexts: z.array(z.string()).default([]),
  /** Context name globs where mutating actions require typing the target's name. */
  productionContexts: z.array(z.string()).default(['*prod*']),
  /** Action id → keys, overriding the defaults. */
  keys: z.record(z.string(), z.array(z.string())).default({}),
  /** Caps on what any backend may send back. */
  limits: z.strictObject({ maxResponseMiB: range(1, 1024, ' MiB').default(32) }).default({ maxResponseMiB: 32 }),
  /** Where journals and the outbox live; default $XDG_STATE_HOME/warroom. */
  stateDir: z.string().optional(),
});

export type Config = z.infer<typeof configSchema>;
export type ServiceConfig = z.infer<typeof serviceSchema>;
export type PostgresConfig = z.infer<typeof postgresSchema>;
export type RedisConfig = z.infer<typeof redisSchema>;
export type SeverityConfig = z.infer<typeof severitySchema>;
export type SinksConfig = z.infer<typeof sinksSchema>;
export type PagingConfig = z.infer<typeof pagingSchema>;

/** Paths (dot-separated, `*` for array items) whose values are secrets or may embed them. */
export const SECRET_PATHS = [
  'postgres.*.url',
  'redis.*.url',
  'sinks.slack.webhookUrl',
  'sinks.statuspage.apiKey',
  'sinks.webhook.url',
  'sinks.webhook.headers.*',
  'paging.pagerduty.token',
  'paging.pagerduty.escalationTargets.*.routingKey',
  'paging.slack.botToken',
];

export function defaultConfig(): Config {
  return configSchema.parse({});
}
