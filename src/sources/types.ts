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

/** One backend target of a multi-target source (a database, a Redis instance). */
export interface TargetState {
  name: string;
  status: 'connecting' | 'ok' | 'down';
  error: string | null;
  updatedAt: number | null;
}

/**
 * The slice status of a source with several targets: down when all are down, degraded when
 * some are (or `degraded(t)` says so), ok when one answers; the errors named per target.
 */
export function summarizeTargets<T extends TargetState>(list: T[], degraded: (t: T) => boolean = () => false): Pick<SourceSlice<unknown>, 'status' | 'error' | 'updatedAt'> {
  const down = list.filter((d) => d.status === 'down');
  let status: SourceStatus;
  if (list.length === 0) status = 'disabled';
  else if (down.length === list.length) status = 'down';
  else if (down.length > 0) status = 'degraded';
  else if (list.some((d) => d.status === 'ok')) status = list.some(degraded) ? 'degraded' : 'ok';
  else status = 'connecting';
  const error = down.length ? down.map((d) => `${d.name}: ${d.error ?? 'down'}`).join('; ') : null;
  const times = list.map((d) => d.updatedAt).filter((x): x is number => x != null);
  return { status, error, updatedAt: times.length ? Math.max(...times) : null };
}
