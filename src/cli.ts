#!/usr/bin/env node
// warroom's command line: subcommands and flags. Usage and config errors
// exit 2, runtime failures exit 1. Heavy modules are imported only by the subcommand that needs them.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import fs from 'node:fs';
import { packageVersion } from './util/package-root.js';
import { fileURLToPath } from 'node:url';

export const USAGE = `warroom — a full-screen terminal incident cockpit

Usage:
  warroom [flags]                         the cockpit on live backends, from config
  warroom drill [--scenario NAME] [--list] [--speed N] [--seed N]
                                          the cockpit on the built-in simulated environment
  warroom sim [--scenario NAME] [--port N] [--write-config DIR]
                                          only the simulated backends, for kubectl and a second warroom
  warroom snapshot [--json]               collect once from every source, print a report, exit
  warroom postmortem [INCIDENT] [--out FILE]
                                          write the post-mortem draft of an incident (default: the latest)
  warroom --print-config                  show the effective config, secrets masked

Flags:
  --config FILE          config file (also ./warroom.yaml, $XDG_CONFIG_HOME/warroom/config.yaml)
  --kubeconfig FILE      kubeconfig (default: $KUBECONFIG, ~/.kube/config, in-cluster)
  --context NAME         kube context (default: the current context)
  -n, --namespace NS     namespace; repeatable
  -A, --all-namespaces   every namespace
  --read-only            spectator mode: every mutating action is refused
  --theme NAME           dark, light, high-contrast, colorblind, or a theme file
  --refresh SECONDS      polling interval for Prometheus, Postgres, Redis (0.2–3600, default 5)
  --max-fps N            redraw at most N times a second (1–60, default 10)
  --low-bandwidth        fewer redraws and no ticking clock, for thin SSH links
  -h, --help             this help
  -v, --version          print the version

Exit codes: 0 success, 1 runtime failure, 2 usage or config error.`;

const COMMON: NonNullable<ParseArgsConfig['options']> = {
  config: { type: 'string' },
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  namespace: { type: 'string', short: 'n', multiple: true },
  'all-namespaces': { type: 'boolean', short: 'A' },
  'read-only': { type: 'boolean' },
  theme: { type: 'string' },
  refresh: { type: 'string' },
  'max-fps': { type: 'string' },
  'low-bandwidth': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
  'print-config': { type: 'boolean' },
};

const SUBCOMMAND_OPTIONS: Record<string, NonNullable<ParseArgsConfig['options']>> = {
  '': {},
  start: {},
  drill: { scenario: { type: 'string' }, list: { type: 'boolean' }, speed: { type: 'string' }, seed: { type: 'string' } },
  sim: { scenario: { type: 'string' }, port: { type: 'string' }, 'write-config': { type: 'string' }, speed: { type: 'string' }, seed: { type: 'string' } },
  snapshot: { json: { type: 'boolean' }, deadline: { type: 'string' } },
  postmortem: { out: { type: 'string' } },
};

export class UsageError extends Error {
  readonly exitCode = 2;
}

export interface ParsedArgs {
  command: string;
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export function parseCli(argv: string[]): ParsedArgs {
  const first = argv[0] && !argv[0].startsWith('-') ? argv[0] : '';
  if (first && !(first in SUBCOMMAND_OPTIONS)) {
    throw new UsageError(`unknown command "${first}"; expected one of: drill, sim, snapshot, postmortem (warroom --help)`);
  }
  const args = first ? argv.slice(1) : argv;
  try {
    const { values, positionals } = parseArgs({ args, options: { ...COMMON, ...SUBCOMMAND_OPTIONS[first] }, allowPositionals: true, strict: true });
    const maxPositionals = first === 'postmortem' ? 1 : 0;
    if (positionals.length > maxPositionals) throw new UsageError(`unexpected argument "${positionals[maxPositionals]}"${first ? ` for ${first}` : ''} (warroom --help)`);
    return { command: first, values: values as ParsedArgs['values'], positionals };
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const msg = (e as Error).message.replace(/\. To specify a positional argument.*$/, '');
    throw new UsageError(`${msg}${first ? ` (for ${first})` : ''} — see warroom --help`);
  }
}

export function numberFlag(values: ParsedArgs['values'], name: string, opts: { min?: number; integer?: boolean } = {}): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(n) || (opts.integer && !Number.isInteger(n)) || (opts.min !== undefined && n < opts.min)) {
    throw new UsageError(`--${name} expects ${opts.integer ? 'an integer' : 'a number'}${opts.min !== undefined ? ` ≥ ${opts.min}` : ''}, got "${String(raw)}"`);
  }
  return n;
}

/**
 * Flags shaped like the config, one entry per flag, for the loader's highest-precedence layers.
 * Only parsing happens here: ranges are the config schema's, as for files and WARROOM_* variables.
 */
export function flagLayers(values: ParsedArgs['values']): Array<{ flag: string; data: Record<string, unknown> }> {
  const out: Array<{ flag: string; data: Record<string, unknown> }> = [];
  const add = (flag: string, data: Record<string, unknown>) => out.push({ flag, data });
  if (values.kubeconfig) add('--kubeconfig', { kube: { kubeconfig: values.kubeconfig } });
  if (values.context) add('--context', { kube: { context: values.context } });
  if (values.namespace) add('--namespace', { kube: { namespaces: values.namespace } });
  if (values['all-namespaces']) add('--all-namespaces', { kube: { allNamespaces: true } });
  if (values.theme) add('--theme', { ui: { theme: values.theme } });
  const refresh = numberFlag(values, 'refresh');
  if (refresh !== undefined) add('--refresh', { ui: { refreshSeconds: refresh } });
  const fps = numberFlag(values, 'max-fps');
  if (fps !== undefined) add('--max-fps', { ui: { maxFps: fps } });
  if (values['low-bandwidth']) add('--low-bandwidth', { ui: { lowBandwidth: true } });
  if (values['read-only']) add('--read-only', { readOnly: true });
  return out;
}


export async function main(argv: string[]): Promise<number> {
  // React's development build costs several times the CPU and memory per frame; React loads
  // later (dynamic imports), so this takes effect unless the user asked for development.
  // (The bundle is always the production build: the bundler fixes process.env.NODE_ENV.)
  const env = process.env;
  env.NODE_ENV ??= 'production';
  const parsed = parseCli(argv);
  const { values } = parsed;
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (values.version) {
    process.stdout.write(`warroom ${packageVersion()}\n`);
    return 0;
  }
  const { runCommand } = await import('./commands.js');
  return runCommand(parsed);
}

/** Defined by the bundler: the bundle always runs main (from bin/warroom.cjs or as the single executable). */
declare const WARROOM_BUNDLE: boolean | undefined;
const isMain = typeof WARROOM_BUNDLE !== 'undefined' || (process.argv[1] && fs.realpathSync(process.argv[1]) === fs.realpathSync(fileURLToPath(import.meta.url)));
if (isMain) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      const code = (e as { exitCode?: number }).exitCode ?? 1;
      process.stderr.write(`warroom: ${e instanceof Error ? (code === 1 && process.env.WARROOM_DEBUG ? e.stack : e.message) : String(e)}\n`);
      process.exitCode = code;
    },
  );
}
