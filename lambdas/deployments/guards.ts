/** Guards of a deployment phase, evaluated on the new variant's figures alone: pure. */
import type { Evaluation, FiguresRecord, GuardFailure } from './records';
import type { GuardsInput } from './schemas';

/** The p-th percentile (nearest rank) of a sample; null for an empty sample. */
export const percentile = (values: readonly number[], p: number): number | null => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
};

/** Whether two answers disagree: another class (classification), or further apart than the tolerance. */
export const disagrees = (objective: string, a: number, b: number, tolerance = 0): boolean => {
  if (Number.isNaN(a) || Number.isNaN(b)) return !(Number.isNaN(a) && Number.isNaN(b));
  if (objective === 'binary:logistic') return a >= 0.5 !== b >= 0.5;
  if (objective === 'multi:softprob') return a !== b;
  return Math.abs(a - b) > tolerance;
};

export const hasGuards = (guards: GuardsInput): boolean =>
  guards.maxErrorRate !== undefined ||
  guards.maxLatencyP99Ms !== undefined ||
  guards.maxDisagreement !== undefined ||
  guards.maxPredictionDrift !== undefined ||
  (guards.alarms?.length ?? 0) > 0;

/**
 * The guards this platform evaluates, on the figures serving records. `alarms` and
 * `maxPredictionDrift` are accepted but not evaluated here (no CloudWatch alarm or drift figure is read
 * on this path): they alone do not guard a canary.
 */
export const EVALUATED_GUARDS = ['maxErrorRate', 'maxLatencyP99Ms', 'maxDisagreement'] as const;

export const hasEvaluatedGuards = (guards: GuardsInput): boolean =>
  EVALUATED_GUARDS.some((guard) => guards[guard] !== undefined);

/**
 * Whether an evaluation saw evidence for the new variant: at least one evaluated guard had a figure
 * (a request for the error rate, a latency sample, a comparison). Guards that pass on no evidence prove
 * nothing: the driver keeps the phase baking rather than promote on them (deployments.ts).
 */
export const sawEvidence = (guards: GuardsInput, evaluation: Evaluation): boolean =>
  (guards.maxErrorRate !== undefined && evaluation.errorRate !== null) ||
  (guards.maxLatencyP99Ms !== undefined && evaluation.latencyP99Ms !== null) ||
  (guards.maxDisagreement !== undefined && evaluation.disagreement !== null);

/** Sums flushed figures of one variant. */
export const sumFigures = (figures: readonly FiguresRecord[], variant: string) => {
  let requests = 0;
  let errors = 0;
  let compared = 0;
  let disagreed = 0;
  const latencies: number[] = [];
  for (const f of figures) {
    if (f.variant !== variant) continue;
    requests += f.requests;
    errors += f.errors;
    compared += f.compared;
    disagreed += f.disagreed;
    latencies.push(...f.latencies);
  }
  return { requests, errors, compared, disagreed, latencies };
};

/**
 * Evaluates the guards on a variant's figures. A guard with no evidence (no request, no comparison)
 * passes: a phase with no traffic cannot show a fault, as a CloudWatch alarm with no data stays OK; but
 * passing on no evidence does not promote (`sawEvidence`).
 */
export const evaluateGuards = (
  guards: GuardsInput,
  variant: string,
  figures: readonly FiguresRecord[],
  at: string,
): Evaluation => {
  const sum = sumFigures(figures, variant);
  const errorRate = sum.requests === 0 ? null : sum.errors / sum.requests;
  const latencyP99Ms = percentile(sum.latencies, 99);
  const disagreement = sum.compared === 0 ? null : sum.disagreed / sum.compared;
  const failed: GuardFailure[] = [];
  if (guards.maxErrorRate !== undefined && errorRate !== null && errorRate > guards.maxErrorRate) {
    failed.push({ guard: 'maxErrorRate', limit: guards.maxErrorRate, observed: errorRate });
  }
  if (
    guards.maxLatencyP99Ms !== undefined &&
    latencyP99Ms !== null &&
    latencyP99Ms > guards.maxLatencyP99Ms
  ) {
    failed.push({ guard: 'maxLatencyP99Ms', limit: guards.maxLatencyP99Ms, observed: latencyP99Ms });
  }
  if (
    guards.maxDisagreement !== undefined &&
    disagreement !== null &&
    disagreement > guards.maxDisagreement
  ) {
    failed.push({ guard: 'maxDisagreement', limit: guards.maxDisagreement, observed: disagreement });
  }
  return {
    at,
    passed: failed.length === 0,
    variant,
    requests: sum.requests,
    errors: sum.errors,
    errorRate,
    latencyP99Ms,
    compared: sum.compared,
    disagreed: sum.disagreed,
    disagreement,
    failed,
  };
};

/** The reason a deployment records for failed guards, with their figures. */
export const failureReason = (evaluation: Evaluation): string =>
  evaluation.failed
    .map(
      (f) =>
        `guard ${f.guard} failed on variant ${evaluation.variant}: observed ${round(f.observed)} > limit ${f.limit}`,
    )
    .join('; ');

const round = (n: number): number => Math.round(n * 1e6) / 1e6;
