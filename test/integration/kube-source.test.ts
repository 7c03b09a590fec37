// The kube source against the project's Kubernetes API simulator, through the real
// @kubernetes/client-node, with the real kubectl changing the world from outside.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { KubeSim } from '../../src/sim/kube/index.js';
import { KubeSource } from '../../src/sources/kube/source.js';
import { createCockpit, type Cockpit } from '../../src/store/store.js';
import type { KubeData } from '../../src/sources/kube/types.js';
import type { Publish } from '../../src/sources/types.js';
import { freePort, tempDir, waitFor } from '../helpers/net.js';

/** A TCP hop between the source and the API that can be cut and restored (a network outage). */
class Link {
  private server: net.Server | null = null;
  private sockets = new Set<net.Socket>();
  constructor(
    private readonly target: number,
    readonly port: number,
  ) {}
  async up(): Promise<void> {
    const srv = net.createServer((c) => {
      const u = net.connect(this.target, '127.0.0.1');
      for (const s of [c, u]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      c.pipe(u).pipe(c);
    });
    await new Promise<void>((r) => srv.listen(this.port, '127.0.0.1', r));
    this.server = srv;
  }
  async down(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    this.server = null;
  }
}

const run = promisify(execFile);
const KUBECTL = '/usr/bin/kubectl';

let sim: KubeSim;
let dir: string;
let kubeconfig: string;
let cockpit: Cockpit;
let source: KubeSource;
let link: Link;
let staged = 0;
/** Every status each pod was seen with, across frames. */
const seen = new Map<string, Set<string>>();

const kube = () => cockpit.store.getState().kube;
const pods = (deployment: string) => kube().data.pods.filter((p) => p.deployment === deployment);
const dep = (name: string) => kube().data.deployments.find((d) => d.name === name);

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run(KUBECTL, ['--kubeconfig', kubeconfig, ...args], { timeout: 15_000 });
  return stdout;
}

before(async () => {
  assert.ok(fs.existsSync(KUBECTL), `kubectl is required at ${KUBECTL}`);
  sim = new KubeSim({ speed: 20, seed: 7 });
  await sim.start({ host: '127.0.0.1' });
  dir = tempDir('warroom-kube-source-');
  kubeconfig = path.join(dir, 'config');
  fs.writeFileSync(kubeconfig, sim.kubeconfig({ context: 'sim', namespace: 'prod' }));
  sim.addNamespace('prod');
  sim.addNamespace('other');
  sim.setImageBehavior('shop/api:1.0', {
    startup: 'ok',
    readyDelaySeconds: 2,
    logLine: (pod, seq) => (seq % 3 === 0 ? `2026-11-25T12:00:${String(seq % 60).padStart(2, '0')}Z ERROR db timeout after ${1000 + seq}ms pod=${pod}` : `level=INFO seq=${seq}`),
  });
  sim.setImageBehavior('shop/crash:1.0', { startup: 'crashloop' });
  sim.setImageBehavior('shop/oom:1.0', { startup: 'oom' });
  sim.setImageBehavior('shop/pull:9.9', { startup: 'imagepull' });
  sim.addDeployment({ namespace: 'prod', name: 'api', image: 'shop/api:1.0', replicas: 3, changeCause: 'initial' });
  sim.addDeployment({ namespace: 'prod', name: 'crash', image: 'shop/crash:1.0', replicas: 1 });
  sim.addDeployment({ namespace: 'prod', name: 'oom', image: 'shop/oom:1.0', replicas: 1 });
  sim.addDeployment({ namespace: 'prod', name: 'pull', image: 'shop/pull:9.9', replicas: 1 });
  sim.addDeployment({ namespace: 'other', name: 'elsewhere', image: 'shop/api:1.0', replicas: 1 });

  // The source reaches the API through a link the outage test cuts; kubectl talks to it directly.
  link = new Link(Number(new URL(sim.url).port), await freePort());
  await link.up();
  const sourceCfg = path.join(dir, 'via-link');
  fs.writeFileSync(sourceCfg, fs.readFileSync(kubeconfig, 'utf8').replace(/(server: https?:\/\/127\.0\.0\.1:)\d+/, `$1${link.port}`));
  cockpit = createCockpit();
  const publish = cockpit.publisher('kube');
  const counting: Publish<KubeData> = (fn) => {
    staged++;
    publish(fn);
  };
  cockpit.onFlush((s) => {
    for (const p of s.kube.data.pods) {
      const set = seen.get(p.name) ?? new Set<string>();
      set.add(p.status);
      seen.set(p.name, set);
    }
  });
  cockpit.startClock(10);
  source = new KubeSource({ kubeconfig: sourceCfg, namespaces: [], allNamespaces: false, timeoutSeconds: 5, refreshSeconds: 1 }, counting);
  await source.start();
});

