import { parquetReadObjects } from 'hyparquet';
import { type BasicType, type ColumnSource, parquetWriteBuffer } from 'hyparquet-writer';
import type { OfflineColumn, OfflineColumnType } from './layout';
import { epochMsOf } from './layout';

/**
 * Parquet in pure JavaScript (hyparquet-writer / hyparquet), so that a Lambda needs no native binary
 * and the local platform writes byte-compatible files with the same code. DuckDB and Athena both read
 * these types natively: string → BYTE_ARRAY UTF8, int → INT64, float → DOUBLE, bool → BOOLEAN,
 * timestamp → INT64 TIMESTAMP_MILLIS (UTC).
 */

const PARQUET_TYPES: Record<OfflineColumnType, BasicType> = {
  string: 'STRING',
  int: 'INT64',
  float: 'DOUBLE',
  bool: 'BOOLEAN',
  timestamp: 'TIMESTAMP',
};

/** A cell as the engines give it back: ints as bigint, timestamps as Date. */
export type Cell = string | number | bigint | boolean | Date | null;

const fail = (column: OfflineColumn, value: unknown): never => {
  throw new TypeError(`column ${column.name} (${column.type}) cannot hold ${JSON.stringify(String(value))}`);
};

/** The value hyparquet-writer expects for a column of this type; null for null or undefined. */
const toParquetValue = (column: OfflineColumn, value: unknown): unknown => {
  if (value === null || value === undefined) return null;
  switch (column.type) {
    case 'string':
      return typeof value === 'string' ? value : fail(column, value);
    case 'int':
      if (typeof value === 'bigint') return value;
      return typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : fail(column, value);
    case 'float':
      if (typeof value === 'bigint') return Number(value);
      return typeof value === 'number' ? value : fail(column, value);
    case 'bool':
      return typeof value === 'boolean' ? value : fail(column, value);
    case 'timestamp': {
      const ms = epochMsOf(value);
      return ms === undefined ? fail(column, value) : new Date(ms);
    }
  }
};

/** Encodes rows (objects keyed by column name) as one Parquet file, columns in the order given. */
export const encodeParquet = (
  columns: readonly OfflineColumn[],
  rows: readonly Readonly<Record<string, unknown>>[],
): Uint8Array =>
  encodeParquetColumns(
    columns,
    columns.map((column) => rows.map((row) => row[column.name])),
  );

/** Encodes column-major data (`data[c][r]` is row r of column c). */
export const encodeParquetColumns = (
  columns: readonly OfflineColumn[],
  data: readonly (readonly unknown[])[],
): Uint8Array => {
  const columnData: ColumnSource[] = columns.map((column, index) => ({
    name: column.name,
    type: PARQUET_TYPES[column.type],
    data: (data[index] ?? []).map((value) => toParquetValue(column, value)),
  }));
  return new Uint8Array(parquetWriteBuffer({ columnData, createdBy: 'mlops-platform' }));
};

/** Decodes a Parquet file into rows keyed by column name (ints as bigint, timestamps as Date). */
export const decodeParquet = async (bytes: Uint8Array): Promise<Record<string, Cell>[]> => {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return (await parquetReadObjects({ file })) as Record<string, Cell>[];
};
