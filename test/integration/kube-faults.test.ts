// The kube source under API faults a responder meets: a hung (SIGSTOPed) API server, LISTs that
// never answer, a watch that answers 410 Gone forever, and junk in the watch stream. Everything
// runs against the project's API simulator over real HTTP(S); the hung server is a real process
// stopped with SIGSTOP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { KubeSim } from '../../src/sim/kube/index.js';
import { KubeSource, type KubeSourceExtra } from '../../src/sources/kube/source.js';
import { createCockpit, type Cockpit } from '../../src/store/store.js';
import { tempDir, waitFor } from '../helpers/net.js';

/** One namespace: pods, deployments, replicasets, events, statefulsets, daemonsets, controllerrevisions; and nodes. */
const REFLECTORS = 8;

const here = path.dirname(fileURLToPath(import.meta.url));
const CHILD = path.join(here, '..', 'helpers', 'kube-sim-child.ts');

interface Rig {
  cockpit: Cockpit;
  source: KubeSource;
  logs: string[];
  kube: () => ReturnType<Cockpit['store']['getState']>['kube'];
  stop: () => Promise<void>;
}

async function startSource(kubeconfig: string, timeoutSeconds: number, extra: KubeSourceExtra = {}): Promise<Rig> {
  const cockpit = createCockpit();
  cockpit.startClock(10);
  const logs: string[] = [];
  const source = new KubeSource({ kubeconfig, namespaces: [], allNamespaces: false, timeoutSeconds, refreshSeconds: 5 }, cockpit.publisher('kube'), {
    log: (m) => logs.push(m),
    ...extra,
  });
  await source.start();
  return {
    cockpit,
    source,
    logs,
    kube: () => cockpit.store.getState().kube,
    stop: async () => {
      await source.stop();
      cockpit.stopClock();
    },
  };
}

async function startSim(): Promise<{ sim: KubeSim; kubeconfig: string }> {
  const sim = new KubeSim({ speed: 20, seed: 3 });
  await sim.start({ host: '127.0.0.1' });
  sim.addNamespace('prod');
  sim.setImageBehavior('shop/api:1.0', { startup: 'ok', readyDelaySeconds: 1 });
  sim.addDeployment({ namespace: 'prod', name: 'api', image: 'shop/api:1.0', replicas: 3 });
  const kubeconfig = path.join(tempDir('warroom-kube-faults-'), 'config');
  fs.writeFileSync(kubeconfig, sim.kubeconfig({ context: 'sim', namespace: 'prod' }));
  return { sim, kubeconfig };
}

const ready = (r: Rig) => r.kube().status === 'ok' && r.kube().data.pods.length === 3;

test('a SIGSTOPed API server shows degraded within 10 s, then down, with the age of the data; back within seconds of SIGCONT', async () => {
  const kubeconfig = path.join(tempDir('warroom-kube-stop-'), 'config');
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', CHILD, kubeconfig], { stdio: ['pipe', 'pipe', 'inherit'] });
  let rig: Rig | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (b) => {
        out += String(b);
        if (out.includes('READY')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`sim child exited (${code})`)));
      setTimeout(() => reject(new Error('sim child did not start')), 20_000).unref();
    });
    rig = await startSource(kubeconfig, 10);
    const r = rig;
    await waitFor(() => ready(r), { what: 'ok with 3 pods', timeoutMs: 10_000 });
    const pods = r.kube().data.pods.map((p) => p.name);

    process.kill(child.pid!, 'SIGSTOP');
    const stoppedAt = Date.now();
    await waitFor(() => r.kube().status !== 'ok', { what: 'not ok', timeoutMs: 12_000, intervalMs: 20 });
    const detectMs = Date.now() - stoppedAt;
    console.log(`# SIGSTOP detected after ${detectMs} ms: ${r.kube().status} "${r.kube().error}"`);
    assert.ok(detectMs <= 10_000, `detected after ${detectMs} ms`);
    assert.ok(['degraded', 'down'].includes(r.kube().status));
    assert.match(r.kube().error ?? '', /API server not answering for \d+s/);
    // The data's age is honest: no newer than the moment the server stopped.
    assert.ok((r.kube().updatedAt ?? Infinity) <= stoppedAt + 50, `updatedAt ${r.kube().updatedAt} vs stopped ${stoppedAt}`);
    await waitFor(() => r.kube().status === 'down', { what: 'down', timeoutMs: 10_000 });
    const downMs = Date.now() - stoppedAt;
    console.log(`# down after ${downMs} ms: "${r.kube().error}"`);
    assert.ok((r.kube().updatedAt ?? Infinity) <= stoppedAt + 50, 'updatedAt stays the time of the last good data');
    assert.deepEqual(
      r.kube().data.pods.map((p) => p.name),
      pods,
      'last data kept',
    );

    process.kill(child.pid!, 'SIGCONT');
    const contAt = Date.now();
    await waitFor(() => ready(r) && r.kube().error === null, { what: 'ok again', timeoutMs: 10_000, intervalMs: 20 });
    const recoverMs = Date.now() - contAt;
    console.log(`# recovered ${recoverMs} ms after SIGCONT`);
    assert.ok(recoverMs <= 5_000, `recovered after ${recoverMs} ms`);
    assert.ok((r.kube().updatedAt ?? 0) >= contAt, 'fresh data again');
  } finally {
    await rig?.stop();
    if (child.exitCode === null) {
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      await new Promise((r) => {
        child.once('exit', r);
        setTimeout(() => {
          child.kill('SIGKILL');
          r(null);
        }, 3000).unref();
      });
    }
  }
});

