// The `:` command line, as in k9s: a view name switches the focused pane (`:po`, `:deploy`,
// `:sts`, `:ds`, `:no`, `:ev`, `:rs`…), plus `:ns NAME`, `:ctx NAME`, `:sort COLUMN`, `:q`.
// Tab completes; a mistake stays on the line with the reason, so nothing typed is lost.
import { missingNamespaceProblem, namespaceShapeProblem, parseNamespaces, watchingMessage } from './namespaces.js';
import type { Cockpit, PaneId } from '../store/store.js';
import type { CockpitServices } from './controller.js';
import { edit, notify } from './dialogs/dialogs.js';
import { openViewer } from './viewer/overlay.js';
import { POD_SORTS, POD_SORT_COLUMNS, isPodSortColumn, type PaneView } from './pane-view.js';
import { formatKubeAge } from '../present/format.js';
import type { ReplicaSetRow } from '../sources/kube/replicasets.js';

type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet';
interface ViewCommand {
  names: string[];
  pane: PaneId;
  kind?: WorkloadKind;
}

/** The first name is the one completion offers first; the rest are k9s's aliases. */
const VIEWS: ViewCommand[] = [
  { names: ['pods', 'po', 'pod'], pane: 'pods' },
  { names: ['deploy', 'dp', 'deployments', 'deployment'], pane: 'deployments', kind: 'Deployment' },
  { names: ['sts', 'statefulsets', 'statefulset'], pane: 'deployments', kind: 'StatefulSet' },
  { names: ['ds', 'daemonsets', 'daemonset'], pane: 'deployments', kind: 'DaemonSet' },
  { names: ['workloads', 'wl'], pane: 'deployments' },
  { names: ['nodes', 'no', 'node'], pane: 'nodes' },
  { names: ['events', 'ev', 'event'], pane: 'events' },
  { names: ['alerts', 'alert'], pane: 'alerts' },
  { names: ['signals'], pane: 'signals' },
  { names: ['postgres', 'pg'], pane: 'postgres' },
  { names: ['redis'], pane: 'redis' },
  { names: ['timeline'], pane: 'timeline' },
];
const OTHER = {
  rs: ['rs', 'replicasets', 'replicaset'],
  ns: ['ns', 'namespace', 'namespaces'],
  ctx: ['ctx', 'context', 'contexts'],
  sort: ['sort'],
  quit: ['q', 'quit', 'q!'],
  help: ['help'],
};
const ALL_NAMES = [...VIEWS.flatMap((v) => v.names), ...Object.values(OTHER).flat()];
const TAKES_ARG = new Set([...OTHER.ns, ...OTHER.ctx, ...OTHER.sort]);

export interface CommandLineDeps {
  cockpit: Cockpit;
  services: CockpitServices;
  /** Runs one of the cockpit's commands by id (quit, help, the namespace and context dialogs). */
  run(id: string): void;
  now(): number;
}

