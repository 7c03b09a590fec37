// The multi-target schedule shared by the Postgres and Redis sources (pure timing logic).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TargetPoller } from '../../src/sources/poller.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('each target on its own timer, never two polls of one target at once; a refresh during a poll runs right after it', async () => {
  const calls: string[] = [];
  let running = 0;
  let overlap = false;
  const p = new TargetPoller(['a', 'b'], {
    refreshMs: 10_000,
    poll: async (t) => {
      if (t === 'a') {
        running++;
        if (running > 1) overlap = true;
      }
      calls.push(t);
      await sleep(40);
      if (t === 'a') running--;
      return true;
    },
  });
  p.start();
  await sleep(10);
  assert.deepEqual([...calls].sort(), ['a', 'b'], 'both polled at start');
  p.refresh();
  p.refresh();
  await sleep(120);
  assert.equal(calls.filter((c) => c === 'a').length, 2, 'one extra poll for two refreshes asked during a poll');
  assert.equal(overlap, false);
  p.stop();
});

test('a failing target backs off, doubling up to the refresh interval; success resets; nothing after stop', async () => {
  const at: number[] = [];
  let fail = true;
  const start = Date.now();
  const p = new TargetPoller(['db'], {
    refreshMs: 200,
    minBackoffMs: 20,
    poll: async () => {
      at.push(Date.now() - start);
      return !fail;
    },
  });
  p.start();
  await sleep(330);
  // 0, +20, +40, +80, +160: five polls in ~300 ms, not one per 200 ms.
  assert.ok(at.length >= 4 && at.length <= 6, `polls at ${at.join(', ')}`);
  fail = false;
  const n = at.length;
  await sleep(450);
  assert.ok(at.length - n <= 3, `after recovery, polls at the refresh interval (${at.slice(n).join(', ')})`);
  p.stop();
  const stopped = at.length;
  await sleep(250);
  assert.equal(at.length, stopped, 'no poll after stop');
});

test('a rejected poll counts as a failure and the schedule goes on', async () => {
  let calls = 0;
  const p = new TargetPoller(['x'], {
    refreshMs: 30,
    poll: async () => {
      calls++;
      throw new Error('boom');
    },
  });
  p.start();
  await sleep(100);
  p.stop();
  assert.ok(calls >= 3, `polled ${calls} times`);
});
