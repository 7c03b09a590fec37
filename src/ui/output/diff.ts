// The bytes that turn the terminal's screen (`prev`) into `next`: rows that moved up or down are
// moved by the terminal (a scroll region), then only changed cells are written, reached with the
// shortest cursor move, with minimal SGR transitions, runs merged across small gaps, a blank row
// end erased with one EL.
import { glyphText, WIDE_TAIL, type Grid, type StyleTable } from './cells.js';

const SPACE = 32;
/** Unchanged cells worth rewriting instead of jumping over (a jump costs 4–8 bytes). */
const MAX_GAP = 4;

export interface DiffResult {
  out: string;
  /** Cells written. */
  cells: number;
  /** Scroll-region moves used. */
  scrolls: number;
}

export interface DiffOptions {
  /** Move shifted rows with scroll regions (DECSTBM + IL/DL); default true. */
  scroll?: boolean;
}

/**
 * `prev` must hold what the terminal shows, with the terminal's SGR state at the default and the
 * cursor position unknown; on return `prev` equals `next`. `prev === null` means unknown: the
 * screen is erased first.
 */
export function diffGrids(prev: Grid | null, next: Grid, styles: StyleTable, o: DiffOptions = {}): DiffResult {
  const w = next.width;
  const h = next.height;
  let out = '';
  let cells = 0;
  let scrolls = 0;
  if (prev && o.scroll !== false) {
    // Up to three moves (a pane's rows shifting and another's, say); each must pay for itself.
    for (let n = 0; n < 3; n++) {
      const m = bestScroll(prev, next);
      if (!m) break;
      out += applyScroll(prev, m);
      scrolls++;
    }
  }
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
  return { out, cells, scrolls };
}

// ---------------------------------------------------------------- scroll regions

/** Rows [top, bottom] move by `by` (> 0: down, < 0: up); the rows it uncovers become blank. */
export interface ScrollMove {
  top: number;
  bottom: number;
  by: number;
}

/** Rows a move may shift by, each way. */
const MAX_SHIFT = 8;
/** Bytes a move costs (DECSTBM, CUP, IL/DL, margins reset) and a margin it must win by. */
const SCROLL_COST = 24;
/** What an untouched row saves besides its cells: the cursor move to it. */
const ROW_BONUS = 6;

/** Bytes it takes to write a cell's glyph (UTF-8), the measure of what a move saves. */
function glyphBytes(id: number): number {
  if (id === WIDE_TAIL) return 0;
  if (id < 0x80) return 1;
  if (id < 0x800) return 2;
  if (id < 0x10000) return 3;
  return 4;
}

/** Cells per block: rows are compared block by block, by hash, to keep the search cheap. */
const BLOCK = 8;

/**
 * The move (full width: a terminal's scroll region spans whole rows) that saves the most bytes
 * over writing the cells, or null when none pays for itself. A row's score is the bytes of its
 * blocks of cells that would already be right (plus ROW_BONUS when all are); blocks are compared
 * by hash, so the score is an estimate (the diff that follows is exact either way).
 */