export function createCommandLine(deps: CommandLineDeps) {
  const { cockpit, services } = deps;
  const get = () => cockpit.store.getState();
  const setUi = (patch: Partial<ReturnType<typeof get>['ui']>) => cockpit.store.setState((s) => ({ ui: { ...s.ui, ...patch } }));
  const setLine = (text: string, hint = hintFor(text), error = false) => setUi({ command: { text, hint, error } });
  const setView = (pane: PaneId, patch: Partial<PaneView>) => {
    const view = get().ui.view;
    setUi({ view: { ...view, [pane]: { ...view[pane], ...patch } }, cursor: { ...get().ui.cursor, [pane]: 0 } });
  };

  function argChoices(cmd: string): string[] {
    if (OTHER.ns.includes(cmd)) {
      const d = get().kube.data;
      return [...new Set(['*', ...d.namespaces, ...d.pods.map((p) => p.namespace)])].sort();
    }
    if (OTHER.ctx.includes(cmd)) return services.kube?.listContexts() ?? [];
    if (OTHER.sort.includes(cmd)) return POD_SORT_COLUMNS;
    return [];
  }

  function candidates(text: string): { prefix: string; word: string; choices: string[] } {
    const m = /^(\S*)(\s+)(\S*)$/.exec(text);
    if (m) return { prefix: m[1]! + m[2]!, word: m[3]!, choices: argChoices(m[1]!).filter((c) => c.startsWith(m[3]!)) };
    return { prefix: '', word: text, choices: ALL_NAMES.filter((n) => n.startsWith(text)) };
  }

  function hintFor(text: string): string {
    if (!text.trim()) return 'pods deploy sts ds nodes events rs ns ctx sort q';
    const { choices } = candidates(text.trimStart());
    if (!choices.length) return 'no such command (Tab completes, Esc cancels)';
    return choices.slice(0, 10).join(' ') + (choices.length > 10 ? ' …' : '');
  }

  function complete(text: string): void {
    const { prefix, word, choices } = candidates(text.trimStart());
    if (!choices.length) return setLine(text, hintFor(text), true);
    let common = choices[0]!;
    for (const c of choices) while (!c.startsWith(common)) common = common.slice(0, -1);
    const done = choices.length === 1;
    // Nothing more in common: take the first choice (k9s's suggestion); Tab again goes on from it.
    const next = prefix + (common.length > word.length || done ? common : choices[0]!) + (done && !prefix && TAKES_ARG.has(common) ? ' ' : '');
    setLine(next, done ? hintFor(next) : choices.join(' '));
  }

  function focusView(pane: PaneId): void {
    const ui = get().ui;
    // A small terminal shows a view as k9s does, the whole screen; a large one keeps the overview.
    const zoom = ui.zoom || ui.cols <= 100 || ui.rows <= 30 ? pane : null;
    setUi({ focus: pane, zoom, command: null });
  }

  /** Runs the line; a mistake keeps it open with the reason. */
  function execute(text: string): void {
    const [cmd = '', ...args] = text.trim().split(/\s+/);
    const arg = args.join(' ');
    const fail = (why: string) => setLine(text, why, true);
    if (!cmd) return setUi({ command: null });
    const view = VIEWS.find((v) => v.names.includes(cmd));
    if (view) {
      if (arg) return fail(`:${cmd} takes no argument`);
      if (view.pane === 'pods') setView('pods', { scope: undefined });
      if (view.pane === 'deployments') setView('deployments', { scope: view.kind ? { kind: 'workloadKind', workloadKind: view.kind } : undefined });
      return focusView(view.pane);
    }
    if (OTHER.quit.includes(cmd)) {
      setUi({ command: null });
      return deps.run('app.quit');
    }
    if (OTHER.help.includes(cmd)) {
      setUi({ command: null });
      return deps.run('app.help');
    }
    if (OTHER.ns.includes(cmd)) {
      if (!arg) {
        setUi({ command: null });
        return deps.run('kube.namespace');
      }
      const kube = services.kube;
      if (!kube) return fail('Kubernetes is not configured');
      const { all, names } = parseNamespaces(arg);
      const shape = namespaceShapeProblem(names);
      if (shape) return fail(shape);
      const watch = () => {
        kube.setNamespaces(all ? 'all' : names);
        setUi({ command: null });
        notify(cockpit, watchingMessage(all, names), 'info');
      };
      if (all) return watch();
      // A typo is refused with the line kept, rather than a cockpit of "not found" panes.
      setLine(text, 'checking the namespace…', false);
      void missingNamespaceProblem(kube, names).then((problem) => {
        if (get().ui.command?.text !== text) return;
        if (problem) fail(`${problem} (Tab completes the known ones)`);
        else watch();
      });
      return;
    }
    if (OTHER.ctx.includes(cmd)) {
      if (!arg) {
        setUi({ command: null });
        return deps.run('kube.context');
      }
      const kube = services.kube;
      if (!kube) return fail('Kubernetes is not configured');
      const known = kube.listContexts();
      if (!known.includes(arg)) return fail(`no context "${arg}" in the kubeconfig${known.length ? ` (${known.slice(0, 6).join(', ')})` : ''}`);
      setUi({ command: null });
      if (arg === kube.currentContext()) return notify(cockpit, `Already on context ${arg}`, 'info');
      void kube.switchContext(arg).catch((e) => notify(cockpit, `context ${arg}: ${e instanceof Error ? e.message : String(e)}`, 'error'));
      return;
    }
    if (OTHER.sort.includes(cmd)) {
      const [column = '', dir] = args;
      const name = column.replace(/^-/, '');
      if (!isPodSortColumn(name)) return fail(`sort by one of: ${POD_SORT_COLUMNS.join(' ')} (-name reverses)`);
      const desc = dir === 'desc' ? true : dir === 'asc' ? false : POD_SORTS[name].desc !== column.startsWith('-');
      setView('pods', { sort: { column: name, desc } });
      return focusView('pods');
    }
    if (OTHER.rs.includes(cmd)) {
      const list = services.kube?.replicaSets;
      if (!list) return fail('Kubernetes is not configured');
      setUi({ command: null });
      notify(cockpit, 'Listing ReplicaSets…', 'info');
      void list()
        .then((rows) => openViewer(cockpit, `ReplicaSets (${rows.length})`, replicaSetLines(rows, deps.now())))
        .catch((e) => notify(cockpit, `ReplicaSets: ${e instanceof Error ? e.message : String(e)}`, 'error'));
      return;
    }
    fail(`unknown command ":${cmd}" — try pods deploy sts ds nodes events rs ns ctx sort q (Tab completes)`);
  }

  return {
    open: () => setLine(''),
    handleKey(key: string): void {
      const line = get().ui.command;
      if (!line) return;
      if (key === 'escape') return setUi({ command: null });
      if (key === 'enter') return execute(line.text);
      if (key === 'tab') return complete(line.text);
      if (key === 'backspace' && !line.text) return setUi({ command: null });
      const text = edit(line.text, key);
      if (text !== line.text) setLine(text);
    },
  };
}

/** `kubectl get rs -o wide` as lines: aligned columns. */
export function replicaSetLines(rows: ReplicaSetRow[], now: number): string[] {
  if (!rows.length) return ['No ReplicaSets in the watched namespaces.'];
  const table = [
    ['NAMESPACE', 'NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE', 'REVISION', 'OWNER', 'IMAGES'],
    ...rows.map((r) => [
      r.namespace,
      r.name,
      String(r.desired),
      String(r.current),
      String(r.ready),
      r.createdAt == null ? '-' : formatKubeAge(now - r.createdAt),
      r.revision ?? '-',
      r.owner ?? '-',
      r.images.join(','),
    ]),
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  return table.map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!))).join('  '));
}
