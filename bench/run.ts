// `npm run bench`: what users get, on the real path. The built CLI (bin/warroom.cjs → dist/, no
// tsx) against `warroom sim` (10, 1k and 5k pods via `kubectl scale`), under a real PTY (util-linux
// `script`) whose output is replayed into a headless terminal, through counting proxies in front
// of every backend; `watch -n2 kubectl get pods -A` as the peer in the same run, and Ink's own
// output (WARROOM_INK_OUTPUT=1) as the reference. Method: bench/README.md. Figures, not tests.
//
//   npm run bench                  about 9 minutes; builds first
//   npm run bench -- --quick       about 3 minutes: fewer samples (labelled), 10 and 5k pods only
//   npm run bench -- --no-build    use the dist/ you have
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { below, formatBytes, formatMs, median, percentile, renderTable, type Row, type Verdict } from './lib/stats.js';
import { cpuSeconds, frameSizes, rssBytes, runInPty, scriptAvailable, type PtyRun } from './lib/pty.js';
import { replayScreen, type Screen } from './lib/screen.js';
import { httpProxy, tcpProxy, type CountingProxy, type Tally } from './lib/proxy.js';
import { kubeKind } from './lib/classify.js';
import { kubeMetricsBytes } from './lib/kube-metrics.js';
import xterm from '@xterm/headless';
import { SIM_TLS_CERT, SIM_TLS_KEY } from '../src/sim/kube/tls.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'bin', 'warroom.cjs');
const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const SAMPLES = QUICK ? 3 : 10;
const DELETES = QUICK ? 3 : 10;
const IDLE_MS = QUICK ? 15_000 : 60_000;
const SHORT_IDLE_MS = QUICK ? 10_000 : 30_000;
const POD_COUNTS = QUICK ? [10, 5000] : [10, 1000, 5000];
const BASE_PODS = 10; // the sim's shop: api 4, checkout 3, worker 2, redis 1
const NS = 'shop';

const rows: Row[] = [];
const notes: string[] = [];
const progress = (m: string) => process.stderr.write(`bench ${new Date().toISOString().slice(11, 19)}: ${m}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const reason = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 100);
const loads: string[] = [];
const load = (when: string) =>
  loads.push(
    `${when}: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );

// ---------------------------------------------------------------- figures

/** "min / median / p95 (n=N)" */
function dist(xs: number[], fmt: (n: number) => string): string {
  if (!xs.length) return 'n/a';
  return `${fmt(Math.min(...xs))} / ${fmt(median(xs))} / ${fmt(percentile(xs, 95))} (n=${xs.length}${xs.length < 10 ? ', quick' : ''})`;
}

function row(metric: string, value: string, target: string, verdict: Verdict): void {
  rows.push({ metric, value, target, verdict });
}

const p95 = (xs: number[]) => percentile(xs, 95);
const atMost = (v: number, limit: number): Verdict => (Number.isFinite(v) ? (v <= limit ? 'pass' : 'fail') : 'n/a');

// ---------------------------------------------------------------- the simulated world

interface World {
  sim: ChildProcess;
  dir: string;
  /** kubectl against the simulator directly (not through the proxies). */
  kubectl(...a: string[]): string;
  configPath: string;
  env: NodeJS.ProcessEnv;
  proxies: Record<'kube' | 'prometheus' | 'postgres' | 'redis', CountingProxy>;
  stop(): Promise<void>;
}

