// Themes: YAML files in themes/ map semantic tokens to colours (truecolour and a hand-chosen
// 16-colour mapping) plus attributes that carry meaning without colour. Loading never throws:
// a broken or unknown theme falls back to the default with a warning naming file and line.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { packageRoot, seaApi } from '../util/package-root.js';
import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { z } from 'zod';

export const THEME_TOKENS = [
  'fg', 'bg', 'muted', 'border', 'borderFocused', 'title', 'accent', 'keyHint', 'selection',
  'ok', 'warn', 'critical', 'info',
  'sevP0', 'sevP1', 'sevP2', 'sevP3',
  'badgeDrill', 'badgeReadOnly',
  'chartOk', 'chartWarn', 'chartCritical',
] as const;

/** Superset of `Token` in src/present/cell.ts. */
export type ThemeToken = (typeof THEME_TOKENS)[number];

/** Colour names Ink/chalk understand in 16-colour mode; `default` leaves the terminal's own colour. */
export const ANSI16_NAMES = [
  'black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white', 'gray',
  'redBright', 'greenBright', 'yellowBright', 'blueBright', 'magentaBright', 'cyanBright', 'whiteBright',
  'default',
] as const;

export type ColorMode = 'none' | 'ansi16' | 'full';
export type GlyphSetName = 'unicode' | 'ascii';

/** Props ready to spread on Ink's <Text>. */
export interface TextStyle {
  color?: string;
  backgroundColor?: string;
  bold?: boolean;
  dimColor?: boolean;
  inverse?: boolean;
  underline?: boolean;
}

export interface Glyphs {
  ok: string;
  warn: string;
  critical: string;
  pending: string;
  firing: string;
  resolved: string;
  rolling: string;
  up: string;
  down: string;
  bullet: string;
  /** 8 levels, lowest first. */
  spark: string[];
  hline: string;
  vline: string;
  borderStyle: 'round' | 'single' | 'classic' | 'bold';
}

export interface Theme {
  name: string;
  style(token: ThemeToken): TextStyle;
  glyphs: Glyphs;
  glyphSet: GlyphSetName;
  colorMode: ColorMode;
}

export interface LoadThemeOptions {
  themesDir?: string;
  env?: NodeJS.ProcessEnv;
  colorMode?: ColorMode;
  glyphs?: GlyphSetName;
}

export const DEFAULT_THEME = 'dark';

/** Built-in themes: themes/ in the package, or SEA assets "themes/FILE" in the single executable. */
export const THEMES_DIR: string = path.join(packageRoot() ?? path.dirname(process.execPath), 'themes');

/** A built-in theme's text when running as the single executable (no such folder on disk), else null. */
function seaTheme(file: string): string | null {
  const sea = seaApi();
  if (!sea || path.dirname(path.resolve(file)) !== THEMES_DIR) return null;
  try {
    return sea.getAsset(`themes/${path.basename(file)}`, 'utf8');
  } catch {
    return null;
  }
}

const UNICODE_GLYPHS: Omit<Glyphs, 'borderStyle'> = {
  ok: '●', warn: '▲', critical: '✖', pending: '◌', firing: '◆', resolved: '✔', rolling: '↻',
  up: '↑', down: '↓', bullet: '•',
  spark: ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'],
  hline: '─', vline: '│',
};

const ASCII_GLYPHS: Omit<Glyphs, 'borderStyle'> = {
  ok: 'o', warn: '!', critical: 'x', pending: '.', firing: '*', resolved: '+', rolling: '~',
  up: '^', down: 'v', bullet: '-',
  spark: ['_', '.', '-', '=', '+', '*', '#', '@'],
  hline: '-', vline: '|',
};

// ---------------------------------------------------------------------------------------------
// Colour mode

/**
 * NO_COLOR (non-empty) → none. FORCE_COLOR=0|1|2|3 is honoured. Not a TTY → none. The Linux
 * console and plain xterm/screen (no 256color, no COLORTERM) → ansi16. Otherwise full.
 */
