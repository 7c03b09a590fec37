// Shell and port-forward hand-off in a real terminal with the built CLI: the real kubectl runs
// against the drill's simulator (which answers exec and port-forward with an error), its words are
// on the normal screen, the cockpit comes back whole and journals the exit. A stand-in kubectl
// shows that typed keys reach it and that Ctrl-C stops it, not the cockpit; without kubectl the
// cockpit says so at once.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startTmux, type TmuxSession } from '../helpers/tmux.js';
import { tempDir, waitFor, waitForExit } from '../helpers/net.js';

const sessions: TmuxSession[] = [];
after(() => sessions.forEach((s) => s.kill()));
const open = (env?: Record<string, string>) => {
  const s = startTmux('drill --scenario bad-deploy', { cols: 120, rows: 35, env });
  sessions.push(s);
  return s;
};

/** Every program on PATH except kubectl, as symlinks in one directory. */
function pathWithoutKubectl(): string {
  const dir = tempDir('warroom-nokubectl-');
  for (const d of (process.env.PATH ?? '').split(path.delimiter)) {
    let names: string[] = [];
    try {
      names = fs.readdirSync(d);
    } catch {
      continue;
    }
    for (const n of names) {
      if (n === 'kubectl' || fs.existsSync(path.join(dir, n))) continue;
      fs.symlinkSync(path.join(d, n), path.join(dir, n));
    }
  }
  return dir;
}

function journal(t: TmuxSession): string {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.jsonl') && p.includes(`${path.sep}sessions${path.sep}`)) files.push(p);
    }
  };
  walk(t.stateDir);
  return files.map((f) => fs.readFileSync(f, 'utf8')).join('');
}

/** The normal screen while the cockpit shows the alternate one: what kubectl left there. */
const normalScreen = (t: TmuxSession) => t.capture({ alternate: true });

async function podsShown(t: TmuxSession): Promise<void> {
  await t.waitForText(/Pods \d+[\s\S]*api-\w+-\w+ +1\/1 Running/, 30_000);
  t.keys('1');
}

test('s: the real kubectl execs into the pod with the drill kubeconfig, fails on the simulator, the cockpit comes back and journals it', async () => {
  const t = open();
  await podsShown(t);
  t.keys('s');
  const confirm = await t.waitForText(/Shell into pod[\s\S]*Proceed\?/);
  assert.match(
    confirm.replace(/[\s│]+/g, ' '),
    /Runs: kubectl --kubeconfig \S+kubeconfig --context warroom-drill -n shop exec -it api-\S+ -c api -- sh -c 'clear; \(bash \|\| ash \|\| sh\)'/,
  );
  t.keys('Enter');
  const back = await t.waitForText(/Shell into pod shop\/api-\S+ failed: Error from server \(BadRequest\): pods\/exec is not/);
  assert.equal(t.format('#{alternate_on}'), '1', 'back on the alternate screen');
  assert.equal(t.format('#{cursor_flag}'), '0', 'cursor hidden again');
  assert.match(back.split('\n')[0]!, /warroom +DRILL bad-deploy/, 'the header is redrawn');
  assert.match(back, /Pods \d+[\s\S]*Alerts/, 'the panes are redrawn');
  const normal = normalScreen(t).replace(/\n/g, '');
  assert.match(normal, /warroom: shell into shop\/api-\S+ \(container api\); exit the shell to return to the cockpit\./);
  assert.match(normal, /Error from server \(BadRequest\): pods\/exec is not supported by the warroom kube simulator/, "kubectl's own answer");
  await waitFor(
    () =>
      /"kind":"action.failed"[^\n]*Shell into pod shop\/api-\S+ failed: Error from server \(BadRequest\): pods\/exec is not supported[^\n]*\(kubectl exec into container api, exit 1\)/.test(
        journal(t),
      ),
    {
      what: 'journal entry',
      timeoutMs: 5000,
    },
  );
  assert.match(journal(t), /"kind":"action.started"[^\n]*Shell into pod shop\/api-/);

  // Port-forward: one declared port (8080) pre-fills both fields.
  t.keys('F');
  await t.waitForText(/Local port \(127\.0\.0\.1\): 8080[\s\S]*Pod port: 8080/);
  t.keys('Enter');
  await t.waitForText(/Forward 127\.0\.0\.1:8080 to port 8080 of pod api-/);
  t.keys('Enter');
  // (The toast starts with kubectl's reason and is cut at the screen's width; the journal has it whole.)
  await t.waitForText(/Port-forward to pod shop\/api-\S+ failed: error: /);
  await waitFor(
    () =>
      /"kind":"action.failed"[^\n]*failed: error: [^\n]*pods\/portforward is not supported[^\n]*\(kubectl port-forward 127\.0\.0\.1:8080 → pod port 8080, exit 1\)/.test(
        journal(t),
      ),
    {
      what: 'journal entry',
      timeoutMs: 5000,
    },
  );
  const pf = normalScreen(t).replace(/\n/g, '');
  assert.match(pf, /warroom: forwarding 127\.0\.0\.1:8080 → api-\S+:8080, Ctrl-C to stop/);
  assert.match(pf, /pods\/portforward is not supported by the warroom kube simulator/);
  t.keys('q');
  await t.waitForText(/EXITED 0/);
});

