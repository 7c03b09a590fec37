// kubectl describe's layout for a pod as the API returns it (typed by client-node), secrets masked
// in describe and YAML, and what the viewer says when the API refuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadYaml, type V1Pod, type CoreV1Event } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { canonicalQuantity, describePod, describeTime } from '../../src/present/describe.js';
import { yamlLines } from '../../src/sources/kube/inspect.js';
import { toKubeError } from '../../src/sources/kube/errors.js';
import { openInspect } from '../../src/ui/inspect.js';
import { createCockpit, initialState } from '../../src/store/store.js';

const NOW = Date.parse('2026-12-03T12:10:00Z');

const raw = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'redis-0',
    namespace: 'shop',
    uid: 'u-1',
    labels: { app: 'redis' },
    creationTimestamp: '2026-12-03T12:00:00Z',
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'redis', uid: 's-1', controller: true }],
    managedFields: [{ manager: 'kubectl', operation: 'Update', time: '2026-12-03T12:00:00Z' }],
  },
  spec: {
    nodeName: 'node-a',
    serviceAccountName: 'default',
    containers: [
      {
        name: 'redis',
        image: 'redis:7',
        env: [
          { name: 'REDIS_PASSWORD', value: 'hunter2-very-secret' },
          { name: 'UPSTREAM', value: 'redis://admin:s3cr3tpass@cache:6379/0' },
          { name: 'MODE', value: 'replica' },
          { name: 'TOKEN_FROM', valueFrom: { secretKeyRef: { name: 'redis-auth', key: 'token' } } },
        ],
        resources: { limits: { memory: '524288Ki' }, requests: { cpu: '100m', memory: '256Mi' } },
      },
    ],
    tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
  },
  status: {
    phase: 'Running',
    podIP: '10.0.0.9',
    qosClass: 'Burstable',
    startTime: '2026-12-03T12:00:01Z',
    conditions: [{ type: 'Ready', status: 'False' }],
    containerStatuses: [
      {
        name: 'redis',
        ready: false,
        restartCount: 7,
        image: 'redis:7',
        imageID: 'x',
        state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s' } },
        lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, startedAt: '2026-12-03T12:08:00Z', finishedAt: '2026-12-03T12:09:30Z' } },
      },
    ],
  },
};
// As the API client hands it over: typed, with Date objects for times (JSON is YAML).
const pod = loadYaml<V1Pod>(JSON.stringify(raw));
const events = [
  loadYaml<CoreV1Event>(
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Event',
      type: 'Warning',
      reason: 'BackOff',
      message: 'Back-off restarting failed container redis',
      count: 12,
      firstTimestamp: '2026-12-03T12:01:00Z',
      lastTimestamp: '2026-12-03T12:09:00Z',
      source: { component: 'kubelet' },
      involvedObject: { kind: 'Pod', name: 'redis-0' },
      metadata: { name: 'e1' },
    }),
  ),
];

test('describe pod: kubectl sections and aligned values, Last State with its reason and times, limits, tolerations, events', () => {
  const text = describePod(pod, events, NOW).join('\n');
  assert.match(text, /^Name:             redis-0$/m);
  assert.match(text, /^Controlled By:\s+StatefulSet\/redis$/m);
  assert.match(text, /^ {4}State:          Waiting\n {6}Reason:       CrashLoopBackOff$/m, 'nested values share the column, as kubectl aligns them');
  assert.match(
    text,
    /Last State:     Terminated\n\s+Reason:\s+OOMKilled\n\s+Exit Code:\s+137\n\s+Started:\s+Thu, 03 Dec 2026 12:08:00 \+0000\n\s+Finished:\s+Thu, 03 Dec 2026 12:09:30 \+0000/,
  );
  assert.match(text, /Restart Count:\s+7/);
  assert.match(text, /Limits:\n\s+memory:\s+512Mi\n\s+Requests:\n\s+cpu:\s+100m\n\s+memory:\s+256Mi/);
  assert.match(text, /Tolerations:\s+node\.kubernetes\.io\/not-ready:NoExecute op=Exists for 300s/);
  assert.match(text, /QoS Class:\s+Burstable/);
  assert.match(
    text,
    /Events:\n\s+Type\s+Reason\s+Age\s+From\s+Message\n\s+----\s+------\s+----\s+----\s+-------\n\s+Warning\s+BackOff\s+60s \(x12 over 9m\)\s+kubelet\s+Back-off restarting failed container redis/,
  );
  assert.equal(describeTime('2026-01-05T03:04:05Z'), 'Mon, 05 Jan 2026 03:04:05 +0000');
  assert.equal(canonicalQuantity('16777216Ki'), '16Gi');
  assert.equal(canonicalQuantity('1536Mi'), '1536Mi');
});

