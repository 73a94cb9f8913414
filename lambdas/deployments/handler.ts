import type { Context } from 'aws-lambda';
import { notificationDeps } from '../platform/notifications';
import { DynamoDbMetadataStore } from '../shared/adapters/aws/dynamodb-metadata-store';
import { S3ObjectStore } from '../shared/adapters/aws/s3-object-store';
import { SageMakerModelHost } from '../shared/adapters/aws/sagemaker-model-host';
import { SnsNotificationPublisher } from '../shared/adapters/aws/sns-notification-publisher';
import { StepFunctionsWorkflowEngine } from '../shared/adapters/aws/step-functions-workflow-engine';
import { loadLambdaConfig } from '../shared/config';
import type { HttpEvent } from '../shared/http/handler';
import { makeObservability } from '../shared/observability';
import { systemClock } from '../shared/ports/clock';
import { InProcessModelHost } from './adapters/in-process-model-host';
import { deploymentsDeps, makeDeploymentsHandler } from './app';
import {
  type DeploymentTaskEvent,
  isDeploymentTaskEvent,
  makeDeploymentTaskFunction,
} from './tasks/dispatch';

// Lambda composition root: config parsed once at cold start, AWS adapters chosen here and nowhere else.
// With the deployment state machine configured, deployments run as its executions and invocations go to
// the SageMaker endpoints' variants (TargetVariant); without it, the function hosts the versions'
// artifacts itself (read from S3) as before.
const config = loadLambdaConfig(process.env);
const store = new DynamoDbMetadataStore({ tableName: config.metadataTableName, clock: systemClock });
const objects = new S3ObjectStore({ bucketName: config.artifactBucketName, clock: systemClock });
const artifacts = new InProcessModelHost(objects);
const sageMaker =
  config.deploymentStateMachineArn && config.endpointPrefix
    ? { stateMachineArn: config.deploymentStateMachineArn, endpointPrefix: config.endpointPrefix }
    : undefined;
const deps = deploymentsDeps({
  store,
  objects,
  clock: systemClock,
  // What a version takes (features, objective) is read from its artifact; SageMaker does not know it.
  host: sageMaker
    ? new SageMakerModelHost({ models: artifacts, endpointPrefix: sageMaker.endpointPrefix })
    : artifacts,
  ...(sageMaker
    ? {
        rollout: {
          engine: new StepFunctionsWorkflowEngine({
            stateMachines: { deployment: sageMaker.stateMachineArn },
          }),
          endpointPrefix: sageMaker.endpointPrefix,
        },
      }
    : {}),
});
const http = makeDeploymentsHandler(deps, makeObservability(config.serviceName), {
  idempotency: { store, clock: systemClock },
});
const tasks = makeDeploymentTaskFunction({
  deployments: deps,
  notifications: notificationDeps({
    store,
    publisher: new SnsNotificationPublisher({ topicArn: config.notificationTopicArn }),
    clock: systemClock,
  }),
  ...(sageMaker ? { endpointPrefix: sageMaker.endpointPrefix } : {}),
});

/**
 * API Gateway requests, and the deployment state machine's tasks (a payload with `task`, see
 * tasks/dispatch.ts). No driver runs between requests in Lambda: captures and figures are written
 * before the answer goes.
 */
export const handler = async (event: HttpEvent | DeploymentTaskEvent, context: Context) => {
  if (isDeploymentTaskEvent(event)) return tasks(event);
  const response = await http(event, context);
  await deps.recorder.flush();
  return response;
};
