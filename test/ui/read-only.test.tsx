// Spectator mode: every mutating action is refused by the action runner, whichever path
// invokes it (a key in its pane, or the runner directly), and before any prompt or request.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup } from 'ink-testing-library';
import { renderCockpit, NOW, tick } from '../helpers/cockpit.js';
import { pod } from '../helpers/cockpit-data.js';
import { ACTIONS } from '../../src/actions/catalog.js';
import { ActionRunner } from '../../src/actions/runner.js';
import type { AnyActionDef, Interaction } from '../../src/actions/types.js';
import type { NewEntry } from '../../src/incident/types.js';
import type { State } from '../../src/store/store.js';

after(() => cleanup());

const ALL: AnyActionDef[] = [...ACTIONS];
const MUTATING = ALL.filter((a) => a.mutating);

test('every mutating action exists in the registry and is refused by the runner in read-only mode', async () => {
  assert.deepEqual(MUTATING.map((a) => a.id).sort(), [
    'alert.silence',
    'incident.declare',
    'incident.discard',
    'incident.note',
    'incident.post',
    'incident.postmortem',
    'incident.resend',
    'incident.role',
    'incident.severity',
    'incident.status',
    'kube.cordon',
    'kube.deletePod',
    'kube.limits',
    'kube.portForward',
    'kube.restart',
    'kube.rollback',
    'kube.scale',
    'kube.shell',
    'kube.uncordon',
    'paging.acknowledge',
    'paging.channel',
    'paging.escalate',
    'paging.link',
    'paging.mirror',
    'pg.cancel',
    'pg.terminate',
  ]);
  const asked: string[] = [];
  const ui: Interaction = {
    prompt: async (t) => (asked.push(`prompt ${t}`), null),
    confirm: async (r) => (asked.push(`confirm ${r.title}`), true),
    notify: () => {},
  };
  const journal: NewEntry[] = [];
  // No services at all: if a gate were missing, the action would fail differently (or prompt).
  const runner = new ActionRunner({ context: 'prod', readOnly: true, drill: false, recorder: { record: (e) => journal.push(e) }, services: {} }, ui, { productionContexts: [] });
  runner.register(...ALL);
  for (const a of MUTATING) {
    const r = await runner.invoke(a.id, { name: 'x', namespace: 'shop' });
    assert.equal(r.ok ? 'ran' : r.reason, 'read-only', a.id);
    assert.equal(runner.disabledReason(a.id), 'read-only mode');
  }
  assert.deepEqual(asked, [], 'nothing was prompted or confirmed');
  assert.deepEqual(journal, [], 'a read-only cockpit journals nothing, not even its refusals');
});

function fill(s: State): Partial<State> {
  return {
    kube: {
      ...s.kube,
      status: 'ok',
      updatedAt: NOW,
      data: {
        ...s.kube.data,
        context: 'prod',
        namespaces: ['shop'],
        pods: [pod('shop', 'api', 0)],
        deployments: [
          {
            key: 'shop/api',
            namespace: 'shop',
            name: 'api',
            desired: 3,
            ready: 3,
            updated: 3,
            available: 3,
            images: ['api:1'],
            revision: 2,
            lastRolloutAt: NOW - 60_000,
            paused: false,
            rolling: false,
            failedReason: null,
            uid: 'u1',
          },
        ],
      },
    },
    prom: {
      ...s.prom,
      status: 'ok',
      updatedAt: NOW,
      data: {
        ...s.prom.data,
        alertmanager: true,
        alerts: [
          {
            fingerprint: 'f1',
            name: 'HighErrorRate',
            state: 'firing',
            severity: 'critical',
            labels: { alertname: 'HighErrorRate' },
            summary: 's',
            description: null,
            runbookUrl: null,
            activeAt: NOW - 60_000,
            firstSeenAt: NOW - 60_000,
            resolvedAt: null,
            silenced: false,
            inhibited: false,
            silenceEndsAt: null,
          },
        ],
      },
    },
    postgres: {
      ...s.postgres,
      status: 'ok',
      updatedAt: NOW,
      data: {
        databases: [
          {
            name: 'main',
            target: 'db:5432/shop',
            status: 'ok',
            error: null,
            updatedAt: NOW,
            maxConnections: 100,
            byState: { active: 1, idle: 0, idleInTransaction: 0, idleInTransactionAborted: 0, waiting: 0, other: 0 },
            total: 1,
            longest: [{ pid: 4242, user: 'app', application: 'api', state: 'active', durationMs: 90_000, waiting: false, query: 'select pg_sleep(600)' }],
            ungrantedLocks: 0,
            blocking: [],
            topStatements: null,
          },
        ],
      } as any,
    },
    incident: {
      ...s.incident,
      current: { id: 'inc-1', title: 't', severity: 'P1', status: 'investigating', declaredAt: NOW - 60_000, commander: null, comms: null, lastUpdateAt: null },
      outbox: [{ id: 'd1', sink: 'slack', state: 'unknown', attempts: 1, nextAttemptAt: null, lastError: null, summary: 'update' }],
    },
  };
}