export function colorModeFromEnv(env: NodeJS.ProcessEnv, isTTY?: boolean): ColorMode {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 'none';
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force === 'false') return 'none';
    if (force === '1') return 'ansi16';
    return 'full';
  }
  if (isTTY === false) return 'none';
  const term = (env.TERM ?? '').toLowerCase();
  if (term === 'dumb') return 'none';
  if (term === 'linux') return 'ansi16';
  const colorterm = (env.COLORTERM ?? '').toLowerCase();
  if (colorterm === 'truecolor' || colorterm === '24bit') return 'full';
  if (/256col|-direct$|^xterm-kitty$|^xterm-ghostty$|^wezterm$|^alacritty$|^foot/.test(term)) return 'full';
  if (colorterm !== '') return 'full';
  if (env.WT_SESSION) return 'full';
  if (['iTerm.app', 'WezTerm', 'vscode', 'ghostty'].includes(env.TERM_PROGRAM ?? '')) return 'full';
  return 'ansi16';
}

// ---------------------------------------------------------------------------------------------
// Theme file schema

const HEX = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;
const PALETTE_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

const tokenStyleSchema = z.strictObject({
  fg: z.string(),
  bg: z.string().optional(),
  bold: z.boolean().optional(),
  dim: z.boolean().optional(),
  inverse: z.boolean().optional(),
  underline: z.boolean().optional(),
});

const ansiValueSchema = z.union([
  z.string(),
  z.strictObject({ fg: z.string().optional(), bg: z.string().optional() }),
]);

const themeFileSchema = z.strictObject({
  name: z.string().optional(),
  description: z.string().optional(),
  glyphs: z.enum(['unicode', 'ascii']).default('unicode'),
  borderStyle: z.enum(['round', 'single', 'bold']).optional(),
  palette: z.record(z.string(), z.string()),
  tokens: z.record(z.string(), tokenStyleSchema),
  ansi16: z.record(z.string(), ansiValueSchema),
});

export type ThemeFile = z.infer<typeof themeFileSchema>;

interface Problem {
  path: (string | number)[];
  message: string;
}

const TOKEN_SET = new Set<string>(THEME_TOKENS);
const ANSI_SET = new Set<string>(ANSI16_NAMES);

function semanticProblems(f: ThemeFile): Problem[] {
  const out: Problem[] = [];
  for (const [name, value] of Object.entries(f.palette)) {
    if (!PALETTE_NAME.test(name)) out.push({ path: ['palette', name], message: `"${name}" is not a valid palette name (letters, digits, - and _)` });
    if (!HEX.test(value)) out.push({ path: ['palette', name], message: `"${value}" is not a #rrggbb colour` });
  }
  const colourRef = (p: (string | number)[], v: string) => {
    if (!HEX.test(v) && !Object.hasOwn(f.palette, v)) out.push({ path: p, message: `"${v}" is not a palette colour or #rrggbb` });
  };
  const ansiRef = (p: (string | number)[], v: string | undefined) => {
    if (v !== undefined && !ANSI_SET.has(v)) out.push({ path: p, message: `"${v}" is not a 16-colour name (expected one of ${ANSI16_NAMES.join(', ')})` });
  };
  for (const section of ['tokens', 'ansi16'] as const) {
    for (const key of Object.keys(f[section])) {
      if (!TOKEN_SET.has(key)) out.push({ path: [section, key], message: `unknown token "${key}" (expected one of ${THEME_TOKENS.join(', ')})` });
    }
    const missing = THEME_TOKENS.filter((t) => !Object.hasOwn(f[section], t));
    if (missing.length > 0) out.push({ path: [section], message: `missing token${missing.length > 1 ? 's' : ''} ${missing.map((t) => `"${t}"`).join(', ')}` });
  }
  for (const [t, spec] of Object.entries(f.tokens)) {
    colourRef(['tokens', t, 'fg'], spec.fg);
    if (spec.bg !== undefined) colourRef(['tokens', t, 'bg'], spec.bg);
  }
  for (const [t, a] of Object.entries(f.ansi16)) {
    if (typeof a === 'string') {
      ansiRef(['ansi16', t], a);
      if (f.tokens[t]?.bg !== undefined) out.push({ path: ['ansi16', t], message: `token "${t}" has a bg; give its 16-colour mapping as { fg: ..., bg: ... }` });
    } else {
      ansiRef(['ansi16', t, 'fg'], a.fg);
      ansiRef(['ansi16', t, 'bg'], a.bg);
    }
  }
  return out;
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  return String(v);
}

