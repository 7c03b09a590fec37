// `npm run bench`: measures warroom against the project's simulators and prints one table.
// Method and caveats: bench/README.md. Figures, not tests: nothing here fails the build.
//
//   npm run bench                 builds first (the CLI figures use dist/)
//   npm run bench -- --no-build   uses the existing dist/
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { below, describeDistribution, formatBytes, formatMs, median, percentile, renderTable, type Row } from './lib/stats.js';
import { cpuSeconds, frameSizes, rssBytes, runInPty, scriptAvailable, type PtyRun } from './lib/pty.js';
import { NAMESPACE, startBackends, type BenchBackends } from './lib/backends.js';
import { kubeMetricsBytes, METRICS_BUDGET_BYTES_PER_MIN } from './lib/kube-metrics.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const COLS = 200;
const ROWS = 50;
const STARTUP_RUNS = 5;
const DRILL_RUNS = 3;
const IDLE_WINDOW_MS = 30_000;
const PROD_IDLE_WINDOW_MS = 15_000;
const PODS_PER_DEPLOYMENT = 12; // 10 deployments → 120 pods in the live-CLI runs
const BYTES_PODS = 300;
const RENDER_PODS = 5000;

const rows: Row[] = [];
const notes: string[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const progress = (m: string) => process.stderr.write(`bench: ${m}\n`);
const na = (metric: string, target: string, why: string) => rows.push({ metric, value: `n/a (${why})`, target, verdict: 'n/a' });
const reason = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 90);

/** The first frame is complete when Ink closes the synchronized update that drew the footer. */
const firstFrameDone = (all: Buffer) => {
  const footer = Math.max(all.indexOf('quit'), all.indexOf('help'));
  return footer >= 0 && all.indexOf('\x1b[?2026l', footer) >= 0;
};

function version(pkg: string): string {
  try {
    return JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  } catch {
    return '?';
  }
}

function context(): string[] {
  const cpus = os.cpus();
  let commit = '?';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    /* not a checkout */
  }
  return [
    `machine   ${cpus[0]?.model.trim() ?? '?'} · ${os.availableParallelism()} cores · ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB · ${os.platform()} ${os.release()}`,
    `load      ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (1/5/15 min, at start)`,
    `versions  Node ${process.versions.node} · Ink ${version('ink')} · React ${version('react')} · warroom ${commit}`,
    `react     ${reactBuildNote()}`,
    `terminal  ${COLS}×${ROWS}, TERM=xterm-256color COLORTERM=truecolor; PTY = util-linux script; in-process = metered stdout`,
    `date      ${new Date().toISOString()}`,
  ];
}

/** Whether the built CLI sets NODE_ENV itself (React picks its development or production build from it). */
function reactBuildNote(): string {
  let sets = false;
  try {
    sets = /NODE_ENV/.test(fs.readFileSync(CLI, 'utf8'));
  } catch {
    /* not built */
  }
  return sets
    ? 'dist/cli.js sets NODE_ENV; rows marked "NODE_ENV unset" measure the environment as users start it'
    : 'dist/cli.js does not set NODE_ENV, so users get React\'s development build unless their shell sets NODE_ENV=production; both are measured';
}

function build(): boolean {
  progress('npm run build');
  try {
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    return true;
  } catch (e) {
    notes.push(`build failed: ${reason((e as { stderr?: Buffer }).stderr?.toString() || e)}; using whatever dist/ holds`);
    return fs.existsSync(CLI);
  }
}

/** Runs bench/render-child.ts in its own process and returns its JSON line. */
function renderChild(mode: 'bytes' | 'render', pods: number, production = false): Promise<Record<string, any>> {
  const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: '3', TERM: 'xterm-256color', COLORTERM: 'truecolor' };
  delete env.NODE_ENV;
  if (production) env.NODE_ENV = 'production';
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(ROOT, 'bench', 'render-child.ts'), mode, String(pods)], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('exit', () => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (!line) return reject(new Error(err.trim().split('\n').pop() || 'no output'));
      const r = JSON.parse(line);
      if (r.error) reject(new Error(r.error));
      else resolve(r);
    });
  });
}

