import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { appendJsonl, defaultStateDir, findOpenIncident, incidentJournalPath, listIncidents, makeIncidentId, readJournal, redactSecrets } from '../../src/incident/journal.js';
import { IncidentEngine } from '../../src/incident/incident.js';
import { configSchema, defaultConfig } from '../../src/config/schema.js';
import { createCockpit, initialState, type State } from '../../src/store/store.js';
import type { TimelineEntry } from '../../src/incident/types.js';
import { tempDir } from '../helpers/net.js';

const T0 = Date.UTC(2026, 10, 25, 16, 42, 7);

function entry(n: number): TimelineEntry {
  return { id: `e${n}`, incidentId: 'x', at: T0 + n, kind: 'note', actor: 'ana', source: 'warroom', summary: `note ${n}` };
}

test('state dir follows XDG_STATE_HOME, else ~/.local/state', () => {
  assert.equal(defaultStateDir({ XDG_STATE_HOME: '/s' }), '/s/warroom');
  assert.match(defaultStateDir({}), /\.local\/state\/warroom$/);
});

test('incident ids are UTC date, time and a slug of the title, unique in the state dir', () => {
  const dir = tempDir();
  assert.equal(makeIncidentId('API errors!', T0), '2026-11-25-1642-api-errors');
  assert.equal(makeIncidentId('  Café — checkout down  ', T0), '2026-11-25-1642-cafe-checkout-down');
  appendJsonl(incidentJournalPath(dir, '2026-11-25-1642-api-errors'), entry(1));
  assert.equal(makeIncidentId('API errors', T0, dir), '2026-11-25-1642-api-errors-2');
});

test('a torn last line is skipped and reported, and the next append is not corrupted by it', () => {
  const dir = tempDir();
  const file = path.join(dir, 'j.jsonl');
  for (let i = 1; i <= 41; i++) appendJsonl(file, entry(i));
  const torn = JSON.stringify(entry(42)).slice(0, 73);
  fs.appendFileSync(file, torn); // power loss mid-write: no newline
  let r = readJournal(file);
  assert.equal(r.entries.length, 41);
  assert.deepEqual(r.problems, ['j.jsonl: line 42 is incomplete (power loss?): 73 bytes ignored']);

  appendJsonl(file, entry(43));
  r = readJournal(file);
  assert.deepEqual(r.entries.map((e) => e.id).slice(-2), ['e41', 'e43']);
  assert.equal(r.problems.length, 1);
  assert.match(r.problems[0]!, /line 42 is corrupt .*: 73 bytes ignored/);
});

test('a corrupt middle line is reported too', () => {
  const dir = tempDir();
  const file = path.join(dir, 'j.jsonl');
  fs.writeFileSync(file, `${JSON.stringify(entry(1))}\n{"id":"e2", garbage\n${JSON.stringify(entry(3))}\n{"not":"an entry"}\n`);
  const r = readJournal(file);
  assert.deepEqual(
    r.entries.map((e) => e.id),
    ['e1', 'e3'],
  );
  assert.equal(r.problems.length, 2);
  assert.match(r.problems[0]!, /line 2 is corrupt/);
  assert.match(r.problems[1]!, /line 4 skipped: id is missing/);
});

test('redactSecrets removes secrets, their URL-encoded form and URL credentials', () => {
  const hook = 'https://hooks.slack.com/services/T000/B000/XXXXsecret';
  assert.equal(redactSecrets(`posting to ${hook} failed`, [hook]), 'posting to *** failed');
  assert.equal(redactSecrets('key p@ss/word and p%40ss%2Fword', ['p@ss/word']), 'key *** and ***');
  assert.equal(redactSecrets('postgres://app:hunter2@db:5432/app down', []), 'postgres://***@db:5432/app down');
});

test('the engine resumes the open incident after a restart, and not a resolved one', () => {
  const dir = tempDir();
  let t = T0;
  const now = () => t;
  const config = defaultConfig();
  const a = new IncidentEngine({ stateDir: dir, config, now, secrets: ['s3cr3t-token'] });
  const info = a.declare({ title: 'API errors', severity: 'P1', commander: 'ana', actor: 'ana' });
  assert.equal(info.id, '2026-11-25-1642-api-errors');
  t += 60_000;
  a.setStatus('identified', 'ana');
  a.assignRole('comms', 'bo', 'ana');
  a.note('token s3cr3t-token leaked in logs?', 'bo');
  t += 60_000;
  a.setSeverity('P0', 'ana', 'checkout down');

  // "Restart": a new engine over the same state dir.
  const b = new IncidentEngine({ stateDir: dir, config, now });
  assert.deepEqual(b.current, { ...info, status: 'identified', severity: 'P0', comms: 'bo' });
  assert.equal(b.slice().timeline.length, 5);
  assert.equal(findOpenIncident(dir)?.id, info.id);
  const raw = fs.readFileSync(incidentJournalPath(dir, info.id), 'utf8');
  assert.ok(!raw.includes('s3cr3t-token'), 'secret written to the journal');
  assert.ok(raw.includes('token *** leaked'));

  b.setStatus('resolved', 'ana');
  assert.equal(b.current, null);
  assert.equal(findOpenIncident(dir), null);
  assert.deepEqual(
    listIncidents(dir).map((i) => [i.id, i.status]),
    [[info.id, 'resolved']],
  );
  const c = new IncidentEngine({ stateDir: dir, config, now });
  assert.equal(c.current, null);
  // With no incident open, actions still go somewhere: the session journal.
  c.record({ kind: 'action.succeeded', actor: 'ana', source: 'kube', summary: 'restarted api' });
  const session = readJournal(path.join(dir, 'sessions', '2026-11-25.jsonl'));
  assert.deepEqual(
    session.entries.map((e) => e.summary),
    ['restarted api'],
  );
  assert.equal(session.entries[0]!.incidentId, 'session-2026-11-25');
});

