// Keys are data: one table of commands with their default keys. The footer and the help overlay
// are generated from it; config `keys:` overrides it; conflicts are reported at start.
// A command's handler (ui/controller.ts) names the action it invokes through the runner; every
// mutating command is one, so its gates apply whichever key or path reaches it.
import type { PaneId } from '../store/store.js';

export type Scope = 'global' | PaneId;

export interface Command {
  id: string;
  keys: string[];
  /** Short label for the footer. */
  label: string;
  description: string;
  group: 'General' | 'Navigation' | 'Kubernetes' | 'Alerts' | 'Databases' | 'Incident';
  scope: Scope;
  mutating: boolean;
  /** Shown in the footer when the scope is focused. */
  footer?: boolean;
}

const c = (id: string, keys: string[], label: string, description: string, group: Command['group'], scope: Scope, mutating = false, footer = false): Command => ({
  id, keys, label, description, group, scope, mutating, footer,
});

export const DEFAULT_COMMANDS: Command[] = [
  c('app.quit', ['q', 'ctrl+c'], 'quit', 'Quit warroom (the incident journal is already on disk)', 'General', 'global', false, true),
  c('app.help', ['?'], 'help', 'Show this help', 'General', 'global', false, true),
  c('app.refresh', ['ctrl+r'], 'refresh', 'Refresh every polled source now', 'General', 'global'),
  c('focus.next', ['tab'], 'next pane', 'Focus the next pane', 'Navigation', 'global'),
  c('focus.prev', ['shift+tab'], 'prev pane', 'Focus the previous pane', 'Navigation', 'global'),
  ...(['pods', 'deployments', 'events', 'alerts', 'signals', 'postgres', 'redis', 'timeline'] as PaneId[]).map((p, i) =>
    c(`focus.${p}`, [String(i + 1)], p, `Focus the ${p} pane`, 'Navigation', 'global'),
  ),
  c('pane.zoom', ['z'], 'zoom', 'Zoom the focused pane to the whole screen (again to restore)', 'Navigation', 'global', false, true),
  c('pane.filter', ['/'], 'filter', 'Filter the focused list (Esc clears)', 'Navigation', 'global', false, true),
  c('cursor.up', ['up', 'k'], 'up', 'Move the selection up', 'Navigation', 'global'),
  c('cursor.down', ['down', 'j'], 'down', 'Move the selection down', 'Navigation', 'global'),
  c('cursor.pageUp', ['pageup'], 'page up', 'Move the selection a page up', 'Navigation', 'global'),
  c('cursor.pageDown', ['pagedown'], 'page down', 'Move the selection a page down', 'Navigation', 'global'),
  c('cursor.top', ['g', 'home'], 'top', 'Go to the first row', 'Navigation', 'global'),
  c('cursor.bottom', ['G', 'end'], 'bottom', 'Go to the last row', 'Navigation', 'global'),
  c('kube.context', ['C'], 'context', 'Switch Kubernetes context', 'Kubernetes', 'global'),
  c('kube.namespace', ['N'], 'namespace', 'Switch namespace(s); * for all', 'Kubernetes', 'global'),
  c('kube.restart', ['r'], 'restart', 'Rollout restart the selected deployment', 'Kubernetes', 'deployments', true, true),
  c('kube.scale', ['s'], 'scale', 'Scale the selected deployment', 'Kubernetes', 'deployments', true, true),
  c('kube.rollback', ['u'], 'undo', 'Roll back the selected deployment to the previous revision', 'Kubernetes', 'deployments', true, true),
  c('kube.history', ['h'], 'history', 'Revision history; roll back to a chosen revision', 'Kubernetes', 'deployments', false, true),
  c('kube.logs', ['l'], 'logs', 'Recent logs of the selected pod, with an error summary', 'Kubernetes', 'pods', false, true),
  c('kube.deployLogs', ['l'], 'logs', "Recent logs of the deployment's pods, errors grouped", 'Kubernetes', 'deployments', false, true),
  c('alert.silence', ['x'], 'silence', 'Silence the selected alert in Alertmanager', 'Alerts', 'alerts', true, true),
  c('alert.runbook', ['o'], 'runbook', "Show the alert's runbook URL and details", 'Alerts', 'alerts', false, true),
  c('pg.cancel', ['x'], 'cancel query', 'Cancel the selected backend query (pg_cancel_backend)', 'Databases', 'postgres', true, true),
  c('pg.terminate', ['X'], 'terminate', 'Terminate the selected backend (pg_terminate_backend)', 'Databases', 'postgres', true, true),
  c('incident.declare', ['D'], 'declare', 'Declare an incident (title, severity, roles)', 'Incident', 'global', true, true),
  c('incident.note', ['n'], 'note', 'Add a note to the timeline', 'Incident', 'global', true, true),
  c('incident.status', ['S'], 'status', 'Change state: Investigating → Identified → Monitoring → Resolved', 'Incident', 'global', true),
  c('incident.severity', ['V'], 'severity', 'Set the incident severity (accept or override the suggestion)', 'Incident', 'global', true),
  c('incident.role', ['A'], 'roles', 'Assign incident commander / comms', 'Incident', 'global', true),
  c('incident.post', ['p'], 'post update', 'Compose and post a status update to the configured sinks', 'Incident', 'global', true, true),
  c('incident.resend', ['enter'], 'resend', 'Resend a delivery whose outcome is unknown, or that failed', 'Incident', 'timeline', true),
  c('incident.discard', ['x'], 'discard', 'Discard a delivery whose outcome is unknown, or that waits to be retried', 'Incident', 'timeline', true),
  c('incident.postmortem', ['P'], 'post-mortem', 'Write the post-mortem draft (Markdown and JSON)', 'Incident', 'global', true),
];

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
  const commands = DEFAULT_COMMANDS.map((cmd) => (overrides[cmd.id] ? { ...cmd, keys: overrides[cmd.id].map(normalizeKey) } : cmd));

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
