// The pod logs viewer: one container's log, followed or read once, with the keys an SRE reaches
// for on a crash loop. Its text is the shared text viewer's (scroll, wrap, `/` search, n/N, the
// position); this file adds the stream and its keys. Its state is the store's overlay (drawn by
// LogsView); the open stream lives here and is stopped whenever the view closes or asks for
// something else.
import fs from 'node:fs';
import path from 'node:path';
import type { Cockpit } from '../store/store.js';
import type { PodRow } from '../sources/kube/types.js';
import type { LogEntry, LogStream, LogStreamEvents, LogStreamOptions } from '../sources/kube/log-stream.js';
import { summarizeErrors } from '../sources/kube/logs.js';
import { writePrivate } from '../util/private-files.js';
import { dialogInteraction, edit, notify } from './dialogs/dialogs.js';
import { appendLines, createViewer, scroll, setLines, viewerKey, type ViewerNote, type ViewerState } from './viewer/viewer.js';
import { overlayArea } from './viewer/overlay.js';
import { wrapRow } from './wrap-row.js';

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

export type LogsViewState = ViewerState & {
  kind: 'logs';
  namespace: string;
  pod: string;
  container: string;
  containers: string[];
  previous: boolean;
  follow: boolean;
  timestamps: boolean;
  since: number;
  /** What the stream sent; the viewer's `lines` are these as shown (timestamps on or off). */
  entries: LogEntry[];
  /** The error-pattern summary of the entries, most frequent first. */
  errors: { count: number; message: string }[];
  saved: string | null;
};

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

const ERROR_LINE = /\b(ERROR|FATAL|Exception|panic)\b|Exception\b|\bpanic:/;

/** A log line's colour: errors stand out. */
export const logTone = (line: string) => (ERROR_LINE.test(line) ? ('warn' as const) : undefined);

export function logsTitle(v: Pick<LogsViewState, 'namespace' | 'pod' | 'container' | 'previous' | 'since'>): string {
  return `Logs ${v.namespace}/${v.pod}${v.container ? ` · ${v.container}` : ''}${v.previous ? ' (previous)' : ''} · since ${SINCE_WINDOWS[v.since]?.label ?? 'all'}`;
}

/** The logs view's keys with the state of each toggle (the footer shows them too). */
export function logsKeys(v: Pick<LogsViewState, 'follow' | 'previous' | 'timestamps' | 'wrap'>): string {
  const on = (b: boolean) => (b ? 'on' : 'off');
  return `f follow:${on(v.follow)} · p previous:${on(v.previous)} · t timestamps:${on(v.timestamps)} · c container · s since · w wrap:${on(v.wrap)} · ctrl+s save · / search · n/N · ↑↓ PgUp/PgDn g/G · Esc close`;
}

/**
 * The logs view's own lines around the text, at `width` columns: its keys and the error-pattern
 * summary above, and after ctrl+s where the file went (whole, wrapped) below.
 */
