import { test } from 'node:test';
import assert from 'node:assert/strict';
import { comparePods, podOrder, deploymentRow, foldEvents, parseBytes, parseCpuMilli, podRow, podStatus, RestartTracker, rolloutState } from '../../src/sources/kube/normalize.js';
import { normalizeErrorLine, summarizeErrors } from '../../src/sources/kube/logs.js';

const NOW = Date.parse('2026-11-25T12:00:00Z');

function pod(name: string, status: Record<string, unknown>, extra: { metadata?: Record<string, unknown>; spec?: Record<string, unknown> } = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'prod',
      uid: `uid-${name}`,
      creationTimestamp: '2026-11-25T11:00:00Z',
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'api-6d4cf56db6', uid: 'rs-uid', controller: true }],
      ...extra.metadata,
    },
    spec: { nodeName: 'node-1', containers: [{ name: 'api', image: 'api:1.4.2' }], ...extra.spec },
    status,
  };
}

const running = (ready = true, restartCount = 0, lastState: Record<string, unknown> = {}) => ({
  phase: 'Running',
  conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
  containerStatuses: [{ name: 'api', ready, restartCount, image: 'api:1.4.2', started: true, state: { running: { startedAt: '2026-11-25T11:00:05Z' } }, lastState }],
});

test('a ready running pod is healthy Running', () => {
  const s = podStatus(pod('a', running()));
  assert.deepEqual(s, { status: 'Running', reason: null, healthy: true, ready: 1, containers: 1, restarts: 0 });
});

test('a running pod that is not ready is unhealthy with reason "not ready"', () => {
  const s = podStatus(pod('a', running(false)));
  assert.equal(s.status, 'Running');
  assert.equal(s.healthy, false);
  assert.equal(s.reason, 'not ready');
  assert.equal(s.ready, 0);
});

test('CrashLoopBackOff shows the last termination as the reason', () => {
  const s = podStatus(
    pod('a', {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'api',
          ready: false,
          restartCount: 7,
          state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container=api' } },
          lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2026-11-25T11:58:00Z' } },
        },
      ],
    }),
  );
  assert.equal(s.status, 'CrashLoopBackOff');
  assert.equal(s.reason, 'last state Error (exit 1)');
  assert.equal(s.restarts, 7);
  assert.equal(s.healthy, false);
});

test('a crash loop caused by OOMKilled reads CrashLoopBackOff, as kubectl, and names the OOM kill as its reason', () => {
  const s = podStatus(
    pod('a', {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'api',
          ready: false,
          restartCount: 3,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', finishedAt: '2026-11-25T11:59:00Z' } },
        },
      ],
    }),
  );
  assert.equal(s.status, 'CrashLoopBackOff');
  assert.equal(s.reason, 'last state OOMKilled');
  assert.equal(s.healthy, false);
});

test('a container terminated right now with OOMKilled reads OOMKilled (as kubectl)', () => {
  const s = podStatus(
    pod('a', { phase: 'Running', containerStatuses: [{ name: 'api', ready: false, restartCount: 1, state: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }] }),
  );
  assert.equal(s.status, 'OOMKilled');
});

test('a pod running again after an OOM kill is healthy but says so', () => {
  const s = podStatus(pod('a', running(true, 2, { terminated: { exitCode: 137, reason: 'OOMKilled' } })));
  assert.equal(s.status, 'Running');
  assert.equal(s.healthy, true);
  assert.equal(s.reason, 'last state OOMKilled');
});

test('ImagePullBackOff and ErrImagePull carry the kubelet message', () => {
  for (const reason of ['ImagePullBackOff', 'ErrImagePull']) {
    const s = podStatus(
      pod('a', {
        phase: 'Pending',
        containerStatuses: [{ name: 'api', ready: false, restartCount: 0, state: { waiting: { reason, message: 'Back-off pulling image "api:9.9.9"' } } }],
      }),
    );
    assert.equal(s.status, reason);
    assert.equal(s.reason, 'Back-off pulling image "api:9.9.9"');
    assert.equal(s.healthy, false);
  }
});

test('Pending with the scheduler reason (Unschedulable)', () => {
  const s = podStatus(
    pod('a', {
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient memory.' }],
    }),
  );
  assert.equal(s.status, 'Pending');
  assert.equal(s.reason, 'Unschedulable: 0/3 nodes are available: 3 Insufficient memory.');
  assert.equal(s.healthy, false);
});

