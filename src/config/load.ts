// Loads the effective config. Precedence, lowest first: defaults, $XDG_CONFIG_HOME/warroom/config.yaml,
// ./warroom.yaml, --config FILE, WARROOM_* environment, flags. Files are deep-merged (arrays replace).
// Every error names the file, the line and the field, and what was expected.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LineCounter, parseDocument, isMap, isSeq, type Document } from 'yaml';
import { configSchema, SECRET_PATHS, type Config } from './schema.js';

export class ConfigError extends Error {
  readonly exitCode = 2;
}

interface Layer {
  /** File path, or a label such as "WARROOM_THEME" or "--theme". */
  origin: string;
  data: Record<string, unknown>;
  doc?: Document;
  lines?: LineCounter;
}

export interface LoadOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** --config FILE */
  configFile?: string;
  /** Values from flags, already shaped like the config (highest precedence). */
  overrides?: Record<string, unknown>;
}

export interface LoadedConfig {
  config: Config;
  /** Files that contributed, lowest precedence first. */
  files: string[];
  /** Every value that came from a ${ENV} reference: masked wherever config is printed. */
  secrets: string[];
}

export function loadConfig(opts: LoadOptions = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const secrets: string[] = [];
  const layers: Layer[] = [];

  for (const file of defaultConfigFiles(cwd, env)) {
    if (fs.existsSync(file)) layers.push(readLayer(file, env, secrets));
  }
  if (opts.configFile) {
    const file = path.resolve(cwd, opts.configFile);
    if (!fs.existsSync(file)) throw new ConfigError(`${opts.configFile}: config file not found`);
    layers.push(readLayer(file, env, secrets));
  }
  const envLayer = envOverrides(env);
  if (Object.keys(envLayer).length) layers.push({ origin: 'WARROOM_* environment', data: envLayer });
  if (opts.overrides && Object.keys(opts.overrides).length) layers.push({ origin: 'command-line flags', data: opts.overrides });

  let merged: Record<string, unknown> = {};
  for (const layer of layers) merged = deepMerge(merged, layer.data);

  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const keyPath = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    throw new ConfigError(`${locate(layers, keyPath)}: ${formatPath(keyPath)}: ${explain(issue as { code: string; message: string } & Record<string, any>, merged, keyPath)}`);
  }
  return { config: expandPaths(parsed.data, env), files: layers.filter((l) => l.doc).map((l) => l.origin), secrets };
}

/** `~/…` in path settings means the home directory, as in a shell. */
function expandPaths(config: Config, env: NodeJS.ProcessEnv): Config {
  const home = env.HOME || os.homedir();
  const expand = <T extends string | undefined>(p: T): T => (p && (p === '~' || p.startsWith('~/')) ? (path.join(home, p.slice(1)) as T) : p);
  return {
    ...config,
    kube: { ...config.kube, kubeconfig: expand(config.kube.kubeconfig) },
    stateDir: expand(config.stateDir),
    ui: { ...config.ui, theme: expand(config.ui.theme) },
    sinks: config.sinks.dryRun ? { ...config.sinks, dryRun: { ...config.sinks.dryRun, path: expand(config.sinks.dryRun.path) } } : config.sinks,
  };
}

/** The config files read without --config, lowest precedence first. */
export function defaultConfigFiles(cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): string[] {
  const xdg = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
  return [path.join(xdg, 'warroom', 'config.yaml'), path.join(cwd, 'warroom.yaml')];
}

function readLayer(file: string, env: NodeJS.ProcessEnv, secrets: string[]): Layer {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`${file}: cannot read config file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  if (doc.errors.length) {
    const err = doc.errors[0];
    const pos = err.linePos?.[0];
    throw new ConfigError(`${file}:${pos ? `${pos.line}:${pos.col}` : '?'}: YAML syntax error: ${err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  const data = doc.toJS() ?? {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError(`${file}:1: expected a mapping of settings (kube:, prometheus:, …), got ${Array.isArray(data) ? 'a list' : typeof data}`);
  }
  const layer: Layer = { origin: file, data, doc, lines };
  layer.data = interpolate(data, [], layer, env, secrets) as Record<string, unknown>;
  return layer;
}

/** Replaces ${NAME} references with environment values; a missing variable is a config error. */
function interpolate(value: unknown, keyPath: (string | number)[], layer: Layer, env: NodeJS.ProcessEnv, secrets: string[]): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
      const v = env[name];
      if (v === undefined) {
        throw new ConfigError(`${lineOf(layer, keyPath)}: ${formatPath(keyPath)}: environment variable ${name} is not set (referenced as \${${name}})`);
      }
      if (v.length >= 3) secrets.push(v);
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, [...keyPath, i], layer, env, secrets));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, [...keyPath, k], layer, env, secrets)]));
  }
  return value;
}

const ENV_KEYS: Record<string, (v: string) => Record<string, unknown>> = {
  WARROOM_THEME: (v) => ({ ui: { theme: v } }),
  WARROOM_REFRESH: (v) => ({ ui: { refreshSeconds: Number(v) } }),
  WARROOM_MAX_FPS: (v) => ({ ui: { maxFps: Number(v) } }),
  WARROOM_LOW_BANDWIDTH: (v) => ({ ui: { lowBandwidth: truthy(v) } }),
  WARROOM_READ_ONLY: (v) => ({ readOnly: truthy(v) }),
  WARROOM_KUBECONFIG: (v) => ({ kube: { kubeconfig: v } }),
  WARROOM_CONTEXT: (v) => ({ kube: { context: v } }),
  WARROOM_NAMESPACE: (v) => ({ kube: { namespaces: v.split(',').map((s) => s.trim()).filter(Boolean) } }),
  WARROOM_PROMETHEUS_URL: (v) => ({ prometheus: { url: v } }),
  WARROOM_STATE_DIR: (v) => ({ stateDir: v }),
};
export const ENV_VARIABLES = Object.keys(ENV_KEYS);

