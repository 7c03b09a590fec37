// Finding and loading a theme: built-in (the package's themes/ or the single executable's
// assets), the user's, or a path. Loading never throws: a broken or unknown theme falls back to
// the default with a warning naming file and line.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { packageRoot, seaApi } from '../../util/package-root.js';
import { buildTheme, PLAIN_FILE } from './build.js';
import { colorModeFromEnv, glyphSetFor as glyphSet } from './detect.js';
import { parseThemeText, type ThemeFile, type ThemeParseResult } from './schema.js';
import { displayPath } from '../../util/display-path.js';
import { DEFAULT_THEME, type GlyphSetName, type LoadThemeOptions, type Theme } from './tokens.js';

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
    entries = sea
      .getAssetKeys()
      .filter((k) => k.startsWith('themes/'))
      .map((k) => k.slice('themes/'.length));
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
  const glyphSetFor = (f: ThemeFile): GlyphSetName => glyphSet(f.glyphs, env, opts.glyphs);

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
