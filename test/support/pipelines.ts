/** Pipelines deps on an in-memory SQLite store and a temporary file store, with a recording engine. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PipelinesDeps } from '../../lambdas/pipelines/executions';
import type { TrainingRequest } from '../../lambdas/pipelines/schemas';
import { FileObjectStore } from '../../lambdas/shared/adapters/embedded/file-object-store';
import { SqliteMetadataStore } from '../../lambdas/shared/adapters/embedded/sqlite-metadata-store';
import { sortableIdGenerator } from '../../lambdas/shared/ids';
import { noScheduleRules } from '../../lambdas/shared/ports/schedule-rules';
import { manualClock } from './clock';

/** A training request for model `churn`, its entity rows by URI (the engine is a recording one: nothing runs). */
export const request = {
  model: 'churn',
  features: ['customer:income'],
  entitiesUri: 'file:///data/entities.csv',
  label: 'churned',
  algorithm: 'xgboost',
} as unknown as TrainingRequest;

const roots: string[] = [];

/** Removes the fixtures' temporary folders (call it in afterEach). */
export const removePipelineFixtures = (): void => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
};

export const pipelinesFixture = () => {
  const root = mkdtempSync(join(tmpdir(), 'mlops-pipelines-'));
  roots.push(root);
  const clock = manualClock('2026-11-28T00:00:00.000Z');
  const started: { name: string; input: unknown }[] = [];
  const deps: PipelinesDeps = {
    store: new SqliteMetadataStore({ path: ':memory:', clock }),
    objects: new FileObjectStore({ root, clock }),
    engine: {
      start: async (_workflow, name, input) => void started.push({ name, input }),
      describe: async () => undefined,
    },
    clock,
    newId: sortableIdGenerator(clock),
    schedules: noScheduleRules,
  };
  return { deps, started, clock };
};
