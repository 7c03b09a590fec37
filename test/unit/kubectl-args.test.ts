// The kubectl command lines of the shell and port-forward hand-off: the cockpit's kubeconfig,
// context and the pod's namespace, k9s's shell fallback, and the lookup on PATH.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { commandLine, execArgs, findKubectl, portForwardArgs } from '../../src/sources/kube/kubectl.js';
import { tempDir } from '../helpers/net.js';

test('exec: kubeconfig, context and namespace first, then the container and the shell fallback', () => {
  assert.deepEqual(execArgs({ kubeconfig: '/home/me/.kube/prod.yaml', context: 'prod-eu' }, 'shop', 'api-7d4-x2', 'api'), [
    '--kubeconfig',
    '/home/me/.kube/prod.yaml',
    '--context',
    'prod-eu',
    '-n',
    'shop',
    'exec',
    '-it',
    'api-7d4-x2',
    '-c',
    'api',
    '--',
    'sh',
    '-c',
    'clear; (bash || ash || sh)',
  ]);
});

test('without a kubeconfig of its own the cockpit leaves kubectl its lookup; in-cluster has no context to name', () => {
  assert.deepEqual(execArgs({ context: 'staging' }, 'default', 'web-0', null).slice(0, 5), ['--context', 'staging', '-n', 'default', 'exec']);
  assert.deepEqual(execArgs({ context: 'inClusterContext' }, 'ops', 'web-0', null).slice(0, 3), ['-n', 'ops', 'exec']);
  assert.deepEqual(execArgs({ context: null }, 'ops', 'web-0', null).slice(0, 3), ['-n', 'ops', 'exec']);
  const plain = execArgs({}, 'ops', 'web-0', null);
  assert.deepEqual(plain.slice(0, plain.indexOf('--')), ['-n', 'ops', 'exec', '-it', 'web-0'], 'no container flag when there is nothing to choose');
});

test('port-forward: pod/NAME LOCAL:REMOTE on 127.0.0.1', () => {
  assert.deepEqual(portForwardArgs({ kubeconfig: '/k', context: 'c' }, 'shop', 'redis-0', 16379, 6379), [
    '--kubeconfig',
    '/k',
    '--context',
    'c',
    '-n',
    'shop',
    'port-forward',
    '--address',
    '127.0.0.1',
    'pod/redis-0',
    '16379:6379',
  ]);
});

test('the command as shown is what a shell would run (quoted where needed)', () => {
  assert.equal(
    commandLine('kubectl', execArgs({ kubeconfig: "/tmp/my dir/it's.yaml", context: 'c' }, 'ns', 'p', null)),
    `kubectl --kubeconfig '/tmp/my dir/it'\\''s.yaml' --context c -n ns exec -it p -- sh -c 'clear; (bash || ash || sh)'`,
  );
});

test('kubectl is found on PATH only when executable; absent, null', () => {
  const a = tempDir();
  const b = tempDir();
  fs.writeFileSync(path.join(a, 'kubectl'), 'not executable', { mode: 0o644 });
  assert.equal(findKubectl([a, b].join(path.delimiter)), null);
  fs.writeFileSync(path.join(b, 'kubectl'), '#!/bin/sh\n', { mode: 0o755 });
  assert.equal(findKubectl(['', a, b].join(path.delimiter)), path.join(b, 'kubectl'));
  fs.mkdirSync(path.join(a, 'dir'));
  assert.equal(findKubectl(a, ['dir']), null, 'a directory is not a program');
  assert.equal(findKubectl(''), null);
});
