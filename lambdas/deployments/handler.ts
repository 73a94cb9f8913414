import { DynamoDbMetadataStore } from '../shared/adapters/aws/dynamodb-metadata-store';
import { S3ObjectStore } from '../shared/adapters/aws/s3-object-store';
import { loadLambdaConfig } from '../shared/config';
import type { HttpHandler } from '../shared/http/handler';
import { makeObservability } from '../shared/observability';
import { systemClock } from '../shared/ports/clock';
import { InProcessModelHost } from './adapters/in-process-model-host';
import { deploymentsDeps, makeDeploymentsHandler } from './app';

// Lambda composition root: config parsed once at cold start, AWS adapters chosen here and nowhere else.
// Until the SageMaker path exists, the function hosts the versions' artifacts itself (read from S3).
const config = loadLambdaConfig(process.env);
const store = new DynamoDbMetadataStore({ tableName: config.metadataTableName, clock: systemClock });
const objects = new S3ObjectStore({ bucketName: config.artifactBucketName, clock: systemClock });
const deps = deploymentsDeps({ store, objects, clock: systemClock, host: new InProcessModelHost(objects) });
const http = makeDeploymentsHandler(deps, makeObservability(config.serviceName), {
  idempotency: { store, clock: systemClock },
});

// No driver runs between requests in Lambda: captures and figures are written before the answer goes.
export const handler: HttpHandler = async (event, context) => {
  const response = await http(event, context);
  await deps.recorder.flush();
  return response;
};
