// Dialogs (prompt, confirm, select) and full-body overlays (help, and the text viewer).
import React from 'react';
import { Box, Text } from 'ink';
import { useCockpit, useSelect } from '../context.js';
import type { Dialog } from './dialogs.js';
import { truncate } from '../../present/format.js';
import { ViewerView } from '../viewer/ViewerView.js';
import { LogsView } from './LogsView.js';
import { wrapRow } from '../wrap-row.js';
import { createViewer, viewerHints } from '../viewer/viewer.js';
import { logsKeys } from '../logs-viewer.js';

export function DialogView({ width, height }: { width: number; height: number }) {
  const { theme } = useCockpit();
  const d = useSelect((s) => s.ui.dialog) as Dialog | null;
  if (!d) return null;
  const inner = Math.max(10, Math.min(width - 4, 100));
  const lines: React.ReactNode[] = [];
  const push = (node: React.ReactNode) => lines.push(<Box key={lines.length}>{node}</Box>);
  if (d.kind === 'prompt') {
    d.fields.forEach((f, i) => {
      const active = i === d.active;
      const label = `${active ? '›' : ' '} ${f.label}: `;
      // The field being typed shows its end (where the cursor is) when it is longer than the room.
      const room = Math.max(4, inner - 2 - label.length);
      const value = d.values[i] ?? '';
      const shown = active && value.length > room ? `…${value.slice(value.length - room + 1)}` : value;
      push(
        <Text wrap="truncate">
          <Text {...theme.style(active ? 'keyHint' : 'muted')} bold={active}>
            {label}
          </Text>
          <Text {...theme.style('fg')} underline={active}>
            {shown}
          </Text>
          {active ? <Text {...theme.style('fg')}>▏</Text> : null}
        </Text>,
      );
    });
    push(<Text> </Text>);
    if (d.discarding)
      push(
        <Text {...theme.style('warn')} bold>
          Discard your changes? y discard · n / Esc keep editing
        </Text>,
      );
    else push(<Text {...theme.style('muted')}>Enter submit · Tab next field · Esc cancel</Text>);
    if (d.error)
      push(
        <Text {...theme.style('critical')} bold>
          {d.error}
        </Text>,
      );
  } else if (d.kind === 'confirm') {
    // Complete and scrollable: every line is there, wrapped to the dialog's width, one row each.
    const rows = d.lines.flatMap((l) => wrapRow(l, inner));
    const room = Math.max(3, height - 9);
    const start = Math.min(d.scroll, Math.max(0, rows.length - room));
    for (const l of rows.slice(start, start + room))
      push(
        <Text wrap="truncate" {...theme.style('fg')}>
          {l || ' '}
        </Text>,
      );
    if (rows.length > room) push(<Text {...theme.style('muted')}>{`lines ${start + 1}–${Math.min(rows.length, start + room)} of ${rows.length} · ↑/↓ PgUp/PgDn scroll`}</Text>);
    push(<Text> </Text>);
    if (d.typeName !== undefined) {
      push(
        <Text wrap="truncate">
          <Text {...theme.style('warn')} bold>{`Type "${d.typeName}" to confirm: `}</Text>
          <Text underline>{d.typed}</Text>
          <Text>▏</Text>
        </Text>,
      );
      push(<Text {...theme.style('muted')}>{d.back ? 'Enter confirm · Esc back to editing' : 'Enter confirm · Esc cancel'}</Text>);
    } else {
      push(
        <Text {...theme.style(d.dangerous ? 'warn' : 'keyHint')} bold>
          {d.back ? 'Proceed? y / Enter yes · n cancel · Esc back to editing' : 'Proceed? y / Enter yes · n / Esc cancel'}
        </Text>,
      );
    }
    if (d.error)
      push(
        <Text {...theme.style('critical')} bold>
          {d.error}
        </Text>,
      );
  } else {
    for (const l of d.lines ?? [])
      push(
        <Text wrap="truncate" {...theme.style('fg')}>
          {l}
        </Text>,
      );
    const room = Math.max(1, height - 6 - (d.lines?.length ?? 0));
    const start = Math.max(0, Math.min(d.index - Math.floor(room / 2), d.options.length - room));
    d.options.slice(start, start + room).forEach((o, i) => {
      const selected = start + i === d.index;
      push(
        <Text wrap="truncate" {...theme.style(selected ? 'selection' : 'fg')}>
          {truncate(`${selected ? '›' : ' '} ${o.label}${o.detail ? `  ${o.detail}` : ''}`, inner)}
        </Text>,
      );
    });
    push(<Text {...theme.style('muted')}>↑/↓ choose · Enter select · Esc cancel</Text>);
  }
  return (
    <Box width={width} height={height} flexDirection="column" alignItems="center" justifyContent="center" overflow="hidden">
      <Box
        width={inner + 4}
        flexDirection="column"
        borderStyle={theme.glyphs.borderStyle}
        borderColor={theme.style(d.kind === 'confirm' && d.dangerous ? 'critical' : 'borderFocused').color}
        paddingX={1}
      >
        <Text {...theme.style('title')} bold wrap="truncate">
          {d.title}
        </Text>
        {lines}
      </Box>
    </Box>
  );
}

