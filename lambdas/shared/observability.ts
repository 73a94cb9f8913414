import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

export interface Observability {
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** One logger and one metrics sink per capability; the service name tags every line and metric. */
export const makeObservability = (serviceName: string, namespace = 'MlopsPlatform'): Observability => ({
  logger: new Logger({ serviceName }),
  metrics: new Metrics({ serviceName, namespace }),
});
