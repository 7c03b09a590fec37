// The screen as packed cells: one glyph and one interned style per cell, in typed arrays, and
// styled strings parsed into cells once (cached by their text across frames).
import stringWidth from 'string-width';

/** The second cell of a double-width glyph. */
export const WIDE_TAIL = 0;
const SPACE = 32;
/** Glyph ids with this bit set index `glyphTable` (graphemes of more than one code point). */
const INTERNED = 0x8000_0000;

const glyphIds = new Map<string, number>();
const glyphTable: string[] = [];

export function glyphId(g: string): number {
  const cp = g.codePointAt(0)!;
  if (g.length === 1 || (g.length === 2 && cp > 0xffff)) return cp;
  let id = glyphIds.get(g);
  if (id === undefined) {
    id = (glyphTable.push(g) - 1) | INTERNED;
    glyphIds.set(g, id);
  }
  return id;
}

export function glyphText(id: number): string {
  // Interned ids are only handed out by the table.
  return id & INTERNED ? glyphTable[id & ~INTERNED]! : String.fromCodePoint(id);
}

// ---------------------------------------------------------------- styles

/** Attribute bits, with the SGR code that sets each. */
const ATTRS: Array<[bit: number, on: number, off: number]> = [
  [1, 1, 22], // bold
  [2, 2, 22], // dim (22 also clears bold)
  [4, 3, 23], // italic
  [8, 4, 24], // underline
  [16, 5, 25], // blink
  [32, 7, 27], // inverse
  [64, 8, 28], // hidden
  [128, 9, 29], // strikethrough
];

export interface Style {
  attrs: number;
  /** SGR parameters of the foreground ('' = the terminal's default), e.g. "31", "38;2;1;2;3". */
  fg: string;
  bg: string;
}

/** Interned styles; id 0 is the terminal's default. */
export class StyleTable {
  private readonly ids = new Map<string, number>([['0||', 0]]);
  readonly styles: Style[] = [{ attrs: 0, fg: '', bg: '' }];

  intern(attrs: number, fg: string, bg: string): number {
    const key = `${attrs}|${fg}|${bg}`;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.styles.push({ attrs, fg, bg }) - 1;
      this.ids.set(key, id);
    }
    return id;
  }

  /** The shortest SGR sequence that turns style `from` into style `to` on the terminal. */
  transition(from: number, to: number): string {
    if (from === to) return '';
    // Style ids are only handed out by this table.
    const a = this.styles[from]!;
    const b = this.styles[to]!;
    const full = this.codes(b);
    const reset = full ? `\x1b[0;${full}m` : '\x1b[0m';
    if (from === 0) return `\x1b[${full}m`;
    const codes: Array<number | string> = [];
    const removed = a.attrs & ~b.attrs;
    let keep = a.attrs & b.attrs;
    for (const [bit, , off] of ATTRS) {
      if (!(removed & bit)) continue;
      if (!codes.includes(off)) codes.push(off);
      // 22 clears both bold and dim: turn back on the one that stays.
      if (off === 22) keep &= ~3;
    }
    for (const [bit, on] of ATTRS) if (b.attrs & bit && !(keep & bit)) codes.push(on);
    if (a.fg !== b.fg) codes.push(b.fg || 39);
    if (a.bg !== b.bg) codes.push(b.bg || 49);
    const delta = `\x1b[${codes.join(';')}m`;
    return delta.length < reset.length ? delta : reset;
  }

  private codes(s: Style): string {
    const out: Array<number | string> = [];
    for (const [bit, on] of ATTRS) if (s.attrs & bit) out.push(on);
    if (s.fg) out.push(s.fg);
    if (s.bg) out.push(s.bg);
    return out.join(';');
  }
}

/** Applies one SGR sequence's parameters to a running state. */
function applySgr(params: string, st: { attrs: number; fg: string; bg: string }): void {
  const p = params === '' ? ['0'] : params.split(/[;:]/);
  for (let i = 0; i < p.length; i++) {
    const n = p[i] === '' ? 0 : Number(p[i]);
    if (n === 0) {
      st.attrs = 0;
      st.fg = '';
      st.bg = '';
    } else if (n === 38 || n === 48) {
      let code: string | null = null;
      if (p[i + 1] === '5' && i + 2 < p.length) {
        code = `${n};5;${Number(p[i + 2])}`;
        i += 2;
      } else if (p[i + 1] === '2' && i + 4 < p.length) {
        code = `${n};2;${Number(p[i + 2])};${Number(p[i + 3])};${Number(p[i + 4])}`;
        i += 4;
      } else i = p.length;
      if (code) {
        if (n === 38) st.fg = code;
        else st.bg = code;
      }
    } else if (n === 39) st.fg = '';
    else if (n === 49) st.bg = '';
    else if ((n >= 30 && n <= 37) || (n >= 90 && n <= 97)) st.fg = String(n);
    else if ((n >= 40 && n <= 47) || (n >= 100 && n <= 107)) st.bg = String(n);
    else if (n === 22) st.attrs &= ~3;
    else {
      const on = ATTRS.find(([, c]) => c === n);
      if (on) st.attrs |= on[0];
      else {
        const off = ATTRS.find(([, , c]) => c === n);
        if (off) st.attrs &= ~off[0];
      }
    }
  }
}

// ---------------------------------------------------------------- styled strings → cells

export interface CellLine {
  glyphs: Uint32Array;
  styles: Uint32Array;
  /** Columns (a wide glyph counts two; its second cell is WIDE_TAIL). */
  width: number;
}

