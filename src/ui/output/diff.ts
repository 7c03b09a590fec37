// The bytes that turn the terminal's screen (`prev`) into `next`: only changed cells, reached
// with the shortest cursor move, with minimal SGR transitions, runs merged across small gaps, a
// blank row end erased with one EL.
import { glyphText, WIDE_TAIL, type Grid, type StyleTable } from './cells.js';

const SPACE = 32;
/** Unchanged cells worth rewriting instead of jumping over (a jump costs 4–8 bytes). */
const MAX_GAP = 4;

export interface DiffResult {
  out: string;
  /** Cells written. */
  cells: number;
}

/**
 * `prev` must hold what the terminal shows, with the terminal's SGR state at the default and the
 * cursor position unknown; on return `prev` equals `next`. `prev === null` means unknown: the
 * screen is erased first.
 */
export function diffGrids(prev: Grid | null, next: Grid, styles: StyleTable): DiffResult {
  const w = next.width;
  const h = next.height;
  let out = '';
  let cells = 0;
  let cx = -1;
  let cy = -1;
  let style = 0;
  const ng = next.glyphs;
  const ns = next.styles;
  let pg: Uint32Array;
  let ps: Uint32Array;
  if (!prev) {
    out += '\x1b[0m\x1b[H\x1b[2J';
    cx = 0;
    cy = 0;
    pg = new Uint32Array(w * h).fill(SPACE);
    ps = new Uint32Array(w * h);
  } else {
    pg = prev.glyphs;
    ps = prev.styles;
  }

  for (let y = 0; y < h; y++) {
    const row = y * w;
    // The row's last cell that is not a default blank: beyond it, one EL clears the row.
    let lastInk = w - 1;
    while (lastInk >= 0 && ng[row + lastInk] === SPACE && ns[row + lastInk] === 0) lastInk--;
    let x = 0;
    while (x < w) {
      const i = row + x;
      if (ng[i] === pg[i] && ns[i] === ps[i]) {
        x++;
        continue;
      }
      // Start a wide glyph at its first cell.
      let start = x;
      if (ng[i] === WIDE_TAIL && x > 0) start = x - 1;
      if (start > lastInk) {
        // Everything from here to the row's end is blank: erase instead of writing spaces.
        out += move(cx, cy, start, y, w) + styles.transition(style, 0) + '\x1b[K';
        style = 0;
        cx = start;
        cy = y;
        for (let k = row + start; k < row + w; k++) {
          pg[k] = SPACE;
          ps[k] = 0;
        }
        break;
      }
      // Reach `start`: rewrite a short gap of unchanged single-width cells in the current style, or jump.
      if (cy === y && cx >= 0 && start > cx && start - cx <= MAX_GAP && sameStyleRun(ng, ns, row + cx, row + start, style)) {
        for (let k = row + cx; k < row + start; k++) out += glyphText(ng[k]!);
      } else out += move(cx, cy, start, y, w);
      cx = start;
      cy = y;
      // Write changed cells, continuing across gaps of up to MAX_GAP unchanged cells.
      let k = start;
      let end = start;
      while (k < w && k <= lastInk) {
        const j = row + k;
        if (ng[j] === pg[j] && ns[j] === ps[j]) {
          let gap = k;
          while (gap < w && gap <= lastInk && gap - k < MAX_GAP && ng[row + gap] === pg[row + gap] && ns[row + gap] === ps[row + gap]) gap++;
          if (gap - k >= MAX_GAP || gap > lastInk || gap >= w || !sameStyleRun(ng, ns, j, row + gap, ns[row + gap]!)) break;
          k = gap;
          continue;
        }
        k++;
        end = k;
      }
      // A wide glyph's second cell is written with its first.
      if (end < w && ng[row + end] === WIDE_TAIL) end++;
      for (let c = start; c < end; c++) {
        const j = row + c;
        const g = ng[j]!;
        if (g === WIDE_TAIL) continue;
        out += styles.transition(style, ns[j]!);
        style = ns[j]!;
        out += glyphText(g);
        cells++;
      }
      for (let c = row + start; c < row + end; c++) {
        pg[c] = ng[c]!;
        ps[c] = ns[c]!;
      }
      cx = end;
      // At the right edge the cursor waits to wrap; its column is not reliable.
      if (cx >= w) cx = -1;
      x = end;
    }
  }
  if (style !== 0) out += '\x1b[0m';
  return { out, cells };
}

/** Cells [from, to) are single-width and in `style` (so writing them changes nothing but the cursor). */
function sameStyleRun(g: Uint32Array, s: Uint32Array, from: number, to: number, style: number): boolean {
  for (let k = from; k < to; k++) if (s[k] !== style || g[k] === WIDE_TAIL || (k + 1 < g.length && g[k + 1] === WIDE_TAIL)) return false;
  return true;
}

/** The shortest cursor movement from (cx, cy) to (x, y); cx < 0 means unknown. */
function move(cx: number, cy: number, x: number, y: number, w: number): string {
  if (cy === y && cx === x) return '';
  const cup = x === 0 ? `\x1b[${y + 1}H` : `\x1b[${y + 1};${x + 1}H`;
  if (cy !== y || cx < 0 || cx > w) {
    if (x === 0 && cx === 0 && y === cy + 1) return '\n';
    return cup;
  }
  const cha = x === 0 ? '\r' : `\x1b[${x + 1}G`;
  const rel = x > cx ? (x - cx === 1 ? '\x1b[C' : `\x1b[${x - cx}C`) : x - cx === -1 ? '\b' : `\x1b[${cx - x}D`;
  return rel.length < cha.length ? (rel.length < cup.length ? rel : cup) : cha.length < cup.length ? cha : cup;
}