export function bestScroll(prev: Grid, next: Grid): ScrollMove | null {
  const w = next.width;
  const h = next.height;
  if (h < 2 || prev.width !== w || prev.height !== h) return null;
  const ng = next.glyphs;
  const ns = next.styles;
  const pg = prev.glyphs;
  const ps = prev.styles;
  const nb = Math.ceil(w / BLOCK);
  // Per block: the hash of next's and prev's cells, next's bytes, whether next's is blank.
  const hn = new Int32Array(h * nb);
  const hp = new Int32Array(h * nb);
  const wt = new Uint16Array(h * nb);
  const full = new Float64Array(h);
  const stay = new Float64Array(h);
  const blank = new Float64Array(h);
  let changed = 0;
  for (let y = 0; y < h; y++) {
    let same = 0;
    let all = 0;
    let bl = 0;
    for (let b = 0; b < nb; b++) {
      let a = 0x811c9dc5 | 0;
      let c = a;
      let bytes = 0;
      let isBlank = true;
      for (let x = b * BLOCK, end = Math.min(w, x + BLOCK), i = y * w + x; x < end; x++, i++) {
        const g = ng[i]!;
        a = Math.imul(a ^ g, 0x01000193) ^ Math.imul(ns[i]! + 1, 0x9e3779b1);
        c = Math.imul(c ^ pg[i]!, 0x01000193) ^ Math.imul(ps[i]! + 1, 0x9e3779b1);
        bytes += glyphBytes(g);
        if ((g !== SPACE && g !== WIDE_TAIL) || ns[i] !== 0) isBlank = false;
      }
      const k = y * nb + b;
      hn[k] = a;
      hp[k] = c;
      wt[k] = bytes;
      all += bytes;
      if (a === c) same += bytes;
      if (isBlank) bl += bytes;
    }
    if (same !== all) changed++;
    full[y] = all;
    stay[y] = same + (same === all ? ROW_BONUS : 0);
    blank[y] = bl + (bl === all ? ROW_BONUS : 0) - stay[y]!;
  }
  if (changed < 2) return null;

  let best: ScrollMove | null = null;
  let bestGain = SCROLL_COST;
  const gain = new Float64Array(h);
  const pre = new Float64Array(h + 1);
  const preBlank = new Float64Array(h + 1);
  for (let y = 0; y < h; y++) preBlank[y + 1] = preBlank[y]! + blank[y]!;
  for (let k = 1; k <= Math.min(MAX_SHIFT, h - 1); k++) {
    for (const by of [k, -k]) {
      // gain[y]: what row y wins when it shows prev's row y - by instead of its own.
      let any = false;
      for (let y = 0; y < h; y++) {
        const from = y - by;
        if (from < 0 || from >= h) {
          gain[y] = -1e12;
          continue;
        }
        let same = 0;
        for (let b = 0, i = y * nb, j = from * nb; b < nb; b++, i++, j++) if (hn[i] === hp[j]) same += wt[i]!;
        gain[y] = same + (same === full[y] ? ROW_BONUS : 0) - stay[y]!;
        if (gain[y]! > 0) any = true;
      }
      if (!any) continue;
      for (let y = 0; y < h; y++) pre[y + 1] = pre[y]! + gain[y]!;
      // A move of rows [top, bottom] by k: down, the k rows at the top are uncovered (blank) and
      // rows top+k..bottom show prev's top..bottom-k; up, the mirror image.
      for (let top = 0; top + k <= h - 1; top++) {
        for (let bottom = top + k; bottom < h; bottom++) {
          const g =
            by > 0 ? preBlank[top + k]! - preBlank[top]! + pre[bottom + 1]! - pre[top + k]! : pre[bottom - k + 1]! - pre[top]! + preBlank[bottom + 1]! - preBlank[bottom - k + 1]!;
          if (g > bestGain) {
            bestGain = g;
            best = { top, bottom, by };
          }
        }
      }
    }
  }
  return best;
}

/**
 * The bytes of a move, applied to `prev` as the terminal applies them: margins set to the rows
 * (DECSTBM), the cursor to the region's top row, k lines inserted (IL, down) or deleted (DL, up)
 * there, margins reset. Inserted lines take the current background, so this runs while the
 * terminal's SGR state is the default. The cursor position afterwards is left unknown.
 */
export function applyScroll(prev: Grid, m: ScrollMove): string {
  const w = prev.width;
  const k = Math.abs(m.by);
  const g = prev.glyphs;
  const s = prev.styles;
  if (m.by > 0) {
    g.copyWithin((m.top + k) * w, m.top * w, (m.bottom + 1 - k) * w);
    s.copyWithin((m.top + k) * w, m.top * w, (m.bottom + 1 - k) * w);
    g.fill(SPACE, m.top * w, (m.top + k) * w);
    s.fill(0, m.top * w, (m.top + k) * w);
  } else {
    g.copyWithin(m.top * w, (m.top + k) * w, (m.bottom + 1) * w);
    s.copyWithin(m.top * w, (m.top + k) * w, (m.bottom + 1) * w);
    g.fill(SPACE, (m.bottom + 1 - k) * w, (m.bottom + 1) * w);
    s.fill(0, (m.bottom + 1 - k) * w, (m.bottom + 1) * w);
  }
  const n = k === 1 ? '' : String(k);
  return `\x1b[${m.top + 1};${m.bottom + 1}r\x1b[${m.top + 1}H\x1b[${n}${m.by > 0 ? 'L' : 'M'}\x1b[r`;
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
  if (cy < 0 || cx < 0 || cx > w) return cup;
  const rel = x > cx ? (x - cx === 1 ? '\x1b[C' : `\x1b[${x - cx}C`) : x - cx === -1 ? '\b' : `\x1b[${cx - x}D`;
  const cha = x === 0 ? '\r' : `\x1b[${x + 1}G`;
  const across = x === cx ? '' : rel.length < cha.length ? rel : cha;
  let best = cup;
  const offer = (m: string) => {
    if (m.length < best.length) best = m;
  };
  const dy = y - cy;
  if (dy === 0) offer(across);
  else {
    // Up or down, keeping the column, then across.
    offer((dy > 0 ? (dy === 1 ? '\x1b[B' : `\x1b[${dy}B`) : dy === -1 ? '\x1b[A' : `\x1b[${-dy}A`) + across);
    // A newline (the tty's ONLCR makes it CR LF) from the first column never depends on ONLCR.
    if (cx === 0 && dy > 0 && dy <= 3) offer('\n'.repeat(dy) + (x === 0 ? '' : rel));
  }
  return best;
}
