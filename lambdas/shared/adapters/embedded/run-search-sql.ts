/**
 * The statements a search of the SQLite run search index runs, built from a RunSearchQuery against the
 * tables of run-search-schema.ts. Values are always bound parameters; only aliases, column names and
 * operators chosen from fixed lists reach the text. Which statements run, and in which join order, is
 * SqliteRunSearchIndex's choice.
 */
import type { Comparison, OrderKey, RunField, RunSearchQuery } from '../../ports/run-search-index';
import { asciiLower, totalOrder } from '../run-search-predicate';
import { ATTRIBUTE_COLUMNS, CHILD_TABLES, type ChildField } from './run-search-schema';

export interface Statement {
  readonly sql: string;
  /** Named parameters (`@p0`, ...): every value of the query, never spliced into the text. */
  readonly params: Readonly<Record<string, string | number>>;
}

/** LIKE's `%` and `_` as GLOB's `*` and `?`, GLOB's own specials made literal. GLOB is case-sensitive. */
export const likeToGlob = (pattern: string): string => {
  let glob = '';
  for (const char of pattern) {
    if (char === '%') glob += '*';
    else if (char === '_') glob += '?';
    else if (char === '*' || char === '?' || char === '[') glob += `[${char}]`;
    else glob += char;
  }
  return glob;
};

const fieldId = (field: RunField): string => `${field.kind}\u0000${field.key}`;

class Binder {
  readonly params: Record<string, string | number> = {};
  #next = 0;
  bind(value: string | number): string {
    const name = `p${this.#next++}`;
    this.params[name] = value;
    return `@${name}`;
  }
}

const condition = (comparison: Comparison, expression: string, binder: Binder): string => {
  switch (comparison.op) {
    case 'IN':
    case 'NOT IN':
      return `${expression} ${comparison.op} (${comparison.values.map((v) => binder.bind(v)).join(', ')})`;
    case 'LIKE':
      return `${expression} GLOB ${binder.bind(likeToGlob(comparison.value))}`;
    case 'ILIKE':
      return `lower(${expression}) GLOB ${binder.bind(likeToGlob(asciiLower(comparison.value)))}`;
    default:
      return `${expression} ${comparison.op} ${binder.bind(comparison.value)}`;
  }
};

/**
 * Which runs a statement covers, with respect to the first order key when it is a metric, param or
 * tag the filter does not name:
 * - `all`: every run; a run lacking the key sorts last through `IS NULL` in the ORDER BY;
 * - `having`: runs that have the key, which can be walked in the key's index order;
 * - `lacking`: runs without it, ordered by the remaining keys.
 * `having` followed by `lacking` is `all` in the same order.
 */
export type Part = 'all' | 'having' | 'lacking';

/**
 * Where a page statement starts its join: `order` walks the first order key's index in order (up to
 * `bound`); a number drives from that filter group's (experiment, key, value) index; `runs`
 * lets SQLite pick among the run table's indexes (status, start time).
 */
export type Driver = 'order' | 'runs' | number;

export interface PageOptions {
  readonly part: Part;
  readonly driver: Driver;
  /** For the `order` driver: the last value of the first order key to walk to; undefined walks all. */
  readonly bound?: string | number;
  readonly take: number;
  readonly skip: number;
  /** Count the runs instead of listing them. */
  readonly count?: boolean;
}

/** A row of a page statement; `first` is the value of the first order key, for boundary checks. */
export interface PageRow {
  readonly runId: string;
  readonly pk: string;
  readonly first: string | number | null;
}

/** The statements of one search: filter groups, estimates, pages and the bound of an ordered walk. */
export class RunSearchSql {
  /** Comparisons on metrics, params and tags, one group per key: each group is one join. */
  readonly groups: { readonly field: ChildField; readonly comparisons: Comparison[] }[] = [];
  readonly attributeComparisons: Comparison[] = [];
  readonly order: OrderKey[];
  readonly experimentIds: readonly string[];

  constructor(query: Pick<RunSearchQuery, 'experimentIds' | 'filter' | 'orderBy'>) {
    this.experimentIds = [...new Set(query.experimentIds)];
    for (const comparison of query.filter) {
      const { field } = comparison;
      if (field.kind === 'attribute') {
        this.attributeComparisons.push(comparison);
        continue;
      }
      let group = this.groups.find((g) => fieldId(g.field) === fieldId(field));
      if (!group) {
        group = { field, comparisons: [] };
        this.groups.push(group);
      }
      group.comparisons.push(comparison);
    }
    this.order = totalOrder(query.orderBy);
  }

  get first(): OrderKey {
    return this.order[0]!;
  }

  /** The first order key is a metric, param or tag the filter does not name: runs may lack it. */
  get splits(): boolean {
    return this.first.field.kind !== 'attribute' && this.#groupOf(this.first.field) === undefined;
  }

