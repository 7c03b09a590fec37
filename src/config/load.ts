// Loads the effective config. Precedence, lowest first: defaults, $XDG_CONFIG_HOME/warroom/config.yaml,
// ./warroom.yaml, --config FILE, WARROOM_* environment, flags. Files are deep-merged (arrays replace).
// Every error names the file, the line and the field, and what was expected.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LineCounter, parseDocument, isMap, isSeq, type Document } from 'yaml';
import type { z } from 'zod';
import { configSchema, SECRET_PATHS, type Config } from './schema.js';
import { maskUserinfo, splitAuthority, urlCredentialSecrets } from '../util/url-credentials.js';
import { parseDecimal } from '../util/decimal.js';

/** A config file larger than this is refused unread (a config is a few KiB). */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** YAML aliases allowed per file; a "billion laughs" document needs far more. */
const MAX_ALIAS_COUNT = 100;

/** At most this many mistakes are listed from one run; the rest are counted. */
export const MAX_REPORTED_PROBLEMS = 20;

export class ConfigError extends Error {
  readonly exitCode = 2;
  /** Each mistake on its own, "file:line: path: what is wrong". */
  readonly problems: string[];
  constructor(problems: string | string[]) {
    const list = typeof problems === 'string' ? [problems] : problems;
    const shown = list.slice(0, MAX_REPORTED_PROBLEMS);
    if (list.length > shown.length) shown.push(`… and ${list.length - shown.length} more`);
    super(list.length === 1 ? list[0] : `${list.length} config problems:\n  ${shown.join('\n  ')}`);
    this.problems = list;
  }
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
  /** The same, one entry per flag so that an error names it (`--refresh`); above `overrides`. */
  flags?: Array<{ flag: string; data: Record<string, unknown> }>;
}

export interface LoadedConfig {
  config: Config;
  /** Files that contributed, lowest precedence first. */
  files: string[];
  /**
   * Every value that came from a ${ENV} reference, and every credential found in a URL of the
   * effective config (password, user:password, …): masked wherever text is shown or written.
   */
  secrets: string[];
}

export function loadConfig(opts: LoadOptions = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const secrets: string[] = [];
  const layers: Layer[] = [];
  // Every mistake found in one run, so that a file with three gets three lines, not three runs.
  const problems: Problem[] = [];

  for (const file of defaultConfigFiles(cwd, env)) {
    if (fs.existsSync(file)) layers.push(readLayer(file, env, secrets, problems));
  }
  if (opts.configFile) {
    const file = path.resolve(cwd, opts.configFile);
    if (!fs.existsSync(file)) throw new ConfigError(`${opts.configFile}: config file not found`);
    layers.push(readLayer(file, env, secrets, problems));
  }
  layers.push(...envLayers(env, problems));
  if (opts.overrides && Object.keys(opts.overrides).length) layers.push({ origin: 'command-line flags', data: opts.overrides });
  for (const f of opts.flags ?? []) layers.push({ origin: f.flag, data: f.data });

  let merged: Record<string, unknown> = {};
  for (const layer of layers) merged = deepMerge(merged, layer.data);

  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const keyPath = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
      // A value whose ${VAR} was missing is already reported; its unexpanded text would fail again.
      if (problems.some((p) => p.keyPath && startsWith(keyPath, p.keyPath))) continue;
      // An unknown setting is found at its own line, not its parent's.
      const unknownKey = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
      const at = unknownKey === undefined ? keyPath : [...keyPath, unknownKey];
      const where = locate(layers, at);
      problems.push({ where, text: `${where}: ${formatPath(keyPath)}: ${explain(issue, merged, keyPath)}` });
    }
  }
  if (problems.length) throw new ConfigError(sortProblems(problems));
  const config = expandPaths(parsed.data!, env);
  return { config, files: layers.filter((l) => l.doc).map((l) => l.origin), secrets: [...new Set([...secrets, ...configUrlSecrets(config)])] };
}

interface Problem {
  /** "file:line" or a variable or flag name, for ordering. */
  where: string;
  text: string;
  /** The setting it is about, when it came from a ${VAR} reference. */
  keyPath?: (string | number)[];
}

/** In the order a user reads them: by source, then by line. */
function sortProblems(problems: Problem[]): string[] {
  const key = (p: Problem) => {
    const m = /^(.*):(\d+)$/.exec(p.where);
    return m ? { file: m[1], line: Number(m[2]) } : { file: p.where, line: 0 };
  };
  return problems
    .map((p, i) => ({ p, i, k: key(p) }))
    .sort((a, b) => (a.k.file === b.k.file ? a.k.line - b.k.line || a.i - b.i : a.i - b.i))
    .map((x) => x.p.text);
}

function startsWith(keyPath: (string | number)[], prefix: (string | number)[]): boolean {
  return prefix.length <= keyPath.length && prefix.every((k, i) => keyPath[i] === k);
}