function envOverrides(env: NodeJS.ProcessEnv): Record<string, unknown> {
  let out: Record<string, unknown> = {};
  for (const [name, shape] of Object.entries(ENV_KEYS)) {
    const v = env[name];
    if (v !== undefined && v !== '') out = deepMerge(out, shape(v));
  }
  return out;
}

function truthy(v: string): boolean {
  return /^(1|true|yes|on)$/i.test(v.trim());
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = isPlainObject(prev) && isPlainObject(v) ? deepMerge(prev, v) : v;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** The highest-precedence layer that sets this path (or its nearest parent), with its line. */
function locate(layers: Layer[], keyPath: (string | number)[]): string {
  for (let depth = keyPath.length; depth >= 0; depth--) {
    const prefix = keyPath.slice(0, depth);
    for (let i = layers.length - 1; i >= 0; i--) {
      if (has(layers[i].data, prefix) && (depth > 0 || layers[i].doc)) return lineOf(layers[i], prefix);
    }
  }
  return 'config';
}

function has(data: unknown, keyPath: (string | number)[]): boolean {
  let cur: unknown = data;
  for (const k of keyPath) {
    if (!cur || typeof cur !== 'object' || !(k in (cur as object))) return false;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return true;
}

function lineOf(layer: Layer, keyPath: (string | number)[]): string {
  if (!layer.doc || !layer.lines) return layer.origin;
  let node: unknown = layer.doc.contents;
  let offset: number | undefined = (node as { range?: number[] } | null)?.range?.[0];
  for (const k of keyPath) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown })?.value === k);
      if (!pair) break;
      offset = (pair.key as { range?: number[] }).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof k === 'number') {
      node = node.items[k];
      offset = (node as { range?: number[] } | undefined)?.range?.[0] ?? offset;
    } else break;
  }
  if (offset === undefined) return layer.origin;
  return `${layer.origin}:${layer.lines.linePos(offset).line}`;
}

function formatPath(keyPath: (string | number)[]): string {
  if (!keyPath.length) return '(top level)';
  return keyPath.map((k, i) => (typeof k === 'number' ? `[${k}]` : i ? `.${k}` : k)).join('');
}

function explain(issue: { code: string; message: string } & Record<string, any>, merged: unknown, keyPath: (string | number)[]): string {
  const got = valueAt(merged, keyPath);
  const shown = got === undefined ? 'nothing' : isSecretPath(keyPath) ? '(hidden)' : JSON.stringify(got);
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown setting ${(issue.keys as string[]).map((k) => `"${k}"`).join(', ')}; expected one of: ${expectedKeys(keyPath)}`;
    case 'invalid_type':
      return `expected ${issue.expected}, got ${shown}`;
    case 'too_small':
    case 'too_big':
    case 'invalid_format':
    case 'invalid_value':
      return `${issue.message.replace(/^Invalid input: /, '')} (got ${shown})`;
    default:
      return `${issue.message} (got ${shown})`;
  }
}

function valueAt(data: unknown, keyPath: (string | number)[]): unknown {
  let cur: unknown = data;
  for (const k of keyPath) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}

function expectedKeys(keyPath: (string | number)[]): string {
  let schema: any = configSchema;
  for (const k of keyPath) {
    schema = unwrap(schema);
    if (typeof k === 'number') schema = schema?.element ?? schema?.def?.element;
    else schema = schema?.shape?.[k];
  }
  schema = unwrap(schema);
  return schema?.shape ? Object.keys(schema.shape).join(', ') : '(see README)';
}

function unwrap(schema: any): any {
  while (schema && !schema.shape && !schema.element && (schema.def?.innerType || schema.unwrap)) {
    schema = schema.def?.innerType ?? schema.unwrap();
  }
  return schema;
}

function isSecretPath(keyPath: (string | number)[]): boolean {
  const dotted = keyPath.map((k) => (typeof k === 'number' ? '*' : k)).join('.');
  return SECRET_PATHS.some((p) => matchPath(p, dotted));
}

function matchPath(pattern: string, dotted: string): boolean {
  const re = new RegExp('^' + pattern.split('.').map((s) => (s === '*' ? '[^.]+' : s.replace(/[$^()[\]{}|+?\\]/g, '\\$&'))).join('\\.') + '$');
  return re.test(dotted);
}

/** The effective config as YAML-ready data, with secrets masked (fields by path, and any ${ENV} value anywhere). */
export function maskedConfig(loaded: LoadedConfig): unknown {
  const walk = (v: unknown, keyPath: string[]): unknown => {
    if (typeof v === 'string') {
      if (isSecretPath(keyPath)) return maskUrl(v, loaded.secrets);
      return maskSecrets(v, loaded.secrets);
    }
    if (Array.isArray(v)) return v.map((x) => walk(x, [...keyPath, '*']));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, [...keyPath, k])]));
    return v;
  };
  return walk(loaded.config, []);
}

/** Keeps a URL's scheme, host, port and path, hiding credentials; anything else that is secret becomes ****. */
export function maskUrl(value: string, secrets: string[] = []): string {
  try {
    const u = new URL(value);
    if (u.protocol === 'http:' || u.protocol === 'https:') {
      // A webhook URL's path is the secret (Slack's /services/T…/B…/X…).
      return `${u.protocol}//${u.host}/****`;
    }
    if (u.password) u.password = '****';
    return maskSecrets(u.toString(), secrets);
  } catch {
    return '****';
  }
}

export function maskSecrets(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join('****');
  return out;
}

export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME || path.join(env.HOME || os.homedir(), '.local', 'state');
  return path.join(base, 'warroom');
}
