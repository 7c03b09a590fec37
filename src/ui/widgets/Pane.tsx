// A framed pane of exactly width × height cells: title and status in the top border,
// optional fixed lines, then a virtualised table (only the visible rows are rendered).
// Each line is one pre-styled string (see ../ansi.ts).
import { memo } from 'react';
import { Box, Text } from 'ink';
import type { Cell } from '../../present/cell.js';
import type { Theme, ThemeToken } from '../theme.js';
import { fitColumns, fitRow, headerRow, unseenCells, windowStart } from './table.js';
import { filterMatcher, type PaneModel } from '../panes/model.js';
import { truncate } from '../../present/format.js';
import { paintCells } from '../ansi.js';

const BORDERS = {
  round: { tl: '╭', tr: '╮', bl: '╰', br: '╯', h: '─', v: '│' },
  single: { tl: '┌', tr: '┐', bl: '└', br: '┘', h: '─', v: '│' },
  bold: { tl: '┏', tr: '┓', bl: '┗', br: '┛', h: '━', v: '┃' },
  classic: { tl: '+', tr: '+', bl: '+', br: '+', h: '-', v: '|' },
} as const;

export interface PaneProps {
  model: PaneModel;
  /** Indices into model.rows after filtering, in display order. */
  visible: number[];
  width: number;
  height: number;
  focused: boolean;
  cursor: number;
  /** Previous window start, so the window scrolls only when the cursor leaves it. */
  scroll: number;
  filter: string;
  theme: Theme;
  /** Position of this pane in the focus order (its digit key). */
  index: number;
  /** Widest content per column, for sharing flex width. */
  want?: number[];
}

type Seg = { text: string; token?: ThemeToken; bold?: boolean };

/** The pane's lines as styled strings, top border to bottom border. Pure: tested without Ink. */
export function paneLines(props: PaneProps): string[] {
  const { model, width, height, focused, theme } = props;
  const b = BORDERS[theme.glyphs.borderStyle] ?? BORDERS.round;
  const border: ThemeToken = focused ? 'borderFocused' : 'border';
  const title = ` ${props.index} ${model.title}${props.filter ? ` /${props.filter}${filterMatcher(props.filter)?.plain ? ' (text)' : ''}` : ''} `;
  // A long badge (a source's error) never pushes out the pane's number and name.
  const badgeRoom = Math.max(0, width - 4 - Math.min(title.length, 16));
  const badge = model.badge ? truncate(` ${model.badge.text} `, badgeRoom) : '';

  if (height <= 1) {
    const t = truncate(title, Math.max(0, width - 2 - badge.length));
    const fill = Math.max(0, width - 1 - t.length - badge.length);
    const segs: Seg[] = [
      { text: b.h, token: border },
      { text: t, token: focused ? 'title' : 'muted', bold: focused },
    ];
    if (model.badge) segs.push({ ...model.badge, text: badge });
    segs.push({ text: b.h.repeat(fill), token: border });
    return [paintCells(segs, theme)];
  }

  const inner = Math.max(1, width - 4);
  const bodyRows = height - 2;
  const body: { cells: Cell[]; selected?: boolean }[] = [];
  for (const pre of model.preface ?? []) {
    if (body.length >= bodyRows) break;
    body.push({ cells: fitLine(pre, inner) });
  }
  const tableRows = bodyRows - body.length - (model.columns ? 1 : 0);
  // The focused pane's selected row, in full where the pane cuts or leaves out its cells: it
  // goes in the bottom border, so no cell is out of reach and no row is given up for it.
  let detail = '';
  const selectedRow = focused && props.visible.length ? model.rows.at(props.visible[Math.min(props.cursor, props.visible.length - 1)]!) : undefined;
  if (model.columns && tableRows >= 0 && body.length < bodyRows) {
    const cols = fitColumns(model.columns, inner, props.want);
    if (selectedRow) detail = unseenCells(selectedRow, model.columns, cols).join(' · ');
    body.push({ cells: headerRow(cols) });
    if (props.visible.length === 0) {
      if (tableRows > 0) body.push({ cells: fitLine([{ text: props.filter ? `no rows match "${props.filter}"` : (model.empty ?? 'nothing here'), token: 'muted' }], inner) });
    } else {
      const start = windowStart(props.cursor, tableRows, props.visible.length, props.scroll);
      for (let i = start; i < Math.min(props.visible.length, start + tableRows); i++) {
        body.push({ cells: fitRow(model.rows.at(props.visible[i]!) ?? [], cols), selected: focused && i === props.cursor });
      }
    }
  } else if (!model.columns) {
    const text = model.selectable && selectedRow ? selectedRow.map((c) => c.text).join('') : '';
    if (text.length > inner) detail = text.trim();
    const start = windowStart(props.cursor, bodyRows - body.length, props.visible.length, props.scroll);
    for (let i = start; i < props.visible.length && body.length < bodyRows; i++) {
      body.push({ cells: fitLine(model.rows.at(props.visible[i]!) ?? [], inner), selected: focused && model.selectable === true && i === props.cursor });
    }
    if (props.visible.length === 0 && body.length < bodyRows) body.push({ cells: fitLine([{ text: model.empty ?? 'nothing here', token: 'muted' }], inner) });
  }
  while (body.length < bodyRows) body.push({ cells: [{ text: ' '.repeat(inner) }] });

  const titleText = truncate(title, Math.max(0, width - 4 - badge.length));
  const fill = Math.max(0, width - 3 - titleText.length - badge.length);
  const top: Seg[] = [
    { text: b.tl + b.h, token: border },
    { text: titleText, token: focused ? 'title' : 'fg', bold: true },
    { text: b.h.repeat(fill), token: border },
  ];
  if (model.badge) top.push({ ...model.badge, text: badge });
  top.push({ text: b.tr, token: border });
  const left = paintCells([{ text: `${b.v} `, token: border }], theme);
  const right = paintCells([{ text: ` ${b.v}`, token: border }], theme);
  const shown = detail && width > 12 ? ` ${truncate(detail, width - 6)} ` : '';
  const bottom: Seg[] = shown
    ? [
        { text: b.bl + b.h, token: border },
        { text: shown, token: 'muted' },
        { text: b.h.repeat(Math.max(0, width - 3 - shown.length)) + b.br, token: border },
      ]
    : [{ text: b.bl + b.h.repeat(Math.max(0, width - 2)) + b.br, token: border }];
  return [paintCells(top, theme), ...body.map((line) => left + paintCells(line.cells, theme, line.selected ? 'selection' : undefined) + right), paintCells(bottom, theme)];
}

export const PaneView = memo(function PaneView({ lines, width, height }: { lines: string[]; width: number; height: number }) {
  return (
    <Box width={width} height={height} flexDirection="column">
      {lines.map((line, i) => (
        <Text key={i} wrap="truncate">
          {line}
        </Text>
      ))}
    </Box>
  );
});

/** Cuts or pads a free line of cells to exactly `width` characters. */
export function fitLine(cells: Cell[], width: number): Cell[] {
  const out: Cell[] = [];
  let used = 0;
  for (const c of cells) {
    if (used >= width) break;
    const text = c.text.length > width - used ? truncate(c.text, width - used) : c.text;
    out.push({ ...c, text });
    used += text.length;
  }
  if (used < width) out.push({ text: ' '.repeat(width - used) });
  return out;
}
