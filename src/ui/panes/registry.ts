// Every pane, once. Adding a pane is a file in this folder and one line here; the store's focus
// type, the layout, the screen, the digit keys (the order below) and the help derive from this.
import type { State } from '../../store/store.js';
import type { PaneModel } from './model.js';
import type { PaneDef } from './pane.js';
import { podsPane } from './pods.js';
import { deploymentsPane } from './deployments.js';
import { eventsPane } from './events.js';
import { alertsPane } from './alerts.js';
import { signalsPane } from './signals.js';
import { postgresPane } from './postgres.js';
import { redisPane } from './redis.js';
import { timelinePane } from './timeline.js';
import { nodesPane } from './nodes.js';

export const PANE_DEFS = [podsPane, deploymentsPane, eventsPane, alertsPane, signalsPane, postgresPane, redisPane, timelinePane, nodesPane] as const;

export type PaneId = (typeof PANE_DEFS)[number]['id'];

export const PANES: readonly PaneId[] = PANE_DEFS.map((p) => p.id);

const BY_ID = new Map<string, PaneDef>(PANE_DEFS.map((p) => [p.id, p]));

export function paneDef(id: PaneId): PaneDef<PaneId> {
  return BY_ID.get(id) as PaneDef<PaneId>;
}

export function paneTitle(id: PaneId): string {
  return paneDef(id).title;
}

/** `now` is the wall clock (object ages); `dataNow` the clock Prometheus data is stamped with (the drill's may run faster). */
export function paneModel(pane: PaneId, state: State, now: number, dataNow = now): PaneModel {
  return paneDef(pane).model(state, now, dataNow);
}
