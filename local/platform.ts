import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { apiDocument } from '../lambdas/api-document';
import { capabilities, DEFAULT_ROUTE_CAPABILITY } from '../lambdas/catalogue';
import { InProcessModelHost } from '../lambdas/deployments/adapters/in-process-model-host';
import { deploymentsDeps, makeDeploymentsHandler } from '../lambdas/deployments/app';
import { type DeploymentDriver, startDeploymentDriver } from '../lambdas/deployments/driver';
import { makeExperimentsHandler } from '../lambdas/experiments/app';
import { makeFeaturesHandler } from '../lambdas/features/app';
import { featuresDeps } from '../lambdas/features/deps';
import { makeMonitoringHandler } from '../lambdas/monitoring/app';
import { inProcessMonitoringDeps } from '../lambdas/monitoring/in-process-schedules';
import { scheduleAllMonitors } from '../lambdas/monitoring/monitors';
import { makePipelinesHandler, type PipelinesDeps } from '../lambdas/pipelines/app';
import { abortOrphanedExecutions } from '../lambdas/pipelines/executions';
import { scheduleAllTrainings } from '../lambdas/pipelines/schedules';
import {
  handleTriggerEvent,
  RETRAINING_REQUESTED,
  retrain,
  type TriggerEvent,
} from '../lambdas/pipelines/triggers';
import { makePlatformHandler } from '../lambdas/platform/app';
import {
  type NotificationInput,
  notificationDeps,
  sendNotification,
} from '../lambdas/platform/notifications';
import { makeRegistryHandler, registryDeps } from '../lambdas/registry/app';
import { versionExists } from '../lambdas/registry/public';
import { DuckDbTrainingSetEngine } from '../lambdas/shared/adapters/embedded/duckdb-training-set-engine';
import { FileObjectStore } from '../lambdas/shared/adapters/embedded/file-object-store';
import { FileOfflineSink } from '../lambdas/shared/adapters/embedded/file-offline-sink';
import { SqliteMetadataStore } from '../lambdas/shared/adapters/embedded/sqlite-metadata-store';
import { SqliteRunSearchIndex } from '../lambdas/shared/adapters/embedded/sqlite-run-search-index';
import { inProcessScheduleRules } from '../lambdas/shared/adapters/in-process/schedule-rules';
import type { HttpHandler } from '../lambdas/shared/http/handler';
import { sortableIdGenerator } from '../lambdas/shared/ids';
import { makeObservability } from '../lambdas/shared/observability';
import type { Clock } from '../lambdas/shared/ports/clock';
import type { Notification } from '../lambdas/shared/ports/notification-publisher';
import type { LocalConfig } from './config';
import { LocalEventBus } from './events/local-event-bus';
import { type RunningServer, startLocalHttpServer } from './http-server';
import { WebhookNotificationPublisher } from './notifications/webhook-publisher';
import { makeLocalWorkflowEngine } from './pipelines/local-pipelines';
import type { LocalWorkflowEngine } from './pipelines/local-workflow-engine';
import { parseScheduleExpression } from './scheduler/schedule-expression';
import { LocalScheduler } from './scheduler/scheduler';

export interface LocalPlatform {
  readonly url: string;
  readonly home: string;
  /** The one time source everything in this platform reads. */
  readonly clock: Clock;
  readonly store: SqliteMetadataStore;
  readonly objects: FileObjectStore;
  readonly scheduler: LocalScheduler;
  /** The EventBridge stand-in: every domain event kept in an outbox, delivered to subscribers. */
  readonly events: LocalEventBus;
  /** The local Step Functions behind the pipelines API; `drain()` waits for running executions. */
  readonly workflows: LocalWorkflowEngine;
  /** Moves deployments' phases on by the clock (ticks itself; `tick()` for tests) and flushes captures. */
  readonly deployments: DeploymentDriver;
  /** Sends a notification the way a capability would: outbox record, then webhooks. */
  notify(input: NotificationInput): Promise<Notification>;
  /** Stops accepting requests, stops schedules, then closes the stores. */
  close(): Promise<void>;
}

/**
 * The composition root of the local platform: embedded adapters (SQLite, files under MLOPS_HOME,
 * webhooks, an in-process scheduler) wired into the same handler factories the Lambda functions use.
 */
