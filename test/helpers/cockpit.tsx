// Builds a test cockpit from the runtime's own parts (src/ui/assemble.ts), without sources, for
// ink-testing-library tests. Tests fill the store with data as a source would, and press keys
// through Ink's stdin, so they pass through useInput exactly as typed keys do.
import { render } from 'ink-testing-library';
import type { MetaState, State } from '../../src/store/store.js';
import type { AnyActionDef, ActionEnv, ActionServices } from '../../src/actions/types.js';
import type { NewEntry } from '../../src/incident/types.js';
import type { CockpitServices } from '../../src/ui/controller.js';
import { assembleCockpit } from '../../src/ui/assemble.js';
import { loadTheme } from '../../src/ui/theme.js';

export interface TestCockpitOptions {
  cols?: number;
  rows?: number;
  meta?: Partial<MetaState>;
  /** Actions beyond the catalog every cockpit has (or replacing one of it, by id). */
  actions?: AnyActionDef[];
  services?: CockpitServices;
  keys?: Record<string, string[]>;
  env?: NodeJS.ProcessEnv;
  context?: string;
  productionContexts?: string[];
  /** ActionEnv.services (kube operations, …). */
  envServices?: ActionServices;
}

/** Key names (the controller's notation) as the bytes a terminal sends. */
const SEQUENCES: Record<string, string> = {
  enter: '\r',
  escape: '\x1b',
  tab: '\t',
  'shift+tab': '\x1b[Z',
  backspace: '\x7f',
  space: ' ',
  up: '\x1b[A',
  down: '\x1b[B',
  right: '\x1b[C',
  left: '\x1b[D',
  home: '\x1b[H',
  end: '\x1b[F',
  pageup: '\x1b[5~',
  pagedown: '\x1b[6~',
};

export function keyBytes(key: string): string {
  if (SEQUENCES[key]) return SEQUENCES[key];
  const ctrl = /^ctrl\+([a-z])$/.exec(key);
  if (ctrl) return String.fromCharCode(ctrl[1].charCodeAt(0) - 96);
  return key;
}

export function renderCockpit(o: TestCockpitOptions = {}) {
  const journal: NewEntry[] = [];
  const env: ActionEnv = { context: o.context ?? 'test', readOnly: !!o.meta?.readOnly, drill: false, recorder: { record: (e) => journal.push(e) }, services: { ...o.envServices } };
  let exited = false;
  const services: CockpitServices = o.services ?? {};
  const { theme } = loadTheme('dark', { env: o.env ?? {}, colorMode: o.env?.NO_COLOR ? 'none' : 'full' });
  const { cockpit, keymap, runner, controller, element } = assembleCockpit({
    meta: o.meta ?? {},
    theme,
    keys: o.keys,
    env,
    productionContexts: o.productionContexts ?? [],
    services,
    exit: () => (exited = true),
    now: () => NOW,
    size: { cols: o.cols ?? 80, rows: o.rows ?? 24 },
    actions: o.actions,
  });
  const ui = render(element);
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
    /** Types keys (controller notation: "enter", "ctrl+c", "x") one at a time and waits until the screen settles after each. */
    async press(...keys: string[]) {
      for (const k of keys) {
        ui.stdin.write(keyBytes(k));
        // Ink holds a lone Esc for 20 ms in case an escape sequence follows.
        await settled(ui, k === 'escape' ? 30 : 0);
      }
    },
    frame: () => stripAnsi(ui.lastFrame() ?? ''),
    rawFrame: () => ui.lastFrame() ?? '',
  };
}

/**
 * Resolves once the key's effects are drawn: no new frame for `quietMs` (a key that changes
 * nothing settles then), capped so a screen that never settles still returns. A key whose effect
 * waits on a server (a permission check before a dialog) is followed by a wait on the screen.
 */
async function settled(ui: { frames: string[] }, minMs: number, quietMs = 25, capMs = 1000): Promise<void> {
  const start = Date.now();
  if (minMs) await new Promise((r) => setTimeout(r, minMs));
  let seen = ui.frames.length;
  let quietSince = Date.now();
  while (Date.now() - quietSince < quietMs && Date.now() - start < capMs) {
    await new Promise((r) => setTimeout(r, 5));
    if (ui.frames.length !== seen) {
      seen = ui.frames.length;
      quietSince = Date.now();
    }
  }
}

export const NOW = Date.parse('2026-11-25T16:00:00Z');

export function tick(ms = 30): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function stripAnsi(s: string): string {
  return s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
}
