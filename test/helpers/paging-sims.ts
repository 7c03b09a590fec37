// The PagerDuty and Slack simulators with a small world: one service on a two-level escalation
// policy, three users, a #incidents channel.
import { PagerDutySim } from '../../src/sim/pagerduty/server.js';
import { SlackSim } from '../../src/sim/slack/server.js';

export const PD_TOKEN = 'pd-token-u+5ecret';
export const SLACK_TOKEN = 'xoxb-test-5ecret-token';
export const ROUTING_KEY = 'R0UTINGKEY0000000000000000000001';

export function pagerDutySim(): PagerDutySim {
  return new PagerDutySim({
    token: PD_TOKEN,
    users: [
      { id: 'PU1', name: 'Ada Primary', email: 'ada@example.com' },
      { id: 'PU2', name: 'Bob Secondary', email: 'bob@example.com' },
      { id: 'PU3', name: 'Eve Manager', email: 'eve@example.com' },
    ],
    policies: [
      { id: 'PEP1', name: 'Checkout on-call', levels: [['PU1'], ['PU2'], ['PU3']] },
      { id: 'PEP2', name: 'Engineering leads', levels: [['PU3']] },
    ],
    services: [
      { id: 'PSVC1', name: 'checkout', policyId: 'PEP1', routingKey: ROUTING_KEY },
      { id: 'PSVC2', name: 'other team', policyId: 'PEP2', routingKey: 'R0UTINGKEY0000000000000000000002' },
    ],
  });
}

export function slackSim(opts: { postsPerSecond?: number; burst?: number } = {}): SlackSim {
  return new SlackSim({
    token: SLACK_TOKEN,
    users: [
      { id: 'UADA', name: 'ada' },
      { id: 'UBOB', name: 'bob' },
    ],
    channels: [{ id: 'CINCIDENTS', name: 'incidents' }],
    ...opts,
  });
}