test('a hung LIST times out, its socket is abandoned, it is retried with back-off; recovery within seconds', async () => {
  const { sim, kubeconfig } = await startSim();
  sim.faults.hangLists = true;
  const r = await startSource(kubeconfig, 1);
  try {
    await waitFor(() => r.kube().status === 'down', { what: 'down while lists hang', timeoutMs: 5_000 });
    assert.match(r.kube().error ?? '', /timed out/);
    await new Promise((res) => setTimeout(res, 3_000));
    const held = sim.heldLists;
    const { lists, abandonedLists } = sim.requestCounts;
    console.log(`# hung lists: ${lists} LISTs in ~4 s, ${abandonedLists} closed by the client, ${held} still held`);
    // One reflector per kind: at most one list each in flight; every timed-out one had its socket closed.
    assert.ok(held <= REFLECTORS, `held sockets ${held}`);
    assert.equal(abandonedLists + held, lists, 'every hung list but those in flight was abandoned');
    assert.ok(lists > REFLECTORS, 'timed-out lists are retried');
    assert.ok(lists <= REFLECTORS * 6, `retries back off: ${lists} lists`);

    sim.faults.hangLists = false;
    const fixedAt = Date.now();
    await waitFor(() => ready(r) && r.kube().error === null, { what: 'ok after lists answer again', timeoutMs: 10_000, intervalMs: 20 });
    const recoverMs = Date.now() - fixedAt;
    console.log(`# recovered ${recoverMs} ms after the lists answer again`);
    assert.ok(recoverMs <= 4_000, `recovered after ${recoverMs} ms`);
    await waitFor(() => sim.heldLists === 0, { what: 'no socket left held', timeoutMs: 2_000 });
  } finally {
    await r.stop();
    await sim.stop();
  }
});

test('refresh() restarts a stuck list at once', async () => {
  const { sim, kubeconfig } = await startSim();
  sim.faults.hangLists = true;
  const r = await startSource(kubeconfig, 10);
  try {
    await waitFor(() => sim.heldLists === REFLECTORS, { what: `${REFLECTORS} lists held`, timeoutMs: 5_000 });
    sim.faults.hangLists = false;
    const t0 = Date.now();
    r.source.refresh();
    await waitFor(() => ready(r), { what: 'ok after refresh', timeoutMs: 5_000, intervalMs: 20 });
    const ms = Date.now() - t0;
    console.log(`# refresh() brought the pods back in ${ms} ms (list timeout 10 s)`);
    assert.ok(ms < 2_000, `took ${ms} ms`);
    await waitFor(() => sim.heldLists === 0, { what: 'stuck sockets closed', timeoutMs: 2_000 });
    assert.ok(
      r.logs.some((l) => l.includes(`kube refresh: restarted ${REFLECTORS} watches`)),
      r.logs.join('\n'),
    );
  } finally {
    await r.stop();
    await sim.stop();
  }
});

test('a watch that always answers 410 Gone backs off (bounded requests in 10 s); the back-off resets after a good event', async () => {
  const { sim, kubeconfig } = await startSim();
  sim.faults.watchGone = true;
  const before = sim.requestCounts.requests;
  const r = await startSource(kubeconfig, 10);
  try {
    await new Promise((res) => setTimeout(res, 10_000));
    const requests = sim.requestCounts.requests - before;
    console.log(`# always-410: ${requests} requests in 10 s (${r.source.stats().gone} 410s, ${r.source.stats().lists} lists)`);
    assert.ok(requests < 15 * REFLECTORS, `${requests} requests in 10 s`);
    // Lists still succeed, so the data is there, but the pane says something is wrong.
    assert.equal(r.kube().data.pods.length, 3);
    assert.equal(r.kube().status, 'degraded');
    assert.match(r.kube().error ?? '', /410 Gone/);
    assert.ok(!r.kube().data.pods.some((p) => !p.name));

    sim.faults.watchGone = false;
    r.source.refresh();
    await waitFor(() => ready(r) && r.kube().error === null, { what: 'ok once watches work', timeoutMs: 3_000, intervalMs: 20 });
    // One bookmark (every second in the sim) resets the back-off: a later 410 relists at once.
    await new Promise((res) => setTimeout(res, 1_500));
    const gone = r.source.stats().gone;
    const lists = r.source.stats().lists;
    sim.dropWatches();
    sim.compactHistory();
    sim.setImage('prod', 'api', 'shop/api:1.0', 'touch');
    await waitFor(() => r.source.stats().gone > gone && r.source.stats().lists > lists, { what: 'relist after a single 410', timeoutMs: 2_000, intervalMs: 20 });
    await waitFor(() => ready(r), { what: 'ok after the relist', timeoutMs: 3_000 });
  } finally {
    await r.stop();
    await sim.stop();
  }
});