async function startWorld(): Promise<World> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warroom-bench-'));
  const home = path.join(dir, 'home');
  fs.mkdirSync(home, { recursive: true, mode: 0o700 });
  const simDir = path.join(dir, 'sim');
  // latency-spike: nothing is deployed and no pod turns unhealthy (only the traffic changes), so the
  // pod figures see only the bench's own deletes.
  const sim = spawn(process.execPath, [CLI, 'sim', '--scenario', 'latency-spike', '--write-config', simDir], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, HOME: home },
  });
  let out = '';
  sim.stdout!.on('data', (d) => (out += d));
  sim.stderr!.on('data', (d) => (out += d));
  const t0 = Date.now();
  while (!out.includes('Ctrl-C stops')) {
    if (sim.exitCode !== null || Date.now() - t0 > 60_000) throw new Error(`warroom sim did not start: ${out.slice(-300)}`);
    await sleep(100);
  }
  const envText = fs.readFileSync(path.join(simDir, 'drill.env'), 'utf8');
  const pgPassword = /WARROOM_DRILL_PG_PASSWORD='((?:[^']|'\\'')*)'/.exec(envText)?.[1].replace(/'\\''/g, "'") ?? '';
  const kubeconfig = path.join(simDir, 'kubeconfig');
  const kc = fs.readFileSync(kubeconfig, 'utf8');
  const kubeUrl = /server: (https:\/\/[^\s]+)/.exec(kc)![1];
  const yamlText = fs.readFileSync(path.join(simDir, 'warroom.yaml'), 'utf8');
  const promUrl = /url: (http:\/\/[^\s]+)/.exec(yamlText)![1];
  const pgAddr = /@127\.0\.0\.1:(\d+)\//.exec(yamlText)![1];
  const redisAddr = /redis:\/\/127\.0\.0\.1:(\d+)/.exec(yamlText)![1];

  // The simulator's port also speaks plain HTTP; the proxy terminates TLS with the same certificate.
  const proxies = {
    kube: await httpProxy(kubeUrl.replace('https:', 'http:'), (m, u) => kubeKind(m, u), { key: SIM_TLS_KEY, cert: SIM_TLS_CERT }),
    prometheus: await httpProxy(promUrl, (_m, u) => new URL(u, 'http://x').pathname),
    postgres: await tcpProxy('127.0.0.1', Number(pgAddr), 'postgres'),
    redis: await tcpProxy('127.0.0.1', Number(redisAddr), 'redis'),
  };
  const benchKubeconfig = path.join(dir, 'kubeconfig');
  fs.writeFileSync(benchKubeconfig, kc.replace(kubeUrl, proxies.kube.url), { mode: 0o600 });
  const configPath = path.join(dir, 'warroom.yaml');
  fs.writeFileSync(
    configPath,
    yamlText
      .replace(kubeconfig, benchKubeconfig)
      .replace(promUrl, proxies.prometheus.url)
      .replace(`127.0.0.1:${pgAddr}/`, `127.0.0.1:${proxies.postgres.port}/`)
      .replace(`redis://127.0.0.1:${redisAddr}`, `redis://127.0.0.1:${proxies.redis.port}`),
    { mode: 0o600 },
  );
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_STATE_HOME: path.join(home, '.state'),
    TERM: 'xterm-256color',
    COLORTERM: 'truecolor',
    LANG: 'C.UTF-8',
    WARROOM_DRILL_PG_PASSWORD: pgPassword,
  };
  return {
    sim,
    dir,
    configPath,
    env,
    proxies,
    kubectl: (...a) => execFileSync('kubectl', ['--kubeconfig', kubeconfig, '-n', NS, ...a], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20, stdio: ['ignore', 'pipe', 'pipe'] }),
    async stop() {
      for (const p of Object.values(proxies)) await p.stop();
      try {
        process.kill(-sim.pid!, 'SIGTERM');
      } catch {
        /* gone */
      }
      await new Promise<void>((r) => {
        if (sim.exitCode !== null) return r();
        const t = setTimeout(() => {
          try {
            process.kill(-sim.pid!, 'SIGKILL');
          } catch {
            /* gone */
          }
          r();
        }, 5000);
        sim.once('exit', () => (clearTimeout(t), r()));
      });
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Scales the shop's worker deployment so the namespace holds `pods` pods, and waits until they run. */
async function scaleTo(w: World, pods: number): Promise<void> {
  const workers = pods - BASE_PODS + 2;
  w.kubectl('scale', 'deployment/worker', `--replicas=${workers}`);
  const t0 = Date.now();
  for (;;) {
    const ready = Number(w.kubectl('get', 'deployment/worker', '-o', 'jsonpath={.status.readyReplicas}') || 0);
    const total = w.kubectl('get', 'pods', '--no-headers', '-o', 'name').split('\n').filter(Boolean).length;
    if (ready === workers && total === pods) return;
    if (Date.now() - t0 > 180_000) throw new Error(`scaling to ${pods} pods: ${total} pods, ${ready}/${workers} workers ready after 3 min`);
    await sleep(1000);
  }
}

// ---------------------------------------------------------------- the cockpit under a PTY

const POD = /\b(?:api|checkout|worker|redis)-[0-9a-f]{8,10}-[a-z0-9]{2,5}/;
const firstFrame = (s: string[]) => /warroom/.test(s[0]) && /quit|help/.test(s[s.length - 1]);
const podsVisible = (s: string[]) => s.some((l) => POD.test(l));
/** Every source answered (the header's dots) and every visible pane shows data, not a placeholder. */
function everyPane(s: string[], wide: boolean): boolean {
  const all = s.join('\n');
  if (!/k8s●/.test(s[0]) || !/prom●/.test(s[0]) || !/pg●/.test(s[0]) || !/redis●/.test(s[0])) return false;
  if (!podsVisible(s)) return false;
  if (!wide) return true;
  // Error rate & latency: a 5xx ratio and a p95; Postgres: connections of max; Redis: a PING time and memory.
  return /\d%\s+\d+(\.\d+)?m?s\b/.test(all) && /\d+\/\d+ \(\d+%\)/.test(all) && /\d(\.\d+)?ms\s+\d+(\.\d+)?[KMG]i\//.test(all) && /\b\d+\/\d+(\s+\d+)+ ok\b/.test(all);
}

interface Cockpit {
  run: PtyRun;
  screen: Screen;
  probeFile: string;
  pid(): number;
}

function startCockpit(w: World, cols: number, rows: number, extraEnv: NodeJS.ProcessEnv = {}, argv: string[] = ['--config', w.configPath]): Cockpit {
  const probeFile = path.join(w.dir, `probe-${Date.now()}-${Math.random().toString(36).slice(2)}.jsonl`);
  const run = runInPty([process.execPath, CLI, ...argv], { cols, rows, env: { ...w.env, WARROOM_FRAME_PROBE: probeFile, ...extraEnv }, cwd: w.env.HOME });
  const screen = replayScreen(run, cols, rows);
  return {
    run,
    screen,
    probeFile,
    pid() {
      const p = run.programPid();
      if (!p) throw new Error('the warroom process is not running under script');
      return p;
    },
  };
}

async function stopCockpit(c: Cockpit): Promise<void> {
  await c.run.stop();
  c.screen.dispose();
}

interface Startup {
  first: number[];
  pods: number[];
  filled: number[];
}

async function startups(w: World, cols: number, rows: number, n: number, argv?: string[], filledTest?: (s: string[]) => boolean): Promise<Startup> {
  const r: Startup = { first: [], pods: [], filled: [] };
  for (let i = 0; i < n; i++) {
    const c = startCockpit(w, cols, rows, {}, argv);
    try {
      const t0 = c.run.startedAt;
      r.first.push((await c.screen.waitFor(firstFrame, 20_000, 'first frame')) - t0);
      r.pods.push((await c.screen.waitFor(podsVisible, 30_000, 'pods')) - t0);
      r.filled.push((await c.screen.waitFor(filledTest ?? ((s) => everyPane(s, cols >= 160)), 30_000, 'every pane')) - t0);
    } finally {
      await stopCockpit(c);
    }
  }
  return r;
}

/** Sum of tallies per backend between two snapshots, per minute. */
function perMinute(
  before: Record<string, Tally>,
  after: Record<string, Tally>,
  secs: number,
): { requests: number; bytes: number; byKind: Record<string, number>; bytesByKind: Record<string, number> } {
  let requests = 0;
  let bytes = 0;
  const byKind: Record<string, number> = {};
  const bytesByKind: Record<string, number> = {};
  for (const [k, t] of Object.entries(after)) {
    const b = before[k] ?? { requests: 0, bytesIn: 0, bytesOut: 0 };
    const dr = t.requests - b.requests;
    requests += dr;
    bytes += t.bytesIn - b.bytesIn + (t.bytesOut - b.bytesOut);
    if (dr) byKind[k] = (dr * 60) / secs;
    bytesByKind[k] = ((t.bytesIn - b.bytesIn + (t.bytesOut - b.bytesOut)) * 60) / secs;
  }
  return { requests: (requests * 60) / secs, bytes: (bytes * 60) / secs, byKind, bytesByKind };
}

interface Probe {
  t: number;
  frameCpuMs: number;
  stageMs: number;
  commitMs: number | null;
  bytes: number;
  at: number;
}

function readProbe(file: string): Probe[] {
  try {
    return fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  } catch {
    return [];
  }
}

interface Session {
  idleBytesPerSec: number;
  idleFrames: number;
  cpuPct: number;
  rss: number;
  backends: Record<string, ReturnType<typeof perMinute>>;
  firstAfterDelete: number[];
  deleteToReplacement: number[];
  framesPerReplacement: number[];
  frameCpu: number[];
  fullFrameBytes: number;
}

/** A pod that is on screen, in the healthy group (so deleting it moves it, the case the issue measures). */
function podOnScreen(c: Cockpit, w: World, exclude: Set<string>): string {
  const names = w.kubectl('get', 'pods', '--no-headers', '-o', 'custom-columns=N:.metadata.name').split('\n').filter(Boolean);
  const screen = c.screen.rows().join('\n');
  const visible = names.filter((n) => !exclude.has(n) && screen.includes(n.slice(0, 20)));
  return visible[Math.floor(visible.length / 2)] ?? names.find((n) => !exclude.has(n))!;
}

/** One long cockpit session: idle, then pod deletions. */
async function session(w: World, label: string, o: { cols: number; rows: number; idleMs: number; deletes: number; env?: NodeJS.ProcessEnv; pods: number }): Promise<Session> {
  progress(`${label}: cockpit ${o.cols}×${o.rows}, idle ${o.idleMs / 1000} s, ${o.deletes} pod deletions`);
  const c = startCockpit(w, o.cols, o.rows, o.env);
  try {
    await c.screen.waitFor((s) => everyPane(s, o.cols >= 160), 40_000, 'every pane');
    const fullFrameBytes = c.run.chunks.reduce((a, x) => a + x.bytes, 0);
    await sleep(6000); // every poller has run again; the first frames are over
    const pid = c.pid();
    const wallIdle = Date.now();
    const p0 = Object.fromEntries(Object.entries(w.proxies).map(([k, p]) => [k, p.snapshot()]));
    const c0 = cpuSeconds(pid);
    const t0 = performance.now();
    await sleep(o.idleMs);
    const t1 = performance.now();
    const c1 = cpuSeconds(pid);
    const rss = rssBytes(pid);
    const secs = (t1 - t0) / 1000;
    const backends: Session['backends'] = {};
    for (const [k, p] of Object.entries(w.proxies)) backends[k] = perMinute(p0[k], p.snapshot(), secs);
    const idleBytes = c.run.bytesBetween(t0, t1);
    const idleFrames = frameSizes(Buffer.concat(c.run.chunks.filter((x) => x.t >= t0 && x.t < t1).map((x) => x.data))).length;

    const firstAfterDelete: number[] = [];
    const deleteToReplacement: number[] = [];
    const framesPerReplacement: number[] = [];
    const deleted = new Set<string>();
    for (let i = 0; i < o.deletes; i++) {
      const victim = podOnScreen(c, w, deleted);
      deleted.add(victim);
      const td = performance.now();
      w.kubectl('delete', 'pod', victim, '--wait=false');
      // The replacement is up when the namespace is back to its size with every pod Running and ready.
      const t2 = Date.now();
      for (;;) {
        await sleep(500);
        const lines = w.kubectl('get', 'pods', '--no-headers').split('\n').filter(Boolean);
        const ok = lines.filter((l) => /\s(\d+)\/\1\s+Running\s/.test(l)).length;
        if ((lines.length === o.pods && ok === o.pods) || Date.now() - t2 > 30_000) break;
      }
      await sleep(1200); // the last watch event reaches the screen
      const te = performance.now();
      const after = c.run.chunks.filter((x) => x.t >= td && x.t < te);
      const frames = frameSizes(Buffer.concat(after.map((x) => x.data)));
      if (frames.length) firstAfterDelete.push(frames[0]);
      deleteToReplacement.push(after.reduce((a, x) => a + x.bytes, 0));
      framesPerReplacement.push(frames.length);
    }
    await sleep(1500); // the probe flushes once a second
    const frameCpu = readProbe(c.probeFile)
      .filter((p) => p.bytes > 0 && p.commitMs !== null && p.t >= wallIdle)
      .map((p) => p.frameCpuMs);
    return {
      idleBytesPerSec: idleBytes / secs,
      idleFrames,
      cpuPct: ((c1 - c0) / secs) * 100,
      rss,
      backends,
      firstAfterDelete,
      deleteToReplacement,
      framesPerReplacement,
      frameCpu,
      fullFrameBytes,
    };
  } finally {
    await stopCockpit(c);
  }
}

/** The peer: `watch -n2 kubectl get pods -A` at 200×50, idle bytes and CPU, and the refresh after a delete. */
async function peer(w: World, idleMs: number): Promise<{ bytesPerSec: number; cpuPct: number; deleteBytes: number }> {
  progress(`peer: watch -n2 kubectl get pods -A, ${idleMs / 1000} s`);
  const kubeconfig = path.join(w.dir, 'sim', 'kubeconfig');
  const run = runInPty(['watch', '-n2', 'kubectl', '--kubeconfig', kubeconfig, 'get', 'pods', '-A'], { cols: 200, rows: 50, env: w.env, cwd: w.env.HOME });
  try {
    await run.waitFor((b) => b.includes('NAMESPACE'), 15_000);
    await sleep(4500);
    const pid = run.programPid()!;
    const cpu = () => {
      // watch and the kubectl runs it has reaped: utime+stime+cutime+cstime.
      const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const x = f
        .slice(f.lastIndexOf(')') + 2)
        .split(' ')
        .slice(11, 15)
        .map(Number);
      return x.reduce((a, n) => a + n, 0) / 100;
    };
    const c0 = cpu();
    const t0 = performance.now();
    await sleep(idleMs);
    const t1 = performance.now();
    const c1 = cpu();
    const bytes = run.bytesBetween(t0, t1);
    const pod = w.kubectl('get', 'pods', '--no-headers', '-o', 'custom-columns=N:.metadata.name').split('\n').filter(Boolean)[0];
    const td = performance.now();
    w.kubectl('delete', 'pod', pod, '--wait=false');
    await sleep(2600);
    const deleteBytes = run.bytesBetween(td, performance.now());
    return { bytesPerSec: bytes / ((t1 - t0) / 1000), cpuPct: ((c1 - c0) / ((t1 - t0) / 1000)) * 100, deleteBytes };
  } finally {
    await run.stop();
  }
}

// ---------------------------------------------------------------- the run

function build(): void {
  if (args.includes('--no-build')) return;
  progress('npm run build');
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}

function context(): string[] {
  const cpus = os.cpus();
  let commit = '?';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    /* not a checkout */
  }
  const v = (p: string) => {
    try {
      return JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', p, 'package.json'), 'utf8')).version;
    } catch {
      return '?';
    }
  };
  return [
    `machine   ${cpus[0]?.model.trim() ?? '?'} · ${os.availableParallelism()} cores · ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB · ${os.platform()} ${os.release()}`,
    `versions  Node ${process.versions.node} · Ink ${v('ink')} · React ${v('react')} · warroom ${commit} · CLI ${path.relative(ROOT, CLI)}`,
    `path      warroom sim (latency-spike) → counting proxies → the CLI under util-linux script (TERM=xterm-256color, truecolor) → headless terminal`,
    `mode      ${QUICK ? `--quick: ${SAMPLES} samples per timing, ${IDLE_MS / 1000} s idle windows, ${POD_COUNTS.join('/')} pods` : `${SAMPLES} samples per timing, ${IDLE_MS / 1000} s idle at 5k pods, ${SHORT_IDLE_MS / 1000} s at 10/1k`}`,
    `date      ${new Date().toISOString()}`,
  ];
}

