// The cockpit's parts wired together in one place: store, keymap, runner with every action,
// controller and the App element. The runtime mounts what this builds; the UI tests render the
// very same parts, so a test cockpit cannot drift from the real one.
import React, { type ReactElement } from 'react';
import { createCockpit, initialState, type Cockpit, type MetaState } from '../store/store.js';
import { buildKeymap, type Keymap } from '../keys/bindings.js';
import { ActionRunner } from '../actions/runner.js';
import { ACTIONS } from '../actions/catalog.js';
import type { AnyActionDef, ActionEnv } from '../actions/types.js';
import { dialogInteraction } from './dialogs/dialogs.js';
import { createController, type CockpitServices } from './controller.js';
import { App } from './App.js';
import type { Theme } from './theme.js';

export interface AssembleOptions {
  meta: Partial<MetaState>;
  theme: Theme;
  /** Config `keys:` overrides. */
  keys?: Record<string, string[]>;
  env: ActionEnv;
  productionContexts: string[];
  services: CockpitServices;
  exit(): void;
  now?: () => number;
  /** The clock Prometheus data is stamped with (the drill's simulated clock). */
  dataNow?: () => number;
  /** Fixed size (tests); otherwise the terminal's. */
  size?: { cols: number; rows: number };
  /** Actions beyond the catalog, or replacing one of it by id (tests). */
  actions?: AnyActionDef[];
}

export interface AssembledCockpit {
  cockpit: Cockpit;
  keymap: Keymap;
  runner: ActionRunner;
  controller: ReturnType<typeof createController>;
  element: ReactElement;
}

export function assembleCockpit(o: AssembleOptions): AssembledCockpit {
  const keymap = buildKeymap(o.keys ?? {});
  const cockpit = createCockpit(initialState({ ...o.meta, startupWarnings: [...(o.meta.startupWarnings ?? []), ...keymap.warnings] }));
  const runner = new ActionRunner(o.env, dialogInteraction(cockpit), { productionContexts: o.productionContexts }).register(...ACTIONS, ...(o.actions ?? []));
  const controller = createController({ cockpit, keymap, runner, services: o.services, exit: o.exit, now: o.now, dataNow: o.dataNow });
  const element = React.createElement(App, { cockpit, theme: o.theme, keymap, runner, onKey: controller.handleKey, now: o.now, dataNow: o.dataNow, size: o.size });
  return { cockpit, keymap, runner, controller, element };
}
