/**
 * The hot loop of summarizeShard: each current value of a numeric column is located in the
 * baseline's grid of ~2,000 edges. A uniform bucket table over [first edge, last edge] narrows the
 * search to the few edges in the value's bucket, so a typical value costs one multiply and one or two
 * comparisons instead of an 11-step binary search; skewed grids (heavy tails put most edges in a few
 * buckets) fall back to binary search inside the bucket, never worse than a plain one.
 */

/**
 * Buckets per edge: at 16 nearly every bucket of a smooth distribution holds at most one edge, so the
 * search is one comparison without a loop (1M × 10 normal values: ~15 ns a value against ~25 at 4).
 */
const BUCKETS_PER_EDGE = 16;

export interface EdgeLookup {
  /** The edges, then +Infinity: the one-comparison path may read one past the last edge. */
  readonly edges: Float64Array;
  readonly count: number;
  /** lowerEdge[j]: the edge offsets in bin j are measured from (bin 0 and bin E use the outer edges). */
  readonly lowerEdge: Float64Array;
  /** start[b]: index of the first edge whose bucket is ≥ b; K + 1 entries. */
  readonly start: Int32Array;
  readonly buckets: number;
  readonly scale: number;
}

export const buildEdgeLookup = (edgeList: readonly number[]): EdgeLookup => {
  const count = edgeList.length;
  const edges = new Float64Array(count + 1);
  edges.set(edgeList);
  edges[count] = Number.POSITIVE_INFINITY;
  const lowerEdge = new Float64Array(count + 1);
  for (let j = 0; j <= count; j++) lowerEdge[j] = edges[Math.min(Math.max(j - 1, 0), count - 1)] ?? 0;
  const first = edges[0] ?? 0;
  const range = (edges[count - 1] ?? 0) - first;
  const buckets = count < 2 ? 1 : 2 ** Math.ceil(Math.log2(count * BUCKETS_PER_EDGE));
  const scale = range > 0 ? buckets / range : 0;
  const start = new Int32Array(buckets + 1);
  let k = 0;
  for (let b = 0; b <= buckets; b++) {
    while (k < count && Math.min(buckets - 1, Math.trunc((edges[k]! - first) * scale)) < b) k++;
    start[b] = k;
  }
  return { edges, count, lowerEdge, start, buckets, scale };
};

/** What one shard adds up for one numeric column; typed arrays while summing, plain arrays in JSON. */
export interface NumericAccumulator {
  readonly between: Float64Array;
  readonly equal: Float64Array;
  readonly offsets: Float64Array;
  missing: number;
  violations: number;
  min: number;
  max: number;
}

export const newAccumulator = (edgeCount: number): NumericAccumulator => ({
  between: new Float64Array(edgeCount + 1),
  equal: new Float64Array(edgeCount),
  offsets: new Float64Array(edgeCount + 1),
  missing: 0,
  violations: 0,
  min: Number.POSITIVE_INFINITY,
  max: Number.NEGATIVE_INFINITY,
});

/** Bins `values[from..to)` (NaN = missing, ±Infinity = a type violation) into the accumulator. */
export const binValues = (
  lookup: EdgeLookup,
  values: Float64Array,
  from: number,
  to: number,
  acc: NumericAccumulator,
): void => {
  const { edges, count, lowerEdge, start, buckets, scale } = lookup;
  const { between, equal, offsets } = acc;
  const first = count > 0 ? edges[0]! : Number.POSITIVE_INFINITY;
  const last = count > 0 ? edges[count - 1]! : Number.POSITIVE_INFINITY;
  const lastBucket = buckets - 1;
  let { min, max, missing, violations } = acc;
  for (let r = from; r < to; r++) {
    const x = values[r]!;
    // NaN and ±Infinity are the only doubles for which x − x is not 0.
    if (x - x !== 0) {
      if (Number.isNaN(x)) missing++;
      else violations++;
      continue;
    }
    if (x < min) min = x;
    if (x > max) max = x;
    let index: number;
    if (x <= first) index = 0;
    else if (x > last) index = count;
    else {
      let bucket = ((x - first) * scale) | 0;
      if (bucket > lastBucket) bucket = lastBucket;
      let low = start[bucket]!;
      let high = start[bucket + 1]!;
      if (high - low <= 1) index = edges[low]! < x ? low + 1 : low;
      else {
        while (low < high) {
          const middle = (low + high) >>> 1;
          if (edges[middle]! < x) low = middle + 1;
          else high = middle;
        }
        index = low;
      }
    }
    if (edges[index] === x) equal[index]!++;
    else {
      between[index]!++;
      offsets[index]! += x - lowerEdge[index]!;
    }
  }
  acc.min = min;
  acc.max = max;
  acc.missing = missing;
  acc.violations = violations;
};
