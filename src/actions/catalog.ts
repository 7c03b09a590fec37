// Every action, registered with the runner at start whatever is configured: an action whose
// service is missing answers "… is not configured" (ActionDef.requires), so keys, footer and help
// are the same on every screen. Only client-free modules here: this loads before the first frame.
import type { AnyActionDef } from './types.js';
import { kubeActions } from './kube.js';
import { silenceAction } from './silence.js';
import { postgresActions } from './postgres.js';
import { incidentActions } from './incident.js';
import { pagingActions } from './paging.js';
import { handoffActions } from './handoff.js';

export const ACTIONS: readonly AnyActionDef[] = [...kubeActions, ...handoffActions, silenceAction, ...postgresActions, ...incidentActions, ...pagingActions];
