// A parsed theme file, for one colour mode and glyph set, as the styles panes paint with.
import type { ThemeFile } from './schema.js';
import { HEX } from './schema.js';
import { THEME_TOKENS, type ThemeToken, type ColorMode, type GlyphSetName, type Glyphs, type TextStyle, type Theme } from './tokens.js';

const UNICODE_GLYPHS: Omit<Glyphs, 'borderStyle'> = {
  ok: '●',
  warn: '▲',
  critical: '✖',
  pending: '◌',
  firing: '◆',
  resolved: '✔',
  rolling: '↻',
  up: '↑',
  down: '↓',
  bullet: '•',
  spark: ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'],
  hline: '─',
  vline: '│',
};

const ASCII_GLYPHS: Omit<Glyphs, 'borderStyle'> = {
  ok: 'o',
  warn: '!',
  critical: 'x',
  pending: '.',
  firing: '*',
  resolved: '+',
  rolling: '~',
  up: '^',
  down: 'v',
  bullet: '-',
  spark: ['_', '.', '-', '=', '+', '*', '#', '@'],
  hline: '-',
  vline: '|',
};

function normaliseHex(h: string): string {
  const s = h.toLowerCase();
  return s.length === 4 ? `#${s[1]}${s[1]}${s[2]}${s[2]}${s[3]}${s[3]}` : s;
}

export function buildTheme(name: string, f: ThemeFile, colorMode: ColorMode, glyphSet: GlyphSetName): Theme {
  // The schema checks every token and palette reference; a file that skipped it gets no colour.
  const resolve = (ref: string): string | undefined => {
    const hex = HEX.test(ref) ? ref : f.palette[ref];
    return hex === undefined ? undefined : normaliseHex(hex);
  };
  const styles = new Map<string, TextStyle>();
  for (const t of THEME_TOKENS) {
    const spec = f.tokens[t];
    // A token the file lacks paints as `fg`.
    if (!spec) continue;
    const s: TextStyle = {};
    if (colorMode === 'full') {
      const fg = resolve(spec.fg);
      const bg = spec.bg === undefined ? undefined : resolve(spec.bg);
      if (fg !== undefined) s.color = fg;
      if (bg !== undefined) s.backgroundColor = bg;
    } else if (colorMode === 'ansi16') {
      const a = f.ansi16[t];
      const fg = typeof a === 'string' ? a : a?.fg;
      const bg = typeof a === 'string' ? undefined : a?.bg;
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
  const fallback: TextStyle = styles.get('fg') ?? Object.freeze({});
  const base = glyphSet === 'ascii' ? ASCII_GLYPHS : UNICODE_GLYPHS;
  const glyphs: Glyphs = Object.freeze({
    ...base,
    spark: [...base.spark],
    borderStyle: glyphSet === 'ascii' ? 'classic' : (f.borderStyle ?? 'round'),
  });
  return { name, colorMode, glyphSet, glyphs, style: (token) => styles.get(token) ?? fallback };
}

/** Last resort when even the default theme file is unusable: attributes only, no colours. */
export const PLAIN_FILE: ThemeFile = {
  glyphs: 'unicode',
  palette: {},
  tokens: Object.fromEntries(THEME_TOKENS.map((t) => [t, plainToken(t)])),
  ansi16: Object.fromEntries(THEME_TOKENS.map((t) => [t, 'default'])),
};

function plainToken(t: ThemeToken): ThemeFile['tokens'][string] {
  const spec: ThemeFile['tokens'][string] = { fg: '#ffffff' };
  if (['title', 'critical', 'sevP0', 'sevP1', 'badgeDrill', 'badgeReadOnly', 'borderFocused'].includes(t)) spec.bold = true;
  if (['muted', 'border', 'sevP3'].includes(t)) spec.dim = true;
  if (['selection', 'sevP0', 'badgeDrill', 'badgeReadOnly'].includes(t)) spec.inverse = true;
  if (t === 'keyHint') spec.underline = true;
  return spec;
}
