// Pure table fitting: column widths for a pane width, and rows cut to exact widths.
// Only the visible window is ever laid out (virtualised), whatever the row count.
import type { Cell, Column } from '../../present/cell.js';
import { truncate } from '../../present/format.js';
import type { Rows } from '../panes/model.js';

export interface FittedColumn extends Column {
  index: number;
  fitted: number;
}

/**
 * Drops the least important columns until the rest fit, then shares what is left among flex
 * columns: each gets what its widest content wants (`want`, by column index) if there is room,
 * and the rest is shared equally.
 */
export function fitColumns(columns: Column[], width: number, want: number[] = []): FittedColumn[] {
  let cols: FittedColumn[] = columns.map((c, index) => ({ ...c, index, fitted: 0 }));
  // A flex column of top priority (a name) needs room to be readable before others may stay;
  // in a narrow pane (80 columns) 12, so Pods keeps READY and RESTARTS beside it.
  const nameMin = width < 60 ? 12 : 20;
  const minFlex = (c: FittedColumn) => ((c.priority ?? 5) === 0 ? Math.min(nameMin, Math.max(6, want[c.index] ?? nameMin)) : 6);
  const fixedWidth = (list: FittedColumn[]) => list.reduce((n, c) => n + (c.width === 'flex' ? minFlex(c) : c.width), 0) + Math.max(0, list.length - 1);
  while (cols.length > 1 && fixedWidth(cols) > width) {
    const worst = cols.reduce((a, b) => ((b.priority ?? 5) >= (a.priority ?? 5) ? b : a));
    cols = cols.filter((c) => c !== worst);
  }
  const flex = cols.filter((c) => c.width === 'flex');
  const fixed = cols.reduce((n, c) => n + (c.width === 'flex' ? 0 : c.width), 0) + Math.max(0, cols.length - 1);
  let spare = Math.max(0, width - fixed);
  // A name is served first (whole where it can be, leaving the other flex columns their
  // minimum); the others share the rest, smallest wants first, so a short column does not hold
  // room a long one needs.
  const named = flex.filter((c) => (c.priority ?? 5) === 0);
  const others = flex.filter((c) => (c.priority ?? 5) !== 0);
  named.forEach((c, i) => {
    const room = Math.floor((spare - 6 * others.length) / (named.length - i));
    c.fitted = Math.max(minFlex(c), Math.min(room, Math.max(want[c.index] ?? room, c.title.length)));
    spare -= c.fitted;
  });
  const byWant = others.sort((a, b) => (want[a.index] ?? Infinity) - (want[b.index] ?? Infinity));
  byWant.forEach((c, i) => {
    const fair = Math.floor(spare / (byWant.length - i));
    c.fitted = Math.max(1, Math.min(fair, Math.max(want[c.index] ?? fair, c.title.length)));
    spare -= c.fitted;
  });
  const lastFlex = flex.at(-1);
  if (spare > 0 && lastFlex) lastFlex.fitted += spare;
  for (const c of cols) if (c.width !== 'flex') c.fitted = c.width;
  // With no flex column, the last column takes the slack so lines are exactly `width` wide.
  const total = cols.reduce((n, c) => n + c.fitted, 0) + Math.max(0, cols.length - 1);
  const last = cols.at(-1);
  if (last && total < width && !flex.length) last.fitted += width - total;
  if (last && total > width) last.fitted = Math.max(1, last.fitted - (total - width));
  return cols;
}

/** The widest text of each column over the rows (what flex columns want). */
export function contentWidths(rows: Rows<Cell[]>, columnCount: number): number[] {
  const out = new Array<number>(columnCount).fill(0);
  for (let r = 0; r < rows.length; r++) {
    const row = rows.at(r)!;
    for (let i = 0; i < columnCount; i++) {
      const len = row[i]?.text.length ?? 0;
      if (len > out[i]!) out[i] = len;
    }
  }
  return out;
}

/** One table row as cells whose text is exactly the fitted widths, separated by single spaces. */
export function fitRow(row: Cell[], cols: FittedColumn[]): Cell[] {
  const out: Cell[] = [];
  cols.forEach((col, i) => {
    const c = row[col.index] ?? { text: '' };
    const text = truncate(c.text, col.fitted);
    const padded = col.align === 'right' ? text.padStart(col.fitted) : text.padEnd(col.fitted);
    out.push({ ...c, text: padded + (i < cols.length - 1 ? ' ' : '') });
  });
  return out;
}

/**
 * What the row does not show: cells cut short and cells of columns left out for width, as
 * "TITLE text", most important column first (empty cells skipped). Empty when it shows all.
 */
export function unseenCells(row: Cell[], columns: Column[], cols: FittedColumn[]): string[] {
  const fitted = new Map(cols.map((c) => [c.index, c.fitted]));
  const unseen: { priority: number; text: string }[] = [];
  columns.forEach((col, i) => {
    const text = row[i]?.text.trim() ?? '';
    const room = fitted.get(i);
    if (!text || text === '-' || (room !== undefined && text.length <= room)) return;
    unseen.push({ priority: col.echo ?? col.priority ?? 5, text: col.title ? `${col.title} ${text}` : text });
  });
  // A stable sort keeps column order among equals.
  return unseen.sort((a, b) => a.priority - b.priority).map((u) => u.text);
}

export function headerRow(cols: FittedColumn[]): Cell[] {
  return fitRow(
    cols.map((c) => ({ text: c.title, token: 'muted' as const, bold: true })),
    cols.map((c, i) => ({ ...c, index: i })),
  );
}

/** The first visible row so that `cursor` stays in a window of `height` rows. */
export function windowStart(cursor: number, height: number, count: number, prevStart = 0): number {
  if (count <= height) return 0;
  let start = Math.min(prevStart, count - height);
  if (cursor < start) start = cursor;
  if (cursor >= start + height) start = cursor - height + 1;
  return Math.max(0, Math.min(start, count - height));
}
