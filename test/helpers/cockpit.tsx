// Builds a cockpit with the real store, keymap, runner, controller and App, without sources,
// for ink-testing-library tests. Tests fill the store with data as a source would.
import React from 'react';
import { render } from 'ink-testing-library';
import { createCockpit, initialState, type MetaState, type State } from '../../src/store/store.js';
import { buildKeymap } from '../../src/keys/bindings.js';
import { ActionRunner } from '../../src/actions/runner.js';
import type { ActionDef, ActionEnv, ActionServices } from '../../src/actions/types.js';
import { ACTIONS } from '../../src/actions/catalog.js';
import type { NewEntry } from '../../src/incident/types.js';
import { dialogInteraction } from '../../src/ui/dialogs/dialogs.js';
import { createController, type CockpitServices } from '../../src/ui/controller.js';
import { App } from '../../src/ui/App.js';
import { loadTheme } from '../../src/ui/theme.js';

export interface TestCockpitOptions {
  cols?: number;
  rows?: number;
  meta?: Partial<MetaState>;
  /** Actions beyond the catalog every cockpit has (or replacing one of it, by id). */
  actions?: ActionDef<any>[];
  services?: CockpitServices;
  keys?: Record<string, string[]>;
  env?: NodeJS.ProcessEnv;
  context?: string;
  productionContexts?: string[];
  /** ActionEnv.services (kube operations, …). */
  envServices?: ActionServices;
}

export function renderCockpit(o: TestCockpitOptions = {}) {
  const cockpit = createCockpit(initialState(o.meta));
  const keymap = buildKeymap(o.keys ?? {});
  const journal: NewEntry[] = [];
  const env: ActionEnv = { context: o.context ?? 'test', readOnly: !!o.meta?.readOnly, drill: false, recorder: { record: (e) => journal.push(e) }, services: { ...o.envServices } };
  const runner = new ActionRunner(env, dialogInteraction(cockpit), { productionContexts: o.productionContexts ?? [] });
  runner.register(...ACTIONS, ...(o.actions ?? []));
  let exited = false;
  const services: CockpitServices = o.services ?? {};
  const controller = createController({ cockpit, keymap, runner, services, exit: () => (exited = true), now: () => NOW });
  const { theme } = loadTheme('dark', { env: o.env ?? {}, colorMode: o.env?.NO_COLOR ? 'none' : 'full' });
  const ui = render(<App cockpit={cockpit} theme={theme} keymap={keymap} runner={runner} onKey={controller.handleKey} size={{ cols: o.cols ?? 80, rows: o.rows ?? 24 }} now={() => NOW} />);
  const set = (patch: (s: State) => Partial<State>) => {
    cockpit.store.setState(patch(cockpit.store.getState()));
  };
  return {
    cockpit,
    keymap,
    runner,
    journal,
    controller,
    /** The controller's services; tests may fill them in after rendering. */
    services,
    ui,
    set,
    get exited() {
      return exited;
    },
    /** Presses keys (as names understood by the controller) and waits for the frame. */
    async press(...keys: string[]) {
      for (const k of keys) {
        controller.handleKey(k);
        await tick();
      }
    },
    frame: () => stripAnsi(ui.lastFrame() ?? ''),
    rawFrame: () => ui.lastFrame() ?? '',
  };
}

export const NOW = Date.parse('2026-11-25T16:00:00Z');

export function tick(ms = 30): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function stripAnsi(s: string): string {
   
  return s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
}
