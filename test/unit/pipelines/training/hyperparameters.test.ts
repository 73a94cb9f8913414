import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import {
  boosterParameters,
  Hyperparameters,
  parseHyperparameters,
} from '../../../../lambdas/pipelines/training/hyperparameters';
import { ValidationError } from '../../../../lambdas/shared/errors';

const issuesOf = (input: unknown) => {
  try {
    parseHyperparameters(input);
  } catch (error) {
    if (error instanceof ValidationError) return error.issues;
    throw error;
  }
  throw new Error('expected a ValidationError');
};

describe('training: hyperparameters', () => {
  it("fills XGBoost's defaults for what is not given", () => {
    const h = parseHyperparameters({ objective: 'binary:logistic' });

    expect(h).toMatchObject({
      objective: 'binary:logistic',
      num_round: 10,
      max_depth: 6,
      eta: 0.3,
      gamma: 0,
      min_child_weight: 1,
      subsample: 1,
      colsample_bytree: 1,
      lambda: 1,
      alpha: 0,
      base_score: 0.5,
      tree_method: 'hist',
      seed: 0,
    });
    expect(parseHyperparameters(undefined).objective).toBe('reg:squarederror');
  });

  it('refuses an unknown name, naming the field and pointing to XGBoost’s name when it knows it', () => {
    const issues = issuesOf({ learning_rate: 0.1, colour: 'red' });

    expect(issues).toEqual([
      expect.objectContaining({
        field: 'hyperparameters.learning_rate',
        message: expect.stringContaining('XGBoost calls it eta'),
      }),
      expect.objectContaining({
        field: 'hyperparameters.colour',
        message: expect.stringContaining('known: objective'),
      }),
    ]);
  });

  it.each([
    [{ eta: 1.5 }, 'hyperparameters.eta'],
    [{ subsample: 0 }, 'hyperparameters.subsample'],
    [{ max_depth: 2.5 }, 'hyperparameters.max_depth'],
    [{ num_round: 0 }, 'hyperparameters.num_round'],
    [{ lambda: -1 }, 'hyperparameters.lambda'],
    [{ objective: 'reg:linear' }, 'hyperparameters.objective'],
    [{ objective: 'multi:softprob' }, 'hyperparameters.num_class'],
    [{ objective: 'binary:logistic', num_class: 3 }, 'hyperparameters.num_class'],
    [{ objective: 'binary:logistic', base_score: 1 }, 'hyperparameters.base_score'],
    [{ colsample_bylevel: 0.5 }, 'hyperparameters.colsample_bylevel'],
  ])('refuses %j at %s', (input, field) => {
    expect(issuesOf(input).map((issue) => issue.field)).toEqual([field]);
  });

  it('is a closed object in the JSON Schema the OpenAPI document shows', () => {
    const schema = z.toJSONSchema(Hyperparameters, { io: 'input' }) as { additionalProperties?: unknown };

    expect(schema.additionalProperties).toBe(false);
  });

  it('gives the WASM build its own names: reg:linear for squared error, strings, no num_round', () => {
    const params = boosterParameters(parseHyperparameters({ eta: 0.05, num_round: 50 }));

    expect(params).toMatchObject({ objective: 'reg:linear', eta: '0.05', max_depth: '6', seed: '0' });
    expect(params).not.toHaveProperty('num_round');
    expect(
      boosterParameters(parseHyperparameters({ objective: 'multi:softprob', num_class: 4 })).num_class,
    ).toBe('4');
  });
});
