// Kubernetes client set-up, following kubectl: --kubeconfig, else KUBECONFIG (a list of
// files; the first file to define a name wins, as kubectl merges), else ~/.kube/config,
// else in-cluster. --context picks the context; the namespace comes from the flags, then the
// context, then "default". Every API call gets a request timeout.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  AppsV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  KubeConfig,
  Metrics,
  PatchStrategy,
  Watch,
  type Cluster,
  type Context,
  type User,
  type ConfigurationOptions,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { of } from '@kubernetes/client-node/dist/gen/rxjsStub.js';

export interface KubeConnectOptions {
  /** --kubeconfig; when absent KUBECONFIG, ~/.kube/config, then in-cluster. */
  kubeconfig?: string;
  context?: string;
  timeoutSeconds?: number;
  /** For tests: environment to read KUBECONFIG/HOME from. */
  env?: NodeJS.ProcessEnv;
}

export interface KubeClients {
  kc: KubeConfig;
  context: string | null;
  cluster: string | null;
  /** Server URL without credentials (host:port). */
  server: string | null;
  /** The context's namespace, or "default". */
  defaultNamespace: string;
  core: CoreV1Api;
  apps: AppsV1Api;
  authz: AuthorizationV1Api;
  metrics: Metrics;
  watch: Watch;
  timeoutMs: number;
  /** Per-call options: a request timeout, an optional abort signal and, for patches, the content type. */
  opts(extra?: { contentType?: string; timeoutMs?: number; signal?: AbortSignal }): CallOptions;
}

type CallOptions = ConfigurationOptions;

export const PATCH = PatchStrategy;

/** Loads the kubeconfig as kubectl does; throws a clear error when there is none. */
export function loadKubeConfig(opts: KubeConnectOptions = {}): KubeConfig {
  const env = opts.env ?? process.env;
  const kc = new KubeConfig();
  if (opts.kubeconfig) {
    if (!fs.existsSync(opts.kubeconfig)) throw new Error(`kubeconfig ${opts.kubeconfig} does not exist`);
    kc.loadFromFile(opts.kubeconfig);
  } else if (env.KUBECONFIG) {
    const files = env.KUBECONFIG.split(path.delimiter).filter((f) => f && fs.existsSync(f));
    if (files.length === 0) throw new Error(`none of the files in KUBECONFIG exist (${env.KUBECONFIG})`);
    mergeKubeconfigs(kc, files);
  } else {
    const home = env.HOME ?? os.homedir();
    const file = home ? path.join(home, '.kube', 'config') : null;
    if (file && fs.existsSync(file)) kc.loadFromFile(file);
    else if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT) kc.loadFromCluster();
    else throw new Error('no kubeconfig found: set --kubeconfig or KUBECONFIG, create ~/.kube/config, or run in a cluster');
  }
  if (opts.context) {
    if (!kc.getContextObject(opts.context)) throw new Error(`context "${opts.context}" does not exist in the kubeconfig`);
    kc.setCurrentContext(opts.context);
  }
  if (!kc.getCurrentContext() || !kc.getContextObject(kc.getCurrentContext())) {
    // kubectl with no current context and a single context still fails; we say so clearly.
    throw new Error('the kubeconfig has no current context; pass --context');
  }
  return kc;
}

/**
 * kubectl's merge rule for KUBECONFIG lists: the first file to set a cluster, user or context
 * name wins, and current-context comes from the first file that sets one. (client-node's
 * mergeConfig throws on duplicates and lets the last file win, so it cannot be used here.)
 */
function mergeKubeconfigs(target: KubeConfig, files: string[]): void {
  const clusters = new Map<string, Cluster>();
  const users = new Map<string, User>();
  const contexts = new Map<string, Context>();
  let current = '';
  for (const file of files) {
    const one = new KubeConfig();
    one.loadFromFile(file);
    for (const c of one.clusters) if (!clusters.has(c.name)) clusters.set(c.name, c);
    for (const u of one.users) if (!users.has(u.name)) users.set(u.name, u);
    for (const c of one.contexts) if (!contexts.has(c.name)) contexts.set(c.name, c);
    if (!current && one.currentContext) current = one.currentContext;
  }
  target.loadFromOptions({ clusters: [...clusters.values()], users: [...users.values()], contexts: [...contexts.values()], currentContext: current });
}

/** host:port of a server URL, never its credentials. */
export function safeServer(url: string | undefined | null): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return null;
  }
}

export function makeClients(kc: KubeConfig, timeoutSeconds = 10): KubeClients {
  const timeoutMs = Math.max(1, timeoutSeconds) * 1000;
  const ctxName = kc.getCurrentContext() || null;
  const ctx = ctxName ? kc.getContextObject(ctxName) : null;
  const cluster = kc.getCurrentCluster();
  const watch = new Watch(kc);
  // client-node aborts a watch after 30 s without data; API servers send bookmarks about once a
  // minute, so idle watches would reconnect twice a minute. 75 s still catches a dead stream.
  (watch as unknown as { requestTimeoutMs: number }).requestTimeoutMs = 75_000;
  return {
    kc,
    context: ctxName,
    cluster: ctx?.cluster ?? cluster?.name ?? null,
    server: safeServer(cluster?.server),
    defaultNamespace: ctx?.namespace || 'default',
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    authz: kc.makeApiClient(AuthorizationV1Api),
    metrics: new Metrics(kc),
    watch,
    timeoutMs,
    opts(extra = {}) {
      const ms = extra.timeoutMs ?? timeoutMs;
      // client-node's per-call middleware (observable-style, as its setHeaderOptions builds).
      const withTimeout: CallOptions = {
        middleware: [
          {
            pre: (req) => {
              const timeout = AbortSignal.timeout(ms);
              req.setSignal(extra.signal ? AbortSignal.any([timeout, extra.signal]) : timeout);
              return of(req);
            },
            post: (resp) => of(resp),
          },
        ],
        middlewareMergeStrategy: 'append',
      };
      return extra.contentType ? setHeaderOptions('Content-Type', extra.contentType, withTimeout) : withTimeout;
    },
  };
}

/** Namespaces to show: flags, else the context's namespace, else "default"; null means all. */
export function resolveNamespaces(clients: Pick<KubeClients, 'defaultNamespace'>, namespaces: string[], allNamespaces: boolean): string[] | null {
  if (allNamespaces) return null;
  if (namespaces.length > 0) return [...new Set(namespaces)];
  return [clients.defaultNamespace];
}

export function connect(opts: KubeConnectOptions = {}): KubeClients {
  return makeClients(loadKubeConfig(opts), opts.timeoutSeconds ?? 10);
}