function valueAt(root: unknown, p: PropertyKey[]): unknown {
  let cur = root;
  for (const k of p) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[k];
  }
  return cur;
}

const EXPECTED_WORDS: Record<string, string> = { record: 'a map', object: 'a map', array: 'a list', string: 'a string', boolean: 'true or false' };

function schemaProblems(issues: z.core.$ZodIssue[], raw: unknown): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) {
    const p = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: [...p, key], message: `unknown key "${key}"` });
    } else if (issue.code === 'invalid_type') {
      const v = valueAt(raw, p);
      const expected = EXPECTED_WORDS[issue.expected] ?? issue.expected;
      out.push({ path: p, message: v === undefined ? `missing (expected ${expected})` : `expected ${expected}, got ${describeValue(v)}` });
    } else if (issue.code === 'invalid_value') {
      out.push({ path: p, message: `${describeValue(valueAt(raw, p))} is not one of ${issue.values.map((x) => String(x)).join(', ')}` });
    } else if (issue.code === 'invalid_union') {
      out.push({ path: p, message: `expected a 16-colour name or { fg, bg }, got ${describeValue(valueAt(raw, p))}` });
    } else {
      out.push({ path: p, message: issue.message });
    }
  }
  return out;
}

/** 1-based line of the deepest node along `p` that exists in the document. */
function lineOf(contents: unknown, lc: LineCounter, p: (string | number)[]): number | undefined {
  let node: unknown = contents;
  let offset: number | undefined = (node as { range?: [number] } | null)?.range?.[0];
  for (const key of p) {
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((it) => (isScalar(it.key) ? it.key.value === key : it.key === key));
      if (!pair) break;
      const keyStart = (pair.key as { range?: [number] } | null)?.range?.[0];
      if (keyStart !== undefined) offset = keyStart;
      next = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      next = node.items[key];
      const start = (next as { range?: [number] } | null)?.range?.[0];
      if (start !== undefined) offset = start;
    } else break;
    node = next;
  }
  return offset === undefined ? undefined : lc.linePos(offset).line;
}

function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

const MAX_PROBLEMS = 5;

export type ThemeParseResult = { ok: true; file: ThemeFile } | { ok: false; warnings: string[] };

/** Parse and validate theme text; `label` names the file in warnings. */
export function parseThemeText(text: string, label: string): ThemeParseResult {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      warnings: doc.errors.slice(0, MAX_PROBLEMS).map((e) => {
        const line = e.linePos?.[0]?.line ?? lc.linePos(e.pos[0]).line;
        return `${label}:${line}: YAML syntax error: ${e.message.split('\n')[0]}`;
      }),
    };
  }
  const raw: unknown = doc.toJS();
  let problems: Problem[];
  const parsed = themeFileSchema.safeParse(raw);
  if (!parsed.success) {
    problems = schemaProblems(parsed.error.issues, raw);
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      problems = [{ path: [], message: `expected a map with palette, tokens and ansi16, got ${describeValue(raw)}` }];
    }
  } else {
    problems = semanticProblems(parsed.data);
    if (problems.length === 0) return { ok: true, file: parsed.data };
  }
  const located = problems.map((pr) => ({ ...pr, line: lineOf(doc.contents, lc, pr.path) }));
  located.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  const warnings = located.slice(0, MAX_PROBLEMS).map((pr) => {
    const where = pr.path.length ? `${pr.path.join('.')}: ` : '';
    return `${label}${pr.line !== undefined ? `:${pr.line}` : ''}: ${where}${pr.message}`;
  });
  if (problems.length > MAX_PROBLEMS) warnings.push(`${label}: … and ${problems.length - MAX_PROBLEMS} more problems`);
  return { ok: false, warnings };
}