after(async () => {
  await source?.stop();
  cockpit?.stopClock();
  await link?.down();
  await sim?.stop();
});

test('lists the context namespace and reaches ok with every deployment', async () => {
  await waitFor(() => kube().status === 'ok' && kube().data.deployments.length === 4, { what: 'kube slice ok with 4 deployments' });
  const k = kube();
  assert.equal(k.data.context, 'sim');
  assert.deepEqual(k.data.namespaces, ['prod']);
  assert.equal(k.error, null);
  assert.ok(!k.data.deployments.some((d) => d.name === 'elsewhere'), 'only the context namespace');
  await waitFor(() => pods('api').length === 3 && pods('api').every((p) => p.healthy), { what: 'api pods ready', timeoutMs: 15_000 });
});

test('pod states a responder needs: crash loop, OOMKilled, image pull, pending; unhealthy first', async () => {
  await waitFor(() => pods('crash')[0]?.status === 'CrashLoopBackOff', { what: 'CrashLoopBackOff', timeoutMs: 20_000 });
  // kubectl's STATUS: OOMKilled while the container is terminated, CrashLoopBackOff once it waits to restart.
  await waitFor(() => pods('oom')[0]?.lastTermination?.reason === 'OOMKilled' && ['OOMKilled', 'CrashLoopBackOff'].includes(pods('oom')[0]!.status), {
    what: 'OOMKilled',
    timeoutMs: 20_000,
  });
  await waitFor(() => ['ImagePullBackOff', 'ErrImagePull'].includes(pods('pull')[0]?.status ?? ''), { what: 'image pull failure', timeoutMs: 20_000 });
  const crash = pods('crash')[0];
  assert.equal(crash.healthy, false);
  assert.ok(crash.restarts >= 1, 'crash loop has restarts');
  assert.ok(crash.recentRestarts >= 1, 'and they are recent');
  assert.match(pods('pull')[0].reason ?? '', /shop\/pull:9\.9/);
  const list = kube().data.pods;
  const firstHealthy = list.findIndex((p) => p.healthy);
  assert.ok(firstHealthy > 0 && list.slice(firstHealthy).every((p) => p.healthy), 'unhealthy pods sorted first');
});

test('events: folded, warnings first', async () => {
  await waitFor(() => kube().data.events.some((e) => e.reason === 'BackOff' && e.object.startsWith('pod/crash-')), { what: 'BackOff event', timeoutMs: 10_000 });
  const events = kube().data.events;
  const firstNormal = events.findIndex((e) => e.type !== 'Warning');
  assert.ok(firstNormal > 0 && events.slice(firstNormal).every((e) => e.type !== 'Warning'), 'warnings first');
  const keys = events.map((e) => `${e.object}|${e.reason}|${e.message}`);
  assert.equal(new Set(keys).size, keys.length, 'one row per (object, reason, message)');
});

