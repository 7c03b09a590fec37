// Assembles the cockpit: store, theme, keymap, incident engine, action runner, Ink, then the
// sources. The first frame is drawn before the heavy clients (Kubernetes, pg, ioredis) load.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mountCockpit } from './ui/mount.js';
import { createHandoff } from './ui/handoff.js';
import type { Config } from './config/schema.js';
import { defaultStateDir, maskSecrets, type LoadedConfig } from './config/load.js';
import type { Cockpit, State } from './store/store.js';
import { loadTheme } from './ui/theme.js';
import type { ActionRunner } from './actions/runner.js';
import { ReadOnlyPolicy } from './actions/read-only.js';
import type { ActionEnv } from './actions/types.js';
import { notify } from './ui/dialogs/dialogs.js';
import type { CockpitServices } from './ui/controller.js';
import { assembleCockpit } from './ui/assemble.js';
import { IncidentEngine } from './incident/incident.js';
import { environmentOf } from './incident/environment.js';
import { DRILL_CONTEXT } from './sim/drill-context.js';
import { sinksFromConfig } from './incident/sinks.js';
import type { PostmortemWriter } from './actions/incident.js';
import { appendPrivate, ensurePrivateDir, lockDown } from './util/private-files.js';
import type { Source } from './sources/types.js';
import type { ImpactFigures } from './incident/postmortem.js';
import { frameProbe } from './ui/output/probe.js';
import { pagingClients, startPaging } from './paging/start.js';
import { slackThreadSink } from './paging/thread-sink.js';
import { incidentChannel } from './paging/services.js';
import type { SlackClient } from './paging/slack.js';

/** The drill's simulated world, started after the first frame so the cockpit appears at once. */
export interface DrillStarter {
  scenario: string;
  start(): Promise<{ config: Config; secrets: string[]; warnings: string[]; now: () => number; speed: number; stop(): Promise<void> }>;
}

export interface CockpitOptions {
  loaded: LoadedConfig;
  drill?: DrillStarter;
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
  /** Called once the first frame is on screen (the benchmark's start-up figure). */
  onFirstFrame?: () => void;
}

export interface RunningCockpit {
  cockpit: Cockpit;
  runner: ActionRunner;
  engine: IncidentEngine;
  exited: Promise<number>;
  stop(code?: number, error?: Error): Promise<void>;
  /** Set when the cockpit stopped because of an error (the drill failed to start…). */
  error: Error | null;
  /** Post-mortem files written during the session (full paths), printed on exit. */
  postmortems: string[];
}

/**
 * Where journals live. Each drill run gets its own folder (a drill is a fresh exercise: it must
 * not resume the previous run's incident); live incidents share the base folder and resume.
 */
export function stateDirFor(config: Config, drill?: { scenario: string; startedAt: number }): string {
  const base = config.stateDir ?? defaultStateDir();
  if (!drill) return base;
  const stamp = new Date(drill.startedAt).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return path.join(base, 'drills', `${stamp}-${drill.scenario}`);
}

/** Drill run folders, newest first. */
export function drillStateDirs(config: Config): string[] {
  const root = path.join(config.stateDir ?? defaultStateDir(), 'drills');
  try {
    return fs
      .readdirSync(root)
      .sort()
      .reverse()
      .map((d) => path.join(root, d));
  } catch {
    return [];
  }
}

