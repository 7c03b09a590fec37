// Following a container's log through client-node's Log against the kube simulator, and the
// simulator's follow checked against the real `kubectl logs -f`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { KubeSim } from '../../src/sim/kube/index.js';
import { connect } from '../../src/sources/kube/client.js';
import { compareTs, overlapOf, parseLogLine, streamPodLogs, type LogEntry, type LogStreamOptions } from '../../src/sources/kube/log-stream.js';
import { kubectl, kubectlBinary } from '../helpers/kubectl.js';
import { tempDir, waitFor } from '../helpers/net.js';

const NS = 'prod';
const seqOf = (text: string) => Number(/seq=(\d+)/.exec(text)?.[1] ?? NaN);
/** The generated request lines' sequence numbers (the container's own start-up lines have none). */
const seqsOf = (entries: LogEntry[]) => entries.map((e) => seqOf(e.text)).filter((n) => !Number.isNaN(n));

describe('log streams against the kube simulator', () => {
  let sim: KubeSim;
  let kc: string;
  let clients: ReturnType<typeof connect>;
  const podOf = (prefix: string) => sim.listPods(NS).find((p) => p.metadata.name.startsWith(prefix) && !p.metadata.deletionTimestamp)!.metadata.name as string;

  before(async () => {
    kubectlBinary();
    // 10× speed: a running container writes a line every 200 ms.
    sim = new KubeSim({ speed: 10, seed: 7 });
    await sim.start();
    sim.addNamespace(NS);
    sim.setImageBehavior('shop/crash:1', { startup: 'crashloop', crashLines: ['ERROR boom: TypeError: x is undefined', 'FATAL exiting'] });
    // Leaks 60 MiB/min from 100 MiB towards a 130 MiB limit: OOM-killed 30 sim seconds (3 s) after it starts.
    sim.setImageBehavior('shop/leaky:1', { baseMemoryMiB: 100, memoryLimitMiB: 130, memoryLeakMiBPerMinute: 60, readyDelaySeconds: 0 });
    sim.addDeployment({ namespace: NS, name: 'api', image: 'shop/api:1', replicas: 1, sidecars: [{ name: 'shipper', image: 'shop/shipper:1' }] });
    sim.addDeployment({ namespace: NS, name: 'web', image: 'shop/web:1', replicas: 1 });
    sim.addDeployment({ namespace: NS, name: 'crash', image: 'shop/crash:1', replicas: 1 });
    const dir = tempDir('warroom-logstream-');
    kc = path.join(dir, 'kubeconfig');
    fs.writeFileSync(kc, sim.kubeconfig({ namespace: NS }));
    clients = connect({ kubeconfig: kc });
  });

  after(async () => {
    await sim.stop();
  });

  /** A stream with its events recorded. */
  function open(pod: string, opts: LogStreamOptions) {
    const got: LogEntry[] = [];
    const rec = { got, ended: null as string | null, failed: null as string | null, reconnects: 0 };
    const s = streamPodLogs(clients, NS, pod, opts, {
      lines: (e) => got.push(...e),
      ended: (m) => (rec.ended = m),
      failed: (m) => (rec.failed = m),
      reconnecting: () => rec.reconnects++,
    });
    return { ...rec, rec, stop: () => s.stop(), done: s.done };
  }

  it('follows new lines as the container writes them, with timestamps, and closes the connection on stop', async () => {
    const pod = podOf('web-');
    const s = open(pod, { container: 'web', follow: true, tailLines: 2 });
    try {
      await waitFor(() => s.got.length >= 2, { what: 'the tail' });
      const tailEnd = s.got.length;
      await waitFor(() => s.got.length >= tailEnd + 4, { what: 'followed lines', timeoutMs: 10_000 });
      assert.equal(sim.openLogStreams(), 1, 'one chunked response stays open');
      for (const e of s.got) assert.match(e.ts, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d+Z$/);
      const seqs = s.got.slice(tailEnd).map((e) => seqOf(e.text));
      assert.deepEqual(
        seqs,
        seqs.map((_, i) => seqs[0]! + i),
        'consecutive lines, none lost or repeated',
      );
    } finally {
      s.stop();
    }
    await waitFor(() => sim.openLogStreams() === 0, { what: 'the server to see the follow closed' });
    const n = s.got.length;
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(s.got.length, n, 'nothing arrives after stop');
    assert.equal(s.rec.ended, null);
    assert.equal(s.rec.failed, null);
  });

  it('a dropped connection reconnects once from the last line, without repeating or losing lines', async () => {
    const pod = podOf('web-');
    const s = open(pod, { container: 'web', follow: true, tailLines: 1 });
    try {
      await waitFor(() => s.got.length >= 4, { what: 'followed lines' });
      assert.equal(sim.dropLogStreams(), 1);
      await waitFor(() => s.rec.reconnects === 1 && sim.openLogStreams() === 1, { what: 'the reconnect' });
      const atDrop = s.got.length;
      await waitFor(() => s.got.length >= atDrop + 4, { what: 'lines after the reconnect', timeoutMs: 10_000 });
      const seqs = seqsOf(s.got);
      assert.deepEqual(
        seqs,
        seqs.map((_, i) => seqs[0]! + i),
        `no line twice, none missing: ${seqs.join(',')}`,
      );
      // A second drop with new lines in between reconnects again; the stream keeps going.
      assert.equal(sim.dropLogStreams(), 1);
      await waitFor(() => s.rec.reconnects === 2 && sim.openLogStreams() === 1, { what: 'the second reconnect' });
    } finally {
      s.stop();
    }
    await waitFor(() => sim.openLogStreams() === 0, { what: 'the follow closed' });
    assert.equal(s.rec.failed, null);
  });

  it('says "stream ended" with the reason when the followed container exits', async () => {
    sim.addDeployment({ namespace: NS, name: 'leaky', image: 'shop/leaky:1', replicas: 1 });
    const pod = podOf('leaky-');
    const s = open(pod, { container: 'leaky', follow: true });
    await waitFor(() => s.rec.ended, { what: 'the stream to end', timeoutMs: 15_000 });
    assert.match(s.rec.ended!, /^stream ended: container leaky exited \(OOMKilled, exit code 137\), now CrashLoopBackOff$/);
    assert.ok(
      s.got.some((e) => /heap usage high/.test(e.text)),
      'the last lines before the kill arrived',
    );
    assert.equal(s.rec.reconnects, 0, 'an exit is not a dropped connection');
    await waitFor(() => sim.openLogStreams() === 0, { what: 'no stream left open' });
  });

  it('previous container: the crashed instance, and a clear error when there is none', async () => {
    const pod = podOf('crash-');
    await waitFor(() => (sim.listPods(NS).find((p) => p.metadata.name === pod)?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, {
      what: 'a restart',
      timeoutMs: 15_000,
    });
    const prev = open(pod, { container: 'crash', follow: true, previous: true });
    await prev.done;
    assert.equal(prev.rec.failed, null);
    assert.deepEqual(
      prev.got.slice(-2).map((e) => e.text),
      ['ERROR boom: TypeError: x is undefined', 'FATAL exiting'],
    );
    const none = open(podOf('web-'), { container: 'web', follow: false, previous: true });
    await none.done;
    assert.match(none.rec.failed!, /previous terminated container "web" in pod "web-[a-z0-9-]+" not found/);
    assert.equal(sim.openLogStreams(), 0);
  });

  it('a multi-container pod: each container by name; a wrong name is the server message', async () => {
    const pod = podOf('api-');
    const side = open(pod, { container: 'shipper', follow: false });
    await side.done;
    assert.match(side.rec.ended!, /end of log/);
    assert.ok(side.got.some((e) => /container=shipper/.test(e.text)));
    const bad = open(pod, { container: 'nope', follow: true });
    await bad.done;
    assert.match(bad.rec.failed!, /container nope is not valid for pod api-/);
  });

  it('sinceSeconds bounds what is read; a resume from a line repeats none', async () => {
    const pod = podOf('web-');
    const all = open(pod, { container: 'web', follow: false });
    await all.done;
    const recent = open(pod, { container: 'web', follow: false, sinceSeconds: 1 });
    await recent.done;
    assert.ok(recent.got.length > 0 && recent.got.length < all.got.length, `${recent.got.length} of ${all.got.length}`);
    const cutoff = Date.now() - 2000;
    assert.ok(recent.got.every((e) => Date.parse(e.ts) >= cutoff));
    // Resuming after a line in the middle of a second (the lines before it left out, as a tail does):
    // sinceTime has whole seconds, so the server repeats that second; only what follows is new.
    const mid = all.got.findIndex((e, i) => i > 0 && i < all.got.length - 1 && e.ts !== all.got[i - 1]!.ts && e.ts.slice(0, 19) === all.got[i - 1]!.ts.slice(0, 19));
    assert.ok(mid > 0, 'two lines in one second');
    const resumed = open(pod, { container: 'web', follow: false, after: [all.got[mid]!] });
    await resumed.done;
    const want = all.got.slice(mid + 1).map((e) => e.text);
    assert.deepEqual(
      resumed.got.slice(0, want.length).map((e) => e.text),
      want,
    );
    assert.equal(new Set(resumed.got.map((e) => e.text)).size, resumed.got.length, 'no line twice');
    assert.equal(compareTs('2026-12-03T10:00:01.1Z', '2026-12-03T10:00:01.100000000Z'), 0);
    assert.equal(compareTs('2026-12-03T10:00:00.999999999Z', '2026-12-03T10:00:01Z'), -1);
    assert.equal(compareTs('2026-12-03T10:00:01.25Z', '2026-12-03T10:00:01.125Z'), 1);
    const lines = ['2026-12-03T10:00:00.900Z a', '2026-12-03T10:00:01.100Z b', '2026-12-03T10:00:01.100Z b'].map(parseLogLine);
    assert.deepEqual(
      overlapOf(lines).map((l) => l.text),
      ['b', 'b'],
    );
    assert.deepEqual(parseLogLine('no timestamp here'), { ts: '', text: 'no timestamp here' });
  });

  it('the real kubectl logs -f reads the chunked follow as it grows, and exits when the container does', async () => {
    const pod = podOf('web-');
    const child = spawn(kubectlBinary(), ['--kubeconfig', kc, '--cache-dir', path.join(path.dirname(kc), 'cache'), 'logs', '-f', '--tail=1', '--timestamps', pod], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const arrivals: number[] = [];
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      arrivals.push(Date.now());
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    try {
      await waitFor(() => out.split('\n').length > 5, { what: `kubectl to print followed lines (stderr: ${err})`, timeoutMs: 15_000 });
      assert.ok(arrivals[arrivals.length - 1]! - arrivals[0]! >= 300, 'lines arrive over time, not in one response');
      assert.equal(child.exitCode, null, 'kubectl is still following');
      const lines = out.trim().split('\n');
      for (const l of lines) assert.match(l, /^\d{4}-\d{2}-\d{2}T[\d:.]+Z level=INFO /);
      const seqs = lines.map(seqOf).filter((n) => !Number.isNaN(n));
      assert.ok(seqs.length >= 4);
      assert.deepEqual(
        seqs,
        seqs.map((_, i) => seqs[0]! + i),
      );
    } finally {
      child.kill('SIGTERM');
    }
    await waitFor(() => sim.openLogStreams() === 0, { what: 'the killed kubectl to close its stream' });

    // --since-time goes through as sinceTime; -f on a container that exits ends kubectl by itself.
    const since = new Date(Date.now() - 1500).toISOString();
    const r = await kubectl(['logs', pod, `--since-time=${since}`, '--timestamps'], { kubeconfig: kc });
    assert.equal(r.code, 0, r.stderr);
    const sinceLines = r.stdout.trim().split('\n');
    assert.ok(sinceLines.length >= 3 && sinceLines.every((l) => Date.parse(l.split(' ')[0]!) >= Math.floor(Date.parse(since) / 1000) * 1000), r.stdout);
    sim.addDeployment({ namespace: NS, name: 'leaky2', image: 'shop/leaky:1', replicas: 1 });
    const leaky = podOf('leaky2-');
    const f = await kubectl(['logs', '-f', leaky], { kubeconfig: kc, timeoutMs: 15_000 });
    assert.equal(f.code, 0, f.stderr);
    assert.match(f.stdout, /heap usage high/);
  });

  it('an API server that never answers the log request: a timeout, not a viewer stuck on connecting', async () => {
    const held: http.ServerResponse[] = [];
    const silent = http.createServer((_req, res) => held.push(res));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    const file = path.join(path.dirname(kc), 'silent-kubeconfig');
    fs.writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: s, cluster: {server: "http://127.0.0.1:' + port + '", insecure-skip-tls-verify: true}}]',
        'users: [{name: u, user: {token: t0ken}}]',
        'contexts: [{name: s, context: {cluster: s, user: u, namespace: prod}}]',
        'current-context: s',
      ].join('\n'),
    );
    const slow = connect({ kubeconfig: file, timeoutSeconds: 1 });
    let failed: string | null = null;
    const started = Date.now();
    const s = streamPodLogs(slow, NS, 'web-0', { container: 'web', follow: true }, { lines: () => undefined, ended: () => undefined, failed: (m) => (failed = m) });
    await s.done;
    assert.match(failed!, /timed out: the Kubernetes API at http:\/\/127\.0\.0\.1:\d+ did not answer the log request in 1 s/);
    assert.ok(Date.now() - started < 5000);
    assert.doesNotMatch(failed!, /t0ken/);
    for (const r of held) r.destroy();
    silent.close();
  });
});
