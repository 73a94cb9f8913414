/**
 * The training pipeline on the local platform, through the HTTP API: the shared ASL file on the local
 * Step Functions runner, the feature store's training set, in-process XGBoost, the registry, experiment
 * tracking, the drift baseline and the outbox. What starts it again (drift, schedules) is in
 * training-triggers.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { baselineKey } from '../../lambdas/monitoring/baselines';
import {
  CUSTOMERS,
  customers,
  type Execution,
  type Note,
  request,
  type Step,
  TRAINING_PIPELINE_STEPS,
  useTrainingPlatform,
} from '../support/training-pipeline';

describe('training pipeline on the local platform', () => {
  const fixture = useTrainingPlatform();
  const { call, train } = fixture;

  let first: Execution;
  it('validates, builds the training set, trains, evaluates, registers and notifies', async () => {
    first = (await train(request())) as Execution;
    expect(first.status, JSON.stringify(first)).toBe('SUCCEEDED');
    expect(first.steps.map((s: Step) => [s.name, s.status])).toEqual(
      TRAINING_PIPELINE_STEPS.map((name) => [name, 'SUCCEEDED']),
    );
    for (const step of first.steps)
      expect(Date.parse(step.endedAt)).toBeGreaterThanOrEqual(Date.parse(step.startedAt));
    expect(first.output).toMatchObject({ modelVersion: 1, datasetVersion: { rowCount: CUSTOMERS } });
    expect(first.output.datasetVersion.sha256).toMatch(/^[0-9a-f]{64}$/);
    // Learnable but noisy: well above chance, below perfection.
    expect(first.output.metrics.auc).toBeGreaterThan(0.75);
    expect(first.output.metrics.auc).toBeLessThan(1);
    expect(first.output.metrics.logloss).toBeGreaterThan(0);
    expect(first.startedBy).toBe('alice');
  }, 120_000);

  it('registers the version PendingApproval with metrics, params, signature, SHA-256 and full lineage', async () => {
    const version = (await call('GET', '/models/credit-default/versions/1')).body;
    expect(version.status).toBe('PendingApproval');
    expect(version.artifactSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(version.metrics.auc).toBeCloseTo(first.output.metrics.auc, 12);
    expect(version.params).toMatchObject({
      objective: 'binary:logistic',
      num_round: '20',
      seed: '42',
      label: 'defaulted',
    });
    expect(version.signature.inputs.map((i: { name: string }) => i.name)).toEqual([
      'customer__income',
      'customer__debt',
      'customer__segment',
      'customer__tenure',
    ]);
    expect(version.lineage).toMatchObject({
      datasets: [{ sha256: first.output.datasetVersion.sha256, rowCount: CUSTOMERS }],
      featureGroups: [{ name: 'customer', version: 1 }],
      trainingRun: { runId: first.output.runId },
      code: { image: 'local/ml-xgboost:1.1.2' },
      pipelineExecution: { executionId: first.executionId },
    });
    // The run in experiment tracking is finished, carries the metrics and links the version.
    const run = (await call('GET', `/runs/${first.output.runId}`)).body;
    expect(run.status).toBe('FINISHED');
    expect(run.metrics.auc.value).toBeCloseTo(first.output.metrics.auc, 12);
    expect(run.modelVersions).toMatchObject([{ model: 'credit-default', version: 1 }]);
    // The drift baseline: profiles of the training features and of the validation predictions.
    const baseline = await fixture.platform.objects.get(baselineKey('credit-default', 1));
    expect(baseline).toBeDefined();
    const parsed = JSON.parse(Buffer.from(baseline!.body).toString('utf8'));
    expect(parsed.featureGroups).toEqual([{ name: 'customer', version: 1 }]);
    expect(parsed.metrics.auc).toBeCloseTo(first.output.metrics.auc, 12);
    // The feature group names the model among its users.
    expect((await call('GET', '/feature-groups/customer')).body.usedBy.models).toEqual(['credit-default']);
    // The success is in the outbox.
    const notes = (await call('GET', '/notifications')).body.items;
    expect(
      notes.some((n: Note) => n.type === 'pipelines.training.succeeded' && n.detail.modelVersion === 1),
    ).toBe(true);
  });

  it('is reproducible: the same request again gives a byte-identical artifact and the same dataset version', async () => {
    const second = await train(request());
    expect(second.status).toBe('SUCCEEDED');
    expect(second.output.modelVersion).toBe(2);
    expect(second.output.datasetVersion.sha256).toBe(first.output.datasetVersion.sha256);
    const [v1, v2] = await Promise.all([
      call('GET', '/models/credit-default/versions/1'),
      call('GET', '/models/credit-default/versions/2'),
    ]);
    expect(v2.body.artifactSha256).toBe(v1.body.artifactSha256);
    expect(v2.body.metrics).toEqual(v1.body.metrics);
  }, 120_000);

  it('a gate that is not met ends FAILED with GateNotMet, the metrics in the cause, and registers nothing', async () => {
    const failed = await train(request({ gate: { metric: 'auc', min: 0.9999 } }));
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toBe('GateNotMet');
    expect(JSON.parse(failed.cause).metrics.auc).toBeCloseTo(first.output.metrics.auc, 12);
    expect(failed.steps.map((s: Step) => s.name)).toEqual([
      'ValidateData',
      'BuildTrainingSet',
      'Train',
      'CreateModel',
      'PlanScoring',
      'ScoreHeldOut',
      'Evaluate',
      'Gate',
      'GateNotMet',
      'RecordFailure',
      'Failed',
    ]);
    expect((await call('GET', '/models/credit-default')).body.latestVersion).toBe(2);
    const notes = (await call('GET', '/notifications')).body.items;
    expect(
      notes.some((n: Note) => n.type === 'pipelines.training.failed' && n.attributes.error === 'GateNotMet'),
    ).toBe(true);
  }, 120_000);

  it('compares against the champion on the same held-out rows', async () => {
    expect(
      (
        await call('POST', '/models/credit-default/versions/1/approval', {
          decision: 'Approved',
          reviewer: 'alice',
          comment: 'good enough',
        })
      ).status,
    ).toBe(200);
    expect((await call('PUT', '/models/credit-default/aliases/champion', { version: 1 })).status).toBe(200);
    // Same data, same seed: the challenger equals the champion, so it cannot beat it by 0.01.
    const failed = await train(request({ gate: { metric: 'auc', mustBeatChampionBy: 0.01 } }));
    expect(failed.error).toBe('GateNotMet');
    const cause = JSON.parse(failed.cause);
    expect(cause.champion).toMatchObject({ version: 1 });
    expect(cause.champion.metrics.auc).toBeCloseTo(cause.metrics.auc, 12);
    // A margin of 0 is met by an equal model.
    const passed = await train(request({ gate: { metric: 'auc', mustBeatChampionBy: 0 } }));
    expect(passed.status).toBe('SUCCEEDED');
  }, 120_000);

  it('a margin over a champion that cannot be scored on these rows is not met', async () => {
    // The champion (v1) reads income, debt, segment and tenure; this set has tenure only.
    const failed = await train(
      request({ features: ['customer:tenure'], gate: { metric: 'auc', mustBeatChampionBy: 0 } }),
    );
    expect(failed.error).toBe('GateNotMet');
    const cause = JSON.parse(failed.cause!);
    expect(cause.gate.passed).toBe(false);
    expect(cause.gate.reasons.join(' ')).toMatch(/champion v1 could not be scored.*customer__income/);
  }, 120_000);

  it('trains a multi-class model (multi:softprob) end to end', async () => {
    const done = await train(
      request({
        model: 'segment-classifier',
        features: ['customer:income', 'customer:debt', 'customer:tenure'],
        entities: customers.map((c, i) => ({
          customer_id: c.id,
          eventTime: '2026-11-02T00:00:00Z',
          segment_class: i % 3,
        })),
        label: 'segment_class',
        hyperparameters: { objective: 'multi:softprob', num_class: 3, num_round: 10, max_depth: 3, seed: 1 },
      }),
    );
    expect(done.status, JSON.stringify(done)).toBe('SUCCEEDED');
    const metrics = done.output.metrics as unknown as Record<string, number>;
    expect(metrics.accuracy).toBeGreaterThan(0);
    expect(metrics.logloss).toBeGreaterThan(0);
    expect(await fixture.platform.objects.head(baselineKey('segment-classifier', 1))).toBeDefined();
  }, 120_000);

  it('trains on one feature even when held-out rows have it missing (entities older than any record)', async () => {
    const done = await train(
      request({
        model: 'income-only',
        features: ['customer:income'],
        entities: customers.map((c, i) => ({
          customer_id: c.id,
          // One row in ten looks back from before the customer's first record: income is null there.
          eventTime: i % 10 === 0 ? '2026-10-01T00:00:00Z' : '2026-11-02T00:00:00Z',
          defaulted: c.defaulted,
        })),
      }),
    );
    expect(done.status, JSON.stringify(done)).toBe('SUCCEEDED');
  }, 120_000);

  it('data that fails validation ends FAILED with DataValidationFailed and a readable report', async () => {
    const constant = request({
      entities: customers.map((c) => ({
        customer_id: c.id,
        eventTime: '2026-11-02T00:00:00Z',
        defaulted: false,
      })),
    });
    const failed = await train(constant);
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toBe('DataValidationFailed');
    const report = JSON.parse(failed.cause);
    expect(report.ok).toBe(false);
    expect(
      report.checks.some(
        (c: { status: string; name: string; detail: string }) =>
          c.status === 'fail' && /constant/i.test(`${c.name} ${c.detail}`),
      ),
    ).toBe(true);
    expect(failed.steps.map((s: Step) => s.name)).toEqual(['ValidateData', 'RecordFailure', 'Failed']);
  }, 60_000);

  it('refuses a bad request with 400 naming the fields, and starts nothing', async () => {
    const before = (await call('GET', '/pipelines/executions?limit=1000')).body.items.length;
    const refused = await call(
      'POST',
      '/pipelines/training/executions',
      request({
        featureService: 'svc',
        hyperparameters: { learning_rate: 0.1 },
        split: { validationFraction: 2 },
      }),
    );
    expect(refused.status).toBe(400);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    const fields = refused.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['body.features', 'body.hyperparameters.learning_rate']));
    expect(
      refused.body.errors.find((e: { field: string }) => e.field === 'body.hyperparameters.learning_rate')
        .message,
    ).toContain('eta');
    expect((await call('GET', '/pipelines/executions?limit=1000')).body.items.length).toBe(before);
  });

  it('lists executions newest first, per model, and answers 404 for an unknown id', async () => {
    const all = (await call('GET', '/pipelines/executions?model=credit-default')).body.items;
    expect(all.length).toBeGreaterThanOrEqual(5);
    const ids = all.map((e: Execution) => e.executionId);
    expect([...ids].sort().reverse()).toEqual(ids);
    expect(all.at(-1).executionId).toBe(first.executionId);
    expect((await call('GET', '/pipelines/executions?model=other')).body.items).toEqual([]);
    const missing = await call('GET', '/pipelines/executions/01ARZ3NDEKTSV4RRFFQ69G5FAV');
    expect(missing.status).toBe(404);
  });
});
