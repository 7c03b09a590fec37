import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signalsFromState, suggestSeverity, type ServiceSignal, type Signals } from '../../src/incident/severity.js';
import { configSchema, defaultConfig } from '../../src/config/schema.js';
import { initialState } from '../../src/store/store.js';
import type { DeploymentRow } from '../../src/sources/kube/types.js';

const cfg = defaultConfig().severity;

function one(s: Partial<ServiceSignal>, extra: Partial<Signals> = {}): Signals {
  return {
    services: [{ name: 'api', errorRate: null, p95Seconds: null, allPodsNotReady: false, ...s }],
    dataLossFlagged: false,
    majorFeatureDown: null,
    degraded: [],
    ...extra,
  };
}

test('error-rate table, including the exact boundaries', () => {
  const rows: Array<[number, string | null, string]> = [
    [0, null, 'all clear'],
    [0.0499, null, 'all clear'],
    [0.05, 'P2', '5xx 5.0% ≥ 5% → P2'],
    [0.07, 'P2', '5xx 7.0% ≥ 5% → P2'],
    [0.1, 'P2', '5xx 10.0% ≥ 5% → P2'],
    [0.1001, 'P1', '5xx 10.0% > 10% → P1'],
    [0.123, 'P1', '5xx 12.3% > 10% → P1'],
    [0.5, 'P1', '5xx 50.0% > 10% → P1'],
    [0.5001, 'P0', '5xx 50.0% > 50% → P0'],
    [1, 'P0', '5xx 100.0% > 50% → P0'],
  ];
  for (const [er, sev, rule] of rows) {
    const s = suggestSeverity(one({ errorRate: er }), cfg);
    assert.equal(s.severity, sev, `errorRate ${er}`);
    assert.equal(s.rule, rule, `errorRate ${er}`);
  }
});

test('p95 table, including the exact boundaries', () => {
  const rows: Array<[number, string | null, string]> = [
    [0.3, null, 'all clear'],
    [1.999, null, 'all clear'],
    [2, 'P2', 'p95 2.00s ≥ 2s → P2'],
    [3.1, 'P2', 'p95 3.10s ≥ 2s → P2'],
    [5, 'P2', 'p95 5.00s ≥ 2s → P2'],
    [5.001, 'P1', 'p95 5.00s > 5s → P1'],
    [6.2, 'P1', 'p95 6.20s > 5s → P1'],
  ];
  for (const [p95, sev, rule] of rows) {
    const s = suggestSeverity(one({ p95Seconds: p95 }), cfg);
    assert.equal(s.severity, sev, `p95 ${p95}`);
    assert.equal(s.rule, rule, `p95 ${p95}`);
  }
});

test('pods, data loss, major feature, degraded; the worst finding wins', () => {
  const rows: Array<[Signals, string | null, string]> = [
    [one({ allPodsNotReady: true, podsReady: 0, podsDesired: 3, errorRate: 0.2 }), 'P0', 'api: 0/3 pods ready → P0'],
    [one({ errorRate: 0.01 }, { dataLossFlagged: true }), 'P0', 'data loss flagged → P0'],
    [one({ p95Seconds: 3 }, { majorFeatureDown: 'checkout' }), 'P1', 'major feature down: checkout → P1'],
    [one({}, { degraded: ['redis cache down', 'postgres main down'] }), 'P3', 'degraded: redis cache down (+1 more) → P3'],
    [one({ errorRate: 0.06 }, { degraded: ['redis cache down'] }), 'P2', '5xx 6.0% ≥ 5% → P2'],
    [one({ errorRate: 0.06, p95Seconds: 7 }), 'P1', 'p95 7.00s > 5s → P1'],
    [one({ errorRate: Number.NaN }), null, 'all clear'],
  ];
  for (const [signals, sev, rule] of rows) {
    const s = suggestSeverity(signals, cfg);
    assert.equal(s.severity, sev, rule);
    assert.equal(s.rule, rule);
  }
});

test('with several services the worst service wins and is named', () => {
  const s = suggestSeverity(
    {
      services: [
        { name: 'web', errorRate: 0.07, p95Seconds: 1, allPodsNotReady: false },
        { name: 'api', errorRate: 0.31, p95Seconds: 1, allPodsNotReady: false },
      ],
      dataLossFlagged: false,
      majorFeatureDown: null,
      degraded: [],
    },
    cfg,
  );
  assert.equal(s.severity, 'P1');
  assert.equal(s.rule, 'api: 5xx 31.0% > 10% → P1');
  assert.equal(s.evidence?.value, 0.31);
  assert.equal(s.evidence?.threshold, 0.1);
});

test('configured thresholds are used', () => {
  const custom = configSchema.parse({ severity: { errorRate: { p0: 0.3, p1: 0.02, p2: 0.01 }, latencyP95Seconds: { p1: 1, p2: 0.5 } } }).severity;
  assert.equal(suggestSeverity(one({ errorRate: 0.025 }), custom).rule, '5xx 2.5% > 2% → P1');
  assert.equal(suggestSeverity(one({ p95Seconds: 0.7 }), custom).rule, 'p95 0.70s ≥ 0.5s → P2');
});

