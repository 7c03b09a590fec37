// Wire-level Kubernetes API simulator: the real kubectl and @kubernetes/client-node talk to it as to a cluster.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { stringify } from 'yaml';
import { SimClock } from './clock.js';
import { SIM_TLS_CERT, SIM_TLS_KEY } from './tls.js';
import { KubeHttp, type SimFaults, type SimUser } from './server.js';
import type { DaemonSetSpec, DeploymentSpec, ImageBehavior, KubeSimOptions, StatefulSetSpec } from './types.js';
import { clone, fnv32a, isoSeconds, seededRand, uuid, type Rand } from './util.js';
import type { NodeConditionType, NodeSpec } from './nodes.js';
import { updateRevision } from './revisions.js';
import { templateHash, World } from './world.js';

export type { DaemonSetSpec, DeploymentSpec, ImageBehavior, KubeSimOptions, StatefulSetSpec } from './types.js';
export type { NodeConditionType, NodeSpec } from './nodes.js';
export type { SimFaults } from './server.js';
export { templateHash } from './world.js';

const NAMESPACE_AGE_MS = 30 * 24 * 3600_000;

export class KubeSim {
  private readonly clock: SimClock;
  private readonly rand: Rand;
  private readonly world: World;
  private readonly http: KubeHttp;
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private port = 0;
  private host = '127.0.0.1';
  private readonly tokens: Record<SimUser, string>;

  constructor(opts: KubeSimOptions = {}) {
    this.clock = new SimClock(opts.speed ?? 1);
    const seed = opts.seed ?? 1;
    this.rand = seededRand(seed);
    this.world = new World(this.clock, this.rand);
    const suffix = fnv32a(`warroom-sim-${seed}`).toString(16);
    this.tokens = { admin: `sim-admin-${suffix}`, viewer: `sim-viewer-${suffix}` };
    const map = new Map<string, SimUser>([
      [this.tokens.admin, 'admin'],
      [this.tokens.viewer, 'viewer'],
    ]);
    this.http = new KubeHttp(this.world, map, opts.bookmarkIntervalMs ?? 1000, () => `${this.host}:${this.port}`, opts.log);
    this.world.addNamespace('default', Date.now() - NAMESPACE_AGE_MS);
  }

