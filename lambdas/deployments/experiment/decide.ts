import { ValidationError } from '../../shared/errors';
import {
  checkAlpha,
  type FixedHorizonResult,
  type Interval,
  meanInterval,
  proportionInterval,
  twoProportionZTest,
  welchTTest,
} from './fixed-horizon';
import {
  type ArmSummaries,
  MINIMUM_PER_VARIANT,
  msprt,
  type OutcomeKind,
  tau2FromMinimumDetectableEffect,
} from './sequential';
import { SRM_THRESHOLD, sampleRatioMismatch } from './srm';
import { checkSummary, type OutcomeSummary, sampleVariance, summaryMean } from './summary';

/**
 * The A/B decision the experiment route returns: the sample-ratio check first (a broken split makes
 * every comparison meaningless), then the always-valid sequential test, which alone decides. The
 * fixed-horizon test is reported beside it for readers used to it; it is valid only at a horizon fixed
 * in advance, so peeking at it is exactly what the sequential test exists to avoid.
 */

export interface VariantInput {
  readonly name: string;
  /** The configured share of traffic; relative (normalised over the variants). */
  readonly weight: number;
  /** Requests routed to the variant: the counts the sample-ratio check compares to the weights. */
  readonly assigned: number;
  /** The outcomes joined to the variant's requests so far (0/1 for a binary metric). */
  readonly outcomes: OutcomeSummary;
}

export interface ExperimentInput {
  readonly metric: OutcomeKind;
  /** A (production, the control) then B (the challenger). */
  readonly variants: readonly [VariantInput, VariantInput];
  /** The cumulative outcome summaries of earlier looks, oldest first; the current one is appended. */
  readonly history?: readonly ArmSummaries[];
  /** 0.05 unless stated. */
  readonly alpha?: number;
  /** Sets τ² = mde² when `tau2` is not given; one of the two is required. */
  readonly minimumDetectableEffect?: number;
  readonly tau2?: number;
  /** Whether a larger metric is the better one (conversion: yes; error rate, latency: no). */
  readonly higherIsBetter?: boolean;
  readonly srmThreshold?: number;
}

export interface VariantReport {
  readonly name: string;
  readonly assigned: number;
  /** Outcomes observed. */
  readonly n: number;
  /** The proportion or mean; null without outcomes. */
  readonly metric: number | null;
  /** Wilson (binary) or t (continuous) interval at 1 − alpha; null when undefined (n = 0, or n < 2 for t). */
  readonly interval: Interval | null;
}

export type Decision = 'A' | 'B' | 'no-evidence-yet' | 'invalid-srm';

export interface ExperimentReport {
  readonly metric: OutcomeKind;
  readonly alpha: number;
  readonly variants: readonly [VariantReport, VariantReport];
  readonly srm: {
    readonly chiSquare: number;
    readonly degreesOfFreedom: number;
    readonly pValue: number;
    readonly mismatch: boolean;
    readonly expected: readonly number[];
  };
  readonly sequential: {
    readonly test: 'msprt-normal-mixture';
    readonly tau2: number;
    /** Λ at the last look. */
    readonly statistic: number;
    /** The always-valid p-value after every look so far. */
    readonly pValue: number;
    readonly rejected: boolean;
    /** Index of the first look where Λ ≥ 1/alpha (0 = oldest), or null. */
    readonly rejectedAtLook: number | null;
    readonly looks: number;
  };
  readonly fixedHorizon: FixedHorizonResult | null;
  readonly decision: Decision;
  /** The winning variant's name for 'A' or 'B', else null. */
  readonly winner: string | null;
  readonly reason: string;
}

const format = (value: number): string => String(Number(value.toPrecision(4)));

const successesOf = (summary: OutcomeSummary, field: string): number => {
  const successes = Math.round(summary.sum);
  if (Math.abs(summary.sum - successes) > 1e-6 * Math.max(1, summary.count) || successes > summary.count)
    throw new ValidationError([
      {
        field,
        rule: 'binary',
        message: `a binary metric's outcomes are 0 or 1: the sum ${summary.sum} is not a count of at most ${summary.count} successes`,
      },
    ]);
  return successes;
};

const momentsOf = (summary: OutcomeSummary) => ({
  n: summary.count,
  mean: summaryMean(summary),
  variance: sampleVariance(summary),
});

const variantReport = (
  variant: VariantInput,
  kind: OutcomeKind,
  alpha: number,
  field: string,
): VariantReport => {
  const { outcomes } = variant;
  const n = outcomes.count;
  const interval =
    kind === 'binary'
      ? proportionInterval({ successes: successesOf(outcomes, field), trials: n }, alpha)
      : meanInterval(momentsOf(outcomes), alpha);
  return {
    name: variant.name,
    assigned: variant.assigned,
    n,
    metric: n > 0 ? summaryMean(outcomes) : null,
    interval,
  };
};

const fixedHorizonOf = (a: OutcomeSummary, b: OutcomeSummary, kind: OutcomeKind, alpha: number) => {
  if (kind === 'binary')
    return a.count >= 1 && b.count >= 1
      ? twoProportionZTest(
          { successes: successesOf(a, 'variants[0].outcomes'), trials: a.count },
          { successes: successesOf(b, 'variants[1].outcomes'), trials: b.count },
          alpha,
        )
      : null;
  return a.count >= 2 && b.count >= 2 ? welchTTest(momentsOf(a), momentsOf(b), alpha) : null;
};

