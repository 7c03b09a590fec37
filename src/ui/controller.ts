// Maps keys to commands and commands to behaviour. Priority: open dialog, then overlay,
// then filter editing, then the focused pane's bindings, then global ones. Mutating work
// always goes through the action runner; nothing here re-implements a gate.
import type { ActionRunner } from '../actions/runner.js';
import type { ActionTarget } from '../actions/types.js';
import { resolveKey, type Command, type ControllerCommandId, type Keymap } from '../keys/bindings.js';
import type { Cockpit, PaneId } from '../store/store.js';
import { PANES, paneModel } from './panes/registry.js';
import { currentDialog, dialogInteraction, dialogKey, edit, notify } from './dialogs/dialogs.js';
import { rowKey, selectedPosition, visibleRows } from './panes/model.js';
import { alertDetails } from '../present/alerts.js';
import { eventDetails } from '../present/events.js';
import type { EventRow } from '../sources/kube/types.js';
import type { AlertRow } from '../sources/prometheus/types.js';
import type { PodRow } from '../sources/kube/types.js';
import type { ReplicaSetRow } from '../sources/kube/replicasets.js';
import type { LogStream, LogStreamEvents, LogStreamOptions } from '../sources/kube/log-stream.js';
import { createLogsViewer } from './logs-viewer.js';
import { openViewer, viewerOverlayKey } from './viewer/overlay.js';
import type { InspectRef } from '../sources/kube/inspect.js';
import { inspectRef, openInspect } from './inspect.js';
import { createCommandLine } from './command-line.js';
import { missingNamespaceProblem, namespaceShapeProblem, parseNamespaces, watchingMessage } from './namespaces.js';
import { POD_SORTS, POD_SORT_COLUMNS, type PaneScope, type PaneView } from './pane-view.js';

/** What the cockpit can do beyond actions; each part is optional (absent in a read-only snapshot, a test…). */
export interface CockpitServices {
  refresh?(): void;
  /** Where the logs viewer saves (`<stateDir>/logs`). */
  logsDir?: string;
  kube?: {
    listContexts(): string[];
    currentContext(): string | null;
    switchContext(name: string): Promise<void>;
    setNamespaces(ns: string[] | 'all'): void;
    /** The names among these that the API server says do not exist. */
    missingNamespaces?(names: string[]): Promise<string[]>;
    logs(target: ActionTarget, kind: 'pod' | 'deployment'): Promise<{ title: string; lines: string[] }>;
    /** One container's log, read or followed (the pod logs viewer). */
    streamLogs?(namespace: string, pod: string, opts: LogStreamOptions, ev: LogStreamEvents): LogStream;
    /** `kubectl describe` and `kubectl get -o yaml` of one object, as lines. */
    describe?(ref: InspectRef): Promise<string[]>;
    yaml?(ref: InspectRef): Promise<string[]>;
    /** `:rs`: the ReplicaSets of the watched namespaces, listed from the API. */
    replicaSets?(): Promise<ReplicaSetRow[]>;
    history(target: ActionTarget): Promise<{ revision: number; images: string[]; changeCause: string | null; current: boolean }[]>;
  };
}

export interface ControllerDeps {
  cockpit: Cockpit;
  keymap: Keymap;
  runner: ActionRunner;
  services: CockpitServices;
  exit(): void;
  now?: () => number;
  dataNow?: () => number;
}

