// A framed pane of exactly width × height cells: title and status in the top border,
// optional fixed lines, then a virtualised table (only the visible rows are rendered).
import React, { memo } from 'react';
import { Box, Text } from 'ink';
import type { Cell } from '../../present/cell.js';
import type { Theme, ThemeToken } from '../theme.js';
import { fitColumns, fitRow, headerRow, windowStart } from './table.js';
import type { PaneModel } from '../panes/model.js';
import { truncate } from '../../present/format.js';

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

export const Pane = memo(function Pane(props: PaneProps) {
  const { model, width, height, focused, theme } = props;
  const b = BORDERS[theme.glyphs.borderStyle] ?? BORDERS.round;
  const borderToken: ThemeToken = focused ? 'borderFocused' : 'border';
  const title = ` ${props.index} ${model.title}${props.filter ? ` /${props.filter}` : ''} `;

  if (height <= 1) {
    const fill = Math.max(0, width - title.length - (model.badge ? model.badge.text.length + 3 : 0) - 2);
    return (
      <Box width={width} height={1}>
        <Text wrap="truncate">
          <Text {...theme.style(borderToken)}>{b.h}</Text>
          <Text {...theme.style(focused ? 'title' : 'muted')} bold={focused}>{truncate(title, width - 2)}</Text>
          {model.badge ? <Seg cell={{ ...model.badge, text: ` ${model.badge.text} ` }} theme={theme} /> : null}
          <Text {...theme.style(borderToken)}>{b.h.repeat(fill)}</Text>
        </Text>
      </Box>
    );
  }

  const inner = Math.max(1, width - 4);
  const bodyRows = height - 2;
  const lines: { key: string; cells: Cell[]; selected?: boolean }[] = [];
  for (const [i, pre] of (model.preface ?? []).entries()) {
    if (lines.length >= bodyRows) break;
    lines.push({ key: `p${i}`, cells: fitLine(pre, inner) });
  }
  const tableRows = bodyRows - lines.length - (model.columns ? 1 : 0);
  if (model.columns && tableRows >= 0 && lines.length < bodyRows) {
    const cols = fitColumns(model.columns, inner, props.want);
    lines.push({ key: 'h', cells: headerRow(cols) });
    if (props.visible.length === 0) {
      if (tableRows > 0) lines.push({ key: 'empty', cells: fitLine([{ text: props.filter ? `no rows match "${props.filter}"` : model.empty ?? 'nothing here', token: 'muted' }], inner) });
    } else {
      const start = windowStart(props.cursor, tableRows, props.visible.length, props.scroll);
      for (let i = start; i < Math.min(props.visible.length, start + tableRows); i++) {
        const row = model.rows[props.visible[i]];
        lines.push({ key: `r${i}`, cells: fitRow(row, cols), selected: focused && i === props.cursor });
      }
    }
  } else if (!model.columns) {
    const start = windowStart(props.cursor, bodyRows - lines.length, props.visible.length, props.scroll);
    for (let i = start; i < props.visible.length && lines.length < bodyRows; i++) {
      lines.push({ key: `r${i}`, cells: fitLine(model.rows[props.visible[i]], inner), selected: focused && model.selectable === true && i === props.cursor });
    }
    if (props.visible.length === 0 && lines.length < bodyRows) lines.push({ key: 'empty', cells: fitLine([{ text: model.empty ?? 'nothing here', token: 'muted' }], inner) });
  }
  while (lines.length < bodyRows) lines.push({ key: `f${lines.length}`, cells: [{ text: ' '.repeat(inner) }] });

  const badge = model.badge ? ` ${model.badge.text} ` : '';
  const titleText = truncate(title, Math.max(0, width - 4 - badge.length));
  const fill = Math.max(0, width - 3 - titleText.length - badge.length);
  const border = theme.style(borderToken);
  return (
    <Box width={width} height={height} flexDirection="column">
      <Text wrap="truncate">
        <Text {...border}>{b.tl + b.h}</Text>
        <Text {...theme.style(focused ? 'title' : 'fg')} bold>{titleText}</Text>
        <Text {...border}>{b.h.repeat(fill)}</Text>
        {model.badge ? <Seg cell={{ ...model.badge, text: badge }} theme={theme} /> : null}
        <Text {...border}>{b.tr}</Text>
      </Text>
      {lines.map((line) => (
        <Text key={line.key} wrap="truncate">
          <Text {...border}>{b.v} </Text>
          <Row cells={line.cells} selected={!!line.selected} theme={theme} />
          <Text {...border}> {b.v}</Text>
        </Text>
      ))}
      <Text wrap="truncate" {...border}>
        {b.bl + b.h.repeat(Math.max(0, width - 2)) + b.br}
      </Text>
    </Box>
  );
});

function Row({ cells, selected, theme }: { cells: Cell[]; selected: boolean; theme: Theme }) {
  if (selected) {
    return <Text {...theme.style('selection')}>{cells.map((c) => c.text).join('')}</Text>;
  }
  return (
    <>
      {cells.map((c, i) => (
        <Seg key={i} cell={c} theme={theme} />
      ))}
    </>
  );
}

export function Seg({ cell, theme }: { cell: Cell; theme: Theme }) {
  const style = theme.style(cell.token ?? 'fg');
  return (
    <Text {...style} bold={cell.bold || style.bold}>
      {cell.text}
    </Text>
  );
}

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
