import type { ActionTarget } from '../../actions/types.js';
import type { Cell } from '../../present/cell.js';
import { pgBlockCells, pgQueryCells, pgQueryColumns, pgStatementQueryCells, pgSummaryCells } from '../../present/postgres.js';
import { sourceBadge, spaced, type PaneDef } from './pane.js';

export const postgresPane: PaneDef<'postgres'> = {
  id: 'postgres',
  title: 'Postgres',
  reads: (s) => [s.postgres, s.meta.severity],
  model(state, now) {
    const dbs = state.postgres.data.databases;
    const preface: Cell[][] = [];
    const rows: Cell[][] = [];
    const targets: (ActionTarget | null)[] = [];
    for (const db of dbs) {
      preface.push(spaced(pgSummaryCells(db, now, state.meta.severity)));
      for (const b of db.blocking.slice(0, 3)) preface.push(spaced(pgBlockCells(b)));
      for (const q of db.longest) {
        rows.push(pgQueryCells(q, db));
        targets.push({ name: String(q.pid), database: db.name, query: q });
      }
      // The heaviest statements by total time, when pg_stat_statements is installed.
      for (const st of (db.topStatements ?? []).slice(0, 5)) {
        rows.push(pgStatementQueryCells(st));
        targets.push(null);
      }
    }
    return {
      title: 'Postgres',
      badge: sourceBadge(state.postgres, now),
      preface,
      columns: pgQueryColumns(),
      rows,
      targets,
      empty: dbs.length ? 'no queries running' : state.postgres.status === 'connecting' ? 'starting…' : 'no databases configured',
    };
  },
  layout: {
    lines: (s) => 1 + s.postgres.data.databases.reduce((n, db) => n + 1 + Math.min(3, db.blocking.length) + db.longest.length + Math.min(5, db.topStatements?.length ?? 0), 0) || 2,
    weight: 3,
    minHeight: 4,
    urgent: (s) => s.postgres.data.databases.some((d) => d.status === 'down'),
    narrow: 5,
    two: { column: 1, rank: 2 },
    three: { column: 2, rank: 0 },
  },
};
