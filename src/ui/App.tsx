// The cockpit: header, a grid of panes sized to the terminal, footer, and dialogs on top.
// The root box is exactly `rows` tall (a taller frame makes Ink clear the screen every frame).
import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { Box, Text, useInput, useWindowSize } from 'ink';
import type { Cockpit, PaneId } from '../store/store.js';
import { PANES, paneDef, paneModel } from './panes/registry.js';
import { CockpitContext, useCockpit, useSelect, type Ctx } from './context.js';
import type { Keymap } from '../keys/bindings.js';
import { keyName } from '../keys/bindings.js';
import type { ActionRunner } from '../actions/runner.js';
import type { Theme } from './theme.js';
import { useShallow } from 'zustand/react/shallow';
import { computeLayout, paneLines as paneLineCounts, urgentPanes, MIN_COLS, MIN_ROWS } from './layout.js';
import { PaneView, paneLines } from './widgets/Pane.js';
import { contentWidths } from './widgets/table.js';
import { selectedPosition, visibleRows, type PaneModel } from './panes/model.js';
import { Header } from './Header.js';
import { Footer } from './Footer.js';
import { DialogView, OverlayView } from './dialogs/DialogView.js';

export interface AppProps {
  cockpit: Cockpit;
  theme: Theme;
  keymap: Keymap;
  runner: ActionRunner;
  onKey(key: string): void;
  /** Fixed size for tests; otherwise the terminal's. */
  size?: { cols: number; rows: number };
  now?: () => number;
  /** The clock Prometheus data is stamped with (the drill's simulated clock); default `now`. */
  dataNow?: () => number;
  /** Changes to force a full repaint (after a resize). */
  repaint?: number;
}

/** Control characters that can arrive inside a chunk of typed keys. */
const CHUNK_KEYS: Record<string, string> = { '\t': 'tab', '\r': 'enter', '\n': 'enter', '\x7f': 'backspace', '\b': 'backspace', '\x1b': 'escape' };

/** One character of a chunk as a key: the control characters left are Ctrl+letter (0x04 is ctrl+d). */
function chunkKey(ch: string): string {
  const named = CHUNK_KEYS[ch];
  if (named) return named;
  const code = ch.charCodeAt(0);
  return code >= 1 && code <= 26 ? `ctrl+${String.fromCharCode(code + 96)}` : ch;
}

export function App(props: AppProps) {
  const win = useWindowSize();
  const cols = props.size?.cols ?? win.columns ?? 80;
  const rows = props.size?.rows ?? win.rows ?? 24;
  const ctx = useMemo<Ctx>(
    () => ({ cockpit: props.cockpit, theme: props.theme, keymap: props.keymap, runner: props.runner, now: props.now ?? Date.now, dataNow: props.dataNow ?? props.now ?? Date.now }),
    [props.cockpit, props.theme, props.keymap, props.runner, props.now, props.dataNow],
  );

  useEffect(() => {
    props.cockpit.store.setState((s) => (s.ui.cols === cols && s.ui.rows === rows ? s : { ui: { ...s.ui, cols, rows } }));
  }, [cols, rows, props.cockpit]);

  useInput((input, key) => {
    const name = keyName(input, key as unknown as Record<string, boolean>);
    if (!name) return;
    // Esc followed quickly by a key arrives as Meta+key (tmux, screen, fast typing): replay both.
    if (key.meta && !key.escape && input) props.onKey('escape');
    // Keys typed quickly (or pasted) can arrive as one chunk: each character is its own key.
    const keys = name === input && input.length > 1 ? [...input].map(chunkKey) : [name];
    for (const k of keys) props.onKey(k === ' ' ? 'space' : k);
  });

  return (
    <CockpitContext.Provider value={ctx}>
      <Screen cols={cols} rows={rows} />
    </CockpitContext.Provider>
  );
}

