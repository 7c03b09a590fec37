// A parsed theme file, for one colour mode and glyph set, as the styles panes paint with.
import type { ThemeFile } from './schema.js';
import { HEX } from './schema.js';
import { THEME_TOKENS, type ColorMode, type GlyphSetName, type Glyphs, type TextStyle, type Theme } from './tokens.js';

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

function normaliseHex(h: string): string {
  const s = h.toLowerCase();
  return s.length === 4 ? `#${s[1]}${s[1]}${s[2]}${s[2]}${s[3]}${s[3]}` : s;
}

export function buildTheme(name: string, f: ThemeFile, colorMode: ColorMode, glyphSet: GlyphSetName): Theme {
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
export const PLAIN_FILE: ThemeFile = {
  glyphs: 'unicode',
  palette: {},
  tokens: Object.fromEntries(THEME_TOKENS.map((t) => [t, { fg: '#ffffff' }])) as ThemeFile['tokens'],
  ansi16: Object.fromEntries(THEME_TOKENS.map((t) => [t, 'default'])),
};
for (const t of ['title', 'critical', 'sevP0', 'sevP1', 'badgeDrill', 'badgeReadOnly', 'borderFocused'] as const) PLAIN_FILE.tokens[t].bold = true;
for (const t of ['muted', 'border', 'sevP3'] as const) PLAIN_FILE.tokens[t].dim = true;
for (const t of ['selection', 'sevP0', 'badgeDrill', 'badgeReadOnly'] as const) PLAIN_FILE.tokens[t].inverse = true;
PLAIN_FILE.tokens.keyHint.underline = true;
