// Drill load: real sessions (application_name `drill-app`) opened and closed to reach a target
// number of active, idle, idle-in-transaction and lock-blocked sessions. Sessions that end by
// themselves (terminated from the cockpit) are not re-created until the next setTarget.
import pg from 'pg';
import { drillAdminClient } from './server.js';

export interface LoadTarget {
  active: number;
  idle: number;
  idleInTransaction: number;
  blocked: number;
}

export interface LoadGenerator {
  /** Opens/closes sessions to reach the target (clamped to the budget); resolves with what was applied. */
  setTarget(target: Partial<LoadTarget>): Promise<LoadTarget>;
  /** Sessions alive now, by kind (the lock holder counts as idle in transaction). */
  current(): LoadTarget;
  /** Closes every session. */
  close(): Promise<void>;
}

export const DRILL_APP = 'drill-app';
export const LOCK_TABLE = 'drill_lock';

/**
 * Clamps a target to `budget` sessions. A non-zero `blocked` needs one idle-in-transaction
 * session holding the row lock, so idleInTransaction is at least 1 then. When over budget,
 * idle sessions go first, then active, then idle in transaction, then blocked.
 */
export function clampTarget(t: LoadTarget, budget: number): LoadTarget {
  const n = (v: number) => Math.max(0, Math.floor(Number.isFinite(v) ? v : 0));
  let left = Math.max(0, budget);
  let blocked = Math.min(n(t.blocked), Math.max(0, left - 1));
  let iit = n(t.idleInTransaction);
  if (blocked > 0) iit = Math.max(iit, 1);
  left -= blocked;
  iit = Math.min(iit, left);
  if (iit === 0) blocked = 0;
  left -= iit;
  const active = Math.min(n(t.active), left);
  left -= active;
  const idle = Math.min(n(t.idle), left);
  return { active, idle, idleInTransaction: iit, blocked };
}

type Kind = 'active' | 'idle' | 'iit' | 'holder' | 'blocked';

interface Session {
  kind: Kind;
  client: pg.Client;
  pid: number;
  gone: boolean;
}

export function createLoadGenerator(opts: { url: string; maxConnections: number; log?: (msg: string) => void }): LoadGenerator {
  const budget = opts.maxConnections - 3;
  const sessions = new Set<Session>();
  let chain: Promise<unknown> = Promise.resolve();
  let closed = false;

  const of = (kind: Kind) => [...sessions].filter((s) => s.kind === kind && !s.gone);

  const open = async (kind: Kind): Promise<Session> => {
    const client = new pg.Client({ connectionString: opts.url, application_name: DRILL_APP });
    const s: Session = { kind, client, pid: 0, gone: false };
    const gone = () => {
      s.gone = true;
      sessions.delete(s);
    };
    client.on('error', gone);
    client.on('end', gone);
    await client.connect();
    s.pid = (client as unknown as { processID: number }).processID;
    sessions.add(s);
    const swallow = () => {};
    if (kind === 'iit') await client.query('BEGIN; SELECT 1');
    else if (kind === 'holder') await client.query(`BEGIN; SELECT n FROM ${LOCK_TABLE} WHERE id = 1 FOR UPDATE`);
    else if (kind === 'active') void client.query('SELECT pg_sleep(86400)').catch(swallow);
    else if (kind === 'blocked') {
      // Waits on the holder's row lock; once the holder is gone it commits and leaves.
      void client
        .query(`BEGIN; UPDATE ${LOCK_TABLE} SET n = n + 1 WHERE id = 1`)
        .then(() => client.query('COMMIT'))
        .then(() => end(s))
        .catch(swallow);
    }
    return s;
  };

  const end = async (s: Session): Promise<void> => {
    s.gone = true;
    sessions.delete(s);
    s.client.removeAllListeners('error');
    s.client.on('error', () => {});
    await s.client.end().catch(() => {});
  };

  /** Busy sessions (pg_sleep, lock wait) do not read their socket: terminate them server-side. */
  const terminate = async (list: Session[]): Promise<void> => {
    if (!list.length) return;
    const admin = drillAdminClient(opts.url);
    admin.on('error', () => {});
    try {
      await admin.connect();
      await admin.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [list.map((s) => s.pid)]);
    } catch (e) {
      opts.log?.(`drill load: terminate failed: ${(e as Error).message}`);
    } finally {
      await admin.end().catch(() => {});
    }
    await Promise.all(list.map(end));
  };

  const apply = async (want: LoadTarget): Promise<void> => {
    const needHolder = want.blocked > 0;
    const plainIit = want.idleInTransaction - (needHolder ? 1 : 0);
    // Close first (blocked before their holder), so the budget is never exceeded.
    await terminate(of('blocked').slice(want.blocked));
    if (!needHolder) await Promise.all(of('holder').map(end));
    await Promise.all(of('iit').slice(plainIit).map(end));
    await terminate(of('active').slice(want.active));
    await Promise.all(of('idle').slice(want.idle).map(end));
    if (needHolder && of('holder').length === 0) await open('holder');
    const opening: Promise<Session>[] = [];
    const add = (kind: Kind, count: number) => {
      for (let i = of(kind).length; i < count; i++) opening.push(open(kind));
    };
    add('blocked', want.blocked);
    add('iit', plainIit);
    add('active', want.active);
    add('idle', want.idle);
    const results = await Promise.allSettled(opening);
    const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    if (failed[0]) opts.log?.(`drill load: ${failed.length} session(s) failed to open: ${String(failed[0].reason?.message ?? failed[0].reason)}`);
  };

  const current = (): LoadTarget => ({
    active: of('active').length,
    idle: of('idle').length,
    idleInTransaction: of('iit').length + of('holder').length,
    blocked: of('blocked').length,
  });

  return {
    setTarget(target) {
      const want = clampTarget({ ...current(), ...target }, budget);
      const run = chain.then(() => (closed ? undefined : apply(want))).then(() => want);
      chain = run.catch(() => {});
      return run;
    },
    current,
    async close() {
      closed = true;
      await chain;
      await terminate([...sessions].filter((s) => s.kind === 'active' || s.kind === 'blocked'));
      await Promise.all([...sessions].map(end));
    },
  };
}