async function main(): Promise<void> {
  const tStart = performance.now();
  if (!scriptAvailable()) throw new Error('util-linux `script` is needed for a real PTY');
  build();
  if (!fs.existsSync(path.join(ROOT, 'dist', 'warroom.cjs'))) throw new Error('dist/warroom.cjs is missing (npm run build)');
  const ctx = context();
  load('start');
  progress('starting warroom sim and the counting proxies');
  const w = await startWorld();
  const sessions: Record<number, Session> = {};
  const starts: Record<number, Startup> = {};
  let narrow: Startup | null = null;
  let drill: Startup | null = null;
  let ink: Session | null = null;
  let watchPeer: Awaited<ReturnType<typeof peer>> | null = null;
  try {
    for (const pods of POD_COUNTS) {
      if (pods !== BASE_PODS) {
        progress(`kubectl scale: ${pods} pods`);
        await scaleTo(w, pods);
      }
      progress(`${pods} pods: ${SAMPLES} starts at 200×50`);
      starts[pods] = await startups(w, 200, 50, SAMPLES);
      if (pods === (QUICK ? BASE_PODS : 1000)) {
        progress(`${pods} pods: ${SAMPLES} starts at 80×24`);
        narrow = await startups(w, 80, 24, SAMPLES);
        load(`${pods} pods`);
        watchPeer = await peer(w, SHORT_IDLE_MS);
        ink = await session(w, `${pods} pods, Ink's own output (reference)`, {
          cols: 200,
          rows: 50,
          idleMs: SHORT_IDLE_MS,
          deletes: QUICK ? 2 : 3,
          env: { WARROOM_INK_OUTPUT: '1' },
          pods,
        });
      }
      sessions[pods] = await session(w, `${pods} pods`, {
        cols: 200,
        rows: 50,
        idleMs: pods === 5000 ? IDLE_MS : SHORT_IDLE_MS,
        deletes: pods === BASE_PODS ? Math.min(5, DELETES) : DELETES,
        pods,
      });
      load(`${pods} pods, end`);
    }
  } finally {
    await w.stop();
  }
  progress(`warroom drill: ${SAMPLES} starts`);
  drill = await drillStarts(SAMPLES, [process.execPath, CLI]);
  progress(`single executable: npm run package, then ${SAMPLES} drill starts`);
  const sea = await singleExecutable(SAMPLES);

  // ------------------------------------------------------------ the table
  const top = POD_COUNTS[POD_COUNTS.length - 1];
  const mid = POD_COUNTS.includes(1000) ? 1000 : BASE_PODS;
  for (const pods of POD_COUNTS) {
    const s = starts[pods];
    row(`exec → first frame, ${pods} pods, 200×50`, dist(s.first, formatMs), '< 200 ms', below(p95(s.first), 200));
    row(`exec → pods visible, ${pods} pods, 200×50`, dist(s.pods, formatMs), '< 600 ms', below(p95(s.pods), 600));
    row(`exec → every pane filled, ${pods} pods, 200×50`, dist(s.filled, formatMs), '< 1.5 s', below(p95(s.filled), 1500));
  }
  if (narrow) {
    row(`exec → first frame, ${mid} pods, 80×24`, dist(narrow.first, formatMs), '< 200 ms', below(p95(narrow.first), 200));
    row(`exec → pods visible, ${mid} pods, 80×24`, dist(narrow.pods, formatMs), '< 600 ms', below(p95(narrow.pods), 600));
    row(`exec → every pane filled, ${mid} pods, 80×24`, dist(narrow.filled, formatMs), '< 1.5 s', below(p95(narrow.filled), 1500));
  }
  if (drill) {
    row('warroom drill: exec → first frame', dist(drill.first, formatMs), '< 200 ms', below(p95(drill.first), 200));
    row('warroom drill: exec → pods visible', dist(drill.pods, formatMs), '< 1 s', below(p95(drill.pods), 1000));
  }
  if (sea) {
    row(`single executable (${path.basename(sea.file)}, Node ${process.versions.node} inside): size`, formatBytes(sea.bytes), 'ref.', 'info');
    if (sea.starts) {
      row('single executable: drill exec → first frame', dist(sea.starts.first, formatMs), '< 200 ms', below(p95(sea.starts.first), 200));
      row('single executable: drill exec → pods visible', dist(sea.starts.pods, formatMs), '< 1 s', below(p95(sea.starts.pods), 1000));
    }
  }
  for (const pods of POD_COUNTS) {
    const s = sessions[pods];
    row(`bytes, one pod deleted, the first frame after (${pods} pods)`, dist(s.firstAfterDelete, formatBytes), '< 150 B', below(p95(s.firstAfterDelete), 150));
    row(
      `bytes, delete → replacement running (${pods} pods)`,
      `${dist(s.deleteToReplacement, formatBytes)}; frames ${dist(s.framesPerReplacement, String)}`,
      '< 2 KB',
      below(p95(s.deleteToReplacement), 2048),
    );
  }
  for (const pods of POD_COUNTS) {
    const s = sessions[pods];
    row(`bytes/s idle, ${pods} pods`, `${s.idleBytesPerSec.toFixed(1)} B/s (${s.idleFrames} frames)`, '≤ 100 B/s', atMost(s.idleBytesPerSec, 100));
  }
  for (const pods of POD_COUNTS) {
    const f = sessions[pods].frameCpu;
    row(`frame CPU, store update → bytes written, ${pods} pods (in the CLI, probe)`, dist(f, formatMs), 'p95 < 8 ms', below(p95(f), 8));
  }
  const s5 = sessions[top];
  row(`RSS, ${top} pods (after ${IDLE_MS / 1000} s idle and ${DELETES} deletes)`, formatBytes(s5.rss), '< 150 MB', below(s5.rss, 150 * 2 ** 20));
  row(`idle CPU, ${top} pods (over ${IDLE_MS / 1000} s)`, `${s5.cpuPct.toFixed(2)} % of a core`, '< 1.5 %', below(s5.cpuPct, 1.5));
  for (const pods of POD_COUNTS) {
    const b = sessions[pods].backends;
    const k = b.kube.byKind;
    row(
      `Kubernetes API per minute, idle, ${pods} pods`,
      `${b.kube.requests.toFixed(1)} req (list ${(k.list ?? 0).toFixed(1)}, metrics ${(k.metrics ?? 0).toFixed(1)}, watch ${(k.watch ?? 0).toFixed(1)}), ${formatBytes(b.kube.bytes)}`,
      'lists ≈ 0',
      below(k.list ?? 0, 1),
    );
  }
  for (const pods of POD_COUNTS) {
    const m = sessions[pods].backends.kube.bytesByKind.metrics ?? 0;
    // An idle window shorter than the poll interval may see no poll at all: 0 B then measures nothing.
    const polled = (sessions[pods].backends.kube.byKind.metrics ?? 0) > 0;
    row(
      `PodMetrics (metrics.k8s.io) bytes per minute, ${pods} pods`,
      polled ? formatBytes(m) : 'no poll in the idle window (its interval is longer): see the diagnostic below',
      '≤ 1 MiB/min',
      polled ? atMost(m, 2 ** 20) : 'n/a',
    );
  }
  try {
    const km = await kubeMetricsBytes(5000);
    row(
      '  diagnostic, in-process: one PodMetrics list at 5,000 pods, and the poll interval for it',
      `${formatBytes(km.listBytes)} every ${(km.intervalMs / 1000).toFixed(0)} s = ${formatBytes(km.bytesPerMin)}/min (a LIST every 5 s: ${formatBytes(km.before5sBytesPerMin)}/min)`,
      'ref.',
      'info',
    );
  } catch (e) {
    notes.push(`PodMetrics diagnostic: ${reason(e)}`);
  }
  for (const name of ['prometheus', 'postgres', 'redis'] as const) {
    const b = sessions[top].backends[name];
    row(`${name} per minute, idle, ${top} pods`, `${b.requests.toFixed(1)} req, ${formatBytes(b.bytes)}`, 'ref.', 'info');
  }
  if (ink) {
    row(`reference: Ink's own output, full first frame (${mid} pods)`, formatBytes(ink.fullFrameBytes), 'ref.', 'info');
    row(`reference: Ink's own output, one pod deleted, first frame (${mid} pods)`, dist(ink.firstAfterDelete, formatBytes), 'ref.', 'info');
    row(`reference: Ink's own output, bytes/s idle (${mid} pods)`, `${ink.idleBytesPerSec.toFixed(1)} B/s`, 'ref.', 'info');
    row(`this stage: full first frame (${mid} pods)`, formatBytes(sessions[mid].fullFrameBytes), 'ref.', 'info');
  }
  if (watchPeer) {
    row(`peer: watch -n2 kubectl get pods -A, bytes/s idle (${mid} pods)`, `${watchPeer.bytesPerSec.toFixed(1)} B/s`, 'ref.', 'info');
    row(`peer: watch -n2 kubectl get pods -A, CPU (watch + kubectl)`, `${watchPeer.cpuPct.toFixed(2)} % of a core`, 'ref.', 'info');
    row(`peer: bytes for the refresh that showed a deleted pod`, formatBytes(watchPeer.deleteBytes), 'ref.', 'info');
  }
  load('end');

  // ------------------------------------------------------------ the closing note
  const out = process.stdout;
  out.write('\nwarroom benchmark, real path (method: bench/README.md)\n');
  for (const l of ctx) out.write(`  ${l}\n`);
  out.write(`  load      ${loads.join(' · ')} (1/5/15 min)\n`);
  out.write('\n' + renderTable(rows) + '\n\n');
  out.write('min / median / p95 (nearest rank); ✓ meets the goal · ✗ misses it · · reference · – not measured\n');
  const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(1)}×` : 'n/a');
  if (watchPeer) {
    const s = sessions[mid];
    notes.push(
      `against the peer in the same run (${mid} pods): idle bytes/s warroom ${s.idleBytesPerSec.toFixed(1)} vs watch ${watchPeer.bytesPerSec.toFixed(1)} (${ratio(s.idleBytesPerSec, watchPeer.bytesPerSec)}); a deleted pod's first frame ${formatBytes(median(s.firstAfterDelete))} vs watch's refresh ${formatBytes(watchPeer.deleteBytes)} (${ratio(median(s.firstAfterDelete), watchPeer.deleteBytes)}); idle CPU ${s.cpuPct.toFixed(2)} % vs ${watchPeer.cpuPct.toFixed(2)} %`,
    );
  }
  if (ink) {
    const s = sessions[mid];
    notes.push(
      `against Ink's own output (same CLI, WARROOM_INK_OUTPUT=1): first frame after a delete ${formatBytes(median(s.firstAfterDelete))} vs ${formatBytes(median(ink.firstAfterDelete))} (${ratio(median(ink.firstAfterDelete), median(s.firstAfterDelete))} fewer bytes); idle ${s.idleBytesPerSec.toFixed(1)} vs ${ink.idleBytesPerSec.toFixed(1)} B/s`,
    );
  }
  for (const pods of POD_COUNTS) {
    const b = sessions[pods].backends;
    notes.push(
      `${pods} pods idle, per minute: ${Object.entries(b)
        .map(
          ([k, v]) =>
            `${k} ${v.requests.toFixed(1)} req ${formatBytes(v.bytes)} [${Object.entries(v.byKind)
              .map(([kk, n]) => `${kk} ${n.toFixed(1)}`)
              .join(', ')}]`,
        )
        .join('; ')}`,
    );
  }
  notes.push(
    'frame CPU is measured inside the CLI (WARROOM_FRAME_PROBE): from the store update that caused a frame to its bytes handed to the terminal (React commit + Yoga layout + the cell stage); frames that only waited for the frame clock count their work, not the wait',
  );
  notes.push(
    'exec → … times run from spawning `script` (PTY setup included) to the arrival of the chunk after which the headless terminal shows it; "every pane filled" = all four sources answered (header dots) and pods, deployments, error rate, Postgres and Redis show data (at 80×24: the sources and pods)',
  );
  for (const n of notes) out.write(`- ${n}\n`);
  out.write(`- bench took ${((performance.now() - tStart) / 1000).toFixed(0)} s\n`);
}

