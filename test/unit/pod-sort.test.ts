import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sortPods } from '../../src/ui/pane-view.js';
import { pod } from '../helpers/cockpit-data.js';

test(':sort mem and cpu order by usage, as kubectl top --sort-by: a pod with a limit is not ranked by its share against amounts', () => {
  const MiB = 1024 * 1024;
  const pods = [
    { ...pod('shop', 'checkout', 1), memoryBytes: 460 * MiB, memPct: 90, cpuMilli: 800, cpuPct: 80 },
    { ...pod('shop', 'api', 2), memoryBytes: 210 * MiB, memPct: null, cpuMilli: 150, cpuPct: null },
    { ...pod('shop', 'worker', 3), memoryBytes: 150 * MiB, memPct: 29, cpuMilli: 90, cpuPct: 9 },
  ];
  const names = (column: 'mem' | 'cpu', desc: boolean) => sortPods(pods, { column, desc }).map((p) => p.deployment);
  assert.deepEqual(names('mem', true), ['checkout', 'api', 'worker'], 'the biggest user first');
  assert.deepEqual(names('cpu', true), ['checkout', 'api', 'worker']);
  assert.deepEqual(names('mem', false), ['worker', 'api', 'checkout']);
});
