// The watch-history trackers behind "+N in 10m" and the rollout age.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deploymentRow, RestartTracker, RolloutTracker } from '../../src/sources/kube/normalize.js';

const NOW = Date.parse('2026-11-25T12:00:00Z');
const m = 60_000;

test('a pod recreated under the same name (lower restartCount) starts a new history', () => {
  const t = new RestartTracker();
  assert.equal(t.observe('db-0', 7, NOW), 0);
  assert.equal(t.observe('db-0', 9, NOW + m), 2);
  assert.equal(t.observe('db-0', 0, NOW + 2 * m), 0, 'not 0 − 7');
  assert.equal(t.observe('db-0', 3, NOW + 3 * m), 3);
});

test('a revision change seen while watching dates the rollout; the first sight does not', () => {
  const t = new RolloutTracker();
  assert.equal(t.observe('prod/api', 4, NOW), null);
  assert.equal(t.observe('prod/api', 4, NOW + m), null);
  assert.equal(t.observe('prod/api', 5, NOW + 2 * m), NOW + 2 * m);
  assert.equal(t.observe('prod/api', 5, NOW + 3 * m), NOW + 2 * m);
});

const deploy = (revision: number, progressingUpdated: string) => ({
  metadata: { name: 'worker', namespace: 'prod', uid: 'd', generation: 2, annotations: { 'deployment.kubernetes.io/revision': String(revision) } },
  spec: { replicas: 1, template: { spec: { containers: [{ name: 'w', image: 'w:1' }] } } },
  status: {
    observedGeneration: 2,
    replicas: 1,
    updatedReplicas: 1,
    readyReplicas: 1,
    availableReplicas: 1,
    conditions: [{ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', lastUpdateTime: progressingUpdated }],
  },
});
const rs = (revision: number, created: string) => ({
  metadata: {
    name: `worker-${revision}`,
    namespace: 'prod',
    creationTimestamp: created,
    annotations: { 'deployment.kubernetes.io/revision': String(revision) },
    ownerReferences: [{ kind: 'Deployment', name: 'worker', uid: 'd', controller: true }],
  },
});

test("the rollout age is the rolled-out ReplicaSet's, whatever the Progressing condition says", () => {
  // Resumed 9 s ago: the controller bumped lastUpdateTime; revision 1 is 10 minutes old.
  const row = deploymentRow(deploy(1, '2026-11-25T11:59:51Z'), [rs(1, '2026-11-25T11:50:00Z')]);
  assert.equal(row.lastRolloutAt, Date.parse('2026-11-25T11:50:00Z'));
  // A rollback seen happening is dated by the sighting.
  const back = deploymentRow(deploy(3, '2026-11-25T11:59:51Z'), [rs(3, '2026-11-24T08:00:00Z'), rs(2, '2026-11-25T11:00:00Z')], { revisionSeenAt: NOW - 30_000 });
  assert.equal(back.lastRolloutAt, NOW - 30_000);
  assert.equal(back.revision, 3);
});