test('ContainerCreating is a waiting reason, not healthy', () => {
  const s = podStatus(pod('a', { phase: 'Pending', containerStatuses: [{ name: 'api', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] }));
  assert.equal(s.status, 'ContainerCreating');
  assert.equal(s.healthy, false);
});

test('a pod with a deletionTimestamp is Terminating', () => {
  const s = podStatus(pod('a', running(), { metadata: { deletionTimestamp: '2026-11-25T11:59:30Z' } }));
  assert.equal(s.status, 'Terminating');
  assert.equal(s.healthy, false);
});

test('a finished job pod reads Completed and is healthy', () => {
  const s = podStatus(
    pod('a', { phase: 'Succeeded', containerStatuses: [{ name: 'api', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] }),
  );
  assert.equal(s.status, 'Completed');
  assert.equal(s.healthy, true);
});

test('an exit without reason reads ExitCode:N, init containers read Init:x/y', () => {
  assert.equal(podStatus(pod('a', { phase: 'Running', containerStatuses: [{ name: 'api', restartCount: 0, state: { terminated: { exitCode: 2 } } }] })).status, 'ExitCode:2');
  const init = podStatus(
    pod(
      'a',
      { phase: 'Pending', initContainerStatuses: [{ name: 'migrate', restartCount: 0, state: { running: {} } }] },
      { spec: { initContainers: [{ name: 'migrate' }, { name: 'wait' }] } },
    ),
  );
  assert.equal(init.status, 'Init:0/2');
  const initCrash = podStatus(
    pod(
      'a',
      { phase: 'Pending', initContainerStatuses: [{ name: 'migrate', restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } } }] },
      { spec: { initContainers: [{ name: 'migrate' }] } },
    ),
  );
  assert.equal(initCrash.status, 'Init:CrashLoopBackOff');
  assert.equal(initCrash.restarts, 4);
});

test('timestamps as Date objects (client-node models) work like strings', () => {
  const p = pod('a', running(), { metadata: { creationTimestamp: new Date('2026-11-25T11:00:00Z') } });
  assert.equal(podRow(p, { deployment: 'api', now: NOW }).createdAt, Date.parse('2026-11-25T11:00:00Z'));
});

test('recent restarts: the increase within 10 minutes, decaying after', () => {
  const t = new RestartTracker();
  const m = 60_000;
  assert.equal(t.observe('p', 5, NOW), 0);
  assert.equal(t.observe('p', 6, NOW + 1 * m), 1);
  assert.equal(t.observe('p', 8, NOW + 3 * m), 3);
  assert.equal(t.observe('p', 8, NOW + 10 * m), 3);
  // 11.5 min after the first observation: baseline moves to the count seen at +1m
  assert.equal(t.observe('p', 8, NOW + 11.5 * m), 2);
  assert.equal(t.observe('p', 8, NOW + 30 * m), 0);
});

