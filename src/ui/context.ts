// The cockpit's React context and the hooks every component reads the store with.
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { Cockpit, State } from '../store/store.js';
import type { Keymap } from '../keys/bindings.js';
import type { ActionRunner } from '../actions/runner.js';
import type { Theme } from './theme.js';

export interface Ctx {
  cockpit: Cockpit;
  theme: Theme;
  keymap: Keymap;
  runner: ActionRunner;
  now: () => number;
  dataNow: () => number;
}

export const CockpitContext = createContext<Ctx | null>(null);

export function useCockpit(): Ctx {
  const ctx = useContext(CockpitContext);
  if (!ctx) throw new Error('useCockpit outside <App>');
  return ctx;
}

export function useSelect<T>(selector: (s: State) => T): T {
  return useStore(useCockpit().cockpit.store, selector);
}
