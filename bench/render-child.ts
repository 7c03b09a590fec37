// In-process render benchmark, run as a child process (`--expose-gc`) so its memory figure is
// its own. Renders the real App from the BUILT modules (dist/, as users run it) into a metered
// stdout of 200×50 with the runtime's Ink options, and prints one JSON line with the figures.
//
//   node --expose-gc --import tsx bench/render-child.ts bytes 300
//   node --expose-gc --import tsx bench/render-child.ts render 5000
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { buildFixture } from './lib/fixtures.js';

const COLS = 200;
const ROWS = 50;
const dist = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const load = <T>(rel: string): Promise<T> => import(pathToFileURL(path.join(dist, rel)).href) as Promise<T>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A terminal-shaped Writable that counts what Ink writes. */
class Meter extends Writable {
  columns = COLS;
  rows = ROWS;
  isTTY = true;
  bytes = 0;
  writes = 0;
  /** Line feeds written: Ink's incremental renderer ends each rewritten line with one (unchanged lines get \e[E). */
  newlines = 0;
  text = '';
  keepText = false;
  private waiters: Array<() => void> = [];
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    const s = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    this.bytes += Buffer.byteLength(s);
    this.writes++;
    for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) this.newlines++;
    if (this.keepText) this.text += s;
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
    cb();
  }
  nextWrite(): Promise<void> {
    return new Promise((r) => this.waiters.push(r));
  }
  reset(): void {
    this.bytes = 0;
    this.writes = 0;
    this.newlines = 0;
  }
}

function fakeStdin(): NodeJS.ReadStream {
  const s = new PassThrough() as unknown as NodeJS.ReadStream & { isTTY: boolean };
  s.isTTY = true;
  (s as any).setRawMode = () => s;
  (s as any).ref = () => s;
  (s as any).unref = () => s;
  return s;
}

