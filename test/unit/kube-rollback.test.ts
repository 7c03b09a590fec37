import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageDiff, pickRevision, rfc3339, rollbackPatch, semanticEqual, templatesEqualIgnoringHash } from '../../src/sources/kube/rollout.js';
import { type KubeError, toKubeError } from '../../src/sources/kube/errors.js';

const tpl = (image: string, hash?: string) => ({
  metadata: { labels: { app: 'api', ...(hash ? { 'pod-template-hash': hash } : {}) }, annotations: {} },
  spec: { containers: [{ name: 'api', image, ports: [] }] },
});
const rs = (rev: number, image: string, ann: Record<string, string> = {}) => ({
  metadata: { name: `api-${rev}`, annotations: { 'deployment.kubernetes.io/revision': String(rev), ...ann } },
  spec: { template: tpl(image, `h${rev}`) },
});

test('pickRevision: previous = second newest revision; explicit revision; errors as kubectl', () => {
  const list = [rs(3, 'api:3'), rs(1, 'api:1'), rs(5, 'api:5'), rs(4, 'api:4')];
  assert.equal(pickRevision('api', list).metadata.name, 'api-4');
  assert.equal(pickRevision('api', list, 1).metadata.name, 'api-1');
  assert.throws(
    () => pickRevision('api', list, 2),
    (e: KubeError) => e.kind === 'no-history' && /unable to find specified revision 2/.test(e.message),
  );
  assert.throws(
    () => pickRevision('api', [rs(1, 'api:1')]),
    (e: KubeError) => e.kind === 'no-history' && /nothing to roll back to/.test(e.message),
  );
});

test('rollbackPatch: replaces the template without pod-template-hash and copies annotations as kubectl', () => {
  const deploy = {
    metadata: {
      annotations: {
        'deployment.kubernetes.io/revision': '5',
        'kubectl.kubernetes.io/last-applied-configuration': '{}',
        'kubernetes.io/change-cause': 'deploy 5',
        team: 'payments',
      },
    },
  };
  const target = rs(4, 'api:4', { 'kubernetes.io/change-cause': 'deploy 4', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4' });
  const patch = rollbackPatch(deploy, target);
  assert.equal(patch.length, 2);
  assert.deepEqual(patch[0], { op: 'replace', path: '/spec/template', value: tpl('api:4') });
  assert.deepEqual(patch[1], {
    op: 'replace',
    path: '/metadata/annotations',
    value: {
      'deployment.kubernetes.io/revision': '5',
      'kubectl.kubernetes.io/last-applied-configuration': '{}',
      'kubernetes.io/change-cause': 'deploy 4',
    },
  });
  // the ReplicaSet object itself is not modified
  assert.equal(target.spec.template.metadata.labels['pod-template-hash'], 'h4');
});

test('templates compare ignoring the hash label, nil and empty alike', () => {
  assert.equal(templatesEqualIgnoringHash(tpl('api:4', 'abc'), tpl('api:4')), true);
  assert.equal(templatesEqualIgnoringHash(tpl('api:4', 'abc'), tpl('api:5')), false);
  assert.equal(semanticEqual({ a: [], b: {} }, {}), true);
  assert.equal(semanticEqual({ a: [1] }, { a: [] }), false);
});

test('imageDiff per container', () => {
  assert.deepEqual(imageDiff(['api:5', 'envoy:1'], ['api:4', 'envoy:1']), ['  api:5 → api:4', '  envoy:1 (unchanged)']);
  assert.deepEqual(imageDiff(['api:5'], ['api:4', 'sidecar:2']), ['  api:5 → api:4', '  + sidecar:2']);
});

test('rfc3339 has seconds precision and an offset or Z', () => {
  assert.match(rfc3339(Date.parse('2026-11-25T12:00:00.789Z')), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/);
  assert.equal(Date.parse(rfc3339(Date.parse('2026-11-25T12:00:00.789Z'))), Date.parse('2026-11-25T12:00:00Z'));
});

test('errors: status codes and network failures get specific messages without credentials', () => {
  const api = (code: number, message: string) => Object.assign(new Error('HTTP-Code'), { code, body: JSON.stringify({ kind: 'Status', message }) });
  const f = toKubeError(api(403, 'deployments.apps "api" is forbidden: User "viewer" cannot patch resource'), 'patch');
  assert.equal(f.kind, 'forbidden');
  assert.match(f.message, /^forbidden: deployments.apps "api" is forbidden: User "viewer"/);
  assert.equal(toKubeError(api(404, 'deployments.apps "x" not found'), 'get').kind, 'not-found');
  assert.equal(toKubeError(api(409, 'the object has been modified'), 'update').kind, 'conflict');
  const refused = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
  const u = toKubeError(refused, 'list pods', 'https://127.0.0.1:6443');
  assert.equal(u.kind, 'unreachable');
  assert.match(u.message, /cannot connect to the Kubernetes API at https:\/\/127\.0\.0\.1:6443 \(ECONNREFUSED\)/);
  const t = toKubeError(new DOMException('The operation was aborted due to timeout', 'TimeoutError'), 'list pods');
  assert.equal(t.kind, 'timeout');
  assert.doesNotMatch(toKubeError(new Error('GET https://admin:s3cret@host/x failed'), 'x').message, /s3cret/);
});
