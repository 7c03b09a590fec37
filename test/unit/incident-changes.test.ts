// What changed and who changed it, from what the watch shows: a StatefulSet rolled out before
// detection is in "What changed" (it carries no rollout time, so the moment the watch saw it is
// used); a change this cockpit did not make is journaled as an external change; its own are not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IncidentEngine } from '../../src/incident/incident.js';
import { configSchema } from '../../src/config/schema.js';
import { initialState, type State } from '../../src/store/store.js';
import type { DeploymentRow, StatefulSetRow } from '../../src/sources/kube/types.js';
import { tempDir } from '../helpers/net.js';

const T0 = Date.UTC(2026, 10, 25, 16, 0, 0);
const sts = (revision: number, image: string, replicas = 3): StatefulSetRow => ({
  key: 'shop/pg',
  namespace: 'shop',
  name: 'pg',
  desired: replicas,
  current: replicas,
  ready: replicas,
  updated: replicas,
  images: [image],
  revision,
  currentRevision: null,
  updateRevision: null,
  rolling: false,
  rollout: '',
  uid: 'u1',
});
const dep = (revision: number, replicas: number, restartedAt: string | null = null): DeploymentRow => ({
  key: 'shop/api',
  namespace: 'shop',
  name: 'api',
  desired: replicas,
  ready: replicas,
  updated: replicas,
  available: replicas,
  images: ['api:1'],
  revision,
  lastRolloutAt: null,
  paused: false,
  rolling: false,
  failedReason: null,
  uid: 'd1',
  restartedAt,
  // The deployment keeps its change-cause through a restart or a scale: not quoted for those.
  changeCause: 'deploy api 1 (CI #1)',
});
function kube(statefulSets: StatefulSetRow[], deployments: DeploymentRow[], at: number): State {
  const s = initialState();
  s.kube = { ...s.kube, status: 'ok', updatedAt: at, data: { ...s.kube.data, statefulSets, deployments } };
  return s;
}

test('a StatefulSet rollout before detection is in What changed; outside changes are journaled, our own are not', () => {
  let t = T0;
  const engine = new IncidentEngine({ stateDir: tempDir(), config: configSchema.parse({}), now: () => t });
  engine.observe(kube([sts(1, 'postgres:16.1')], [dep(1, 3)], t));
  t += 10 * 60_000;
  engine.observe(kube([sts(2, 'postgres:16.2')], [dep(1, 3)], t)); // 16:10 rolled out
  t += 20 * 60_000;
  engine.declare({ title: 'db slow', severity: 'P2', actor: 'ana' });
  const changed = engine.slice().timeline.filter((e) => e.kind === 'change.observed');
  assert.deepEqual(
    changed.map((e) => [e.at, e.summary]),
    [[T0 + 10 * 60_000, 'Rolled out StatefulSet shop/pg revision 2: postgres:16.1 → postgres:16.2']],
  );

  // Someone scales api with kubectl: external.
  t += 60_000;
  engine.observe(kube([sts(2, 'postgres:16.2')], [dep(1, 5)], t));
  // This cockpit restarts api (through the runner: action.started … succeeded): not external.
  engine.record({
    kind: 'action.started',
    actor: 'ana',
    source: 'runner',
    summary: 'Restart deployment shop/api started',
    refs: { action: 'kube.restart', target: 'api', namespace: 'shop' },
  });
  t += 1000;
  engine.observe(kube([sts(2, 'postgres:16.2')], [dep(2, 5, '2026-11-25T16:31:01Z')], t));
  engine.record({
    kind: 'action.succeeded',
    actor: 'ana',
    source: 'runner',
    summary: 'Restart deployment shop/api: restarted',
    refs: { action: 'kube.restart', target: 'api', namespace: 'shop' },
  });
  // Later, someone else restarts it again.
  t += 5 * 60_000;
  engine.observe(kube([sts(2, 'postgres:16.2', 4)], [dep(3, 5, '2026-11-25T16:36:02Z')], t));
  const external = engine
    .slice()
    .timeline.filter((e) => e.kind === 'change.external')
    .map((e) => e.summary);
  assert.deepEqual(external, [
    'External change: shop/api replicas 3 → 5',
    'External change: shop/api restarted (restartedAt 2026-11-25T16:36:02Z), revision 2 → 3',
    'External change: statefulset shop/pg replicas 3 → 4',
  ]);
});

test('a rollback this cockpit made before declaring is an action of the incident, not a change that preceded it', () => {
  let t = T0;
  const engine = new IncidentEngine({ stateDir: tempDir(), config: configSchema.parse({}), now: () => t });
  const deployAt = T0;
  engine.observe(kube([], [{ ...dep(2, 3), images: ['api:2.4.1'], lastRolloutAt: deployAt }], t));
  t += 5 * 60_000;
  // The responder rolls back first (the runner journals into the session), then declares.
  engine.record({
    kind: 'action.started',
    actor: 'ana',
    source: 'runner',
    summary: 'Roll back deployment shop/api started',
    refs: { action: 'kube.rollback', target: 'api', namespace: 'shop' },
  });
  engine.observe(kube([], [{ ...dep(3, 3), images: ['api:2.4.0'], previousImages: ['api:2.4.1'], lastRolloutAt: t }], t));
  t += 2000;
  engine.record({
    kind: 'action.succeeded',
    actor: 'ana',
    source: 'runner',
    summary: 'Roll back deployment shop/api: rolled back to revision 1',
    refs: { action: 'kube.rollback', target: 'api', namespace: 'shop' },
  });
  t += 8000;
  engine.declare({ title: 'api 5xx', severity: 'P1', actor: 'ana' });
  const tl = engine.slice().timeline;
  const actions = tl.filter((e) => e.kind.startsWith('action.'));
  assert.deepEqual(
    actions.map((e) => [e.kind, e.actor, e.summary]),
    [
      ['action.started', 'ana', 'Roll back deployment shop/api started (before the declaration)'],
      ['action.succeeded', 'ana', 'Roll back deployment shop/api: rolled back to revision 1 (before the declaration)'],
    ],
  );
  assert.deepEqual(
    tl.filter((e) => e.kind === 'change.observed').map((e) => e.summary),
    [],
    'our own rollback is not in What changed',
  );
});
