import { describe, expect, it } from 'vitest';
import {
  ConditionFailedError,
  ForbiddenError,
  TransactionConflictError,
} from '../../../../lambdas/shared/errors';
import { problemFromError } from '../../../../lambdas/shared/http/problem';

describe('problem details', () => {
  it('maps ForbiddenError to a 403 problem that shows its message', () => {
    const problem = problemFromError(new ForbiddenError('bob may not approve versions of model m.'), 'req-9');

    expect(problem).toEqual({
      type: 'urn:mlops:problem:forbidden',
      title: 'Forbidden',
      status: 403,
      detail: 'bob may not approve versions of model m.',
      requestId: 'req-9',
    });
  });

  it('maps a lost condition and an exhausted transaction conflict alike: 409, retry it', () => {
    const conditions = [new ConditionFailedError('x'), new TransactionConflictError('y')].map((error) =>
      problemFromError(error, 'req-9'),
    );

    for (const problem of conditions) {
      expect(problem).toMatchObject({ status: 409, type: 'urn:mlops:problem:concurrent-modification' });
    }
  });
});