export async function startCockpit(opts: CockpitOptions): Promise<RunningCockpit> {
  const { config } = opts.loaded;
  const secrets = [...opts.loaded.secrets];
  // Sources read this config; in a drill it points at the simulators once they run.
  let sourceConfig: Config = config;
  let dataNow: () => number = Date.now;
  // Wall-clock time → the data clock (identity, except in a drill running faster than real time).
  let toDataTime = (wall: number) => wall;
  let stopDrill: (() => Promise<void>) | null = null;
  const drill = !!opts.drill;
  const stateDir = stateDirFor(config, opts.drill ? { scenario: opts.drill.scenario, startedAt: Date.now() } : undefined);
  ensurePrivateDir(stateDir);
  const logFile = path.join(stateDir, 'warroom.log');
  const log = (msg: string) => {
    try {
      appendPrivate(logFile, `${new Date().toISOString()} ${maskSecrets(msg, secrets)}\n`);
    } catch {
      // The log is a convenience; never let it take the cockpit down.
    }
  };
  // Node prints its warnings (TimeoutOverflowWarning…) to stderr, over the full-screen UI: log them instead.
  process.removeAllListeners('warning');
  process.on('warning', (w) => log(`node warning: ${w.name}: ${w.message}`));
  const readOnlyPolicy = new ReadOnlyPolicy(config);
  const initialReadOnly = readOnlyPolicy.evaluate(config.kube.enabled ? undefined : null);

  const { theme, warnings: themeWarnings } = loadTheme(config.ui.theme);
  const sinks = sinksFromConfig(config.sinks, { stateDir, forceDryRun: drill, maxResponseBytes: config.limits.maxResponseMiB * 1024 * 1024 });
  // Status updates also go to the incident channel's thread when Slack's Web API is configured. (A
  // drill's updates stay in its dry-run file; its channel still carries the timeline.)
  const paging0 = pagingClients(config);
  let pagingSlack: SlackClient | null = paging0.slack;
  secrets.push(...paging0.secrets.filter((x) => !secrets.includes(x)));
  if (config.paging.slack && !drill) {
    sinks.push(
      slackThreadSink(
        () => pagingSlack,
        (id) => {
          const ch = incidentChannel(engine.journalEntries(id));
          return ch ? { id: ch.id, rootTs: ch.rootTs } : null;
        },
      ),
    );
  }
  // The sinks' URLs and keys are secrets too, wherever they came from (a ${ENV} or the file itself).
  for (const x of sinks.flatMap((sk) => sk.secrets)) if (x && !secrets.includes(x)) secrets.push(x);
  const env: ActionEnv = { context: null, readOnly: initialReadOnly.readOnly, drill, recorder: { record: (e) => engine.record(e) }, actor: actor(config), services: {} };
  const sources: Source[] = [];
  const services: CockpitServices = {
    refresh: () => sources.forEach((s) => s.refresh?.()),
    logsDir: path.join(stateDir, 'logs'),
  };
  const { cockpit, runner, element } = assembleCockpit({
    meta: {
      drill,
      scenario: opts.drill?.scenario ?? null,
      readOnly: initialReadOnly.readOnly,
      readOnlyReason: initialReadOnly.reason,
      lowBandwidth: config.ui.lowBandwidth,
      theme: theme.name,
      ascii: theme.glyphSet === 'ascii',
      staleAfterMs: config.ui.refreshSeconds * 3000,
      severity: config.severity,
      startupWarnings: themeWarnings,
    },
    theme,
    keys: config.keys,
    env,
    productionContexts: config.productionContexts,
    services,
    exit: () => void running.stop(0),
    dataNow: () => dataNow(),
  });
  // The benchmark's frame timings (WARROOM_FRAME_PROBE): a frame's clock starts at the store update.
  if (frameProbe.enabled) cockpit.store.subscribe(() => frameProbe.update());
  const engine = new IncidentEngine({ stateDir, config, stage: cockpit.stageIncident, secrets, sinks, readOnly: () => env.readOnly, environment: environmentOf(config) });
  engine.start();
  cockpit.onFlush((s) => engine.observe(s));
  // Sources that will start say "starting…" until their first answer (a drill's all will).
  markStarting(cockpit, drill ? null : config);

  env.services.incident = engine;
  const written: string[] = [];
  env.services.postmortem = postmortemWriter(engine, {
    stateDir,
    cwd: process.cwd(),
    impact: (w) => impactFor(sourceConfig, w, toDataTime),
    secrets: () => secrets,
    onWritten: (paths) => written.push(...paths.filter((p) => !written.includes(p))),
  });
  env.services.invoke = (id, target) => runner.invoke(id, target);

  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((r) => (resolveExit = r));
  let stopping = false;
  const running: RunningCockpit = {
    cockpit,
    runner,
    engine,
    exited,
    error: null,
    postmortems: written,
    stop: async (code = 0, error?: Error) => {
      if (stopping) return;
      stopping = true;
      running.error = error ?? null;
      cockpit.stopClock();
      instance.unmount();
      await Promise.allSettled(sources.map((s) => s.stop()));
      await engine.close();
      await stopDrill?.();
      resolveExit(code);
    },
  };
  const stop = running.stop;

  const stdout = opts.stdout ?? process.stdout;
  const instance = mountCockpit(element, {
    stdout: stdout as NodeJS.WriteStream,
    stdin: opts.stdin ?? process.stdin,
    maxFps: config.ui.lowBandwidth ? Math.min(4, config.ui.maxFps) : config.ui.maxFps,
  });
  // kubectl (shell, port-forward) gets the terminal with the kubeconfig and context on screen.
  env.services.handoff = createHandoff({
    suspend: (fn) => instance.handOff(fn),
    connection: () => ({ kubeconfig: sourceConfig.kube.kubeconfig, context: env.context ?? sourceConfig.kube.context }),
  });
  await instance.waitUntilRenderFlush();
  opts.onFirstFrame?.();
  for (const w of cockpit.store.getState().meta.startupWarnings) notify(cockpit, w, 'warn');
  // For the end-to-end test of the crash path: an uncaught error must still give the terminal back.
  const crashAfter = Number(process.env.WARROOM_TEST_CRASH_AFTER_MS);
  if (crashAfter > 0)
    setTimeout(() => {
      throw new Error('crash requested by WARROOM_TEST_CRASH_AFTER_MS');
    }, crashAfter);
  cockpit.startClock(config.ui.lowBandwidth ? Math.min(4, config.ui.maxFps) : config.ui.maxFps);

  // The drill's world and the heavy clients load after the first paint; so does tightening the
  // modes of files older versions left readable (a walk of the whole state tree).
  void (async () => {
    try {
      lockDown(config.stateDir ?? defaultStateDir());
    } catch (e) {
      log(`cannot tighten the state directory's file modes: ${(e as Error).message}`);
    }
    if (opts.drill) {
      const world = await opts.drill.start();
      stopDrill = world.stop;
      if (stopping) return world.stop();
      sourceConfig = world.config;
      markStarting(cockpit, world.config);
      engine.useConfig(world.config);
      engine.addSecrets(world.secrets);
      secrets.push(...world.secrets);
      dataNow = world.now;
      toDataTime = (wall) => world.now() - (Date.now() - wall) * world.speed;
      for (const w of world.warnings) notify(cockpit, w, 'warn');
    }
    const { startSources } = await import('./sources/start.js');
    const started = await startSources({
      config: sourceConfig,
      cockpit,
      log,
      notify: (msg, level) => notify(cockpit, msg, level),
      now: dataNow,
      onContext: (ctx) => applyContext(ctx),
    });
    Object.assign(env.services, started.services);
    sources.push(...started.sources);
    const clients = pagingClients(sourceConfig);
    pagingSlack = clients.slack;
    engine.addSecrets(clients.secrets);
    secrets.push(...clients.secrets.filter((x) => !secrets.includes(x)));
    const paging = startPaging(
      { config: sourceConfig, cockpit, engine, stateDir, actor: env.actor ?? 'you', readOnly: () => env.readOnly, log, notify: (msg, level) => notify(cockpit, msg, level) },
      clients,
    );
    if (paging) {
      env.services.paging = paging.services;
      sources.push(...paging.sources);
      for (const src of paging.sources) await src.start();
    }
    if (started.kube) services.kube = started.kube;
    if (stopping) await Promise.allSettled(started.sources.map((s) => s.stop()));
  })().catch((e: unknown) => stop(1, e instanceof Error ? e : new Error(String(e))));

  function applyContext(context: string | null) {
    env.context = context;
    const { readOnly, reason } = readOnlyPolicy.evaluate(context);
    env.readOnly = readOnly;
    // A screen joined to a drill's simulators (sim's config) is in the drill too.
    cockpit.store.setState((s) => ({ meta: { ...s.meta, readOnly, readOnlyReason: reason, drill: s.meta.drill || context === DRILL_CONTEXT } }));
  }

  return running;
}

