// Shell and port-forward through the runner with the real kubectl against the simulator: the
// command reaches the API server with the cockpit's kubeconfig and context, the simulator's answer
// ends it, and the journal has the exit and kubectl's words. RBAC: a viewer (the built-in `view`
// role grants no pods/exec or pods/portforward) is refused before any dialog, as kubectl is refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { KubeSim } from '../../src/sim/kube/index.js';
import { connect } from '../../src/sources/kube/client.js';
import { KubeOperations } from '../../src/sources/kube/actions.js';
import { ActionRunner } from '../../src/actions/runner.js';
import { handoffActions } from '../../src/actions/handoff.js';
import type { ActionEnv, Interaction } from '../../src/actions/types.js';
import type { NewEntry } from '../../src/incident/types.js';
import { createHandoff } from '../../src/ui/handoff.js';
import { kubectl } from '../helpers/kubectl.js';
import { tempDir } from '../helpers/net.js';

const NS = 'prod';
let sim: KubeSim;
let dir: string;

function cfg(user: 'admin' | 'viewer'): string {
  const p = path.join(dir, `kubeconfig-${user}`);
  fs.writeFileSync(p, sim.kubeconfig({ context: 'prod-cluster', namespace: 'default', user }));
  return p;
}

function harness(user: 'admin' | 'viewer') {
  const kubeconfig = cfg(user);
  const recorded: NewEntry[] = [];
  const confirms: string[] = [];
  const banners: string[] = [];
  const ui: Interaction = {
    prompt: async (_t, fields) => Object.fromEntries(fields.map((f) => [f.name, f.initial])),
    confirm: async (req) => (confirms.push(req.lines.join('\n')), true),
    notify: () => {},
  };
  const handoff = createHandoff({
    suspend: (fn) => fn(),
    connection: () => ({ kubeconfig, context: 'prod-cluster' }),
    stdout: { write: (s: string) => (banners.push(s), true) } as unknown as NodeJS.WritableStream,
    stderr: { write: () => true } as unknown as NodeJS.WritableStream,
  });
  const env: ActionEnv = {
    context: 'prod-cluster',
    readOnly: false,
    drill: false,
    recorder: { record: (e) => recorded.push(e) },
    services: { kube: new KubeOperations(connect({ kubeconfig, timeoutSeconds: 5 })), handoff },
  };
  return { runner: new ActionRunner(env, ui, { productionContexts: [] }).register(...handoffActions), recorded, confirms, banners, kubeconfig };
}

const apiPod = () => sim.listPods(NS).find((p) => p.metadata.name.startsWith('api-') && !p.metadata.deletionTimestamp)!;
const target = () => {
  const p = apiPod();
  return { name: p.metadata.name, namespace: NS, pod: { name: p.metadata.name, namespace: NS, containerNames: ['api'], ports: [{ container: 'api', port: 8080 }] } as never };
};

before(async () => {
  dir = tempDir('warroom-kube-handoff-');
  sim = new KubeSim({ speed: 20, seed: 5 });
  await sim.start();
  sim.addNamespace(NS);
  sim.addDeployment({ namespace: NS, name: 'api', image: 'shop/api:1.0', replicas: 1 });
});

after(async () => {
  await sim?.stop();
});

test('shell: the real kubectl exec reaches the pod in its namespace (not the kubeconfig default) and its failure is journaled', async () => {
  const h = harness('admin');
  const t = target();
  const r = await h.runner.invoke('kube.shell', t);
  assert.equal(r.ok, false);
  assert.match(h.confirms[0]!, new RegExp(`Runs: kubectl --kubeconfig ${h.kubeconfig.replace(/[.]/g, '\\.')} --context prod-cluster -n prod exec -it ${t.name} -c api --`));
  assert.match(h.banners.join(''), new RegExp(`warroom: shell into prod/${t.name} \\(container api\\)`));
  const failed = h.recorded.find((e) => e.kind === 'action.failed')!;
  assert.match(
    failed.summary,
    new RegExp(
      `^Shell into pod prod/${t.name} failed: .*pods/exec is not supported by the warroom kube simulator.*pod "${t.name}".* \\(kubectl exec into container api, exit 1\\)$`,
    ),
  );
  assert.ok(h.recorded.some((e) => e.kind === 'action.started'));
});

test('port-forward: the real kubectl port-forward gets the simulator answer; exit and words journaled', async () => {
  const h = harness('admin');
  const t = target();
  const r = await h.runner.invoke('kube.portForward', t);
  assert.equal(r.ok, false);
  assert.match(h.banners.join(''), /forwarding 127\.0\.0\.1:8080 → api-\S+:8080, Ctrl-C to stop/);
  assert.match(
    h.recorded.find((e) => e.kind === 'action.failed')!.summary,
    /^Port-forward to pod prod\/api-\S+ failed: .*pods\/portforward is not supported.* \(kubectl port-forward 127\.0\.0\.1:8080 → pod port 8080, exit 1\)$/,
  );
});

test('a viewer is refused before any dialog, as the API server refuses kubectl', async () => {
  const h = harness('viewer');
  const t = target();
  for (const [id, sub] of [
    ['kube.shell', 'exec'],
    ['kube.portForward', 'portforward'],
  ] as const) {
    const r = await h.runner.invoke(id, t);
    assert.equal(r.ok ? 'ran' : r.reason, 'forbidden', id);
    assert.match((r as { message: string }).message, new RegExp(`forbidden: you cannot create pods/${sub} in prod \\(context prod-cluster\\)`));
  }
  assert.deepEqual(h.confirms, [], 'no confirmation was shown');
  assert.deepEqual(
    h.recorded.map((e) => e.kind),
    ['action.refused', 'action.refused'],
  );
  const k = await kubectl(['-n', NS, 'exec', t.name, '--', 'true'], { kubeconfig: h.kubeconfig });
  assert.notEqual(k.code, 0);
  assert.match(k.stderr, /forbidden: User "viewer" cannot (create|get) resource "pods\/exec"/);
});
