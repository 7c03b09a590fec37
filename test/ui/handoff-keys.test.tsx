// Shell (s) and port-forward (F) on a pod, from the keyboard through the runner: the container or
// port choice, the exact kubectl command in the confirmation, the terminal handed over with the
// banner, the exit journaled and shown; kubectl missing is said at once. The hand-off itself
// (spawning with the terminal, Ctrl-C going to the child) is tested against real processes below.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup } from 'ink-testing-library';
import { renderCockpit, tick } from '../helpers/cockpit.js';
import { pod } from '../helpers/cockpit-data.js';
import type { Handoff } from '../../src/actions/types.js';
import { createHandoff } from '../../src/ui/handoff.js';
import type { State } from '../../src/store/store.js';

after(() => cleanup());

interface Run {
  file: string;
  args: string[];
  banner: string[];
}

function fakeHandoff(o: { kubectl?: string | null; result?: { code: number | null; signal: string | null; stderr: string } } = {}) {
  const runs: Run[] = [];
  const h: Handoff = {
    kubectl: () => (o.kubectl === undefined ? '/opt/bin/kubectl' : o.kubectl),
    connection: () => ({ kubeconfig: '/home/me/.kube/drill', context: 'test' }),
    run: async (file, args, banner) => {
      runs.push({ file, args, banner });
      return o.result ?? { code: 0, signal: null, stderr: '' };
    },
  };
  return { h, runs };
}

const api = {
  ...pod('shop', 'api', 0),
  containerNames: ['api', 'envoy'],
  ports: [
    { container: 'api', port: 8080, name: 'http' },
    { container: 'envoy', port: 9901, name: 'admin' },
  ],
};

function withPod(s: State): Partial<State> {
  return { kube: { ...s.kube, status: 'ok', updatedAt: Date.now(), data: { ...s.kube.data, context: 'test', namespaces: ['shop'], pods: [api] } } };
}

function cockpit(h: Handoff, productionContexts: string[] = []) {
  const c = renderCockpit({ cols: 140, rows: 40, envServices: { handoff: h }, productionContexts });
  c.set(withPod);
  return c;
}

test('s on a two-container pod: pick the container, see the kubectl command, the shell ends and its exit is journaled', async () => {
  const { h, runs } = fakeHandoff();
  const c = cockpit(h);
  await tick();
  await c.press('1', 's');
  assert.match(c.frame(), /Container of api-/);
  await c.press('down', 'enter');
  const f = c.frame();
  assert.match(f, /Open a shell in pod api-\S+ \(container envoy\) \(context test, namespace shop\)/);
  assert.match(
    f.replace(/[\s│]+/g, ' '),
    /Runs: kubectl --kubeconfig \/home\/me\/\.kube\/drill --context test -n shop exec -it api-\S+ -c envoy -- sh -c 'clear; \(bash \|\| ash \|\| sh\)'/,
  );
  assert.equal(runs.length, 0, 'nothing runs before the confirmation');
  await c.press('enter');
  await tick(50);
  assert.equal(runs.length, 1);
  assert.equal(runs[0]!.file, '/opt/bin/kubectl');
  assert.deepEqual(runs[0]!.args.slice(0, 6), ['--kubeconfig', '/home/me/.kube/drill', '--context', 'test', '-n', 'shop']);
  assert.match(runs[0]!.banner.join('\n'), /shell into shop\/api-\S+ \(container envoy\); exit the shell to return/);
  const done = c.journal.find((e) => e.kind === 'action.succeeded');
  assert.match(done!.summary, /^Shell into pod shop\/api-\S+: session in container envoy ended, exit 0$/);
  assert.equal(done!.refs!.exitCode, 0);
  assert.match(c.frame().split('\n').at(-1)!, /ended, exit 0/);
  c.ui.unmount();
});

test("kubectl's own failure (exit 1, an error on stderr) is journaled as a failure with kubectl's words", async () => {
  const { h } = fakeHandoff({ result: { code: 1, signal: null, stderr: 'Error from server (BadRequest): pods/exec is not supported\n' } });
  const c = cockpit(h);
  await tick();
  await c.press('1', 's', 'enter', 'enter');
  await tick(50);
  const failed = c.journal.find((e) => e.kind === 'action.failed');
  assert.match(failed!.summary, /^Shell into pod shop\/api-\S+ failed: Error from server \(BadRequest\): pods\/exec is not supported \(kubectl exec into container api, exit 1\)$/);
  c.ui.unmount();
});

test('kubectl not installed: said at once, no dialog, the cockpit goes on', async () => {
  const { h, runs } = fakeHandoff({ kubectl: null });
  const c = cockpit(h);
  await tick();
  const t0 = Date.now();
  await c.press('1', 's');
  assert.match(c.frame().split('\n').at(-1)!, /kubectl is not installed \(needed for shell and port-forward\)/);
  assert.ok(Date.now() - t0 < 1000);
  assert.equal(c.cockpit.store.getState().ui.dialog, null);
  await c.press('F');
  assert.match(c.frame().split('\n').at(-1)!, /kubectl is not installed/);
  assert.equal(runs.length, 0);
  await c.press('2');
  assert.equal(c.cockpit.store.getState().ui.focus, 'deployments', 'keys still work');
  c.ui.unmount();
});

