// A whole incident, end to end, headless: the bad-deploy drill runs against the simulators, the
// cockpit's pieces are wired as src/runtime.ts wires them (store, IncidentEngine observing every
// flush, ActionRunner, the real sources on the drill's data clock), a person declares, notes,
// posts an update and rolls back through the runner; then the post-mortem built from the journal
// must tell what really happened: the times in order, the actions with their revisions, the
// communications, the impact, and no secret.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startDrill, type DrillEnv } from '../../src/sim/drill.js';
import { getScenario } from '../../src/sim/scenarios/index.js';
import { configSchema, type Config } from '../../src/config/schema.js';
import { createCockpit, initialState, type Cockpit } from '../../src/store/store.js';
import { IncidentEngine } from '../../src/incident/incident.js';
import { sinksFromConfig } from '../../src/incident/sinks.js';
import { ActionRunner } from '../../src/actions/runner.js';
import { ACTIONS } from '../../src/actions/catalog.js';
import type { ActionEnv, Interaction } from '../../src/actions/types.js';
import { startSources } from '../../src/sources/start.js';
import type { Source } from '../../src/sources/types.js';
import { PromClient } from '../../src/sources/prometheus/client.js';
import { fetchImpact } from '../../src/incident/impact.js';
import { formatDuration, writePostmortem, type PostmortemJson } from '../../src/incident/postmortem.js';
import { tempDir, waitFor } from '../helpers/net.js';
import { kubectl } from '../helpers/kubectl.js';

const SPEED = 40;
const REVISION = 'deployment.kubernetes.io/revision';
const TITLE = 'api 5xx after deploy';
const NOTE = 'api 2.4.1 pods crash-loop with TypeError in PriceService.quote; rolling back';

let env: DrillEnv | null = null;
let cockpit: Cockpit | null = null;
let engine: IncidentEngine | null = null;
const sources: Source[] = [];
const work = tempDir('warroom-drill-pm-');