function readThemeFile(file: string): ThemeParseResult {
  const label = displayPath(file);
  let text: string;
  try {
    text = seaTheme(file) ?? readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, warnings: [`${label}: cannot read theme file${code === 'ENOENT' ? ' (no such file)' : code ? ` (${code})` : ''}`] };
  }
  return parseThemeText(text, label);
}

// ---------------------------------------------------------------------------------------------
// Building a Theme

function normaliseHex(h: string): string {
  const s = h.toLowerCase();
  return s.length === 4 ? `#${s[1]}${s[1]}${s[2]}${s[2]}${s[3]}${s[3]}` : s;
}

function buildTheme(name: string, f: ThemeFile, colorMode: ColorMode, glyphSet: GlyphSetName): Theme {
  const resolve = (ref: string) => normaliseHex(HEX.test(ref) ? ref : f.palette[ref]);
  const styles = new Map<string, TextStyle>();
  for (const t of THEME_TOKENS) {
    const spec = f.tokens[t];
    const s: TextStyle = {};
    if (colorMode === 'full') {
      s.color = resolve(spec.fg);
      if (spec.bg !== undefined) s.backgroundColor = resolve(spec.bg);
    } else if (colorMode === 'ansi16') {
      const a = f.ansi16[t];
      const fg = typeof a === 'string' ? a : a.fg;
      const bg = typeof a === 'string' ? undefined : a.bg;
      if (fg !== undefined && fg !== 'default') s.color = fg;
      if (bg !== undefined && bg !== 'default') s.backgroundColor = bg;
    }
    // Attributes are kept in every mode, NO_COLOR included: they carry meaning without colour.
    if (spec.bold) s.bold = true;
    if (spec.dim) s.dimColor = true;
    if (spec.inverse) s.inverse = true;
    if (spec.underline) s.underline = true;
    styles.set(t, Object.freeze(s));
  }
  const fallback = styles.get('fg')!;
  const base = glyphSet === 'ascii' ? ASCII_GLYPHS : UNICODE_GLYPHS;
  const glyphs: Glyphs = Object.freeze({
    ...base,
    spark: [...base.spark],
    borderStyle: glyphSet === 'ascii' ? 'classic' : (f.borderStyle ?? 'round'),
  });
  return { name, colorMode, glyphSet, glyphs, style: (token) => styles.get(token) ?? fallback };
}

/** Last resort when even the default theme file is unusable: attributes only, no colours. */
const PLAIN_FILE: ThemeFile = {
  glyphs: 'unicode',
  palette: {},
  tokens: Object.fromEntries(THEME_TOKENS.map((t) => [t, { fg: '#ffffff' }])) as ThemeFile['tokens'],
  ansi16: Object.fromEntries(THEME_TOKENS.map((t) => [t, 'default'])),
};
for (const t of ['title', 'critical', 'sevP0', 'sevP1', 'badgeDrill', 'badgeReadOnly', 'borderFocused'] as const) PLAIN_FILE.tokens[t].bold = true;
for (const t of ['muted', 'border', 'sevP3'] as const) PLAIN_FILE.tokens[t].dim = true;
for (const t of ['selection', 'sevP0', 'badgeDrill', 'badgeReadOnly'] as const) PLAIN_FILE.tokens[t].inverse = true;
PLAIN_FILE.tokens.keyHint.underline = true;

const THEME_EXTS = ['.yaml', '.yml', '.json'];

