/**
 * Data-quality statistics per feature group version, kept as mergeable summaries: each ingestion
 * request builds the summary of its own accepted and rejected records, and merges it into one of a few
 * stored shards (so concurrent ingestions rarely contend); a read merges the shards. Every part merges
 * exactly (counts add, min/max take extremes, means weight by counts, HyperLogLog registers take maxima).
 */
import { HyperLogLog, hashNumber, murmur3 } from './hyperloglog';
import type { FeatureValue } from './validation';

export interface FeatureQuality {
  readonly nulls: number;
  /** Non-null numeric values seen (the weight of `mean`). */
  readonly numeric: number;
  readonly min: number | null;
  readonly max: number | null;
  readonly mean: number | null;
  /** HyperLogLog registers, base64. */
  readonly sketch: string;
}

export interface QualitySummary {
  readonly precision: number;
  readonly rows: number;
  readonly rejected: number;
  readonly lastEventMs: number | null;
  readonly features: Readonly<Record<string, FeatureQuality>>;
}

export interface FeatureQualityView {
  readonly nullCount: number;
  readonly nullRate: number | null;
  readonly min?: number;
  readonly max?: number;
  readonly mean?: number;
  /** HyperLogLog estimate (relative standard error `distinctError`). */
  readonly distinct: number;
}

export interface QualityView {
  readonly rowCount: number;
  readonly rejectedCount: number;
  readonly lastEventTime: string | null;
  readonly distinctError: number;
  readonly features: Record<string, FeatureQualityView>;
}

/** 3.3 % error for groups of up to 100 features; 6.5 % above, so that a summary stays far below 400 KB. */
export const precisionFor = (featureCount: number): number => (featureCount <= 100 ? 10 : 8);

export const emptySummary = (features: readonly string[]): QualitySummary => {
  const precision = precisionFor(features.length);
  const sketch = new HyperLogLog(precision).toBase64();
  return {
    precision,
    rows: 0,
    rejected: 0,
    lastEventMs: null,
    features: Object.fromEntries(
      features.map((name) => [name, { nulls: 0, numeric: 0, min: null, max: null, mean: null, sketch }]),
    ),
  };
};

interface Accumulator {
  nulls: number;
  numeric: number;
  min: number;
  max: number;
  sum: number;
  readonly sketch: HyperLogLog;
}

/** Builds the summary of one batch of records. */
export class QualityBuilder {
  readonly #names: readonly string[];
  readonly #precision: number;
  readonly #accumulators: Accumulator[];
  #rows = 0;
  #rejected = 0;
  #lastEventMs: number | null = null;

  constructor(features: readonly string[]) {
    this.#names = features;
    this.#precision = precisionFor(features.length);
    this.#accumulators = features.map(() => ({
      nulls: 0,
      numeric: 0,
      min: Number.POSITIVE_INFINITY,
      max: Number.NEGATIVE_INFINITY,
      sum: 0,
      sketch: new HyperLogLog(this.#precision),
    }));
  }

  /** One accepted record: its values in the order of the features given to the constructor. */
  add(values: readonly FeatureValue[], eventMs: number): void {
    this.#rows++;
    if (this.#lastEventMs === null || eventMs > this.#lastEventMs) this.#lastEventMs = eventMs;
    for (let i = 0; i < this.#accumulators.length; i++) {
      const acc = this.#accumulators[i] as Accumulator;
      const value = values[i];
      if (value === null || value === undefined) {
        acc.nulls++;
        continue;
      }
      if (typeof value === 'number') {
        acc.numeric++;
        acc.sum += value;
        if (value < acc.min) acc.min = value;
        if (value > acc.max) acc.max = value;
      }
      // Numbers hash their IEEE-754 bits: printing a float costs more than the whole sketch update.
      acc.sketch.addHash(
        typeof value === 'number'
          ? hashNumber(value)
          : typeof value === 'string'
            ? murmur3(value)
            : hashNumber(value ? 1 : 0),
      );
    }
  }

  reject(count: number): void {
    this.#rejected += count;
  }

  summary(): QualitySummary {
    const features: Record<string, FeatureQuality> = {};
    this.#names.forEach((name, i) => {
      const acc = this.#accumulators[i] as Accumulator;
      const some = acc.numeric > 0;
      features[name] = {
        nulls: acc.nulls,
        numeric: acc.numeric,
        min: some ? acc.min : null,
        max: some ? acc.max : null,
        mean: some ? acc.sum / acc.numeric : null,
        sketch: acc.sketch.toBase64(),
      };
    });
    return {
      precision: this.#precision,
      rows: this.#rows,
      rejected: this.#rejected,
      lastEventMs: this.#lastEventMs,
      features,
    };
  }
}

const pick = (a: number | null, b: number | null, choose: (x: number, y: number) => number) =>
  a === null ? b : b === null ? a : choose(a, b);

const mergeFeature = (a: FeatureQuality, b: FeatureQuality, precision: number): FeatureQuality => {
  const numeric = a.numeric + b.numeric;
  const sketch = HyperLogLog.fromBase64(precision, a.sketch);
  sketch.merge(HyperLogLog.fromBase64(precision, b.sketch));
  return {
    nulls: a.nulls + b.nulls,
    numeric,
    min: pick(a.min, b.min, Math.min),
    max: pick(a.max, b.max, Math.max),
    mean: numeric === 0 ? null : ((a.mean ?? 0) * a.numeric + (b.mean ?? 0) * b.numeric) / numeric,
    sketch: sketch.toBase64(),
  };
};

/** The summary of the union of two batches of the same group version. */
export const mergeSummaries = (a: QualitySummary, b: QualitySummary): QualitySummary => {
  if (a.precision !== b.precision) throw new RangeError('summaries of different precision');
  const features: Record<string, FeatureQuality> = { ...a.features };
  for (const [name, quality] of Object.entries(b.features)) {
    const mine = features[name];
    features[name] = mine === undefined ? quality : mergeFeature(mine, quality, a.precision);
  }
  return {
    precision: a.precision,
    rows: a.rows + b.rows,
    rejected: a.rejected + b.rejected,
    lastEventMs: pick(a.lastEventMs, b.lastEventMs, Math.max),
    features,
  };
};

export const viewOfSummary = (summary: QualitySummary): QualityView => ({
  rowCount: summary.rows,
  rejectedCount: summary.rejected,
  lastEventTime: summary.lastEventMs === null ? null : new Date(summary.lastEventMs).toISOString(),
  distinctError: 1.04 / Math.sqrt(2 ** summary.precision),
  features: Object.fromEntries(
    Object.entries(summary.features).map(([name, f]) => [
      name,
      {
        nullCount: f.nulls,
        nullRate: summary.rows === 0 ? null : f.nulls / summary.rows,
        ...(f.min === null ? {} : { min: f.min }),
        ...(f.max === null ? {} : { max: f.max }),
        ...(f.mean === null ? {} : { mean: f.mean }),
        distinct: HyperLogLog.fromBase64(summary.precision, f.sketch).estimate(),
      },
    ]),
  ),
});
