/**
 * The training pipeline on the local platform, through the HTTP API: the shared ASL file on the local
 * Step Functions runner, the feature store's training set, in-process XGBoost, the registry, experiment
 * tracking, the drift baseline and the outbox.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baselineKey } from '../../lambdas/monitoring/baselines';
import { lastSuccessfulRun } from '../../lambdas/pipelines/triggers';
import { loadLocalConfig } from '../../local/config';
import { parseWebhookUrls } from '../../local/notifications/webhook-urls';
import { type LocalPlatform, startLocalPlatform } from '../../local/platform';
import { readJson } from '../support/http';

/** A small deterministic generator (mulberry32), so the data is the same on every machine. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

interface Step {
  readonly name: string;
  readonly status: string;
  readonly startedAt: string;
  readonly endedAt: string;
}
interface Execution {
  readonly executionId: string;
  readonly status: string;
  readonly startedBy: string;
  readonly steps: Step[];
  readonly output: {
    readonly modelVersion: number;
    readonly runId: string;
    readonly metrics: { readonly auc: number; readonly logloss: number };
    readonly datasetVersion: { readonly sha256: string; readonly rowCount: number };
  };
  readonly error?: string;
  readonly cause?: string;
}
interface Note {
  readonly type: string;
  readonly attributes: Record<string, string>;
  readonly detail: { readonly modelVersion?: number };
}

const CUSTOMERS = 400;
const next = random(7);
const customers = Array.from({ length: CUSTOMERS }, (_, i) => {
  const income = Math.round(next() * 1000) / 10;
  const debt = Math.round(next() * 1000) / 10;
  const segment = ['retail', 'smb', 'corporate'][i % 3]!;
  // The label depends on the features (plus noise): a model can learn it, but not perfectly.
  const defaulted = debt - income + (segment === 'smb' ? 15 : 0) + (next() - 0.5) * 30 > 0;
  return { id: `c${i}`, income, debt, segment, tenure: i % 60, defaulted };
});

describe('training pipeline on the local platform', () => {
  let home: string;
  let platform: LocalPlatform;
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${platform.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-mlops-actor': 'alice' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const answer = response.status === 204 ? undefined : await readJson(response);
    return { status: response.status, body: answer, headers: response.headers };
  };
  const request = (overrides: Record<string, unknown> = {}) => ({
    model: 'credit-default',
    features: ['customer:income', 'customer:debt', 'customer:segment', 'customer:tenure'],
    entities: customers.map((c) => ({
      customer_id: c.id,
      eventTime: '2026-11-02T00:00:00Z',
      defaulted: c.defaulted,
    })),
    label: 'defaulted',
    algorithm: 'xgboost',
    hyperparameters: { objective: 'binary:logistic', num_round: 20, max_depth: 3, eta: 0.3, seed: 42 },
    split: { validationFraction: 0.25 },
    ...overrides,
  });
  /** Starts an execution and waits for it to close. */
  const train = async (body: unknown) => {
    const started = await call('POST', '/pipelines/training/executions', body);
    expect(started.status).toBe(202);
    await platform.workflows.drain();
    const done = await call('GET', `/pipelines/executions/${started.body.executionId}`);
    expect(done.status).toBe(200);
    return done.body;
  };

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'mlops-pipeline-'));
    platform = await startLocalPlatform(
      loadLocalConfig({ MLOPS_PORT: '0', MLOPS_HOME: home }, parseWebhookUrls),
    );
    const group = await call('POST', '/feature-groups', {
      name: 'customer',
      description: 'credit features per customer',
      owner: 'risk',
      entityKeys: ['customer_id'],
      eventTimeField: 'as_of',
      features: [
        { name: 'income', type: 'float' },
        { name: 'debt', type: 'float' },
        { name: 'segment', type: 'string' },
        // An int: the join returns ints as bigint, which every step must carry.
        { name: 'tenure', type: 'int' },
      ],
    });
    expect(group.status).toBe(201);
    const ingested = await call('POST', '/feature-groups/customer/records', {
      records: customers.map((c) => ({
        customer_id: c.id,
        as_of: '2026-11-01T00:00:00Z',
        income: c.income,
        debt: c.debt,
        segment: c.segment,
        tenure: c.tenure,
      })),
    });
    expect(ingested.body.accepted).toBe(CUSTOMERS);
  }, 60_000);
  afterAll(async () => {
    await platform?.close();
    rmSync(home, { recursive: true, force: true });
  });

  let first: Execution;
  it('validates, builds the training set, trains, evaluates, registers and notifies', async () => {
    first = (await train(request())) as Execution;
    expect(first.status, JSON.stringify(first)).toBe('SUCCEEDED');
    expect(first.steps.map((s: Step) => [s.name, s.status])).toEqual([
      ['ValidateData', 'SUCCEEDED'],
      ['BuildTrainingSet', 'SUCCEEDED'],
      ['Train', 'SUCCEEDED'],
      ['CreateModel', 'SUCCEEDED'],
      ['PlanScoring', 'SUCCEEDED'],
      ['ScoreHeldOut', 'SUCCEEDED'],
      ['Evaluate', 'SUCCEEDED'],
      ['Gate', 'SUCCEEDED'],
      ['Register', 'SUCCEEDED'],
      ['Notify', 'SUCCEEDED'],
    ]);
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
    const baseline = await platform.objects.get(baselineKey('credit-default', 1));
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
    expect(await platform.objects.head(baselineKey('segment-classifier', 1))).toBeDefined();
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

  it("retrains when a monitor confirms drift: the model's last successful request, started again", async () => {
    const before = (await call('GET', '/models/credit-default')).body.latestVersion as number;
    await platform.events.publish([
      {
        source: 'mlops.monitoring',
        detailType: 'RetrainingRequested',
        detail: { model: 'credit-default', version: 1, monitor: 'credit-drift', consecutiveRuns: 3 },
      },
    ]);
    await platform.events.drain();
    await platform.workflows.drain();
    const [newest] = (await call('GET', '/pipelines/executions?model=credit-default&limit=1')).body.items;
    expect(newest).toMatchObject({
      trigger: 'event',
      startedBy: 'monitor:credit-drift',
      status: 'SUCCEEDED',
    });
    const retrained = (await call('GET', `/pipelines/executions/${newest.executionId}`)).body as Execution;
    expect(retrained.output.modelVersion).toBe(before + 1);
    // Same request, same data: the same dataset version as the first run.
    expect(retrained.output.datasetVersion.sha256).toBe(first.output.datasetVersion.sha256);
  }, 120_000);

  it('ignores other events, and refuses to retrain a model that never trained', async () => {
    const deps = { store: platform.store };
    expect(await lastSuccessfulRun(deps, 'never-trained')).toBeUndefined();
    await platform.events.publish([
      { source: 'mlops.monitoring', detailType: 'RetrainingRequested', detail: { model: 'never-trained' } },
      { source: 'mlops.registry', detailType: 'ModelVersionApproved', detail: { model: 'credit-default' } },
    ]);
    await platform.events.drain();
    await platform.workflows.drain();
    expect((await call('GET', '/pipelines/executions?model=never-trained')).body.items).toEqual([]);
  });

  it('retrains on a schedule: one rule per model, repeating its last successful request', async () => {
    const never = await call('PUT', '/pipelines/training/schedules/never-trained', {
      schedule: 'rate(1 day)',
    });
    expect(never.status).toBe(409);
    const bad = await call('PUT', '/pipelines/training/schedules/credit-default', {
      schedule: 'cron(0 3 * * * *)',
    });
    expect(bad.status).toBe(400);
    // The field at fault, down to the part of the expression (body.schedule.dayOfWeek).
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual([
      expect.stringMatching(/^body\.schedule/),
    ]);
    expect((await call('GET', '/pipelines/training/schedules')).body.items).toEqual([]);

    const set = await call('PUT', '/pipelines/training/schedules/credit-default', {
      schedule: 'rate(1 day)',
    });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ model: 'credit-default', schedule: 'rate(1 day)', updatedBy: 'alice' });
    expect(platform.scheduler.list().map((rule) => rule.name)).toContain('training-credit-default');

    const before = (await call('GET', '/models/credit-default')).body.latestVersion as number;
    await platform.scheduler.trigger('training-credit-default');
    await platform.workflows.drain();
    const [newest] = (await call('GET', '/pipelines/executions?model=credit-default&limit=1')).body.items;
    expect(newest).toMatchObject({ trigger: 'schedule', startedBy: 'schedule', status: 'SUCCEEDED' });
    expect((await call('GET', '/models/credit-default')).body.latestVersion).toBe(before + 1);

    expect((await call('DELETE', '/pipelines/training/schedules/credit-default')).status).toBe(204);
    expect(platform.scheduler.list().map((rule) => rule.name)).not.toContain('training-credit-default');
    expect((await call('DELETE', '/pipelines/training/schedules/credit-default')).status).toBe(404);
  }, 120_000);

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
