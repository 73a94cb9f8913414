/**
 * Fixtures for the deployments capability: small trained models (a good one and one whose answers are
 * inverted), the registry and the deployments core over one store and one manual clock, and a model
 * host wrapper that can be told to fail.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { InProcessModelHost } from '../../lambdas/deployments/adapters/in-process-model-host';
import { makeDeploymentsHandler } from '../../lambdas/deployments/app';
import { type DeploymentsDeps, deploymentsDeps } from '../../lambdas/deployments/deps';
import { encodeTable, fitEncoding } from '../../lambdas/pipelines/training/encoding';
import { parseHyperparameters } from '../../lambdas/pipelines/training/hyperparameters';
import type { TrainingTable } from '../../lambdas/pipelines/training/table';
import { type TrainedModel, trainXgboost } from '../../lambdas/pipelines/training/xgboost-trainer';
import { decideVersion } from '../../lambdas/registry/approvals';
import { type RegistryDeps, registryDeps } from '../../lambdas/registry/deps';
import { createModel } from '../../lambdas/registry/models';
import { registerVersion } from '../../lambdas/registry/versions';
import { FileObjectStore } from '../../lambdas/shared/adapters/embedded/file-object-store';
import { makeObservability } from '../../lambdas/shared/observability';
import type { EncodedRows, HostedVariant, ModelHost } from '../../lambdas/shared/ports/model-host';
import type { ObjectStore } from '../../lambdas/shared/ports/object-store';
import { FEATURES, syntheticTable } from '../fixtures/training/synthetic';
import { type ManualClock, manualClock } from './clock';
import { type RouteCaller, routeCaller } from './http';
import { seededRandom } from './random';
import { RecordingEventPublisher, WriteRecordingStore } from './registry';
import type { StoreOpener } from './stores';

/** The synthetic flights-like table with every label flipped: a model that answers the opposite. */
const inverted = (table: TrainingTable): TrainingTable => ({
  columns: table.columns,
  rows: table.rows.map((row) => [...row.slice(0, -1), !row[row.length - 1]]),
});

const train = async (
  table: TrainingTable,
  featureColumns: readonly string[] = FEATURES,
): Promise<TrainedModel> => {
  const hyperparameters = parseHyperparameters({
    objective: 'binary:logistic',
    num_round: 10,
    max_depth: 3,
    seed: 1,
  });
  const encoding = fitEncoding(table, {
    label: 'label',
    featureColumns: [...featureColumns],
    objective: hyperparameters.objective,
  });
  return trainXgboost(encodeTable(encoding, table), hyperparameters, encoding);
};

let models: Promise<{ good: TrainedModel; bad: TrainedModel }> | undefined;

/** Two models on the same features, trained once per process: `good`, and `bad` (inverted answers). */
export const trainedModels = () => {
  models ??= (async () => {
    const table = syntheticTable({ rows: 600, seed: 3, task: 'binary' });
    return { good: await train(table), bad: await train(inverted(table)) };
  })();
  return models;
};

let narrowModel: Promise<TrainedModel> | undefined;

/** A model trained without the `noise` feature: it cannot encode the rows the other models take. */
export const trainedNarrowModel = () => {
  narrowModel ??= train(
    syntheticTable({ rows: 600, seed: 3, task: 'binary' }),
    FEATURES.filter((f) => f !== 'noise'),
  );
  return narrowModel;
};

/** A feature row the models take (named as in training). */
export const flight = (i = 0) => ({
  distance: 300 + ((i * 137) % 2000),
  hour: i % 24,
  origin: ['SEA', 'ORD', 'SFO'][i % 3]!,
  weekend: i % 7 === 0,
  noise: (i % 10) / 10,
});

/** A model host that fails every call for the versions in `failing`. */
export class FlakyModelHost implements ModelHost {
  readonly failing = new Set<number>();
  constructor(private readonly inner: ModelHost) {}
  describe(variant: HostedVariant) {
    return this.inner.describe(variant);
  }
  async invoke(endpoint: string, variant: HostedVariant, rows: EncodedRows) {
    if (this.failing.has(variant.version)) throw new Error(`variant ${variant.name} is broken`);
    return this.inner.invoke(endpoint, variant, rows);
  }
}

export interface DeploymentsFixture {
  readonly clock: ManualClock;
  readonly store: WriteRecordingStore;
  readonly objects: ObjectStore;
  readonly registry: RegistryDeps;
  readonly deps: DeploymentsDeps;
  readonly host: FlakyModelHost;
  readonly call: RouteCaller;
  /** Registers a version of `model` with the given artifact; approves it unless told not to. */
  version(model: string, artifact: TrainedModel, approve?: boolean): Promise<number>;
}

/** The deployments core over a fresh store and temporary object store, both on one manual clock. */
export const deploymentsFixture = (openStore: StoreOpener): (() => DeploymentsFixture) => {
  const homes: string[] = [];
  const hosts: InProcessModelHost[] = [];
  afterEach(async () => {
    for (const host of hosts.splice(0)) await host.close();
    for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
  });
  return () => {
    const clock = manualClock();
    const store = new WriteRecordingStore(openStore(clock));
    const home = mkdtempSync(join(tmpdir(), 'deployments-'));
    homes.push(home);
    const objects = new FileObjectStore({ root: home, clock });
    const inner = new InProcessModelHost(objects);
    hosts.push(inner);
    const host = new FlakyModelHost(inner);
    const registry = registryDeps({ store, events: new RecordingEventPublisher(), clock });
    const deps = deploymentsDeps({
      store,
      objects,
      clock,
      host,
      random: seededRandom(11),
      environment: 'test',
    });
    const handler = makeDeploymentsHandler(deps, makeObservability('deployments-test'));
    const created = new Set<string>();
    return {
      clock,
      store,
      objects,
      registry,
      deps,
      host,
      call: routeCaller(handler),
      version: async (model, artifact, approve = true) => {
        if (!created.has(model)) {
          created.add(model);
          await createModel(registry, { name: model, tags: {}, protectedAliases: ['champion'] }, 'alice');
        }
        const key = `artifacts/${model}/${artifact.sha256}.json`;
        await objects.put(key, artifact.artifact, { contentType: 'application/json' });
        const { version } = await registerVersion(
          registry,
          model,
          { artifactUri: objects.uriOf(key), artifactSha256: artifact.sha256 },
          'alice',
        );
        if (approve) {
          await decideVersion(
            registry,
            model,
            version,
            { decision: 'Approved', reviewer: 'rita', comment: 'ok' },
            'rita',
          );
        }
        return version;
      },
    };
  };
};
