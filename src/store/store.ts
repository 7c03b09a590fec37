// One zustand vanilla store: a slice per source plus `incident`, `ui` and `meta`.
// Sources never call setState: they stage updaters, and the frame clock applies every staged
// change once per frame with a single setState, giving new references only to changed slices.
// UI state (focus, cursor, filter) is set directly; it never touches source data.
import { createStore, type StoreApi } from 'zustand/vanilla';
import { emptySlice, type Publish, type SourceSlice } from '../sources/types.js';
import { emptyKubeData, type KubeData } from '../sources/kube/types.js';
import { emptyPromData, type PromData } from '../sources/prometheus/types.js';
import type { PostgresData } from '../sources/postgres/types.js';
import type { RedisData } from '../sources/redis/types.js';
import type { IncidentSlice } from '../incident/types.js';
import { emptyPagingData, type PagingData } from '../paging/types.js';
import { defaultConfig, type SeverityConfig } from '../config/schema.js';

export type { PaneId } from '../ui/panes/registry.js';
import type { PaneId } from '../ui/panes/registry.js';
import type { LogsViewState } from '../ui/logs-viewer.js';
import type { ViewerOverlay } from '../ui/viewer/overlay.js';
import type { PaneView } from '../ui/pane-view.js';

export interface Toast {
  id: number;
  message: string;
  level: 'info' | 'success' | 'warn' | 'error';
  at: number;
}

export interface UiState {
  focus: PaneId;
  zoom: PaneId | null;
  /** Filter text per list pane. */
  filter: Partial<Record<PaneId, string>>;
  /** The pane whose filter is being typed, if any. */
  filterEditing: PaneId | null;
  cursor: Partial<Record<PaneId, number>>;
  /** The selected row's object (rowKey): the selection stays on it while rows above come and go or the sort changes. */
  selected: Partial<Record<PaneId, string>>;
  /** A pane's scope (a workload's pods, an object's events) and sort, beside its filter. */
  view: Partial<Record<PaneId, PaneView>>;
  /** The `:` command line being typed, with the completion hint under it. */
  command: { text: string; hint: string; error: boolean } | null;
  overlay: null | { kind: 'help'; scroll: number } | ViewerOverlay | LogsViewState;
  /** The open dialog; owned by the dialog host (src/ui/dialogs). */
  dialog: unknown | null;
  toasts: Toast[];
  cols: number;
  rows: number;
}

export interface MetaState {
  drill: boolean;
  scenario: string | null;
  readOnly: boolean;
  readOnlyReason: string | null;
  startedAt: number;
  lowBandwidth: boolean;
  theme: string;
  /** The terminal gets ASCII glyphs only (the Linux console, an ascii theme). */
  ascii: boolean;
  /** Polled data older than this shows its age in the header (3 refresh intervals). */
  staleAfterMs: number;
  /** Runbook thresholds, for colouring values the way the severity engine judges them. */
  severity: SeverityConfig;
  /** Problems found at start (keymap conflicts, a broken theme file…), shown once as toasts. */
  startupWarnings: string[];
}

export interface State {
  kube: SourceSlice<KubeData>;
  prom: SourceSlice<PromData>;
  postgres: SourceSlice<PostgresData>;
  redis: SourceSlice<RedisData>;
  paging: SourceSlice<PagingData>;
  incident: IncidentSlice;
  ui: UiState;
  meta: MetaState;
}

export type SourceKey = 'kube' | 'prom' | 'postgres' | 'redis' | 'paging';
export type StagedKey = SourceKey | 'incident';

export function initialState(partial: Partial<MetaState> = {}): State {
  return {
    kube: emptySlice(emptyKubeData()),
    prom: emptySlice(emptyPromData()),
    postgres: emptySlice({ databases: [] }),
    redis: emptySlice({ instances: [] }),
    paging: emptySlice(emptyPagingData()),
    incident: {
      current: null,
      timeline: [],
      suggestion: { severity: null, rule: 'no signals yet' },
      outbox: [],
      deliveries: null,
      journalProblems: [],
      nextUpdateDueAt: null,
    },
    ui: {
      focus: 'pods',
      zoom: null,
      filter: {},
      filterEditing: null,
      cursor: {},
      selected: {},
      view: {},
      command: null,
      overlay: null,
      dialog: null,
      toasts: [],
      cols: 80,
      rows: 24,
    },
    meta: {
      drill: false,
      scenario: null,
      readOnly: false,
      readOnlyReason: null,
      startedAt: Date.now(),
      lowBandwidth: false,
      theme: 'dark',
      ascii: false,
      staleAfterMs: 15_000,
      severity: defaultConfig().severity,
      startupWarnings: [],
      ...partial,
    },
  };
}

export interface Cockpit {
  store: StoreApi<State>;
  /** A publisher for one source's slice (what a source is given at construction). */
  publisher<K extends SourceKey>(key: K): Publish<State[K]['data']>;
  /** Stage a change to the incident slice. */
  stageIncident(update: (prev: IncidentSlice) => IncidentSlice): void;
  /** Apply everything staged; returns true when the state changed. */
  flush(): boolean;
  /** Start the frame clock at `fps`; staged changes are applied at most that often. */
  startClock(fps: number): void;
  stopClock(): void;
  /** Called after each flush that changed something (the incident engine listens here). */
  onFlush(listener: (state: State, prev: State) => void): () => void;
}

export function createCockpit(state: State = initialState()): Cockpit {
  const store = createStore<State>()(() => state);
  // Each key's updates take and return that key's slice; the map cannot say so per key.
  const staged = new Map<StagedKey, Array<(prev: unknown) => unknown>>();
  const listeners = new Set<(state: State, prev: State) => void>();
  let timer: NodeJS.Timeout | null = null;

  const stage = (key: StagedKey, update: (prev: never) => unknown) => {
    const fn = update as (prev: unknown) => unknown;
    const list = staged.get(key);
    if (list) list.push(fn);
    else staged.set(key, [fn]);
  };

  const flush = (): boolean => {
    if (staged.size === 0) return false;
    const prev = store.getState();
    const next: Partial<Record<StagedKey, unknown>> = {};
    let changed = false;
    for (const [key, fns] of staged) {
      let value: unknown = prev[key];
      for (const fn of fns) value = fn(value);
      if (value !== prev[key]) {
        next[key] = value;
        changed = true;
      }
    }
    staged.clear();
    if (!changed) return false;
    store.setState(next as Partial<State>);
    const now = store.getState();
    for (const l of listeners) l(now, prev);
    return true;
  };

  return {
    store,
    publisher: (key) => (update) => stage(key, update),
    stageIncident: (update) => stage('incident', update),
    flush,
    startClock(fps) {
      if (timer) clearInterval(timer);
      timer = setInterval(flush, Math.max(16, Math.round(1000 / fps)));
      timer.unref?.();
    },
    stopClock() {
      if (timer) clearInterval(timer);
      timer = null;
    },
    onFlush(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