/** The credentials of every URL anywhere in the config (Prometheus, Alertmanager, sinks, Postgres, Redis, …). */
function configUrlSecrets(value: unknown): string[] {
  if (typeof value === 'string') return value.includes('://') ? urlCredentialSecrets(value) : [];
  if (Array.isArray(value)) return value.flatMap(configUrlSecrets);
  if (value && typeof value === 'object') return Object.values(value).flatMap(configUrlSecrets);
  return [];
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

function readLayer(file: string, env: NodeJS.ProcessEnv, secrets: string[], problems: Problem[]): Layer {
  const text = readConfigText(file);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  if (doc.errors.length) {
    // Past a syntax error the settings cannot be read, so these are all this run can say.
    throw new ConfigError(
      doc.errors.map((err) => {
        const pos = err.linePos?.[0];
        return `${file}:${pos ? `${pos.line}:${pos.col}` : '?'}: YAML syntax error: ${err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`;
      }),
    );
  }
  let data;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {};
  } catch (e) {
    // yaml throws a ReferenceError for an alias bomb ("Excessive alias count …").
    const why = /alias/i.test((e as Error).message) ? `too many YAML aliases (more than ${MAX_ALIAS_COUNT} expansions; a "billion laughs" document?)` : (e as Error).message;
    throw new ConfigError(`${file}: cannot load YAML: ${why}`);
  }
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError(`${file}:1: expected a mapping of settings (kube:, prometheus:, …), got ${Array.isArray(data) ? 'a list' : typeof data}`);
  }
  const layer: Layer = { origin: file, data, doc, lines };
  layer.data = interpolate(data, [], layer, env, secrets, problems) as Record<string, unknown>;
  return layer;
}

/**
 * The text of a config file, which must be a regular file of at most MAX_CONFIG_BYTES. Checked
 * with stat before opening (opening a FIFO would block), and again on the open descriptor
 * (opened non-blocking) in case the path changed in between; never reads more than the cap.
 */
function readConfigText(file: string): string {
  const fail = (what: string): never => {
    throw new ConfigError(`${file}: ${what}; expected a YAML config file`);
  };
  const check = (st: fs.Stats) => {
    if (!st.isFile()) fail(`not a regular file (${fileKind(st)})`);
    if (st.size > MAX_CONFIG_BYTES) fail(`config file too large (${st.size} bytes, at most ${MAX_CONFIG_BYTES})`);
  };
  let fd: number | undefined;
  try {
    check(fs.statSync(file));
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    check(fs.fstatSync(fd));
    const buf = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let n = 0;
    for (let r; n < buf.length && (r = fs.readSync(fd, buf, n, buf.length - n, null)) > 0;) n += r;
    if (n > MAX_CONFIG_BYTES) fail(`config file too large (more than ${MAX_CONFIG_BYTES} bytes)`);
    return buf.subarray(0, n).toString('utf8');
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(code === 'ENOENT' ? `${file}: config file not found` : `${file}: cannot read config file (${code ?? String(e)})`);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function fileKind(st: fs.Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Replaces ${NAME} references with environment values; a missing variable is a config problem. */
function interpolate(value: unknown, keyPath: (string | number)[], layer: Layer, env: NodeJS.ProcessEnv, secrets: string[], problems: Problem[]): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, name: string) => {
      const v = env[name];
      if (v === undefined) {
        const where = lineOf(layer, keyPath);
        problems.push({ where, keyPath, text: `${where}: ${formatPath(keyPath)}: environment variable ${name} is not set (referenced as \${${name}})` });
        return m;
      }
      if (v.length >= 3) secrets.push(v);
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, [...keyPath, i], layer, env, secrets, problems));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, [...keyPath, k], layer, env, secrets, problems)]));
  }
  return value;
}

const ENV_KEYS: Record<string, (v: string, name: string) => Record<string, unknown>> = {
  WARROOM_THEME: (v) => ({ ui: { theme: v } }),
  WARROOM_REFRESH: (v) => ({ ui: { refreshSeconds: envNumber(v) } }),
  WARROOM_MAX_FPS: (v) => ({ ui: { maxFps: envNumber(v) } }),
  WARROOM_LOW_BANDWIDTH: (v, name) => ({ ui: { lowBandwidth: envBoolean(name, v) } }),
  WARROOM_READ_ONLY: (v, name) => ({ readOnly: envBoolean(name, v) }),
  WARROOM_KUBECONFIG: (v) => ({ kube: { kubeconfig: v } }),
  WARROOM_CONTEXT: (v) => ({ kube: { context: v } }),
  WARROOM_NAMESPACE: (v) => ({
    kube: {
      namespaces: v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    },
  }),
  WARROOM_PROMETHEUS_URL: (v) => ({ prometheus: { url: v } }),
  WARROOM_STATE_DIR: (v) => ({ stateDir: v }),
};

/** One layer per variable set, so that an error names the variable. */
function envLayers(env: NodeJS.ProcessEnv, problems: Problem[]): Layer[] {
  const out: Layer[] = [];
  for (const [name, shape] of Object.entries(ENV_KEYS)) {
    const v = env[name];
    if (v === undefined || v === '') continue;
    try {
      out.push({ origin: name, data: shape(v, name) });
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems.push({ where: name, text: e.message });
    }
  }
  return out;
}