/** The post-mortem draft of the open incident, or of the one just resolved (the newest). */
export function postmortemWriter(
  engine: IncidentEngine,
  o: {
    stateDir: string;
    cwd: string;
    impact: (window: { from: number; to: number }) => Promise<ImpactFigures | undefined>;
    secrets?: () => string[];
    onWritten?: (paths: string[]) => void;
  },
): PostmortemWriter {
  return async () => {
    const { writePostmortem } = await import('./incident/postmortem.js');
    const { listIncidents } = await import('./incident/journal.js');
    const open = engine.current;
    const latest = open ? null : (listIncidents(o.stateDir)[0] ?? null);
    const incident = open ?? latest;
    const to = latest?.resolvedAt ?? Date.now();
    const impact = incident ? await o.impact({ from: incident.declaredAt, to }).catch(() => undefined) : undefined;
    // Into the state directory (next to the journal), never wherever the cockpit was started.
    const out = writePostmortem(o.stateDir, incident?.id, undefined, { cwd: o.cwd, impact, secrets: o.secrets?.() });
    o.onWritten?.([out.markdownPath, out.jsonPath]);
    return [out.markdownPath, out.jsonPath];
  };
}

/**
 * Impact figures from Prometheus for an incident window (wall-clock times), when Prometheus is
 * configured and answers. `toDataTime` maps wall-clock times to the clock Prometheus data is
 * stamped with (the drill's runs faster).
 */