const tau2Of = (input: ExperimentInput): number => {
  if (input.tau2 !== undefined) return input.tau2;
  if (input.minimumDetectableEffect !== undefined)
    return tau2FromMinimumDetectableEffect(input.minimumDetectableEffect);
  throw new ValidationError([
    {
      field: 'ab.minimumDetectableEffect',
      rule: 'required',
      message:
        "the sequential test's mixture is set from the minimum detectable effect (τ² = mde²): give it, or τ²",
    },
  ]);
};

/** Combine the sample-ratio check, the mSPRT and the fixed-horizon test into the experiment's decision. */
export const decide = (input: ExperimentInput): ExperimentReport => {
  const alpha = input.alpha ?? 0.05;
  checkAlpha(alpha);
  if (input.variants.length !== 2)
    throw new ValidationError([
      {
        field: 'variants',
        rule: 'two',
        message: `an A/B test compares 2 variants, got ${input.variants.length}`,
      },
    ]);
  const tau2 = tau2Of(input);
  const [a, b] = input.variants;
  input.variants.forEach((variant, i) => {
    checkSummary(variant.outcomes, `variants[${i}].outcomes`);
  });
  (input.history ?? []).forEach((look, i) => {
    checkSummary(look.a, `history[${i}].a`);
    checkSummary(look.b, `history[${i}].b`);
  });

  const srm = sampleRatioMismatch(
    [a.assigned, b.assigned],
    [a.weight, b.weight],
    input.srmThreshold ?? SRM_THRESHOLD,
  );
  const looks = [...(input.history ?? []), { a: a.outcomes, b: b.outcomes }];
  const sequentialResult = msprt(looks, input.metric, { alpha, tau2 });
  const last = sequentialResult.looks.at(-1)!;
  const sequential = {
    test: 'msprt-normal-mixture' as const,
    tau2,
    statistic: last.statistic,
    pValue: sequentialResult.pValue,
    rejected: sequentialResult.rejected,
    rejectedAtLook: sequentialResult.rejectedAt,
    looks: looks.length,
  };
  const fixedHorizon = fixedHorizonOf(a.outcomes, b.outcomes, input.metric, alpha);
  const report = {
    metric: input.metric,
    alpha,
    variants: [
      variantReport(a, input.metric, alpha, 'variants[0].outcomes'),
      variantReport(b, input.metric, alpha, 'variants[1].outcomes'),
    ] as const,
    srm: {
      chiSquare: srm.chiSquare,
      degreesOfFreedom: srm.degreesOfFreedom,
      pValue: srm.pValue,
      mismatch: srm.mismatch,
      expected: srm.expected,
    },
    sequential,
    fixedHorizon,
  };
  const fixedNote =
    fixedHorizon === null
      ? ''
      : `; the fixed-horizon ${fixedHorizon.test} p = ${format(fixedHorizon.pValue)} is for information only`;

  if (srm.mismatch)
    return {
      ...report,
      decision: 'invalid-srm',
      winner: null,
      reason:
        `sample-ratio mismatch: ${a.name} got ${a.assigned} and ${b.name} ${b.assigned} requests where the weights ` +
        `${format(a.weight)}:${format(b.weight)} expect ${format(srm.expected[0]!)} and ${format(srm.expected[1]!)} ` +
        `(χ² = ${format(srm.chiSquare)}, p = ${format(srm.pValue)} < ${format(input.srmThreshold ?? SRM_THRESHOLD)}); ` +
        'the assignment is broken, so no comparison of the variants is valid',
    };
  if (sequentialResult.rejectedAt !== null) {
    const at = sequentialResult.looks[sequentialResult.rejectedAt]!;
    const bBetter = at.difference > 0 === (input.higherIsBetter ?? true);
    const winner = bBetter ? b : a;
    return {
      ...report,
      decision: bBetter ? 'B' : 'A',
      winner: winner.name,
      reason:
        `${winner.name} wins: the sequential test (mSPRT) rejected equal ${input.metric === 'binary' ? 'proportions' : 'means'} ` +
        `at look ${sequentialResult.rejectedAt + 1} of ${looks.length} with ${b.name} − ${a.name} = ${format(at.difference)} ` +
        `(Λ = ${format(at.statistic)} ≥ 1/alpha = ${format(1 / alpha)}; always-valid p = ${format(sequentialResult.pValue)})${fixedNote}`,
    };
  }
  const few = [a, b].filter((variant) => variant.outcomes.count < MINIMUM_PER_VARIANT);
  return {
    ...report,
    decision: 'no-evidence-yet',
    winner: null,
    reason:
      few.length > 0
        ? `no evidence yet: ${few.map((variant) => `${variant.name} has ${variant.outcomes.count} outcome(s)`).join(', ')}; ` +
          `the sequential test needs at least ${MINIMUM_PER_VARIANT} per variant`
        : `no evidence yet: always-valid p = ${format(sequentialResult.pValue)} > alpha = ${format(alpha)} after ` +
          `${looks.length} look(s) (Λ = ${format(last.statistic)} < 1/alpha = ${format(1 / alpha)})${fixedNote}`,
  };
};