/**
 * `--dump-frames`: one cockpit at 10 pods (or `--pods N`), one pod deleted, and every frame until
 * its replacement runs, as the rows it changed (old → new text) and its bytes per row: where the
 * bytes of a delete go. A diagnostic; prints no table.
 */
async function dumpFrames(): Promise<void> {
  build();
  const pods = Number(args[args.indexOf('--pods') + 1]) || BASE_PODS;
  const w = await startWorld();
  try {
    if (pods !== BASE_PODS) await scaleTo(w, pods);
    // --profile DIR: a V8 CPU profile of the cockpit (written when it exits).
    const profile = args.includes('--profile') ? path.resolve(args[args.indexOf('--profile') + 1]) : null;
    // --node-options "…": more flags for the cockpit's node (e.g. --heapsnapshot-signal=SIGUSR2).
    const extra = args.includes('--node-options') ? args[args.indexOf('--node-options') + 1] : '';
    const nodeOptions = [profile ? `--cpu-prof --cpu-prof-dir=${profile}` : '', extra].filter(Boolean).join(' ');
    // --env K=V: an environment variable for the cockpit (e.g. WARROOM_SCROLL_REGIONS=0 for an A/B).
    const env: NodeJS.ProcessEnv = nodeOptions ? { NODE_OPTIONS: nodeOptions } : {};
    args.forEach((a, i) => {
      if (a === '--env' && args[i + 1]?.includes('=')) env[args[i + 1]!.split('=')[0]!] = args[i + 1]!.split('=').slice(1).join('=');
    });
    const c = startCockpit(w, 200, 50, env);
    try {
      await c.screen.waitFor((s) => everyPane(s, true), 40_000, 'every pane');
      await sleep(6000);
      // --idle S: an idle window first, with the cockpit's CPU over it.
      const idle = args.includes('--idle') ? Number(args[args.indexOf('--idle') + 1]) * 1000 : 0;
      if (idle) {
        const c0 = cpuSeconds(c.pid());
        await sleep(idle);
        process.stdout.write(`idle ${idle / 1000} s: CPU ${(((cpuSeconds(c.pid()) - c0) / (idle / 1000)) * 100).toFixed(2)} % of a core, RSS ${formatBytes(rssBytes(c.pid()))}\n`);
      }
      if (args.includes('--snapshot')) {
        process.kill(c.pid(), 'SIGUSR2');
        await sleep(15000);
      }
      const victim = podOnScreen(c, w, new Set());
      const from = c.run.chunks.length;
      const before = c.screen.rows();
      process.stdout.write(`deleting ${victim}\n`);
      const deletedAt = Date.now();
      w.kubectl('delete', 'pod', victim, '--wait=false');
      await sleep(8000);
      const data = Buffer.concat(c.run.chunks.slice(from).map((x) => x.data));
      await replayFrames(before, data, 200, 50);
      await sleep(1500);
      const probe = readProbe(c.probeFile).filter((p) => p.bytes > 0 && p.commitMs !== null && p.t >= deletedAt);
      const d = (xs: number[]) => dist(xs, formatMs);
      process.stdout.write(
        `frames with bytes after the delete: ${probe.length}; frame CPU ${d(probe.map((p) => p.frameCpuMs))}; React+layout ${d(probe.map((p) => p.commitMs!))}; stage ${d(probe.map((p) => p.stageMs))}\n`,
      );
    } finally {
      await stopCockpit(c);
    }
  } finally {
    await w.stop();
  }
}