test('recent restarts from lastState.finishedAt when there is no history', () => {
  const p = pod('a', running(true, 4, { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2026-11-25T11:57:00Z' } }));
  const row = podRow(p, { deployment: null, now: NOW });
  assert.equal(row.restarts, 4);
  assert.equal(row.recentRestarts, 1);
  const old = podRow(pod('a', running(true, 4, { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2026-11-25T10:00:00Z' } })), { deployment: null, now: NOW });
  assert.equal(old.recentRestarts, 0);
});

test('pods sort unhealthy first, then recently restarted, then the rest; by name within a group', () => {
  const rows = [
    podRow(pod('b-ok', running()), { deployment: null, now: NOW }),
    podRow(pod('c-crash', running(false)), { deployment: null, now: NOW }),
    podRow(pod('a-ok', running()), { deployment: null, now: NOW }),
    podRow(pod('d-restarted', running()), { deployment: null, recentRestarts: 2, now: NOW }),
    podRow(pod('e-crash', running(false)), { deployment: null, recentRestarts: 5, now: NOW }),
    podRow(pod('f-restarted', running()), { deployment: null, recentRestarts: 1, now: NOW }),
  ].sort(comparePods);
  assert.deepEqual(
    rows.map((r) => r.name),
    ['c-crash', 'e-crash', 'd-restarted', 'f-restarted', 'a-ok', 'b-ok'],
  );
});

test('a state change moves only the row that changes group', () => {
  const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
  const rows = names
    .map((n, i) => podRow(pod(`web-${n}`, running(i !== 2 && i !== 5)), { deployment: null, recentRestarts: i === 2 ? 1 : i === 5 ? 4 : 0, now: NOW }))
    .sort(comparePods);
  const order = () => rows.map((r) => r.name);
  const before = order();
  assert.deepEqual(before.slice(0, 2), ['web-c', 'web-f']);
  // More restarts of a crashing pod: nothing moves.
  rows[1] = { ...rows[1], recentRestarts: 1, restarts: 9 };
  rows.sort(comparePods);
  assert.deepEqual(order(), before);
  // A healthy pod goes unhealthy: it joins the unhealthy group; the others keep their relative order.
  const i = rows.findIndex((r) => r.name === 'web-g');
  rows[i] = { ...rows[i], healthy: false, status: 'CrashLoopBackOff' };
  rows.sort(comparePods);
  assert.deepEqual(order(), ['web-c', 'web-f', 'web-g', ...before.slice(2).filter((n) => n !== 'web-g')]);
});

function deploy(over: { spec?: Record<string, unknown>; status?: Record<string, unknown>; generation?: number; annotations?: Record<string, string> } = {}) {
  return {
    metadata: { name: 'api', namespace: 'prod', uid: 'd-uid', generation: over.generation ?? 3, annotations: { 'deployment.kubernetes.io/revision': '3', ...over.annotations } },
    spec: {
      replicas: 4,
      selector: { matchLabels: { app: 'api' } },
      template: {
        metadata: { labels: { app: 'api' } },
        spec: {
          containers: [
            { name: 'api', image: 'api:1.4.2' },
            { name: 'proxy', image: 'envoy:1.30' },
          ],
        },
      },
      ...over.spec,
    },
    status: {
      observedGeneration: 3,
      replicas: 4,
      updatedReplicas: 4,
      readyReplicas: 4,
      availableReplicas: 4,
      conditions: [{ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' }],
      ...over.status,
    },
  };
}

const rs = (rev: number, created: string) => ({
  metadata: {
    name: `api-${rev}`,
    namespace: 'prod',
    creationTimestamp: created,
    annotations: { 'deployment.kubernetes.io/revision': String(rev) } as Record<string, string>,
    ownerReferences: [{ kind: 'Deployment', name: 'api', uid: 'd-uid', controller: true }],
  },
});

test('a settled deployment row', () => {
  const row = deploymentRow(deploy(), [rs(2, '2026-11-24T10:00:00Z'), rs(3, '2026-11-25T11:30:00Z')]);
  assert.equal(row.key, 'prod/api');
  assert.deepEqual([row.desired, row.ready, row.updated, row.available], [4, 4, 4, 4]);
  assert.deepEqual(row.images, ['api:1.4.2', 'envoy:1.30']);
  assert.equal(row.revision, 3);
  assert.equal(row.lastRolloutAt, Date.parse('2026-11-25T11:30:00Z'));
  assert.equal(row.rolling, false);
  assert.equal(row.paused, false);
  assert.equal(row.failedReason, null);
});

test('a rollback to an existing ReplicaSet: rolled out when its Progressing condition says, not when the ReplicaSet was made', () => {
  const reused = rs(4, '2026-11-20T09:00:00Z');
  reused.metadata.name = 'api-old';
  reused.metadata.annotations['deployment.kubernetes.io/revision-history'] = '1';
  const progressing = (reason: string, rsName: string) => ({
    status: {
      conditions: [{ type: 'Progressing', status: 'True', reason, message: `ReplicaSet "${rsName}" has successfully progressed.`, lastUpdateTime: '2026-11-25T14:05:00Z' }],
    },
  });
  const d = (over: Parameters<typeof deploy>[0]) => deploy({ ...over, annotations: { 'deployment.kubernetes.io/revision': '4' } });
  assert.equal(deploymentRow(d(progressing('NewReplicaSetAvailable', 'api-old')), [rs(3, '2026-11-25T11:30:00Z'), reused]).lastRolloutAt, Date.parse('2026-11-25T14:05:00Z'));
  // A resume, or a condition about another ReplicaSet, is not this rollout.
  assert.equal(deploymentRow(d(progressing('DeploymentResumed', 'api-old')), [reused]).lastRolloutAt, Date.parse('2026-11-20T09:00:00Z'));
  assert.equal(deploymentRow(d(progressing('NewReplicaSetAvailable', 'api-3')), [reused]).lastRolloutAt, Date.parse('2026-11-20T09:00:00Z'));
  // A ReplicaSet never reused keeps its creation, whatever the condition says.
  const fresh = rs(4, '2026-11-25T11:30:00Z');
  fresh.metadata.name = 'api-old';
  assert.equal(deploymentRow(d(progressing('NewReplicaSetAvailable', 'api-old')), [fresh]).lastRolloutAt, Date.parse('2026-11-25T11:30:00Z'));
});

test('rolling: new replicas not all updated, old pending termination, generation not observed', () => {
  assert.equal(deploymentRow(deploy({ status: { updatedReplicas: 2, readyReplicas: 3 } }), []).rolling, true);
  assert.match(rolloutState(deploy({ status: { updatedReplicas: 2 } })).message, /2 out of 4 new replicas have been updated/);
  assert.match(rolloutState(deploy({ status: { replicas: 5 } })).message, /1 old replicas are pending termination/);
  assert.match(rolloutState(deploy({ status: { availableReplicas: 3 } })).message, /3 of 4 updated replicas are available/);
  assert.equal(rolloutState(deploy({ generation: 4 })).done, false);
  assert.match(rolloutState(deploy({ generation: 4 })).message, /spec update to be observed/);
  assert.equal(rolloutState(deploy()).done, true);
});

test('ProgressDeadlineExceeded is a failed rollout; paused is reported', () => {
  const failed = deploy({ status: { updatedReplicas: 1, availableReplicas: 3, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] } });
  const row = deploymentRow(failed, []);
  assert.equal(row.failedReason, 'ProgressDeadlineExceeded');
  assert.equal(row.rolling, false);
  assert.equal(rolloutState(failed).failed, true);
  assert.equal(deploymentRow(deploy({ spec: { paused: true } }), []).paused, true);
});

test('events fold by object, reason and message; warnings first, then newest', () => {
  const ev = (name: string, type: string, reason: string, message: string, count: number, last: string) => ({
    metadata: { name, namespace: 'prod' },
    involvedObject: { kind: 'Pod', name: 'api-1', namespace: 'prod' },
    type,
    reason,
    message,
    count,
    lastTimestamp: last,
  });
  const rows = foldEvents([
    ev('e1', 'Normal', 'Pulled', 'Container image "api:1" already present', 1, '2026-11-25T11:59:00Z'),
    ev('e2', 'Warning', 'BackOff', 'Back-off restarting failed container', 5, '2026-11-25T11:50:00Z'),
    ev('e3', 'Warning', 'BackOff', 'Back-off restarting failed container', 7, '2026-11-25T11:55:00Z'),
    ev('e4', 'Warning', 'Unhealthy', 'Readiness probe failed', 2, '2026-11-25T11:58:00Z'),
    {
      metadata: { name: 'e5', namespace: 'prod', creationTimestamp: '2026-11-25T11:40:00Z' },
      involvedObject: { kind: 'Deployment', name: 'api' },
      reason: 'ScalingReplicaSet',
      message: 'Scaled up',
      type: 'Normal',
    },
  ]);
  assert.deepEqual(
    rows.map((r) => [r.type, r.reason, r.object, r.count]),
    [
      ['Warning', 'Unhealthy', 'pod/api-1', 2],
      ['Warning', 'BackOff', 'pod/api-1', 12],
      ['Normal', 'Pulled', 'pod/api-1', 1],
      ['Normal', 'ScalingReplicaSet', 'deployment/api', 1],
    ],
  );
  assert.equal(rows[1].lastAt, Date.parse('2026-11-25T11:55:00Z'));
});

test('quantities: cpu millicores and memory bytes', () => {
  assert.equal(parseCpuMilli('250m'), 250);
  assert.equal(parseCpuMilli('2'), 2000);
  assert.equal(parseCpuMilli('1500000n'), 1.5);
  assert.equal(parseBytes('128Mi'), 128 * 1024 * 1024);
  assert.equal(parseBytes('1G'), 1e9);
  assert.equal(parseBytes('nonsense'), null);
});

test('summarizeErrors groups by normalised message, most frequent first', () => {
  const lines = [
    '2026-11-25T11:59:01.123Z ERROR db timeout after 5000ms conn=10.0.3.7:5432 req=3f2a9c1e-8b7d-4c1a-9e2f-0a1b2c3d4e5f',
    '2026-11-25T11:59:02.456Z ERROR db timeout after 5001ms conn=10.0.3.8:5432 req=7d1e2c3b-1a2b-4c3d-8e9f-abcdefabcdef',
    '2026-11-25T11:59:03Z INFO GET /health 200',
    '2026-11-25T11:59:04Z FATAL out of memory at 0x7ffde3a1',
    'panic: runtime error: index out of range [3] with length 3',
    'java.lang.NullPointerException: order 4411 has no customer',
    '2026-11-25T11:59:05.789Z ERROR db timeout after 4999ms conn=10.0.3.9:5432 req=00000000-0000-4000-8000-000000000000',
  ];
  const groups = summarizeErrors(lines);
  assert.equal(groups.length, 4);
  assert.equal(groups[0].count, 3);
  assert.equal(groups[0].message, 'ERROR db timeout after Nms conn=<ip> req=<uuid>');
  assert.ok(groups.every((g) => !g.message.includes('INFO')));
  assert.ok(groups.some((g) => g.message.startsWith('panic:')));
  assert.ok(groups.some((g) => g.message.includes('NullPointerException')));
  assert.equal(normalizeErrorLine('ERROR request a1b2c3d4e5f6 failed'), 'ERROR request <hex> failed');
  // Short hex request ids (the drill's, many services') group too.
  const a = normalizeErrorLine('ERROR GET /api/v1/cart 500 2203ms req_id=1a9dcb: cache lookup failed');
  assert.equal(a, 'ERROR GET /api/vN/cart N Nms req_id=<id>: cache lookup failed');
  assert.equal(normalizeErrorLine('ERROR GET /api/v1/cart 500 2871ms req_id=3c4f: cache lookup failed'), a);
  assert.equal(normalizeErrorLine('WARN slow trace-id: 4bf92f3577b34da6 span_id=00f067aa0ba902b7'), 'WARN slow trace-id: <id> span_id=<id>');
  assert.equal(normalizeErrorLine('ERROR invalid: quantity'), 'ERROR invalid: quantity', 'a word ending in "id" is not an id field');
});

test("a pod's normal life moves no row: Terminating and a young pod still starting stay in place; stuck, it goes first", () => {
  const created = Date.parse('2026-11-25T11:59:50Z');
  const base = ['a', 'b', 'c', 'd'].map((n) => podRow(pod(`web-${n}`, running()), { deployment: null, now: NOW }));
  const order = (rows: ReturnType<typeof podRow>[], now: number) => [...rows].sort(podOrder(now)).map((r) => r.name);
  const terminating = { ...base[2], status: 'Terminating' as const, healthy: false, ready: 0 };
  assert.deepEqual(order([base[0], base[1], terminating, base[3]], NOW), ['web-a', 'web-b', 'web-c', 'web-d']);
  const starting = { ...base[1], name: 'web-bb', key: 'prod/web-bb', status: 'ContainerCreating' as const, healthy: false, ready: 0, createdAt: created };
  assert.deepEqual(order([...base, starting], NOW), ['web-a', 'web-b', 'web-bb', 'web-c', 'web-d'], 'ten seconds old: in place');
  assert.deepEqual(order([...base, starting], NOW + 5 * 60_000), ['web-bb', 'web-a', 'web-b', 'web-c', 'web-d'], 'five minutes later it is stuck: first');
  const unready = { ...starting, status: 'Running' as const, reason: 'not ready' };
  assert.deepEqual(order([...base, unready], NOW)[2], 'web-bb', 'running, not ready yet: in place');
  const crashing = { ...starting, status: 'CrashLoopBackOff' as const, restarts: 2 };
  assert.equal(order([...base, crashing], NOW)[0], 'web-bb', 'a young pod that crashes goes first');
  const unschedulable = { ...starting, status: 'Pending' as const, reason: 'Unschedulable: 0/3 nodes are available' };
  assert.equal(order([...base, unschedulable], NOW)[0], 'web-bb', 'Pending with a reason goes first');
});
