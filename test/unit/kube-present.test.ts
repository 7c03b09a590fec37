import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podCells, podColumns, formatRestarts } from '../../src/present/pods.js';
import { deploymentCells, deploymentColumns, RECENT_ROLLOUT_MS } from '../../src/present/deployments.js';
import { eventCells, eventColumns } from '../../src/present/events.js';
import type { DeploymentRow, PodRow } from '../../src/sources/kube/types.js';

const NOW = Date.parse('2026-11-25T12:00:00Z');
const one = { allNamespaces: false, namespaces: ['prod'], metricsAvailable: false };
const all = { allNamespaces: true, namespaces: [], metricsAvailable: true };

const pod = (over: Partial<PodRow> = {}): PodRow => ({
  key: 'prod/api-1',
  namespace: 'prod',
  name: 'api-1',
  ready: 1,
  containers: 1,
  status: 'Running',
  reason: null,
  healthy: true,
  restarts: 0,
  recentRestarts: 0,
  createdAt: NOW - 3 * 3600_000,
  node: 'n1',
  deployment: 'api',
  cpuMilli: 250,
  memoryBytes: 128 * 1024 * 1024,
  ...over,
});

test('pod cells: one cell per column, with and without namespace and metrics', () => {
  assert.equal(podCells(pod(), NOW, one).length, podColumns(one).length);
  assert.equal(podCells(pod(), NOW, all).length, podColumns(all).length);
  assert.deepEqual(
    podColumns(all).map((c) => c.title),
    ['NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'CPU', 'MEM', 'LAST STATE', 'NODE', 'AGE', 'REASON'],
  );
  const cells = podCells(pod(), NOW, all);
  assert.deepEqual(
    cells.map((c) => c.text),
    ['prod', 'api-1', '1/1', 'Running', '0', '250m', '128Mi', '', 'n1', '3h', ''],
  );
});

test('pod CPU and MEM against their limits, and the last termination with its age', () => {
  const limited = pod({
    cpuLimitMilli: 500,
    cpuPct: 50,
    memoryBytes: 498 * 2 ** 20,
    memoryLimitBytes: 512 * 2 ** 20,
    memPct: (498 / 512) * 100,
    lastTermination: { reason: 'OOMKilled', exitCode: 137, at: NOW - 3 * 60_000, container: 'app' },
  });
  const metrics = { ...one, metricsAvailable: true };
  const byTitle = (p: PodRow) => Object.fromEntries(podColumns(metrics).map((c, i) => [c.title, podCells(p, NOW, metrics)[i]]));
  const cells = byTitle(limited);
  assert.deepEqual(cells.CPU, { text: '250m 50%' });
  assert.deepEqual(cells.MEM, { text: '498Mi/512Mi 97%', token: 'critical' }, 'near the limit is red');
  assert.deepEqual(cells['LAST STATE'], { text: 'OOMKilled 3m', token: 'warn' });
  // No limit: the usage alone (no percentage of nothing); no termination: nothing.
  const free = byTitle(pod());
  assert.equal(free.MEM!.text, '128Mi');
  assert.equal(free.CPU!.text, '250m');
  assert.equal(free['LAST STATE']!.text, '');
  assert.equal(byTitle(pod({ memoryBytes: 400 * 2 ** 20, memoryLimitBytes: 512 * 2 ** 20, memPct: 78.1 })).MEM!.token, 'warn');
});

test('pod status tokens: ok, warn, critical — always with the word', () => {
  const status = (p: PodRow) => podCells(p, NOW, one)[2];
  assert.deepEqual(status(pod()), { text: 'Running', token: 'ok' });
  assert.equal(status(pod({ status: 'Pending', healthy: false, reason: 'Unschedulable' })).token, 'warn');
  for (const s of ['CrashLoopBackOff', 'OOMKilled', 'ImagePullBackOff', 'ErrImagePull']) {
    const c = status(pod({ status: s, healthy: false }));
    assert.equal(c.text, s);
    assert.equal(c.token, 'critical');
    assert.equal(c.bold, true);
  }
  assert.equal(status(pod({ status: 'Terminating', healthy: false })).token, 'warn');
});

test('restarts show recent ones as "5 (+3)" in critical', () => {
  assert.equal(formatRestarts(5, 3), '5 (+3)');
  const c = podCells(pod({ restarts: 5, recentRestarts: 3 }), NOW, one)[3];
  assert.equal(c.text, '5 (+3)');
  assert.equal(c.token, 'critical');
  assert.equal(podCells(pod({ restarts: 5 }), NOW, one)[3].token, 'warn');
});

const dep = (over: Partial<DeploymentRow> = {}): DeploymentRow => ({
  key: 'prod/api',
  namespace: 'prod',
  name: 'api',
  desired: 4,
  ready: 4,
  updated: 4,
  available: 4,
  images: ['api:1.4.2'],
  revision: 7,
  lastRolloutAt: NOW - 26 * 3600_000,
  paused: false,
  rolling: false,
  failedReason: null,
  uid: 'u',
  ...over,
});

test('deployment cells: ready/desired, state, revision, rollout age', () => {
  const cells = deploymentCells(dep(), NOW, one);
  assert.equal(cells.length, deploymentColumns(one).length);
  assert.deepEqual(
    cells.map((c) => c.text),
    ['api', '4/4', '4', '4', 'ok', '7', '26h', 'api:1.4.2'],
  );
  assert.equal(cells[6].token, 'muted');
});

test('a recent rollout (< 2 h) is highlighted with accent', () => {
  const c = deploymentCells(dep({ lastRolloutAt: NOW - 12 * 60_000 }), NOW, one)[6];
  assert.equal(c.text, '12m');
  assert.equal(c.token, 'accent');
  assert.equal(deploymentCells(dep({ lastRolloutAt: NOW - RECENT_ROLLOUT_MS - 1 }), NOW, one)[6].token, 'muted');
});

test('rolling progress "2/4" beside "↻ rolling" (READY stays a plain count, aligned with the others), paused and failed states', () => {
  const rolling = deploymentCells(dep({ ready: 2, updated: 2, rolling: true }), NOW, one);
  assert.equal(rolling[1].text, '2/4');
  assert.equal(rolling[4].text, '↻ rolling');
  assert.equal(deploymentCells(dep({ ready: 2, updated: 2, rolling: true }), NOW, one, { ascii: true })[4].text, '~ rolling');
  assert.equal(deploymentCells(dep({ paused: true }), NOW, one)[4].text, 'paused');
  const failed = deploymentCells(dep({ failedReason: 'ProgressDeadlineExceeded', available: 3 }), NOW, one);
  assert.equal(failed[4].text, 'deadline');
  assert.equal(failed[4].token, 'critical');
  assert.equal(deploymentCells(dep({ ready: 0, available: 0 }), NOW, one)[1].token, 'critical');
});

test('event cells: warnings as word and token, counts', () => {
  const e = { key: 'k', namespace: 'prod', type: 'Warning', reason: 'BackOff', object: 'pod/api-1', message: 'Back-off restarting', count: 12, lastAt: NOW - 30_000 };
  const cells = eventCells(e, NOW, one);
  assert.equal(cells.length, eventColumns(one).length);
  assert.deepEqual(
    cells.map((c) => c.text),
    ['30s', 'Warning', 'BackOff', 'pod/api-1', '×12', 'Back-off restarting'],
  );
  assert.equal(cells[1].token, 'warn');
  assert.equal(eventCells({ ...e, type: 'Normal', count: 1 }, NOW, all)[2].token, 'muted');
});

test('kube ages at kubectl resolution: seconds only under 2 minutes', async () => {
  const { formatKubeAge } = await import('../../src/present/format.js');
  const s = 1000;
  const cases: Array<[number, string]> = [
    [-5 * s, '<invalid>'],
    [-1 * s, '0s'],
    [0, '0s'],
    [59 * s, '59s'],
    [119 * s, '119s'],
    [120 * s, '2m'],
    [464 * s, '7m'],
    [469 * s, '7m'],
    [179 * 60 * s, '179m'],
    [3 * 3600 * s, '3h'],
    [(3 * 60 + 10) * 60 * s, '3h10m'],
    [26 * 3600 * s, '26h'],
    [(4 * 24 + 5) * 3600 * s, '4d5h'],
    [12 * 86400 * s, '12d'],
    [(2 * 365 + 30) * 86400 * s, '2y30d'],
    [9 * 365 * 86400 * s, '9y'],
  ];
  for (const [ms, want] of cases) assert.equal(formatKubeAge(ms), want, `${ms / 1000}s`);
});