export function logsNotes(v: LogsViewState, width: number): { above: ViewerNote[]; below: ViewerNote[] } {
  const head: ViewerNote[] = v.errors.length
    ? [
        { text: 'Errors (count, normalised message):', token: 'title' },
        ...v.errors.map((e) => ({ text: `${String(e.count).padStart(6)}  ${e.message}`, token: 'critical' as const })),
      ]
    : [{ text: v.entries.length ? 'No ERROR/FATAL/Exception/panic lines.' : '', token: 'muted' }];
  const inner = Math.max(10, width - 4);
  const saved: ViewerNote[] = v.saved ? wrapRow(v.saved, inner).map((text) => ({ text, token: 'ok' })) : [];
  // The keys wrap rather than cut: save and search are at the end of the list.
  const keys = wrapRow(logsKeys(v), inner).map((text) => ({ text, token: 'keyHint' as const }));
  return { above: [...keys, ...head], below: saved };
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
  const put = (next: LogsViewState) => cockpit.store.setState((s) => ({ ui: { ...s.ui, overlay: { ...next, title: logsTitle(next) } } }));
  const set = (patch: Partial<LogsViewState>) => {
    const v = view();
    if (v) put({ ...v, ...patch });
  };
  const say = (text: string, level: 'info' | 'warn' | 'error', patch: Partial<LogsViewState> = {}) => set({ ...patch, status: { text, level } });
  /** The text area as LogsView draws it: the terminal's body less the view's own lines. */
  const area = (v: LogsViewState) => {
    const notes = logsNotes(v, cockpit.store.getState().ui.cols);
    return overlayArea(cockpit, v, notes.above.length + notes.below.length);
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
    const all = cur.entries.concat(batch);
    const entries = all.length > MAX_LINES ? all.slice(all.length - MAX_LINES) : all;
    // Pinned, the view shows the newest lines; scrolled up (or on a match), what is on screen stays put.
    const next = appendLines(
      cur,
      batch.map((e) => shownLine(e, cur.timestamps)),
      MAX_LINES,
    );
    put({
      ...next,
      entries,
      errors: summarizeErrors(
        entries.map((e) => e.text),
        5,
      ),
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
    const status = { text: v.previous ? 'reading the previous container…' : follow ? 'connecting…' : 'reading…', level: 'info' as const };
    put(resume ? { ...v, status } : { ...setLines(v, [], status), entries: [], errors: [], top: 0, pinned: true });
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
      opened: mine(() => follow && say('following', 'info')),
      ended: (message) =>
        mine(() => {
          flush();
          stream = null;
          const cur = view()!;
          const what = cur.previous ? `previous container of ${cur.container}: its last lines` : follow ? message : `${cur.entries.length} lines read (f to follow)`;
          say(what, follow && !cur.previous ? 'warn' : 'info', { follow: follow && !cur.previous ? false : cur.follow });
        })(),
      failed: (message) =>
        mine(() => {
          flush();
          stream = null;
          const cur = view()!;
          const none = cur.previous && /previous terminated container .* not found/.test(message);
          say(none ? `no previous container: ${cur.container} in ${cur.pod} has not restarted (p for the current one)` : message, none ? 'warn' : 'error', { follow: false });
        })(),
      reconnecting: mine(() => say('connection dropped; reconnecting from the last line…', 'warn')),
    });
  };

  const open = (pod: PodRow | { namespace: string; name: string; containerNames?: string[] }) => {
    if (!deps.streamLogs) return notify(cockpit, 'Kubernetes is not configured', 'warn');
    stop();
    const containers = pod.containerNames?.length ? pod.containerNames : [];
    const opts = { namespace: pod.namespace, pod: pod.name, container: containers[0] ?? '', previous: false, since: 0 };
    put({
      kind: 'logs',
      ...createViewer(logsTitle(opts), [], { pinned: true, status: { text: 'connecting…', level: 'info' } }),
      ...opts,
      containers,
      follow: true,
      timestamps: false,
      entries: [],
      errors: [],
      saved: null,
    });
    start(false);
  };

  const close = () => {
    stop();
    if (view()) cockpit.store.setState((s) => ({ ui: { ...s.ui, overlay: null } }));
  };

  const save = () => {
    const v = view()!;
    if (!deps.logsDir) return say('cannot save: no state directory', 'error', { saved: null });
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
    if (v.containers.length < 2) return say(`${v.pod} has one container${v.container ? ` (${v.container})` : ''}`, 'info', { saved: null });
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

  /** The logs' own keys; the rest (scroll, wrap, search) are the text viewer's. */
  function logsKey(v: LogsViewState, key: string): boolean {
    switch (key) {
      case 'escape':
      case 'q':
        close();
        return true;
      case 'f':
        if (v.previous) {
          say('the previous container has exited: nothing to follow (p for the current one)', 'info');
          return true;
        }
        if (v.follow) {
          stop();
          say(`paused: ${view()!.entries.length} lines (f to follow again)`, 'info', { follow: false });
        } else {
          put({ ...scroll(v, 'bottom', area(v)), follow: true });
          start(true);
        }
        return true;
      case 'p':
        set({ previous: !v.previous, follow: v.previous, saved: null });
        start(false);
        return true;
      case 't': {
        const timestamps = !v.timestamps;
        put(
          setLines(
            { ...v, timestamps },
            v.entries.map((e) => shownLine(e, timestamps)),
            v.status,
          ),
        );
        return true;
      }
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
      case '?':
        // Its keys are listed above the text already; the text viewer's list would leave out f, p, t….
        return true;
      default:
        return false;
    }
  }

  /** Keys while the viewer is open; true when the key was its own. */
  function handleKey(key: string): boolean {
    const v = view();
    if (!v) return false;
    // A search pattern being typed takes every key.
    if (v.typing === null && logsKey(v, key)) return true;
    const next = viewerKey(v, key, area(v), edit);
    if (next === undefined) return false;
    if (next === 'close') close();
    else put(next);
    return true;
  }

  return { open, close, handleKey, isOpen: () => view() !== null };
}
