// Describe (d) and YAML (y) of the selected pod, workload or node, in the text viewer. The viewer
// opens at once (loading…) and fills when the API answers; a failure is shown inside it.
import type { Cockpit, PaneId } from '../store/store.js';
import type { ActionTarget } from '../actions/types.js';
import type { InspectKind, InspectRef } from '../sources/kube/inspect.js';
import { openViewer, updateViewer } from './viewer/overlay.js';
import { setLines } from './viewer/viewer.js';

/** What `d`/`y` act on in `pane`: a reference to the object, or why there is none. */
export function inspectRef(pane: PaneId, target: ActionTarget | null): InspectRef | string {
  const panes: Partial<Record<PaneId, true>> = { pods: true, deployments: true, nodes: true };
  if (!panes[pane]) return 'Describe and YAML work on the Pods, Workloads and Nodes panes: focus one of them';
  if (!target?.name) return `Select a row first: nothing is selected in ${pane}`;
  if (pane === 'nodes') return { kind: 'Node', name: target.name };
  const kind: InspectKind = pane === 'pods' ? 'Pod' : target.kind === 'StatefulSet' || target.kind === 'DaemonSet' ? target.kind : 'Deployment';
  return { kind, name: target.name, namespace: target.namespace };
}

const WHAT: Record<InspectKind, string> = { Pod: 'pod', Deployment: 'deployment', StatefulSet: 'statefulset', DaemonSet: 'daemonset', Node: 'node' };

export function inspectTitle(how: 'describe' | 'yaml', ref: InspectRef): string {
  const obj = `${WHAT[ref.kind]} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
  return how === 'describe' ? `Describe ${obj}` : `YAML of ${obj} (managedFields left out)`;
}

export function openInspect(cockpit: Cockpit, how: 'describe' | 'yaml', ref: InspectRef, fetch: (ref: InspectRef) => Promise<string[]>): Promise<void> {
  const id = openViewer(cockpit, inspectTitle(how, ref), [], { status: { text: `reading ${WHAT[ref.kind]} ${ref.name}…`, level: 'info' } });
  return fetch(ref).then(
    (lines) => void updateViewer(cockpit, id, (v) => setLines(v, lines)),
    (e: unknown) => {
      const message = e instanceof Error ? e.message : String(e);
      const gone = /not found/i.test(message) ? [`The ${WHAT[ref.kind]} may have been deleted since the list was read.`] : [];
      updateViewer(cockpit, id, (v) =>
        setLines(v, [`Cannot ${how === 'describe' ? 'describe' : 'read'} ${WHAT[ref.kind]} ${ref.name}: ${message}`, ...gone], { text: message, level: 'error' }),
      );
    },
  );
}
