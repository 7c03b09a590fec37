// What a theme is: semantic tokens, the styles and glyphs they resolve to.

export const THEME_TOKENS = [
  'fg',
  'bg',
  'muted',
  'border',
  'borderFocused',
  'title',
  'accent',
  'keyHint',
  'selection',
  'ok',
  'warn',
  'critical',
  'info',
  'sevP0',
  'sevP1',
  'sevP2',
  'sevP3',
  'badgeDrill',
  'badgeReadOnly',
  'chartOk',
  'chartWarn',
  'chartCritical',
] as const;

/** Superset of `Token` in src/present/cell.ts. */
export type ThemeToken = (typeof THEME_TOKENS)[number];

/** Colour names Ink/chalk understand in 16-colour mode; `default` leaves the terminal's own colour. */
export const ANSI16_NAMES = [
  'black',
  'red',
  'green',
  'yellow',
  'blue',
  'magenta',
  'cyan',
  'white',
  'gray',
  'redBright',
  'greenBright',
  'yellowBright',
  'blueBright',
  'magentaBright',
  'cyanBright',
  'whiteBright',
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
