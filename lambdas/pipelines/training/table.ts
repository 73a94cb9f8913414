/**
 * The training set as the pipeline's steps see it: the feature store's point-in-time rows, in order,
 * with their column schema. Ints may arrive as bigint (that is how the join returns them).
 */
import { ValidationError } from '../../shared/errors';

export type Cell = string | number | bigint | boolean | null;
export type ColumnType = 'string' | 'int' | 'float' | 'bool';

export interface TableColumn {
  readonly name: string;
  readonly type: ColumnType;
}

export interface TrainingTable {
  readonly columns: readonly TableColumn[];
  readonly rows: readonly (readonly Cell[])[];
}

/** Position of each named column, or a ValidationError naming every one that is missing. */
export const columnPositions = (table: TrainingTable, names: readonly string[], field: string): number[] => {
  const positions = new Map(table.columns.map((column, i) => [column.name, i]));
  const missing = names.filter((name) => !positions.has(name));
  if (missing.length > 0) {
    throw new ValidationError(
      missing.map((name) => ({
        field,
        rule: 'unknown_column',
        message: `the training set has no column ${JSON.stringify(name)}`,
      })),
    );
  }
  return names.map((name) => positions.get(name)!);
};

/** A number cell as a JS number (bigint converted), or undefined for anything else. */
export const numericValue = (cell: Cell | undefined): number | undefined => {
  if (typeof cell === 'number') return cell;
  if (typeof cell === 'bigint') return Number(cell);
  return undefined;
};