test('malformed watch events are dropped and counted, never shown; an ERROR Status 410 relists', async () => {
  const { sim, kubeconfig } = await startSim();
  const r = await startSource(kubeconfig, 10);
  try {
    await waitFor(() => ready(r), { what: 'ok with 3 pods' });
    // Let the watches open (a bookmark arrives every second).
    await waitFor(() => sim.injectWatchLines([], 'pods') === 1, { what: 'pods watch open' });
    const pod = sim.listPods('prod')[0];
    const ghost = (meta: object, extra: object = {}) =>
      JSON.stringify({ type: 'ADDED', object: { kind: 'Pod', apiVersion: 'v1', metadata: meta, status: { phase: 'Failed' }, ...extra } });
    const junk = [
      'this is not json {',
      '42',
      '"a string"',
      '[{"type":"ADDED"}]',
      'null',
      '{}',
      JSON.stringify({ object: pod }),
      JSON.stringify({ type: 'ADDED' }),
      JSON.stringify({ type: 'ADDED', object: null }),
      JSON.stringify({ type: 'MODIFIED', object: 'pod' }),
      ghost({}),
      ghost({ name: null, uid: 'u-1', namespace: 'prod' }),
      ghost({ name: 'ghost-1', namespace: 'prod' }),
      ghost({ uid: 'u-2', namespace: 'prod' }),
      JSON.stringify({ type: 'EXPLODED', object: pod }),
      JSON.stringify({ type: 'ADDED', object: { kind: 'Deployment', apiVersion: 'apps/v1', metadata: { name: 'wrong-kind', uid: 'u-3', namespace: 'prod' } } }),
      JSON.stringify({ type: 'BOOKMARK', object: { kind: 'Pod', metadata: {} } }),
    ];
    assert.equal(sim.injectWatchLines(junk, 'pods'), 1);
    await waitFor(() => r.source.stats().dropped === junk.length, { what: `${junk.length} dropped`, timeoutMs: 3_000 });
    await new Promise((res) => setTimeout(res, 200));
    const names = r.kube().data.pods.map((p) => p.name);
    console.log(`# junk: ${r.source.stats().dropped} dropped, pods ${names.length}`);
    assert.equal(names.length, 3, `no phantom pods: ${JSON.stringify(names)}`);
    assert.ok(
      names.every((n) => typeof n === 'string' && n.startsWith('api-')),
      JSON.stringify(names),
    );
    assert.equal(r.kube().status, 'ok');
    const dropLogs = r.logs.filter((l) => /dropped a malformed watch event/.test(l));
    assert.equal(dropLogs.length, junk.length);
    assert.match(dropLogs.at(-1)!, new RegExp(`; ${junk.length} dropped so far`));
    assert.ok(
      dropLogs.some((l) => /not JSON/.test(l)) &&
        dropLogs.some((l) => /without metadata\.uid/.test(l)) &&
        dropLogs.some((l) => /unknown type/.test(l)) &&
        dropLogs.some((l) => /kind "Deployment"/.test(l)),
    );
    // The stream is still alive after the junk: a real change comes through.
    sim.deletePod('prod', pod.metadata.name);
    await waitFor(
      () => r.kube().data.pods.some((p) => p.name === pod.metadata.name && p.status === 'Terminating') || !r.kube().data.pods.some((p) => p.name === pod.metadata.name),
      { what: 'delete seen', timeoutMs: 5_000 },
    );

    // ERROR with a Status, as the API documents it: 410 Expired → relist.
    const lists = r.source.stats().lists;
    sim.injectWatchLines(
      [
        JSON.stringify({
          type: 'ERROR',
          object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'too old resource version: 1 (99)', reason: 'Expired', code: 410 },
        }),
      ],
      'pods',
    );
    await waitFor(() => r.source.stats().lists === lists + 1, { what: 'relist after ERROR 410', timeoutMs: 3_000, intervalMs: 20 });
    await waitFor(() => ready(r), { what: 'ok after relist', timeoutMs: 10_000 });
    assert.equal(r.source.stats().dropped, junk.length, 'the ERROR event is not junk');
  } finally {
    await r.stop();
    await sim.stop();
  }
});
