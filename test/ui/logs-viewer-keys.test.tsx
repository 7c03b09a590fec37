// The pod logs viewer through the keys, against the Kubernetes simulator through the real source
// and client: follow, previous container, timestamps, container picker, since-window, wrap, save,
// `/` search with n/N, and no stream left open once it closes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { cleanup } from 'ink-testing-library';
import { KubeSim } from '../../src/sim/kube/index.js';
import { KubeSource } from '../../src/sources/kube/source.js';
import { renderCockpit } from '../helpers/cockpit.js';
import type { CockpitServices } from '../../src/ui/controller.js';
import { logsNotes, type LogsViewState } from '../../src/ui/logs-viewer.js';
import { tempDir, waitFor } from '../helpers/net.js';

const NS = 'shop';
let sim: KubeSim;
let source: KubeSource;
let c: ReturnType<typeof renderCockpit>;
let logsDir: string;

const screen = (re: RegExp, what: string, timeoutMs = 15_000) =>
  waitFor(() => re.test(c.frame()), { what, timeoutMs }).catch((e) => assert.fail(`${(e as Error).message}\n${c.frame()}`));
const view = () => {
  const o = c.cockpit.store.getState().ui.overlay;
  return o?.kind === 'logs' ? (o as LogsViewState) : null;
};
const seqs = (texts: string[]) => texts.map((t) => Number(/seq=(\d+)/.exec(t)?.[1] ?? NaN)).filter((n) => !Number.isNaN(n));
const onScreenSeqs = () => seqs(c.frame().split('\n'));
const podName = (prefix: string) => sim.listPods(NS).find((p) => p.metadata.name.startsWith(prefix) && !p.metadata.deletionTimestamp)!.metadata.name as string;

/** Focuses Pods, selects the pod (a filter on its name) and opens its logs. */
async function openLogs(pod: string) {
  c.set((s) => ({ ui: { ...s.ui, focus: 'pods', filter: { pods: pod }, cursor: { pods: 0 } } }));
  await screen(new RegExp(pod), `${pod} in the Pods pane`);
  await c.press('l');
  await screen(new RegExp(`Logs ${NS}/${pod}`), 'the logs viewer');
}

before(async () => {
  sim = new KubeSim({ speed: 10, seed: 11 });
  await sim.start();
  sim.addNamespace(NS);
  sim.setImageBehavior('shop/api:bad', {
    startup: 'crashloop',
    crashLines: ["ERROR Unhandled exception on GET /api/v1/cart: TypeError: Cannot read properties of undefined (reading 'currency')", 'FATAL uncaughtException, exiting'],
  });
  sim.addDeployment({ namespace: NS, name: 'web', image: 'shop/web:1', replicas: 1, sidecars: [{ name: 'shipper', image: 'shop/shipper:1' }] });
  sim.addDeployment({ namespace: NS, name: 'api', image: 'shop/api:bad', replicas: 1 });
  // Two long error lines early on, then only requests: by the time it is read, both are far above the screen.
  sim.setImageBehavior('shop/pay:1', {
    logLine: (pod, seq) =>
      seq === 3 || seq === 20 ? `ERROR payment declined order=${seq} ${'x'.repeat(200)}END seq=${seq}` : `level=INFO msg="request handled" seq=${seq} pod=${pod}`,
  });
  sim.addDeployment({ namespace: NS, name: 'pay', image: 'shop/pay:1', replicas: 1 });
  const dir = tempDir('warroom-logs-ui-');
  const file = path.join(dir, 'kubeconfig');
  fs.writeFileSync(file, sim.kubeconfig({ context: 'drill', namespace: NS }));
  logsDir = path.join(dir, 'state', 'logs');
  const services: CockpitServices = { logsDir };
  c = renderCockpit({ cols: 160, rows: 40, context: 'drill', services });
  source = new KubeSource({ kubeconfig: file, namespaces: [NS], allNamespaces: false, timeoutSeconds: 5 }, c.cockpit.publisher('kube'));
  services.kube = source.cockpitService();
  c.cockpit.startClock(30);
  await source.start();
  await waitFor(() => c.cockpit.store.getState().kube.data.pods.length >= 2, { what: 'pods', timeoutMs: 15_000 });
});

after(async () => {
  c.cockpit.stopClock();
  c.ui.unmount();
  cleanup();
  await source.stop();
  await sim.stop();
});

