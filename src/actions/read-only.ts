// Read-only is a property of the process, decided once and failing closed:
//   - --read-only / WARROOM_READ_ONLY / readOnly: true locks it for the life of the process;
//   - readOnlyContexts is checked on every context switch: a matching context locks it too
//     (switching away later, even to another name for the same cluster, does not lift it);
//   - while the context is not known (not connected yet, no usable kubeconfig) and
//     readOnlyContexts is set, the cockpit is read-only.
import { globMatch } from './runner.js';

export interface ReadOnlyState {
  readOnly: boolean;
  reason: string | null;
}

export class ReadOnlyPolicy {
  private locked: string | null;

  constructor(private readonly cfg: { readOnly: boolean; readOnlyContexts: string[] }) {
    this.locked = cfg.readOnly ? '--read-only' : null;
  }

  /** The state for the current context (undefined or null: not known). */
  evaluate(context: string | null | undefined): ReadOnlyState {
    if (this.locked) return { readOnly: true, reason: this.locked };
    if (this.cfg.readOnlyContexts.length === 0) return { readOnly: false, reason: null };
    if (!context) return { readOnly: true, reason: 'context not known and readOnlyContexts is set' };
    if (this.cfg.readOnlyContexts.some((g) => globMatch(g, context))) {
      this.locked = `context ${context} is read-only by config`;
      return { readOnly: true, reason: this.locked };
    }
    return { readOnly: false, reason: null };
  }
}
