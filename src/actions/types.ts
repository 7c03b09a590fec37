// One registry of actions; one runner (src/actions/runner.ts) applies every gate:
// read-only, production guard, permission pre-check, parameter prompts, confirmation,
// dry-run preview, and journaling of start and outcome. Key handlers only name action ids.
import type { PagingServices } from '../paging/services.js';
import type { Recorder } from '../incident/types.js';
import type { IncidentEngine } from '../incident/incident.js';
import type { KubeOps } from '../sources/kube/rollout.js';
import type { AlertmanagerApi } from '../sources/prometheus/client.js';
import type { PgConfigProvider } from '../sources/postgres/source.js';
import type { PaneId } from '../ui/panes/registry.js';
import type { PostmortemWriter } from './incident.js';
import type { KubectlConnection } from '../sources/kube/kubectl.js';

export type ActionScope = 'global' | PaneId;

export interface Field {
  name: string;
  label: string;
  initial: string;
  /** Returns an error message for a bad value, or null. */
  validate?: (value: string) => string | null;
}

export interface ActionTarget {
  /** What the user would type to confirm (a deployment name, a pid). */
  name: string;
  namespace?: string;
  /** The row's identity when kind, namespace and name do not tell rows apart (two alerts of one name). */
  key?: string;
  /** Anything else the action needs (the row it was invoked on). */
  [key: string]: unknown;
}

export interface ActionOutcome {
  summary: string;
  details?: string[];
  refs?: Record<string, unknown>;
}

export interface ActionEnv {
  /** The current kube context name (for the production guard and the confirmation text). */
  context: string | null;
  readOnly: boolean;
  drill: boolean;
  recorder: Recorder;
  /** Who is acting, as journaled (the person at the keyboard); default "you". */
  actor?: string;
  services: ActionServices;
}

/** What actions act through; each is present once its backend is configured (sources start after the first frame). */
export interface ActionServices {
  kube?: KubeOps;
  /** Shows rollout progress on screen. */
  progress?: (message: string) => void;
  alertmanager?: AlertmanagerApi;
  postgres?: PgConfigProvider;
  incident?: IncidentEngine;
  postmortem?: PostmortemWriter;
  /** Runs another action through the runner, all gates included (S → Resolved opens the composer). */
  invoke?: (id: string, target: ActionTarget) => Promise<{ ok: boolean; message?: string }>;
  /** PagerDuty and the incident channel. */
  paging?: PagingServices;
  /** Hands the terminal to kubectl (shell, port-forward) and takes it back. */
  handoff?: Handoff;
}

export interface Handoff {
  /** kubectl's path on PATH, or null when it is not installed. */
  kubectl(): string | null;
  /** The kubeconfig and context the cockpit reads. */
  connection(): KubectlConnection;
  /** Suspends the cockpit, prints `banner`, runs the command with the terminal, then repaints; kubectl's stderr is shown and its tail returned. */
  run(file: string, args: string[], banner: string[]): Promise<{ code: number | null; signal: string | null; stderr: string }>;
}

export type ServiceName = keyof ActionServices;

/** A key for the action, declared with it: the keymap, footer and help are built from these. */
export interface ActionBinding {
  keys: string[];
  /** Short label for the footer. */
  label: string;
  description: string;
  group: 'General' | 'Navigation' | 'Kubernetes' | 'Alerts' | 'Databases' | 'Incident';
  /** Shown in the footer when the scope is focused. */
  footer?: boolean;
  /** What the key acts on: the selected row (required), the selected row if any, or nothing. */
  target: 'row' | 'row-if-any' | 'none';
}

export interface ActionDef<T extends ActionTarget = ActionTarget> {
  id: string;
  title: string;
  /** The title for this target when it depends on it ("Restart statefulset" on a StatefulSet row). */
  titleFor?: (target: T) => string;
  scope: ActionScope;
  mutating: boolean;
  /** The key that invokes it, if any (some actions are reached from a dialog, e.g. a chosen revision). */
  binding?: ActionBinding;
  /** The service it needs; without it the runner answers "<service> is not configured" before anything else. */
  requires?: ServiceName;
  /** 'type-name' always asks to type the target's name; production contexts upgrade 'confirm' to it. */
  confirm: 'none' | 'confirm' | 'type-name';
  /** false: the action writes its own timeline entries (the incident's), so the runner adds none. */
  journal?: false;
  /** A choice from a list, asked before any prompt; the answer is params.choice. null: nothing to choose (one container). */
  choose?: (target: T, env: ActionEnv) => { title: string; options: Choice[]; lines?: string[]; initial?: string } | null;
  /** Prompts shown before confirmation, pre-filled (e.g. replicas); params hold the choice made. */
  fields?: (target: T, env: ActionEnv, params?: Record<string, string>) => Field[];
  /** When true for these params, typing the target name is required (e.g. scaling to 0). */
  requiresTypedName?: (target: T, params: Record<string, string>) => boolean;
  /** Lines stating exactly what will change, in which context and namespace. */
  describe: (target: T, params: Record<string, string>, env: ActionEnv) => string[] | Promise<string[]>;
  /** Permission pre-check, run before any prompt (params are empty then); resolves to a reason when the action would be refused, or null. */
  precheck?: (target: T, params: Record<string, string>, env: ActionEnv) => Promise<string | null>;
  /** Server-side dry run; resolves to preview lines, or throws with a specific message. */
  dryRun?: (target: T, params: Record<string, string>, env: ActionEnv) => Promise<string[]>;
  run: (target: T, params: Record<string, string>, env: ActionEnv) => Promise<ActionOutcome>;
}

/**
 * An action whatever its target type, as the catalog and the runner hold them: T appears only in
 * parameters, so every ActionDef<T> is one; the runner narrows it back at the call.
 */
export type AnyActionDef = ActionDef<never>;

export interface Choice {
  label: string;
  value: string;
  detail?: string;
}

/** How the runner talks to the person: the UI implements it with dialogs, tests with scripts. */
export interface Interaction {
  /** Pick one of a list; resolves null when cancelled. Needed by actions with `choose`. */
  select?(title: string, options: Choice[], lines?: string[], initial?: string): Promise<string | null>;
  /** Ask for field values; resolves null when cancelled. `edited`: the values are already the person's (back from a preview). */
  prompt(title: string, fields: Field[], opts?: { edited?: boolean }): Promise<Record<string, string> | null>;
  /**
   * Show what will change and ask to proceed; with typeName the user must type it. Resolves false
   * when cancelled, or 'back' (only when `back` is set) to return to the form with its values.
   */
  confirm(req: { title: string; lines: string[]; typeName?: string; dangerous: boolean; back?: boolean }): Promise<boolean | 'back'>;
  notify(message: string, level: 'info' | 'success' | 'warn' | 'error'): void;
}