async function main(): Promise<void> {
  const [mode = 'bytes', podsArg = '300'] = process.argv.slice(2);
  const podCount = Number(podsArg);
  const gc = (globalThis as { gc?: () => void }).gc;

  const React = (await import('react')).default;
  const { render } = await import('ink');
  const { App } = await load<typeof import('../src/ui/App.js')>('ui/App.js');
  const { createCockpit, initialState } = await load<typeof import('../src/store/store.js')>('store/store.js');
  const { loadTheme } = await load<typeof import('../src/ui/theme.js')>('ui/theme.js');
  const { buildKeymap } = await load<typeof import('../src/keys/bindings.js')>('keys/bindings.js');
  const { ActionRunner } = await load<typeof import('../src/actions/runner.js')>('actions/runner.js');
  const { dialogInteraction } = await load<typeof import('../src/ui/dialogs/dialogs.js')>('ui/dialogs/dialogs.js');
  const { defaultConfig } = await load<typeof import('../src/config/schema.js')>('config/schema.js');
  const config = defaultConfig();
  const maxFps = config.ui.maxFps;

  gc?.();
  const rssBaseline = process.memoryUsage().rss;

  const fx = buildFixture(podCount);
  const now = Date.now();
  const state = initialState({ theme: config.ui.theme, severity: config.severity });
  const ok = <T,>(data: T) => ({ status: 'ok' as const, updatedAt: now, error: null, data });
  state.kube = ok(fx.kube);
  state.prom = ok(fx.prom);
  state.postgres = ok(fx.postgres);
  state.redis = ok(fx.redis);
  const cockpit = createCockpit(state);
  const { theme } = loadTheme(config.ui.theme);
  const keymap = buildKeymap(config.keys);
  const runner = new ActionRunner({ context: null, readOnly: false, drill: false, services: {} } as any, dialogInteraction(cockpit), { productionContexts: [] });

  const mount = (incrementalRendering: boolean, onRender?: (m: { renderTime: number }) => void) => {
    const meter = new Meter();
    meter.keepText = true;
    const instance = render(React.createElement(App, { cockpit, theme, keymap, runner, onKey: () => {} }), {
      stdout: meter as unknown as NodeJS.WriteStream,
      stdin: fakeStdin(),
      alternateScreen: true,
      incrementalRendering,
      maxFps,
      patchConsole: false,
      exitOnCtrlC: false,
      onRender,
    });
    return { meter, instance };
  };

  // The pod to flip: a healthy one that is on screen (its name is in the first frame).
  const pickVisiblePod = (frame: string) => cockpit.store.getState().kube.data.pods.find((p) => p.healthy && frame.includes(p.name)) ?? cockpit.store.getState().kube.data.pods[0];
  let flips = 0;
  const flipPod = (key: string) => {
    const bad = flips++ % 2 === 0;
    cockpit.publisher('kube')((prev) => ({
      ...prev,
      updatedAt: Date.now(),
      data: {
        ...prev.data,
        pods: prev.data.pods.map((p) =>
          p.key === key ? { ...p, status: bad ? 'CrashLoopBackOff' : 'Running', healthy: !bad, ready: bad ? 0 : 1, restarts: p.restarts + (bad ? 1 : 0), recentRestarts: p.recentRestarts + (bad ? 1 : 0) } : p,
        ),
      },
    }));
  };
  /** One pod change, flushed the way the frame clock does; returns bytes and ms to the frame write. */
  const change = async (meter: Meter, key: string) => {
    await sleep(1000 / maxFps + 40); // outside the throttle window: this frame is drawn at once
    meter.reset();
    const written = meter.nextWrite();
    const t0 = performance.now();
    flipPod(key);
    cockpit.flush();
    await Promise.race([written, sleep(2000)]);
    const ms = performance.now() - t0;
    await sleep(1000 / maxFps + 40); // let a trailing throttled frame land too
    return { bytes: meter.bytes, ms, lines: meter.newlines };
  };

  const out: Record<string, unknown> = { mode, pods: podCount, cols: COLS, rows: ROWS, maxFps, colorLevel: (await import('chalk')).default.level };

  if (mode === 'bytes') {
    const { meter, instance } = mount(true);
    await instance.waitUntilRenderFlush();
    out.fullFrameBytes = meter.bytes;
    const pod = pickVisiblePod(meter.text);
    meter.keepText = false;
    out.pod = pod.name;
    const bytes: number[] = [];
    const lines: number[] = [];
    const ms: number[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await change(meter, pod.key);
      bytes.push(r.bytes);
      lines.push(r.lines);
      ms.push(r.ms);
    }
    out.frameMs = ms;
    out.podChangeBytes = bytes;
    out.podChangeLines = lines;
    // Idle: the frame clock runs, nothing is published.
    cockpit.startClock(maxFps);
    await sleep(500);
    meter.reset();
    const idleMs = 5000;
    await sleep(idleMs);
    out.idleBytesPerSec = (meter.bytes * 1000) / idleMs;
    out.idleWritesPerSec = (meter.writes * 1000) / idleMs;
    cockpit.stopClock();
    instance.unmount();
    await sleep(50);
    // The same change without incremental rendering: what a full redraw per change costs.
    const full = mount(false);
    await full.instance.waitUntilRenderFlush();
    full.meter.keepText = false;
    const fullBytes: number[] = [];
    for (let i = 0; i < 6; i++) fullBytes.push((await change(full.meter, pod.key)).bytes);
    out.podChangeBytesNonIncremental = fullBytes;
    full.instance.unmount();
  } else {
    const inkMs: number[] = [];
    const t0 = performance.now();
    const { meter, instance } = mount(true, (m) => inkMs.push(m.renderTime));
    await instance.waitUntilRenderFlush();
    out.firstFrameMs = performance.now() - t0;
    const pod = pickVisiblePod(meter.text);
    meter.keepText = false;
    meter.text = '';
    inkMs.length = 0;
    const frameMs: number[] = [];
    const bytes: number[] = [];
    for (let i = 0; i < 30; i++) {
      const r = await change(meter, pod.key);
      frameMs.push(r.ms);
      bytes.push(r.bytes);
    }
    out.frameMs = frameMs;
    // The pure part of a frame: every pane's model from the store (what React recomputes per change).
    const { paneModel, PANES } = await load<typeof import('../src/ui/panes/registry.js')>('ui/panes/registry.js');
    const modelMs: Record<string, number> = {};
    for (const pane of PANES) {
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        // New slice references each time, as after a real change, so nothing memoised is reused.
        const s = cockpit.store.getState();
        const fresh = { ...s, kube: { ...s.kube, data: { ...s.kube.data, pods: [...s.kube.data.pods] } }, prom: { ...s.prom }, postgres: { ...s.postgres }, redis: { ...s.redis }, incident: { ...s.incident } };
        const t = performance.now();
        paneModel(pane, fresh, Date.now());
        times.push(performance.now() - t);
      }
      modelMs[pane] = times.sort((a, b) => a - b)[2];
    }
    out.paneModelMs = modelMs;
    out.inkRenderMs = inkMs;
    out.podChangeBytes = bytes;
    gc?.();
    await sleep(50);
    gc?.();
    const mu = process.memoryUsage();
    out.rss = mu.rss;
    out.heapUsed = mu.heapUsed;
    out.rssBaseline = rssBaseline;
    out.gcExposed = !!gc;
    instance.unmount();
  }
  process.stdout.write(JSON.stringify(out) + '\n');
  process.exit(0);
}

main().catch((e) => {
  process.stdout.write(JSON.stringify({ error: e instanceof Error ? e.message : String(e) }) + '\n');
  process.exit(1);
});
