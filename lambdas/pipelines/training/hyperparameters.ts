/**
 * XGBoost hyperparameters under XGBoost's own names, defaults and ranges, so that the same request
 * body drives SageMaker's built-in XGBoost in the cloud and ml-xgboost in-process on a laptop.
 * Two platform limits bound the in-process run: num_round ≤ 10,000 and max_depth ≤ 20.
 */
import * as z from 'zod';
import { ValidationError } from '../../shared/errors';
import { fieldErrorsFromZod } from '../../shared/http/problem';

export const Objective = z.enum(['binary:logistic', 'reg:squarederror', 'multi:softprob']);
export type Objective = z.infer<typeof Objective>;

const unitInterval = (name: string) =>
  z.number().gt(0, `${name} must be in (0, 1]`).lte(1, `${name} must be in (0, 1]`);
const nonNegative = (name: string) => z.number().min(0, `${name} must be ≥ 0`);

/** Names that other libraries use for XGBoost's parameters, to point a caller to the right one. */
const OTHER_NAMES: Readonly<Record<string, string>> = {
  learning_rate: 'eta',
  n_estimators: 'num_round',
  num_boost_round: 'num_round',
  reg_lambda: 'lambda',
  reg_alpha: 'alpha',
  min_split_loss: 'gamma',
  random_state: 'seed',
  num_classes: 'num_class',
};

/** The message for unknown names: the XGBoost name when the caller used another library's. */
const unknownNames = (keys: readonly string[]): string =>
  keys
    .map((key) =>
      OTHER_NAMES[key]
        ? `${key}: XGBoost calls it ${OTHER_NAMES[key]}`
        : `${key}: not an XGBoost hyperparameter`,
    )
    .join('; ');

export const Hyperparameters = z
  .strictObject(
    {
      objective: Objective.default('reg:squarederror').describe('Learning task; XGBoost default.'),
      num_class: z.int().min(2).max(1000).optional().describe('Number of classes; multi:softprob only.'),
      num_round: z.int().min(1).max(10_000).default(10).describe('Boosting rounds (xgboost.train default).'),
      tree_method: z
        .enum(['exact', 'approx', 'hist'])
        .default('hist')
        .describe(
          'XGBoost ≥ 2.0 default; here 5× faster than exact (160k × 8, 100 rounds: 2.6 s vs 12.6 s).',
        ),
      max_depth: z.int().min(1).max(20).default(6),
      eta: z.number().min(0).max(1).default(0.3).describe('Learning rate.'),
      gamma: nonNegative('gamma').default(0).describe('Minimum loss reduction to split (min_split_loss).'),
      min_child_weight: nonNegative('min_child_weight').default(1),
      max_delta_step: nonNegative('max_delta_step').default(0),
      subsample: unitInterval('subsample').default(1),
      colsample_bytree: unitInterval('colsample_bytree').default(1),
      colsample_bylevel: unitInterval('colsample_bylevel').default(1),
      lambda: nonNegative('lambda').default(1).describe('L2 regularisation on leaf weights.'),
      alpha: nonNegative('alpha').default(0).describe('L1 regularisation on leaf weights.'),
      scale_pos_weight: z.number().gt(0).default(1),
      max_bin: z.int().min(2).max(65_536).default(256).describe('Histogram bins; tree_method hist only.'),
      base_score: z.number().default(0.5).describe('Initial prediction of every row.'),
      seed: z.int().min(0).max(2_147_483_647).default(0).describe('Seeds sampling and the split.'),
    },
    { error: (issue) => (issue.code === 'unrecognized_keys' ? unknownNames(issue.keys) : undefined) },
  )
  .superRefine((h, ctx) => {
    if (h.objective === 'multi:softprob' && h.num_class === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['num_class'],
        message: 'required when objective is multi:softprob',
      });
    }
    if (h.objective !== 'multi:softprob' && h.num_class !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['num_class'],
        message: 'only applies to objective multi:softprob',
      });
    }
    if (h.tree_method === 'hist' && h.colsample_bylevel < 1) {
      // Measured: the 2017 hist updater in ml-xgboost leaves the booster unchanged for any value.
      ctx.addIssue({
        code: 'custom',
        path: ['colsample_bylevel'],
        message:
          'is ignored by tree_method hist in the in-process XGBoost; use colsample_bytree, or exact/approx',
      });
    }
    if (h.objective === 'binary:logistic' && !(h.base_score > 0 && h.base_score < 1)) {
      ctx.addIssue({
        code: 'custom',
        path: ['base_score'],
        message: 'must be in (0, 1) for binary:logistic (it is a probability)',
      });
    }
  });
export type Hyperparameters = z.infer<typeof Hyperparameters>;
export type HyperparametersInput = z.input<typeof Hyperparameters>;

/** Parses hyperparameters, or throws a ValidationError naming each field (`<field>.eta`) at fault. */
export const parseHyperparameters = (input: unknown, field = 'hyperparameters'): Hyperparameters => {
  const result = Hyperparameters.safeParse(input ?? {});
  if (result.success) return result.data;
  const issues = fieldErrorsFromZod(field, result.error).map((issue) => {
    if (issue.rule !== 'unrecognized_keys') return issue;
    const name = issue.field.slice(field.length + 1);
    const instead = OTHER_NAMES[name];
    const message = instead
      ? `unknown hyperparameter; XGBoost calls it ${instead}`
      : `unknown hyperparameter; known: ${Object.keys(Hyperparameters.shape).join(', ')}`;
    return { ...issue, message };
  });
  throw new ValidationError(issues);
};

/** The objective and, for multi:softprob, the number of classes: what label checks and encodings need. */
export const objectiveOf = (h: Hyperparameters): { objective: Objective; numClass?: number } =>
  h.num_class === undefined ? { objective: h.objective } : { objective: h.objective, numClass: h.num_class };

export const isClassification = (objective: Objective): boolean => objective !== 'reg:squarederror';

/**
 * The parameters as the XGBoost build in ml-xgboost (a 2017 XGBoost) takes them: strings, with
 * `reg:squarederror` under its old name `reg:linear` (same loss), and num_round left out (it is the
 * number of update calls, not a booster parameter).
 */
export const boosterParameters = (h: Hyperparameters): Record<string, string> => {
  const { num_round: _rounds, num_class, objective, ...rest } = h;
  const params: Record<string, string> = {
    objective: objective === 'reg:squarederror' ? 'reg:linear' : objective,
    silent: '1',
  };
  if (num_class !== undefined) params.num_class = String(num_class);
  for (const [name, value] of Object.entries(rest)) params[name] = String(value);
  return params;
};
