// Dialog state lives in the store's ui slice; the Interaction the action runner uses opens
// dialogs there and resolves when the person answers. Key handling for dialogs is pure.
import type { Field, Interaction } from '../../actions/types.js';
import type { Cockpit, Toast } from '../../store/store.js';

export type Dialog =
  | {
      kind: 'prompt';
      title: string;
      fields: Field[];
      values: string[];
      active: number;
      error: string | null;
      multiline?: boolean;
      /** The values are the person's already (back from a preview): leaving asks. */
      edited?: boolean;
      /** Esc with changes asks first: "Discard your changes?". */
      discarding?: boolean;
      /** `active`: the field the person was on when they submitted. */
      resolve: (v: Record<string, string> | null, active?: number) => void;
    }
  | {
      kind: 'confirm';
      title: string;
      lines: string[];
      typeName?: string;
      typed: string;
      dangerous: boolean;
      error: string | null;
      back?: boolean;
      scroll: number;
      resolve: (ok: boolean | 'back') => void;
    }
  | { kind: 'select'; title: string; lines?: string[]; options: { label: string; value: string; detail?: string }[]; index: number; resolve: (v: string | null) => void };

let toastSeq = 0;

export function notify(cockpit: Cockpit, message: string, level: Toast['level']): void {
  const toast: Toast = { id: ++toastSeq, message, level, at: Date.now() };
  cockpit.store.setState((s) => ({ ui: { ...s.ui, toasts: [...s.ui.toasts.slice(-4), toast] } }));
}

function open(cockpit: Cockpit, dialog: Dialog): void {
  cockpit.store.setState((s) => ({ ui: { ...s.ui, dialog } }));
}

function close(cockpit: Cockpit): void {
  cockpit.store.setState((s) => ({ ui: { ...s.ui, dialog: null } }));
}

export function currentDialog(cockpit: Cockpit): Dialog | null {
  return (cockpit.store.getState().ui.dialog as Dialog | null) ?? null;
}

/** The runner's Interaction, implemented with the cockpit's dialogs. */
export function dialogInteraction(
  cockpit: Cockpit,
): Interaction & { select(title: string, options: { label: string; value: string; detail?: string }[], lines?: string[], initial?: string): Promise<string | null> } {
  // Back from a preview, a form opens on the field the person was editing, not the first one.
  const lastActive = new Map<string, number>();
  return {
    prompt: (title, fields, opts) =>
      new Promise((resolve) => {
        const active = opts?.edited ? Math.min(lastActive.get(title) ?? 0, fields.length - 1) : 0;
        const done = (v: Record<string, string> | null, at?: number) => {
          if (at !== undefined) lastActive.set(title, at);
          resolve(v);
        };
        open(cockpit, { kind: 'prompt', title, fields, values: fields.map((f) => f.initial), active, error: null, edited: opts?.edited, resolve: done });
      }),
    confirm: (req) => new Promise((resolve) => open(cockpit, { kind: 'confirm', ...req, typed: '', error: null, scroll: 0, resolve })),
    select: (title, options, lines, initial) =>
      new Promise((resolve) =>
        open(cockpit, {
          kind: 'select',
          title,
          options,
          lines,
          index: Math.max(
            0,
            options.findIndex((o) => o.value === initial),
          ),
          resolve,
        }),
      ),
    notify: (message, level) => notify(cockpit, message, level),
  };
}

/** Handles a key while a dialog is open. Every key is taken: nothing leaks to the panes. */
export function dialogKey(cockpit: Cockpit, key: string): void {
  const d = currentDialog(cockpit);
  if (!d) return;
  const update = (next: Dialog) => open(cockpit, next);
  if (d.kind === 'prompt' && d.discarding) {
    if (key === 'y') {
      close(cockpit);
      return d.resolve(null);
    }
    if (key === 'n' || key === 'escape') return update({ ...d, discarding: false });
    return;
  }
  if (key === 'escape') {
    // Leaving a form with changes asks; leaving a preview steps back to its form when there is one.
    if (d.kind === 'prompt' && (d.edited || d.values.some((v, i) => v !== d.fields[i]?.initial))) return update({ ...d, discarding: true });
    close(cockpit);
    if (d.kind === 'prompt') d.resolve(null);
    else if (d.kind === 'confirm') d.resolve(d.back ? 'back' : false);
    else d.resolve(null);
    return;
  }
  switch (d.kind) {
    case 'prompt': {
      if (key === 'tab' || key === 'down') return update({ ...d, active: (d.active + 1) % d.fields.length });
      if (key === 'shift+tab' || key === 'up') return update({ ...d, active: (d.active - 1 + d.fields.length) % d.fields.length });
      if (key === 'enter') {
        for (const [i, f] of d.fields.entries()) {
          const problem = f.validate?.(d.values[i] ?? '');
          if (problem) return update({ ...d, active: i, error: `${f.label}: ${problem}` });
        }
        close(cockpit);
        return d.resolve(Object.fromEntries(d.fields.map((f, i) => [f.name, d.values[i] ?? ''])), d.active);
      }
      const values = [...d.values];
      values[d.active] = edit(values[d.active] ?? '', key);
      return update({ ...d, values, error: null });
    }
    case 'confirm': {
      const step = key === 'down' ? 1 : key === 'up' ? -1 : key === 'pagedown' ? 10 : key === 'pageup' ? -10 : 0;
      if (step) return update({ ...d, scroll: Math.max(0, d.scroll + step) });
      if (key === 'enter') {
        if (d.typeName !== undefined && d.typed !== d.typeName) return update({ ...d, error: `type "${d.typeName}" exactly to confirm, or Esc to cancel` });
        close(cockpit);
        return d.resolve(true);
      }
      if (d.typeName === undefined) {
        if (key === 'y') {
          close(cockpit);
          return d.resolve(true);
        }
        if (key === 'n') {
          close(cockpit);
          return d.resolve(false);
        }
        return;
      }
      return update({ ...d, typed: edit(d.typed, key), error: null });
    }
    case 'select': {
      if (key === 'down' || key === 'j' || key === 'tab') return update({ ...d, index: Math.min(d.options.length - 1, d.index + 1) });
      if (key === 'up' || key === 'k' || key === 'shift+tab') return update({ ...d, index: Math.max(0, d.index - 1) });
      if (key === 'enter') {
        close(cockpit);
        return d.resolve(d.options[d.index]?.value ?? null);
      }
      return;
    }
  }
}

/** Applies a key to a text value: printable characters append, backspace deletes, ctrl+u clears. */
export function edit(value: string, key: string): string {
  if (key === 'backspace') return value.slice(0, -1);
  if (key === 'ctrl+u') return '';
  if (key === 'space') return value + ' ';
  if (key.length >= 1 && !KEY_WORDS.has(key) && !key.startsWith('ctrl+')) return value + key;
  return value;
}

const KEY_WORDS = new Set(['up', 'down', 'left', 'right', 'pageup', 'pagedown', 'home', 'end', 'enter', 'escape', 'tab', 'shift+tab', 'backspace']);
