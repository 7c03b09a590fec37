// Watch-line checks: only well-formed events reach the reflector.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWatchLine } from '../../src/sources/kube/watch.js';

const pod = { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'api-1', namespace: 'prod', uid: 'u1', resourceVersion: '7' } };

test('well-formed events, bookmarks and ERROR Status', () => {
  const ev = parseWatchLine(JSON.stringify({ type: 'MODIFIED', object: pod }), 'Pod');
  assert.equal(ev.kind, 'event');
  assert.deepEqual(parseWatchLine(JSON.stringify({ type: 'BOOKMARK', object: { kind: 'Pod', metadata: { resourceVersion: '9' } } }), 'Pod'), {
    kind: 'bookmark',
    resourceVersion: '9',
  });
  const err = parseWatchLine(JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old' } }));
  assert.deepEqual(err, { kind: 'error', status: { code: 410, reason: 'Expired', message: 'too old' } });
  // An object without kind is accepted (some proxies strip it).
  assert.equal(parseWatchLine(JSON.stringify({ type: 'ADDED', object: { metadata: pod.metadata } }), 'Pod').kind, 'event');
});

test('junk is recognised with a reason', () => {
  const reason = (line: string) => {
    const r = parseWatchLine(line, 'Pod');
    assert.equal(r.kind, 'junk', line);
    return (r as { reason: string }).reason;
  };
  assert.equal(reason('{not json'), 'not JSON');
  assert.equal(reason('[1]'), 'not an object');
  assert.equal(reason('null'), 'not an object');
  assert.equal(reason(JSON.stringify({ object: pod })), 'missing type');
  assert.match(reason(JSON.stringify({ type: 'NOPE', object: pod })), /unknown type/);
  assert.match(reason(JSON.stringify({ type: 'ADDED', object: 3 })), /without an object/);
  assert.match(reason(JSON.stringify({ type: 'ADDED', object: { kind: 'Pod' } })), /without metadata/);
  assert.match(reason(JSON.stringify({ type: 'ADDED', object: { kind: 'Pod', metadata: { uid: 'x' } } })), /metadata\.name/);
  assert.match(reason(JSON.stringify({ type: 'DELETED', object: { kind: 'Pod', metadata: { name: 'x' } } })), /metadata\.uid/);
  assert.match(reason(JSON.stringify({ type: 'ADDED', object: { ...pod, kind: 'Secret' } })), /kind "Secret"/);
  assert.match(reason(JSON.stringify({ type: 'BOOKMARK', object: { metadata: {} } })), /resourceVersion/);
  assert.match(reason(JSON.stringify({ type: 'ERROR', object: 'boom' })), /Status/);
});
