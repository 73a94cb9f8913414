/**
 * The local platform the training-pipeline e2e tests run on: a temp MLOPS_HOME, the `customer` feature
 * group with 400 seeded customers ingested, and the calls the tests make through the HTTP API.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { loadLocalConfig } from '../../local/config';
import { parseWebhookUrls } from '../../local/notifications/webhook-urls';
import { type LocalPlatform, startLocalPlatform } from '../../local/platform';
import { runningClock } from './clock';
import { readJson } from './http';
import { seededRandom } from './random';

export { TRAINING_PIPELINE_STEPS } from './pipeline-steps';

export interface Step {
  readonly name: string;
  readonly status: string;
  readonly startedAt: string;
  readonly endedAt: string;
}
export interface Execution {
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
export interface Note {
  readonly type: string;
  readonly attributes: Record<string, string>;
  readonly detail: { readonly modelVersion?: number };
}

export const CUSTOMERS = 400;
const next = seededRandom(7);
export const customers = Array.from({ length: CUSTOMERS }, (_, i) => {
  const income = Math.round(next() * 1000) / 10;
  const debt = Math.round(next() * 1000) / 10;
  const segment = ['retail', 'smb', 'corporate'][i % 3]!;
  // The label depends on the features (plus noise): a model can learn it, but not perfectly.
  const defaulted = debt - income + (segment === 'smb' ? 15 : 0) + (next() - 0.5) * 30 > 0;
  return { id: `c${i}`, income, debt, segment, tenure: i % 60, defaulted };
});

/** The credit-default training request on every customer, with `overrides` on top. */
export const request = (overrides: Record<string, unknown> = {}) => ({
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

/**
 * Starts the platform and ingests the customers in a beforeAll, and closes it and removes its folder in
 * an afterAll, of the describe (or file) it is called in. `platform` is set once the beforeAll has run.
 */
export const useTrainingPlatform = () => {
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
      runningClock(),
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

  return {
    call,
    train,
    get platform(): LocalPlatform {
      return platform;
    },
  };
};