const segmenter = new Intl.Segmenter();
const widths = new Map<string, number>();
const DEFAULT_IGNORABLE = /^\p{Default_Ignorable_Code_Point}+$/u;

function graphemeWidth(g: string): number {
  let w = widths.get(g);
  if (w === undefined) {
    w = DEFAULT_IGNORABLE.test(g) ? 0 : Math.max(1, stringWidth(g));
    widths.set(g, w);
  }
  return w;
}

/** Parses one line of text with SGR sequences (other escape sequences are dropped) into cells. */
export function parseLine(text: string, styles: StyleTable): CellLine {
  const glyphs: number[] = [];
  const ids: number[] = [];
  const st = { attrs: 0, fg: '', bg: '' };
  let style = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x1b) {
      const next = text.charCodeAt(i + 1);
      if (next === 0x5b) {
        // CSI: parameters, then a final byte in 0x40–0x7e.
        let j = i + 2;
        while (j < n && (text.charCodeAt(j) < 0x40 || text.charCodeAt(j) > 0x7e)) j++;
        if (text.charCodeAt(j) === 0x6d) {
          applySgr(text.slice(i + 2, j), st);
          style = styles.intern(st.attrs, st.fg, st.bg);
        }
        i = j + 1;
      } else if (next === 0x5d) {
        // OSC (hyperlinks, titles): up to BEL or ST.
        let j = i + 2;
        while (j < n && text.charCodeAt(j) !== 0x07 && !(text.charCodeAt(j) === 0x1b && text.charCodeAt(j + 1) === 0x5c)) j++;
        i = text.charCodeAt(j) === 0x07 ? j + 1 : j + 2;
      } else i += 2;
      continue;
    }
    // A run of printable ASCII: one cell per character.
    if (c >= 0x20 && c < 0x7f) {
      glyphs.push(c);
      ids.push(style);
      i++;
      continue;
    }
    if (c < 0x20 || c === 0x7f) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < n) {
      const d = text.charCodeAt(j);
      if (d === 0x1b || (d >= 0x20 && d < 0x7f) || d < 0x20) break;
      j++;
    }
    // Graphemes can join a following ASCII character only in rare sequences (keycaps); keep it simple.
    for (const { segment } of segmenter.segment(text.slice(i, j))) {
      const w = graphemeWidth(segment);
      if (w === 0) continue;
      glyphs.push(glyphId(segment));
      ids.push(style);
      if (w === 2) {
        glyphs.push(WIDE_TAIL);
        ids.push(style);
      }
    }
    i = j;
  }
  return { glyphs: Uint32Array.from(glyphs), styles: Uint32Array.from(ids), width: glyphs.length };
}

/**
 * Parsed lines by text, kept while they are in use: a line drawn in this frame or the previous
 * one is parsed once; the rest are dropped when a frame ends.
 */
export class LineCache {
  private current = new Map<string, CellLine>();
  private previous = new Map<string, CellLine>();
  constructor(private readonly styles: StyleTable) {}

  get(text: string): CellLine {
    let line = this.current.get(text);
    if (line) return line;
    line = this.previous.get(text) ?? parseLine(text, this.styles);
    this.current.set(text, line);
    return line;
  }

  endFrame(): void {
    this.previous = this.current;
    this.current = new Map();
  }

  get size(): number {
    return this.current.size + this.previous.size;
  }
}

// ---------------------------------------------------------------- the grid

export class Grid {
  readonly glyphs: Uint32Array;
  readonly styles: Uint32Array;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.glyphs = new Uint32Array(width * height).fill(SPACE);
    this.styles = new Uint32Array(width * height);
  }

  clear(): void {
    this.glyphs.fill(SPACE);
    this.styles.fill(0);
  }

  /** Writes a parsed line at (x, y), inside the columns [x1, x2) and rows [y1, y2). */
  blit(line: CellLine, x: number, y: number, clip: Clip): void {
    if (y < clip.y1 || y >= clip.y2 || y < 0 || y >= this.height) return;
    const lo = Math.max(clip.x1, 0, x);
    const hi = Math.min(clip.x2, this.width, x + line.width);
    if (lo >= hi) return;
    const row = y * this.width;
    const g = this.glyphs;
    const s = this.styles;
    // Overwriting the second half of a wide glyph: its first half becomes a space.
    if (g[row + lo] === WIDE_TAIL && lo > 0) g[row + lo - 1] = SPACE;
    g.set(line.glyphs.subarray(lo - x, hi - x), row + lo);
    s.set(line.styles.subarray(lo - x, hi - x), row + lo);
    // A wide glyph cut by the left edge keeps its cell as a space; one cut by the right edge too.
    if (g[row + lo] === WIDE_TAIL) g[row + lo] = SPACE;
    if (hi - x < line.width && line.glyphs[hi - x] === WIDE_TAIL) g[row + hi - 1] = SPACE;
    // Overwriting the first half of a wide glyph: its orphaned second half becomes a space.
    if (hi < this.width && g[row + hi] === WIDE_TAIL && (hi - x >= line.width || line.glyphs[hi - x] !== WIDE_TAIL)) g[row + hi] = SPACE;
  }

  /** The text of a row (for tests and diagnostics). */
  rowText(y: number): string {
    let out = '';
    for (let x = 0; x < this.width; x++) {
      const id = this.glyphs[y * this.width + x]!;
      if (id !== WIDE_TAIL) out += glyphText(id);
    }
    return out;
  }
}

export interface Clip {
  x1: number;
  x2: number;
  y1: number;
  y2: number;
}

export const NO_CLIP: Clip = { x1: -Infinity, x2: Infinity, y1: -Infinity, y2: Infinity };
