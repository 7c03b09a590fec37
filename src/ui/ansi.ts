// Lines are drawn as one pre-styled string each: a handful of Ink nodes per pane instead of one
// per cell keeps layout and reconciliation cheap (Ink lays out every node on every frame), and
// lets consecutive cells of the same style share one escape sequence.
import type { TextStyle, Theme, ThemeToken } from './theme.js';

const NAMED: Record<string, number> = { black: 30, red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, white: 37, gray: 90, grey: 90 };

function colorCode(color: string, background: boolean): string | null {
  const offset = background ? 10 : 0;
  if (color.startsWith('#') && color.length === 7) {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16));
    return `${background ? 48 : 38};2;${r};${g};${b}`;
  }
  if (color === 'default') return String(39 + offset);
  const bright = color.endsWith('Bright');
  const base = NAMED[bright ? color.slice(0, -6) : color];
  if (base === undefined) return null;
  return String((bright && base < 90 ? base + 60 : base) + offset);
}

/** The SGR sequence that turns a style on ('' for the terminal's default). */
export function sgr(style: TextStyle): string {
  const codes: string[] = [];
  if (style.bold) codes.push('1');
  if (style.dimColor) codes.push('2');
  if (style.underline) codes.push('4');
  if (style.inverse) codes.push('7');
  const fg = style.color ? colorCode(style.color, false) : null;
  if (fg) codes.push(fg);
  const bg = style.backgroundColor ? colorCode(style.backgroundColor, true) : null;
  if (bg) codes.push(bg);
  return codes.length ? `\x1b[${codes.join(';')}m` : '';
}

const cache = new WeakMap<Theme, Map<string, string>>();

function prefixFor(theme: Theme, token: ThemeToken, bold: boolean): string {
  let m = cache.get(theme);
  if (!m) cache.set(theme, (m = new Map()));
  const key = bold ? `${token}!` : token;
  let p = m.get(key);
  if (p === undefined) {
    // Plain text keeps the terminal's own foreground: warroom never paints the background, so the
    // terminal's default colour is the one that reads well on it (and it costs no bytes).
    const style = token === 'fg' ? { ...theme.style(token), color: undefined } : theme.style(token);
    p = sgr(bold ? { ...style, bold: true } : style);
    m.set(key, p);
  }
  return p;
}

/** Cells as one string with the fewest escape sequences; `override` styles the whole line (a selection). */
export function paintCells(cells: ReadonlyArray<{ text: string; token?: ThemeToken; bold?: boolean }>, theme: Theme, override?: ThemeToken): string {
  let out = '';
  let current = '';
  for (const c of cells) {
    if (!c.text) continue;
    const prefix = override ? prefixFor(theme, override, false) : prefixFor(theme, c.token ?? 'fg', !!c.bold);
    if (prefix !== current) {
      if (current) out += '\x1b[0m';
      out += prefix;
      current = prefix;
    }
    out += c.text;
  }
  return current ? out + '\x1b[0m' : out;
}

export function paint(text: string, theme: Theme, token: ThemeToken, bold = false): string {
  return paintCells([{ text, token, bold }], theme);
}
