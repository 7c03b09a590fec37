// What the Kubernetes source keeps of a watched pod: every pod row and health verdict is the
// same from the slim object as from the full one, and the slim pod is a fraction of the size
// (no managedFields, no full spec, no annotations).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podRow, podStatus } from '../../src/sources/kube/normalize.js';
import { slimPod } from '../../src/sources/kube/slim.js';

const NOW = Date.parse('2026-11-25T12:00:00Z');

const managedFields = Array.from({ length: 4 }, (_, i) => ({
  manager: `kube-controller-${i}`,
  operation: 'Update',
  apiVersion: 'v1',
  time: '2026-11-25T11:00:00Z',
  fieldsType: 'FieldsV1',
  fieldsV1: {
    'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
    'f:spec': { 'f:containers': { 'k:{"name":"api"}': { '.': {}, 'f:image': {}, 'f:env': {}, 'f:resources': {} } } },
    'f:status': { 'f:conditions': {} },
  },
}));

function fullPod(
  name: string,
  status: Record<string, unknown>,
  extra: { deletionTimestamp?: string; initContainers?: { name: string; image: string; restartPolicy?: string }[] } = {},
) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'prod',
      uid: `uid-${name}`,
      resourceVersion: '4711',
      creationTimestamp: '2026-11-25T11:00:00Z',
      deletionTimestamp: extra.deletionTimestamp,
      labels: { app: 'api', 'pod-template-hash': '6d4cf56db6' },
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ big: 'x'.repeat(2000) }), 'prometheus.io/scrape': 'true' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'api-6d4cf56db6', uid: 'rs-uid', controller: true, blockOwnerDeletion: true }],
      managedFields,
    },
    spec: {
      nodeName: 'node-1',
      initContainers: extra.initContainers,
      containers: [
        {
          name: 'api',
          image: 'api:1.4.2',
          env: Array.from({ length: 30 }, (_, i) => ({ name: `VAR_${i}`, value: 'v'.repeat(40) })),
          resources: { limits: { memory: '512Mi' } },
          ports: [{ containerPort: 8080 }],
        },
        { name: 'proxy', image: 'envoy:1.30', args: ['--config', '/etc/envoy.yaml'] },
      ],
      volumes: Array.from({ length: 5 }, (_, i) => ({ name: `v${i}`, configMap: { name: `cm${i}` } })),
      tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
    },
    status,
  };
}

const cs = (name: string, over: Record<string, unknown>) => ({
  name,
  ready: true,
  started: true,
  restartCount: 0,
  image: 'x',
  imageID: 'sha256:abc',
  containerID: 'containerd://abc',
  state: { running: { startedAt: '2026-11-25T11:00:05Z' } },
  lastState: {},
  ...over,
});
const cases: Array<[string, ReturnType<typeof fullPod>]> = [
  [
    'running',
    fullPod('a', {
      phase: 'Running',
      podIP: '10.0.0.1',
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: 'x' }],
      containerStatuses: [cs('api', {}), cs('proxy', {})],
    }),
  ],
  ['not ready', fullPod('b', { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }], containerStatuses: [cs('api', { ready: false }), cs('proxy', {})] })],
  [
    'crash loop',
    fullPod('c', {
      phase: 'Running',
      containerStatuses: [
        cs('api', {
          ready: false,
          restartCount: 7,
          state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s' } },
          lastState: { terminated: { reason: 'Error', exitCode: 1, finishedAt: '2026-11-25T11:58:00Z' } },
        }),
        cs('proxy', {}),
      ],
    }),
  ],
  [
    'OOM',
    fullPod('d', {
      phase: 'Running',
      containerStatuses: [cs('api', { restartCount: 2, lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: '2026-11-25T11:59:00Z' } } }), cs('proxy', {})],
    }),
  ],
  ['unschedulable', fullPod('e', { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available' }] })],
  [
    'image pull',
    fullPod('f', {
      phase: 'Pending',
      containerStatuses: [cs('api', { ready: false, started: false, state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "api:9"' } } })],
    }),
  ],
  ['terminating', fullPod('g', { phase: 'Running', containerStatuses: [cs('api', {}), cs('proxy', {})] }, { deletionTimestamp: '2026-11-25T11:59:30Z' })],
  [
    'init + sidecar',
    fullPod(
      'h',
      {
        phase: 'Pending',
        initContainerStatuses: [cs('migrate', { ready: false, state: { running: {} } }), cs('mesh', { ready: true })],
        containerStatuses: [cs('api', { ready: false, state: { waiting: { reason: 'PodInitializing' } } })],
      },
      {
        initContainers: [
          { name: 'migrate', image: 'm' },
          { name: 'mesh', image: 'm', restartPolicy: 'Always' },
        ],
      },
    ),
  ],
];

test('a slim pod gives the same row and health as the full object', () => {
  for (const [what, full] of cases) {
    const slim = slimPod(full);
    assert.deepEqual(podStatus(slim), podStatus(full), what);
    assert.deepEqual(podRow(slim, { deployment: 'api', now: NOW }), podRow(full, { deployment: 'api', now: NOW }), what);
    assert.equal(slim.metadata?.managedFields, undefined);
    assert.deepEqual(
      slim.spec?.containers?.map((c) => c.name),
      ['api', 'proxy'],
      `${what}: container names stay (logs)`,
    );
    assert.equal(slim.spec?.containers?.[0]?.resources?.limits?.memory, '512Mi', `${what}: limits stay (MEM%)`);
    assert.ok(JSON.stringify(slim).length < JSON.stringify(full).length / 4, `${what}: ${JSON.stringify(slim).length} of ${JSON.stringify(full).length} bytes`);
  }
});
