// The command line's grammar: commands, flags, and the parsing of their values. Shared by the
// entry point (src/cli.ts), the commands and the completion scripts; imports nothing heavy.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseDecimal } from './util/decimal.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Flags every command takes, before or after the command name. */
export const COMMON: Options = {
  config: { type: 'string' },
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  namespace: { type: 'string', short: 'n', multiple: true },
  'all-namespaces': { type: 'boolean', short: 'A' },
  selector: { type: 'string', short: 'l' },
  'request-timeout': { type: 'string' },
  'read-only': { type: 'boolean' },
  theme: { type: 'string' },
  refresh: { type: 'string' },
  'max-fps': { type: 'string' },
  'low-bandwidth': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
  'print-config': { type: 'boolean' },
};

/** Each command's own flags and how many arguments it takes ('' is the cockpit). */
export const COMMANDS: Record<string, { options: Options; args: number; argName?: string }> = {
  '': { options: {}, args: 0 },
  start: { options: {}, args: 0 },
  drill: { options: { scenario: { type: 'string' }, list: { type: 'boolean' }, speed: { type: 'string' }, seed: { type: 'string' } }, args: 0 },
  sim: { options: { scenario: { type: 'string' }, port: { type: 'string' }, 'write-config': { type: 'string' }, speed: { type: 'string' }, seed: { type: 'string' } }, args: 0 },
  snapshot: { options: { json: { type: 'boolean' }, deadline: { type: 'string' } }, args: 0 },
  postmortem: { options: { out: { type: 'string' } }, args: 1, argName: 'INCIDENT' },
  init: { options: { out: { type: 'string' }, force: { type: 'boolean' } }, args: 0 },
  completion: { options: {}, args: 1, argName: 'SHELL' },
};
const COMMAND_NAMES = Object.keys(COMMANDS).filter((c) => c && c !== 'start');

export class UsageError extends Error {
  readonly exitCode = 2;
}

export interface ParsedArgs {
  command: string;
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/**
 * kubectl-style: the command is the first argument that is not a flag or a flag's value, and
 * every flag may come before or after it. All flags are parsed together, then each is checked
 * against the command it was given with.
 */
export function parseCli(argv: string[]): ParsedArgs {
  const all: Options = { ...COMMON };
  for (const c of Object.values(COMMANDS)) Object.assign(all, c.options);
  let parsed;
  try {
    parsed = parseArgs({ args: joinNegativeValues(argv, all), options: all, allowPositionals: true, strict: true, tokens: true });
  } catch (e) {
    throw new UsageError(`${(e as Error).message.replace(/\. To specify a positional argument.*$/, '')} — see warroom --help`);
  }
  const [first = '', ...rest] = parsed.positionals;
  // Own keys only: `warroom constructor` is not a command.
  const spec = Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined;
  if (!spec) {
    throw new UsageError(`unknown command "${first}"; expected one of: ${COMMAND_NAMES.join(', ')} (warroom --help)`);
  }
  for (const t of parsed.tokens ?? []) {
    if (t.kind !== 'option' || t.name in COMMON || t.name in spec.options) continue;
    const owners = Object.entries(COMMANDS)
      .filter(([, c]) => t.name in c.options)
      .map(([n]) => n);
    throw new UsageError(
      `${t.rawName} is not a flag of ${first ? `warroom ${first}` : 'the cockpit'}; it belongs to: ${owners.map((o) => `warroom ${o}`).join(', ')} (warroom --help)`,
    );
  }
  if (rest.length > spec.args) throw new UsageError(`unexpected argument "${rest[spec.args]}"${first ? ` for ${first}` : ''} (warroom --help)`);
  return { command: first, values: parsed.values as ParsedArgs['values'], positionals: rest };
}

/**
 * `--speed -1`: a value that looks like a flag is still the value of a flag that takes one when it
 * is a number, so the range check can say what is wrong (parseArgs would call it "ambiguous").
 */
function joinNegativeValues(argv: string[], options: Options): string[] {
  const takesValue = (arg: string) => {
    const m = /^--([^=]+)$/.exec(arg) ?? /^-([^-])$/.exec(arg);
    if (!m) return false;
    const name = arg.startsWith('--') ? m[1] : Object.entries(options).find(([, o]) => o.short === m[1])?.[0];
    return !!name && options[name]?.type === 'string';
  };
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    if (next !== undefined && /^-\d/.test(next) && takesValue(arg)) {
      out.push(arg.startsWith('--') ? `${arg}=${next}` : `${arg}${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** A decimal number (no hex, no "Infinity"), in range: anything else is a usage error. */
export function numberFlag(values: ParsedArgs['values'], name: string, opts: { min?: number; max?: number; integer?: boolean; what?: string } = {}): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const what = opts.what ?? (opts.integer ? 'an integer' : 'a number');
  const bounds =
    opts.min !== undefined && opts.max !== undefined
      ? ` from ${opts.min} to ${opts.max}`
      : opts.min !== undefined
        ? ` ≥ ${opts.min}`
        : opts.max !== undefined
          ? ` ≤ ${opts.max}`
          : '';
  const fail = (): never => {
    throw new UsageError(`--${name} expects ${what}${bounds}, got "${String(raw)}"`);
  };
  const n = typeof raw === 'string' ? parseDecimal(raw) : null;
  if (n === null || (opts.integer && !Number.isSafeInteger(n)) || (opts.min !== undefined && n < opts.min) || (opts.max !== undefined && n > opts.max)) return fail();
  return n;
}

/** kubectl's --request-timeout: a duration (500ms, 30s, 2m, 1h, 1m30s) or plain seconds. */
export function parseDuration(flag: string, raw: string): number {
  const text = raw.trim();
  const fail = (why = ''): never => {
    throw new UsageError(`${flag} expects a duration such as 30s, 2m or 500ms (or seconds), got "${raw}"${why}`);
  };
  let seconds: number;
  if (/^\d+(\.\d+)?$/.test(text)) seconds = Number(text);
  else if (/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(text)) {
    const unit: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };
    seconds = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)].reduce((sum, m) => sum + Number(m[1]) * unit[m[2]!]!, 0);
  } else return fail();
  // kubectl reads 0 as "no timeout"; warroom bounds every request, so 0 is refused rather than ignored.
  if (seconds === 0) fail('; 0 (no timeout) is not supported: every request has a bound');
  return seconds;
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
  if (typeof values.selector === 'string') add('--selector', { kube: { labelSelector: values.selector } });
  if (typeof values['request-timeout'] === 'string') add('--request-timeout', { kube: { requestTimeoutSeconds: parseDuration('--request-timeout', values['request-timeout']) } });
  if (values.theme) add('--theme', { ui: { theme: values.theme } });
  const refresh = numberFlag(values, 'refresh');
  if (refresh !== undefined) add('--refresh', { ui: { refreshSeconds: refresh } });
  const fps = numberFlag(values, 'max-fps');
  if (fps !== undefined) add('--max-fps', { ui: { maxFps: fps } });
  if (values['low-bandwidth']) add('--low-bandwidth', { ui: { lowBandwidth: true } });
  if (values['read-only']) add('--read-only', { readOnly: true });
  return out;
}