test('logs of a deployment with the errors grouped on top', async () => {
  await waitFor(async () => (await source.logsFor({ name: 'api', namespace: 'prod', deployment: dep('api') }, 'deployment')).lines[0] === 'Errors (count, normalised message):', {
    what: 'error lines',
    timeoutMs: 10_000,
  });
  const logs = await source.logsFor({ name: 'api', namespace: 'prod', deployment: dep('api') }, 'deployment');
  assert.match(logs.title, /Logs of deployment prod\/api/);
  assert.equal(logs.lines[0], 'Errors (count, normalised message):');
  assert.match(logs.lines[1], /^\s+\d+\s+ERROR db timeout after Nms pod=api-/);
  assert.ok(
    logs.lines.some((l) => /^\[api-[a-z0-9-]+\] level=INFO/.test(l)),
    'lines prefixed with their pod',
  );
  const one = await source.logsFor({ name: pods('api')[0].name, namespace: 'prod', pod: pods('api')[0] }, 'pod');
  assert.match(one.title, /Logs of pod prod\/api-/);
});

test('metrics API: cpu and memory appear', async () => {
  await waitFor(() => kube().data.metricsAvailable && pods('api').some((p) => p.memoryBytes != null), { what: 'pod metrics', timeoutMs: 10_000 });
});

test('external kubectl scale and rollout restart show up within one second', async () => {
  await kubectl('scale', 'deployment/api', '--replicas=5');
  let t0 = Date.now();
  await waitFor(() => dep('api')?.desired === 5, { what: 'desired 5', timeoutMs: 1000, intervalMs: 20 });
  assert.ok(Date.now() - t0 <= 1000);

  const before = dep('api')!.revision!;
  await kubectl('rollout', 'restart', 'deployment/api');
  t0 = Date.now();
  await waitFor(() => (dep('api')?.revision ?? 0) > before || dep('api')?.rolling, { what: 'restart visible', timeoutMs: 1000, intervalMs: 20 });
  assert.ok(Date.now() - t0 <= 1000);
  await waitFor(() => dep('api')?.rolling === false && dep('api')?.available === 5, { what: 'restart settles', timeoutMs: 20_000 });
  assert.equal(dep('api')!.revision, before + 1);
  assert.ok(Date.now() - (dep('api')!.lastRolloutAt ?? 0) < 60_000, 'last rollout time is the new ReplicaSet');
  // The new ReplicaSet's pods (their ReplicaSet may arrive before or after them) belong to the deployment.
  await waitFor(() => pods('api').length === 5 && kube().data.pods.every((p) => !p.name.startsWith('api-') || p.deployment === 'api'), {
    what: 'every api pod mapped to deployment api',
    timeoutMs: 10_000,
  });
});

test('watch resumes after dropped streams without a relist, and misses nothing', async () => {
  const lists = source.stats().lists;
  sim.dropWatches();
  await kubectl('scale', 'deployment/api', '--replicas=2');
  await waitFor(() => dep('api')?.desired === 2 && pods('api').length === 2, { what: 'scale after drop', timeoutMs: 15_000 });
  assert.equal(source.stats().lists, lists, 'resumed from the resourceVersion, no relist');
  assert.equal(kube().status, 'ok');
});

test('relists after the history is compacted (410 Gone) and misses nothing', async () => {
  const lists = source.stats().lists;
  // Stop watching events happen: drop streams, change the world, compact, so resuming gets 410.
  sim.dropWatches();
  sim.compactHistory();
  await kubectl('scale', 'deployment/api', '--replicas=3');
  sim.compactHistory();
  await waitFor(() => dep('api')?.desired === 3, { what: 'scale after compaction', timeoutMs: 10_000 });
  await waitFor(() => pods('api').length === 3, { what: 'pods after compaction', timeoutMs: 15_000 });
  const names = new Set(
    sim
      .listPods('prod')
      .filter((p: any) => p.metadata.name.startsWith('api-'))
      .map((p: any) => p.metadata.name),
  );
  await waitFor(
    () => {
      const mine = new Set(pods('api').map((p) => p.name));
      return mine.size === names.size && [...names].every((n) => mine.has(n));
    },
    { what: 'same pods as the sim' },
  );
  assert.ok(source.stats().lists > lists, 'relisted after 410 Gone');
});

