import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse } from 'csv-parse/sync';
import { parquetMetadata, parquetRead } from 'hyparquet';
import { ValidationError } from '../../shared/errors';
import { isMissingText, parseDecimal } from './cells';
import type { Cell, TableInput } from './types';

/**
 * Reads a CSV (header row) or Parquet file into columns: numeric-looking columns as Float64Arrays
 * (NaN = missing), the rest as text. For a local file source of the monitors and `mlops drift compare`.
 */

export interface ReadTableOptions {
  /** Columns to keep as text even when every value is a number (a categorical override). */
  readonly textColumns?: ReadonlySet<string>;
}

/** Bytes decoded at a time: whole lines, well under V8's ~512 MB string limit. */
const CHUNK_BYTES = 16 * 1024 * 1024;
const NEWLINE = 0x0a;
const QUOTE = 0x22;

type RecordVisitor = (fields: readonly string[], row: number) => void;

/** Quote-free CSV: split on newlines and commas, a chunk of lines at a time. */
const visitPlainCsv = (bytes: Buffer, visit: RecordVisitor): void => {
  let start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let row = -1;
  while (start < bytes.length) {
    let end = Math.min(bytes.length, start + CHUNK_BYTES);
    if (end < bytes.length) {
      const newline = bytes.lastIndexOf(NEWLINE, end - 1);
      end = newline >= start ? newline + 1 : bytes.length;
    }
    for (const line of bytes.toString('utf8', start, end).split('\n')) {
      const record = line.endsWith('\r') ? line.slice(0, -1) : line;
      if (record.length > 0) visit(record.split(','), row++);
    }
    start = end;
  }
};

/** Any CSV, quotes and embedded newlines included, through csv-parse. */
const visitQuotedCsv = (bytes: Buffer, visit: RecordVisitor): void => {
  const records = parse(bytes, { bom: true, skip_empty_lines: true, relax_column_count: true }) as string[][];
  for (let index = 0; index < records.length; index++) visit(records[index]!, index - 1);
};

/**
 * Numbers go straight into a Float64Array. A column that meets text after its first row has lost the
 * text of earlier rows ('007' parsed as 7), so the caller reads those rows again as text.
 */
class ColumnBuilder {
  numbers: Float64Array | undefined = new Float64Array(1024);
  texts: (string | undefined)[] | undefined;
  textFromRow = 0;

  constructor(asText: boolean) {
    if (asText) this.toText(0);
  }

  add(value: string, row: number): void {
    if (this.texts) this.texts[row] = value;
    else if (isMissingText(value)) this.setNumber(row, Number.NaN);
    else {
      const number = parseDecimal(value);
      if (Number.isNaN(number)) {
        this.toText(row);
        this.add(value, row);
      } else this.setNumber(row, number);
    }
  }

  private setNumber(row: number, value: number): void {
    let numbers = this.numbers!;
    if (row >= numbers.length) {
      numbers = new Float64Array(numbers.length * 2);
      numbers.set(this.numbers!);
      this.numbers = numbers;
    }
    numbers[row] = value;
  }

  private toText(row: number): void {
    this.texts = [];
    this.textFromRow = row;
    this.numbers = undefined;
  }
}

const readCsv = async (path: string, options: ReadTableOptions): Promise<TableInput> => {
  const bytes = await readFile(path);
  const visitRecords = bytes.includes(QUOTE) ? visitQuotedCsv : visitPlainCsv;
  let header: readonly string[] = [];
  let builders: ColumnBuilder[] = [];
  let rows = 0;
  visitRecords(bytes, (fields, row) => {
    if (row < 0) {
      header = fields.map((name) => name.trim());
      builders = header.map((name) => new ColumnBuilder(options.textColumns?.has(name) ?? false));
      return;
    }
    if (fields.length !== header.length)
      throw new ValidationError([
        {
          field: `${path}:${row + 2}`,
          rule: 'columns',
          message: `has ${fields.length} fields, the header ${header.length}`,
        },
      ]);
    for (let c = 0; c < fields.length; c++) builders[c]!.add(fields[c]!, row);
    rows = row + 1;
  });
  const reread = builders.filter((b) => b.texts && b.textFromRow > 0);
  if (reread.length > 0)
    visitRecords(bytes, (fields, row) => {
      for (const builder of reread)
        if (row >= 0 && row < builder.textFromRow) builder.texts![row] = fields[builders.indexOf(builder)]!;
    });
  return Object.fromEntries(
    header.map((name, c) => {
      const builder = builders[c]!;
      return [
        name,
        builder.texts
          ? Array.from({ length: rows }, (_, r) => builder.texts![r] ?? '')
          : builder.numbers!.slice(0, rows),
      ];
    }),
  );
};

/** A Parquet value as a cell: numbers and bigints numeric, dates as ISO text, the rest as is. */
const parquetCell = (value: unknown, asText: boolean): Cell => {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return asText ? String(value) : Number(value);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number') return asText ? String(value) : value;
  return typeof value === 'string' || typeof value === 'boolean' ? value : JSON.stringify(value);
};

const readParquet = async (path: string, options: ReadTableOptions): Promise<TableInput> => {
  const bytes = await readFile(path);
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const metadata = parquetMetadata(file);
  const rows = Number(metadata.num_rows);
  const columns: Record<string, Cell[]> = {};
  await parquetRead({
    file,
    metadata,
    onChunk: ({ columnName, columnData, rowStart, rowEnd }) => {
      const column = columns[columnName] ?? new Array<Cell>(rows).fill(null);
      columns[columnName] = column;
      const asText = options.textColumns?.has(columnName) ?? false;
      for (let r = rowStart; r < Math.min(rowEnd, rows); r++)
        column[r] = parquetCell(columnData[r - rowStart], asText);
    },
  });
  return columns;
};

/** Reads a .csv (header row) or .parquet file as columns. */
export const readTableFile = (path: string, options: ReadTableOptions = {}): Promise<TableInput> => {
  const kind = extname(path).toLowerCase();
  if (kind === '.csv') return readCsv(path, options);
  if (kind === '.parquet') return readParquet(path, options);
  return Promise.reject(
    new ValidationError([{ field: path, rule: 'file_type', message: 'give a .csv or .parquet file' }]),
  );
};