async function inProcessBytes(): Promise<void> {
  progress(`in-process: bytes per pod change (${BYTES_PODS} pods)`);
  const metric = `bytes, one pod changes state (in-process, ${BYTES_PODS} pods)`;
  try {
    const r = await renderChild('bytes', BYTES_PODS);
    const b: number[] = r.podChangeBytes;
    rows.push({ metric, value: describeDistribution(b, formatBytes), target: '< 1 KB', verdict: below(percentile(b, 95), 1024) });
    rows.push({ metric: 'bytes, full redraw (first frame, in-process)', value: formatBytes(r.fullFrameBytes), target: 'ref. ~11 KB', verdict: 'info' });
    const nb: number[] = r.podChangeBytesNonIncremental;
    rows.push({ metric: 'bytes, one pod change without incrementalRendering', value: `median ${formatBytes(median(nb))} (n=${nb.length})`, target: 'ref.', verdict: 'info' });
    rows.push({ metric: `frame time, flush → frame written (${BYTES_PODS} pods, for comparison)`, value: describeDistribution(r.frameMs, formatMs), target: 'ref.', verdict: 'info' });
    rows.push({ metric: 'bytes per idle second (in-process, frame clock on)', value: `${formatBytes(r.idleBytesPerSec)}/s`, target: '0 B/s', verdict: r.idleBytesPerSec === 0 ? 'pass' : 'fail' });
    notes.push(`in-process: one pod flipped Running ↔ CrashLoopBackOff (${r.pod}); ≈${median(r.podChangeLines)} of ${r.rows} lines rewritten per change (median); maxFps ${r.maxFps}; chalk colour level ${r.colorLevel}`);
  } catch (e) {
    na(metric, '< 1 KB', reason(e));
  }
}

async function inProcessRender(production: boolean): Promise<void> {
  const variant = production ? 'NODE_ENV=production' : 'NODE_ENV unset';
  progress(`in-process: render time and memory (${RENDER_PODS} pods, ${variant})`);
  try {
    const r = await renderChild('render', RENDER_PODS, production);
    const f: number[] = r.frameMs;
    const ink: number[] = r.inkRenderMs;
    rows.push({ metric: `frame time, flush → frame written (${RENDER_PODS} pods, ${variant})`, value: describeDistribution(f, formatMs), target: 'p95 < 16 ms', verdict: below(percentile(f, 95), 16) });
    rows.push({ metric: `  of which Ink layout+output (onRender renderTime)`, value: describeDistribution(ink, formatMs), target: 'ref.', verdict: 'info' });
    rows.push({ metric: `resident memory after GC (${RENDER_PODS} pods, ${variant})`, value: `${formatBytes(r.rss)} (heap ${formatBytes(r.heapUsed)})`, target: '< 200 MB', verdict: below(r.rss, 200 * 2 ** 20) });
    if (!production) {
      const models = Object.entries(r.paneModelMs as Record<string, number>).sort((a, b) => b[1] - a[1]);
      notes.push(`${RENDER_PODS} pods: paneModel() per pane (pure, median of 5): ${models.map(([p, ms]) => `${p} ${formatMs(ms)}`).join(', ')}`);
    }
    notes.push(
      `${RENDER_PODS} pods, ${variant}: first frame ${formatMs(r.firstFrameMs)} in-process; RSS before the state was built ${formatBytes(r.rssBaseline)} (modules + tsx loader); bytes per pod change ${describeDistribution(r.podChangeBytes, formatBytes)}${r.gcExposed ? '' : '; gc() was not exposed'}`,
    );
  } catch (e) {
    na(`frame time at ${RENDER_PODS} pods, ${variant}`, 'p95 < 16 ms', reason(e));
    na(`resident memory at ${RENDER_PODS} pods, ${variant}`, '< 200 MB', reason(e));
  }
}

/** One start of the built CLI under a PTY; ms from spawn to the first complete frame. */
async function firstFrame(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<number> {
  const run = runInPty([process.execPath, CLI, ...args], { cols: COLS, rows: ROWS, env, cwd: env.HOME });
  try {
    const t = await run.waitFor(firstFrameDone, timeoutMs);
    return t - run.startedAt;
  } finally {
    await run.stop();
  }
}

/** The floor under the first frame: a fresh Node importing Ink (and with it React and Yoga), no warroom code. */
function inkImportFloor(): void {
  const times: number[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', "const t = performance.now(); await import('ink'); process.stdout.write(String(performance.now() - t))"], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, NODE_ENV: 'production' },
      });
      times.push(Number(out));
    }
    rows.push({ metric: "  floor: import('ink') in a fresh Node (no warroom code)", value: describeDistribution(times, formatMs), target: 'ref.', verdict: 'info' });
  } catch (e) {
    na("  floor: import('ink') in a fresh Node", 'ref.', reason(e));
  }
}

