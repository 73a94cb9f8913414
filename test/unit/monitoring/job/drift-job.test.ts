import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RunPlan } from '../../../../lambdas/monitoring/job/plan';
import { runMonitor } from '../../../../lambdas/monitoring/job/run-monitor';
import { baselineOfPlan } from '../../../../lambdas/monitoring/job/shard';
import { type JobEvent, runJobStep } from '../../../../lambdas/monitoring/job/steps';
import { shardsPrefix } from '../../../../lambdas/monitoring/keys';
import {
  type StateMachineDefinition,
  substituteDefinition,
} from '../../../../local/step-functions/definition';
import { LocalStepFunctions } from '../../../../local/step-functions/runner';
import {
  churnFixtures,
  type MonitorFixture,
  population,
  writeCaptureRows,
} from '../../../support/monitoring';

const TEXT = readFileSync(new URL('../../../../statemachines/drift-job.asl.json', import.meta.url), 'utf8');
const JOB = 'arn:aws:lambda:us-east-1:000000000000:function:monitoring-job';
const SUMMARISE = 'arn:aws:lambda:us-east-1:000000000000:function:monitoring-summarise';
const LIST_OBJECTS = 'arn:aws:states:::s3:listObjectsV2';

type State = Record<string, unknown>;

/**
 * The local runner (aws-local-stepfunctions 3) runs a Distributed Map as an inline one and has no
 * ItemReader or ItemBatcher. This stands in for both, in a copy of the definition: a Task with the
 * reader's resource and parameters lists the objects and cuts them into batches; the Map iterates the
 * batches, its ItemSelector building each child's `{Items, BatchInput}` as the ItemBatcher would.
 */
const emulateItemReader = (definition: StateMachineDefinition): StateMachineDefinition => {
  const copy = structuredClone(definition) as unknown as { States: Record<string, State> };
  for (const [name, state] of Object.entries(copy.States)) {
    const reader = state.ItemReader as { Resource: string; Parameters: State } | undefined;
    if (state.Type !== 'Map' || !reader) continue;
    const batcher = state.ItemBatcher as { MaxItemsPerBatch: number; BatchInput: State };
    const readerState = `${name}ItemReader`;
    copy.States[readerState] = {
      Type: 'Task',
      Resource: reader.Resource,
      Parameters: { ...reader.Parameters, MaxItemsPerBatch: batcher.MaxItemsPerBatch },
      ResultPath: '$.emulatedBatches',
      Next: name,
    };
    for (const other of Object.values(copy.States))
      if (other.Next === name && other !== copy.States[readerState]) other.Next = readerState;
    delete state.ItemReader;
    delete state.ItemBatcher;
    state.ItemsPath = '$.emulatedBatches';
    state.ItemSelector = { 'Items.$': '$$.Map.Item.Value', BatchInput: batcher.BatchInput };
  }
  return copy as unknown as StateMachineDefinition;
};

