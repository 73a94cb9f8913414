/**
 * A small HyperLogLog (Flajolet et al. 2007) for distinct-count estimates that merge: the registers of
 * two sketches combine by element-wise max, so per-batch sketches add up to the sketch of the union.
 * Relative standard error 1.04/√m with m = 2^p registers: p = 10 gives 3.3 %, p = 8 gives 6.5 %.
 * Hash: MurmurHash3 x86_32 over the value's UTF-16 code units (32 bits: good to ~10^8 distinct values
 * with the large-range correction; feature columns rarely hold more per group version).
 */

const ALPHA = (m: number): number =>
  m === 16 ? 0.673 : m === 32 ? 0.697 : m === 64 ? 0.709 : 0.7213 / (1 + 1.079 / m);

/** MurmurHash3 x86_32 of a string's code units. */
export const murmur3 = (text: string, seed = 0x9747b28c): number => {
  let h = seed >>> 0;
  const n = text.length;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    let k = (text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16)) >>> 0;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) >>> 0;
  }
  if (i < n) {
    let k = text.charCodeAt(i);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  h ^= n * 2;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
};

const float = new Float64Array(1);
const words = new Uint32Array(float.buffer);

const fmix32 = (input: number): number => {
  let h = input;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
};

/** A 32-bit hash of a number's IEEE-754 bits (0 and -0 alike), MurmurHash3's finalizer over both words. */
export const hashNumber = (value: number): number => {
  float[0] = value === 0 ? 0 : value;
  return fmix32((words[0] as number) ^ fmix32((words[1] as number) ^ 0x9747b28c));
};

export const standardError = (precision: number): number => 1.04 / Math.sqrt(2 ** precision);

export class HyperLogLog {
  readonly precision: number;
  readonly registers: Uint8Array;

  constructor(precision: number, registers?: Uint8Array) {
    if (!Number.isInteger(precision) || precision < 4 || precision > 16) {
      throw new RangeError('precision must be an integer from 4 to 16');
    }
    this.precision = precision;
    const m = 2 ** precision;
    if (registers !== undefined && registers.length !== m) throw new RangeError(`expected ${m} registers`);
    this.registers = registers ?? new Uint8Array(m);
  }

  static fromBase64(precision: number, text: string): HyperLogLog {
    return new HyperLogLog(precision, new Uint8Array(Buffer.from(text, 'base64')));
  }

  toBase64(): string {
    return Buffer.from(this.registers).toString('base64');
  }

  add(value: string): void {
    this.addHash(murmur3(value));
  }

  addHash(hash: number): void {
    const p = this.precision;
    const index = hash >>> (32 - p);
    // Rank of the first 1 bit in the remaining 32 - p bits (all zero: 32 - p + 1).
    const rest = (hash << p) >>> 0;
    const rank = rest === 0 ? 32 - p + 1 : Math.clz32(rest) + 1;
    if (rank > (this.registers[index] ?? 0)) this.registers[index] = rank;
  }

  /** Folds `other` in: afterwards this sketch estimates the union. */
  merge(other: HyperLogLog): void {
    if (other.precision !== this.precision)
      throw new RangeError('cannot merge sketches of different precision');
    const mine = this.registers;
    const theirs = other.registers;
    for (let i = 0; i < mine.length; i++) if ((theirs[i] ?? 0) > (mine[i] ?? 0)) mine[i] = theirs[i] ?? 0;
  }

  estimate(): number {
    const m = this.registers.length;
    let sum = 0;
    let zeros = 0;
    for (const register of this.registers) {
      sum += 2 ** -register;
      if (register === 0) zeros++;
    }
    const raw = (ALPHA(m) * m * m) / sum;
    if (raw <= 2.5 * m && zeros > 0) return Math.round(m * Math.log(m / zeros));
    const two32 = 2 ** 32;
    if (raw > two32 / 30) return Math.round(-two32 * Math.log(1 - raw / two32));
    return Math.round(raw);
  }
}
