// A war room: several cockpits on one state directory. A read-only screen delivers nothing and
// journals nothing, even with a previous cockpit's updates still queued; two writable cockpits
// never both deliver; an absurd Retry-After fails the delivery instead of waiting 34 days; bad
// lines in the journal or outbox are reported and skipped; every file is owner-only.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { IncidentEngine } from '../../src/incident/incident.js';
import { Outbox, outboxPath } from '../../src/incident/outbox.js';
import { slackSink, webhookSink } from '../../src/incident/sinks.js';
import { composeUpdate } from '../../src/incident/templates.js';
import { incidentJournalPath, readJournal } from '../../src/incident/journal.js';
import { writePostmortem } from '../../src/incident/postmortem.js';
import { defaultConfig } from '../../src/config/schema.js';
import { ReadOnlyPolicy } from '../../src/actions/read-only.js';
import type { IncidentInfo } from '../../src/incident/types.js';
import { FakeSlack, FakeWebhook } from '../helpers/fake-sinks.js';
import { tempDir, waitFor } from '../helpers/net.js';

const servers: Array<{ stop(): Promise<void> }> = [];
after(async () => {
  for (const s of servers) await s.stop();
});

const fields = { whatWeKnow: 'api 5xx', currentActions: 'rolling back', impact: 'checkout failing', nextUpdate: 'in 30 min' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function files(dir: string): string[] {
  const out: string[] = [dir];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...files(p));
    else out.push(p);
  }
  return out;
}

test('a read-only cockpit on a shared state dir delivers none of the queued updates and writes nothing', async () => {
  const slack = await new FakeSlack().start();
  servers.push(slack);
  const dir = tempDir('warroom-shared-');
  const sinks = () => [slackSink({ webhookUrl: slack.webhookUrl }, { timeoutMs: 1000 })];
  // The responder's cockpit queued two updates and stopped before sending them (Slack was down).
  const responder = new IncidentEngine({ stateDir: dir, config: defaultConfig(), sinks: sinks(), outboxOptions: { minIntervalMs: 0 } });
  const info = responder.declare({ title: 'api 5xx', severity: 'P1', actor: 'ana' });
  responder.postUpdatePair(fields, 'ana');
  responder.postUpdatePair({ ...fields, whatWeKnow: 'still failing' }, 'ana');
  await responder.close();
  const before = new Map(files(dir).map((f) => [f, fs.statSync(f).isFile() ? fs.readFileSync(f, 'utf8') : '']));

  let readOnly = true;
  const screen = new IncidentEngine({ stateDir: dir, config: defaultConfig(), sinks: sinks(), readOnly: () => readOnly, outboxOptions: { minIntervalMs: 0, followMs: 50 } });
  screen.start();
  assert.equal(screen.current?.id, info.id, 'the screen shows the open incident');
  assert.deepEqual(
    screen.slice().outbox.map((o) => o.state),
    ['queued', 'queued'],
    'and the deliveries as they stand',
  );
  assert.equal(screen.slice().deliveries, 'read-only: updates are not sent from this screen');
  // Every write the cockpit could attempt is refused by the engine as well as by the runner.
  const attempts: Array<[string, () => unknown]> = [
    ['note', () => screen.note('from the war-room screen', 'bob')],
    ['status', () => screen.setStatus('identified', 'bob')],
    ['severity', () => screen.setSeverity('P0', 'bob')],
    ['role', () => screen.assignRole('commander', 'bob', 'bob')],
    ['post', () => screen.postUpdatePair(fields, 'bob')],
    ['flags', () => screen.setFlags({ dataLoss: true }, 'bob')],
  ];
  let refused = 0;
  for (const [what, fn] of attempts) {
    assert.throws(fn, /Read-only mode/, what);
    refused++;
  }
  screen.record({ kind: 'alert.fired', actor: 'prometheus', source: 'prometheus', summary: 'x firing' });
  assert.equal(screen.resend('u1@slack', 'bob'), false);
  await sleep(400);
  await screen.close();
  assert.equal(slack.requests.length, 0, 'the read-only screen sent nothing');
  const after = new Map(files(dir).map((f) => [f, fs.statSync(f).isFile() ? fs.readFileSync(f, 'utf8') : '']));
  assert.deepEqual([...after.keys()].sort(), [...before.keys()].sort(), 'no file created');
  for (const [f, text] of before) assert.equal(after.get(f), text, `${f} unchanged`);
  assert.equal(refused, attempts.length);

  // The responder comes back: its cockpit delivers each queued update exactly once.
  readOnly = false;
  const back = new IncidentEngine({ stateDir: dir, config: defaultConfig(), sinks: sinks(), outboxOptions: { minIntervalMs: 0 } });
  back.start();
  await back.outbox!.idle();
  await back.close();
  assert.deepEqual([...slack.acceptedByUpdate().values()], [1, 1]);
});