async function ptyOverhead(): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const run = runInPty(['printf', 'ready'], { cols: COLS, rows: ROWS });
    try {
      times.push((await run.waitFor((b) => b.includes('ready'), 5000)) - run.startedAt);
    } finally {
      await run.stop();
    }
  }
  return median(times);
}

async function cliStartup(b: BenchBackends, production: boolean): Promise<void> {
  const variant = production ? 'NODE_ENV=production' : 'NODE_ENV unset';
  progress(`CLI: first frame × ${STARTUP_RUNS} (warroom --config, simulators, ${variant})`);
  const metric = `first complete frame, \`warroom --config\` (PTY, ${variant})`;
  try {
    const overhead = production ? null : await ptyOverhead();
    const env = production ? { ...b.env, NODE_ENV: 'production' } : b.env;
    const times: number[] = [];
    for (let i = 0; i < STARTUP_RUNS; i++) times.push(await firstFrame(['--config', b.configPath], env, 15_000));
    rows.push({ metric, value: describeDistribution(times, formatMs), target: '< 300 ms', verdict: below(percentile(times, 95), 300) });
    if (overhead !== null) notes.push(`first frame: from spawning \`script\` (PTY launch overhead, script+sh+stty, median ${formatMs(overhead)}, is included) to the end of the synchronized update that drew the footer`);
  } catch (e) {
    na(metric, '< 300 ms', reason(e));
  }
}

async function drillStartup(): Promise<void> {
  progress(`CLI: first frame × ${DRILL_RUNS} (warroom drill --scenario bad-deploy)`);
  const metric = 'first complete frame, `warroom drill` (PTY)';
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'warroom-bench-drill-'));
  fs.chmodSync(home, 0o755);
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_STATE_HOME: path.join(home, '.state'), TMPDIR: home, TERM: 'xterm-256color', COLORTERM: 'truecolor', LANG: 'C.UTF-8' };
  try {
    const times: number[] = [];
    for (let i = 0; i < DRILL_RUNS; i++) {
      times.push(await firstFrame(['drill', '--scenario', 'bad-deploy'], env, 30_000));
      await sleep(300);
    }
    rows.push({ metric, value: describeDistribution(times, formatMs), target: '< 300 ms', verdict: below(percentile(times, 95), 300) });
    notes.push('drill first frame: a fresh HOME and TMPDIR per start; the drill starts its simulators (KubeSim, PromSim, Postgres, Redis) in the same process');
  } catch (e) {
    na(metric, '< 300 ms', reason(e));
  } finally {
    await sleep(500); // let the drill's Postgres finish shutting down before removing its folder
    fs.rmSync(home, { recursive: true, force: true });
  }
}

