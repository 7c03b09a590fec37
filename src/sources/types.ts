// The contract every source follows: it owns one backend, normalises what it reads into
// plain data, and publishes its slice through the store's staging area (never setState
// directly). It never imports React or Ink.

export type SourceStatus = 'disabled' | 'connecting' | 'ok' | 'degraded' | 'down';

export interface SourceSlice<T> {
  status: SourceStatus;
  /** Epoch ms of the last good data; kept when the source goes down so panes can show its age. */
  updatedAt: number | null;
  /** Human-readable reason when degraded or down; never contains secrets. */
  error: string | null;
  data: T;
}

/** Stages a change to the source's slice; the frame clock applies staged changes once per frame. */
export type Publish<T> = (update: (prev: SourceSlice<T>) => SourceSlice<T>) => void;

export interface Source {
  start(): Promise<void> | void;
  stop(): Promise<void>;
  /** Ask for an immediate refresh (the `R` key); watch-driven sources may ignore it. */
  refresh?(): void;
}

export function emptySlice<T>(data: T, status: SourceStatus = 'disabled'): SourceSlice<T> {
  return { status, updatedAt: null, error: null, data };
}
