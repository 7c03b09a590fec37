// A pane is one file in src/ui/panes plus one line in the registry; everything else derives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { PANE_DEFS, PANES } from '../../src/ui/panes/registry.js';
import { computeLayout } from '../../src/ui/layout.js';
import { buildKeymap, resolveKey } from '../../src/keys/bindings.js';
import { createController } from '../../src/ui/controller.js';
import { ACTIONS } from '../../src/actions/catalog.js';
import { ActionRunner } from '../../src/actions/runner.js';
import { createCockpit, initialState } from '../../src/store/store.js';

const PANES_DIR = path.join(import.meta.dirname, '../../src/ui/panes');
const NOT_PANES = new Set(['pane.ts', 'registry.ts', 'model.ts']);

test('every pane file is in the registry, once, with a unique id', () => {
  const files = fs.readdirSync(PANES_DIR).filter((f) => f.endsWith('.ts') && !NOT_PANES.has(f));
  const registry = fs.readFileSync(path.join(PANES_DIR, 'registry.ts'), 'utf8');
  for (const f of files) assert.match(registry, new RegExp(`from './${f.replace(/\.ts$/, '.js')}'`), `${f} is not listed in registry.ts`);
  assert.equal(PANE_DEFS.length, files.length, 'one definition per file');
  assert.equal(new Set(PANES).size, PANES.length, 'pane ids are unique');
});

test('every pane is placed in every layout, and reachable by its digit', () => {
  for (const [cols, rows] of [
    [70, 30],
    [120, 35],
    [200, 50],
  ]) {
    const placed = computeLayout(cols, rows, 'pods', null).columns.flatMap((c) => c.panes.map((p) => p.pane));
    assert.deepEqual([...placed].sort(), [...PANES].sort(), `${cols}×${rows}`);
  }
  const keymap = buildKeymap();
  PANES.slice(0, 9).forEach((p, i) => assert.equal(resolveKey(keymap, String(i + 1), 'pods')?.id, `focus.${p}`));
});

test('every key reaches something: a controller command, or an action the runner knows', () => {
  const cockpit = createCockpit(initialState());
  const keymap = buildKeymap();
  const runner = new ActionRunner(
    { context: null, readOnly: false, drill: false, recorder: { record: () => {} }, services: {} },
    { prompt: async () => null, confirm: async () => false, notify: () => {} },
    { productionContexts: [] },
  ).register(...ACTIONS);
  const controller = createController({ cockpit, keymap, runner, services: {}, exit: () => {} });
  for (const cmd of keymap.commands) {
    if (cmd.action) assert.ok(runner.get(cmd.id), `${cmd.id} is bound but not an action`);
    else assert.ok(controller.commands.includes(cmd.id), `${cmd.id} has no handler`);
  }
  for (const a of ACTIONS)
    if (a.binding)
      assert.ok(
        keymap.commands.some((c) => c.id === a.id),
        `${a.id} declares a key but is not in the keymap`,
      );
});
