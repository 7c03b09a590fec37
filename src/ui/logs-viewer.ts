// The pod logs viewer: one container's log, followed or read once, with the keys an SRE reaches
// for on a crash loop. Its state is the store's overlay (drawn by LogsView); the open stream
// lives here and is stopped whenever the view closes or asks for something else.
import fs from 'node:fs';
import path from 'node:path';
import type { Cockpit } from '../store/store.js';
import type { PodRow } from '../sources/kube/types.js';
import type { LogEntry, LogStream, LogStreamEvents, LogStreamOptions } from '../sources/kube/log-stream.js';
import { summarizeErrors } from '../sources/kube/logs.js';
import { writePrivate } from '../util/private-files.js';
import { dialogInteraction, notify } from './dialogs/dialogs.js';

/** The since-windows `s` cycles through; null is everything the tail holds. */
export const SINCE_WINDOWS: { label: string; seconds: number | null }[] = [
  { label: 'all', seconds: null },
  { label: '1m', seconds: 60 },
  { label: '5m', seconds: 300 },
  { label: '15m', seconds: 900 },
  { label: '1h', seconds: 3600 },
];
/** Lines read when a view opens, and the most it keeps while following. */
export const TAIL_LINES = 1000;
export const MAX_LINES = 5000;
const FLUSH_MS = 50;

export interface LogsViewState {
  kind: 'logs';
  namespace: string;
  pod: string;
  container: string;
  containers: string[];
  previous: boolean;
  follow: boolean;
  timestamps: boolean;
  wrap: boolean;
  since: number;
  entries: LogEntry[];
  /** The error-pattern summary of the entries, most frequent first. */
  errors: { count: number; message: string }[];
  status: string;
  statusLevel: 'info' | 'warn' | 'error';
  /** Lines below the view: 0 is pinned to the newest line (new lines then scroll in). */
  fromEnd: number;
  saved: string | null;
}

export interface LogsViewerDeps {
  cockpit: Cockpit;
  streamLogs?: (namespace: string, pod: string, opts: LogStreamOptions, ev: LogStreamEvents) => LogStream;
  /** Where ctrl+s writes (`<stateDir>/logs`). */
  logsDir?: string;
  now?: () => number;
}

/** A log line as it is shown (timestamps on or off); the saved file has the same lines. */
export function shownLine(e: LogEntry, timestamps: boolean): string {
  return timestamps && e.ts ? `${e.ts} ${e.text}` : e.text;
}

/** Rows left for log lines in a terminal `rows` high: header, footer, frame, title, keys, errors, status. */
export function logPageRows(v: Pick<LogsViewState, 'errors' | 'saved'>, rows: number): number {
  return Math.max(1, rows - 2 - 2 - 2 - (v.errors.length ? v.errors.length + 1 : 1) - 1 - (v.saved ? 1 : 0));
}

