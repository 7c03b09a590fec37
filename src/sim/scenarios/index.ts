// The scenario registry.
import type { Scenario, ScenarioInfo } from './types.js';
import { badDeploy } from './bad-deploy.js';
import { dbPoolExhaustion } from './db-pool-exhaustion.js';
import { memoryLeak } from './memory-leak.js';
import { redisOutage } from './redis-outage.js';
import { latencySpike } from './latency-spike.js';

export type { Scenario, ScenarioInfo } from './types.js';

export const SCENARIOS: readonly Scenario[] = [badDeploy, dbPoolExhaustion, memoryLeak, redisOutage, latencySpike];

export const DEFAULT_SCENARIO = 'bad-deploy';

export function scenarioInfo(s: Scenario): ScenarioInfo {
  return { name: s.name, title: s.title, description: s.description, cure: s.cure };
}

/** The scenario by name; an unknown name is an Error that lists the valid ones. */
export function getScenario(name: string): Scenario {
  const s = SCENARIOS.find((x) => x.name === name);
  if (!s) throw new Error(`unknown scenario "${name}"; valid scenarios: ${SCENARIOS.map((x) => x.name).join(', ')}`);
  return s;
}
