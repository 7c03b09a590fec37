// Keys are data: the cockpit's own commands below, and each action's key declared with the action
// (ActionDef.binding, src/actions/catalog.ts). The footer and the help overlay are generated from
// the resulting keymap; config `keys:` overrides it; conflicts are reported at start. A key bound
// to an action reaches the runner without any handler of its own, so its gates always apply.
import type { PaneId } from '../store/store.js';
import { PANES } from '../ui/panes/registry.js';
import { ACTIONS } from '../actions/catalog.js';
import type { ActionBinding } from '../actions/types.js';

export type Scope = 'global' | PaneId;

export interface Command<Id extends string = string> {
  id: Id;
  keys: string[];
  /** Short label for the footer. */
  label: string;
  description: string;
  group: ActionBinding['group'];
  scope: Scope;
  mutating: boolean;
  /** Shown in the footer when the scope is focused. */
  footer?: boolean;
  /** Set when the command is an action: what the key acts on. */
  action?: ActionBinding['target'];
}

const c = <Id extends string>(id: Id, keys: string[], label: string, description: string, group: Command['group'], scope: Scope, footer = false): Command<Id> => ({
  id,
  keys,
  label,
  description,
  group,
  scope,
  mutating: false,
  footer,
});

/** The cockpit's own commands: navigation, views and dialogs that change nothing outside the screen. */
const UI_COMMANDS = [
  c('app.quit', ['q', 'ctrl+c'], 'quit', 'Quit warroom (the incident journal is already on disk)', 'General', 'global', true),
  c('app.help', ['?'], 'help', 'Show this help', 'General', 'global', true),
  c('app.refresh', ['ctrl+r'], 'refresh', 'Refresh every polled source now', 'General', 'global'),
  c('focus.next', ['tab'], 'next pane', 'Focus the next pane', 'Navigation', 'global'),
  c('focus.prev', ['shift+tab'], 'prev pane', 'Focus the previous pane', 'Navigation', 'global'),
  c('pane.zoom', ['z'], 'zoom', 'Zoom the focused pane to the whole screen (again to restore)', 'Navigation', 'global', true),
  c('pane.filter', ['/'], 'filter', 'Filter the focused list (Esc clears)', 'Navigation', 'global', true),
  c('app.command', [':'], 'command', 'Command line: :pods :deploy :sts :ds :no :ev :rs :ns :ctx :sort :q', 'Navigation', 'global', true),
  c('nav.pods', ['enter'], 'pods', "The selected workload's pods (Esc shows all)", 'Navigation', 'deployments', true),
  c('event.show', ['enter'], 'whole event', 'The selected event whole: object, reason, count, when, the full message', 'Navigation', 'events', true),
  c('nav.events', ['e'], 'events', 'Events of the selected pod, workload or node', 'Navigation', 'global'),
  c('pods.sortNext', ['>'], 'sort', 'Sort pods by the next column (:sort COLUMN)', 'Navigation', 'pods'),
  c('pods.sortReverse', ['<'], 'reverse sort', 'Reverse the pods sort order', 'Navigation', 'pods'),
  c('cursor.up', ['up', 'k'], 'up', 'Move the selection up', 'Navigation', 'global'),
  c('cursor.down', ['down', 'j'], 'down', 'Move the selection down', 'Navigation', 'global'),
  c('cursor.pageUp', ['pageup'], 'page up', 'Move the selection a page up', 'Navigation', 'global'),
  c('cursor.pageDown', ['pagedown'], 'page down', 'Move the selection a page down', 'Navigation', 'global'),
  c('cursor.top', ['g', 'home'], 'top', 'Go to the first row', 'Navigation', 'global'),
  c('cursor.bottom', ['G', 'end'], 'bottom', 'Go to the last row', 'Navigation', 'global'),
  c('kube.context', ['C'], 'context', 'Switch Kubernetes context', 'Kubernetes', 'global'),
  c('kube.namespace', ['N'], 'namespace', 'Switch namespace(s); * for all', 'Kubernetes', 'global'),
  c('kube.describe', ['d'], 'describe', 'Describe the selected pod, workload or node, with its events', 'Kubernetes', 'global'),
  c('kube.yaml', ['y'], 'yaml', 'YAML of the selected pod, workload or node', 'Kubernetes', 'global'),
  c('kube.history', ['h'], 'history', 'Revision history; roll back to a chosen revision', 'Kubernetes', 'deployments', true),
  c('kube.logs', ['l'], 'logs', 'Logs of the selected pod (follow, previous, save…)', 'Kubernetes', 'pods', true),
  c('kube.deployLogs', ['l'], 'logs', "Recent logs of the deployment's pods, errors grouped", 'Kubernetes', 'deployments', true),
  c('alert.runbook', ['o'], 'runbook', "Show the alert's runbook URL and details", 'Alerts', 'alerts', true),
];

