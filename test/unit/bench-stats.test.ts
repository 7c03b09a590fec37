import { test } from 'node:test';
import assert from 'node:assert/strict';
import { below, describeDistribution, formatBytes, median, percentile, renderTable } from '../../bench/lib/stats.js';
import { kubeKind } from '../../bench/lib/classify.js';
import { frameSizes } from '../../bench/lib/pty.js';

test('median and nearest-rank p95', () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
  const xs = Array.from({ length: 20 }, (_, i) => i + 1); // 1..20
  assert.equal(percentile(xs, 95), 19);
  assert.equal(percentile(xs, 100), 20);
  assert.equal(percentile([7], 95), 7);
  assert.equal(percentile([3, 1, 2, 100, 4], 95), 100);
});

test('verdicts: below the target passes, at or above fails, no number is n/a', () => {
  assert.equal(below(299, 300), 'pass');
  assert.equal(below(300, 300), 'fail');
  assert.equal(below(NaN, 300), 'n/a');
});

test('the table has aligned columns and a verdict mark per row', () => {
  const out = renderTable([
    { metric: 'first frame', value: describeDistribution([100, 200, 300], (n) => `${n} ms`), target: '< 300 ms', verdict: 'pass' },
    { metric: 'bytes', value: formatBytes(2048), target: '< 1 KB', verdict: 'fail' },
  ]).split('\n');
  assert.equal(out.length, 4);
  assert.match(out[0], /^\| metric +\| value +\| target +\| verdict \|$/);
  assert.match(out[2], /median 200 ms · p95 300 ms \(n=3\)/);
  assert.match(out[2], /✓/);
  assert.match(out[3], /2\.0 KB .*✗/);
  const widths = out.map((l) => [...l].length);
  assert.ok(
    widths.every((w) => w === widths[0]),
    `rows differ in width: ${widths}`,
  );
});

test('Kubernetes requests: list, watch, get, metrics and discovery are told apart', () => {
  assert.equal(kubeKind('GET', '/api/v1/namespaces/shop/pods?limit=500'), 'list');
  assert.equal(kubeKind('GET', '/api/v1/pods'), 'list');
  assert.equal(kubeKind('GET', '/api/v1/namespaces/shop/pods?watch=true&resourceVersion=12'), 'watch');
  assert.equal(kubeKind('GET', '/apis/apps/v1/namespaces/shop/deployments?watch=1'), 'watch');
  assert.equal(kubeKind('GET', '/apis/apps/v1/namespaces/shop/deployments/cart'), 'get');
  assert.equal(kubeKind('GET', '/apis/apps/v1/namespaces/shop/deployments/cart/scale'), 'get');
  assert.equal(kubeKind('GET', '/api/v1/namespaces'), 'list');
  assert.equal(kubeKind('GET', '/api/v1/namespaces/shop'), 'get');
  assert.equal(kubeKind('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods'), 'metrics');
  assert.equal(kubeKind('GET', '/apis'), 'discovery');
  assert.equal(kubeKind('GET', '/api/v1'), 'discovery');
  assert.equal(kubeKind('PATCH', '/apis/apps/v1/namespaces/shop/deployments/cart'), 'write');
  assert.equal(kubeKind('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews'), 'get');
});

test('terminal output splits into synchronized-update frames', () => {
  const data = Buffer.from('\x1b[?2026habc\x1b[?2026l junk \x1b[?2026hxy\x1b[?2026l\x1b[?2026hpartial');
  assert.deepEqual(frameSizes(data), [8 + 3 + 8, 8 + 2 + 8]);
});