describe('monitoring: the drift-job state machine on the local runner', () => {
  const churn = churnFixtures();
  const setup = () => churn({ monitor: { name: 'churn-daily', model: 'churn', schedule: 'rate(1 day)' } });

  const runner = (f: MonitorFixture, invocations: string[]) => {
    const readBaseline = (plan: Parameters<typeof baselineOfPlan>[1]) => baselineOfPlan(f.deps, plan);
    const lambda = async (payload: unknown) => {
      invocations.push((payload as JobEvent).step);
      return runJobStep(f.deps, readBaseline, payload as JobEvent);
    };
    return new LocalStepFunctions({
      clock: f.clock,
      retryIntervalOverride: 0,
      taskHandlers: {
        [JOB]: lambda,
        [SUMMARISE]: lambda,
        [LIST_OBJECTS]: async (input) => {
          const { Prefix, MaxItemsPerBatch } = input as { Prefix: string; MaxItemsPerBatch: number };
          const keys = (await f.objects.list(Prefix, { limit: 1000 })).items.map((item) => ({
            Key: item.key,
          }));
          const batches: { Key: string }[][] = [];
          for (let i = 0; i < keys.length; i += MaxItemsPerBatch)
            batches.push(keys.slice(i, i + MaxItemsPerBatch));
          return batches;
        },
      },
    });
  };
  const definition = emulateItemReader(
    substituteDefinition(TEXT, {
      JobFunctionArn: JOB,
      SummariseFunctionArn: SUMMARISE,
      ArtifactBucketName: 'artifacts',
    }),
  );

  it('gives the report runMonitor gives on the same captures, shard by shard', async () => {
    const f = await setup();
    const drifted = population({ seed: 2, rows: 3000, shift: 1, plans: [0.2, 0.3, 0.5] });
    for (let file = 0; file < 30; file++) {
      await writeCaptureRows(f, 'churn', drifted.slice(file * 100, file * 100 + 100), {
        fileId: `file-${String(file).padStart(2, '0')}`,
        idPrefix: `f${file}`,
      });
    }
    const invocations: string[] = [];

    const execution = await runner(f, invocations).start('drift-job', definition, { monitor: 'churn-daily' })
      .result;
    const inProcess = await runMonitor(f.deps, 'churn-daily', f.clock.now());
    const [viaMachine, direct] = await Promise.all(
      [execution.output as { id: string }, inProcess].map(
        async (summary) =>
          (
            await f.call('GET /monitors/{name}/reports/{id}', {
              params: { name: 'churn-daily', id: summary.id },
            })
          ).json,
      ),
    );

    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.output).toMatchObject({ status: 'succeeded', rows: 3000, dataDrift: { drift: true } });
    // 30 objects in batches of 25: two SummariseShard children.
    expect(invocations.sort()).toEqual(['act', 'finish', 'resolve', 'summarise', 'summarise']);
    expect(viaMachine.counts).toEqual(direct.counts);
    expect(viaMachine.alerts).toEqual(direct.alerts);
    for (const [name, column] of Object.entries(direct.dataDrift.features) as [
      string,
      Record<string, number>,
    ][]) {
      for (const statistic of ['wassersteinNormed', 'ksStatistic', 'psi', 'jensenShannon'] as const) {
        if (column[statistic] !== undefined)
          expect(viaMachine.dataDrift.features[name][statistic]).toBeCloseTo(column[statistic], 9);
      }
    }
    expect((await f.objects.list(shardsPrefix('churn-daily', viaMachine.id))).items).toEqual([]);
    expect(f.publisher.types().filter((t) => t === 'monitoring.drift.detected')).toHaveLength(2);
  });

  it('answers a replayed step with what the first one recorded, notifying once', async () => {
    const f = await setup();
    const keys = await writeCaptureRows(f, 'churn', population({ seed: 3, rows: 500, shift: 1 }));
    const readBaseline = (plan: Parameters<typeof baselineOfPlan>[1]) => baselineOfPlan(f.deps, plan);
    const step = (event: JobEvent) => runJobStep(f.deps, readBaseline, event);
    const { plan } = (await step({ step: 'resolve', monitor: 'churn-daily' })) as { plan: RunPlan };
    const items = keys.map((Key) => ({ Key }));
    await step({ step: 'summarise', plan, items });
    await step({ step: 'summarise', plan, items });
    const { reportUri } = (await step({ step: 'finish', plan })) as { reportUri: string };

    const first = await step({ step: 'act', plan, reportUri });
    const again = await step({ step: 'act', plan, reportUri });
    const history = await f.call('GET /monitors/{name}/reports', { params: { name: 'churn-daily' } });

    expect(first).toMatchObject({ rows: 500, dataDrift: { drift: true } });
    expect(again).toEqual(first);
    expect(history.json.items).toEqual([first]);
    expect(f.publisher.types().filter((t) => t === 'monitoring.drift.detected')).toHaveLength(1);
  });

  it('records a run that cannot resolve as failed and ends the execution FAILED with the error', async () => {
    const f = await setup();
    await f.registry('DELETE /models/{name}/aliases/{alias}', {
      params: { name: 'churn', alias: 'champion' },
    });
    await f.call('PATCH /monitors/{name}', { params: { name: 'churn-daily' }, body: { alias: 'nightly' } });
    const invocations: string[] = [];

    const execution = await runner(f, invocations).start('drift-job', definition, { monitor: 'churn-daily' })
      .result;
    const history = await f.call('GET /monitors/{name}/reports', { params: { name: 'churn-daily' } });

    expect(execution).toMatchObject({ status: 'FAILED', error: 'MonitorRunError' });
    expect(invocations).toEqual(['resolve', 'fail']);
    expect(history.json.items).toEqual([
      expect.objectContaining({
        status: 'failed',
        error: 'MonitorRunError: Model churn has no alias nightly: no version to monitor.',
      }),
    ]);
  });
});