export type UiCommandId = (typeof UI_COMMANDS)[number]['id'];
export type FocusCommandId = `focus.${PaneId}`;
/** A command the controller handles itself; every other command id is an action's. */
export type ControllerCommandId = UiCommandId | FocusCommandId;

/** One digit per pane, in the registry's order. */
const FOCUS_COMMANDS: Command<FocusCommandId>[] = PANES.slice(0, 9).map((p, i) => c(`focus.${p}` as const, [String(i + 1)], p, `Focus the ${p} pane`, 'Navigation', 'global'));

const ACTION_COMMANDS: Command[] = ACTIONS.flatMap((a) =>
  a.binding
    ? [
        {
          id: a.id,
          keys: a.binding.keys,
          label: a.binding.label,
          description: a.binding.description,
          group: a.binding.group,
          scope: a.scope,
          mutating: a.mutating,
          footer: a.binding.footer ?? false,
          action: a.binding.target,
        },
      ]
    : [],
);

const GROUP_ORDER: Command['group'][] = ['General', 'Navigation', 'Kubernetes', 'Alerts', 'Databases', 'Incident'];

export const DEFAULT_COMMANDS: readonly Command[] = [...UI_COMMANDS, ...FOCUS_COMMANDS, ...ACTION_COMMANDS].sort(
  (x, y) => GROUP_ORDER.indexOf(x.group) - GROUP_ORDER.indexOf(y.group),
);

export interface Keymap {
  commands: Command[];
  /** Conflicts and unknown ids found while applying overrides; shown at start. */
  warnings: string[];
}

export function buildKeymap(overrides: Record<string, string[]> = {}): Keymap {
  const warnings: string[] = [];
  const known = new Set(DEFAULT_COMMANDS.map((cmd) => cmd.id));
  for (const id of Object.keys(overrides)) {
    if (!known.has(id)) warnings.push(`keys: unknown command "${id}" (see the help overlay, ?, for ids)`);
  }
  const commands = DEFAULT_COMMANDS.map((cmd) => {
    const keys = overrides[cmd.id];
    return { ...cmd, keys: keys ? keys.map(normalizeKey) : [...cmd.keys] };
  });

  // A key may appear once per scope, and a pane binding shadows a global one only by design
  // (pane keys win); an override that collides inside one scope keeps the earlier command.
  const seen = new Map<string, string>();
  for (const cmd of commands) {
    const kept: string[] = [];
    for (const key of cmd.keys) {
      const slot = `${cmd.scope}:${key}`;
      const globalOwner = cmd.scope !== 'global' ? seen.get(`global:${key}`) : undefined;
      const owner = seen.get(slot);
      if (owner && owner !== cmd.id) {
        warnings.push(`keys: "${key}" is bound to both ${owner} and ${cmd.id} in ${cmd.scope}; kept ${owner}`);
        continue;
      }
      if (globalOwner && overrides[cmd.id]) {
        warnings.push(`keys: "${key}" for ${cmd.id} hides the global ${globalOwner} while ${cmd.scope} is focused`);
      }
      seen.set(slot, cmd.id);
      kept.push(key);
    }
    cmd.keys = kept;
  }
  return { commands, warnings };
}

const KEY_ALIASES: Record<string, string> = { esc: 'escape', return: 'enter', pgup: 'pageup', pgdn: 'pagedown', 'c-c': 'ctrl+c' };

export function normalizeKey(key: string): string {
  const k = key.trim();
  if (k.length === 1) return k;
  const lower = k.toLowerCase().replace(/\s+/g, '');
  return KEY_ALIASES[lower] ?? lower;
}

/** The command bound to `key`, the focused pane's bindings first, then global ones. */
export function resolveKey(keymap: Keymap, key: string, focus: PaneId): Command | undefined {
  return keymap.commands.find((cmd) => cmd.scope === focus && cmd.keys.includes(key)) ?? keymap.commands.find((cmd) => cmd.scope === 'global' && cmd.keys.includes(key));
}

/** Turns Ink's (input, key) pair into our key notation. */
export function keyName(input: string, key: { [k: string]: boolean | undefined }): string | null {
  if (key.ctrl && input) return `ctrl+${input.toLowerCase()}`;
  if (key.tab) return key.shift ? 'shift+tab' : 'tab';
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageUp) return 'pageup';
  if (key.pageDown) return 'pagedown';
  if (key.home) return 'home';
  if (key.end) return 'end';
  if (key.return) return 'enter';
  if (key.escape) return 'escape';
  if (key.backspace || key.delete) return 'backspace';
  return input || null;
}
