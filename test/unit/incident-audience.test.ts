// The words a public status page must never carry include every workload kind and node name the cockpit shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { internalIdentifiers } from '../../src/incident/audience.js';
import { defaultConfig } from '../../src/config/schema.js';
import { initialState } from '../../src/store/store.js';

test('internal identifiers: pods, deployments, StatefulSets, DaemonSets, nodes, alert names and naming labels', () => {
  const state = initialState();
  state.kube = {
    ...state.kube,
    data: {
      ...state.kube.data,
      context: 'prod-eu',
      pods: [{ name: 'noa-postgres-0', namespace: 'data', node: 'ip-10-0-3-7' } as never],
      deployments: [{ name: 'api', namespace: 'shop' } as never],
      statefulSets: [{ name: 'noa-redis', namespace: 'data' } as never],
      daemonSets: [{ name: 'node-exporter', namespace: 'monitoring' } as never],
      nodes: [{ name: 'ip-10-0-9-9' } as never],
    },
  };
  state.prom = { ...state.prom, data: { ...state.prom.data, alerts: [{ name: 'RedisDown', labels: { statefulset: 'noa-redis', priority: 'high' } } as never] } };
  const ids = internalIdentifiers(defaultConfig(), state);
  for (const w of ['noa-postgres-0', 'data', 'ip-10-0-3-7', 'api', 'shop', 'noa-redis', 'node-exporter', 'monitoring', 'ip-10-0-9-9', 'RedisDown', 'prod-eu'])
    assert.ok(ids.has(w), w);
  assert.ok(!ids.has('high'), 'a label that does not name a thing stays an ordinary word');
});