test('the engine journals alert transitions, debounces suggestions, and keeps the store slice and update cadence current', () => {
  const dir = tempDir();
  let t = T0;
  const config = configSchema.parse({ prometheus: { url: 'http://p:9090', services: [{ name: 'api' }] } });
  const cockpit = createCockpit();
  const engine = new IncidentEngine({ stateDir: dir, config, now: () => t, stage: cockpit.stageIncident, debounceMs: 30_000 });
  const withSignals = (errorRate: number, firing: boolean): State => {
    const s = initialState();
    s.prom = {
      status: 'ok',
      updatedAt: t,
      error: null,
      data: {
        alertmanager: false,
        services: [{ name: 'api', errorRate, p95Seconds: 0.2, requestRate: 1, requestRateHourAgo: 1, errorRateSeries: [], latencySeries: [], problems: [], updatedAt: t }],
        alerts: firing
          ? [
              {
                fingerprint: 'fp1',
                name: 'HighErrorRate',
                state: 'firing',
                severity: 'critical',
                labels: { service: 'api' },
                summary: '5xx above 10%',
                description: null,
                runbookUrl: null,
                activeAt: t - 120_000,
                firstSeenAt: t,
                resolvedAt: null,
                silenced: false,
                inhibited: false,
                silenceEndsAt: null,
              },
            ]
          : [],
      },
    };
    return s;
  };

  engine.observe(withSignals(0.2, true));
  cockpit.flush();
  let slice = cockpit.store.getState().incident;
  assert.equal(slice.suggestion.rule, '5xx 20.0% > 10% → P1');
  assert.deepEqual(
    slice.timeline.map((e) => e.kind),
    ['alert.fired'],
  ); // session journal, no incident yet

  const info = engine.declare({ title: 'API errors', severity: 'P1', actor: 'ana' });
  // the alert already firing is carried into the incident, at its activeAt (detection time)
  assert.deepEqual(
    engine.slice().timeline.map((e) => [e.kind, e.at]),
    [
      ['alert.fired', T0 - 120_000],
      ['incident.declared', T0],
    ],
  );
  cockpit.flush();
  slice = cockpit.store.getState().incident;
  assert.equal(slice.current?.id, info.id);
  assert.equal(slice.nextUpdateDueAt, T0 + 30 * 60_000);

  // Flapping between P1 and P0 for less than the debounce: nothing journaled but the first stable one.
  t += 10_000;
  engine.observe(withSignals(0.6, true));
  t += 10_000;
  engine.observe(withSignals(0.2, true));
  t += 10_000;
  engine.observe(withSignals(0.6, true));
  t += 20_000;
  engine.observe(withSignals(0.6, true));
  t += 15_000;
  engine.observe(withSignals(0.6, true)); // P0 held for 35 s
  const kinds = () => engine.slice().timeline.map((e) => e.kind);
  const suggested = engine.slice().timeline.filter((e) => e.kind === 'severity.suggested');
  assert.deepEqual(
    suggested.map((e) => e.summary),
    ['Suggested severity P0: 5xx 60.0% > 50% → P0'],
  );

  t += 1_000;
  engine.observe(withSignals(0.01, false));
  assert.equal(kinds().filter((k) => k === 'alert.resolved').length, 1);

  // A posted update moves the next-update deadline: P0 is every 15 minutes.
  engine.setSeverity('P0', 'ana');
  const postedAt = t;
  engine.postUpdate(
    {
      id: 'u1',
      incidentId: info.id,
      audience: 'internal',
      status: 'investigating',
      severity: 'P0',
      at: t,
      fields: { whatWeKnow: '', currentActions: '', impact: '', nextUpdate: '' },
      slack: { text: 'x', blocks: [] },
      statuspage: { name: 'API errors', status: 'investigating', body: 'x', componentStatus: 'major_outage' },
    },
    'ana',
  );
  assert.equal(engine.slice().nextUpdateDueAt, postedAt + 15 * 60_000);
  cockpit.flush();
  assert.equal(cockpit.store.getState().incident.nextUpdateDueAt, postedAt + 15 * 60_000);
});

test("an update's impact keeps the worst figures since the declaration after the signals recover", () => {
  let t = Date.UTC(2026, 10, 25, 17, 20, 0);
  const config = configSchema.parse({ prometheus: { url: 'http://p:9090', services: [{ name: 'api' }] } });
  const engine = new IncidentEngine({ stateDir: tempDir(), config, now: () => t });
  const at = (errorRate: number): State => {
    const s = initialState();
    s.prom = {
      status: 'ok',
      updatedAt: t,
      error: null,
      data: {
        ...s.prom.data,
        services: [{ name: 'api', errorRate, p95Seconds: 0.2, requestRate: 1, requestRateHourAgo: 1, errorRateSeries: [], latencySeries: [], problems: [], updatedAt: t }],
      },
    };
    return s;
  };
  engine.observe(at(0.9)); // before the declaration: not this incident's peak
  engine.declare({ title: 'api errors', severity: 'P1', actor: 'ana' });
  t += 60_000;
  engine.observe(at(0.444)); // 17:21
  t += 60_000;
  engine.observe(at(0.2));
  t += 5 * 60_000;
  engine.observe(at(0.004));
  assert.match(engine.prefill().impact, /^api: 5xx 0\.4% \(peak 44\.4% at 17:21 UTC\), p95 0\.20s$/m);
});