function isFile(p: string): boolean {
  if (seaTheme(p) !== null) return true;
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** User themes: $XDG_CONFIG_HOME/warroom/themes (or ~/.config/warroom/themes). */
function userThemesDir(env: NodeJS.ProcessEnv): string | null {
  if (env.XDG_CONFIG_HOME) return path.join(env.XDG_CONFIG_HOME, 'warroom', 'themes');
  if (env.HOME) return path.join(env.HOME, '.config', 'warroom', 'themes');
  return null;
}

function looksLikePath(s: string): boolean {
  return s.includes('/') || s.includes(path.sep) || THEME_EXTS.some((e) => s.endsWith(e));
}

function findByName(name: string, dirs: string[]): string | null {
  for (const dir of dirs) {
    for (const ext of THEME_EXTS) {
      const p = path.join(dir, name + ext);
      if (isFile(p)) return p;
    }
  }
  return null;
}

/** Theme names (file names without extension) in a directory, sorted; [] if it does not exist. */
export function listThemes(themesDir: string = THEMES_DIR): string[] {
  let entries: string[];
  const sea = seaApi();
  if (sea && path.resolve(themesDir) === THEMES_DIR) {
    entries = sea.getAssetKeys().filter((k) => k.startsWith('themes/')).map((k) => k.slice('themes/'.length));
  } else {
    try {
      entries = readdirSync(themesDir);
    } catch {
      return [];
    }
  }
  const names = new Set<string>();
  for (const e of entries) {
    const ext = THEME_EXTS.find((x) => e.endsWith(x));
    if (ext && isFile(path.join(themesDir, e))) names.add(e.slice(0, -ext.length));
  }
  return [...names].sort();
}

/**
 * Load a theme by name (built-in or user theme) or by file path. Never throws: on any problem it
 * returns the default theme and warnings saying what was wrong and where.
 */
export function loadTheme(nameOrPath: string, opts: LoadThemeOptions = {}): { theme: Theme; warnings: string[] } {
  const env = opts.env ?? process.env;
  const themesDir = opts.themesDir ?? THEMES_DIR;
  const colorMode = opts.colorMode ?? colorModeFromEnv(env);
  const userDir = opts.themesDir ? null : userThemesDir(env);
  const searchDirs = userDir ? [userDir, themesDir] : [themesDir];
  const glyphSetFor = (f: ThemeFile): GlyphSetName =>
    opts.glyphs ?? (f.glyphs === 'ascii' || env.TERM === 'linux' ? 'ascii' : 'unicode');

  const warnings: string[] = [];
  const requested = (nameOrPath ?? '').trim() || DEFAULT_THEME;
  const file = looksLikePath(requested) ? path.resolve(requested) : findByName(requested, searchDirs);

  if (file === null) {
    const available = [...new Set(searchDirs.flatMap((d) => listThemes(d)))].sort();
    warnings.push(`unknown theme "${requested}"; available themes: ${available.join(', ') || '(none found)'}`);
  } else {
    const r = readThemeFile(file);
    if (r.ok) {
      const name = looksLikePath(requested) ? (r.file.name ?? path.basename(file).replace(/\.(ya?ml|json)$/, '')) : requested;
      return { theme: buildTheme(name, r.file, colorMode, glyphSetFor(r.file)), warnings };
    }
    warnings.push(...r.warnings);
  }

  const defaultFile = findByName(DEFAULT_THEME, [themesDir, THEMES_DIR]);
  if (defaultFile !== null && defaultFile !== file) {
    const d = readThemeFile(defaultFile);
    if (d.ok) {
      warnings.push(`using the default theme "${DEFAULT_THEME}" instead of "${requested}"`);
      return { theme: buildTheme(DEFAULT_THEME, d.file, colorMode, glyphSetFor(d.file)), warnings };
    }
    warnings.push(...d.warnings);
  }
  warnings.push(`using a plain built-in theme (no colours) instead of "${requested}"`);
  return { theme: buildTheme('plain', PLAIN_FILE, 'none', glyphSetFor(PLAIN_FILE)), warnings };
}
