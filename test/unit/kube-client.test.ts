import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadKubeConfig, makeClients, resolveNamespaces, safeServer } from '../../src/sources/kube/client.js';
import { tempDir } from '../helpers/net.js';

function kubeconfig(
  dir: string,
  file: string,
  o: { current?: string; contexts: Array<{ name: string; cluster: string; namespace?: string }>; clusters: Array<{ name: string; server: string }> },
): string {
  const p = path.join(dir, file);
  const lines = ['apiVersion: v1', 'kind: Config', `current-context: "${o.current ?? ''}"`, 'clusters:'];
  for (const c of o.clusters) lines.push(`- name: ${c.name}`, '  cluster:', `    server: ${c.server}`);
  lines.push('contexts:');
  for (const c of o.contexts) lines.push(`- name: ${c.name}`, '  context:', `    cluster: ${c.cluster}`, '    user: u', ...(c.namespace ? [`    namespace: ${c.namespace}`] : []));
  lines.push('users:', '- name: u', '  user:', '    token: abc');
  fs.writeFileSync(p, lines.join('\n') + '\n');
  return p;
}

test('KUBECONFIG list: first file wins for names and current-context; missing files ignored', () => {
  const dir = tempDir();
  const a = kubeconfig(dir, 'a', { current: 'staging', contexts: [{ name: 'staging', cluster: 'c1', namespace: 'web' }], clusters: [{ name: 'c1', server: 'https://one:6443' }] });
  const b = kubeconfig(dir, 'b', {
    current: 'prod',
    contexts: [
      { name: 'prod', cluster: 'c2' },
      { name: 'staging', cluster: 'c2' },
    ],
    clusters: [
      { name: 'c1', server: 'https://other:6443' },
      { name: 'c2', server: 'https://two:6443' },
    ],
  });
  const kc = loadKubeConfig({ env: { KUBECONFIG: [path.join(dir, 'missing'), a, b].join(path.delimiter) } });
  assert.equal(kc.getCurrentContext(), 'staging');
  assert.equal(kc.getCluster('c1')?.server, 'https://one:6443');
  assert.deepEqual(
    kc
      .getContexts()
      .map((c) => c.name)
      .sort(),
    ['prod', 'staging'],
  );
  const clients = makeClients(kc, 5);
  assert.equal(clients.defaultNamespace, 'web');
  assert.equal(clients.server, 'https://one:6443');
  const prod = makeClients(loadKubeConfig({ env: { KUBECONFIG: [a, b].join(path.delimiter) }, context: 'prod' }));
  assert.equal(prod.defaultNamespace, 'default');
  assert.equal(prod.context, 'prod');
});

test('--kubeconfig wins over KUBECONFIG; unknown context and missing files are clear errors', () => {
  const dir = tempDir();
  const a = kubeconfig(dir, 'a', { current: 'x', contexts: [{ name: 'x', cluster: 'c' }], clusters: [{ name: 'c', server: 'https://x:1' }] });
  assert.equal(loadKubeConfig({ kubeconfig: a, env: { KUBECONFIG: '/nope' } }).getCurrentContext(), 'x');
  assert.throws(() => loadKubeConfig({ kubeconfig: a, context: 'nope' }), /context "nope" does not exist/);
  assert.throws(() => loadKubeConfig({ kubeconfig: path.join(dir, 'missing') }), /does not exist/);
  assert.throws(() => loadKubeConfig({ env: { HOME: dir } }), /no kubeconfig found/);
});

test('namespaces: flags, else the context namespace; -A means all', () => {
  assert.deepEqual(resolveNamespaces({ defaultNamespace: 'web' }, [], false), ['web']);
  assert.deepEqual(resolveNamespaces({ defaultNamespace: 'web' }, ['a', 'b', 'a'], false), ['a', 'b']);
  assert.equal(resolveNamespaces({ defaultNamespace: 'web' }, ['a'], true), null);
  assert.equal(safeServer('https://admin:pw@k8s.example:6443/'), 'https://k8s.example:6443');
});
