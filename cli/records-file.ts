import { createReadStream } from 'node:fs';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';

type FeatureType = 'float' | 'int' | 'string' | 'bool';
type Row = Record<string, unknown>;

/**
 * CSV cells are strings; the API does not guess types, so the CLI converts each column by the
 * group's declared type. An empty cell is a missing value.
 */
const convert = (value: string, type: FeatureType | undefined): unknown => {
  if (value === '') return null;
  if (type === 'float' || type === 'int') {
    const number = Number(value);
    return Number.isFinite(number) ? number : value;
  }
  if (type === 'bool') return value === 'true' ? true : value === 'false' ? false : value;
  return value;
};

/** Streams the records of a CSV (header row) or JSON Lines file; types come from the group's features. */
export async function* readRecords(
  path: string,
  types: Readonly<Record<string, FeatureType>>,
): AsyncGenerator<Row> {
  const kind = extname(path).toLowerCase();
  if (kind === '.csv') {
    const parser = createReadStream(path).pipe(parse({ columns: true, skip_empty_lines: true, bom: true }));
    for await (const row of parser as AsyncIterable<Record<string, string>>) {
      const record: Row = {};
      for (const [column, value] of Object.entries(row)) record[column] = convert(value, types[column]);
      yield record;
    }
    return;
  }
  if (kind === '.jsonl' || kind === '.ndjson') {
    const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
    for await (const line of lines) if (line.trim()) yield JSON.parse(line) as Row;
    return;
  }
  throw new Error(`cannot read ${kind || 'a file without extension'}: give a .csv or .jsonl file`);
}
