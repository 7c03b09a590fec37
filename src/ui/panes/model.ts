// What a pane shows, derived from the store by a pure function per pane (views.ts).
import type { Cell, Column } from '../../present/cell.js';
import type { ActionTarget } from '../../actions/types.js';

/**
 * A pane's rows by index: an array, or a long list that builds a row only when it is read (only
 * the visible window is, unless a filter is typed), so thousands of rows cost little per frame.
 */
export interface Rows<T> {
  readonly length: number;
  at(index: number): T | undefined;
}

export interface PaneModel {
  title: string;
  /** The source's state when it is not simply ok: "down 2m: connection refused". */
  badge?: Cell;
  /** Fixed lines above the table (a database's summary line). */
  preface?: Cell[][];
  /** Present for tables; absent for free-text panes. */
  columns?: Column[];
  rows: Rows<Cell[]>;
  /** The widest text of each column over the rows, when the model has it already (else it is measured). */
  widths?: number[];
  /** The action target of each row, parallel to rows. */
  targets?: Rows<ActionTarget | null>;
  /** Free-text panes whose rows can still be selected (the timeline). */
  selectable?: boolean;
  empty?: string;
}

/**
 * The `/` filter: a case-insensitive regular expression; text that is not a valid one (`api(`)
 * matches as plain text instead, and the title says "(text)".
 */
export function filterMatcher(filter: string | undefined): { test: (text: string) => boolean; plain: boolean } | null {
  if (!filter) return null;
  try {
    const re = new RegExp(filter, 'i');
    return { test: (t) => re.test(t), plain: false };
  } catch {
    const needle = filter.toLowerCase();
    return { test: (t) => t.toLowerCase().includes(needle), plain: true };
  }
}

/** A row's identity across updates: its target's key, else the object it names (null targets have none). */
export function rowKey(model: PaneModel, index: number | undefined): string | undefined {
  const t = index === undefined ? undefined : model.targets?.at(index);
  if (!t) return undefined;
  return t.key ?? `${typeof t.kind === 'string' ? t.kind : ''}/${t.namespace ?? ''}/${t.name}`;
}

/**
 * The selected position among `visible`: where the row holding `key` is now (a pod deleted above
 * it, a new sort), else `cursor` within bounds: the neighbour takes a vanished row's place.
 */
export function selectedPosition(model: PaneModel, visible: number[], cursor: number, key: string | undefined): number {
  const clamped = Math.min(cursor, Math.max(0, visible.length - 1));
  if (key === undefined || rowKey(model, visible[clamped]) === key) return clamped;
  const at = visible.findIndex((i) => rowKey(model, i) === key);
  return at >= 0 ? at : clamped;
}

/** Row indices that pass the filter, in display order. */
export function visibleRows(model: PaneModel, filter: string | undefined): number[] {
  const out: number[] = [];
  const match = filterMatcher(filter);
  for (let i = 0; i < model.rows.length; i++) {
    if (!match || model.rows.at(i)!.some((c) => match.test(c.text))) out.push(i);
  }
  return out;
}
