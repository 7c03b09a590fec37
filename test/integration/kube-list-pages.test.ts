// LIST in pages, against the simulator through the real client and kubectl: the simulator pages
// as the API server does (limit, continue, remainingItemCount; a bad token is a 400, an expired
// one a 410), and the kube source lists 1,100 pods 500 at a time, falling back to one list
// without a limit when its continue token has expired.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { KubeSim } from '../../src/sim/kube/index.js';
import { KubeSource } from '../../src/sources/kube/source.js';
import { createCockpit } from '../../src/store/store.js';
import { tempDir, waitFor } from '../helpers/net.js';

const run = promisify(execFile);
const KUBECTL = '/usr/bin/kubectl';
const PODS = 1100;
let sim: KubeSim;
let kubeconfig: string;

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run(KUBECTL, ['--kubeconfig', kubeconfig, ...args], { timeout: 30_000, maxBuffer: 64 * 2 ** 20 });
  return stdout;
}

before(async () => {
  assert.ok(fs.existsSync(KUBECTL), `kubectl is required at ${KUBECTL}`);
  sim = new KubeSim({ speed: 20, seed: 3 });
  await sim.start({ host: '127.0.0.1' });
  const dir = tempDir('warroom-kube-pages-');
  kubeconfig = path.join(dir, 'config');
  fs.writeFileSync(kubeconfig, sim.kubeconfig({ context: 'sim', namespace: 'prod' }));
  sim.addNamespace('prod');
  sim.addDeployment({ namespace: 'prod', name: 'big', image: 'shop/api:1.0', replicas: PODS });
  await waitFor(async () => (await kubectl('get', 'pods', '-o', 'name')).trim().split('\n').length === PODS, { what: `${PODS} pods`, timeoutMs: 60_000, intervalMs: 500 });
});

after(async () => {
  await sim?.stop();
});

test('the simulator pages a LIST: limit, continue, remainingItemCount, no duplicates, a bad token is a 400', async () => {
  const first = JSON.parse(await kubectl('get', '--raw', '/api/v1/namespaces/prod/pods?limit=400'));
  assert.equal(first.items.length, 400);
  assert.equal(first.metadata.remainingItemCount, PODS - 400);
  assert.ok(first.metadata.continue);
  const names = new Set<string>(first.items.map((p: { metadata: { name: string } }) => p.metadata.name));
  let token = first.metadata.continue as string | undefined;
  while (token) {
    const next = JSON.parse(await kubectl('get', '--raw', `/api/v1/namespaces/prod/pods?limit=400&continue=${encodeURIComponent(token)}`));
    assert.equal(next.metadata.resourceVersion, first.metadata.resourceVersion, "every page carries the first page's resourceVersion");
    for (const p of next.items) {
      assert.ok(!names.has(p.metadata.name), `${p.metadata.name} served twice`);
      names.add(p.metadata.name);
    }
    token = next.metadata.continue;
  }
  assert.equal(names.size, PODS);
  // kubectl get pages by itself (--chunk-size, 500 by default).
  assert.equal((await kubectl('get', 'pods', '--chunk-size=300', '--no-headers')).trim().split('\n').length, PODS);
  await assert.rejects(kubectl('get', '--raw', '/api/v1/namespaces/prod/pods?limit=10&continue=garbage'), /continue key is not valid|BadRequest|400/);
});

for (const expire of [false, true]) {
  test(`the kube source lists ${PODS} pods in pages of 500${expire ? ', and with an expired continue token falls back to one full list' : ''}`, async () => {
    sim.faults.expireContinue = expire;
    const before = sim.requestCounts.continuedLists;
    const cockpit = createCockpit();
    cockpit.startClock(10);
    const source = new KubeSource({ kubeconfig, namespaces: [], allNamespaces: false, timeoutSeconds: 10, refreshSeconds: 1 }, cockpit.publisher('kube'));
    try {
      await source.start();
      await waitFor(() => cockpit.store.getState().kube.data.pods.length === PODS, { what: `${PODS} pods in the slice`, timeoutMs: 30_000 });
      const pods = cockpit.store.getState().kube.data.pods;
      assert.equal(new Set(pods.map((p) => p.name)).size, PODS, 'each pod once');
      assert.ok(pods.every((p) => p.deployment === 'big'));
      // 1,100 pods: two continued pages; with the token expired, the one continue that got the 410.
      assert.ok(
        sim.requestCounts.continuedLists - before >= (expire ? 1 : 2),
        `the pod list continued over pages (${sim.requestCounts.continuedLists - before} continue requests)`,
      );
      assert.equal(cockpit.store.getState().kube.status, 'ok');
    } finally {
      await source.stop();
      cockpit.stopClock();
      sim.faults.expireContinue = false;
    }
  });
}
