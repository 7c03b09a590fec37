#!/usr/bin/env node
// warroom's command line: subcommands and flags. Usage and config errors
// exit 2, runtime failures exit 1. Heavy modules are imported only by the subcommand that needs them.
import fs from 'node:fs';
import { packageVersion } from './util/package-root.js';
import { parseCli } from './args.js';
import { fileURLToPath } from 'node:url';

export const USAGE = `warroom — a full-screen terminal incident cockpit

Usage:
  warroom [flags]                         the cockpit on live backends, from config
  warroom drill [--scenario NAME] [--list] [--speed N] [--seed N]
                                          the cockpit on the built-in simulated environment
  warroom sim [--scenario NAME] [--port N] [--write-config DIR]
                                          only the simulated backends, for kubectl and a second warroom
  warroom snapshot [--json] [--deadline SECONDS]
                                          collect once from every source, print a report, exit
  warroom postmortem [INCIDENT] [--out FILE]
                                          write the post-mortem draft of an incident (default: the latest)
  warroom init [--out FILE] [--force]     find Prometheus and Alertmanager in the cluster, write a starter warroom.yaml
  warroom completion bash|zsh|fish        print a shell completion script
  warroom --print-config                  show the effective config, secrets masked

Flags (before or after the command, as with kubectl):
  --config FILE          config file (also ./warroom.yaml, $XDG_CONFIG_HOME/warroom/config.yaml)
  --kubeconfig FILE      kubeconfig (default: $KUBECONFIG, ~/.kube/config, in-cluster)
  --context NAME         kube context (default: the current context)
  -n, --namespace NS     namespace; repeatable
  -A, --all-namespaces   every namespace
  -l, --selector QUERY   label selector for pods and deployments (e.g. app=api,tier!=cache)
  --request-timeout T    Kubernetes API request timeout: 30s, 1m, 500ms, or seconds (default 10s)
  --read-only            spectator mode: every mutating action is refused
  --theme NAME           dark, light, high-contrast, colorblind, or a theme file
  --refresh SECONDS      polling interval for Prometheus, Postgres, Redis (0.2–3600, default 5)
  --max-fps N            redraw at most N times a second (1–60, default 10)
  --low-bandwidth        fewer redraws and no ticking clock, for thin SSH links
  -h, --help             this help
  -v, --version          print the version

Exit codes: 0 success, 1 runtime failure, 2 usage or config error.`;

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
  // `warroom drill --list | head`: a closed pipe ends the output quietly, not with a stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(process.exitCode ?? 0);
  });
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