/** F, the default local port, confirm: the stand-in kubectl is forwarding. */
async function startForward(t: TmuxSession): Promise<void> {
  t.keys('F');
  await t.waitForText(/Local port/);
  t.keys('Enter');
  await t.waitForText(/Forward 127\.0\.0\.1:8080/);
  t.keys('Enter');
  await waitFor(() => /fake kubectl forwarding/.test(t.capture()), { what: 'the stand-in forward', timeoutMs: 10_000 });
}

/** A stand-in kubectl on PATH: a shell that reads one line, a port-forward that waits for Ctrl-C. */
function fakeKubectl(): string {
  const bin = tempDir('warroom-fake-kubectl-');
  fs.writeFileSync(
    path.join(bin, 'kubectl'),
    [
      '#!/bin/sh',
      'case "$*" in',
      '  *port-forward*) echo $$ > "$(dirname "$0")/forward.pid"; echo "fake kubectl forwarding"; exec sleep 60 ;;',
      '  *) stty -a | grep -o -- "-\\?icanon" | sed "s/^/terminal mode: /"; printf "fake shell> "; read line; echo "fake kubectl read: $line" >&2; exit 4 ;;',
      'esac',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  return `${bin}${path.delimiter}${process.env.PATH}`;
}

test('a kubectl that waits: typed keys reach it, Ctrl-C stops a port-forward and not the cockpit', async () => {
  const t = open({ PATH: fakeKubectl() });
  await podsShown(t);
  t.keys('s');
  await t.waitForText(/Proceed\?/);
  t.keys('Enter');
  await waitFor(() => /fake shell>/.test(t.capture()), { what: 'the stand-in shell', timeoutMs: 10_000 });
  assert.equal(t.format('#{alternate_on}'), '0', 'the child has the normal screen');
  assert.equal(t.format('#{cursor_flag}'), '1', 'with the cursor shown');
  assert.match(t.capture(), /^terminal mode: icanon$/m, 'and the terminal out of raw mode (canonical input)');
  t.keys('echo hello', 'Enter');
  await t.waitForText(/Shell into pod shop\/api-\S+ failed: fake kubectl read: echo hello/);
  await waitFor(() => /"kind":"action.failed"[^\n]*failed: fake kubectl read: echo hello \(kubectl exec into container api, exit 4\)/.test(journal(t)), {
    what: 'journal entry',
    timeoutMs: 5000,
  });

  await startForward(t);
  t.keys('C-c');
  await t.waitForText(/Port-forward to pod shop\/api-\S+: 127\.0\.0\.1:8080 → pod port 8080 ended by SIGINT/);
  await waitFor(() => /"kind":"action.succeeded"[^\n]*127\.0\.0\.1:8080 → pod port 8080 ended by SIGINT/.test(journal(t)), { what: 'journal entry', timeoutMs: 5000 });
  assert.ok(!/EXITED/.test(t.capture()), 'the cockpit is still running');
  assert.equal(t.format('#{alternate_on}'), '1');
  t.keys('2');
  await t.waitForText(/Deployments|Workloads/);
  t.keys('q');
  await t.waitForText(/EXITED 0/);
});

test("with Ink's own output (WARROOM_INK_OUTPUT=1) the hand-off leaves and repaints the screen the same way", async () => {
  const t = open({ PATH: fakeKubectl(), WARROOM_INK_OUTPUT: '1' });
  await podsShown(t);
  t.keys('s');
  await t.waitForText(/Proceed\?/);
  t.keys('Enter');
  await waitFor(() => /fake shell>/.test(t.capture()), { what: 'the stand-in shell', timeoutMs: 10_000 });
  assert.equal(t.format('#{alternate_on}'), '0');
  assert.match(t.capture(), /^terminal mode: icanon$/m);
  t.keys('bye', 'Enter');
  const back = await t.waitForText(/Shell into pod shop\/api-\S+ failed: fake kubectl read: bye/);
  assert.equal(t.format('#{alternate_on}'), '1');
  assert.match(back.split('\n')[0]!, /warroom +DRILL bad-deploy/);
  assert.match(back, /Pods \d+[\s\S]*Alerts/);
  t.keys('q');
  await t.waitForText(/EXITED 0/);
});

test('SIGTERM to warroom during a port-forward: kubectl is stopped too, the terminal is given back', async () => {
  const PATH = fakeKubectl();
  const t = open({ PATH });
  await podsShown(t);
  await startForward(t);
  const forwardPid = Number(fs.readFileSync(path.join(PATH.split(path.delimiter)[0]!, 'forward.pid'), 'utf8'));
  process.kill(t.cockpitPid(), 'SIGTERM');
  await t.waitForText(/EXITED 143/);
  assert.equal(t.format('#{alternate_on}'), '0');
  assert.equal(t.format('#{cursor_flag}'), '1');
  await waitForExit(forwardPid, 'the stand-in kubectl to be gone', 5000);
});

test('kubectl not on PATH: said within a second, the cockpit stays', async () => {
  const t = open({ PATH: pathWithoutKubectl() });
  await podsShown(t);
  const t0 = Date.now();
  t.keys('s');
  await t.waitForText(/kubectl is not installed \(needed for shell and port-forward\)/, 1500);
  assert.ok(Date.now() - t0 < 1500, `${Date.now() - t0} ms`);
  assert.ok(!/Proceed\?/.test(t.capture()), 'no dialog');
  t.keys('q');
  await t.waitForText(/EXITED 0/);
});