test('each mutating key, pressed in its pane, is refused with a read-only message', async () => {
  const c = renderCockpit({ cols: 140, rows: 40, meta: { readOnly: true }, actions: ALL });
  c.set(fill);
  await tick();
  const cases: [string, string, RegExp][] = [
    ['2', 'r', /Read-only mode: Restart deployment is disabled/],
    ['2', 's', /Read-only mode: Scale deployment is disabled/],
    ['2', 'u', /Read-only mode: Roll back deployment is disabled/],
    ['1', 's', /Read-only mode: Shell into pod is disabled/],
    ['1', 'F', /Read-only mode: Port-forward to pod is disabled/],
    ['4', 'x', /Read-only mode: .*[Ss]ilence.* is disabled/],
    ['6', 'x', /Read-only mode: .*[Cc]ancel.* is disabled/],
    ['6', 'X', /Read-only mode: .*[Tt]erminate.* is disabled/],
    ['8', 'enter', /Read-only mode: Resend update is disabled/],
    ['8', 'x', /Read-only mode: Discard update is disabled/],
    ['1', 'p', /Read-only mode: Post status update is disabled/],
    ['1', 'D', /Read-only mode: Declare an incident is disabled/],
    ['1', 'n', /Read-only mode: Note for the timeline is disabled/],
    ['1', 'S', /Read-only mode: Change incident state is disabled/],
    ['1', 'V', /Read-only mode: Set severity is disabled/],
    ['1', 'A', /Read-only mode: Assign roles is disabled/],
    ['1', 'P', /Read-only mode: Post-mortem draft is disabled/],
  ];
  for (const [pane, key, re] of cases) {
    await c.press(pane, key);
    const footer = c.frame().split('\n').at(-1)!;
    assert.match(footer, re, `${pane} ${key}: ${footer}`);
    assert.equal(c.cockpit.store.getState().ui.dialog, null, `${pane} ${key} opened no dialog`);
  }
  assert.match(c.frame().split('\n')[0], /READ-ONLY/);
  await c.press('?');
  assert.match(c.frame(), /✖ disabled: read-only mode/);
  assert.match(c.frame(), /✖ r +Rollout restart the selected workload/);
  assert.match(c.frame(), /  h +Revision history/, 'non-mutating commands are not marked');
  c.ui.unmount();
});

test("o shows the selected alert's runbook and details (read-only screens too)", async () => {
  const c = renderCockpit({ cols: 140, rows: 40, meta: { readOnly: true } });
  c.set((s) => {
    const f = fill(s);
    const alert = { ...f.prom!.data.alerts[0], runbookUrl: 'https://runbooks.example/high-error-rate', description: 'checkout 5xx above 5% for 5m' };
    return { ...f, prom: { ...f.prom!, data: { ...f.prom!.data, alerts: [alert] } } };
  });
  await tick();
  await c.press('4', 'o');
  const f = c.frame();
  assert.match(f, /Runbook: https:\/\/runbooks\.example\/high-error-rate/);
  assert.match(f, /description: checkout 5xx above 5% for 5m/);
  assert.match(f, /labels: alertname=HighErrorRate/);
  assert.match(f, /active since 2026-11-25T15:59:00/);
  c.ui.unmount();
});