/** Replays `data` frame by frame (synchronized updates) over a screen showing `rows`, printing each frame's changed rows. */
async function replayFrames(rows: string[], data: Buffer, cols: number, height: number): Promise<void> {
  const term = new xterm.Terminal({ cols, rows: height, allowProposedApi: true, scrollback: 0 });
  const write = (d: string | Buffer) => new Promise<void>((r) => term.write(d, r));
  // Paint the starting screen as plain text (attributes do not matter for the row diff).
  await write('\x1b[?1049h\x1b[H\x1b[2J' + rows.map((l, y) => `\x1b[${y + 1}H${l}`).join(''));
  const text = () => Array.from({ length: height }, (_, y) => term.buffer.active.getLine(y)?.translateToString(true) ?? '');
  const begin = '\x1b[?2026h';
  const end = '\x1b[?2026l';
  const s = data.toString('utf8');
  let at = 0;
  let n = 0;
  let total = 0;
  for (;;) {
    const b = s.indexOf(begin, at);
    if (b < 0) break;
    const e = s.indexOf(end, b);
    if (e < 0) break;
    const frame = s.slice(b, e + end.length);
    at = e + end.length;
    const old = text();
    await write(frame);
    const now = text();
    const bytes = Buffer.byteLength(frame);
    total += bytes;
    // Bytes per row: split the frame at absolute cursor moves (CUP to row y).
    const perRow = new Map<number, number>();
    let row = -1;
    const raw = new Map<number, string>();
    for (const part of frame.split(/(?=\x1b\[\d+(?:;\d+)?H)/)) {
      const m = /^\x1b\[(\d+)(?:;\d+)?H/.exec(part);
      if (m) row = Number(m[1]) - 1;
      perRow.set(row, (perRow.get(row) ?? 0) + Buffer.byteLength(part));
      raw.set(row, (raw.get(row) ?? '') + part);
    }
    process.stdout.write(`\n== frame ${++n}: ${bytes} B, ${[...perRow.keys()].filter((r) => r >= 0).length} rows touched\n`);
    for (let y = 0; y < height; y++) {
      if (old[y] === now[y] && !perRow.has(y)) continue;
      process.stdout.write(`  row ${String(y).padStart(2)} ${String(perRow.get(y) ?? 0).padStart(5)} B\n    - ${old[y].trimEnd()}\n    + ${now[y].trimEnd()}\n`);
      if (args.includes('--raw')) process.stdout.write(`    ${JSON.stringify(raw.get(y) ?? '')}\n`);
    }
  }
  process.stdout.write(`\n${n} frames, ${total} B\n`);
  term.dispose();
}

/** `npm run package`, then the executable's drill starts timed as the CLI's are. */
async function singleExecutable(n: number): Promise<{ file: string; bytes: number; starts: Startup | null } | null> {
  try {
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'package.mjs')], { cwd: ROOT, stdio: 'pipe' });
  } catch (e) {
    notes.push(`single executable: npm run package failed: ${reason(e)}`);
    return null;
  }
  const file = path.join(ROOT, 'dist', `warroom-${process.platform}-${process.arch}`);
  return { file, bytes: fs.statSync(file).size, starts: await drillStarts(n, [file]) };
}

