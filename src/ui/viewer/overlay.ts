// The text viewer as the cockpit's overlay: open it, update it while it is still the one on
// screen (a describe that arrives later, a followed log), and give it the keys.
import type { Cockpit } from '../../store/store.js';
import { edit } from '../dialogs/dialogs.js';
import { createViewer, viewerArea, viewerKey, type ViewerState } from './viewer.js';

export type ViewerOverlay = ViewerState & { kind: 'viewer'; id: number };

let lastId = 0;

/** Opens a viewer over the panes and returns its id (for `updateViewer`). */
export function openViewer(cockpit: Cockpit, title: string, lines: string[], opts: Parameters<typeof createViewer>[2] = {}): number {
  const id = ++lastId;
  const overlay: ViewerOverlay = { kind: 'viewer', id, ...createViewer(title, lines, opts) };
  cockpit.store.setState((s) => ({ ui: { ...s.ui, overlay } }));
  return id;
}

/** Changes viewer `id` if it is still open; false when it was closed (or replaced) meanwhile. */
export function updateViewer(cockpit: Cockpit, id: number, fn: (v: ViewerOverlay) => ViewerOverlay): boolean {
  const o = cockpit.store.getState().ui.overlay;
  if (o?.kind !== 'viewer' || o.id !== id) return false;
  cockpit.store.setState((s) => ({ ui: { ...s.ui, overlay: fn(o) } }));
  return true;
}

/** The text area of viewer `v` at the terminal's size (the body between header and footer). */
export function overlayArea(cockpit: Cockpit, v: ViewerState, chrome = 0) {
  const { cols, rows } = cockpit.store.getState().ui;
  return viewerArea(cols, rows - 2, v, chrome);
}

/** A key for the open viewer; false when the viewer has no use for it. */
export function viewerOverlayKey(cockpit: Cockpit, key: string): boolean {
  const o = cockpit.store.getState().ui.overlay;
  if (o?.kind !== 'viewer') return false;
  const next = viewerKey(o, key, overlayArea(cockpit, o), edit);
  if (next === undefined) return false;
  cockpit.store.setState((s) => ({ ui: { ...s.ui, overlay: next === 'close' ? null : next } }));
  return true;
}