export async function impactFor(config: Config, window: { from: number; to: number }, toDataTime: (wall: number) => number = (t) => t) {
  if (!config.prometheus || !config.prometheus.services.length) return undefined;
  const { PromClient } = await import('./sources/prometheus/client.js');
  const { fetchImpact } = await import('./incident/impact.js');
  const client = new PromClient({
    url: config.prometheus.url,
    timeoutSeconds: config.prometheus.timeoutSeconds,
    maxBytes: config.limits.maxResponseMiB * 1024 * 1024,
    kube: { kubeconfig: config.kube.kubeconfig, context: config.kube.context },
  });
  try {
    return await fetchImpact(client, config.prometheus.services, toDataTime(window.from), toDataTime(window.to));
  } finally {
    client.close();
  }
}

/**
 * Sources that have not answered yet: `connecting` ("starting…") for those the config starts,
 * `disabled` ("not configured") for the others; `null`: all of them (a drill before its world runs).
 * A source that already answered is left alone.
 */
export function markStarting(cockpit: Pick<Cockpit, 'store'>, config: Config | null): void {
  const starts = {
    kube: config ? config.kube.enabled : true,
    prom: config ? !!config.prometheus : true,
    postgres: config ? config.postgres.length > 0 : true,
    redis: config ? config.redis.length > 0 : true,
  };
  cockpit.store.setState((s) => {
    const next: Partial<State> = {};
    for (const key of ['kube', 'prom', 'postgres', 'redis'] as const) {
      const slice = s[key];
      if (slice.updatedAt != null || (slice.status !== 'disabled' && slice.status !== 'connecting')) continue;
      (next as Record<string, unknown>)[key] = { ...slice, status: starts[key] ? 'connecting' : 'disabled' };
    }
    return next;
  });
}

/** The responder's name: the config's, else the login name; never a placeholder like "you". */
export function actor(config: Pick<Config, 'responder'>, env: NodeJS.ProcessEnv = process.env): string {
  if (config.responder?.trim()) return config.responder.trim();
  if (env.WARROOM_USER?.trim()) return env.WARROOM_USER.trim();
  if (env.USER?.trim()) return env.USER.trim();
  try {
    return os.userInfo().username || 'responder';
  } catch {
    return 'responder';
  }
}
