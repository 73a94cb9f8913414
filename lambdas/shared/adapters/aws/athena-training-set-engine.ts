import {
  AthenaClient,
  type ColumnInfo,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import {
  type OfflineColumn,
  type OfflineColumnType,
  offlineColumnsOf,
  offlinePrefix,
} from '../../../features/offline/layout';
import {
  columnNamesOf,
  ENTITY_ROW,
  ENTITY_TIME,
  entityKeyColumn,
  pointInTimeSql,
  projectedRelation,
  quoteIdentifier,
} from '../../../features/offline/point-in-time.sql';
import type { FeatureGroupVersion } from '../../ports/feature-group-version';
import type { ObjectStore } from '../../ports/object-store';
import type { TrainingSetCell, TrainingSetEngine, TrainingSetPlan } from '../../ports/training-set-engine';

export interface AthenaTrainingSetEngineOptions {
  /** The platform bucket's store (S3ObjectStore): its s3:// URIs locate the tables' data. */
  readonly objects: ObjectStore;
  /** Glue database that holds the offline store's tables and the training sets' entity tables. */
  readonly database: string;
  /** Athena workgroup; it sets the query result location and its encryption. */
  readonly workGroup: string;
  /** First event date partition projection enumerates; default 2000-01-01. */
  readonly firstEventDate?: string;
  readonly client?: AthenaClient;
  /** Between polls of a running query; default 500 ms. */
  readonly pollIntervalMs?: number;
  /** Gives up (and stops waiting, not the query) after this long; default 10 minutes. */
  readonly timeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const HIVE_TYPES: Record<OfflineColumnType, string> = {
  string: 'string',
  int: 'bigint',
  float: 'double',
  bool: 'boolean',
  timestamp: 'timestamp',
};

/** Hive DDL identifiers: backticks, doubled inside. */
const ddlIdentifier = (name: string): string => `\`${name.replaceAll('`', '``')}\``;

// DDL takes no parameters, so the only literals in it, S3 locations, are checked to be plain.
const SAFE_LOCATION = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/[A-Za-z0-9_/=.-]*\/$/;
const locationLiteral = (uri: string): string => {
  if (!SAFE_LOCATION.test(uri)) throw new Error(`not a plain S3 folder: ${uri}`);
  return `'${uri}'`;
};
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const columnsDdl = (columns: readonly OfflineColumn[]): string =>
  columns.map((column) => `${ddlIdentifier(column.name)} ${HIVE_TYPES[column.type]}`).join(', ');

/** Athena's text form of a value → the cell the plan's column type calls for. */
const cellOf = (text: string | undefined, column: ColumnInfo | undefined): TrainingSetCell => {
  if (text === undefined) return null;
  switch (column?.Type) {
    case 'bigint':
    case 'integer':
      return BigInt(text);
    case 'double':
    case 'float':
      return Number(text);
    case 'boolean':
      return text === 'true';
    default:
      return text;
  }
};

/**
 * The training-set engine of the cloud: the same point-in-time SQL on Athena. Each group version is an
 * external table over its offline prefix (created on first use, partitions by projection, so ingestion
 * never has to add partitions); each training set's entities file gets a table for the query's
 * duration. Rows come back through GetQueryResults, typed by the result's column metadata.
 */
export class AthenaTrainingSetEngine implements TrainingSetEngine {
  readonly #objects: ObjectStore;
  readonly #database: string;
  readonly #workGroup: string;
  readonly #firstEventDate: string;
  readonly #client: AthenaClient;
  readonly #pollIntervalMs: number;
  readonly #timeoutMs: number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #tables = new Set<string>();

  constructor(options: AthenaTrainingSetEngineOptions) {
    if (!/^[a-z0-9_]{1,255}$/.test(options.database)) {
      throw new Error(`database must be lower-case letters, digits or _, not ${options.database}`);
    }
    const firstEventDate = options.firstEventDate ?? '2000-01-01';
    if (!DATE.test(firstEventDate))
      throw new Error(`firstEventDate must be YYYY-MM-DD, not ${firstEventDate}`);
    this.#objects = options.objects;
    this.#database = options.database;
    this.#workGroup = options.workGroup;
    this.#firstEventDate = firstEventDate;
    this.#client = options.client ?? new AthenaClient({});
    this.#pollIntervalMs = options.pollIntervalMs ?? 500;
    this.#timeoutMs = options.timeoutMs ?? 600_000;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async pointInTime(plan: TrainingSetPlan): Promise<TrainingSetCell[][]> {
    // One table per version; a group read from several versions is the UNION ALL of their projections.
    const relations: string[] = [];
    for (const [g, group] of plan.groups.entries()) {
      const sources = plan.sources?.[g] ?? [group];
      const parts: string[] = [];
      for (const source of sources) {
        const table = this.#table(await this.#groupTable(source));
        const available = columnNamesOf(offlineColumnsOf(source));
        parts.push(
          sources.length === 1
            ? table
            : `SELECT * FROM ${projectedRelation(table, offlineColumnsOf(group), available)} AS "p"`,
        );
      }
      relations.push(sources.length === 1 ? (parts[0] as string) : `(${parts.join(' UNION ALL ')})`);
    }
    const folder = plan.entitiesKey.slice(0, plan.entitiesKey.lastIndexOf('/') + 1);
    const entitiesTable = `entities_${folder.replace(/[^A-Za-z0-9]/g, '_').toLowerCase()}`.slice(0, 255);
    const entityColumns: OfflineColumn[] = [
      ...plan.entityColumns,
      { name: ENTITY_ROW, type: 'int' },
      { name: ENTITY_TIME, type: 'timestamp' },
      ...plan.keyNames.map((_, j) => ({ name: entityKeyColumn(j), type: 'string' as const })),
    ];
    await this.#run(
      `CREATE EXTERNAL TABLE ${this.#ddlTable(entitiesTable)} (${columnsDdl(entityColumns)}) ` +
        `STORED AS PARQUET LOCATION ${locationLiteral(this.#objects.uriOf(folder))}`,
    );
    try {
      const sql = pointInTimeSql({
        entitiesRelation: this.#table(entitiesTable),
        entityColumns: plan.entityColumns.map((column) => column.name),
        keyNames: plan.keyNames,
        groups: plan.groups.map((group, g) => ({ group, relation: relations[g] as string })),
        features: plan.features,
        // Restricts each group to the event_date partitions that can matter: Athena prunes by them.
        ...(plan.entityTimes === undefined ? {} : { entityTimes: plan.entityTimes }),
      });
      return await this.#rows(await this.#run(sql));
    } finally {
      await this.#run(`DROP TABLE IF EXISTS ${this.#ddlTable(entitiesTable)}`);
    }
  }

  #table(name: string): string {
    return `${quoteIdentifier(this.#database)}.${quoteIdentifier(name)}`;
  }

  #ddlTable(name: string): string {
    return `${ddlIdentifier(this.#database)}.${ddlIdentifier(name)}`;
  }

  /** The group version's table, created once (IF NOT EXISTS: versions are immutable, so is the table). */
  async #groupTable(group: FeatureGroupVersion): Promise<string> {
    const name = `feature_group_${group.name}_v${group.version}`;
    if (this.#tables.has(name)) return name;
    const location = this.#objects.uriOf(offlinePrefix(group));
    await this.#run(
      `CREATE EXTERNAL TABLE IF NOT EXISTS ${this.#ddlTable(name)} (${columnsDdl(offlineColumnsOf(group))}) ` +
        `PARTITIONED BY (${ddlIdentifier('event_date')} string) STORED AS PARQUET ` +
        `LOCATION ${locationLiteral(location)} TBLPROPERTIES (` +
        `'projection.enabled'='true', 'projection.event_date.type'='date', ` +
        `'projection.event_date.format'='yyyy-MM-dd', 'projection.event_date.range'='${this.#firstEventDate},NOW', ` +
        `'projection.event_date.interval'='1', 'projection.event_date.interval.unit'='DAYS', ` +
        `'storage.location.template'=${locationLiteral(location).slice(0, -1)}event_date=\${event_date}/')`,
    );
    this.#tables.add(name);
    return name;
  }

  /** Runs one statement to completion; returns its execution id. */
  async #run(sql: string): Promise<string> {
    const started = await this.#client.send(
      new StartQueryExecutionCommand({
        QueryString: sql,
        WorkGroup: this.#workGroup,
        QueryExecutionContext: { Database: this.#database },
      }),
    );
    const id = started.QueryExecutionId;
    if (!id) throw new Error('Athena started no query');
    const deadline = performance.now() + this.#timeoutMs;
    for (;;) {
      const out = await this.#client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
      const status = out.QueryExecution?.Status;
      if (status?.State === 'SUCCEEDED') return id;
      if (status?.State === 'FAILED' || status?.State === 'CANCELLED') {
        throw new Error(
          `Athena query ${id} ${status.State}: ${status.StateChangeReason ?? 'no reason given'}`,
        );
      }
      if (performance.now() > deadline)
        throw new Error(`Athena query ${id} still ${status?.State} after ${this.#timeoutMs} ms`);
      await this.#sleep(this.#pollIntervalMs);
    }
  }

  async #rows(id: string): Promise<TrainingSetCell[][]> {
    const rows: TrainingSetCell[][] = [];
    let nextToken: string | undefined;
    let first = true;
    do {
      const page = await this.#client.send(
        new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: 1000, NextToken: nextToken }),
      );
      const columns = page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
      // The first row of the first page is the header.
      for (const row of (page.ResultSet?.Rows ?? []).slice(first ? 1 : 0)) {
        rows.push(columns.map((column, i) => cellOf(row.Data?.[i]?.VarCharValue, column)));
      }
      first = false;
      nextToken = page.NextToken;
    } while (nextToken);
    return rows;
  }
}