after(async () => {
  cockpit?.stopClock();
  await Promise.allSettled(sources.map((s) => s.stop()));
  await engine?.close();
  await env?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

type Alert = ReturnType<Cockpit['store']['getState']>['prom']['data']['alerts'][number];

function apiErrorAlert(c: Cockpit): Alert | undefined {
  return c.store.getState().prom.data.alerts.find((a) => a.name === 'HighErrorRate' && a.labels.service === 'api');
}

function apiErrorRate(c: Cockpit): number | null {
  return c.store.getState().prom.data.services.find((s) => s.name === 'api')?.errorRate ?? null;
}

function revisionIn(e: DrillEnv, ns: string, name: string): number {
  const d = e.kube.getDeployment(ns, name);
  const v = Number.parseInt(String(d?.metadata?.annotations?.[REVISION] ?? ''), 10);
  assert.ok(Number.isFinite(v), `deployment ${ns}/${name} has a ${REVISION} annotation`);
  return v;
}

/** The revision number in a post-mortem before/after value (a number or {revision, …}). */
function revisionOfRef(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (v && typeof v === 'object' && typeof (v as { revision?: unknown }).revision === 'number') return (v as { revision: number }).revision;
  return null;
}

/** The lines of a `## Heading` section of the Markdown, up to the next heading. */
function section(md: string, heading: string): string[] {
  const lines = md.split('\n');
  const start = lines.indexOf(`## ${heading}`);
  assert.ok(start >= 0, `the post-mortem has a "## ${heading}" section`);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((l) => l.startsWith('## '));
  return (end < 0 ? rest : rest.slice(0, end)).filter((l) => l.trim() !== '');
}

test('the post-mortem of a bad-deploy drill holds its real timeline, durations, actions and impact, and no secret', { timeout: 90_000 }, async () => {
  const stateDir = path.join(work, 'state');
  fs.mkdirSync(stateDir, { recursive: true });
  const wallStart = Date.now();
  env = await startDrill({ scenario: 'bad-deploy', speed: SPEED, seed: 7, dir: path.join(work, 'drill'), postgres: false, redis: false });
  const drill = env;
  const simStart = drill.kube.now();
  assert.deepEqual(drill.warnings, [], `the drill started with warnings: ${drill.warnings.join('; ')}`);
  assert.ok(drill.secrets.length >= 2, 'the drill reports its secrets (the kube tokens at least)');
  const ns = getScenario('bad-deploy').namespace;

  // As `warroom drill` does: the simulators' config, with the person's ui choices (a faster refresh here).
  const config: Config = configSchema.parse({ ...drill.config, ui: { refreshSeconds: 1 } });

  // Wired as src/runtime.ts wires the cockpit, without Ink.
  const c = createCockpit(initialState({ drill: true, scenario: 'bad-deploy' }));
  cockpit = c;
  const sinks = sinksFromConfig(config.sinks, { stateDir, forceDryRun: true });
  const eng = new IncidentEngine({ stateDir, config, stage: c.stageIncident, sinks });
  engine = eng;
  eng.start();
  c.onFlush((s) => eng.observe(s));
  c.startClock(20);

  const confirmations: string[][] = [];
  const ui: Interaction = {
    prompt: async (_title, fields) => Object.fromEntries(fields.map((f) => [f.name, f.initial])),
    confirm: async (req) => {
      confirmations.push(req.lines);
      return true;
    },
    notify: () => {},
  };
  const actionEnv: ActionEnv = { context: null, readOnly: config.readOnly, drill: true, recorder: eng, services: { incident: eng } };
  const runner = new ActionRunner(actionEnv, ui, { productionContexts: config.productionContexts });
  runner.register(...ACTIONS);
  const logged: string[] = [];
  const started = await startSources({
    config,
    cockpit: c,
    log: (m) => logged.push(m),
    notify: () => {},
    now: () => drill.kube.now(),
    onContext: (ctx) => (actionEnv.context = ctx),
  });
  sources.push(...started.sources);
  Object.assign(actionEnv.services, started.services);

  // Detection: HighErrorRate on api reaches the store (and so the engine's observe).
  const firing = await waitFor(
    () => {
      const a = apiErrorAlert(c);
      return a?.state === 'firing' ? a : null;
    },
    { timeoutMs: 30_000, intervalMs: 100, what: `HighErrorRate on api firing in the store (source log: ${logged.join(' | ')})` },
  );
  const firstSeenFiringWall = Date.now();
  assert.equal(actionEnv.context, 'warroom-drill', 'the kube source reported the drill context');

  // The response, as the people in the war room would run it: they watch the 5xx climb, declare,
  // and roll back once the cause is clear (each wait is what a person would see on screen).
  await waitFor(() => (apiErrorRate(c) ?? 0) >= 0.15, { timeoutMs: 20_000, intervalMs: 100, what: 'api 5xx ratio ≥ 15% in the store' });
  const declaredWall = Date.now();
  const info = eng.declare({ title: TITLE, severity: 'P1', commander: 'alice', comms: 'bob', actor: 'alice' });
  eng.note(NOTE, 'alice');
  const deliveries = eng.postUpdatePair(eng.prefill(), 'bob');
  assert.equal(deliveries.length, 2, 'two deliveries: the internal and the public dry-run sinks');
  await waitFor(() => eng.slice().outbox.find((o) => o.state === 'delivered'), { timeoutMs: 10_000, what: 'the update delivered to the dry-run sink' });
  await waitFor(() => (apiErrorRate(c) ?? 0) >= 0.3, { timeoutMs: 20_000, intervalMs: 100, what: 'api 5xx ratio ≥ 30% in the store' });
  eng.setStatus('identified', 'alice', 'api 2.4.1 crash-loops');
  // Someone else, outside this cockpit, restarts checkout with kubectl.
  const restart = await kubectl(['rollout', 'restart', 'deploy/checkout', '-n', ns], { kubeconfig: drill.kubeconfigPath, timeoutMs: 30_000 });
  assert.equal(restart.code, 0, `kubectl rollout restart: ${restart.stderr}`);
  const external = await waitFor(() => eng.slice().timeline.find((e) => e.kind === 'change.external' && (e.refs as { deployment?: string })?.deployment === 'checkout'), {
    timeoutMs: 15_000,
    intervalMs: 100,
    what: 'the outside restart of checkout journaled as an external change',
  });
  assert.match(external.summary, /^External change: shop\/checkout .*restarted \(restartedAt /);

  const revisionBefore = revisionIn(drill, ns, 'api');
  const result = await runner.invoke('kube.rollback', { name: 'api', namespace: ns });
  assert.ok(result.ok, `the rollback succeeded: ${result.ok ? '' : result.message}`);
  const revisionAfter = revisionIn(drill, ns, 'api');
  assert.ok(revisionAfter > revisionBefore, `a rollback makes a new revision (${revisionBefore} → ${revisionAfter})`);
  assert.equal(result.outcome.refs?.revisionBefore, revisionBefore, 'outcome revisionBefore is what the cluster held');
  assert.equal(result.outcome.refs?.revisionAfter, revisionAfter, 'outcome revisionAfter is what the cluster holds');
  assert.equal(confirmations.length, 1, 'the rollback was confirmed once');
  assert.match(confirmations[0]!.join('\n'), new RegExp(`Roll back deployment api from revision ${revisionBefore} to revision \\d+`));
  const monitoringWall = Date.now();
  eng.setStatus('monitoring', 'alice');

  await waitFor(
    () => {
      const a = apiErrorAlert(c);
      return !a || a.state === 'resolved';
    },
    { timeoutMs: 40_000, intervalMs: 100, what: 'HighErrorRate on api resolved in the store' },
  );
  await waitFor(() => eng.slice().timeline.some((e) => e.kind === 'alert.resolved' && (e.refs as { fingerprint?: string })?.fingerprint === firing.fingerprint), {
    timeoutMs: 5_000,
    what: 'alert.resolved journaled by observe',
  });
  const resolvedWall = Date.now();
  eng.setStatus('resolved', 'alice');
  assert.equal(eng.current, null, 'resolving closes the incident');
  assert.ok(resolvedWall - wallStart < 60_000, 'the drill incident ran in under a minute');

  // The post-mortem, with impact from the drill's Prometheus over the drill's clock window.
  const prom = config.prometheus!;
  const client = new PromClient({ url: prom.url, timeoutSeconds: prom.timeoutSeconds });
  let impact;
  try {
    impact = await fetchImpact(client, prom.services, simStart, drill.kube.now());
  } finally {
    client.close();
  }
  const outFile = path.join(work, 'out', 'postmortem.md');
  const out = writePostmortem(stateDir, undefined, outFile, { impact });
  assert.equal(out.incidentId, info.id);
  assert.equal(out.markdownPath, outFile);
  const md = fs.readFileSync(out.markdownPath, 'utf8');
  const jsonText = fs.readFileSync(out.jsonPath, 'utf8');
  const json = JSON.parse(jsonText) as PostmortemJson;
  const context = `\n--- post-mortem ---\n${md}`;

  // Title, people, severity.
  assert.ok(md.startsWith(`# Post-mortem: ${TITLE}\n`), `title${context}`);
  assert.match(md, /^P1 incident "api 5xx after deploy", detected .+, resolved .+ after .+\. Incident commander: alice\. Comms: bob\.$/m, `summary line${context}`);
  assert.match(section(md, 'Severity').join('\n'), /- Peak: \*\*P1\*\*[\s\S]*- Final: \*\*P1\*\*/);
  assert.equal(json.severity.peak, 'P1');
  assert.equal(json.incident?.status, 'resolved');

  // Times: detected (the alert, before the declaration) ≤ declared ≤ mitigated ≤ resolved.
  const { detected, declared, mitigated, resolved } = json.times;
  assert.ok(detected != null && declared != null && mitigated != null && resolved != null, `all four times are known: ${JSON.stringify(json.times)}`);
  const firstAlert = json.timeline.filter((t) => t.kind === 'alert.fired').sort((a, b) => a.at - b.at)[0];
  assert.ok(firstAlert, 'the timeline has the alert that fired');
  const firstHighSuggestion = json.timeline.find((t) => t.kind === 'severity.suggested' && /Suggested severity P[012]/.test(t.summary));
  assert.equal(detected, Math.min(firstAlert.at, firstHighSuggestion?.at ?? Infinity), 'detected is the first alert or suggestion at P2 or above');
  // Mitigated is the rollback (the last successful action before the signals recovered), not a key press.
  const rollbackEntry = json.timeline.find((t) => t.kind === 'action.succeeded' && /Roll back deployment shop\/api/.test(t.summary));
  assert.equal(mitigated, rollbackEntry?.at, `mitigated is the rollback${context}`);
  assert.ok(json.times.recovered != null && json.times.recovered >= mitigated!, 'the signals recovered after it');
  // What changed: the deploy that preceded detection, with its image diff and change-cause.
  const changed = section(md, 'What changed').join('\n');
  assert.match(
    changed,
    /Rolled out shop\/api revision \d+: registry\.example\.com\/shop\/api:2\.4\.0 → registry\.example\.com\/shop\/api:2\.4\.1 \("deploy api v2\.4\.1 \(CI #4821\)"\)/,
    `What changed${context}`,
  );
  assert.ok(
    json.timeline.some((t) => t.kind === 'change.observed' && /shop\/api/.test(t.summary)),
    'the deploy is in the timeline too',
  );
  // The outside restart, in its own section, not among this cockpit's actions.
  assert.match(section(md, 'Changes made by others').join('\n'), /External change: shop\/checkout .*restarted/);
  assert.ok(!json.actions.some((a) => /checkout/.test(a.summary)), 'the outside restart is not an action taken here');
  assert.ok(
    detected < declared,
    `detected (${new Date(detected).toISOString()}) is before declared (${new Date(declared).toISOString()}): the alert fired before anyone declared${context}`,
  );
  assert.ok(declared < mitigated! && mitigated! < resolved, `declared < mitigated < resolved: ${JSON.stringify(json.times)}`);
  const { toDeclareMs, toMitigateMs, toResolveMs } = json.durations;
  assert.equal(toDeclareMs, declared - detected);
  assert.equal(toMitigateMs, mitigated - detected);
  assert.equal(toResolveMs, resolved - detected);
  assert.ok(toDeclareMs! > 0 && toMitigateMs! > toDeclareMs! && toResolveMs! > toMitigateMs!, `durations non-zero and increasing: ${JSON.stringify(json.durations)}`);
  // The alert was active before the store saw it firing; the declaration followed that.
  assert.ok(toDeclareMs! >= declaredWall - firstSeenFiringWall, 'time to declare covers at least the wait since the alert was seen firing');
  assert.ok(mitigated! - declared >= monitoringWall - declaredWall - 2_000, 'declared → mitigated spans the real response (note, update, rollback)');
  const times = section(md, 'Times (UTC)').join('\n');
  const row = (name: string) => times.split('\n').find((l) => l.startsWith(`| ${name} |`)) ?? '';
  assert.match(row('Detected'), /^\| Detected \| \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \| 0s \|$/);
  assert.equal(row('Declared').split('|')[3]!.trim(), formatDuration(toDeclareMs));
  assert.equal(row('Mitigated').split('|')[3]!.trim(), formatDuration(toMitigateMs));
  assert.equal(row('Resolved').split('|')[3]!.trim(), formatDuration(toResolveMs));
  for (const name of ['Declared', 'Mitigated', 'Resolved']) assert.doesNotMatch(row(name), /—/, `${name} has a time`);

  // The timeline table: one row per journal entry, in order.
  const timelineRows = section(md, 'Timeline').filter((l) => l.startsWith('| ') && !l.startsWith('| Time UTC'));
  assert.equal(timelineRows.length, json.timeline.length, 'one timeline row per journal entry');
  const sorted = [...json.timeline].map((t) => t.at);
  assert.deepEqual(
    sorted,
    [...sorted].sort((a, b) => a - b),
    'the timeline is in time order',
  );
  const rowFor = (re: RegExp, what: string) => {
    const r = timelineRows.find((l) => re.test(l));
    assert.ok(r, `a timeline row for ${what}${context}`);
    return r;
  };
  rowFor(/\| HighErrorRate \(api\) firing: High 5xx error rate on api[^|]*\| prometheus \| prometheus \|/, 'alert.fired HighErrorRate on api');
  rowFor(/\| Incident declared: api 5xx after deploy \(P1\) \| alice \|/, 'the declaration');
  rowFor(new RegExp(`\\| ${NOTE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\| alice \\|`), 'the note');
  rowFor(/\| Status update \(investigating\) queued for dry-run, dry-run-public \| bob \|/, 'the status update');
  rowFor(/\| Update delivered to dry-run \|[^|]*\| dry-run \| dry-run delivered/, 'the delivery');
  rowFor(/\| Status investigating → identified \| alice \|/, 'identified');
  const rollbackRow = rowFor(/\| Roll back deployment shop\/api: rolled back to revision \d+/, 'action.succeeded for the rollback');
  const details = rollbackRow.split(' | ').at(-1)!;
  assert.match(details, new RegExp(`\\b${revisionBefore}\\b.*→.*\\b${revisionAfter}\\b`), `the rollback row shows revision ${revisionBefore} → ${revisionAfter}: ${rollbackRow}`);
  rowFor(/\| Status identified → monitoring \| alice \|/, 'monitoring');
  rowFor(/\| HighErrorRate \(api\) resolved \| prometheus \| prometheus \|/, 'alert.resolved HighErrorRate');
  rowFor(/\| Status monitoring → resolved \| alice \|/, 'resolved');
  const order = ['incident.declared', 'note', 'update.queued', 'action.started', 'action.succeeded', 'alert.resolved'];
  const firstAt = (kind: string) => json.timeline.find((t) => t.kind === kind)?.at ?? NaN;
  for (let i = 1; i < order.length; i++) assert.ok(firstAt(order[i - 1]!) <= firstAt(order[i]!), `${order[i - 1]} before ${order[i]}`);

  // Actions: the rollback, with the revisions the cluster held before and after.
  const succeeded = json.actions.find((a) => a.kind === 'action.succeeded');
  assert.ok(succeeded, 'the actions list has the rollback');
  assert.match(succeeded.summary, /Roll back deployment shop\/api/);
  assert.equal(revisionOfRef(succeeded.before), revisionBefore, `actions[].before is the revision before the rollback: ${JSON.stringify(succeeded)}`);
  assert.equal(revisionOfRef(succeeded.after), revisionAfter, `actions[].after is the revision after the rollback: ${JSON.stringify(succeeded)}`);
  const actionLines = section(md, 'Actions taken');
  const rollbackLine = actionLines.find((l) => /Roll back deployment shop\/api: rolled back to revision \d+.*\[succeeded, /.test(l));
  assert.ok(rollbackLine, `the actions section lists the rollback${context}`);
  assert.match(rollbackLine, new RegExp(`before: [^;]*\\b${revisionBefore}\\b; after: [^)]*\\b${revisionAfter}\\b`), `the actions section shows the revisions: ${rollbackLine}`);
  assert.ok(
    actionLines.some((l) => /Roll back deployment shop\/api started \[started, /.test(l)),
    'the start of the rollback is listed',
  );

  // Communications: the update and its delivery state.
  const comms = section(md, 'Communications');
  assert.ok(
    comms.some((l) => /— Status update \(investigating\) queued for dry-run, dry-run-public$/.test(l)),
    `the update is listed${context}`,
  );
  assert.ok(
    comms.some((l) => /— Update delivered to dry-run \(dry-run: delivered\)$/.test(l)),
    `its delivery state is listed${context}`,
  );
  assert.ok(json.communications.some((x) => x.kind === 'update.delivered' && x.sink === 'dry-run' && x.state === 'delivered'));
  // What was said is quoted: the internal text, then what the public page got.
  assert.ok(
    comms.some((l) => /^  > .*INCIDENT DECLARED/.test(l)),
    `the internal text is quoted: ${comms.join('\n')}`,
  );
  const publicAt = comms.indexOf('  Public:');
  assert.ok(publicAt > 0 && /^  > /.test(comms[publicAt + 1] ?? ''), `the public text is quoted: ${comms.join('\n')}`);
  // The drill's public dry-run got only the public fields.
  const updates = fs
    .readFileSync(path.join(drill.dir, 'updates.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const pub = updates.filter((u) => u.audience === 'public').map((u) => ({ title: u.update.title, slack: u.update.slack, statuspage: u.update.statuspage }));
  assert.equal(pub.length, 1);
  assert.doesNotMatch(JSON.stringify(pub), /api-[a-z0-9]+-|HighErrorRate|5xx|\bshop\b|alice|bob|P1/);

  // Impact from the drill's Prometheus: the scenario drives ~45% 5xx on api, and the store showed ≥ 30%.
  assert.ok((impact.peakErrorRate ?? 0) >= 0.3, `peak error rate ≥ 30%: ${JSON.stringify(impact)}`);
  const peak = section(md, 'Impact')
    .map((l) => /^- Peak error rate: (\d+\.\d)% \(api[;)]/.exec(l))
    .find(Boolean);
  assert.ok(peak && Number(peak[1]) >= 30, `the Impact section shows a peak error rate ≥ 30% (the scenario drives ~45%)${context}`);
  assert.ok(
    section(md, 'Impact').some((l) => /^- Requests failed \(estimate\): [\d,]+$/.test(l)),
    'failed requests estimated',
  );

  // The sections left for people to write exist.
  assert.deepEqual(section(md, 'Root cause'), ['_To be written._']);
  assert.deepEqual(section(md, 'Contributing factors'), ['_To be written._']);
  assert.ok(section(md, 'Action items')[0]!.startsWith('| Action | Owner | Due date | Status |'));

  // No secret anywhere a reader (or a paste into a doc) would see it, nor in the journals.
  const journals = fs
    .readdirSync(stateDir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath, d.name));
  for (const secret of drill.secrets) {
    assert.ok(!md.includes(secret), 'no secret in the Markdown');
    assert.ok(!jsonText.includes(secret), 'no secret in the JSON');
    for (const f of journals) assert.ok(!fs.readFileSync(f, 'utf8').includes(secret), `no secret in ${path.relative(stateDir, f)}`);
  }
});
