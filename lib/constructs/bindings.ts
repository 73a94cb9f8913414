import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { z } from 'zod';
import type { LambdaEnvironment } from '../../lambdas/shared/config';
import { acknowledgeWildcards, objectsFindings } from '../nag';

/**
 * Binding a resource to a function: the variable that tells the handler where the resource is
 * (lambdas/shared/config.ts) and the grant that lets it use it, set by ONE call, so the two cannot
 * drift apart. `none` sets the variable only: config.ts requires every shared variable in every
 * function, whatever the function may do with the resource.
 */
export type DataAccess = 'none' | 'read' | 'readWrite';
export type PublishAccess = 'none' | 'publish';

/** The variables of lambdas/shared/config.ts that name a resource CDK creates or references. */
export type ResourceVariable = keyof Omit<
  z.input<typeof LambdaEnvironment>,
  'AWS_REGION' | 'POWERTOOLS_SERVICE_NAME'
>;

/** Sets a variable of lambdas/shared/config.ts on the function (named with the schema's own keys). */
export const setVariable = (fn: LambdaFunction, name: ResourceVariable, value: string): void => {
  fn.addEnvironment(name, value);
};

/** METADATA_TABLE_NAME, and read or read-write on the items (and the table key). */
export const bindMetadataTable = (
  table: ITable,
  fn: LambdaFunction,
  options: { readonly access: DataAccess },
): void => {
  setVariable(fn, 'METADATA_TABLE_NAME', table.tableName);
  switch (options.access) {
    case 'none':
      return;
    case 'read':
      table.grantReadData(fn);
      return;
    case 'readWrite':
      table.grantReadWriteData(fn);
      acknowledgeWildcards(
        fn,
        ['Action::kms:ReEncrypt*', 'Action::kms:GenerateDataKey*'],
        'Added by Table.grantReadWriteData for the table key only: DynamoDB needs data keys to encrypt written items.',
      );
      return;
  }
};

/** ARTIFACT_BUCKET_NAME, and read (objects and listing) or read-write-delete on the bucket (and its key). */
export const bindArtifactBucket = (
  bucket: IBucket,
  fn: LambdaFunction,
  options: { readonly access: DataAccess },
): void => {
  setVariable(fn, 'ARTIFACT_BUCKET_NAME', bucket.bucketName);
  switch (options.access) {
    case 'none':
      return;
    case 'read':
      bucket.grantRead(fn);
      acknowledgeWildcards(
        fn,
        ['Action::s3:GetObject*', 'Action::s3:GetBucket*', 'Action::s3:List*', ...objectsFindings(bucket)],
        'Added by Bucket.grantRead on this one bucket: artifact keys are only known at run time, and the action wildcards cover object versions and tags.',
      );
      return;
    case 'readWrite':
      bucket.grantReadWrite(fn);
      acknowledgeWildcards(
        fn,
        [
          'Action::s3:GetObject*',
          'Action::s3:GetBucket*',
          'Action::s3:List*',
          'Action::s3:DeleteObject*',
          'Action::s3:Abort*',
          ...objectsFindings(bucket),
          'Action::kms:ReEncrypt*',
          'Action::kms:GenerateDataKey*',
        ],
        'Added by Bucket.grantReadWrite on this one bucket and its key: artifact keys are only known at run time; S3 needs data keys to encrypt uploads.',
      );
      return;
  }
};

/** NOTIFICATION_TOPIC_ARN, and sns:Publish (with the data keys SNS encrypts messages with). */
export const bindNotificationTopic = (
  topic: ITopic,
  fn: LambdaFunction,
  options: { readonly access: PublishAccess },
): void => {
  setVariable(fn, 'NOTIFICATION_TOPIC_ARN', topic.topicArn);
  if (options.access === 'none') return;
  topic.grantPublish(fn);
  acknowledgeWildcards(
    fn,
    ['Action::kms:GenerateDataKey*'],
    'Added by Topic.grantPublish for the topic key only: SNS needs a data key to encrypt each published message.',
  );
};

/** EVENT_BUS_NAME, and events:PutEvents on this one bus (no wildcard, nothing for cdk-nag). */
export const bindEventBus = (
  bus: IEventBus,
  fn: LambdaFunction,
  options: { readonly access: PublishAccess },
): void => {
  setVariable(fn, 'EVENT_BUS_NAME', bus.eventBusName);
  if (options.access === 'publish') bus.grantPutEventsTo(fn);
};

/**
 * A state machine variable (e.g. DEPLOYMENT_STATE_MACHINE_ARN), and states:StartExecution on that one
 * machine. Takes the ARN rather than the machine so a machine that calls the same function can pass
 * one formatted from its name: a Ref would make the function depend on the machine that depends on it.
 */
export const bindStateMachineStart = (
  stateMachineArn: string,
  fn: LambdaFunction,
  variable: Extract<ResourceVariable, 'DEPLOYMENT_STATE_MACHINE_ARN' | 'TRAINING_PIPELINE_ARN'>,
): void => {
  setVariable(fn, variable, stateMachineArn);
  fn.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({ actions: ['states:StartExecution'], resources: [stateMachineArn] }),
  );
};

/** The four resources every platform function is told about (the required variables of config.ts). */
export interface SharedResources {
  /** The metadata table (METADATA_TABLE_NAME). */
  readonly metadataTable: ITable;
  /** The artifact bucket (ARTIFACT_BUCKET_NAME). */
  readonly artifactBucket: IBucket;
  /** The notification topic (NOTIFICATION_TOPIC_ARN). */
  readonly notificationTopic: ITopic;
  /** The bus domain events go to (EVENT_BUS_NAME). */
  readonly eventBus: IEventBus;
}

/** What a function may do with each shared resource: the shape of a catalogue entry's `access`. */
export interface SharedAccess {
  readonly metadata: DataAccess;
  readonly artifacts: DataAccess;
  readonly notifications: PublishAccess;
  /** @default 'none' */
  readonly events?: PublishAccess;
}

/** Binds the four shared resources to the function, each with its access: four variables, the grants. */
export const bindSharedResources = (
  resources: SharedResources,
  fn: LambdaFunction,
  access: SharedAccess,
): void => {
  bindMetadataTable(resources.metadataTable, fn, { access: access.metadata });
  bindArtifactBucket(resources.artifactBucket, fn, { access: access.artifacts });
  bindNotificationTopic(resources.notificationTopic, fn, { access: access.notifications });
  bindEventBus(resources.eventBus, fn, { access: access.events ?? 'none' });
};
