// What a pane is: one definition per pane, one file per pane (this folder), listed once in
// registry.ts. The store, the layout, the screen, the digit keys and the help derive from it.
import type { Cell } from '../../present/cell.js';
import { formatAge, truncate } from '../../present/format.js';
import type { SourceSlice } from '../../sources/types.js';
import type { State } from '../../store/store.js';
import type { PaneModel } from './model.js';

/** Which column a pane takes in the two- and three-column layouts, and its order inside it. */
export interface PanePlace {
  column: number;
  rank: number;
}

export interface PaneDef<Id extends string = string> {
  id: Id;
  title: string;
  /** The state this pane's model reads: the model is rebuilt only when one of these changes identity. */
  reads: (s: State) => readonly unknown[];
  /** State → what the pane shows. `now` is the wall clock (object ages); `dataNow` the clock Prometheus data is stamped with. */
  model: (s: State, now: number, dataNow: number) => PaneModel;
  layout: {
    /** Relative share of its column's height. */
    weight: number;
    /** Rows it needs to show anything: borders plus its fixed lines. */
    minHeight: number;
    /** Body lines it would fill (preface, header row, rows), counted cheaply: a pane never gets more height than this plus its borders while another pane hides rows. */
    lines?: (s: State) => number;
    /** A list read by scrolling (pods): it gives a few rows to a pane that would then show all of its own. */
    lends?: true;
    /** True while what it shows is the trouble (a Redis that is down): it weighs three times and is the last to collapse. */
    urgent?: (s: State) => boolean;
    /** Order in the one-column layout (80 columns and below). */
    narrow: number;
    two: PanePlace;
    three: PanePlace;
  };
}

export function sourceBadge(slice: SourceSlice<unknown>, now: number): Cell | undefined {
  switch (slice.status) {
    case 'disabled':
      return { text: 'not configured', token: 'muted' };
    case 'connecting':
      return { text: slice.updatedAt == null ? 'starting…' : 'connecting…', token: 'muted' };
    case 'down':
      return { text: `DOWN ${slice.updatedAt ? `(data ${formatAge(now - slice.updatedAt)} old) ` : ''}${truncate(slice.error ?? '', 60)}`, token: 'critical', bold: true };
    case 'degraded':
      return { text: `degraded: ${truncate(slice.error ?? '', 60)}`, token: 'warn' };
    default:
      return undefined;
  }
}

/** Summary lines are made of separate cells; show them two spaces apart. */
export function spaced(cells: Cell[]): Cell[] {
  return cells.flatMap((c, i) => (i ? [{ text: '  ' }, c] : [c]));
}
