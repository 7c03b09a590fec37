// Draws a text viewer (src/ui/viewer/viewer.ts) filling the body: title, the rows with search
// matches marked (the current one in the selection colour), and a status line with the keys.
import { Box, Text } from 'ink';
import { useCockpit } from '../context.js';
import { viewRows, viewerArea, viewerHints, viewerStatus, type ViewerState } from './viewer.js';

export function ViewerView({ view, width, height, hints }: { view: ViewerState; width: number; height: number; hints?: string }) {
  const { theme } = useCockpit();
  const area = viewerArea(width, height);
  const rows = viewRows(view, area);
  const status = viewerStatus(view, area);
  const level = view.typing === null ? view.status?.level : undefined;
  return (
    <Box width={width} height={height} flexDirection="column" borderStyle={theme.glyphs.borderStyle} borderColor={theme.style('borderFocused').color} paddingX={1}>
      <Text {...theme.style('title')} bold wrap="truncate">
        {view.title}
      </Text>
      <Box height={area.height} flexDirection="column">
        {rows.map((r, i) => (
          <Text key={i} wrap="truncate" {...theme.style('fg')}>
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
      <Text wrap="truncate">
        {view.status && view.typing === null ? (
          <Text {...theme.style(level === 'error' ? 'critical' : level === 'warn' ? 'warn' : 'info')} bold>
            {`${view.status.text} · `}
          </Text>
        ) : null}
        <Text {...theme.style(view.typing !== null ? 'keyHint' : 'muted')} bold={view.typing !== null}>
          {status}
          {view.typing !== null ? '▏' : ''}
        </Text>
        <Text {...theme.style('muted')}>{`  ${hints ?? viewerHints(view)}`}</Text>
      </Text>
    </Box>
  );
}