test('l on a pod follows its log: new lines appear as the container writes them; Esc closes the stream', async () => {
  const pod = podName('web-');
  await openLogs(pod);
  await screen(/f follow:on · p previous:off · t timestamps:off · c container · s since · w wrap:off · ctrl\+s save/, 'the keys in the hint line');
  // The footer names the logs view's keys, not the Pods pane's (s is since here, not shell).
  const footer = c.frame().split('\n').at(-1)!;
  assert.match(footer, /f follow:on · p previous:off/);
  assert.doesNotMatch(footer, /shell|delete/);
  // At 80 columns the keys wrap onto a second line instead of losing save and search.
  const narrow = logsNotes(view()!, 80).above.map((n) => n.text);
  assert.ok(narrow.length >= 2 && narrow.every((t) => t.length <= 76), narrow.join('\n'));
  assert.match(narrow.join(' '), /ctrl\+s save · \/ search · n\/N/);
  await screen(/following/, 'following');
  await waitFor(() => onScreenSeqs().length >= 2, { what: 'request lines on screen' }).catch(() => assert.fail(c.frame()));
  const firstNewest = Math.max(...onScreenSeqs());
  await waitFor(() => Math.max(...onScreenSeqs()) >= firstNewest + 3, { what: 'newer lines, pinned to the bottom', timeoutMs: 10_000 }).catch(() => assert.fail(c.frame()));
  assert.equal(sim.openLogStreams(), 1);
  assert.match(c.frame(), /No ERROR\/FATAL\/Exception\/panic lines\./);
  // f stops following (the stream closes); f again resumes from the last line without repeating one.
  await c.press('f');
  await screen(/f follow:off/, 'follow off');
  await screen(/paused: \d+ lines/, 'paused');
  await waitFor(() => sim.openLogStreams() === 0, { what: 'the stream closed when follow is off' });
  const paused = view()!.entries.length;
  await new Promise((r) => setTimeout(r, 600));
  assert.equal(view()!.entries.length, paused, 'no lines while paused');
  await c.press('f');
  await screen(/f follow:on/, 'follow on');
  await waitFor(() => view()!.entries.length >= paused + 3, { what: 'lines after resuming' });
  const all = seqs(view()!.entries.map((e) => e.text));
  assert.deepEqual(
    all,
    all.map((_, i) => all[0]! + i),
    'none repeated or lost across the pause',
  );
  await c.press('escape');
  assert.equal(view(), null);
  await waitFor(() => sim.openLogStreams() === 0, { what: 'no stream left after closing the viewer' });
});

test('t timestamps, w wrap, s since-window, and ctrl+s saves the lines shown to an owner-only file', async () => {
  const pod = podName('web-');
  await openLogs(pod);
  await screen(/following/, 'following');
  await c.press('t');
  await screen(/t timestamps:on/, 'timestamps on');
  await screen(/^\S*\s*\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d+Z level=INFO/m, 'lines start with their timestamp');
  await c.press('w');
  await screen(/w wrap:on/, 'wrap on');
  // Paused, the screen holds still while it is compared with the file.
  await c.press('f');
  await screen(/paused/, 'paused');
  const shown = c
    .frame()
    .split('\n')
    .map((l) => /(\d{4}-\d{2}-\d{2}T\S+Z level=INFO .*seq=\d+ pod=[\w-]+)/.exec(l)?.[1])
    .filter((l): l is string => !!l);
  assert.ok(shown.length >= 2, c.frame());
  await c.press('ctrl+s');
  await screen(/saved \d+ lines to /, 'the saved notice');
  const v = view()!;
  const m = /saved (\d+) lines to (.+\.log)/.exec(v.saved!)!;
  const file = m[2]!;
  assert.equal(path.dirname(file), logsDir);
  assert.match(path.basename(file), new RegExp(`^${pod}-web-\\d{8}T\\d{6}Z\\.log$`));
  // The full path is on screen (wrapped if it must be).
  assert.ok(
    c
      .frame()
      .replace(/[\s│|]/g, '')
      .includes(file.replace(/\s/g, '')),
    c.frame(),
  );
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  assert.equal(fs.statSync(logsDir).mode & 0o777, 0o700);
  await c.press('ctrl+s');
  await screen(/saved \d+ lines to .*-2\.log/, 'a second save in the same second keeps the first file');
  const saved = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
  assert.equal(saved.length, Number(m[1]));
  assert.deepEqual(
    saved.slice(0, Number(m[1])),
    v.entries.slice(0, Number(m[1])).map((e) => `${e.ts} ${e.text}`),
  );
  // The lines on screen are the file's last lines, as shown (with their timestamps).
  assert.deepEqual(saved.slice(-shown.length), shown);
  await c.press('s');
  await screen(/since 1m/, 'since 1m in the title');
  await c.press('s', 's', 's');
  await screen(/since 1h/, 'since 1h');
  await c.press('s');
  await screen(/since all/, 'since all again');
  await c.press('q');
  await waitFor(() => sim.openLogStreams() === 0, { what: 'no stream left' });
});

