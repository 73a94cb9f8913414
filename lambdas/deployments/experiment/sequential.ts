import { ValidationError } from '../../shared/errors';
import { checkAlpha } from './fixed-horizon';
import { type OutcomeSummary, populationVariance, sampleVariance, summaryMean } from './summary';

/**
 * The always-valid sequential test: mSPRT with a normal mixture (Johari, Koomen, Pekelis & Walsh,
 * "Peeking at A/B tests", KDD 2017). At each look, with d the observed difference of means (B − A) and
 * s² = σ²_A/n_A + σ²_B/n_B its variance, the mixture likelihood ratio of H1: d ~ N(d0, τ²) to H0: d = d0 is
 *
 *   Λ = √(s²/(s² + τ²)) · exp(τ²(d − d0)² / (2s²(s² + τ²))),
 *
 * the always-valid p-value is p_n = min(p_{n−1}, 1/Λ_n) with p_0 = 1, and the test stops (rejects H0)
 * at the first look with Λ ≥ 1/alpha. Under H0, P(ever rejecting) ≤ alpha however often one looks.
 *
 * σ² is the plug-in estimate at each look: p̂(1 − p̂) for a binary outcome, the sample variance for a
 * continuous one (as Johari et al. and Optimizely's Stats Engine do).
 *
 * τ² is the prior variance of the effect under H1 and must be fixed before the data is seen. The test
 * is most powerful for effects near τ, so the default ties it to the minimum detectable effect the
 * experiment was sized for: τ² = mde² (`tau2FromMinimumDetectableEffect`); callers may set τ² directly.
 */

export type OutcomeKind = 'binary' | 'continuous';

export interface ArmSummaries {
  readonly a: OutcomeSummary;
  readonly b: OutcomeSummary;
}

export interface MsprtOptions {
  readonly alpha: number;
  readonly tau2: number;
  /** d0, the difference under H0; 0 unless stated. */
  readonly nullDifference?: number;
}

export interface MsprtLook {
  /** d = mean_B − mean_A at this look. */
  readonly difference: number;
  /** s² = σ²_A/n_A + σ²_B/n_B at this look. */
  readonly variance: number;
  /** Λ, capped at the largest double so that it stays a JSON number. */
  readonly statistic: number;
  readonly logStatistic: number;
  /** The always-valid p-value after this look. */
  readonly pValue: number;
  /** False when the look carries no evidence (too few values or s² = 0): Λ = 1 there. */
  readonly informative: boolean;
}

export interface MsprtResult {
  readonly looks: readonly MsprtLook[];
  /** The always-valid p-value after the last look; 1 before any. */
  readonly pValue: number;
  /** The index of the first look with Λ ≥ 1/alpha, or null. */
  readonly rejectedAt: number | null;
  readonly rejected: boolean;
}

/** τ² = mde²: the mixture's spread at the smallest effect worth detecting. */
export const tau2FromMinimumDetectableEffect = (minimumDetectableEffect: number): number => {
  if (!Number.isFinite(minimumDetectableEffect) || minimumDetectableEffect === 0)
    throw new ValidationError([
      {
        field: 'minimumDetectableEffect',
        rule: 'nonzero',
        message: `the minimum detectable effect must be a finite nonzero number, got ${minimumDetectableEffect}`,
      },
    ]);
  return minimumDetectableEffect * minimumDetectableEffect;
};

const checkTau2 = (tau2: number): void => {
  if (!(tau2 > 0) || !Number.isFinite(tau2))
    throw new ValidationError([
      { field: 'tau2', rule: 'positive', message: `τ² must be a finite number > 0, got ${tau2}` },
    ]);
};

/** ln Λ for one look (s² > 0, τ² > 0), computed in logs so that a large effect cannot overflow. */
export const msprtLogLikelihoodRatio = (
  difference: number,
  variance: number,
  tau2: number,
  nullDifference = 0,
): number => {
  const spread = variance + tau2;
  const shift = difference - nullDifference;
  return 0.5 * Math.log(variance / spread) + (tau2 * shift * shift) / (2 * variance * spread);
};

/** A look needs this many outcomes in each variant to carry evidence (a variance needs two). */
export const MINIMUM_PER_VARIANT = 2;

/** d and s² of one look from the two variants' summaries. */
export const lookMoments = (
  look: ArmSummaries,
  kind: OutcomeKind,
): { difference: number; variance: number } => {
  const variance = kind === 'binary' ? populationVariance : sampleVariance;
  const enough = look.a.count >= MINIMUM_PER_VARIANT && look.b.count >= MINIMUM_PER_VARIANT;
  return {
    difference: summaryMean(look.b) - summaryMean(look.a),
    variance: enough ? variance(look.a) / look.a.count + variance(look.b) / look.b.count : 0,
  };
};

/**
 * The mSPRT over a sequence of looks given as (d, s²), oldest first. A look with s² = 0 (too few values,
 * or every value alike so far) carries no evidence: Λ = 1 and the p-value carries over — rather than
 * Λ = ∞ that a zero plug-in variance would give, which would reject on the first few identical values.
 */
export const msprtFromMoments = (
  looks: readonly { readonly difference: number; readonly variance: number }[],
  options: MsprtOptions,
): MsprtResult => {
  checkAlpha(options.alpha);
  checkTau2(options.tau2);
  const nullDifference = options.nullDifference ?? 0;
  const threshold = -Math.log(options.alpha);
  let pValue = 1;
  let rejectedAt: number | null = null;
  const results = looks.map((look, index): MsprtLook => {
    const informative =
      look.variance > 0 && Number.isFinite(look.variance) && Number.isFinite(look.difference);
    const logStatistic = informative
      ? msprtLogLikelihoodRatio(look.difference, look.variance, options.tau2, nullDifference)
      : 0;
    pValue = Math.min(pValue, Math.exp(-logStatistic));
    if (rejectedAt === null && logStatistic >= threshold) rejectedAt = index;
    return {
      difference: Number.isFinite(look.difference) ? look.difference : 0,
      variance: informative ? look.variance : 0,
      statistic: Math.min(Math.exp(logStatistic), Number.MAX_VALUE),
      logStatistic,
      pValue,
      informative,
    };
  });
  return { looks: results, pValue, rejectedAt, rejected: rejectedAt !== null };
};

/** The mSPRT over cumulative per-variant summaries, one pair per look, oldest first. */
export const msprt = (
  looks: readonly ArmSummaries[],
  kind: OutcomeKind,
  options: MsprtOptions,
): MsprtResult =>
  msprtFromMoments(
    looks.map((look) => lookMoments(look, kind)),
    options,
  );