  /** The first order key has an index to walk in order: a metric, param or tag, or start_time. */
  get orderable(): boolean {
    const { field } = this.first;
    return field.kind !== 'attribute' || field.key === 'start_time';
  }

  #groupOf(field: RunField): number | undefined {
    const index = this.groups.findIndex((g) => fieldId(g.field) === fieldId(field));
    return index < 0 ? undefined : index;
  }

  #experiments(binder: Binder): string {
    return `(${this.experimentIds.map((id) => binder.bind(id)).join(', ')})`;
  }

  #childConditions(
    alias: string,
    field: ChildField,
    comparisons: readonly Comparison[],
    binder: Binder,
  ): string[] {
    return [
      `${alias}.key = ${binder.bind(field.key)}`,
      ...comparisons.map((comparison) => condition(comparison, `${alias}.value`, binder)),
    ];
  }

  /** How many entries of a group's index match, counting no further than `cap`. */
  estimateGroup(index: number, cap: number): Statement {
    const binder = new Binder();
    const group = this.groups[index]!;
    const { table } = CHILD_TABLES[group.field.kind];
    const where = [
      `g.experiment_id IN ${this.#experiments(binder)}`,
      ...this.#childConditions('g', group.field, group.comparisons, binder),
    ];
    return {
      sql: `SELECT count(*) AS n FROM (SELECT 1 FROM ${table} AS g WHERE ${where.join(' AND ')} LIMIT ${binder.bind(cap)})`,
      params: binder.params,
    };
  }

  /** How many runs the attribute comparisons let through, counting no further than `cap`. */
  estimateAttributes(cap: number): Statement {
    const binder = new Binder();
    const where = [
      `r.experiment_id IN ${this.#experiments(binder)}`,
      ...this.attributeComparisons.map((c) => condition(c, this.#attribute(c.field), binder)),
    ];
    return {
      sql: `SELECT count(*) AS n FROM (SELECT 1 FROM run_search AS r WHERE ${where.join(' AND ')} LIMIT ${binder.bind(cap)})`,
      params: binder.params,
    };
  }

  #attribute(field: RunField): string {
    return `r.${ATTRIBUTE_COLUMNS[field.key as keyof typeof ATTRIBUTE_COLUMNS].column}`;
  }

  /**
   * The walk of the first order key's index, in order: FROM and WHERE parts of the `order` driver. With
   * `bound`, only entries up to and including that value: whole groups of equal values, so a page drawn
   * from the walk is exact whenever it fills up.
   */
  #orderWalk(binder: Binder, bound: string | number | undefined): { from: string[]; where: string[] } {
    const { field, descending } = this.first;
    const limit = bound === undefined ? [] : [`${descending ? '>=' : '<='} ${binder.bind(bound)}`];
    if (field.kind === 'attribute') {
      return {
        from: ['run_search AS r INDEXED BY run_search_by_start'],
        where: [`r.experiment_id IN ${this.#experiments(binder)}`, ...limit.map((l) => `r.start_time ${l}`)],
      };
    }
    const group = this.#groupOf(field);
    const { table } = CHILD_TABLES[field.kind];
    return {
      from: [`${table} AS d INDEXED BY ${table}_by_value`, 'CROSS JOIN run_search AS r ON r.rid = d.rid'],
      where: [
        `d.experiment_id IN ${this.#experiments(binder)}`,
        ...this.#childConditions(
          'd',
          field,
          group === undefined ? [] : this.groups[group]!.comparisons,
          binder,
        ),
        ...limit.map((l) => `d.value ${l}`),
      ],
    };
  }

  /** The first order key's value at the `scan`-th entry of its index walk, if the walk has that many. */
  boundary(scan: number): Statement {
    const binder = new Binder();
    const { field, descending } = this.first;
    const direction = descending ? 'DESC' : 'ASC';
    const offset = `LIMIT 1 OFFSET ${binder.bind(scan - 1)}`;
    if (field.kind === 'attribute') {
      const where = `experiment_id IN ${this.#experiments(binder)}`;
      return {
        sql: `SELECT start_time AS value FROM run_search WHERE ${where} ORDER BY start_time ${direction} ${offset}`,
        params: binder.params,
      };
    }
    const group = this.#groupOf(field);
    const { table } = CHILD_TABLES[field.kind];
    const where = [
      `d.experiment_id IN ${this.#experiments(binder)}`,
      ...this.#childConditions(
        'd',
        field,
        group === undefined ? [] : this.groups[group]!.comparisons,
        binder,
      ),
    ];
    return {
      sql: `SELECT d.value AS value FROM ${table} AS d WHERE ${where.join(' AND ')} ORDER BY d.value ${direction} ${offset}`,
      params: binder.params,
    };
  }

  /** How many entries the ordered walk up to and including `bound` covers, counting no further than `cap`. */
  walkLength(bound: string | number, cap: number): Statement {
    const binder = new Binder();
    const walk = this.#orderWalk(binder, bound);
    // The walk's conditions name the walked table only (`d`, or `r` for start_time): no join needed.
    return {
      sql: `SELECT count(*) AS n FROM (SELECT 1 FROM ${walk.from[0]} WHERE ${walk.where.join(' AND ')} LIMIT ${binder.bind(cap)})`,
      params: binder.params,
    };
  }

  /** One page (or a count) of the runs of `part`, joined from `driver` in a fixed order (CROSS JOIN). */
  page(options: PageOptions): Statement {
    const binder = new Binder();
    const experiments = this.#experiments(binder);
    const from: string[] = [];
    const where: string[] = [`r.experiment_id IN ${experiments}`];
    const aliases = new Map<string, { alias: string; nullable: boolean }>();
    const first = this.first;
    let order = this.order;

    if (options.driver === 'order') {
      const walk = this.#orderWalk(binder, options.bound);
      from.push(...walk.from);
      where.push(...walk.where);
      if (first.field.kind !== 'attribute')
        aliases.set(fieldId(first.field), { alias: 'd', nullable: false });
    } else if (options.driver === 'runs') {
      from.push('run_search AS r');
    } else {
      const group = this.groups[options.driver]!;
      const { table } = CHILD_TABLES[group.field.kind];
      from.push(`${table} AS g`, 'CROSS JOIN run_search AS r ON r.rid = g.rid');
      where.push(
        `g.experiment_id IN ${experiments}`,
        ...this.#childConditions('g', group.field, group.comparisons, binder),
      );
      aliases.set(fieldId(group.field), { alias: 'g', nullable: false });
    }

    this.groups.forEach((group, index) => {
      if (aliases.has(fieldId(group.field))) return;
      const alias = `j${index}`;
      const { table } = CHILD_TABLES[group.field.kind];
      const on = [
        `${alias}.rid = r.rid`,
        ...this.#childConditions(alias, group.field, group.comparisons, binder),
      ];
      from.push(`CROSS JOIN ${table} AS ${alias} ON ${on.join(' AND ')}`);
      aliases.set(fieldId(group.field), { alias, nullable: false });
    });
    if (options.part !== 'all' && first.field.kind !== 'attribute') {
      const { table } = CHILD_TABLES[first.field.kind];
      if (options.part === 'having' && !aliases.has(fieldId(first.field))) {
        from.push(`CROSS JOIN ${table} AS h ON h.rid = r.rid AND h.key = ${binder.bind(first.field.key)}`);
        aliases.set(fieldId(first.field), { alias: 'h', nullable: false });
      } else if (options.part === 'lacking') {
        where.push(
          `NOT EXISTS (SELECT 1 FROM ${table} AS x WHERE x.rid = r.rid AND x.key = ${binder.bind(first.field.key)})`,
        );
        order = order.slice(1);
      }
    }
    for (const comparison of this.attributeComparisons) {
      where.push(condition(comparison, this.#attribute(comparison.field), binder));
    }

    if (options.count) {
      return {
        sql: `SELECT count(*) AS n FROM ${from.join('\n')}\nWHERE ${where.join(' AND ')}`,
        params: binder.params,
      };
    }
    const terms: string[] = [];
    const values: string[] = [];
    order.forEach(({ field, descending }, index) => {
      let expression: string;
      let nullable: boolean;
      if (field.kind === 'attribute') {
        expression = this.#attribute(field);
        nullable = ATTRIBUTE_COLUMNS[field.key].nullable;
      } else {
        let joined = aliases.get(fieldId(field));
        if (!joined) {
          joined = { alias: `o${index}`, nullable: true };
          const { table } = CHILD_TABLES[field.kind];
          from.push(
            `LEFT JOIN ${table} AS ${joined.alias} ON ${joined.alias}.rid = r.rid AND ${joined.alias}.key = ${binder.bind(field.key)}`,
          );
          aliases.set(fieldId(field), joined);
        }
        expression = `${joined.alias}.value`;
        nullable = joined.nullable;
      }
      values.push(expression);
      if (nullable) terms.push(`${expression} IS NULL`);
      terms.push(`${expression} ${descending ? 'DESC' : 'ASC'}`);
    });
    const sql = [
      `SELECT r.run_id AS runId, r.pk AS pk, ${values[0] ?? 'NULL'} AS first`,
      `FROM ${from.join('\n')}`,
      `WHERE ${where.join(' AND ')}`,
      `ORDER BY ${terms.join(', ')}`,
      `LIMIT ${binder.bind(options.take)} OFFSET ${binder.bind(options.skip)}`,
    ].join('\n');
    return { sql, params: binder.params };
  }
}
