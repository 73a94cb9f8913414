import type { RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { z } from 'zod';
import type { Capability, CapabilityAccess } from '../../lambdas/catalogue';
import type { LambdaEnvironment } from '../../lambdas/shared/config';
import type { ArtifactBucket } from './artifact-bucket';
import type { MetadataTable } from './metadata-table';
import type { NotificationTopic } from './notification-topic';
import type { OfflineStore } from './offline-store';
import type { PlatformEvents } from './platform-events';
import { PlatformFunction, type PowertoolsLogLevel } from './platform-function';

/** What CDK sets of lambdas/shared/config.ts: all of it but what Lambda and PlatformFunction set. */
type ResourceVariables = Omit<z.input<typeof LambdaEnvironment>, 'AWS_REGION' | 'POWERTOOLS_SERVICE_NAME'>;
/** The variables of the offline store, set only for capabilities with `offlineQueries: 'query'`. */
type OfflineVariables = Required<Pick<ResourceVariables, 'OFFLINE_DATABASE' | 'ATHENA_WORKGROUP'>>;

export interface CapabilityFunctionsProps {
  /** The capability catalogue (lambdas/catalogue.ts): one function per capability. */
  readonly capabilities: readonly Capability[];
  readonly metadata: MetadataTable;
  readonly artifacts: ArtifactBucket;
  readonly notifications: NotificationTopic;
  readonly events: PlatformEvents;
  /**
   * Athena workgroup and Glue database of the offline feature store; required when a capability's
   * access has `offlineQueries: 'query'`.
   * @default - none: no capability may query the offline store
   */
  readonly offlineStore?: OfflineStore;
  /** @default 'INFO' */
  readonly logLevel?: PowertoolsLogLevel;
  /** Of the functions' log groups. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * One PlatformFunction per capability, each told where the shared resources are and granted exactly
 * what its catalogue entry's `access` says — nothing more.
 */
export class CapabilityFunctions extends Construct {
  /** By capability name. */
  public readonly functions: ReadonlyMap<string, PlatformFunction>;

  constructor(scope: Construct, id: string, props: CapabilityFunctionsProps) {
    super(scope, id);
    const names = props.capabilities.map((capability) => capability.name);
    if (names.length === 0) throw new Error(`CapabilityFunctions ${id}: the catalogue has no capability`);
    const duplicates = names.filter((name, index) => names.indexOf(name) !== index);
    if (duplicates.length > 0) {
      throw new Error(
        `CapabilityFunctions ${id}: capability names must be unique, repeated: ${duplicates.join(', ')}`,
      );
    }

    const querying = props.capabilities.filter((capability) => capability.access.offlineQueries === 'query');
    if (querying.length > 0 && !props.offlineStore) {
      throw new Error(
        `CapabilityFunctions ${id}: ${querying.map((c) => c.name).join(', ')} ask for offline queries, but no offlineStore was given`,
      );
    }

    // Every function gets every required variable: config.ts requires them, whatever the access.
    const environment = {
      METADATA_TABLE_NAME: props.metadata.table.tableName,
      ARTIFACT_BUCKET_NAME: props.artifacts.bucket.bucketName,
      NOTIFICATION_TOPIC_ARN: props.notifications.topic.topicArn,
      EVENT_BUS_NAME: props.events.bus.eventBusName,
    } satisfies ResourceVariables;
    const offlineEnvironment: OfflineVariables | undefined = props.offlineStore && {
      OFFLINE_DATABASE: props.offlineStore.databaseName,
      ATHENA_WORKGROUP: props.offlineStore.workGroupName,
    };

    const functions = new Map<string, PlatformFunction>();
    for (const capability of props.capabilities) {
      const fn = new PlatformFunction(this, capability.name, {
        entry: capability.entry,
        serviceName: capability.name,
        environment:
          capability.access.offlineQueries === 'query'
            ? { ...environment, ...offlineEnvironment }
            : environment,
        ...(props.logLevel ? { logLevel: props.logLevel } : {}),
        ...(props.removalPolicy ? { removalPolicy: props.removalPolicy } : {}),
      });
      grantAccess(fn, capability.access, props);
      functions.set(capability.name, fn);
    }
    this.functions = functions;
  }

  /** The function of a capability; throws naming the known capabilities if there is none. */
  functionOf(name: string): PlatformFunction {
    const fn = this.functions.get(name);
    if (!fn) {
      const known = [...this.functions.keys()].join(', ');
      throw new Error(`No function for capability "${name}"; known: ${known}`);
    }
    return fn;
  }
}

const grantAccess = (
  fn: PlatformFunction,
  access: CapabilityAccess,
  resources: CapabilityFunctionsProps,
): void => {
  switch (access.metadata) {
    case 'none':
      break;
    case 'read':
      resources.metadata.grantReadData(fn);
      break;
    case 'readWrite':
      resources.metadata.grantReadWriteData(fn);
      break;
  }
  switch (access.artifacts) {
    case 'none':
      break;
    case 'read':
      resources.artifacts.grantRead(fn);
      break;
    case 'readWrite':
      resources.artifacts.grantReadWrite(fn);
      break;
  }
  if (access.notifications === 'publish') resources.notifications.grantPublish(fn);
  if (access.events === 'publish') resources.events.grantPublish(fn);
  if (access.offlineQueries === 'query') resources.offlineStore?.grantQuery(fn);
};
