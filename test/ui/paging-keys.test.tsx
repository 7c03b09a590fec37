// Pages in the Alerts pane beside Prometheus alerts, `a` acknowledging one from the keyboard
// against the PagerDuty simulator (through the real paging source), read-only refusing it, the
// escalation due in the header, the matrix in the help.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup } from 'ink-testing-library';
import { renderCockpit } from '../helpers/cockpit.js';
import { waitFor } from '../helpers/net.js';
import { configSchema } from '../../src/config/schema.js';
import { PagerDutyClient } from '../../src/paging/pagerduty.js';
import { PagingSource } from '../../src/paging/source.js';
import type { PagingServices } from '../../src/paging/services.js';
import { pagerDutySim, PD_TOKEN } from '../helpers/paging-sims.js';

const pd = pagerDutySim();
const config = () =>
  configSchema.parse({
    paging: {
      pagerduty: { token: PD_TOKEN, from: 'ada@example.com', apiUrl: 'http://127.0.0.1:1', serviceIds: ['PSVC1'], pollSeconds: 5 },
      escalation: [{ severity: 'P1', afterMinutes: 15, contact: 'engineering lead' }],
    },
  }).paging;

function mount(readOnly: boolean, escalation: () => string | null = () => null) {
  const client = new PagerDutyClient({ apiUrl: pd.url, eventsUrl: pd.url, token: PD_TOKEN, from: 'ada@example.com', serviceIds: ['PSVC1'], timeoutMs: 1000 });
  const c = renderCockpit({ cols: 160, rows: 40, meta: { readOnly } });
  const source = new PagingSource(config(), c.cockpit.publisher('paging'), { pagerduty: client, escalation });
  const services: PagingServices = { pagerduty: client, slack: null, config: config(), refresh: () => source.refresh() };
  c.runner.env.services.paging = services;
  c.cockpit.startClock(30);
  source.start();
  return { c, source };
}

const mounted: Array<ReturnType<typeof mount>> = [];
before(() => pd.start());
after(async () => {
  for (const m of mounted) {
    m.c.cockpit.stopClock();
    m.c.ui.unmount();
    await m.source.stop();
  }
  cleanup();
  await pd.stop();
});

const screen = (c: ReturnType<typeof renderCockpit>, re: RegExp, what: string) =>
  waitFor(() => re.test(c.frame()), { what, timeoutMs: 8000 }).catch((e) => assert.fail(`${(e as Error).message}\n${c.frame()}`));

test('the page shows in Alerts with its escalation level and who is on call; a acknowledges it', async () => {
  const inc = pd.page('PSVC1', 'checkout 5xx above 10%');
  const m = mount(false);
  mounted.push(m);
  const { c } = m;
  await c.press('4', 'z');
  await screen(c, /PAGE +high +PD #\d+ checkout 5xx above 10% \(checkout\) L1\/3/, 'the page row');
  assert.match(c.frame(), /assigned Ada Primary · Checkout on-call/);
  await c.press('a');
  await waitFor(() => pd.incidents.find((i) => i.id === inc.id)!.status === 'acknowledged', { what: 'acknowledged in PagerDuty' });
  await screen(c, /ACKED .*acked by Ada Primary/, 'the row says who acknowledged');
  assert.ok(
    c.journal.some((e) => e.kind === 'action.succeeded' && /acknowledged PagerDuty #\d+/.test(e.summary)),
    'journaled',
  );
  // x on a page is not a silence: it says so instead of failing.
  await c.press('x');
  await screen(c, /Select a Prometheus alert to silence it|Alertmanager is not configured/, 'the silence refusal');
});

test('read-only: a is refused on screen, PagerDuty is not touched', async () => {
  const inc = pd.page('PSVC1', 'read-only page');
  const m = mount(true);
  mounted.push(m);
  const { c } = m;
  await c.press('4');
  await screen(c, /read-only page/, 'the page row');
  const writes = pd.requests.filter((r) => r.method !== 'GET').length;
  await c.press('a');
  await screen(c, /Read-only mode: Acknowledge page is disabled/, 'the refusal');
  assert.equal(pd.incidents.find((i) => i.id === inc.id)!.status, 'triggered');
  assert.equal(pd.requests.filter((r) => r.method !== 'GET').length, writes);
  assert.equal(c.journal.length, 0);
});

test('the header says when an escalation is due; the help lists the matrix', async () => {
  const m = mount(false, () => 'P1 for 15 min: escalate to engineering lead');
  mounted.push(m);
  const { c } = m;
  c.set((s) => ({
    incident: {
      ...s.incident,
      current: {
        id: 'i-1',
        title: 'Checkout down',
        severity: 'P1',
        status: 'investigating',
        declaredAt: Date.now() - 16 * 60_000,
        commander: null,
        comms: null,
        lastUpdateAt: null,
      },
    },
  }));
  m.source.evaluate();
  await screen(c, /P1 for 15 min: escalate to engineering lead/, 'the header');
  await c.press('?');
  await screen(c, /Escalation matrix/, 'the help');
  assert.match(c.frame(), /P1 after 15 min: engineering lead/);
});
