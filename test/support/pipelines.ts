/** Pipelines deps on an in-memory SQLite store and a temporary file store, with a recording engine. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { PipelinesDeps } from '../../lambdas/pipelines/executions';
import type { TrainingRequest } from '../../lambdas/pipelines/schemas';
import { FileObjectStore } from '../../lambdas/shared/adapters/embedded/file-object-store';
import { sortableIdGenerator } from '../../lambdas/shared/ids';
import { noScheduleRules } from '../../lambdas/shared/ports/schedule-rules';
import { manualClock } from './clock';
import { type StoreOpener, sqliteStores } from './stores';

/** A training request for model `churn`, its entity rows by URI (the engine is a recording one: nothing runs). */
export const request = {
  model: 'churn',
  features: ['customer:income'],
  entitiesUri: 'file:///data/entities.csv',
  label: 'churned',
  algorithm: 'xgboost',
} as unknown as TrainingRequest;

const pipelinesFixture = (openStore: StoreOpener, root: string) => {
  const clock = manualClock('2026-11-28T00:00:00.000Z');
  const started: { name: string; input: unknown }[] = [];
  const deps: PipelinesDeps = {
    store: openStore(clock),
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

/**
 * Fixtures for the tests of the calling file or describe block: stores from `sqliteStores()`, and
 * temporary folders removed after each test. Returns `setUp`, which makes a fresh fixture per call.
 */
export const pipelinesFixtures = (): (() => ReturnType<typeof pipelinesFixture>) => {
  const openStore = sqliteStores();
  const roots: string[] = [];
  afterEach(() => {
    for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
  });
  return () => {
    const root = mkdtempSync(join(tmpdir(), 'mlops-pipelines-'));
    roots.push(root);
    return pipelinesFixture(openStore, root);
  };
};
