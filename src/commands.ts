// The subcommands behind src/cli.ts.
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { defaultConfigFiles, loadConfig, maskedConfig, type LoadedConfig } from './config/load.js';
import { configSchema } from './config/schema.js';
import type { DrillStarter } from './runtime.js';
import { flagLayers, numberFlag, UsageError, type ParsedArgs } from './args.js';

export async function runCommand(args: ParsedArgs): Promise<number> {
  const { command, values } = args;
  const load = () => loadFromArgs(args);

  if (values['print-config']) {
    const loaded = load();
    process.stdout.write(`# effective config (secrets masked); files: ${loaded.files.join(', ') || 'none'}\n`);
    const warnings = await themeWarnings(loaded);
    for (const w of warnings) process.stdout.write(`# warning: ${w}\n`);
    process.stdout.write(stringify(maskedConfig(loaded)));
    for (const w of warnings) process.stderr.write(`warroom: warning: ${w}\n`);
    return 0;
  }

  switch (command) {
    case '':
      return cockpit(load());
    case 'start':
      // `npm start`: the drill until a live config exists.
      return hasLiveConfig(values.config as string | undefined) ? cockpit(load()) : drill(args);
    case 'drill':
      return drill(args);
    case 'sim':
      return sim(args);
    case 'snapshot': {
      const { runSnapshot } = await import('./snapshot.js');
      return runSnapshot(load(), { json: !!values.json, deadlineSeconds: numberFlag(values, 'deadline', { min: 0.5, max: 600 }) ?? 10 });
    }
    case 'postmortem': {
      const loaded = load();
      const { writePostmortem, PostmortemError } = await import('./incident/postmortem.js');
      const { stateDirFor, drillStateDirs } = await import('./runtime.js');
      try {
        const wanted = args.positionals[0];
        const has = (dir: string) => (wanted ? fs.existsSync(path.join(dir, 'incidents', `${wanted}.jsonl`)) : hasIncidents(dir));
        // Live incidents first; drill incidents live apart, one folder per drill run, newest first.
        const live = stateDirFor(loaded.config);
        const stateDir = [live, ...drillStateDirs(loaded.config)].find(has) ?? live;
        const { impactFor } = await import('./runtime.js');
        const { listIncidents } = await import('./incident/journal.js');
        const chosen = listIncidents(stateDir).find((i) => !wanted || i.id === wanted);
        const impact = chosen ? await impactFor(loaded.config, { from: chosen.declaredAt, to: chosen.resolvedAt ?? Date.now() }).catch(() => undefined) : undefined;
        const out = writePostmortem(stateDir, wanted, values.out as string | undefined, { impact });
        process.stdout.write(`post-mortem of ${out.incidentId}:\n  ${out.markdownPath}\n  ${out.jsonPath}\n`);
        return 0;
      } catch (e) {
        if (e instanceof PostmortemError) throw new UsageError(e.message);
        throw e;
      }
    }
    case 'init': {
      const { runInit } = await import('./init.js');
      return runInit(load(), { out: values.out as string | undefined, force: !!values.force });
    }
    case 'completion': {
      const { completionScript } = await import('./completion.js');
      process.stdout.write(completionScript(args.positionals[0]));
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

/** What the cockpit would say about the configured theme (unknown name, broken file), for commands that draw nothing. */
async function themeWarnings(loaded: LoadedConfig): Promise<string[]> {
  const { loadTheme } = await import('./ui/theme.js');
  return loadTheme(loaded.config.ui.theme).warnings;
}

function hasIncidents(stateDir: string): boolean {
  try {
    return fs.readdirSync(path.join(stateDir, 'incidents')).some((f) => f.endsWith('.jsonl'));
  } catch {
    return false;
  }
}

function hasLiveConfig(configFile: string | undefined): boolean {
  return !!configFile || defaultConfigFiles().some((f) => fs.existsSync(f));
}

/** The config for these arguments: files, environment, then the flags on top. */
function loadFromArgs(args: ParsedArgs): LoadedConfig {
  return loadConfig({ configFile: args.values.config as string | undefined, flags: flagLayers(args.values) });
}

async function cockpit(loaded: LoadedConfig, drill?: DrillStarter): Promise<number> {
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    throw new UsageError(`the ${drill ? 'drill ' : ''}cockpit needs a terminal (stdin and stdout must be a TTY); for a report use \`warroom snapshot\``);
  }
  const { startCockpit } = await import('./runtime.js');
  const { installExitHandlers } = await import('./terminal.js');
  const running = await startCockpit({ loaded, drill });
  installExitHandlers(running);
  const code = await running.exited;
  // Stopped while a hand-off had the terminal: Ink took the input back after its unmount, and a
  // listening stdin would keep the process alive.
  if (process.stdin.isTTY) process.stdin.setRawMode(false);
  process.stdin.pause();
  process.stdin.unref();
  // The post-mortem paths, in full, once the screen is given back.
  if (running.postmortems.length) process.stdout.write(`post-mortem written:\n${running.postmortems.map((p) => `  ${p}`).join('\n')}\n`);
  if (running.error) throw running.error;
  return code;
}

async function drillOptions(args: ParsedArgs) {
  // The scenario list alone, not the simulators: this runs before the first frame.
  const { SCENARIOS, DEFAULT_SCENARIO } = await import('./sim/scenarios/index.js');
  const scenario = (args.values.scenario as string | undefined) ?? DEFAULT_SCENARIO;
  const names = SCENARIOS.map((s) => s.name);
  if (!names.includes(scenario)) throw new UsageError(`unknown scenario "${scenario}"; choose one of: ${names.join(', ')} (warroom drill --list)`);
  return {
    scenario,
    speed: numberFlag(args.values, 'speed', { min: 0.1, max: 1000 }) ?? 1,
    seed: numberFlag(args.values, 'seed', { integer: true }),
    kubePort: numberFlag(args.values, 'port', { min: 0, max: 65535, integer: true, what: 'a TCP port' }),
  };
}

async function drill(args: ParsedArgs): Promise<number> {
  if (args.values.list) {
    const { listScenarios } = await import('./sim/drill.js');
    for (const s of listScenarios()) {
      process.stdout.write(`${s.name}\n  ${s.title}\n  ${s.description}\n  cure: ${s.cure}\n\n`);
    }
    return 0;
  }
  const options = await drillOptions(args);
  // The user's theme, keys and ui choices apply; the simulators replace every backend.
  const user = loadFromArgs(args);
  return cockpit(user, {
    scenario: options.scenario,
    start: async () => {
      const { startDrill } = await import('./sim/drill.js');
      const env = await startDrill(options);
      const world = configSchema.parse(env.config);
      return {
        config: { ...world, ui: user.config.ui, severity: user.config.severity, keys: user.config.keys, readOnly: user.config.readOnly },
        secrets: env.secrets,
        warnings: env.warnings,
        now: () => env.kube.now(),
        speed: env.speed,
        stop: () => env.stop(),
      };
    },
  });
}

async function sim(args: ParsedArgs): Promise<number> {
  const { startDrill } = await import('./sim/drill.js');
  const env = await startDrill(await drillOptions(args));
  const out = process.stdout;
  out.write(`warroom sim: scenario ${env.scenario.name} — ${env.scenario.title}\n`);
  const dir = args.values['write-config'] as string | undefined;
  for (const line of env.describe(dir ? path.resolve(dir) : undefined)) out.write(`  ${line}\n`);
  for (const w of env.warnings) out.write(`  warning: ${w}\n`);
  if (dir) {
    const paths = env.writeConfig(path.resolve(dir));
    out.write(`\nwrote ${paths.kubeconfig}\nwrote ${paths.config}\nwrote ${paths.env} (exports the drill database password; mode 0600)\n`);
    out.write(`\n  . ${paths.env}\n  kubectl --kubeconfig ${paths.kubeconfig} get pods -A\n  warroom --config ${paths.config}\n`);
  }
  out.write('\nCtrl-C stops the simulation.\n');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await env.stop();
  return 0;
}