test('secrets never reach the screen: env passwords hidden, URL credentials masked, references described', () => {
  const text = describePod(pod, [], NOW).join('\n');
  assert.doesNotMatch(text, /hunter2|s3cr3tpass/);
  assert.match(text, /REDIS_PASSWORD:\s+<hidden>/);
  assert.match(text, /UPSTREAM:\s+redis:\/\/admin:\*\*\*\*@cache:6379\/0/);
  assert.match(text, /MODE:\s+replica/);
  assert.match(text, /TOKEN_FROM:\s+<set to the key 'token' in secret 'redis-auth'>/);
  assert.match(text, /Events:\s+<none>/);
});

test('YAML: client-node dumpYaml without managedFields, API times, the same secrets masked', () => {
  const lines = yamlLines(pod);
  const text = lines.join('\n');
  assert.doesNotMatch(text, /hunter2|s3cr3tpass|managedFields/);
  const back = parse(text);
  assert.equal(back.metadata.creationTimestamp, '2026-12-03T12:00:00Z', 'seconds, as the API writes them');
  assert.equal(back.status.containerStatuses[0].lastState.terminated.reason, 'OOMKilled');
  assert.deepEqual(back.spec.containers[0].resources, raw.spec.containers[0].resources);
  const { env: _e, ...rest } = back.spec.containers[0];
  const { env: _r, ...restRaw } = raw.spec.containers[0];
  assert.deepEqual(rest, { ...restRaw });
});

test('a refusal (RBAC 403) is shown in the viewer, with the API message; closing the viewer drops a late answer', async () => {
  const cockpit = createCockpit(initialState());
  const denied = toKubeError({ code: 403, body: { message: 'pods "redis-0" is forbidden: User "viewer" cannot get resource "pods" in the namespace "shop"' } }, 'get pods/redis-0');
  await openInspect(cockpit, 'describe', { kind: 'Pod', name: 'redis-0', namespace: 'shop' }, () => Promise.reject(denied));
  const o = cockpit.store.getState().ui.overlay;
  assert.equal(o?.kind, 'viewer');
  if (o?.kind !== 'viewer') return;
  assert.match(o.lines[0]!, /Cannot describe pod redis-0: forbidden: pods "redis-0" is forbidden: User "viewer" cannot get/);
  assert.equal(o.status?.level, 'error');

  let answer!: (l: string[]) => void;
  const late = openInspect(cockpit, 'yaml', { kind: 'Node', name: 'node-a' }, () => new Promise((r) => (answer = r)));
  const opened = cockpit.store.getState().ui.overlay;
  assert.match(opened?.kind === 'viewer' ? opened.title : '', /YAML of node node-a/);
  assert.match(opened?.kind === 'viewer' ? (opened.status?.text ?? '') : '', /reading node node-a/);
  cockpit.store.setState((s) => ({ ui: { ...s.ui, overlay: null } }));
  answer(['kind: Node']);
  await late;
  assert.equal(cockpit.store.getState().ui.overlay, null, 'the closed viewer stays closed');
});
