import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { IncidentEngine } from '../../src/incident/incident.js';
import { dryRunSink } from '../../src/incident/sinks.js';
import { composeUpdate } from '../../src/incident/templates.js';
import { writePostmortem, PostmortemError, formatDuration } from '../../src/incident/postmortem.js';
import { configSchema } from '../../src/config/schema.js';
import { initialState, type State } from '../../src/store/store.js';
import { tempDir } from '../helpers/net.js';

const T0 = Date.UTC(2026, 10, 25, 16, 42, 0);
/** The text of a `## Name` section. */
const section = (md: string, name: string) => md.split(`## ${name}\n`)[1]?.split('\n## ')[0] ?? '';
const MIN = 60_000;

function alertState(firing: boolean, at: number): State {
  const s = initialState();
  s.prom = {
    status: 'ok',
    updatedAt: at,
    error: null,
    data: {
      alertmanager: true,
      services: [],
      alerts: firing
        ? [
            {
              fingerprint: 'fp9',
              name: 'HighErrorRate',
              state: 'firing',
              severity: 'critical',
              labels: { service: 'api' },
              summary: '5xx > 10%',
              description: null,
              runbookUrl: null,
              activeAt: at,
              firstSeenAt: at,
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
}

async function scriptedIncident(stateDir: string): Promise<string> {
  let t = T0 - 3 * MIN;
  const config = configSchema.parse({ prometheus: { url: 'http://p:9090' } });
  const engine = new IncidentEngine({
    stateDir,
    config,
    now: () => t,
    secrets: ['tok-SECRET-42'],
    sinks: [dryRunSink(path.join(stateDir, 'dry.jsonl'))],
    outboxOptions: { minIntervalMs: 0 },
  });
  engine.start();
  engine.observe(alertState(true, t)); // 16:39 detected
  t = T0;
  const info = engine.declare({ title: 'API errors', severity: 'P1', commander: 'ana', actor: 'ana' });
  t += 2 * MIN;
  engine.setStatus('identified', 'ana', 'bad deploy of api 1.4.2');
  engine.record({ kind: 'action.started', actor: 'ana', source: 'kube', summary: 'Rollback deployment shop/api', refs: { object: 'deployment/shop/api' } });
  t += 1 * MIN;
  engine.record({
    kind: 'action.succeeded',
    actor: 'ana',
    source: 'kube',
    summary: 'Rolled back deployment shop/api',
    refs: { object: 'deployment/shop/api', before: { revision: 7, images: ['api:1.4.2'] }, after: { revision: 8, images: ['api:1.4.1'] } },
  });
  t += 2 * MIN;
  engine.setSeverity('P0', 'ana', 'api: 0/3 pods ready → P0');
  engine.note('checkout sees error | timeout; token tok-SECRET-42 in the log', 'bo');
  const u = composeUpdate(engine.current!, engine.prefill(), { audience: 'internal', now: t });
  engine.postUpdate(u, 'bo');
  await engine.outbox!.idle();
  t += 7 * MIN; // 16:54
  // Opening the channel is communications: neither an action taken nor what mitigated it.
  engine.record({ kind: 'action.succeeded', actor: 'bo', source: 'slack', summary: 'Opened the incident channel #incident-api-errors', refs: { action: 'paging.channel' } });
  engine.setStatus('monitoring', 'ana');
  engine.observe(alertState(false, t));
  t += 8 * MIN; // 17:02
  engine.setStatus('resolved', 'ana');
  await engine.close();
  return info.id;
}

test('a scripted incident becomes a post-mortem with its real durations, actions, timeline and no secrets', async () => {
  const stateDir = tempDir();
  const out = tempDir();
  const id = await scriptedIncident(stateDir);
  const res = writePostmortem(stateDir, undefined, undefined, {
    cwd: out,
    impact: {
      peakErrorRate: 0.453,
      peakP95Seconds: 6.2,
      services: [
        { service: 'checkout', peakErrorRate: 0.004, peakP95Seconds: 0.35 },
        { service: 'api', peakErrorRate: 0.453, peakP95Seconds: 6.2 },
      ],
      requestsFailed: 15750,
    },
  });
  assert.equal(res.incidentId, id);
  assert.equal(res.markdownPath, path.join(stateDir, 'postmortems', `${id}.md`), 'written next to the journal, not into the current directory');
  assert.deepEqual(fs.readdirSync(out), []);
  const md = fs.readFileSync(res.markdownPath, 'utf8');
  const json = JSON.parse(fs.readFileSync(res.jsonPath, 'utf8'));

  assert.match(md, /^# Post-mortem: API errors$/m);
  assert.match(md, /Time to declare: 3m\. Time to mitigate: 6m\. Time to resolve: 23m\./);
  assert.match(md, /\| Detected \| 2026-11-25 16:39:00 UTC \| 0s \|/);
  assert.match(md, /\| Resolved \| 2026-11-25 17:02:00 UTC \| 23m \|/);
  // Mitigated is the rollback the signals recovered after (the alert resolved at 16:54), not the Monitoring key press.
  assert.match(md, /\| Mitigated \| 2026-11-25 16:45:00 UTC \| 6m \|/);
  assert.doesNotMatch(section(md, 'Actions taken'), /incident channel/);
  assert.match(section(md, 'Communications'), /Opened the incident channel #incident-api-errors/);
  assert.match(md, /\*\*mitigated\*\* is the last successful action before the signals recovered.*\(here: the action "Rolled back deployment shop\/api"\)/);
  assert.match(md, /## What changed\n\n- No deployment was rolled out in the 2 hours before detection\./);
  assert.match(md, /## Changes made by others\n\n- None seen\./);
  assert.match(md, /- Peak: \*\*P0\*\* \(when set: api: 0\/3 pods ready → P0\)/);
  assert.match(md, /- Final: \*\*P0\*\*/);
  // Each peak names its service, with the others beside it (a baseline p95 is not read as the incident's).
  assert.match(md, /- Peak error rate: 45\.3% \(api; checkout 0\.4%\)$/m);
  assert.match(md, /- Peak p95 latency: 6\.20s \(api; checkout 0\.35s\)$/m);
  assert.match(md, /- Requests failed \(estimate\): 15,750/);
  assert.match(md, /\| Time UTC \| Event \| Actor \| Source \| Details \|/);
  assert.match(md, /\| 2026-11-25 16:39:00 \| HighErrorRate \(api\) firing: 5xx > 10% \(before the declaration\) \| prometheus \| prometheus \|/);
  assert.match(md, /\| 2026-11-25 16:45:00 \| Rolled back deployment shop\/api \| ana \| kube \| deployment\/shop\/api; rev 7 api:1\.4\.2 → rev 8 api:1\.4\.1 \|/);
  assert.match(md, /checkout sees error \\\| timeout/, 'pipes escaped in table cells');
  assert.match(md, /Rolled back deployment shop\/api \[succeeded, ana\] \(before: rev 7 api:1\.4\.2; after: rev 8 api:1\.4\.1\)/);
  assert.match(
    md,
    /## Communications\n\n- 2026-11-25 16:47:00 UTC — Status update \(identified\) queued for dry-run\n(  >.*\n)+- 2026-11-25 16:47:00 UTC — Update delivered to dry-run \(dry-run: delivered\)/,
  );
  assert.match(md, /## Root cause\n\n_To be written._/);
  assert.match(md, /## Contributing factors/);
  assert.match(md, /## Action items\n\n\| Action \| Owner \| Due date \| Status \|/);
  assert.match(md, /\| 2026-11-25 16:54:00 \| Status identified → monitoring \| ana \|/);
  assert.match(md, /\| 2026-11-25 16:54:00 \| HighErrorRate \(api\) resolved \|/);
  assert.ok(!md.includes('tok-SECRET-42') && !JSON.stringify(json).includes('tok-SECRET-42'), 'secret leaked into the post-mortem');

  assert.deepEqual(json.durations, { toDeclareMs: 3 * MIN, toMitigateMs: 6 * MIN, toResolveMs: 23 * MIN });
  assert.equal(json.times.recovered, T0 + 12 * MIN, 'recovered when the alert resolved');
  assert.deepEqual(json.severity, { peak: 'P0', final: 'P0', rule: 'api: 0/3 pods ready → P0' });
  assert.equal(json.actions.length, 2);

  // --out FILE writes FILE and its .json sibling
  const custom = writePostmortem(stateDir, id, 'reports/pm.md', { cwd: out });
  assert.deepEqual([custom.markdownPath, custom.jsonPath], [path.join(out, 'reports/pm.md'), path.join(out, 'reports/pm.json')]);
});

test('clear errors: no incidents, unknown incident lists the known ones', async () => {
  const empty = tempDir();
  assert.throws(
    () => writePostmortem(empty),
    (e: unknown) => e instanceof PostmortemError && /no incidents recorded in .*incidents/.test((e as Error).message),
  );
  const stateDir = tempDir();
  const id = await scriptedIncident(stateDir);
  assert.throws(() => writePostmortem(stateDir, 'nope', undefined, { cwd: tempDir() }), new RegExp(`unknown incident nope; known incidents: ${id}`));
});

test('durations format', () => {
  assert.deepEqual([formatDuration(0), formatDuration(95_000), formatDuration(3 * MIN), formatDuration(125 * MIN), formatDuration(null)], ['0s', '1m 35s', '3m', '2h 5m', '—']);
});
