// The pods pane keeps each row's cells while the pod and its age read the same, and rebuilds a
// row when either changes (or the columns do): ages keep ticking on screen, nothing stale stays.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podsPane } from '../../src/ui/panes/pods.js';
import { podCells } from '../../src/present/pods.js';
import { initialState, type State } from '../../src/store/store.js';
import { kubeData } from '../helpers/cockpit-data.js';
import { NOW } from '../helpers/cockpit.js';

function state(data = kubeData()): State {
  const s = initialState();
  return { ...s, kube: { ...s.kube, status: 'ok', data } };
}

test('pods pane: unchanged rows keep their cells; a changed pod, a new age and new columns rebuild the row', () => {
  const data = kubeData();
  const s = state(data);
  const a = podsPane.model(s, NOW, NOW);
  const b = podsPane.model(s, NOW + 1000, NOW);
  assert.ok(
    a.rows.every((r, i) => r === b.rows[i]),
    'one second later (ages in hours) every row is the same',
  );
  const ageCol = a.columns!.findIndex((c) => c.title === 'AGE');
  const later = podsPane.model(s, NOW + 3600_000, NOW);
  assert.notEqual(later.rows[0], a.rows[0], 'an hour later the row is rebuilt');
  assert.notEqual(later.rows[0]![ageCol]!.text, a.rows[0]![ageCol]!.text, 'and shows the new age');

  const base = podsPane.model(s, NOW, NOW);
  const changed = { ...data, pods: data.pods.map((p, i) => (i === 3 ? { ...p, restarts: 7 } : p)) };
  const c = podsPane.model(state(changed), NOW, NOW);
  assert.notEqual(c.rows[3], base.rows[3]);
  assert.ok(
    c.rows[3]!.some((cell) => cell.text === '7'),
    'the new restart count is in the row',
  );
  assert.equal(c.rows[4], base.rows[4], 'its neighbour is untouched');

  const noMetrics = podsPane.model(state({ ...data, metricsAvailable: false }), NOW, NOW);
  assert.equal(noMetrics.rows[0]!.length, noMetrics.columns!.length, 'cells follow the columns when metrics go away');
  assert.ok(noMetrics.columns!.length < a.columns!.length);

  // The widths it reports are the widest text per column, as the table measures them.
  const widest = a.columns!.map((_, i) => Math.max(...a.rows.map((r) => r[i]!.text.length)));
  assert.deepEqual(a.widths, widest);
  assert.equal(a.targets![3]!.pod, data.pods[3]);
});

test('pods pane: a young pod whose age ticks every second shows the same row podCells builds', () => {
  const data = kubeData();
  const young = { ...data, pods: data.pods.map((p) => ({ ...p, createdAt: NOW - 30_000 })) };
  const s = state(young);
  podsPane.model(s, NOW, NOW);
  for (const dt of [1000, 2000, 95_000, 200_000]) {
    const m = podsPane.model(s, NOW + dt, NOW);
    young.pods.forEach((p, i) => assert.deepEqual(m.rows[i], podCells(p, NOW + dt, young), `${dt} ms later, row ${i}`));
  }
});