/** `warroom drill` (`program`: the argv that runs warroom): its own simulators in the same process; pods visible counts starting them. */
async function drillStarts(n: number, program: string[]): Promise<Startup | null> {
  const r: Startup = { first: [], pods: [], filled: [] };
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'warroom-bench-drill-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_STATE_HOME: path.join(home, '.state'),
    TMPDIR: home,
    TERM: 'xterm-256color',
    COLORTERM: 'truecolor',
    LANG: 'C.UTF-8',
  };
  try {
    for (let i = 0; i < n; i++) {
      const run = runInPty([...program, 'drill', '--scenario', 'latency-spike'], { cols: 200, rows: 50, env, cwd: home });
      const screen = replayScreen(run, 200, 50);
      try {
        r.first.push((await screen.waitFor(firstFrame, 20_000, 'drill first frame')) - run.startedAt);
        r.pods.push((await screen.waitFor(podsVisible, 30_000, 'drill pods')) - run.startedAt);
      } finally {
        await run.stop();
        screen.dispose();
      }
      await sleep(300);
    }
    return r;
  } catch (e) {
    notes.push(`drill starts: ${reason(e)}`);
    return r.first.length ? r : null;
  } finally {
    await sleep(500);
    fs.rmSync(home, { recursive: true, force: true });
  }
}

(args.includes('--dump-frames') ? dumpFrames() : main()).then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