function Screen({ cols, rows }: { cols: number; rows: number }) {
  const { theme } = useCockpit();
  const focus = useSelect((s) => s.ui.focus);
  const zoom = useSelect((s) => s.ui.zoom);
  const dialog = useSelect((s) => s.ui.dialog);
  const overlay = useSelect((s) => s.ui.overlay);
  // Compared field by field, so the layout is recomputed only when a pane's line count changes.
  const counts = useSelect(useShallow(paneLineCounts));
  const urgent = useSelect(useShallow(urgentPanes));
  const layout = useMemo(() => computeLayout(cols, rows, focus, zoom, counts, urgent), [cols, rows, focus, zoom, counts, urgent]);

  if (layout.tooSmall) {
    return (
      <Box width={cols} height={rows} flexDirection="column">
        <Text {...theme.style('warn')} bold wrap="truncate">
          Terminal too small: {cols}×{rows}.
        </Text>
        <Text wrap="truncate">
          warroom needs at least {MIN_COLS}×{MIN_ROWS}. Enlarge the window, or q to quit.
        </Text>
      </Box>
    );
  }
  const covered = dialog || overlay;
  return (
    <Box width={cols} height={rows} flexDirection="column">
      <Header width={cols} />
      <Box width={cols} height={rows - 2} flexDirection="row">
        {covered ? (
          <Box width={cols} height={rows - 2} flexDirection="column">
            {dialog ? <DialogView width={cols} height={rows - 2} /> : <OverlayView width={cols} height={rows - 2} />}
          </Box>
        ) : (
          layout.columns.map((col, ci) => (
            <Box key={ci} width={col.width} height={rows - 2} flexDirection="column">
              {col.panes.map((p) => (
                <PaneSlot key={p.pane} pane={p.pane} width={p.width} height={p.height} focused={p.pane === focus} />
              ))}
            </Box>
          ))
        )}
      </Box>
      <Footer width={cols} />
    </Box>
  );
}

/**
 * A pane subscribes to the store with its own snapshot: the lines it would draw. When a change
 * leaves them identical (a pod outside the visible window, a metric that rounds the same), the
 * snapshot keeps its identity and React does not render at all, so Ink writes nothing.
 */
function PaneSlot({ pane, width, height, focused }: { pane: PaneId; width: number; height: number; focused: boolean }) {
  const { cockpit, theme, now, dataNow } = useCockpit();
  const [tick, setTick] = useState(0);
  const cache = useRef<PaneCache | null>(null);
  const index = PANES.indexOf(pane) + 1;
  const getLines = () => {
    const s = cockpit.store.getState();
    // Reads only the slices its pane shows, so a change to pods never re-renders the Redis pane.
    const [d1, d2] = paneDef(pane).reads(s);
    const filter = s.ui.filter[pane] ?? '';
    const cursorRaw = s.ui.cursor[pane] ?? 0;
    const selectedKey = s.ui.selected[pane];
    const c = cache.current;
    if (
      c &&
      c.d1 === d1 &&
      c.d2 === d2 &&
      c.filter === filter &&
      c.cursorRaw === cursorRaw &&
      c.selectedKey === selectedKey &&
      c.width === width &&
      c.height === height &&
      c.focused === focused &&
      c.tick === tick &&
      c.theme === theme
    )
      return c.lines;
    const modelFresh = !c || c.d1 !== d1 || c.d2 !== d2 || c.tick !== tick;
    const model = modelFresh ? paneModel(pane, s, now(), dataNow()) : c.model;
    const visible = modelFresh || c.filter !== filter ? visibleRows(model, filter) : c.visible;
    const want = modelFresh ? (model.columns ? (model.widths ?? contentWidths(model.rows, model.columns.length)) : undefined) : c.want;
    const cursor = selectedPosition(model, visible, cursorRaw, selectedKey);
    const next = paneLines({ model, visible, width, height, focused, cursor, scroll: 0, filter, theme, index, want });
    const lines = c && sameLines(c.lines, next) ? c.lines : next;
    cache.current = { d1, d2, filter, cursorRaw, selectedKey, width, height, focused, tick, theme, model, visible, want, lines };
    return lines;
  };
  const lines = useSyncExternalStore(cockpit.store.subscribe, getLines);
  // Ages in rows go stale while nothing changes; refresh them slowly (a line-level diff keeps this cheap).
  useEffect(() => {
    const t = setInterval(() => setTick((n) => n + 1), 30_000);
    t.unref?.();
    return () => clearInterval(t);
  }, []);
  return <PaneView lines={lines} width={width} height={height} />;
}

interface PaneCache {
  d1: unknown;
  d2: unknown;
  filter: string;
  cursorRaw: number;
  selectedKey: string | undefined;
  width: number;
  height: number;
  focused: boolean;
  tick: number;
  theme: Theme;
  model: PaneModel;
  visible: number[];
  want: number[] | undefined;
  lines: string[];
}

function sameLines(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((l, i) => l === b[i]);
}