test('c picks the container of a multi-container pod', async () => {
  const pod = podName('web-');
  await openLogs(pod);
  await screen(new RegExp(`Logs ${NS}/${pod} · web `), 'the first container');
  await c.press('c');
  await screen(/Container of shop\//, 'the container picker');
  assert.match(c.frame(), /shipper/);
  await c.press('down', 'enter');
  await screen(new RegExp(`Logs ${NS}/${pod} · shipper`), 'the sidecar chosen');
  await screen(/container=shipper/, "the sidecar's own lines");
  assert.ok(view()!.entries.every((e) => !/container=web/.test(e.text)));
  await c.press('escape');
  await waitFor(() => sim.openLogStreams() === 0, { what: 'no stream left' });
});

test("p on a crash-looping pod shows the previous container's last lines; on a pod that never restarted, says so", async () => {
  const api = podName('api-');
  await waitFor(() => (sim.listPods(NS).find((p) => p.metadata.name === api)?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, {
    what: 'a crash',
    timeoutMs: 15_000,
  });
  await openLogs(api);
  await c.press('p');
  await screen(/\(previous\)/, 'previous in the title');
  await screen(/TypeError: Cannot read properties of undefined \(reading 'currency'\)/, "the previous instance's TypeError");
  await screen(/FATAL uncaughtException, exiting/, 'its last line');
  await screen(/Errors \(count, normalised message\):/, 'the error summary on top');
  const lines = c.frame().split('\n');
  const summary = lines.findIndex((l) => /Errors \(count/.test(l));
  const lastLine = lines.findIndex((l) => /FATAL uncaughtException, exiting/.test(l) && !/^\W*\d+\s{2}/.test(l.replace(/^[│|]\s*/, '')));
  assert.ok(summary >= 0 && summary < lastLine, 'the summary sits above the lines');
  await c.press('escape');

  const web = podName('web-');
  await openLogs(web);
  await c.press('p');
  await screen(new RegExp(`no previous container: web in ${web} has not restarted`), 'the clear message');
  await c.press('escape');
  await waitFor(() => sim.openLogStreams() === 0, { what: 'no stream left' });
});

test('l on a deployment still shows the logs of all its pods', async () => {
  c.set((s) => ({ ui: { ...s.ui, focus: 'deployments', filter: { deployments: 'web' }, cursor: { deployments: 0 } } }));
  await screen(/Deployments .*\/web/, 'the deployment selected');
  await c.press('l');
  await screen(/Logs of deployment shop\/web/, 'the deployment logs');
  await c.press('escape');
});

test('/ in the logs finds an error far above the screen and scrolls to it; n/N step between matches; the view holds there while the stream goes on, and says so; w wraps', async () => {
  const pod = podName('pay-');
  await openLogs(pod);
  await screen(/following/, 'following');
  await waitFor(() => view()!.entries.length >= 70, { what: '70 lines, the errors far above the screen', timeoutMs: 30_000 }).catch(() => assert.fail(c.frame()));
  assert.doesNotMatch(c.frame(), /order=(3|20)\b/, 'the errors are off screen');
  // Typed after /, p, t, c and s are the pattern's, not the logs' keys.
  await c.press('/', ...'payment.*order=\\d+'.split(''));
  await screen(/\/payment\.\*order=\\d\+▏/, 'the pattern being typed');
  assert.equal(view()!.previous, false);
  assert.equal(view()!.timestamps, false);
  await c.press('enter');
  await screen(/\/payment\.\*order=\\d\+ 2\/2/, 'the newest of the two matches');
  assert.match(c.frame(), /ERROR payment declined order=20\b/);
  assert.match(c.frame(), /new lines arrive below: G to the newest/, 'it says the view no longer tails');
  // The stream goes on below while the match stays on screen.
  const had = view()!.entries.length;
  await waitFor(() => view()!.entries.length >= had + 3, { what: 'lines still arriving' });
  assert.match(c.frame(), /ERROR payment declined order=20\b/);
  assert.equal(sim.openLogStreams(), 1);
  await c.press('N');
  await screen(/order=\\d\+ 1\/2/, 'N: the first match');
  assert.match(c.frame(), /ERROR payment declined order=3\b/);
  await c.press('n');
  await screen(/order=\\d\+ 2\/2/, 'n: the second again');
  assert.match(c.frame(), /ERROR payment declined order=20\b/);
  // The long line is cut until wrapped; wrapped, the match stays on screen.
  assert.doesNotMatch(c.frame(), /xEND/);
  await c.press('w');
  await screen(/w wrap:on/, 'wrap on');
  assert.match(c.frame(), /xEND seq=20/);
  assert.match(c.frame(), /ERROR payment declined order=20\b/);
  await c.press('w');
  await screen(/w wrap:off/, 'wrap off');
  assert.doesNotMatch(c.frame(), /xEND/);
  // G: tailing again, the newest lines come in at the bottom.
  await c.press('G');
  await waitFor(() => !/G to the newest/.test(c.frame()), { what: 'the note gone' }).catch(() => assert.fail(c.frame()));
  const newest = () => seqs(view()!.entries.map((e) => e.text)).at(-1)!;
  await waitFor(() => onScreenSeqs().includes(newest()), { what: 'the newest line on screen' }).catch(() => assert.fail(c.frame()));
  await c.press('escape');
  await waitFor(() => sim.openLogStreams() === 0, { what: 'no stream left' });
});
