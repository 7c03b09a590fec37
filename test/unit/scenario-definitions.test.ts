// Scenario definitions are valid data, and their world functions are pure and say what the
// scenarios promise (healthy at start, the incident's signals, the cure's effect).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SCENARIOS, getScenario } from '../../src/sim/scenarios/index.js';
import { scheduleTimeline } from '../../src/sim/scenarios/engine.js';
import { listScenarios } from '../../src/sim/drill.js';
import type { Observation, PodObs, Scenario } from '../../src/sim/scenarios/types.js';

function pod(name: string, image: string, over: Partial<PodObs> = {}): PodObs {
  return {
    name,
    image,
    ready: true,
    phase: 'Running',
    restarts: 0,
    createdAt: -600,
    startedAt: -600,
    waitingReason: null,
    lastTerminatedReason: null,
    terminating: false,
    restartedAt: null,
    ...over,
  };
}

/** The scenario's cluster as it starts: every deployment's pods ready on its first image. */
function initial(s: Scenario, t = 0): Observation {
  const deployments: Observation['deployments'] = {};
  for (const d of s.deployments) {
    deployments[d.name] = {
      name: d.name,
      image: d.image,
      replicas: d.replicas,
      restartedAt: null,
      pods: Array.from({ length: d.replicas }, (_, i) => pod(`${d.name}-abc-${i}`, d.image)),
    };
  }
  return { t, events: {}, deployments, postgres: null };
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

const firing = (s: Scenario, obs: Observation) => {
  const w = s.world(obs).world;
  return s.rules
    .filter((r) => (r.op === '>' ? r.value(w) > r.threshold : r.value(w) < r.threshold))
    .map((r) => `${r.name}${r.labels?.service && r.labels.namespace ? `/${r.labels.service}` : ''}`);
};

test('scenario names are unique and the registry lists all five', () => {
  const names = SCENARIOS.map((s) => s.name);
  assert.equal(new Set(names).size, names.length);
  assert.deepEqual([...names].sort(), ['bad-deploy', 'db-pool-exhaustion', 'latency-spike', 'memory-leak', 'redis-outage']);
  assert.deepEqual(
    listScenarios().map((s) => s.name),
    names,
  );
  for (const info of listScenarios()) {
    assert.ok(info.title.length > 10 && info.description.length > 100, `${info.name} has a title and a description`);
    assert.match(info.cure, /^kubectl (rollout (undo|restart)|scale) deploy\/\w+ -n shop/, `${info.name} names a kubectl cure`);
  }
});

test('an unknown scenario is an error listing the valid names', () => {
  assert.throws(() => getScenario('nope'), /unknown scenario "nope".*bad-deploy, db-pool-exhaustion, memory-leak, redis-outage, latency-spike/);
});

for (const s of SCENARIOS) {
  test(`${s.name}: timeline, deployments and images are consistent`, () => {
    const deps = new Set(s.deployments.map((d) => d.name));
    assert.ok(s.timeline.length > 0);
    for (const trig of s.timeline) {
      assert.ok(Number.isFinite(trig.at) && trig.at >= 0, `trigger "${trig.note}" at ${trig.at} is not before the start`);
      if (trig.action.kind === 'setImage') {
        assert.ok(deps.has(trig.action.deployment), `trigger targets a known deployment (${trig.action.deployment})`);
        assert.ok(s.images[trig.action.image], `the deployed image ${trig.action.image} has a behaviour`);
        assert.match(trig.action.changeCause, /CI #\d+/);
      }
    }
    for (const d of s.deployments) assert.ok(s.images[d.image], `${d.name}'s image ${d.image} has a behaviour`);
    for (const svc of Object.values(s.services)) assert.ok(deps.has(svc.deployment), `service backed by ${svc.deployment}`);
    for (const [image, b] of Object.entries(s.images)) {
      if (b.logLine) {
        let x = 0.5;
        const rand = () => (x = (x * 9301 + 49297) % 233280) / 233280;
        const lines = Array.from({ length: 200 }, (_, i) => b.logLine!('pod-1', i, rand));
        assert.ok(
          lines.every((l) => typeof l === 'string' && l.length > 0 && !l.includes('\n')),
          `${image} log lines are single non-empty lines`,
        );
      }
    }
  });

  test(`${s.name}: every rule reads fields the world has, and nothing fires at the start`, () => {
    const w = s.world(initial(s)).world;
    for (const r of s.rules) {
      const v = r.value(w);
      assert.ok(Number.isFinite(v), `${r.name} reads a value from the world (got ${v})`);
      assert.ok(r.forSeconds >= 0 && r.summary && r.runbookUrl?.startsWith('https://runbooks.example.com/'), `${r.name} is complete`);
    }
    assert.deepEqual(firing(s, initial(s)), [], 'a healthy start');
  });

  test(`${s.name}: the world function is pure`, () => {
    const obs = deepFreeze(initial(s, 500));
    const a = s.world(obs);
    const b = s.world(structuredClone(obs));
    assert.deepEqual(a, b);
  });
}

test('bad-deploy: 2 of 5 api pods on the bad image → ~45% errors; all good pods → healthy', () => {
  const s = getScenario('bad-deploy');
  const bad = s.timeline[0]!.action.kind === 'setImage' ? s.timeline[0]!.action.image : '';
  const obs = initial(s, 120);
  obs.events['setImage:api'] = 30;
  obs.deployments.api!.pods = [
    ...obs.deployments.api!.pods.slice(0, 3),
    pod('api-new-1', bad, { ready: false, waitingReason: 'CrashLoopBackOff', restarts: 3 }),
    pod('api-new-2', bad, { ready: false, waitingReason: 'CrashLoopBackOff', restarts: 3 }),
  ];
  const out = s.world(obs).world;
  assert.ok(out.services.api!.errorRatio > 0.4 && out.services.api!.errorRatio < 0.5, `errors ${out.services.api!.errorRatio}`);
  assert.ok(firing(s, obs).includes('HighErrorRate/api'));
  assert.ok(firing(s, obs).includes('KubePodCrashLooping'));
  const cured = initial(s, 300);
  cured.events['setImage:api'] = 30;
  assert.deepEqual(firing(s, cured), []);
});

test('db-pool-exhaustion: pods from the deploy leak until a restart replaces them', () => {
  const s = getScenario('db-pool-exhaustion');
  const leaky = s.timeline[0]!.action.kind === 'setImage' ? s.timeline[0]!.action.image : '';
  const obs = (t: number, createdAt: number) => {
    const o = initial(s, t);
    o.events['setImage:api'] = 30;
    o.deployments.api!.pods = o.deployments.api!.pods.map((p, i) => pod(`api-x-${i}`, leaky, { createdAt }));
    return o;
  };
  const early = s.world(obs(60, 35)).postgres.idleInTransaction;
  const later = s.world(obs(300, 35)).postgres.idleInTransaction;
  assert.ok(later > early && later >= 40, `connections climb (${early} → ${later})`);
  assert.ok(firing(s, obs(300, 35)).includes('PostgresConnectionsHigh'));
  assert.ok(firing(s, obs(300, 35)).includes('HighErrorRate/api'), 'errors follow');
  // After `rollout restart`: same image, pods created long after the deploy.
  assert.equal(s.world(obs(900, 700)).postgres.idleInTransaction, 0);
  assert.deepEqual(firing(s, obs(900, 700)), []);
  // With a real Postgres the gauge reports its sessions.
  const real = obs(300, 35);
  real.postgres = { sessions: 47, maxConnections: 50 };
  assert.equal(s.world(real).world.gauges!.pg_stat_activity_count, 47);
});

test('redis-outage: down from the hang until a pod created after it is ready', () => {
  const s = getScenario('redis-outage');
  const o = initial(s, 100);
  o.events['redis-hang'] = 40;
  assert.equal(s.world(o).redisOutage, true);
  assert.ok(firing(s, o).includes('RedisDown'));
  const later = initial(s, 200);
  later.events['redis-hang'] = 40;
  assert.ok(s.world(later).world.services.api!.p95Seconds > 2, 'latency climbs');
  const replacing = initial(s, 210);
  replacing.events['redis-hang'] = 40;
  replacing.deployments.redis!.pods.push(pod('redis-new', replacing.deployments.redis!.image, { createdAt: 205, ready: false }));
  assert.equal(s.world(replacing).redisOutage, true, 'still down while the new pod starts');
  replacing.deployments.redis!.pods = [pod('redis-new', replacing.deployments.redis!.image, { createdAt: 205 })];
  assert.equal(s.world(replacing).redisOutage, false);
  assert.deepEqual(firing(s, replacing), []);
});

test('latency-spike: the surge pushes p95 past 5 s on 4 replicas; 10 replicas absorb it', () => {
  const s = getScenario('latency-spike');
  const o = initial(s, 400);
  o.events.surge = 30;
  assert.ok(s.world(o).world.services.api!.p95Seconds > 5);
  const image = o.deployments.api!.image;
  o.deployments.api!.pods = Array.from({ length: 10 }, (_, i) => pod(`api-${i}`, image));
  assert.ok(s.world(o).world.services.api!.p95Seconds < 0.5);
  assert.deepEqual(firing(s, o), []);
});

test('memory-leak: restarting pods count as crash looping; fresh pods do not', () => {
  const s = getScenario('memory-leak');
  const leaky = s.timeline[0]!.action.kind === 'setImage' ? s.timeline[0]!.action.image : '';
  const o = initial(s, 600);
  o.deployments.checkout!.pods = o.deployments.checkout!.pods.map((p, i) => pod(`checkout-x-${i}`, leaky, { restarts: 2 + i, lastTerminatedReason: 'OOMKilled', startedAt: 590 }));
  assert.ok(firing(s, o).includes('KubePodCrashLooping'));
  assert.ok(s.world(o).world.services.checkout!.errorRatio > 0.05, 'OOM kills drop requests');
  assert.deepEqual(firing(s, initial(s, 600)), []);
});

test('trigger times are jittered by the seed, repeatably and within ±15%', () => {
  const s = getScenario('bad-deploy');
  const a = scheduleTimeline(s.timeline, 42);
  assert.deepEqual(scheduleTimeline(s.timeline, 42), a);
  const seen = new Set([1, 2, 3, 4, 5, 6, 7, 8].map((seed) => scheduleTimeline(s.timeline, seed)[0]!.at));
  assert.ok(seen.size > 1, 'different seeds give different times');
  for (const at of seen) assert.ok(at >= 30 * 0.85 - 1 && at <= 30 * 1.15 + 1);
});
