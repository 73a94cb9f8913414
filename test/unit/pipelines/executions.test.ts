import { describe, expect, it } from 'vitest';
import {
  abortOrphanedExecutions,
  closeExecution,
  loadExecution,
  startTrainingExecution,
} from '../../../lambdas/pipelines/executions';
import type { TrainingRequest } from '../../../lambdas/pipelines/schemas';
import { pipelinesFixtures, request } from '../../support/pipelines';

const pipelinesFixture = pipelinesFixtures();

describe('pipeline execution records', () => {
  it('after a local restart, closes as ABORTED what was still running and nothing else', async () => {
    const { deps } = pipelinesFixture();
    const running = await startTrainingExecution(deps, request, 'alice');
    const finished = await startTrainingExecution(deps, request, 'alice');
    await closeExecution(deps, finished.executionId, { status: 'SUCCEEDED' });

    expect(await abortOrphanedExecutions(deps, 'restarted')).toBe(1);

    expect(await loadExecution(deps, running.executionId)).toMatchObject({
      status: 'ABORTED',
      error: 'PlatformRestarted',
      cause: 'restarted',
    });
    expect((await loadExecution(deps, finished.executionId)).status).toBe('SUCCEEDED');
    expect(await abortOrphanedExecutions(deps, 'restarted')).toBe(0);
  });

  it('inline entity rows go to the object store and the request carries their URI', async () => {
    const { deps, started } = pipelinesFixture();
    const { entitiesUri: _uri, ...inline } = request as unknown as Record<string, unknown>;
    const record = await startTrainingExecution(
      deps,
      {
        ...inline,
        entities: [{ customer_id: 'c1', eventTime: '2026-11-01T00:00:00Z', churned: true }],
      } as unknown as TrainingRequest,
      'alice',
    );
    expect(record.request.entitiesUri).toMatch(/^file:/);
    expect(record.request).not.toHaveProperty('entities');
    expect(started[0]!.input).toEqual({ request: record.request });
  });
});
