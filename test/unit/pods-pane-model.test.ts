// The pods pane builds a row only when it is read, keeps its cells while the pod and its age
// read the same, and rebuilds it when either changes (or the columns do): ages keep ticking on
// screen, nothing stale stays, and a long list costs only its visible window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podsPane } from '../../src/ui/panes/pods.js';
import { podCells } from '../../src/present/pods.js';
import { contentWidths } from '../../src/ui/widgets/table.js';
import { visibleRows, type PaneModel } from '../../src/ui/panes/model.js';
import { initialState, type State } from '../../src/store/store.js';
import { kubeData, pod } from '../helpers/cockpit-data.js';
import { NOW } from '../helpers/cockpit.js';

function state(data = kubeData()): State {
  const s = initialState();
  return { ...s, kube: { ...s.kube, status: 'ok', data } };
}
const rowsOf = (m: PaneModel) => Array.from({ length: m.rows.length }, (_, i) => m.rows.at(i)!);

test('pods pane: unchanged rows keep their cells; a changed pod, a new age and new columns rebuild the row', () => {
  const data = kubeData();
  const s = state(data);
  const a = rowsOf(podsPane.model(s, NOW, NOW));
  const b = rowsOf(podsPane.model(s, NOW + 1000, NOW));
  assert.ok(
    a.every((r, i) => r === b[i]),
    'one second later (ages in hours) every row is the same',
  );
  const m = podsPane.model(s, NOW, NOW);
  const ageCol = m.columns!.findIndex((c) => c.title === 'AGE');
  const later = rowsOf(podsPane.model(s, NOW + 3600_000, NOW));
  assert.notEqual(later[0]![ageCol]!.text, a[0]![ageCol]!.text, 'an hour later the row shows the new age');

  const base = rowsOf(podsPane.model(s, NOW, NOW));
  const changed = { ...data, pods: data.pods.map((p, i) => (i === 3 ? { ...p, restarts: 7 } : p)) };
  const c = rowsOf(podsPane.model(state(changed), NOW, NOW));
  assert.ok(
    c[3]!.some((cell) => cell.text === '7'),
    'the new restart count is in the row',
  );
  assert.equal(c[4], base[4], 'its neighbour is untouched');

  const noMetrics = podsPane.model(state({ ...data, metricsAvailable: false }), NOW, NOW);
  assert.equal(noMetrics.rows.at(0)!.length, noMetrics.columns!.length, 'cells follow the columns when metrics go away');
  assert.equal(podsPane.model(s, NOW, NOW).targets!.at(3)!.pod, data.pods[3]);
});

test('pods pane: a young pod whose age ticks every second shows the same row podCells builds', () => {
  const data = kubeData();
  const young = { ...data, pods: data.pods.map((p) => ({ ...p, createdAt: NOW - 30_000 })) };
  const s = state(young);
  rowsOf(podsPane.model(s, NOW, NOW));
  for (const dt of [1000, 2000, 95_000, 200_000]) {
    const m = podsPane.model(s, NOW + dt, NOW);
    young.pods.forEach((p, i) => assert.deepEqual(m.rows.at(i), podCells(p, NOW + dt, young), `${dt} ms later, row ${i}`));
  }
});

test('pods pane: the flex columns get the widths the table would measure, and a filter still sees every row', () => {
  const data = kubeData();
  const long = { ...data, pods: [...data.pods, { ...pod('shop', 'a-deployment-with-a-rather-long-name', 99), reason: 'Unschedulable: 0/6 nodes are available' }] };
  const m = podsPane.model(state(long), NOW, NOW);
  const measured = contentWidths(m.rows, m.columns!.length);
  m.columns!.forEach((c, i) => {
    if (c.width === 'flex') assert.equal(m.widths![i], measured[i], c.title);
  });
  assert.deepEqual(visibleRows(m, 'rather-long'), [long.pods.length - 1]);
});
