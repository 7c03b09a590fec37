// Draws a text viewer (src/ui/viewer/viewer.ts) filling the body: title, the rows with search
// matches marked (the current one in the selection colour), and a status line with the keys.
// A viewer built on this one (the logs view) adds its own lines above and below the text.
import { Box, Text } from 'ink';
import { useCockpit } from '../context.js';
import type { ThemeToken } from '../theme/tokens.js';
import { viewRows, viewerArea, viewerHints, viewerMessage, viewerStatus, type ViewerNote, type ViewerState } from './viewer.js';

export interface ViewerViewProps {
  view: ViewerState;
  width: number;
  height: number;
  /** The keys on the status line (the viewer's own by default). */
  hints?: string;
  /** Lines between the title and the text, and under the status line. */
  above?: ViewerNote[];
  below?: ViewerNote[];
  /** Said after the position on the status line. */
  position?: string;
  /** A colour for a whole text line (a log's error lines). */
  tone?: (line: string) => ThemeToken | undefined;
}

export function ViewerView({ view, width, height, hints, above = [], below = [], position = '', tone }: ViewerViewProps) {
  const { theme } = useCockpit();
  const area = viewerArea(width, height, view, above.length + below.length);
  const rows = viewRows(view, area);
  const status = viewerStatus(view, area) + position;
  const message = viewerMessage(view, area.width);
  const level = view.status?.level;
  const messageStyle = theme.style(level === 'error' ? 'critical' : level === 'warn' ? 'warn' : 'info');
  const notes = (list: ViewerNote[], key: string) =>
    list.map((l, i) => (
      <Text key={`${key}${i}`} {...theme.style(l.token)} wrap="truncate">
        {l.text || ' '}
      </Text>
    ));
  return (
    <Box width={width} height={height} flexDirection="column" borderStyle={theme.glyphs.borderStyle} borderColor={theme.style('borderFocused').color} paddingX={1}>
      <Text {...theme.style('title')} bold wrap="truncate">
        {view.title}
      </Text>
      {notes(above, 'a')}
      <Box height={area.height} flexDirection="column">
        {rows.map((r, i) => (
          <Text key={i} wrap="truncate" {...theme.style(tone?.(view.lines[r.line]!) ?? 'fg')}>
            {r.segments.map((s, j) =>
              s.mark ? (
                <Text key={j} {...theme.style(s.mark === 'current' ? 'selection' : 'accent')} inverse={s.mark === 'match'} bold={s.mark === 'current'}>
                  {s.text}
                </Text>
              ) : (
                s.text || (r.segments.length === 1 ? ' ' : '')
              ),
            )}
          </Text>
        ))}
      </Box>
      {message.slice(0, -1).map((l, i) => (
        <Text key={`m${i}`} {...messageStyle} bold wrap="truncate">
          {l}
        </Text>
      ))}
      <Text wrap="truncate">
        {message.length ? (
          <Text {...messageStyle} bold>
            {`${message[message.length - 1]} · `}
          </Text>
        ) : null}
        <Text {...theme.style(view.typing !== null ? 'keyHint' : 'muted')} bold={view.typing !== null}>
          {status}
          {view.typing !== null ? '▏' : ''}
        </Text>
        <Text {...theme.style('muted')}>{`  ${hints ?? viewerHints(view)}`}</Text>
      </Text>
      {notes(below, 'b')}
    </Box>
  );
}