test('two writable cockpits on one state dir: one delivers, the other says who does, and takes over when it stops', async () => {
  const hook = await new FakeWebhook().start();
  servers.push(hook);
  const dir = tempDir('warroom-lock-');
  const sink = () => [webhookSink({ url: `${hook.url}/h` }, { timeoutMs: 1000 })];
  const info: IncidentInfo = { id: 'inc-lock', title: 'lock', severity: 'P2', status: 'investigating', declaredAt: Date.now(), commander: null, comms: null, lastUpdateAt: null };
  // The first cockpit is another process (the lock's pid rule needs one): it holds the lock and delivers.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'helpers', 'outbox-holder-child.ts')], {
    env: { ...process.env, STATE_DIR: dir, HOOK_URL: `${hook.url}/h` },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  try {
    const ob = new Outbox({ stateDir: dir, sinks: sink(), minIntervalMs: 0, followMs: 50 });
    ob.start();
    await waitFor(() => ob.deliverer().holder?.pid === child.pid, { what: 'the holder named' });
    assert.equal(ob.deliverer().self, false);
    // Posted here, delivered there: the holder follows the shared outbox file.
    for (let n = 1; n <= 5; n++) ob.enqueue(composeUpdate(info, fields, { audience: 'internal', id: `w${n}` }));
    await waitFor(() => ob.items().every((i) => i.state === 'delivered'), { what: 'deliveries by the other process', timeoutMs: 10_000 });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    // The holder is gone (its pid is dead): this cockpit takes over and delivers what comes next.
    await waitFor(() => ob.deliverer().self, { what: 'take-over' });
    ob.enqueue(composeUpdate(info, fields, { audience: 'internal', id: 'w6' }));
    await ob.idle();
    await ob.stop();
    assert.deepEqual(
      [...hook.landedByUpdate().entries()].sort(),
      [1, 2, 3, 4, 5, 6].map((n) => [`w${n}`, 1]),
    );
  } finally {
    child.kill('SIGKILL');
  }
});

test('Retry-After: 3000000 fails the delivery at once with the reason; no timer overflows; later posts are not stuck behind it', async () => {
  const slack = await new FakeSlack().start();
  servers.push(slack);
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.name);
  process.on('warning', onWarning);
  const dir = tempDir();
  const info: IncidentInfo = { id: 'inc-ra', title: 'ra', severity: 'P2', status: 'investigating', declaredAt: Date.now(), commander: null, comms: null, lastUpdateAt: null };
  slack.enqueue({ status: 429, body: 'rate_limited', headers: { 'retry-after': '3000000' } }, { status: 429, body: 'rate_limited', headers: { 'retry-after': 'whenever' } });
  const ob = new Outbox({ stateDir: dir, sinks: [slackSink({ webhookUrl: slack.webhookUrl })], minIntervalMs: 0 });
  ob.start();
  const started = Date.now();
  for (const id of ['r1', 'r2', 'r3']) ob.enqueue(composeUpdate(info, fields, { audience: 'internal', id }));
  await ob.idle();
  await ob.stop();
  process.off('warning', onWarning);
  const items = ob.items();
  assert.deepEqual(
    items.map((i) => i.state),
    ['failed', 'failed', 'delivered'],
  );
  assert.match(items[0]!.lastError!, /asked to wait 35 days, more than an hour: not waiting/);
  assert.match(items[1]!.lastError!, /Retry-After "whenever" is not a number of seconds or a date/);
  assert.ok(Date.now() - started < 3000, 'nothing waited');
  assert.deepEqual(warnings, [], 'no TimeoutOverflowWarning');
  // A persisted far-future retry (an older version's) is pulled in to an hour at the next start.
  const file = outboxPath(dir);
  fs.appendFileSync(
    file,
    JSON.stringify({
      t: 'post',
      id: 'old@slack',
      updateId: 'old',
      incidentId: 'inc-ra',
      sink: 'slack',
      summary: 's',
      update: composeUpdate(info, fields, { audience: 'internal', id: 'old' }),
      at: Date.now(),
    }) + '\n',
  );
  fs.appendFileSync(file, JSON.stringify({ t: 'state', id: 'old@slack', state: 'retrying', attempts: 1, at: Date.now(), nextAttemptAt: Date.now() + 34 * 86_400_000 }) + '\n');
  const ob2 = new Outbox({ stateDir: dir, sinks: [slackSink({ webhookUrl: slack.webhookUrl })], minIntervalMs: 0 });
  ob2.start();
  const next = ob2.items().find((i) => i.id === 'old@slack')!.nextAttemptAt!;
  await ob2.stop();
  assert.ok(next - Date.now() <= 3_600_000, `next attempt in ${Math.round((next - Date.now()) / 86_400_000)} days`);
});

