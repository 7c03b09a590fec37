// The pod logs viewer's screen: the shared text viewer (its lines pinned to the newest while
// following, searchable) with the logs' keys and error-pattern summary on top, a status line that
// says what the stream is doing, and where a saved file went.
import { logTone, logsNotes, type LogsViewState } from '../logs-viewer.js';
import { ViewerView } from '../viewer/ViewerView.js';
import { viewerHints } from '../viewer/viewer.js';

export function LogsView({ view: v, width, height }: { view: LogsViewState; width: number; height: number }) {
  const { above, below } = logsNotes(v, width);
  const position = v.pinned || !v.lines.length ? '' : v.follow ? ' · new lines arrive below: G to the newest' : ' · G to the newest';
  // The logs' keys are on top; while a search is typed, the status line says how it works.
  const hints = v.typing !== null ? viewerHints(v) : '';
  return <ViewerView view={v} width={width} height={height} above={above} below={below} position={position} hints={hints} tone={logTone} />;
}