/** A number, or the text itself when it is not one, so that the schema reports `got "fast"` (never NaN). */
function envNumber(v: string): number | string {
  return parseDecimal(v) ?? v;
}

const TRUE_WORDS = ['1', 'true', 'yes', 'on'];
const FALSE_WORDS = ['0', 'false', 'no', 'off'];

function envBoolean(name: string, v: string): boolean {
  const w = v.trim().toLowerCase();
  if (TRUE_WORDS.includes(w)) return true;
  if (FALSE_WORDS.includes(w)) return false;
  throw new ConfigError(`${name}: expected one of ${TRUE_WORDS.join('/')} or ${FALSE_WORDS.join('/')} (any case), got ${JSON.stringify(v)}`);
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
      const layer = layers[i]!;
      if (has(layer.data, prefix) && (depth > 0 || layer.doc)) return lineOf(layer, prefix);
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

function explain(issue: z.core.$ZodIssue, merged: unknown, keyPath: (string | number)[]): string {
  const got = valueAt(merged, keyPath);
  const shown = got === undefined ? 'nothing' : isSecretPath(keyPath) ? '(hidden)' : JSON.stringify(typeof got === 'string' ? maskUserinfo(got) : got);
  switch (issue.code) {
    case 'custom':
      // A custom check's message says what is wrong; a secret value is not echoed at all.
      return issue.params?.complete || isSecretPath(keyPath) ? issue.message : `${issue.message}, got ${shown}`;
    case 'unrecognized_keys':
      return `unknown setting ${issue.keys.map((k) => `"${k}"`).join(', ')}; expected one of: ${expectedKeys(keyPath)}`;
    case 'invalid_type':
      // A number that is not an integer: the range's own message says what is expected.
      return typeof got === 'number' ? `${issue.message}, got ${shown}` : `expected ${issue.expected}, got ${shown}`;
    case 'too_small':
    case 'too_big':
      return `${issue.message}, got ${shown}`;
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

/** The parts of zod's schema objects the walk below reads: objects' shapes, arrays' elements, wrappers' inner types. */
interface SchemaNode {
  shape?: Record<string, SchemaNode>;
  element?: SchemaNode;
  def?: { innerType?: SchemaNode; element?: SchemaNode };
  unwrap?: () => SchemaNode;
}

function expectedKeys(keyPath: (string | number)[]): string {
  let schema: SchemaNode | undefined = configSchema as unknown as SchemaNode;
  for (const k of keyPath) {
    schema = unwrap(schema);
    if (typeof k === 'number') schema = schema?.element ?? schema?.def?.element;
    else schema = schema?.shape?.[k];
  }
  schema = unwrap(schema);
  return schema?.shape ? Object.keys(schema.shape).join(', ') : '(see README)';
}

function unwrap(schema: SchemaNode | undefined): SchemaNode | undefined {
  while (schema && !schema.shape && !schema.element && (schema.def?.innerType || schema.unwrap)) {
    schema = schema.def?.innerType ?? schema.unwrap?.();
  }
  return schema;
}

function isSecretPath(keyPath: (string | number)[]): boolean {
  const dotted = keyPath.map((k) => (typeof k === 'number' ? '*' : k)).join('.');
  return SECRET_PATHS.some((p) => matchPath(p, dotted));
}

function matchPath(pattern: string, dotted: string): boolean {
  const re = new RegExp(
    '^' +
      pattern
        .split('.')
        .map((s) => (s === '*' ? '[^.]+' : s.replace(/[$^()[\]{}|+?\\]/g, '\\$&')))
        .join('\\.') +
      '$',
  );
  return re.test(dotted);
}

/** The effective config as YAML-ready data, with secrets masked (fields by path, and any ${ENV} value anywhere). */
export function maskedConfig(loaded: LoadedConfig): unknown {
  const walk = (v: unknown, keyPath: string[]): unknown => {
    if (typeof v === 'string') {
      if (isSecretPath(keyPath)) return maskUrl(v, loaded.secrets);
      return maskSecrets(maskUserinfo(v), loaded.secrets);
    }
    if (Array.isArray(v)) return v.map((x) => walk(x, [...keyPath, '*']));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, [...keyPath, k])]));
    return v;
  };
  return walk(loaded.config, []);
}

/** Keeps a URL's scheme, host, port and path, hiding credentials; anything else that is secret becomes ****. */
export function maskUrl(value: string, secrets: string[] = []): string {
  let u: URL | undefined;
  try {
    u = new URL(value);
  } catch {
    // Not WHATWG-parseable (a Sentinel or Cluster host list): masked as text below.
  }
  if (u && (u.protocol === 'http:' || u.protocol === 'https:')) {
    // A webhook URL's path is the secret (Slack's /services/T…/B…/X…).
    return `${u.protocol}//${u.host}/****`;
  }
  if (!splitAuthority(value)) return '****';
  return maskSecrets(maskUserinfo(value), secrets);
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