test('one staged update per frame: a burst of changes costs few publishes', async () => {
  await waitFor(() => dep('api')?.rolling === false, { what: 'api settled', timeoutMs: 20_000 });
  const before = staged;
  const flushes: number[] = [];
  const off = cockpit.onFlush(() => flushes.push(Date.now()));
  await kubectl('scale', 'deployment/api', '--replicas=12');
  await waitFor(() => pods('api').length === 12 && pods('api').every((p) => p.healthy), { what: '12 ready', timeoutMs: 20_000 });
  off();
  // New pods pass through Pending/ContainerCreating (not ready) before they run.
  const fresh = pods('api').map((p) => seen.get(p.name) ?? new Set<string>());
  assert.ok(
    fresh.some((s) => s.has('Pending') || s.has('ContainerCreating')),
    `new pods seen pending: ${JSON.stringify(fresh.map((s) => [...s]))}`,
  );
  const publishes = staged - before;
  // Dozens of watch events (12 pods × several status changes, RS and deployment updates)…
  assert.ok(publishes <= flushes.length + 1, `publishes ${publishes} ≤ flushes ${flushes.length} + 1`);
});

test('idle: no watch churn; only changed metrics are published', async () => {
  await kubectl('scale', 'deployment/crash', '--replicas=0');
  await kubectl('scale', 'deployment/oom', '--replicas=0');
  await kubectl('scale', 'deployment/pull', '--replicas=0');
  await waitFor(() => kube().data.pods.every((p) => p.healthy) && kube().data.deployments.every((d) => !d.rolling), { what: 'quiet', timeoutMs: 20_000 });
  await new Promise((r) => setTimeout(r, 1500));
  const before = staged;
  const deployments = kube().data.deployments;
  const events = kube().data.events;
  await new Promise((r) => setTimeout(r, 2500));
  // At most one publish per metrics poll (refreshSeconds: 1), and the watched lists untouched.
  assert.ok(staged - before <= 3, `idle publishes: ${staged - before}`);
  assert.equal(kube().data.deployments, deployments);
  assert.equal(kube().data.events, events);
});

test('namespaces: -A and switching contexts', async () => {
  await source.setNamespaces('all');
  await waitFor(() => kube().status === 'ok' && kube().data.deployments.some((d) => d.name === 'elsewhere'), { what: 'all namespaces', timeoutMs: 10_000 });
  assert.equal(kube().data.allNamespaces, true);
  await source.setNamespaces(['other']);
  await waitFor(() => kube().status === 'ok' && kube().data.deployments.length === 1, { what: 'only other', timeoutMs: 10_000 });
  assert.deepEqual(kube().data.namespaces, ['other']);
  assert.deepEqual(
    source.listContexts().map((c) => c.name),
    ['sim'],
  );
  await assert.rejects(source.switchContext('nope'), /context "nope" does not exist/);
  assert.equal(kube().data.deployments.length, 1, 'a bad context leaves the cockpit as it was');
});

test('API unreachable: down with a clear error, last data kept; back: ok again without missed changes', async () => {
  const count = kube().data.deployments.length;
  const updatedAt = kube().updatedAt;
  await link.down();
  // Changes made while we cannot see the API must show up once it is back.
  await kubectl('-n', 'other', 'scale', 'deployment/elsewhere', '--replicas=2');
  await waitFor(() => kube().status === 'down', { what: 'down', timeoutMs: 10_000 });
  assert.match(kube().error ?? '', /unreachable|cannot connect/);
  assert.equal(kube().data.deployments.length, count);
  assert.equal(kube().updatedAt, updatedAt);
  await link.up();
  await waitFor(() => kube().status === 'ok' && dep('elsewhere')?.desired === 2, { what: 'recovered with the change', timeoutMs: 20_000 });
  assert.equal(kube().error, null);
  assert.ok((kube().updatedAt ?? 0) > (updatedAt ?? 0));
});