  /**
   * A Service in the cluster whose ports the services/proxy subresource forwards to `backend`
   * (e.g. the drill's Prometheus as monitoring/prometheus-operated:9090, port name "web").
   */
  addService(namespace: string, name: string, ports: Array<{ name: string; port: number }>, backend?: string): void {
    this.world.addNamespace(namespace, Date.now() - NAMESPACE_AGE_MS);
    this.world.store.put('services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace, uid: uuid(this.rand), creationTimestamp: isoSeconds(Date.now() - NAMESPACE_AGE_MS), labels: { 'app.kubernetes.io/name': name } },
      spec: { type: 'ClusterIP', clusterIP: 'None', ports: ports.map((p) => ({ name: p.name, port: p.port, protocol: 'TCP', targetPort: p.port })) },
      status: { loadBalancer: {} },
    });
    for (const p of ports) if (backend) this.http.serviceBackends.set(`${namespace}/${name}:${p.port}`, backend);
  }

  /**
   * One port speaks both plain HTTP (`url`) and HTTPS (used by `kubeconfig()`, because kubectl only sends
   * bearer tokens over TLS); the first byte of each connection decides.
   */
  async start(opts: { port?: number; host?: string } = {}): Promise<void> {
    if (this.server) return;
    this.host = opts.host ?? '127.0.0.1';
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => this.http.handle(req, res);
    const plain = http.createServer(handler);
    const tls = https.createServer({ key: SIM_TLS_KEY, cert: SIM_TLS_CERT }, handler);
    plain.keepAliveTimeout = 5000;
    tls.keepAliveTimeout = 5000;
    const srv = net.createServer((sock) => {
      this.sockets.add(sock);
      sock.on('close', () => this.sockets.delete(sock));
      sock.on('error', () => sock.destroy());
      sock.once('data', (buf) => {
        sock.pause();
        sock.unshift(buf);
        (buf[0] === 0x16 ? tls : plain).emit('connection', sock);
        process.nextTick(() => sock.resume());
      });
    });
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(opts.port ?? 0, this.host, () => {
        srv.off('error', reject);
        resolve();
      });
    });
    this.port = (srv.address() as AddressInfo).port;
    this.server = srv;
  }

  async stop(): Promise<void> {
    this.clock.stop();
    this.world.stop();
    this.http.stop();
    const srv = this.server;
    this.server = undefined;
    if (!srv) return;
    await new Promise<void>((resolve) => {
      srv.close(() => resolve());
      for (const s of this.sockets) s.destroy();
      this.sockets.clear();
    });
  }

  /** The HTTPS address of the same port (what `kubeconfig()` uses). */
  get httpsUrl(): string {
    return `https://${this.host === '0.0.0.0' ? '127.0.0.1' : this.host}:${this.port}`;
  }

  /** PEM of the CA that signs the HTTPS listener (self-signed; valid for 127.0.0.1, ::1 and localhost). */
  get caPem(): string {
    return SIM_TLS_CERT;
  }

  get url(): string {
    return `http://${this.host}:${this.port}`;
  }

  /** The bearer token of a sim user (for clients configured by hand). */
  token(user: SimUser = 'admin'): string {
    return this.tokens[user];
  }

  kubeconfig(opts: { context?: string; namespace?: string; user?: 'admin' | 'viewer' } = {}): string {
    const context = opts.context ?? 'warroom-sim';
    const user = opts.user ?? 'admin';
    const cfg = {
      apiVersion: 'v1',
      kind: 'Config',
      preferences: {},
      clusters: [{ name: 'warroom-sim', cluster: { server: this.httpsUrl, 'certificate-authority-data': Buffer.from(SIM_TLS_CERT).toString('base64') } }],
      users: [
        { name: 'admin', user: { token: this.tokens.admin } },
        { name: 'viewer', user: { token: this.tokens.viewer } },
      ],
      contexts: [{ name: context, context: { cluster: 'warroom-sim', user, namespace: opts.namespace ?? 'default' } }],
      'current-context': context,
    };
    return stringify(cfg);
  }

  /** A namespace that already existed (created 30 days ago), as in a cluster you are called to. */
  addNamespace(name: string): void {
    this.world.addNamespace(name, Date.now() - NAMESPACE_AGE_MS);
  }

  private container(name: string, image: string): any {
    const behavior = this.world.behaviorOf(image);
    const c: any = { name, image, ports: [{ containerPort: 8080, protocol: 'TCP' }] };
    if (behavior.memoryLimitMiB) c.resources = { limits: { memory: `${behavior.memoryLimitMiB}Mi` } };
    return c;
  }

  private exists(resource: string, ns: string, name: string): void {
    if (this.world.store.peek(resource, ns, name)) throw new Error(`${resource} ${ns}/${name} already exists`);
    this.world.addNamespace(ns, Date.now() - NAMESPACE_AGE_MS);
  }

  /** Store a workload created `ageMs` ago (its creationTimestamp and conditions date from then). */
  private backdate(resource: string, saved: any, ageMs: number): any {
    const back = clone(saved);
    back.metadata.creationTimestamp = isoSeconds(Date.now() - ageMs);
    return this.world.store.put(resource, back);
  }

  private podAge(): number {
    return (20 + Math.floor(this.rand() * 40)) * 60_000;
  }

  addDeployment(d: DeploymentSpec & { namespace: string }): void {
    const w = this.world;
    this.exists('deployments', d.namespace, d.name);
    const labels = d.labels ?? { app: d.name };
    const dep: any = {
      metadata: { name: d.name, namespace: d.namespace, labels: { ...labels }, annotations: d.changeCause ? { 'kubernetes.io/change-cause': d.changeCause } : {} },
      spec: {
        replicas: d.replicas,
        selector: { matchLabels: { ...labels } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: d.maxSurge ?? '25%', maxUnavailable: d.maxUnavailable ?? '25%' } },
        template: {
          metadata: { labels: { ...labels } },
          spec: { containers: [this.container(d.containerName ?? d.name, d.image), ...(d.sidecars ?? []).map((c) => ({ name: c.name, image: c.image }))] },
        },
      },
    };
    const ageMs = 3 * 24 * 3600_000;
    const back = this.backdate('deployments', w.writeWorkload('deployments', dep, undefined, false), ageMs);
    // Revision 1 already rolled out: its ReplicaSet and Running pods exist before anyone looks.
    const rs = clone(w.deployments.createReplicaSet(back, templateHash(back.spec.template), 1));
    rs.metadata.creationTimestamp = isoSeconds(Date.now() - ageMs);
    rs.spec.replicas = d.replicas;
    w.store.put('replicasets', rs);
    for (let i = 0; i < d.replicas; i++) w.deployments.createPod(rs, { startReady: true, ageMs: this.podAge() });
    w.sync();
    // Its conditions date from that rollout too, as on a cluster where nothing moved since.
    const settled = w.store.get('deployments', d.namespace, d.name);
    if (settled?.status?.conditions?.length) {
      const aged = clone(settled);
      for (const c of aged.status.conditions) c.lastUpdateTime = c.lastTransitionTime = isoSeconds(Date.now() - ageMs + 60_000);
      w.store.put('deployments', aged);
    }
  }

  /** A StatefulSet whose revision 1 already rolled out (pods <name>-0 … Running and Ready). */
  addStatefulSet(s: StatefulSetSpec & { namespace: string }): void {
    const w = this.world;
    this.exists('statefulsets', s.namespace, s.name);
    const labels = s.labels ?? { app: s.name };
    const sts: any = {
      metadata: { name: s.name, namespace: s.namespace, labels: { ...labels }, annotations: s.changeCause ? { 'kubernetes.io/change-cause': s.changeCause } : {} },
      spec: {
        replicas: s.replicas,
        serviceName: s.serviceName ?? s.name,
        podManagementPolicy: s.podManagementPolicy ?? 'OrderedReady',
        selector: { matchLabels: { ...labels } },
        template: { metadata: { labels: { ...labels } }, spec: { containers: [this.container(s.containerName ?? s.name, s.image)] } },
      },
    };
    const back = this.backdate('statefulsets', w.writeWorkload('statefulsets', sts, undefined, false), 3 * 24 * 3600_000);
    const rev = this.backdate('controllerrevisions', updateRevision(w, back, false), 3 * 24 * 3600_000);
    for (let i = 0; i < s.replicas; i++) w.statefulsets.createPod(back, i, rev, { startReady: true, ageMs: this.podAge() });
    w.sync();
  }

  /** A DaemonSet whose revision 1 already runs on every node. */
  addDaemonSet(d: DaemonSetSpec & { namespace: string }): void {
    const w = this.world;
    this.exists('daemonsets', d.namespace, d.name);
    const labels = d.labels ?? { app: d.name };
    const ds: any = {
      metadata: { name: d.name, namespace: d.namespace, labels: { ...labels }, annotations: d.changeCause ? { 'kubernetes.io/change-cause': d.changeCause } : {} },
      spec: {
        selector: { matchLabels: { ...labels } },
        template: { metadata: { labels: { ...labels } }, spec: { containers: [this.container(d.containerName ?? d.name, d.image)] } },
      },
    };
    const back = this.backdate('daemonsets', w.writeWorkload('daemonsets', ds, undefined, false), 3 * 24 * 3600_000);
    const rev = this.backdate('controllerrevisions', updateRevision(w, back, true), 3 * 24 * 3600_000);
    for (const node of w.daemonsets.eligibleNodes(back)) w.daemonsets.createPod(back, node, rev, { startReady: true, ageMs: this.podAge() });
    w.sync();
  }

  /** Change a workload's container image as `kubectl set image` does (a rollout starts). */
  setImage(namespace: string, name: string, image: string, changeCause?: string, resource: 'deployments' | 'statefulsets' | 'daemonsets' = 'deployments'): void {
    const cur = this.world.store.get(resource, namespace, name);
    if (!cur) throw new Error(`${resource} ${namespace}/${name} not found`);
    const next = clone(cur);
    const cs = next.spec.template.spec.containers;
    const target = cs.find((c: any) => c.name === name) ?? cs[0];
    target.image = image;
    if (changeCause !== undefined) next.metadata.annotations = { ...(next.metadata.annotations ?? {}), 'kubernetes.io/change-cause': changeCause };
    this.world.writeWorkload(resource, next, cur, false);
  }

  /** Register another node (the cluster starts with sim-node-1 … sim-node-3). */
  addNode(spec: NodeSpec): void {
    if (this.world.store.peek('nodes', undefined, spec.name)) throw new Error(`node ${spec.name} already exists`);
    this.world.nodes.add(spec);
    this.world.requestSync();
  }

  /** Make a node condition unhealthy (Ready → Unknown, pressure → True) or healthy again. */
  setNodeCondition(name: string, type: NodeConditionType, healthy: boolean): void {
    this.world.nodes.setCondition(name, type, healthy);
    this.world.requestSync();
  }

  getNode(name: string): any | undefined {
    return this.world.store.get('nodes', undefined, name);
  }

  listNodes(): any[] {
    return this.world.store.list('nodes');
  }

  getStatefulSet(namespace: string, name: string): any | undefined {
    return this.world.store.get('statefulsets', namespace, name);
  }

  getDaemonSet(namespace: string, name: string): any | undefined {
    return this.world.store.get('daemonsets', namespace, name);
  }

  listControllerRevisions(namespace?: string): any[] {
    return this.world.store.list('controllerrevisions', namespace);
  }

  setImageBehavior(image: string, behavior: ImageBehavior): void {
    this.world.behaviors.set(image, { ...behavior });
  }

  getDeployment(namespace: string, name: string): any | undefined {
    return this.world.store.get('deployments', namespace, name);
  }

  listPods(namespace?: string): any[] {
    return this.world.store.list('pods', namespace);
  }

  listReplicaSets(namespace?: string): any[] {
    return this.world.store.list('replicasets', namespace);
  }

  listEvents(namespace?: string): any[] {
    return this.world.store.list('events', namespace);
  }

  /** Delete a pod as `kubectl delete pod` would (Terminating, then gone; the ReplicaSet replaces it). */
  deletePod(namespace: string, name: string): void {
    this.world.deletePod(namespace, name);
  }

  /** How many `logs?follow=true` streams are open (a closed viewer leaves none). */
  openLogStreams(): number {
    return this.http.logStreams.size;
  }

  /** Cuts every log follow mid-stream (a dropped connection); returns how many. */
  dropLogStreams(): number {
    return this.http.dropLogStreams();
  }

  dropWatches(): void {
    this.http.closeWatches();
  }

  compactHistory(): void {
    this.world.store.compact();
  }

  /** Fault injection (tests): set `watchGone`, `hangLists` or `expireContinue` to make the API misbehave. */
  get faults(): SimFaults {
    return this.http.faults;
  }

  /** Requests received so far (all, lists, watches, lists continuing a paged one), answered or not, and held LISTs their client closed. */
  get requestCounts(): { requests: number; lists: number; watches: number; abandonedLists: number; continuedLists: number } {
    return { ...this.http.counts };
  }

  /** LIST requests held open by the `hangLists` fault whose clients have not closed them. */
  get heldLists(): number {
    return this.http.heldLists.size;
  }

  /** Writes raw lines into the open watch streams of `resource` (all when absent); returns how many. */
  injectWatchLines(lines: string[], resource?: string): number {
    return this.http.injectWatchLines(lines, resource);
  }

  onChange(listener: () => void): () => void {
    return this.world.store.onChange(listener);
  }

  now(): number {
    return this.clock.now();
  }
}