test('F: choose the port (pre-filled from the containers), change the local one, the banner names both', async () => {
  const { h, runs } = fakeHandoff({ result: { code: 0, signal: null, stderr: '' } });
  const c = cockpit(h);
  await tick();
  await c.press('1', 'F');
  assert.match(c.frame(), /Port of api-/);
  assert.match(c.frame(), /9901 \(admin\)/);
  await c.press('down', 'enter');
  assert.match(c.frame(), /Local port \(127\.0\.0\.1\): 9901/);
  assert.match(c.frame(), /Pod port: 9901/);
  await c.press('ctrl+u', '1', '9', '9', '0', '1', 'enter');
  const f = c.frame().replace(/[\s│]+/g, ' ');
  assert.match(f, /Forward 127\.0\.0\.1:19901 to port 9901 of pod api-/);
  assert.match(f, /Runs: kubectl --kubeconfig \/home\/me\/\.kube\/drill --context test -n shop port-forward --address 127\.0\.0\.1 pod\/api-\S+ 19901:9901/);
  await c.press('enter');
  await tick(50);
  assert.equal(runs[0]!.args.at(-1), '19901:9901');
  assert.match(runs[0]!.banner[0]!, /forwarding 127\.0\.0\.1:19901 → api-\S+:9901, Ctrl-C to stop/);
  assert.match(c.journal.find((e) => e.kind === 'action.succeeded')!.summary, /^Port-forward to pod shop\/api-\S+: 127\.0\.0\.1:19901 → pod port 9901 ended, exit 0$/);
  c.ui.unmount();
});

test('a bad port is refused with a clear message; cancelling the confirmation runs nothing', async () => {
  const { h, runs } = fakeHandoff();
  const c = cockpit(h);
  await tick();
  await c.press('1', 'F', 'enter', 'ctrl+u', '7', '0', '0', '0', '0', '0', 'enter');
  assert.match(c.frame(), /Local port \(127\.0\.0\.1\): enter a port number from 1 to 65535/);
  await c.press('escape', 'y');
  assert.equal(c.cockpit.store.getState().ui.dialog, null, 'Esc, then y, discards what was typed');
  await c.press('s', 'enter', 'n');
  assert.equal(runs.length, 0);
  assert.deepEqual(
    c.journal.map((e) => e.kind),
    [],
  );
  c.ui.unmount();
});

test('the hand-off runs the program with the terminal, returns its exit and stderr, and leaves Ctrl-C to it', async () => {
  const before = process.listeners('SIGINT').length;
  const mine = () => assert.fail('the cockpit must not see a Ctrl-C meant for kubectl');
  process.on('SIGINT', mine);
  const suspended: string[] = [];
  const errors: string[] = [];
  const h = createHandoff({
    suspend: async (fn) => {
      suspended.push('suspend');
      try {
        return await fn();
      } finally {
        suspended.push('resume');
      }
    },
    connection: () => ({}),
    stdout: { write: () => true } as unknown as NodeJS.WritableStream,
    stderr: { write: (d: Buffer) => (errors.push(d.toString()), true) } as unknown as NodeJS.WritableStream,
  });
  // The child is signalled as Ctrl-C in a terminal would (the whole foreground group): here, us too.
  const r = await h.run('sh', ['-c', `echo 'error: lost connection' >&2; kill -INT ${process.pid}; sleep 0.2; exit 3`], ['banner']);
  assert.deepEqual(suspended, ['suspend', 'resume']);
  assert.equal(r.code, 3);
  assert.equal(r.stderr, 'error: lost connection\n');
  assert.deepEqual(errors, ['error: lost connection\n'], "kubectl's errors stay on the terminal");
  process.off('SIGINT', mine);
  assert.equal(process.listeners('SIGINT').length, before, 'the SIGINT handlers are back as they were');
  const missing = await h.run('/nonexistent/kubectl', [], []).catch((e: Error) => e.message);
  assert.match(String(missing), /cannot run \/nonexistent\/kubectl: .*ENOENT/);
});

test("in a production context the pod's name is typed before the shell opens", async () => {
  const { h, runs } = fakeHandoff();
  const c = cockpit(h, ['test']);
  await tick();
  await c.press('1', 's', 'enter', 'enter');
  assert.match(c.frame(), /type "api-\S+" exactly to confirm/);
  assert.equal(runs.length, 0);
  await c.press(...api.name, 'enter');
  await tick(50);
  assert.equal(runs.length, 1);
  c.ui.unmount();
});