test('signalsFromState derives pods, prometheus signals, postgres saturation, redis and source status', () => {
  const config = configSchema.parse({
    prometheus: {
      url: 'http://prom:9090',
      services: [
        { name: 'api', deployments: ['api'], namespace: 'shop' },
        { name: 'web', deployments: ['web'] },
      ],
    },
  });
  const state = initialState();
  const dep = (name: string, ns: string, ready: number, desired: number): DeploymentRow => ({
    key: `${ns}/${name}`,
    namespace: ns,
    name,
    desired,
    ready,
    updated: desired,
    available: ready,
    images: [],
    revision: 1,
    lastRolloutAt: null,
    paused: false,
    rolling: false,
    failedReason: null,
    uid: name,
  });
  state.kube = {
    ...state.kube,
    status: 'ok',
    updatedAt: 1,
    data: { ...state.kube.data, deployments: [dep('api', 'shop', 0, 3), dep('api', 'other', 2, 2), dep('web', 'shop', 2, 2)] },
  };
  state.prom = {
    ...state.prom,
    status: 'ok',
    updatedAt: 1,
    data: {
      ...state.prom.data,
      services: [{ name: 'web', errorRate: 0.07, p95Seconds: 0.4, requestRate: 10, requestRateHourAgo: 10, errorRateSeries: [], latencySeries: [], problems: [], updatedAt: 1 }],
    },
  };
  state.postgres = {
    ...state.postgres,
    status: 'ok',
    updatedAt: 1,
    data: {
      databases: [
        {
          name: 'main',
          target: 'db:5432/app',
          status: 'ok',
          error: null,
          updatedAt: 1,
          maxConnections: 100,
          byState: { active: 80, idle: 5, idleInTransaction: 0, idleInTransactionAborted: 0, waiting: 0, other: 0 },
          total: 85,
          longest: [],
          ungrantedLocks: 0,
          blocking: [],
          topStatements: null,
        },
      ],
    },
  };
  state.redis = {
    ...state.redis,
    status: 'down',
    updatedAt: 1,
    error: 'connect ECONNREFUSED',
    data: { instances: [{ name: 'cache', target: 'r:6379', status: 'down', error: 'x', updatedAt: 1, nodes: [] }] },
  };

  const sig = signalsFromState(state, config, { majorFeatureDown: null });
  assert.deepEqual(
    sig.services.map((s) => [s.name, s.allPodsNotReady, s.podsReady, s.podsDesired, s.errorRate]),
    [
      ['api', true, 0, 3, null],
      ['web', false, 2, 2, 0.07],
    ],
  );
  assert.ok(sig.degraded.includes('postgres main connections 85.0% ≥ 80%'), sig.degraded.join(' | '));
  assert.ok(sig.degraded.includes('redis cache down'));
  assert.ok(!sig.degraded.some((d) => d.includes('source')), 'a source that cannot see is not a degradation');
  assert.deepEqual(sig.unknown, ['redis unreachable']);
  const s = suggestSeverity(sig, config.severity);
  assert.equal(s.severity, 'P0');
  assert.equal(s.rule, 'api: 0/3 pods ready → P0');
});

test('a source that is down or still starting makes the suggestion unknown, never a P-level', () => {
  const state = initialState();
  state.kube = { ...state.kube, status: 'down', updatedAt: null, error: 'connect ECONNREFUSED' };
  state.prom = { ...state.prom, status: 'connecting', updatedAt: null };
  const s = suggestSeverity(signalsFromState(state, defaultConfig()), defaultConfig().severity);
  assert.deepEqual([s.severity, s.rule], [null, 'unknown (kubernetes unreachable, prometheus starting…)']);
});

test('signalsFromState: nothing configured and nothing wrong is all clear', () => {
  const sig = signalsFromState(initialState(), defaultConfig());
  assert.equal(suggestSeverity(sig, defaultConfig().severity).rule, 'all clear');
});

test('degraded findings name what they count, with "and N more", never a literal ellipsis', () => {
  const state = initialState();
  const pod = (name: string) => ({ name, status: 'CrashLoopBackOff' }) as never;
  const alert = (name: string, service: string) => ({ name, state: 'firing', labels: { service }, silenced: false, inhibited: false }) as never;
  state.kube = { ...state.kube, status: 'ok', updatedAt: 1, data: { ...state.kube.data, pods: ['a-1', 'a-2', 'a-3', 'a-4', 'a-5'].map(pod) } };
  state.prom = {
    ...state.prom,
    status: 'ok',
    updatedAt: 1,
    data: { ...state.prom.data, alerts: [alert('HighErrorRate', 'api'), alert('HighErrorRate', 'checkout'), alert('HighLatency', 'api')] },
  };
  const sig = signalsFromState(state, defaultConfig());
  assert.ok(sig.degraded.includes('5 pods crash-looping (a-1, a-2, a-3 and 2 more)'), sig.degraded.join(' | '));
  assert.ok(sig.degraded.includes('3 alerts firing (HighErrorRate and HighLatency)'), sig.degraded.join(' | '));
  assert.ok(!sig.degraded.some((d) => d.includes('…')));
});

test('a crash-looping pod between two back-offs (Running 0/1 or Error, restarted just now) still counts; one restarted long ago and ready does not', () => {
  const state = initialState();
  const pod = (name: string, status: string, healthy: boolean, recentRestarts: number) => ({ name, status, healthy, recentRestarts }) as never;
  const pods = [
    pod('api-1', 'Running', false, 1),
    pod('api-2', 'Error', false, 2),
    pod('api-3', 'Running', true, 0),
    pod('old-1', 'Terminating', false, 3),
    pod('web-1', 'Running', true, 1),
  ];
  state.kube = { ...state.kube, status: 'ok', updatedAt: 1, data: { ...state.kube.data, pods } };
  const sig = signalsFromState(state, defaultConfig());
  assert.ok(sig.degraded.includes('2 pods crash-looping (api-1 and api-2)'), sig.degraded.join(' | '));
  assert.notEqual(suggestSeverity(sig, defaultConfig().severity).rule, 'all clear');
});