export function createController(deps: ControllerDeps) {
  const { cockpit, keymap, runner, services } = deps;
  const now = deps.now ?? Date.now;
  const dataNow = deps.dataNow ?? now;
  const ui = dialogInteraction(cockpit);
  const get = () => cockpit.store.getState();
  const setUi = (patch: Partial<ReturnType<typeof get>['ui']>) => cockpit.store.setState((s) => ({ ui: { ...s.ui, ...patch } }));

  const selection = (pane: PaneId) => {
    const state = get();
    const model = paneModel(pane, state, now(), dataNow());
    const visible = visibleRows(model, state.ui.filter[pane]);
    const cursor = selectedPosition(model, visible, state.ui.cursor[pane] ?? 0, state.ui.selected[pane]);
    const index = visible[cursor];
    return { model, visible, cursor, target: index === undefined ? null : (model.targets?.at(index) ?? null) };
  };

  const moveCursor = (delta: number | 'top' | 'bottom') => {
    const pane = get().ui.focus;
    const { model, visible, cursor } = selection(pane);
    const last = Math.max(0, visible.length - 1);
    const next = delta === 'top' ? 0 : delta === 'bottom' ? last : Math.max(0, Math.min(last, cursor + delta));
    setUi({ cursor: { ...get().ui.cursor, [pane]: next }, selected: { ...get().ui.selected, [pane]: rowKey(model, visible[next]) } });
  };

  const withTarget = (what: string, fn: (t: ActionTarget) => unknown) => {
    const pane = get().ui.focus;
    const { target } = selection(pane);
    if (!target) return notify(cockpit, `Select a row first: ${what} works on the selected ${pane === 'postgres' ? 'query' : 'row'}`, 'warn');
    void Promise.resolve(fn(target)).catch((e) => notify(cockpit, `${what}: ${e instanceof Error ? e.message : String(e)}`, 'error'));
  };

  const showText = (title: string, lines: string[], opts?: { wrap?: boolean }) => openViewer(cockpit, title, lines, opts);
  const logsViewer = createLogsViewer({
    cockpit,
    streamLogs: (...a) => {
      if (!services.kube?.streamLogs) throw new Error('Kubernetes is not configured');
      return services.kube.streamLogs(...a);
    },
    get logsDir() {
      return services.logsDir;
    },
    now,
  });
  const showLogs = async (t: ActionTarget, kind: 'pod' | 'deployment') => {
    if (!services.kube) return notify(cockpit, 'Kubernetes is not configured', 'warn');
    const pod = t.pod as PodRow | undefined;
    if (kind === 'pod' && pod && services.kube.streamLogs) return logsViewer.open(pod);
    const logs = await services.kube.logs(t, kind);
    showText(logs.title, logs.lines);
  };

  const inspect = (how: 'describe' | 'yaml') => {
    const pane = get().ui.focus;
    const ref = inspectRef(pane, selection(pane).target);
    if (typeof ref === 'string') return notify(cockpit, ref, 'warn');
    const kube = services.kube;
    if (!kube?.[how]) return notify(cockpit, 'Kubernetes is not configured', 'warn');
    return openInspect(cockpit, how, ref, (r) => kube[how]!(r));
  };

  /** A stray q or Ctrl-C must not close the commander's screen: with an incident open, it asks. */
  let quitting = false;
  const exit = () => {
    logsViewer.close();
    deps.exit();
  };
  const quit = async () => {
    const open = get().incident.current;
    if (!open) return exit();
    if (quitting) return;
    quitting = true;
    try {
      const ok = await ui.confirm({
        title: 'Quit warroom?',
        lines: [`Incident ${open.id} (${open.severity}, ${open.status}) is still open.`, 'Its journal is on disk: starting warroom here again resumes it.'],
        dangerous: true,
      });
      if (ok === true) exit();
    } finally {
      quitting = false;
    }
  };

  const setView = (pane: PaneId, patch: Partial<PaneView>) => {
    const view = get().ui.view;
    setUi({ view: { ...view, [pane]: { ...view[pane], ...patch } }, cursor: { ...get().ui.cursor, [pane]: 0 } });
  };
  /** Shows `pane` narrowed to `scope`; a zoomed screen stays zoomed on it. */
  const showScoped = (pane: PaneId, scope: PaneScope) => {
    setView(pane, { scope });
    setUi({ focus: pane, zoom: get().ui.zoom ? pane : null, filter: { ...get().ui.filter, [pane]: '' } });
  };
  const sortPods = (next: (current: PaneView['sort']) => PaneView['sort']) => setView('pods', { sort: next(get().ui.view.pods?.sort) });
  const commandLine = createCommandLine({ cockpit, services, run: (id) => run(id), now });

  const focusCommands = Object.fromEntries(PANES.map((p) => [`focus.${p}`, () => setUi({ focus: p, zoom: get().ui.zoom ? p : null })])) as Record<`focus.${PaneId}`, () => unknown>;

  const commands: Record<ControllerCommandId, () => unknown> = {
    'app.quit': () => quit(),
    'app.help': () => setUi({ overlay: { kind: 'help', scroll: 0 } }),
    'app.refresh': () => {
      services.refresh?.();
      notify(cockpit, 'Refreshing every source', 'info');
    },
    'focus.next': () => setUi({ focus: PANES[(PANES.indexOf(get().ui.focus) + 1) % PANES.length] }),
    'focus.prev': () => setUi({ focus: PANES[(PANES.indexOf(get().ui.focus) - 1 + PANES.length) % PANES.length] }),
    ...focusCommands,
    'pane.zoom': () => setUi({ zoom: get().ui.zoom ? null : get().ui.focus }),
    'pane.filter': () => setUi({ filterEditing: get().ui.focus }),
    'app.command': () => commandLine.open(),
    'nav.pods': () =>
      withTarget('Pods', (t) => {
        const kind = typeof t.kind === 'string' ? t.kind : 'Deployment';
        showScoped('pods', { kind: 'owner', owner: { kind, name: t.name, namespace: t.namespace ?? '' } });
      }),
    'nav.events': () => {
      const pane = get().ui.focus;
      if (pane !== 'pods' && pane !== 'deployments' && pane !== 'nodes') return notify(cockpit, 'Events: focus Pods, Workloads or Nodes and select a row', 'warn');
      withTarget('Events', (t) => {
        const kind = pane === 'pods' ? 'pod' : pane === 'nodes' ? 'node' : String(t.kind ?? 'Deployment').toLowerCase();
        showScoped('events', { kind: 'object', object: `${kind}/${t.name}`, namespace: pane === 'nodes' ? null : (t.namespace ?? null) });
      });
    },
    'pods.sortNext': () =>
      sortPods((cur) => {
        const column = POD_SORT_COLUMNS[(cur ? POD_SORT_COLUMNS.indexOf(cur.column) + 1 : 0) % POD_SORT_COLUMNS.length]!;
        return { column, desc: POD_SORTS[column].desc };
      }),
    'pods.sortReverse': () => sortPods((cur) => ({ column: cur?.column ?? 'name', desc: cur ? !cur.desc : !POD_SORTS.name.desc })),
    'cursor.up': () => moveCursor(-1),
    'cursor.down': () => moveCursor(1),
    'cursor.pageUp': () => moveCursor(-10),
    'cursor.pageDown': () => moveCursor(10),
    'cursor.top': () => moveCursor('top'),
    'cursor.bottom': () => moveCursor('bottom'),

    'kube.history': () =>
      withTarget('History', async (t) => {
        if (!services.kube) return notify(cockpit, 'Kubernetes is not configured', 'warn');
        const revisions = await services.kube.history(t);
        if (!revisions.length) return notify(cockpit, `${t.name}: no revisions found`, 'warn');
        const choice = await ui.select(
          `Revisions of ${t.namespace}/${t.name} — Enter rolls back to the chosen one`,
          revisions.map((r) => ({ value: String(r.revision), label: `${r.current ? '*' : ' '} rev ${r.revision}  ${r.images.join(', ')}`, detail: r.changeCause ?? '' })),
        );
        if (choice) await runner.invoke('kube.rollback', { ...t, toRevision: Number(choice) });
      }),
    'kube.logs': () => withTarget('Logs', (t) => showLogs(t, 'pod')),
    'kube.deployLogs': () => withTarget('Logs', (t) => showLogs(t, 'deployment')),
    'kube.describe': () => inspect('describe'),
    'kube.yaml': () => inspect('yaml'),
    'kube.context': async () => {
      if (!services.kube) return notify(cockpit, 'Kubernetes is not configured', 'warn');
      const current = services.kube.currentContext();
      const choice = await ui.select(
        'Switch Kubernetes context',
        services.kube.listContexts().map((c) => ({ label: `${c === current ? '* ' : '  '}${c}`, value: c })),
      );
      if (choice && choice !== current) await services.kube.switchContext(choice);
    },
    'kube.namespace': async () => {
      const kube = services.kube;
      if (!kube) return notify(cockpit, 'Kubernetes is not configured', 'warn');
      const ns = get().kube.data;
      let initial = ns.allNamespaces ? '*' : ns.namespaces.join(',');
      // Asked again with the text kept while the cluster has no such namespace.
      for (;;) {
        const answer = await ui.prompt('Namespaces (comma-separated, * for all)', [
          { name: 'ns', label: 'Namespaces', initial, validate: (v) => (v.trim() ? namespaceShapeProblem(parseNamespaces(v).names) : 'enter at least one namespace, or *') },
        ]);
        if (answer?.ns === undefined) return;
        const { all, names } = parseNamespaces(answer.ns);
        const problem = all ? null : await missingNamespaceProblem(kube, names);
        if (!problem) {
          kube.setNamespaces(all ? 'all' : names);
          return notify(cockpit, watchingMessage(all, names), 'info');
        }
        notify(cockpit, problem, 'warn');
        initial = answer.ns;
      }
    },

    'event.show': () =>
      withTarget('Event', (t) => {
        const e = t.event as EventRow;
        showText(`Event ${e.reason} on ${e.object}`, eventDetails(e, now()), { wrap: true });
      }),
    'alert.runbook': () =>
      withTarget('Runbook', (t) => {
        const a = t.alert as AlertRow;
        showText(`Alert ${a.name}`, [a.runbookUrl ? `Runbook: ${a.runbookUrl}` : 'Runbook: (none in the alert annotations)', '', ...alertDetails(a, dataNow())]);
      }),
  };

  /** An action's key: the runner does the rest, read-only first. */
  const invokeAction = (cmd: Command) => {
    const { target } = selection(get().ui.focus);
    if (cmd.action === 'none') return runner.invoke(cmd.id, { name: '' });
    // With 'row-if-any' the runner decides, read-only first: a row that is not a target is the precheck's refusal.
    if (cmd.action === 'row-if-any') return runner.invoke(cmd.id, target ?? { name: '' });
    // Without a row, a disabled action still says why (read-only) rather than asking for a row.
    if (!target && runner.disabledReason(cmd.id)) return runner.invoke(cmd.id, { name: '' });
    return withTarget(runner.get(cmd.id)?.title ?? cmd.label, (t) => runner.invoke(cmd.id, t));
  };

  const isControllerCommand = (id: string): id is ControllerCommandId => Object.hasOwn(commands, id);

  const run = (id: string) => {
    const cmd = keymap.commands.find((c) => c.id === id);
    const fn = isControllerCommand(id) ? commands[id] : cmd?.action ? () => invokeAction(cmd) : undefined;
    if (!fn) return notify(cockpit, `${id} is not available here`, 'warn');
    // Synchronous, so the next key of a chunk ("2r") already sees this one's effect.
    const fail = (e: unknown) => notify(cockpit, `${id}: ${e instanceof Error ? e.message : String(e)}`, 'error');
    try {
      void Promise.resolve(fn()).catch(fail);
    } catch (e) {
      fail(e);
    }
  };

  function handleKey(key: string): void {
    const state = get();
    // Ctrl-C again while quitting is asked: quit (the journal already has everything).
    if (quitting && key === 'ctrl+c') return exit();
    if (currentDialog(cockpit)) return dialogKey(cockpit, key);
    const overlay = state.ui.overlay;
    if (overlay?.kind === 'logs') {
      if (key === 'ctrl+c') return void quit();
      logsViewer.handleKey(key);
      return;
    }
    if (overlay?.kind === 'viewer') {
      if (key === 'ctrl+c') return void quit();
      viewerOverlayKey(cockpit, key);
      return;
    }
    if (overlay) {
      if (key === 'down' || key === 'j' || key === 'up' || key === 'k' || key === 'pagedown' || key === 'pageup') {
        const step = key === 'pagedown' ? 10 : key === 'pageup' ? -10 : key === 'down' || key === 'j' ? 1 : -1;
        // The overlay view stops at its last page; here the offset only needs to stay positive.
        const max = keymap.commands.length;
        return setUi({ overlay: { ...overlay, scroll: Math.max(0, Math.min(max, overlay.scroll + step)) } });
      }
      if (key === 'escape' || key === 'q' || key === '?' || key === 'enter') return setUi({ overlay: null });
      if (key === 'ctrl+c') return void quit();
      return;
    }
    if (state.ui.command) {
      if (key === 'ctrl+c') return void quit();
      return commandLine.handleKey(key);
    }
    if (state.ui.filterEditing) {
      const pane = state.ui.filterEditing;
      if (key === 'enter') return setUi({ filterEditing: null });
      if (key === 'escape') return setUi({ filterEditing: null, filter: { ...state.ui.filter, [pane]: '' } });
      if (key === 'ctrl+c') return void quit();
      // A new filter starts at its first match, as k9s does.
      return setUi({
        filter: { ...state.ui.filter, [pane]: edit(state.ui.filter[pane] ?? '', key) },
        cursor: { ...state.ui.cursor, [pane]: 0 },
        selected: { ...state.ui.selected, [pane]: undefined },
      });
    }
    if (key === 'escape') {
      if (state.ui.filter[state.ui.focus]) return setUi({ filter: { ...state.ui.filter, [state.ui.focus]: '' } });
      if (state.ui.view[state.ui.focus]?.scope) return setView(state.ui.focus, { scope: undefined });
      if (state.ui.zoom) return setUi({ zoom: null });
      return;
    }
    const cmd = resolveKey(keymap, key, state.ui.focus);
    if (cmd) run(cmd.id);
  }

  return { handleKey, run, commands: Object.keys(commands) };
}