export function createLogsViewer(deps: LogsViewerDeps) {
  const { cockpit } = deps;
  const ui = dialogInteraction(cockpit);
  let stream: LogStream | null = null;
  let generation = 0;

  const view = (): LogsViewState | null => {
    const o = cockpit.store.getState().ui.overlay;
    return o?.kind === 'logs' ? o : null;
  };
  const set = (patch: Partial<LogsViewState>) => {
    const v = view();
    if (v) cockpit.store.setState((s) => ({ ui: { ...s.ui, overlay: { ...v, ...patch } } }));
  };

  let pending: LogEntry[] = [];
  let flushTimer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = null;
    const cur = view();
    const batch = pending;
    pending = [];
    if (!cur || !batch.length) return;
    const all = [...cur.entries, ...batch];
    const entries = all.length > MAX_LINES ? all.slice(all.length - MAX_LINES) : all;
    set({
      entries,
      errors: summarizeErrors(
        entries.map((e) => e.text),
        5,
      ),
      // Scrolled up, the same lines stay in view while new ones arrive below.
      fromEnd: cur.fromEnd ? Math.min(Math.max(0, entries.length - 1), cur.fromEnd + batch.length) : 0,
    });
  };

  const stop = () => {
    generation++;
    stream?.stop();
    stream = null;
    // Lines already received are kept (f pauses, then resumes after them).
    flush();
  };

  /** (Re)reads the log with the view's options; `resume` continues after the lines shown. */
  const start = (resume: boolean) => {
    stop();
    const v = view();
    if (!v || !deps.streamLogs) return;
    const gen = generation;
    const mine = (fn: () => void) => () => gen === generation && view() && fn();
    const follow = v.follow && !v.previous;
    set({
      status: v.previous ? 'reading the previous container…' : follow ? 'connecting…' : 'reading…',
      statusLevel: 'info',
      ...(resume ? {} : { entries: [], errors: [], fromEnd: 0 }),
    });
    const since = SINCE_WINDOWS[v.since]?.seconds ?? undefined;
    const opts: LogStreamOptions = { container: v.container, follow, previous: v.previous, tailLines: TAIL_LINES, ...(since ? { sinceSeconds: since } : {}) };
    if (resume && v.entries.length) opts.after = v.entries;
    stream = deps.streamLogs(v.namespace, v.pod, opts, {
      lines: (batch) =>
        mine(() => {
          // A chatty container sends many small chunks: they are drawn together, a few times a second at most.
          pending.push(...batch);
          if (!flushTimer) {
            flushTimer = setTimeout(flush, FLUSH_MS);
            flushTimer.unref?.();
          }
        })(),
      opened: mine(() => follow && set({ status: 'following', statusLevel: 'info' })),
      ended: (message) =>
        mine(() => {
          flush();
          stream = null;
          const cur = view()!;
          const what = cur.previous ? `previous container of ${cur.container}: its last lines` : follow ? message : `${cur.entries.length} lines read (f to follow)`;
          set({ status: what, statusLevel: follow && !cur.previous ? 'warn' : 'info', follow: follow && !cur.previous ? false : cur.follow });
        })(),
      failed: (message) =>
        mine(() => {
          flush();
          stream = null;
          const cur = view()!;
          const none = cur.previous && /previous terminated container .* not found/.test(message);
          set({
            status: none ? `no previous container: ${cur.container} in ${cur.pod} has not restarted (p for the current one)` : message,
            statusLevel: none ? 'warn' : 'error',
            follow: false,
          });
        })(),
      reconnecting: mine(() => set({ status: 'connection dropped; reconnecting from the last line…', statusLevel: 'warn' })),
    });
  };

  const open = (pod: PodRow | { namespace: string; name: string; containerNames?: string[] }) => {
    if (!deps.streamLogs) return notify(cockpit, 'Kubernetes is not configured', 'warn');
    stop();
    const containers = pod.containerNames?.length ? pod.containerNames : [];
    const state: LogsViewState = {
      kind: 'logs',
      namespace: pod.namespace,
      pod: pod.name,
      container: containers[0] ?? '',
      containers,
      previous: false,
      follow: true,
      timestamps: false,
      wrap: false,
      since: 0,
      entries: [],
      errors: [],
      status: 'connecting…',
      statusLevel: 'info',
      fromEnd: 0,
      saved: null,
    };
    cockpit.store.setState((s) => ({ ui: { ...s.ui, overlay: state } }));
    start(false);
  };

  const close = () => {
    stop();
    if (view()) cockpit.store.setState((s) => ({ ui: { ...s.ui, overlay: null } }));
  };

  const save = () => {
    const v = view()!;
    if (!deps.logsDir) return set({ saved: null, status: 'cannot save: no state directory', statusLevel: 'error' });
    const stamp = new Date((deps.now ?? Date.now)())
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    const base = path.join(deps.logsDir, `${v.pod}-${v.container || 'default'}${v.previous ? '-previous' : ''}-${stamp}`);
    // Two saves in one second keep both files.
    let file = `${base}.log`;
    for (let n = 2; fs.existsSync(file); n++) file = `${base}-${n}.log`;
    try {
      writePrivate(file, v.entries.map((e) => `${shownLine(e, v.timestamps)}\n`).join(''));
      set({ saved: `saved ${v.entries.length} lines to ${file}` });
    } catch (e) {
      set({ saved: `could not save to ${file}: ${(e as Error).message}` });
    }
  };

  const pickContainer = async () => {
    const v = view()!;
    if (v.containers.length < 2) return set({ saved: null, status: `${v.pod} has one container${v.container ? ` (${v.container})` : ''}`, statusLevel: 'info' });
    const choice = await ui.select(
      `Container of ${v.namespace}/${v.pod}`,
      v.containers.map((c) => ({ value: c, label: `${c === v.container ? '*' : ' '} ${c}` })),
      undefined,
      v.container,
    );
    if (choice && view() && choice !== view()!.container) {
      set({ container: choice });
      start(false);
    }
  };

  const scrollBy = (delta: number | 'top' | 'bottom') => {
    const v = view()!;
    const most = Math.max(0, v.entries.length - logPageRows(v, cockpit.store.getState().ui.rows));
    const fromEnd = delta === 'bottom' ? 0 : delta === 'top' ? most : Math.max(0, Math.min(most, v.fromEnd - delta));
    set({ fromEnd });
  };

  /** Keys while the viewer is open; true when the key was its own. */
  function handleKey(key: string): boolean {
    const v = view();
    if (!v) return false;
    switch (key) {
      case 'escape':
      case 'q':
        close();
        return true;
      case 'f':
        if (v.previous) {
          set({ status: 'the previous container has exited: nothing to follow (p for the current one)', statusLevel: 'info' });
          return true;
        }
        if (v.follow) {
          stop();
          set({ follow: false, status: `paused: ${v.entries.length} lines (f to follow again)`, statusLevel: 'info' });
        } else {
          set({ follow: true, fromEnd: 0 });
          start(true);
        }
        return true;
      case 'p':
        set({ previous: !v.previous, follow: v.previous, saved: null });
        start(false);
        return true;
      case 't':
        set({ timestamps: !v.timestamps });
        return true;
      case 'w':
        set({ wrap: !v.wrap });
        return true;
      case 's':
        set({ since: (v.since + 1) % SINCE_WINDOWS.length, saved: null });
        start(false);
        return true;
      case 'c':
        void pickContainer();
        return true;
      case 'ctrl+s':
        save();
        return true;
      case 'up':
      case 'k':
        scrollBy(-1);
        return true;
      case 'down':
      case 'j':
        scrollBy(1);
        return true;
      case 'pageup':
        scrollBy(-10);
        return true;
      case 'pagedown':
        scrollBy(10);
        return true;
      case 'g':
      case 'home':
        scrollBy('top');
        return true;
      case 'G':
      case 'end':
        scrollBy('bottom');
        return true;
      default:
        return false;
    }
  }

  return { open, close, handleKey, isOpen: () => view() !== null };
}
