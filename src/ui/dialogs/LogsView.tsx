// The pod logs viewer's screen: title, its keys, the error-pattern summary on top, the lines
// (pinned to the newest while following), and a status line that says what the stream is doing.
import { Box, Text } from 'ink';
import { useCockpit, useSelect } from '../context.js';
import { SINCE_WINDOWS, shownLine, type LogsViewState } from '../logs-viewer.js';
import { wrapRow } from './DialogView.js';

const ERROR_LINE = /\b(ERROR|FATAL|Exception|panic)\b|Exception\b|\bpanic:/;

/** Log text is the container's: escape sequences and control characters are not passed to the terminal. */
export function printable(text: string): string {
  return text
    .replace(/\t/g, '    ')
    .replace(/\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?/g, '')
    .replace(/[\x00-\x1f\x7f-\x9f]/g, '');
}

function hardWrap(text: string, width: number): string[] {
  if (text.length <= width) return [text];
  const out: string[] = [];
  for (let i = 0; i < text.length; i += width) out.push(text.slice(i, i + width));
  return out;
}

export function LogsView({ width, height }: { width: number; height: number }) {
  const { theme } = useCockpit();
  const v = useSelect((s) => s.ui.overlay) as LogsViewState;
  const inner = Math.max(10, width - 4);
  const on = (b: boolean) => (b ? 'on' : 'off');
  const title = `Logs ${v.namespace}/${v.pod}${v.container ? ` · ${v.container}` : ''}${v.previous ? ' (previous)' : ''} · since ${SINCE_WINDOWS[v.since]?.label ?? 'all'}`;
  const keys = `f follow:${on(v.follow)} · p previous:${on(v.previous)} · t timestamps:${on(v.timestamps)} · c container · s since · w wrap:${on(v.wrap)} · ctrl+s save · ↑↓ PgUp/PgDn g/G · Esc close`;
  const head = v.errors.length
    ? [
        { text: 'Errors (count, normalised message):', token: 'title' as const },
        ...v.errors.map((e) => ({ text: `${String(e.count).padStart(6)}  ${e.message}`, token: 'critical' as const })),
      ]
    : [{ text: v.entries.length ? 'No ERROR/FATAL/Exception/panic lines.' : ' ', token: 'muted' as const }];
  // The status (with the position, added below) and, after ctrl+s, where the file went: whole, wrapped.
  const status = wrapRow(v.status, inner);
  const saved = v.saved ? wrapRow(v.saved, inner) : [];
  const room = Math.max(1, height - 2 - 2 - head.length - status.length - saved.length);

  // The rows that end at the last line in view (fromEnd lines are below it), filled from the bottom.
  const rowsOf = (i: number): string[] => {
    const text = printable(shownLine(v.entries[i]!, v.timestamps)) || ' ';
    return v.wrap ? hardWrap(text, inner) : [text];
  };
  let end = Math.max(0, v.entries.length - v.fromEnd);
  let rows: { text: string; error: boolean }[] = [];
  let first = end;
  while (first > 0 && rows.length < room) {
    first--;
    const error = ERROR_LINE.test(v.entries[first]!.text);
    rows = [...rowsOf(first).map((text) => ({ text, error })), ...rows];
  }
  while (rows.length < room && end < v.entries.length) {
    const error = ERROR_LINE.test(v.entries[end]!.text);
    rows = [...rows, ...rowsOf(end).map((text) => ({ text, error }))];
    end++;
  }
  if (rows.length > room) rows = rows.slice(rows.length - room);
  const position = v.entries.length ? `lines ${first + 1}–${end} of ${v.entries.length}${v.fromEnd ? ' · G to the newest' : ''}` : 'no lines';
  const statusToken = v.statusLevel === 'error' ? 'critical' : v.statusLevel === 'warn' ? 'warn' : 'muted';

  return (
    <Box width={width} height={height} flexDirection="column" borderStyle={theme.glyphs.borderStyle} borderColor={theme.style('borderFocused').color} paddingX={1}>
      <Text {...theme.style('title')} bold wrap="truncate">
        {title}
      </Text>
      <Text {...theme.style('keyHint')} wrap="truncate">
        {keys}
      </Text>
      {head.map((l, i) => (
        <Text key={`h${i}`} {...theme.style(l.token)} wrap="truncate">
          {l.text}
        </Text>
      ))}
      <Box height={room} flexDirection="column">
        {rows.map((r, i) => (
          <Text key={i} {...theme.style(r.error ? 'warn' : 'fg')} wrap="truncate">
            {r.text}
          </Text>
        ))}
      </Box>
      {status.map((l, i) => (
        <Text key={`s${i}`} {...theme.style(statusToken)} wrap="truncate">
          {i === status.length - 1 ? `${l} · ${position}` : l}
        </Text>
      ))}
      {saved.map((l, i) => (
        <Text key={`f${i}`} {...theme.style('ok')} wrap="truncate">
          {l}
        </Text>
      ))}
    </Box>
  );
}