test('a journal line with an impossible time or a wrong type is reported and skipped; the engine and the post-mortem keep working', () => {
  const dir = tempDir();
  const engine = new IncidentEngine({ stateDir: dir, config: defaultConfig() });
  const info = engine.declare({ title: 'bad lines', severity: 'P2', actor: 'ana' });
  engine.note('a good note', 'ana');
  const file = incidentJournalPath(dir, info.id);
  const base = { incidentId: info.id, kind: 'note', actor: 'x', source: 'warroom', summary: 'forged' };
  fs.appendFileSync(file, JSON.stringify({ ...base, id: 'n1', at: 1e20 }) + '\n');
  fs.appendFileSync(file, JSON.stringify({ ...base, id: 'n2', at: '2026-11-25' }) + '\n');
  fs.appendFileSync(file, JSON.stringify({ ...base, id: 'n3', at: Date.now(), summary: { x: 1 } }) + '\n');
  fs.appendFileSync(file, JSON.stringify({ ...base, id: 'n4', at: Date.now(), refs: 'nope' }) + '\n');
  const { entries, problems } = readJournal(file);
  assert.deepEqual(
    entries.map((e) => e.summary),
    [entries[0]!.summary, 'a good note'],
  );
  assert.deepEqual(
    problems.map((p) => p.replace(/^.*?: line \d+ skipped: /, '')),
    ['at 100000000000000000000 is out of range for a time', 'at is "2026-11-25", not a time', 'summary is object, not text', 'refs is string, not an object'],
  );
  const again = new IncidentEngine({ stateDir: dir, config: defaultConfig() });
  assert.equal(again.current?.id, info.id);
  assert.equal(again.slice().journalProblems.length, 4, 'shown in the Timeline pane');
  const out = writePostmortem(dir, info.id, path.join(dir, 'pm.md'));
  assert.match(fs.readFileSync(out.markdownPath, 'utf8'), /a good note/);
});

test('the state directory and everything under it are owner-only, whatever the umask', async () => {
  const old = process.umask(0);
  try {
    const dir = path.join(tempDir(), 'state');
    const engine = new IncidentEngine({
      stateDir: dir,
      config: defaultConfig(),
      sinks: [slackSink({ webhookUrl: 'http://127.0.0.1:9/x' }, { timeoutMs: 200 })],
      outboxOptions: { minIntervalMs: 0, maxAttempts: 1 },
    });
    engine.start();
    const info = engine.declare({ title: 'perms', severity: 'P3', actor: 'ana' });
    engine.postUpdatePair(fields, 'ana');
    await engine.outbox!.idle();
    await engine.close();
    writePostmortem(dir, info.id, path.join(dir, 'postmortem.md'));
    const loose = files(dir).filter((f) => fs.statSync(f).mode & 0o077);
    assert.deepEqual(loose, [], `group/world bits on ${loose.join(', ')}`);
    assert.ok(files(dir).length >= 7, files(dir).join(' '));
  } finally {
    process.umask(old);
  }
});

test('read-only policy: --read-only and a read-only context can never be lifted; an unknown context with readOnlyContexts set is read-only', () => {
  const flag = new ReadOnlyPolicy({ readOnly: true, readOnlyContexts: [] });
  assert.deepEqual(
    ['prod', 'dev', null].map((c) => flag.evaluate(c).readOnly),
    [true, true, true],
  );
  const ctx = new ReadOnlyPolicy({ readOnly: false, readOnlyContexts: ['*-warroom-screen'] });
  assert.equal(ctx.evaluate(undefined).readOnly, true, 'not connected yet: fail closed');
  assert.equal(ctx.evaluate(null).readOnly, true, 'no usable kubeconfig: fail closed');
  assert.equal(ctx.evaluate('dev').readOnly, false);
  assert.deepEqual(ctx.evaluate('prod-warroom-screen'), { readOnly: true, reason: 'context prod-warroom-screen is read-only by config' });
  // C to another name for the same cluster does not lift it.
  assert.equal(ctx.evaluate('prod-admin').readOnly, true);
  assert.equal(new ReadOnlyPolicy({ readOnly: false, readOnlyContexts: [] }).evaluate(null).readOnly, false);
});
