/**
 * The SQLite run search index's schema: typed tables kept by triggers on the metadata store's `items`
 * table, and the statements that (re)build them. The statements a search runs are in run-search-sql.ts.
 */
import { RUN_PARTITION_PREFIX, type RunField } from '../../ports/run-search-index';

/** Raise when the tables or triggers change: the index is then rebuilt from the run items. */
export const RUN_SEARCH_SCHEMA_VERSION = 1;

const PREFIX_LENGTH = RUN_PARTITION_PREFIX.length;
const IS_RUN = (row: 'NEW' | 'OLD') => `substr(${row}.pk, 1, ${PREFIX_LENGTH}) = '${RUN_PARTITION_PREFIX}'`;
// The run partitions as a range of the items' primary key ('#' + 1 is '$'), for the backfill.
const RUN_ITEMS = (pk: string) =>
  `${pk} >= '${RUN_PARTITION_PREFIX}' AND ${pk} < '${RUN_PARTITION_PREFIX.slice(0, -1)}$'`;

type ChildKind = 'metric' | 'param' | 'tag';
export type ChildField = RunField & { kind: ChildKind };

export const CHILD_TABLES = {
  metric: {
    table: 'run_search_metric',
    type: 'REAL',
    value: "json_extract(e.value, '$.value')",
    from: 'metrics',
  },
  param: { table: 'run_search_param', type: 'TEXT', value: 'e.value', from: 'params' },
  tag: { table: 'run_search_tag', type: 'TEXT', value: 'e.value', from: 'tags' },
} as const;

// Attribute columns and whether a run may lack the value (NULL).
export const ATTRIBUTE_COLUMNS = {
  run_id: { column: 'run_id', nullable: false },
  run_name: { column: 'run_name', nullable: true },
  status: { column: 'status', nullable: false },
  user_id: { column: 'user_id', nullable: false },
  start_time: { column: 'start_time', nullable: false },
  end_time: { column: 'end_time', nullable: true },
} as const;

const TABLES = ['run_search', ...Object.values(CHILD_TABLES).map((child) => child.table)];
const TRIGGERS = ['run_search_after_insert', 'run_search_after_update', 'run_search_after_delete'];

/** Statements that index one run item (`row` is NEW in a trigger). */
const indexRun = (row: string): string[] => [
  `INSERT INTO run_search (run_id, pk, experiment_id, run_name, status, user_id, start_time, end_time)
   VALUES (${row}.sk, ${row}.pk, substr(${row}.pk, ${PREFIX_LENGTH + 1}), json_extract(${row}.data, '$.name'),
     json_extract(${row}.data, '$.status'), json_extract(${row}.data, '$.userId'),
     json_extract(${row}.data, '$.startTime'), json_extract(${row}.data, '$.endTime'))`,
  ...Object.values(CHILD_TABLES).map(
    ({ table, value, from }) =>
      `INSERT INTO ${table} (rid, key, experiment_id, value)
       SELECT (SELECT rid FROM run_search WHERE run_id = ${row}.sk), e.key, substr(${row}.pk, ${PREFIX_LENGTH + 1}), ${value}
       FROM json_each(${row}.data, '$.${from}') AS e`,
  ),
];

const forgetRun = (runId: string): string[] => [
  ...Object.values(CHILD_TABLES).map(
    ({ table }) => `DELETE FROM ${table} WHERE rid = (SELECT rid FROM run_search WHERE run_id = ${runId})`,
  ),
  `DELETE FROM run_search WHERE run_id = ${runId}`,
];

/**
 * Drops and recreates the index, fills it from the run items already stored, and installs the triggers
 * that keep it in step: any write of a run item — by any connection — changes its index rows inside the
 * same transaction. Run inside one write transaction.
 */
export const rebuildStatements = (): string[] => [
  ...TRIGGERS.map((name) => `DROP TRIGGER IF EXISTS ${name}`),
  ...TABLES.map((name) => `DROP TABLE IF EXISTS ${name}`),
  // An integer row id per run keeps the child tables' keys and the lookups between them small:
  // lookups on text run ids cost ~1.5× as much.
  `CREATE TABLE run_search (
     rid INTEGER PRIMARY KEY,
     run_id TEXT NOT NULL UNIQUE,
     pk TEXT NOT NULL,
     experiment_id TEXT NOT NULL,
     run_name TEXT,
     status TEXT NOT NULL,
     user_id TEXT NOT NULL,
     start_time INTEGER NOT NULL,
     end_time INTEGER
   )`,
  'CREATE INDEX run_search_by_start ON run_search (experiment_id, start_time)',
  'CREATE INDEX run_search_by_status ON run_search (experiment_id, status)',
  ...Object.values(CHILD_TABLES).flatMap(({ table, type }) => [
    `CREATE TABLE ${table} (
       rid INTEGER NOT NULL,
       key TEXT NOT NULL,
       experiment_id TEXT NOT NULL,
       value ${type} NOT NULL,
       PRIMARY KEY (rid, key)
     ) WITHOUT ROWID`,
    // Drives searches that filter or order on one key; holds the primary key, so it also covers.
    `CREATE INDEX ${table}_by_value ON ${table} (experiment_id, key, value)`,
  ]),
  // Backfill: the run items a store held before the index existed (or before this schema version).
  `INSERT INTO run_search (run_id, pk, experiment_id, run_name, status, user_id, start_time, end_time)
   SELECT sk, pk, substr(pk, ${PREFIX_LENGTH + 1}), json_extract(data, '$.name'), json_extract(data, '$.status'),
     json_extract(data, '$.userId'), json_extract(data, '$.startTime'), json_extract(data, '$.endTime')
   FROM items WHERE ${RUN_ITEMS('pk')}`,
  ...Object.values(CHILD_TABLES).map(
    ({ table, value, from }) =>
      `INSERT INTO ${table} (rid, key, experiment_id, value)
       SELECT r.rid, e.key, r.experiment_id, ${value}
       FROM items AS i JOIN run_search AS r ON r.run_id = i.sk, json_each(i.data, '$.${from}') AS e
       WHERE ${RUN_ITEMS('i.pk')}`,
  ),
  // INSERT OR REPLACE (the store's only write) fires the insert trigger, which replaces the run's rows.
  `CREATE TRIGGER run_search_after_insert AFTER INSERT ON items WHEN ${IS_RUN('NEW')} BEGIN
     ${[...forgetRun('NEW.sk'), ...indexRun('NEW')].join(';\n')};
   END`,
  `CREATE TRIGGER run_search_after_update AFTER UPDATE ON items WHEN ${IS_RUN('OLD')} OR ${IS_RUN('NEW')} BEGIN
     ${[...forgetRun('OLD.sk'), ...indexRun('NEW')].join(';\n')};
   END`,
  `CREATE TRIGGER run_search_after_delete AFTER DELETE ON items WHEN ${IS_RUN('OLD')} BEGIN
     ${forgetRun('OLD.sk').join(';\n')};
   END`,
];