export function OverlayView({ width, height }: { width: number; height: number }) {
  const { theme, keymap, runner } = useCockpit();
  const overlay = useSelect((s) => s.ui.overlay);
  const matrix = useSelect((s) => s.paging.data.matrix);
  if (!overlay) return null;
  if (overlay.kind === 'logs') return <LogsView view={overlay} width={width} height={height} />;
  if (overlay.kind === 'viewer') return <ViewerView view={overlay} width={width} height={height} />;
  const lines: { text: string; token?: 'muted' | 'keyHint' | 'title' | 'fg'; bold?: boolean }[] = [];
  const reasons = new Set<string>();
  let group = '';
  for (const c of keymap.commands) {
    if (c.group !== group) {
      group = c.group;
      lines.push({ text: group, token: 'title', bold: true });
    }
    // Disabled commands carry a mark before their keys; the reasons are listed once, in the title.
    const reason = c.mutating ? runner.disabledReason(c.id) : null;
    if (reason) reasons.add(reason);
    const keys = c.keys.length ? c.keys.join(', ') : '(unbound)';
    lines.push({
      text: `${reason ? theme.glyphs.critical : ' '} ${keys.padEnd(14)} ${c.description}${c.scope !== 'global' ? ` [${c.scope}]` : ''}  (${c.id})`,
      token: reason ? 'muted' : 'fg',
    });
  }
  if (matrix.length) {
    lines.push({ text: 'Escalation matrix (paging.escalation)', token: 'title', bold: true });
    for (const m of matrix) lines.push({ text: `  ${m}`, token: 'fg' });
  }
  // The views' own keys, from the lines they show (? in a view repeats them on its status line).
  const views: [string, string][] = [
    ['Text viewer (d, y, o, :rs, Enter on an event)', viewerHints(createViewer('', []))],
    ['Logs view (l)', logsKeys({ follow: false, previous: false, timestamps: false, wrap: false }).replace(/:off/g, '')],
  ];
  for (const [name, keys] of views) {
    lines.push({ text: name, token: 'title', bold: true });
    for (const k of keys.split(' · ')) lines.push({ text: `  ${k}`, token: 'fg' });
  }
  const title = `Keys — ↑/↓ scroll · Esc or ? to close${reasons.size ? ` — ${theme.glyphs.critical} disabled: ${[...reasons].join(', ')}` : ''}`;
  const scroll = overlay.scroll;
  const room = height - 2;
  // Help lays out in two columns when it would not fit in one.
  const columns = lines.length > room && width >= 120 ? 2 : 1;
  const colWidth = Math.floor((width - 4) / columns);
  const capacity = (room - 1) * columns;
  const start = Math.min(scroll, Math.max(0, lines.length - capacity));
  const visible = lines.slice(start, start + capacity);
  return (
    <Box width={width} height={height} flexDirection="column" borderStyle={theme.glyphs.borderStyle} borderColor={theme.style('borderFocused').color} paddingX={1}>
      <Text {...theme.style('title')} bold wrap="truncate">
        {title}
      </Text>
      <Box flexDirection="row">
        {Array.from({ length: columns }, (_, ci) => (
          <Box key={ci} width={colWidth} paddingRight={ci < columns - 1 ? 2 : 0} flexDirection="column">
            {visible.slice(ci * (room - 1), (ci + 1) * (room - 1)).map((l, i) => (
              <Text key={i} wrap="truncate" {...theme.style(l.token ?? 'fg')} bold={l.bold}>
                {l.text || ' '}
              </Text>
            ))}
          </Box>
        ))}
      </Box>
    </Box>
  );
}
