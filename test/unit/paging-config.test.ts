// The paging: block: what it refuses (with the field named), and its tokens masked when printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { configSchema } from '../../src/config/schema.js';
import { loadConfig, maskedConfig } from '../../src/config/load.js';

const issues = (v: unknown) => {
  const r = configSchema.safeParse(v);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

test('paging: a target the matrix names must exist; Slack ids are ids; from is an e-mail', () => {
  assert.deepEqual(issues({ paging: { escalation: [{ severity: 'P1', afterMinutes: 15, contact: 'lead', target: 'Leads' }] } }), [
    'paging.escalation.0.target: no paging.pagerduty.escalationTargets entry is named "Leads"',
  ]);
  assert.match(issues({ paging: { slack: { botToken: 'x', responders: ['@ada'] } } })[0]!, /paging.slack.responders.0: expected a Slack user id such as U0123ABCD/);
  assert.match(issues({ paging: { slack: { botToken: 'x', announceChannel: '#incidents' } } })[0]!, /expected a Slack channel id/);
  assert.match(issues({ paging: { pagerduty: { token: 't', from: 'ada' } } })[0]!, /paging.pagerduty.from: expected the e-mail address of a PagerDuty user/);
  assert.match(issues({ paging: { pagerduty: { token: 't', from: 'a@b.c', pollSeconds: 1 } } })[0]!, /pollSeconds: expected a number from 5 to 3600 seconds/);
  assert.deepEqual(
    issues({
      paging: {
        pagerduty: { token: 't', from: 'a@b.c', escalationTargets: [{ name: 'Leads', routingKey: 'k' }] },
        escalation: [{ severity: 'P1', afterMinutes: 15, contact: 'lead', target: 'Leads' }],
      },
    }),
    [],
  );
  assert.deepEqual(issues({ paging: { pagerduty: { token: 't', from: 'a@b.c', escalationTargets: [{ name: 'Leads', serviceId: 'P1', escalationPolicyId: 'P2' }] } } }), []);
  assert.match(
    issues({ paging: { pagerduty: { token: 't', from: 'a@b.c', escalationTargets: [{ name: 'Leads', serviceId: 'P1' }] } } })[0]!,
    /expected \{name, routingKey\} \(Events v2\) or \{name, serviceId, escalationPolicyId\} \(REST\)/,
  );
});

test('paging tokens and routing keys are masked by --print-config, wherever they came from', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warroom-paging-cfg-'));
  const file = path.join(dir, 'warroom.yaml');
  fs.writeFileSync(
    file,
    'paging:\n  pagerduty:\n    token: pd-literal-token\n    from: a@b.c\n    escalationTargets: [{ name: Leads, routingKey: rk-literal-key }]\n  slack:\n    botToken: ${SLACK_BOT}\n',
  );
  const loaded = loadConfig({ cwd: dir, configFile: file, env: { SLACK_BOT: 'xoxb-from-env' } });
  const text = JSON.stringify(maskedConfig(loaded));
  for (const s of ['pd-literal-token', 'rk-literal-key', 'xoxb-from-env']) assert.ok(!text.includes(s), `${s} shown`);
  assert.equal(loaded.config.paging.slack?.botToken, 'xoxb-from-env');
});
