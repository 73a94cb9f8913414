/**
 * The held-out split: a seeded random fraction of the rows, or every row at or after a cutoff instant.
 * Both are pure functions of the table, the spec and the seed, computed in 32-bit integer arithmetic, so
 * the same request splits the same way on every machine (the reproducibility of the artifact rests on it).
 */
import * as z from 'zod';
import { EVENT_TIME_COLUMN } from '../../features/training-sets/training-sets-entities';
import { ValidationError } from '../../shared/errors';
import { columnPositions, type TrainingTable } from './table';

export const SplitSpec = z
  .strictObject({
    validationFraction: z
      .number()
      .gt(0)
      .lt(1)
      .optional()
      .describe('Share of the rows held out, drawn at random from the seed (hyperparameters.seed).'),
    cutoff: z.iso
      .datetime({ offset: true })
      .optional()
      .describe(
        `ISO-8601 instant: rows whose time (${EVENT_TIME_COLUMN} by default) is at or after it are held out.`,
      ),
  })
  .superRefine((spec, ctx) => {
    if ((spec.validationFraction === undefined) === (spec.cutoff === undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'give exactly one of validationFraction or cutoff' });
    }
  });
export type SplitSpec = z.infer<typeof SplitSpec>;

/** Either member alone, as the pipeline's request schema gives it, or the parsed SplitSpec. */
export type SplitInput = { readonly validationFraction?: number; readonly cutoff?: string };

export interface SplitOptions {
  /** hyperparameters.seed: one seed drives both the split and XGBoost's sampling. */
  readonly seed: number;
  /** Column of each row's time for a cutoff split; default the feature store's eventTime. */
  readonly timeColumn?: string;
}

/** Row indexes of each side, ascending. */
export interface Split {
  readonly train: number[];
  readonly validation: number[];
}

/** murmur3's 32-bit finaliser: a bijection that spreads consecutive integers uniformly. */
const mix32 = (value: number): number => {
  let h = value >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
};

/**
 * Holds out exactly round(n × fraction) rows: those with the smallest hash of (seed, row index). The
 * hash is a bijection of the index for a given seed, so there are no ties to break.
 */
const byFraction = (rowCount: number, fraction: number, seed: number, field: string): Split => {
  if (!(fraction > 0 && fraction < 1)) {
    throw new ValidationError([
      { field: `${field}.validationFraction`, rule: 'out_of_range', message: 'must be in (0, 1)' },
    ]);
  }
  const held = Math.round(rowCount * fraction);
  const salt = mix32(seed ^ 0x9e3779b9);
  const hashes = new Uint32Array(rowCount);
  for (let i = 0; i < rowCount; i++) hashes[i] = mix32(mix32(i) ^ salt);
  const highestHeld = held === 0 ? -1 : hashes.slice().sort()[held - 1]!;
  return sidesOf(hashes.map((hash) => (hash <= highestHeld ? 1 : 0)));
};

const sidesOf = (isHeld: ArrayLike<number>): Split => {
  const train: number[] = [];
  const validation: number[] = [];
  for (let i = 0; i < isHeld.length; i++) (isHeld[i] ? validation : train).push(i);
  return { train, validation };
};

/** Epoch milliseconds of a time cell: an ISO-8601 string with a zone, or a number of epoch ms. */
const instantOf = (cell: unknown): number => {
  if (typeof cell === 'number') return cell;
  if (typeof cell === 'bigint') return Number(cell);
  if (typeof cell === 'string' && /(?:Z|[+-]\d{2}:\d{2})$/.test(cell)) return Date.parse(cell);
  return Number.NaN;
};

const byCutoff = (table: TrainingTable, cutoff: string, timeColumn: string, field: string): Split => {
  const [position] = columnPositions(table, [timeColumn], `${field}.cutoff`);
  const at = instantOf(cutoff);
  if (Number.isNaN(at)) {
    throw new ValidationError([
      { field: `${field}.cutoff`, rule: 'invalid_time', message: 'must be an ISO-8601 instant with a zone' },
    ]);
  }
  const isHeld = new Uint8Array(table.rows.length);
  for (let i = 0; i < table.rows.length; i++) {
    const time = instantOf(table.rows[i]![position!]);
    if (Number.isNaN(time)) {
      throw new ValidationError([
        {
          field: `${field}.cutoff`,
          rule: 'invalid_time',
          message: `row ${i} of ${timeColumn} is not an ISO-8601 instant with a zone or epoch milliseconds`,
        },
      ]);
    }
    isHeld[i] = time >= at ? 1 : 0;
  }
  return sidesOf(isHeld);
};

/** Splits the table's rows; a split that leaves either side empty is refused with a ValidationError. */
export const splitRows = (
  table: TrainingTable,
  spec: SplitInput,
  options: SplitOptions,
  field = 'split',
): Split => {
  const split =
    spec.cutoff !== undefined
      ? byCutoff(table, spec.cutoff, options.timeColumn ?? EVENT_TIME_COLUMN, field)
      : byFraction(table.rows.length, spec.validationFraction ?? Number.NaN, options.seed, field);
  const empty = split.train.length === 0 ? 'training' : split.validation.length === 0 ? 'validation' : '';
  if (empty) {
    const rule = spec.cutoff !== undefined ? 'cutoff' : 'validationFraction';
    throw new ValidationError([
      {
        field: `${field}.${rule}`,
        rule: 'empty_split',
        message: `leaves the ${empty} side empty (${split.train.length} training, ${split.validation.length} validation rows of ${table.rows.length})`,
      },
    ]);
  }
  return split;
};