/** The CLI idle against the simulators. The full run also counts backend requests and changes a pod. */
async function cliIdle(b: BenchBackends, production: boolean): Promise<void> {
  const variant = production ? 'NODE_ENV=production' : 'NODE_ENV unset';
  const full = !production;
  const windowMs = full ? IDLE_WINDOW_MS : PROD_IDLE_WINDOW_MS;
  const pods = b.kube.listPods(NAMESPACE).length;
  progress(`CLI: idle ${windowMs / 1000} s against the simulators (${pods} pods, ${variant}): CPU${full ? ', bytes, backend requests' : ''}`);
  let run: PtyRun | null = null;
  try {
    const env = production ? { ...b.env, NODE_ENV: 'production' } : b.env;
    run = runInPty([process.execPath, CLI, '--config', b.configPath], { cols: COLS, rows: ROWS, env, cwd: b.env.HOME });
    await run.waitFor(firstFrameDone, 15_000);
    const podName = b.somePod().name;
    await run.waitFor((all) => all.includes(podName.slice(0, 12)), 20_000).catch(() => notes.push('idle run: pods did not appear on screen within 20 s'));
    await sleep(7000); // every poller has run at least once (default refresh 5 s)
    const pid = run.programPid();
    if (!pid) throw new Error('could not find the warroom process under script');

    const s0 = await b.snapshot();
    const c0 = cpuSeconds(pid);
    const t0 = performance.now();
    await sleep(windowMs);
    const t1 = performance.now();
    const c1 = cpuSeconds(pid);
    const s1 = await b.snapshot();
    const rss = rssBytes(pid);
    const secs = (t1 - t0) / 1000;
    const perMin = (n: number) => (n * 60) / secs;

    const cpuPct = ((c1 - c0) / secs) * 100;
    rows.push({ metric: `CPU while idle, default refresh (5 s), 10 fps (${variant})`, value: `${cpuPct.toFixed(2)} % of one core (over ${secs.toFixed(0)} s)`, target: '< 3 %', verdict: below(cpuPct, 3) });
    if (!full) return;
    const windows: number[] = [];
    for (let w = t0; w + 10_000 <= t1 + 1; w += 10_000) windows.push(run.bytesBetween(w, w + 10_000));
    rows.push({ metric: 'bytes per idle 10 s (PTY)', value: `${describeDistribution(windows, formatBytes)}`, target: 'ref.', verdict: 'info' });
    const idleFrames = frameSizes(Buffer.concat(run.chunks.filter((c) => c.t >= t0 && c.t < t1).map((c) => c.data)));
    notes.push(`idle PTY: ${idleFrames.length} frames in ${secs.toFixed(0)} s${idleFrames.length ? `, frame size ${describeDistribution(idleFrames, formatBytes)}` : ''}; RSS of the CLI with ${pods} pods ${formatBytes(rss)}`);

    const d = (k: keyof typeof s0.kube) => s1.kube[k] - s0.kube[k];
    rows.push({ metric: 'Kubernetes list requests /min (idle)', value: perMin(d('list')).toFixed(1), target: '≈ 0 (< 1)', verdict: below(perMin(d('list')), 1) });
    rows.push({ metric: 'Kubernetes watch requests /min (idle)', value: `${perMin(d('watch')).toFixed(1)} (open streams ${(b.kube as any).http?.watches?.size ?? '?'})`, target: 'ref.', verdict: 'info' });
    rows.push({ metric: 'Kubernetes metrics.k8s.io requests /min', value: perMin(d('metrics')).toFixed(1), target: 'ref.', verdict: 'info' });
    rows.push({ metric: 'Kubernetes other requests /min (get, discovery, writes)', value: perMin(d('get') + d('discovery') + d('write')).toFixed(1), target: 'ref.', verdict: 'info' });
    const promDelta: Record<string, number> = {};
    for (const [p, n] of Object.entries(s1.prom)) if (n - (s0.prom[p] ?? 0) > 0) promDelta[p] = n - (s0.prom[p] ?? 0);
    const promTotal = Object.values(promDelta).reduce((a, n) => a + n, 0);
    rows.push({ metric: 'Prometheus requests /min (idle)', value: perMin(promTotal).toFixed(1), target: 'ref.', verdict: 'info' });
    notes.push(`Prometheus per path /min: ${Object.entries(promDelta).map(([p, n]) => `${p} ${perMin(n).toFixed(1)}`).join(', ') || 'none'}`);
    if (s0.pgStatements !== null && s1.pgStatements !== null) {
      rows.push({ metric: 'Postgres statements /min (pg_stat_statements)', value: perMin(s1.pgStatements - s0.pgStatements).toFixed(1), target: 'ref.', verdict: 'info' });
    } else if (s0.pgXacts !== null && s1.pgXacts !== null) {
      rows.push({ metric: 'Postgres transactions /min (pg_stat_database)', value: perMin(s1.pgXacts - s0.pgXacts - 2).toFixed(1), target: 'ref.', verdict: 'info' });
    } else na('Postgres statements /min', 'ref.', b.warnings.find((w) => w.startsWith('Postgres')) ?? 'Postgres not running');
    if (s0.pgXacts !== null && s1.pgXacts !== null) notes.push(`Postgres transactions /min (pg_stat_database, ours subtracted; stats flush lazily): ${perMin(s1.pgXacts - s0.pgXacts - 2).toFixed(1)}`);
    if (s0.redisCommands !== null && s1.redisCommands !== null) {
      rows.push({ metric: `Redis commands /min (INFO total_commands_processed${b.redis?.kind === 'resp-sim' ? ', RESP sim' : ''})`, value: perMin(s1.redisCommands - s0.redisCommands - 1).toFixed(1), target: 'ref.', verdict: 'info' });
    } else na('Redis commands /min', 'ref.', b.warnings.find((w) => w.startsWith('Redis')) ?? 'Redis not running');

    // One pod changes under the real PTY: delete it; it goes Terminating and a replacement starts.
    const victim = b.somePod();
    const tp = performance.now();
    b.kube.deletePod(victim.namespace, victim.name);
    await sleep(4000);
    const after = run.chunks.filter((c) => c.t >= tp && c.t < tp + 4000);
    const frames = frameSizes(Buffer.concat(after.map((c) => c.data)));
    rows.push({
      metric: 'bytes, one pod deleted → replaced (PTY, 4 s)',
      value: `${formatBytes(after.reduce((a, c) => a + c.bytes, 0))} in ${frames.length} frames${frames.length ? `, frame ${describeDistribution(frames, formatBytes)}` : ''}`,
      target: 'frame < 1 KB',
      verdict: frames.length ? below(percentile(frames, 95), 1024) : 'n/a',
    });
  } catch (e) {
    na('CPU / bytes / requests while idle (PTY)', '—', reason(e));
  } finally {
    await run?.stop();
  }
}

