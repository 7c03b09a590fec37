// The action runner's gates, with a scripted person (the Interaction) and a recording action.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ActionRunner } from '../../src/actions/runner.js';
import type { ActionDef, ActionEnv, Interaction } from '../../src/actions/types.js';
import type { NewEntry } from '../../src/incident/types.js';

function setup(o: { readOnly?: boolean; context?: string; answers?: { prompt?: Record<string, string> | null; confirm?: boolean | ((typeName?: string) => boolean) } } = {}) {
  const journal: NewEntry[] = [];
  const asked: { confirm: { typeName?: string; lines: string[] }[]; prompts: number; notes: string[] } = { confirm: [], prompts: 0, notes: [] };
  const ui: Interaction = {
    prompt: async () => {
      asked.prompts++;
      return o.answers?.prompt === undefined ? { replicas: '3' } : o.answers.prompt;
    },
    confirm: async (req) => {
      asked.confirm.push(req);
      const c = o.answers?.confirm ?? true;
      return typeof c === 'function' ? c(req.typeName) : c;
    },
    notify: (m) => asked.notes.push(m),
  };
  const env: ActionEnv = { context: o.context ?? 'staging', readOnly: !!o.readOnly, drill: false, recorder: { record: (e) => journal.push(e) }, services: {} };
  const runner = new ActionRunner(env, ui, { productionContexts: ['*prod*'] });
  const ran: Record<string, string>[] = [];
  const scale: ActionDef = {
    id: 'test.scale',
    title: 'Scale',
    scope: 'deployments',
    mutating: true,
    confirm: 'confirm',
    fields: () => [{ name: 'replicas', label: 'Replicas', initial: '2', validate: (v) => (/^\d+$/.test(v) ? null : 'a whole number') }],
    requiresTypedName: (_t, p) => p.replicas === '0',
    describe: (t, p) => [`scale ${t.name} to ${p.replicas}`],
    run: async (_t, p) => {
      ran.push(p);
      return { summary: `scaled to ${p.replicas}`, refs: { replicas: p.replicas } };
    },
  };
  runner.register(scale);
  return { runner, journal, asked, ran, env };
}

test('a confirmed action runs once and journals start and success', async () => {
  const s = setup();
  const r = await s.runner.invoke('test.scale', { name: 'api', namespace: 'shop' });
  assert.equal(r.ok, true);
  assert.deepEqual(s.ran, [{ replicas: '3' }]);
  assert.deepEqual(
    s.journal.map((e) => e.kind),
    ['action.started', 'action.succeeded'],
  );
  assert.match(s.journal[1].summary, /Scale shop\/api: scaled to 3/);
  assert.deepEqual(s.asked.confirm[0].lines, ['scale api to 3']);
  assert.equal(s.asked.confirm[0].typeName, undefined);
});

test('read-only mode refuses mutating actions before any prompt, and journals nothing', async () => {
  const s = setup({ readOnly: true });
  const r = await s.runner.invoke('test.scale', { name: 'api', namespace: 'shop' });
  assert.deepEqual(r.ok ? null : r.reason, 'read-only');
  assert.equal(s.asked.prompts, 0);
  assert.equal(s.ran.length, 0);
  assert.deepEqual(s.journal, [], 'a read-only cockpit writes nothing, not even its refusals');
  assert.equal(s.runner.disabledReason('test.scale'), 'read-only mode');
});

test('cancelling the prompt or the confirmation changes nothing', async () => {
  let s = setup({ answers: { prompt: null } });
  assert.equal((await s.runner.invoke('test.scale', { name: 'api' })).ok, false);
  s = setup({ answers: { confirm: false } });
  const r = await s.runner.invoke('test.scale', { name: 'api' });
  assert.equal(r.ok ? null : r.reason, 'cancelled');
  assert.equal(s.ran.length, 0);
  assert.equal(s.journal.length, 0);
});

test('a production context requires typing the target name', async () => {
  const s = setup({ context: 'gke-prod-eu', answers: { confirm: (typeName) => typeName === 'api' } });
  const r = await s.runner.invoke('test.scale', { name: 'api', namespace: 'shop' });
  assert.equal(r.ok, true);
  assert.equal(s.asked.confirm[0].typeName, 'api');
});

test('scaling to zero requires typing the name even outside production', async () => {
  const s = setup({ answers: { prompt: { replicas: '0' } } });
  await s.runner.invoke('test.scale', { name: 'api' });
  assert.equal(s.asked.confirm[0].typeName, 'api');
});

test('an invalid parameter is refused with the field named', async () => {
  const s = setup({ answers: { prompt: { replicas: 'many' } } });
  const r = await s.runner.invoke('test.scale', { name: 'api' });
  assert.equal(r.ok ? null : r.message, 'Replicas: a whole number');
  assert.equal(s.ran.length, 0);
});

test('a failing action is journaled as failed and reported, not thrown', async () => {
  const s = setup();
  s.runner.register({
    id: 'test.boom',
    title: 'Boom',
    scope: 'global',
    mutating: true,
    confirm: 'none',
    describe: () => [],
    run: async () => {
      throw new Error('connection refused');
    },
  });
  const r = await s.runner.invoke('test.boom', { name: 'x' });
  assert.equal(r.ok ? null : r.message, 'Boom x failed: connection refused');
  assert.deepEqual(
    s.journal.map((e) => e.kind),
    ['action.started', 'action.failed'],
  );
});

test('a permission pre-check refusal stops before any prompt or confirmation', async () => {
  const s = setup();
  s.runner.register({
    id: 'test.forbidden',
    title: 'Restart',
    scope: 'deployments',
    mutating: true,
    confirm: 'confirm',
    fields: () => [{ name: 'x', label: 'X', initial: '' }],
    precheck: async () => 'forbidden: you cannot patch deployments in shop',
    describe: () => [],
    run: async () => ({ summary: 'done' }),
  });
  const r = await s.runner.invoke('test.forbidden', { name: 'api' });
  assert.equal(r.ok ? null : r.message, 'forbidden: you cannot patch deployments in shop');
  assert.equal(s.asked.confirm.length, 0);
  assert.equal(s.asked.prompts, 0, 'no form to fill in for an action that will be refused');
});
