import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wrapRow } from '../../src/ui/wrap-row.js';

test('dialog lines wrap at word boundaries, keep their indent, and lose no character', () => {
  const line = 'Patch spec.template.metadata.annotations kubectl.kubernetes.io/restartedAt to now, as kubectl rollout restart: a new revision is created.';
  const rows = wrapRow(line, 40);
  for (const r of rows) assert.ok(r.length <= 40, r);
  assert.equal(rows.join(' ').replace(/\s+/g, ' '), line);
  assert.ok(!rows.some((r) => /crea$/.test(r)), 'no word cut in two');
  assert.deepEqual(wrapRow('  - one two three four five six', 14), ['  - one two', '  three four', '  five six']);
  assert.deepEqual(wrapRow('x'.repeat(25), 10), ['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
});