async function kubeMetrics(): Promise<void> {
  progress('kube: metrics.k8s.io bytes per minute at 5,000 pods');
  const metric = 'Kubernetes metrics bytes /min at 5,000 pods (PodMetrics list × polls)';
  try {
    const r = await kubeMetricsBytes(5000);
    rows.push({ metric, value: `${formatBytes(r.bytesPerMin)}/min`, target: '≤ 1 MiB/min', verdict: below(r.bytesPerMin, METRICS_BUDGET_BYTES_PER_MIN + 1) });
    notes.push(`kube metrics at 5,000 pods: one PodMetrics list is ${formatBytes(r.listBytes)}, polled every ${(r.intervalMs / 1000).toFixed(0)} s (≥ 15 s, stretched to the 1 MiB/min budget); the former full LIST every 5 s was ${formatBytes(r.before5sBytesPerMin)}/min`);
  } catch (e) {
    na(metric, '≤ 1 MiB/min', reason(e));
  }
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const args = process.argv.slice(2);
  const built = args.includes('--no-build') ? fs.existsSync(CLI) : build();
  const ctx = context();

  if (built) {
    await inProcessBytes();
    await inProcessRender(false);
    await inProcessRender(true);
    await kubeMetrics();
  } else {
    na('in-process figures', '—', 'dist/ is missing and the build failed');
  }

  if (!built) na('CLI figures', '—', 'dist/cli.js is missing');
  else if (!scriptAvailable()) na('CLI figures', '—', 'util-linux `script` not installed');
  else {
    let backends: BenchBackends | null = null;
    try {
      progress('starting the simulators (KubeSim, PromSim, Postgres, Redis)');
      backends = await startBackends({ podsPerDeployment: PODS_PER_DEPLOYMENT });
      for (const w of backends.warnings) notes.push(`simulators: ${w}`);
      await cliStartup(backends, false);
      await cliStartup(backends, true);
      inkImportFloor();
      await cliIdle(backends, false);
      await cliIdle(backends, true);
    } catch (e) {
      na('CLI figures', '—', reason(e));
    } finally {
      await backends?.stop();
    }
    await drillStartup();
  }

  const out = process.stdout;
  out.write('\nwarroom benchmark (method: bench/README.md)\n');
  for (const l of ctx) out.write(`  ${l}\n`);
  out.write(`  load      ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (1/5/15 min, at the end; other work on the machine skews timings)\n`);
  out.write('\n' + renderTable(rows) + '\n\n');
  out.write('✓ meets the target · ✗ misses it · · reference figure, no target · – not measured\n');
  for (const n of notes) out.write(`- ${n}\n`);
  out.write(`- bench took ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
