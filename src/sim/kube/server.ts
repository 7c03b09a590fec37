// HTTP front of the simulator: routing, auth, content negotiation, lists, watches, patches, errors.
import http from 'node:http';
import { apiGroup, apiGroupList, apiVersions, findResource, resourceList, SERVER_VERSION, type ResourceDef } from './discovery.js';
import { ApiError } from './errors.js';
import { applyPatch, patchTypeOf } from './patch.js';
import { decodeSsarSpec } from './protobuf.js';
import { parseFieldSelector, parseLabelSelector, selectorFromMatchLabels } from './selectors.js';
import type { EventType } from './store.js';
import { toTable, wantsTable } from './tables.js';
import { clone, isPlainObject } from './util.js';
import type { World } from './world.js';

export type SimUser = 'admin' | 'viewer';
const READ_VERBS = new Set(['get', 'list', 'watch']);
/** Not in the built-in `view` role with any verb: they run things in the containers. */
const STREAMING_SUBRESOURCES = new Set(['exec', 'attach', 'portforward']);
const viewerMay = (verb: string, sub: string | undefined) => READ_VERBS.has(verb) && !STREAMING_SUBRESOURCES.has(sub ?? '');
const WORKLOADS = new Set(['deployments', 'statefulsets', 'daemonsets']);
const MAX_BODY = 8 * 1024 * 1024;

interface Route {
  def: ResourceDef;
  namespace?: string;
  name?: string;
  sub?: string;
}

/** Fault injection for tests: what a broken or overloaded API server does. */
export interface SimFaults {
  /** Every watch answers one ERROR event with a 410 Expired Status and closes (a relist loop). */
  watchGone: boolean;
  /** LIST requests are never answered; their sockets stay open until the client gives up. */
  hangLists: boolean;
  /** Every LIST continue token is too old: 410 Expired, as after etcd compaction. */
  expireContinue?: boolean;
}

export class KubeHttp {
  readonly watches = new Set<http.ServerResponse>();
  /** Open `logs?follow=true` responses. */
  readonly logStreams = new Set<http.ServerResponse>();
  /** The resource each open watch streams (pods, deployments, ...). */
  private readonly watchResource = new Map<http.ServerResponse, string>();
  /** Paged listings in progress: their keys in order, by resource, namespace, selectors and resourceVersion. */
  private readonly listSessions = new Map<string, Array<readonly [string, string | undefined, string]>>();
  private readonly timers = new Set<ReturnType<typeof setInterval>>();
  readonly faults: SimFaults = { watchGone: false, hangLists: false };
  /** Requests received (counted on arrival, answered or not); held LISTs their client closed. */
  readonly counts = { requests: 0, lists: 0, watches: 0, abandonedLists: 0, continuedLists: 0 };
  /** LIST requests held open by `hangLists`, until their client closes them. */
  readonly heldLists = new Set<http.ServerResponse>();
  /** Where the services/proxy subresource forwards: "NS/NAME:PORT" (number and name) → base URL. */
  readonly serviceBackends = new Map<string, string>();

  constructor(
    private readonly world: World,
    private readonly tokens: Map<string, SimUser>,
    private readonly bookmarkIntervalMs: number,
    private readonly address: () => string,
    private readonly log?: (msg: string) => void,
  ) {}

  handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.counts.requests++;
    const log = this.log;
    if (log) res.on('finish', () => log(`${req.method} ${req.url} ${res.statusCode}`));
    this.dispatch(req, res).catch((e) => this.fail(res, e));
  }

  /** Cuts every log follow mid-stream, as a dropped connection does. */
  dropLogStreams(): number {
    const n = this.logStreams.size;
    for (const r of [...this.logStreams]) r.destroy();
    this.logStreams.clear();
    return n;
  }

  closeWatches(): void {
    for (const r of [...this.watches]) r.end();
    this.watches.clear();
  }

  /**
   * Writes raw lines (each followed by a newline) into every open watch stream of `resource`
   * (all watches when absent), e.g. junk a broken proxy might send. Returns how many streams.
   */
  injectWatchLines(lines: string[], resource?: string): number {
    let n = 0;
    for (const [res, r] of this.watchResource) {
      if (resource && r !== resource) continue;
      if (res.writableEnded || res.destroyed) continue;
      for (const l of lines) res.write(l + '\n');
      n++;
    }
    return n;
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers.clear();
    for (const r of [...this.watches]) r.destroy();
    this.watches.clear();
    for (const r of [...this.logStreams]) r.destroy();
    this.logStreams.clear();
    for (const r of [...this.heldLists]) r.destroy();
    this.heldLists.clear();
  }

  private fail(res: http.ServerResponse, e: unknown): void {
    const err = e instanceof ApiError ? e : new ApiError(500, 'InternalError', `Internal error occurred: ${e instanceof Error ? e.message : String(e)}`);
    if (res.headersSent) {
      res.end();
      return;
    }
    this.json(res, err.code, err.toStatus());
  }

  private json(res: http.ServerResponse, code: number, body: unknown): void {
    const s = JSON.stringify(body);
    res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(s), 'Cache-Control': 'no-cache, private' });
    res.end(s);
  }

  private async body(req: http.IncomingMessage): Promise<unknown> {
    const ct = (req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim().toLowerCase();
    if (ct !== 'application/json' && !ct.endsWith('+json') && ct !== '*/*') {
      req.resume();
      throw new ApiError(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (got "${ct}")`,
      );
    }
    const chunks: Buffer[] = [];
    let n = 0;
    for await (const c of req) {
      n += (c as Buffer).length;
      if (n > MAX_BODY) throw new ApiError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
      chunks.push(c as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    if (!text.trim()) throw ApiError.badRequest('the body of the request was empty');
    try {
      return JSON.parse(text);
    } catch (e) {
      throw ApiError.badRequest(`error decoding body: ${e instanceof Error ? e.message : 'invalid JSON'}`);
    }
  }

  private async ssarBody(req: http.IncomingMessage): Promise<unknown> {
    if (!/protobuf/.test(req.headers['content-type'] ?? '')) return this.body(req);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    try {
      return { spec: decodeSsarSpec(Buffer.concat(chunks)) };
    } catch (e) {
      throw ApiError.badRequest(`error decoding body: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private user(req: http.IncomingMessage): SimUser {
    const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
    const u = m ? this.tokens.get(m[1]!.trim()) : undefined;
    if (!u) throw ApiError.unauthorized();
    return u;
  }

  private async dispatch(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = (req.method ?? 'GET').toUpperCase();
    if (path === '/healthz' || path === '/livez' || path === '/readyz') {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('ok');
      return;
    }
    const user = this.user(req);
    const proxied = /^\/api\/v1\/namespaces\/([^/]+)\/services\/([^/]+)\/proxy(\/.*)?$/.exec(url.pathname);
    if (proxied) return this.proxyService(req, res, user, decodeURIComponent(proxied[1]!), decodeURIComponent(proxied[2]!), proxied[3] ?? '/', url.search);
    if (method === 'GET') {
      if (path === '/version') return this.json(res, 200, SERVER_VERSION);
      if (path === '/api') return this.json(res, 200, apiVersions(this.address()));
      if (path === '/apis') return this.json(res, 200, apiGroupList());
      if (path === '/api/v1') return this.json(res, 200, resourceList('', 'v1'));
      const g = /^\/apis\/([^/]+)$/.exec(path);
      if (g) {
        const doc = apiGroup(g[1]!);
        if (!doc) throw ApiError.notFoundPath();
        return this.json(res, 200, doc);
      }
      const gv = /^\/apis\/([^/]+)\/([^/]+)$/.exec(path);
      if (gv) {
        const doc = resourceList(gv[1]!, gv[2]!);
        if (!doc) throw ApiError.notFoundPath();
        return this.json(res, 200, doc);
      }
    }
    const route = this.route(path);
    if (!route) throw ApiError.notFoundPath();
    const verb = this.verbOf(method, route, url);
    this.authorize(user, verb, route);
    await this.serve(req, res, url, route, verb, user);
  }

  /**
   * The services/proxy subresource, as the real API server: the `view` role does not include it
   * (the viewer is refused), "NAME:PORT" takes a port number or name, no backend is a 503.
   */
  private async proxyService(req: http.IncomingMessage, res: http.ServerResponse, user: SimUser, ns: string, spec: string, rest: string, search: string): Promise<void> {
    const [name, port = ''] = spec.split(':');
    const verb = this.verbOf((req.method ?? 'GET').toUpperCase(), { def: findResource('', 'v1', 'services')!, namespace: ns, name }, new URL('http://sim'));
    if (user !== 'admin') throw ApiError.forbidden(user, verb, 'services', '', ns, spec, 'proxy');
    this.world.requireNamespace(ns);
    const svc = this.world.store.get('services', ns, name!);
    if (!svc) throw ApiError.notFound('services', '', name!);
    const ports: Array<{ name?: string; port: number }> = svc.spec?.ports ?? [];
    const p = port ? ports.find((x) => String(x.port) === port || x.name === port) : ports[0];
    if (!p) throw new ApiError(503, 'ServiceUnavailable', `no endpoints available for service "${spec}"`);
    const backend = this.serviceBackends.get(`${ns}/${name}:${p.port}`);
    if (!backend) throw new ApiError(503, 'ServiceUnavailable', `no endpoints available for service "${spec}"`);
    const target = new URL(rest.replace(/^\//, '') + search, backend.endsWith('/') ? backend : `${backend}/`);
    await new Promise<void>((resolve) => {
      const headers = { ...req.headers, host: target.host };
      delete headers.authorization;
      const up = http.request(target, { method: req.method, headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
        r.on('end', resolve);
        r.on('error', () => resolve());
      });
      up.on('error', (e) => {
        this.fail(res, new ApiError(503, 'ServiceUnavailable', `error trying to reach service: ${e.message}`));
        resolve();
      });
      req.pipe(up);
    });
  }

  private route(path: string): Route | undefined {
    let parts: string[];
    try {
      parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    } catch {
      throw ApiError.badRequest(`invalid path: ${path}`);
    }
    let group: string;
    let version: string;
    let rest: string[];
    if (parts[0] === 'api') {
      group = '';
      version = parts[1] ?? '';
      rest = parts.slice(2);
    } else if (parts[0] === 'apis') {
      group = parts[1] ?? '';
      version = parts[2] ?? '';
      rest = parts.slice(3);
    } else return undefined;
    if (rest.length === 0) return undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      const def = findResource(group, version, rest[2]!);
      if (!def || !def.namespaced || rest.length > 5) return undefined;
      return { def, namespace: rest[1], name: rest[3], sub: rest[4] };
    }
    const def = findResource(group, version, rest[0]!);
    if (!def || rest.length > 3) return undefined;
    if (def.namespaced && rest.length > 1) return undefined;
    return { def, name: rest[1], sub: rest[2] };
  }

  private verbOf(method: string, r: Route, url: URL): string {
    const watch = ['1', 'true'].includes(url.searchParams.get('watch') ?? '');
    switch (method) {
      case 'GET':
        return r.name ? 'get' : watch ? 'watch' : 'list';
      case 'POST':
        return 'create';
      case 'PUT':
        return 'update';
      case 'PATCH':
        return 'patch';
      case 'DELETE':
        return r.name ? 'delete' : 'deletecollection';
      default:
        throw ApiError.methodNotAllowed();
    }
  }

  private authorize(user: SimUser, verb: string, r: Route): void {
    if (user === 'admin' || viewerMay(verb, r.sub)) return;
    if (r.def.resource === 'selfsubjectaccessreviews') return;
    throw ApiError.forbidden(user, verb, r.def.resource, r.def.group, r.namespace, r.name, r.sub);
  }

  private listKind(def: ResourceDef): string {
    return `${def.kind}List`;
  }

  private apiVersion(def: ResourceDef): string {
    return def.group ? `${def.group}/${def.version}` : def.version;
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse, url: URL, r: Route, verb: string, user: SimUser): Promise<void> {
    const w = this.world;
    const q = url.searchParams;
    const dryRun = q.getAll('dryRun').includes('All');
    const res0 = r.def.resource;
    const group = r.def.group;
    if (r.namespace && res0 !== 'selfsubjectaccessreviews') w.requireNamespace(r.namespace);

    if (res0 === 'selfsubjectaccessreviews') {
      if (verb !== 'create') throw ApiError.methodNotAllowed();
      const body = await this.ssarBody(req);
      if (!isPlainObject(body) || !isPlainObject(body.spec)) throw ApiError.badRequest('SelfSubjectAccessReview: spec is required');
      const ra = body.spec.resourceAttributes ?? {};
      const allowed = user === 'admin' || viewerMay(String(ra.verb ?? ''), ra.subresource);
      const status: any = { allowed };
      if (allowed && user === 'admin') status.reason = 'RBAC: allowed by ClusterRoleBinding "warroom-sim-admin" of ClusterRole "cluster-admin" to User "admin"';
      if (allowed && user === 'viewer') status.reason = 'RBAC: allowed by ClusterRoleBinding "warroom-sim-view" of ClusterRole "view" to User "viewer"';
      return this.json(res, 201, { kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', metadata: { creationTimestamp: null }, spec: body.spec, status });
    }

    if (group === 'metrics.k8s.io') {
      if (verb === 'watch') throw ApiError.methodNotAllowed();
      const nodes = res0 === 'nodes';
      const kind = nodes ? 'NodeMetrics' : 'PodMetrics';
      const items = nodes ? w.nodeMetrics() : w.podMetrics(r.namespace);
      if (r.name) {
        const m = items.find((x) => x.metadata.name === r.name);
        if (!m) throw new ApiError(404, 'NotFound', `${kind.toLowerCase()}.metrics.k8s.io "${r.name}" not found`, { name: r.name, group, kind: res0 });
        return this.json(res, 200, { kind, apiVersion: 'metrics.k8s.io/v1beta1', ...m });
      }
      const ls = parseLabelSelector(q.get('labelSelector'));
      const fs = parseFieldSelector(q.get('fieldSelector'));
      return this.json(res, 200, {
        kind: `${kind}List`,
        apiVersion: 'metrics.k8s.io/v1beta1',
        metadata: {},
        items: items.filter((m) => ls(m) && fs(m)).map((m) => ({ kind, apiVersion: 'metrics.k8s.io/v1beta1', ...m })),
      });
    }

    const workload = WORKLOADS.has(res0);
    if (!r.name) {
      if (verb === 'list') return this.list(req, res, r, q);
      if (verb === 'watch') return this.watch(req, res, r, q);
      if (verb === 'create' && workload) {
        const body = await this.body(req);
        if (!isPlainObject(body)) throw ApiError.badRequest('the object provided is unrecognized');
        const d: any = clone(body);
        d.metadata ??= {};
        if (d.metadata.namespace && d.metadata.namespace !== r.namespace)
          throw ApiError.badRequest('the namespace of the provided object does not match the namespace sent on the request');
        d.metadata.namespace = r.namespace;
        const name = String(d.metadata.name ?? '');
        if (name && w.store.peek(res0, r.namespace, name)) throw ApiError.alreadyExists(res0, 'apps', name);
        delete d.metadata.resourceVersion;
        const saved = w.writeWorkload(res0, d, undefined, dryRun);
        return this.json(res, 201, saved);
      }
      throw ApiError.methodNotAllowed();
    }

    const ns = r.def.namespaced ? r.namespace : undefined;
    const current = w.store.get(res0, ns, r.name);
    if (!current) throw ApiError.notFound(res0, group, r.name);

    if (!r.sub) {
      if (verb === 'get') return this.json(res, 200, wantsTable(req.headers.accept) ? toTable(res0, [current], current.metadata.resourceVersion, q.get('includeObject')) : current);
      if ((workload || res0 === 'nodes') && (verb === 'patch' || verb === 'update')) {
        let next: any;
        if (verb === 'patch') {
          const type = patchTypeOf(req.headers['content-type']);
          next = applyPatch(type, current, await this.body(req));
        } else {
          next = await this.body(req);
          if (!isPlainObject(next)) throw ApiError.badRequest('the object provided is unrecognized');
          if (next.metadata?.name && next.metadata.name !== r.name)
            throw ApiError.badRequest(`the name of the object (${next.metadata.name}) does not match the name on the URL (${r.name})`);
          next.metadata ??= {};
          next.metadata.name = r.name;
          if (ns) next.metadata.namespace = ns;
        }
        if (!isPlainObject(next) || !isPlainObject(next.metadata)) throw ApiError.unprocessable('the server rejected our request due to an error in our request');
        const rv = next.metadata.resourceVersion;
        if (rv && rv !== current.metadata.resourceVersion) throw ApiError.conflict(res0, group, r.name);
        if (res0 === 'nodes') return this.json(res, 200, w.writeNode(next, current, dryRun));
        return this.json(res, 200, w.writeWorkload(res0, next, current, dryRun));
      }
      if (res0 === 'pods' && verb === 'delete') {
        const grace = await this.gracePeriod(req, q);
        if (dryRun) return this.json(res, 200, current);
        return this.json(res, 200, w.deletePod(ns!, r.name, grace) ?? current);
      }
      if (workload && verb === 'delete') {
        if (dryRun) return this.json(res, 200, current);
        w.deleteWorkload(res0, ns!, r.name);
        return this.json(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: r.name, group, kind: res0, uid: current.metadata.uid } });
      }
      throw ApiError.methodNotAllowed();
    }

    if (r.sub === 'log' && res0 === 'pods' && verb === 'get') return this.logs(req, res, ns!, r.name, q);
    if (res0 === 'pods' && (r.sub === 'exec' || r.sub === 'attach' || r.sub === 'portforward')) {
      // The simulator runs no containers: answer as a server whose runtime refuses streaming.
      req.resume();
      throw new ApiError(400, 'BadRequest', `pods/${r.sub} is not supported by the warroom kube simulator: it runs no containers (pod "${r.name}")`, {
        name: r.name,
        kind: 'pods',
      });
    }
    if (r.sub === 'status' && verb === 'get' && res0 !== 'events' && res0 !== 'namespaces') return this.json(res, 200, current);
    if (r.sub === 'scale' && (res0 === 'deployments' || res0 === 'replicasets' || res0 === 'statefulsets')) {
      const scale = this.scaleOf(current);
      if (verb === 'get') return this.json(res, 200, scale);
      if (res0 === 'replicasets' || (verb !== 'update' && verb !== 'patch')) throw ApiError.methodNotAllowed();
      let next: any;
      if (verb === 'patch') next = applyPatch(patchTypeOf(req.headers['content-type']), scale, await this.body(req));
      else next = await this.body(req);
      if (!isPlainObject(next)) throw ApiError.badRequest('the object provided is unrecognized');
      const rv = next.metadata?.resourceVersion;
      if (rv && rv !== current.metadata.resourceVersion) throw ApiError.conflict(res0, 'apps', r.name);
      const n = next.spec?.replicas;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
        throw ApiError.invalid('Scale', 'autoscaling', r.name, [
          { field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(n ?? null)}: must be greater than or equal to 0` },
        ]);
      }
      const d = clone(current);
      d.spec.replicas = n;
      const saved = w.writeWorkload(res0, d, current, dryRun);
      return this.json(res, 200, this.scaleOf(saved));
    }
    throw ApiError.notFoundPath();
  }

  /** DeleteOptions.gracePeriodSeconds from the query or the request body (kubectl sends the body). */
  private async gracePeriod(req: http.IncomingMessage, q: URLSearchParams): Promise<number | undefined> {
    let v: unknown = q.get('gracePeriodSeconds') ?? undefined;
    if (Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding']) {
      const body = await this.body(req).catch(() => undefined);
      if (isPlainObject(body) && body.gracePeriodSeconds !== undefined) v = body.gracePeriodSeconds;
    } else req.resume();
    if (v === undefined || v === null) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw ApiError.badRequest(`invalid gracePeriodSeconds: ${String(v)}`);
    return n;
  }

  private scaleOf(d: any): any {
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: {
        name: d.metadata.name,
        namespace: d.metadata.namespace,
        uid: d.metadata.uid,
        resourceVersion: d.metadata.resourceVersion,
        creationTimestamp: d.metadata.creationTimestamp,
      },
      spec: { replicas: d.spec.replicas ?? 0 },
      status: { replicas: d.status?.replicas ?? 0, selector: selectorFromMatchLabels(d.spec.selector?.matchLabels) },
    };
  }

  private matcher(q: URLSearchParams): (o: any) => boolean {
    const ls = parseLabelSelector(q.get('labelSelector'));
    const fs = parseFieldSelector(q.get('fieldSelector'));
    return (o) => ls(o) && fs(o);
  }

  private list(req: http.IncomingMessage, res: http.ServerResponse, r: Route, q: URLSearchParams): void {
    this.counts.lists++;
    if (this.faults.hangLists) {
      // Hold the request: no status line, no body, the socket open until the client closes it.
      this.heldLists.add(res);
      res.on('close', () => {
        if (this.heldLists.delete(res)) this.counts.abandonedLists++;
      });
      return;
    }
    const store = this.world.store;
    // Paging as the API server pages (limit, continue): objects in namespace/name order, the
    // token holding the first page's resourceVersion and the last key served. (The real server
    // serves every page from one snapshot; the sim serves the current state, which the watch
    // from that resourceVersion then brings up to date.)
    let rv = store.currentRv();
    let after = '';
    const token = q.get('continue');
    if (token) {
      this.counts.continuedLists++;
      if (this.faults.expireContinue)
        throw new ApiError(
          410,
          'Expired',
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
        );
      try {
        const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
        if (typeof t.rv !== 'string' || typeof t.after !== 'string') throw new Error('fields');
        rv = t.rv;
        after = t.after;
      } catch {
        throw new ApiError(400, 'BadRequest', 'continue key is not valid: invalid continue token');
      }
    }
    // The listing's keys in order, computed on its first page and reused by its continuations
    // (a few listings at a time), so a page costs its own objects, not a sort of them all.
    const ns = r.def.namespaced ? r.namespace : undefined;
    const match = this.matcher(q);
    const session = `${r.def.resource}|${ns ?? ''}|${q.get('labelSelector') ?? ''}|${q.get('fieldSelector') ?? ''}|${rv}`;
    let keys = token ? this.listSessions.get(session) : undefined;
    if (!keys) {
      keys = store
        .peekUnsorted(r.def.resource, ns, match)
        .map((o) => [`${o.metadata.namespace ?? ''}/${o.metadata.name}`, o.metadata.namespace as string | undefined, o.metadata.name as string] as const);
      keys.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      this.listSessions.set(session, keys);
      if (this.listSessions.size > 8) this.listSessions.delete(this.listSessions.keys().next().value!);
    }
    // The first key after `after` (binary search).
    let lo = 0;
    let hi = keys.length;
    while (after && lo < hi) {
      const mid = (lo + hi) >> 1;
      if (keys[mid]![0] <= after) lo = mid + 1;
      else hi = mid;
    }
    const limit = Math.max(0, Math.floor(Number(q.get('limit') ?? 0)) || 0);
    const page: Array<readonly [string, any]> = [];
    let i = lo;
    // Objects deleted since the listing began are skipped (the watch from its resourceVersion says so).
    for (; i < keys.length && (limit === 0 || page.length < limit); i++) {
      const [k, objNs, name] = keys[i]!;
      const o = store.peek(r.def.resource, objNs, name);
      if (o && match(o)) page.push([k, o]);
    }
    const metadata: Record<string, unknown> = { resourceVersion: rv };
    if (limit > 0 && i < keys.length) {
      metadata.continue = Buffer.from(JSON.stringify({ rv, after: keys[i - 1]![0] })).toString('base64url');
      metadata.remainingItemCount = keys.length - i;
    }
    const items = page.map(([, o]) => clone(o));
    if (wantsTable(req.headers.accept)) return this.json(res, 200, { ...toTable(r.def.resource, items, rv, q.get('includeObject')), metadata });
    this.json(res, 200, { kind: this.listKind(r.def), apiVersion: this.apiVersion(r.def), metadata, items });
  }

  private watch(req: http.IncomingMessage, res: http.ServerResponse, r: Route, q: URLSearchParams): void {
    this.counts.watches++;
    const table = wantsTable(req.headers.accept);
    const match = this.matcher(q);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    const write = (type: string, object: unknown) => {
      if (!res.writableEnded) res.write(JSON.stringify({ type, object }) + '\n');
    };
    const send = (type: EventType, obj: any) => write(type, table ? toTable(r.def.resource, [obj], obj.metadata.resourceVersion, q.get('includeObject')) : obj);
    let unsub: () => void = () => {};
    if (this.faults.watchGone) {
      write('ERROR', new ApiError(410, 'Expired', `too old resource version: ${q.get('resourceVersion') ?? '0'} (${this.world.store.currentRv()})`).toStatus());
      res.end();
      return;
    }
    try {
      unsub = this.world.store.watch({ resource: r.def.resource, namespace: r.def.namespaced ? r.namespace : undefined, match, send }, q.get('resourceVersion') ?? undefined);
    } catch (e) {
      if (e instanceof ApiError) {
        write('ERROR', e.toStatus());
        res.end();
        return;
      }
      throw e;
    }
    this.watches.add(res);
    this.watchResource.set(res, r.def.resource);
    const timers: ReturnType<typeof setInterval>[] = [];
    if (q.get('allowWatchBookmarks') === 'true' || q.get('allowWatchBookmarks') === '1') {
      const t = setInterval(
        () => write('BOOKMARK', { kind: r.def.kind, apiVersion: this.apiVersion(r.def), metadata: { resourceVersion: this.world.store.currentRv() } }),
        this.bookmarkIntervalMs,
      );
      t.unref();
      timers.push(t);
    }
    const ts = Number(q.get('timeoutSeconds') ?? 0);
    if (ts > 0) {
      const t = setTimeout(() => res.end(), ts * 1000);
      t.unref();
      timers.push(t);
    }
    for (const t of timers) this.timers.add(t);
    const cleanup = () => {
      unsub();
      for (const t of timers) {
        clearInterval(t);
        this.timers.delete(t);
      }
      this.watches.delete(res);
      this.watchResource.delete(res);
    };
    res.on('close', cleanup);
    res.on('finish', cleanup);
    res.on('error', cleanup);
  }

  private logs(req: http.IncomingMessage, res: http.ServerResponse, ns: string, name: string, q: URLSearchParams): void {
    const num = (k: string) => {
      const v = q.get(k);
      if (v === null) return undefined;
      const n = Number(v);
      if (!Number.isFinite(n)) throw ApiError.badRequest(`invalid ${k}: ${v}`);
      return n;
    };
    const opts = {
      container: q.get('container') ?? undefined,
      tailLines: num('tailLines'),
      sinceSeconds: num('sinceSeconds'),
      sinceTime: q.get('sinceTime') ?? undefined,
      previous: q.get('previous') === 'true',
      timestamps: q.get('timestamps') === 'true',
    };
    if (q.get('follow') !== 'true') {
      const text = this.world.podLogs(ns, name, opts);
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    // The real API server streams a follow as one chunked response that stays open while the container runs.
    let started = false;
    const start = () => {
      if (started) return;
      started = true;
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
      res.flushHeaders();
    };
    const stop = this.world.followLogs(
      ns,
      name,
      opts,
      (text) => {
        start();
        res.write(text);
      },
      () => {
        start();
        res.end();
      },
    );
    start();
    this.logStreams.add(res);
    res.on('close', () => {
      stop();
      this.logStreams.delete(res);
    });
  }
}
