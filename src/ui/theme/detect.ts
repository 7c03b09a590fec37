// What the terminal can show: colour mode and glyph set from the environment.
import type { ColorMode, GlyphSetName } from './tokens.js';

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

/** ASCII glyphs where the theme asks for them or the terminal is the Linux console. */
export function glyphSetFor(themeGlyphs: GlyphSetName | undefined, env: NodeJS.ProcessEnv, forced?: GlyphSetName): GlyphSetName {
  return forced ?? (themeGlyphs === 'ascii' || env.TERM === 'linux' ? 'ascii' : 'unicode');
}