export const startLocalPlatform = async (config: LocalConfig, clock: Clock): Promise<LocalPlatform> => {
  mkdirSync(config.home, { recursive: true });
  // One clock for everything below: stores' expiry, schedules, events, executions and the edge agree.
  const store = new SqliteMetadataStore({ path: join(config.home, 'metadata.sqlite'), clock });
  const objects = new FileObjectStore({ root: join(config.home, 'objects'), clock });
  const publisher = new WebhookNotificationPublisher({
    urls: [...config.webhookUrls],
    onDeliveryFailure: (url, error) => console.warn(`webhook ${url} failed: ${String(error)}`),
  });
  const scheduler = new LocalScheduler({ clock });
  const notifications = notificationDeps({ store, publisher, clock });
  const events = new LocalEventBus({
    store,
    clock,
    onSubscriberFailure: (failure) =>
      console.warn(
        `event subscriber ${failure.subscription} failed on ${failure.event['detail-type']}: ${String(failure.error)}`,
      ),
  });
  // Every capability's writes honour Idempotency-Key, as in the cloud. No Lambda context here, and
  // metrics are off: the handlers skip Powertools' per-request steps (see HttpEdgeOptions).
  const edge = { idempotency: { store, clock }, lambdaObservability: false };
  const trainingSetEngine = new DuckDbTrainingSetEngine({ root: config.home, objects });
  const features = featuresDeps({ store, clock, offline: new FileOfflineSink({ root: config.home, clock }) });
  const trainingSets = { objects, engine: trainingSetEngine, clock, newId: sortableIdGenerator(clock) };
  const registry = registryDeps({ store, events, clock });
  const experiments = {
    store,
    // Typed index tables in the same SQLite database, kept by triggers in the writes' transactions.
    searchIndex: new SqliteRunSearchIndex({ database: store.database }),
    clock,
    newId: sortableIdGenerator(clock),
    modelVersionExists: (model: string, version: number) => versionExists(store, model, version),
  };
  // The training pipeline: the shared ASL file on the local Step Functions runner.
  const workflows = makeLocalWorkflowEngine(
    { store, objects, clock, features, trainingSets, registry, experiments, notifications, code: {} },
    { clock },
  );
  // Monitors: each schedule a LocalScheduler rule; runs, reports and notifications in this process.
  const monitoring = inProcessMonitoringDeps(
    {
      store,
      objects,
      clock,
      events,
      notifications,
      onRunFailure: (e, m) => console.warn(`monitor ${m}: ${String(e)}`),
    },
    scheduler,
    parseScheduleExpression,
  );
  const pipelines: PipelinesDeps = {
    store,
    objects,
    engine: workflows,
    clock,
    newId: sortableIdGenerator(clock),
    // Models' training schedules: LocalScheduler rules `training-{model}`, as EventBridge rules in the cloud.
    schedules: inProcessScheduleRules({
      scheduler,
      validate: parseScheduleExpression,
      rulePrefix: 'training-',
      run: (model) => retrain(pipelines, model, 'schedule', 'schedule'),
    }),
  };
  // Drift confirmed by a monitor retrains the model, as the EventBridge rule does in the cloud.
  events.subscribe(
    'retrain-on-drift',
    { source: [RETRAINING_REQUESTED.source], 'detail-type': [RETRAINING_REQUESTED.detailType] },
    async (event) => {
      await handleTriggerEvent(pipelines, event as unknown as TriggerEvent);
    },
  );
  // Endpoints: versions' artifacts loaded in process (the SageMaker endpoint stand-in); a driver ticks
  // deployments' phases by the clock and flushes captures and per-variant figures.
  const modelHost = new InProcessModelHost(objects);
  const serving = deploymentsDeps({ store, objects, clock, host: modelHost, environment: 'local' });
  const deployments = startDeploymentDriver(serving, {
    intervalMs: 250,
    onError: (endpoint, error) => console.warn(`deployment of endpoint ${endpoint}: ${String(error)}`),
  });
  let server: RunningServer | undefined;

  const handlers: Readonly<Record<string, HttpHandler>> = {
    platform: makePlatformHandler(
      { ...notifications, openApiDocument: async () => apiDocument(server?.url) },
      makeObservability('platform'),
      edge,
    ),
    registry: makeRegistryHandler(registry, makeObservability('registry'), edge),
    experiments: makeExperimentsHandler(experiments, makeObservability('experiments'), edge),
    // Offline store: Parquet files under MLOPS_HOME; training sets: the point-in-time join on DuckDB.
    features: makeFeaturesHandler(features, makeObservability('features'), edge, trainingSets),
    pipelines: makePipelinesHandler(pipelines, makeObservability('pipelines'), edge),
    monitoring: makeMonitoringHandler(monitoring, makeObservability('monitoring'), edge),
    deployments: makeDeploymentsHandler(serving, makeObservability('deployments'), edge),
  };
  const served = capabilities.map((capability) => {
    const handler = handlers[capability.name];
    if (!handler) throw new Error(`The local platform has no handler for capability ${capability.name}`);
    return { name: capability.name, routes: capability.routes, handler };
  });

  // Executions the previous process was running died with it (the local runner keeps them in memory);
  // closed before the server accepts a request, so no new execution is mistaken for one of them.
  try {
    await abortOrphanedExecutions(pipelines, 'the local platform stopped while the execution was running');
    server = await startLocalHttpServer({
      host: config.host,
      port: config.port,
      capabilities: served,
      defaultCapability: DEFAULT_ROUTE_CAPABILITY,
      clock,
    });
  } catch (error) {
    await deployments.stop();
    await modelHost.close();
    store.close();
    throw error;
  }
  await scheduleAllMonitors(monitoring);
  await scheduleAllTrainings(pipelines);
  scheduler.start();
  const running = server;

  return {
    url: running.url,
    home: config.home,
    clock,
    store,
    objects,
    scheduler,
    events,
    workflows,
    deployments,
    notify: (input) => sendNotification(notifications, input),
    close: async () => {
      await running.close();
      await scheduler.stop();
      await workflows.drain();
      await events.drain();
      await deployments.stop();
      await modelHost.close();
      await trainingSetEngine.close();
      store.close();
    },
  };
};
