import { RemovalPolicy, Size, Stack, Token } from 'aws-cdk-lib';
import { CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import { CfnDatabase } from 'aws-cdk-lib/aws-glue';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeWildcards, objectsFindings } from '../nag';
import { setVariable } from './bindings';

/** Object key prefixes of the platform bucket the offline store works with (lambdas/features/…). */
export const OFFLINE_PREFIX = 'offline/';
export const TRAINING_SETS_PREFIX = 'training-sets/';
export const ATHENA_RESULTS_PREFIX = 'athena-results/';

export interface OfflineStoreProps {
  /** The platform bucket: Parquet under `offline/`, training sets under `training-sets/`, query results under `athena-results/`. */
  readonly bucket: IBucket;
  /** Customer-managed key of the bucket; Athena encrypts query results with it (SSE_KMS). */
  readonly encryptionKey: IKey;
  /**
   * Glue database name: lower-case letters, digits and `_` (what the Athena engine accepts).
   * @default - the stack name, lower-cased, non-alphanumerics as `_`, plus `_offline` (unique per account and region, as stack names are)
   */
  readonly databaseName?: string;
  /**
   * Athena workgroup name.
   * @default - the stack name plus `-offline`
   */
  readonly workGroupName?: string;
  /**
   * Athena cancels a query once it has scanned this much; the workgroup enforces it on every query.
   * @default Size.gibibytes(10)
   */
  readonly bytesScannedCutoffPerQuery?: Size;
  /**
   * Applies to the database (its table definitions, not the data in S3) and the workgroup.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The query side of an offline feature store, as the functions that query it see it: what OfflineStore
 * implements, and what TrainingPipeline and CapabilityFunctions take.
 */
export interface IOfflineStore {
  /** The Glue database of the external tables. */
  readonly databaseName: string;
  /** The Athena workgroup every query runs in. */
  readonly workGroupName: string;
  /** The Athena, Glue, S3 and KMS permissions of the training-set engine. */
  grantQuery(grantee: IGrantable): void;
  /** Sets OFFLINE_DATABASE and ATHENA_WORKGROUP on the function and grants it queries, in one call. */
  bindTo(fn: LambdaFunction): void;
}

/** Athena's floor for the per-query cutoff (10 MB). */
const MIN_CUTOFF_BYTES = 10_000_000;

/**
 * The offline feature store's query side: a Glue database for the external tables the training-set
 * engine creates over the Parquet files (lambdas/shared/adapters/aws/athena-training-set-engine.ts), and an Athena
 * workgroup (engine v3) whose configuration every query must use: results in the platform bucket under
 * `athena-results/`, SSE_KMS with the platform key, a bytes-scanned cutoff per query, CloudWatch metrics.
 */
export class OfflineStore extends Construct implements IOfflineStore {
  public readonly database: CfnDatabase;
  public readonly workGroup: CfnWorkGroup;
  /** The Glue database's name (a Ref: deploys before whatever reads it). */
  public readonly databaseName: string;
  /** The Athena workgroup's name (a Ref: deploys before whatever reads it). */
  public readonly workGroupName: string;
  public readonly workGroupArn: string;
  public readonly databaseArn: string;
  /** Every table of the database. */
  public readonly tablesArn: string;
  public readonly catalogArn: string;
  /** Where query results go: `s3://<bucket>/athena-results/`. */
  public readonly resultsLocation: string;
  public readonly bytesScannedCutoffPerQuery: Size;

  readonly #bucket: IBucket;
  readonly #encryptionKey: IKey;

  constructor(scope: Construct, id: string, props: OfflineStoreProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const cutoff = props.bytesScannedCutoffPerQuery ?? Size.gibibytes(10);
    const cutoffBytes = cutoff.toBytes();
    if (!Number.isInteger(cutoffBytes) || cutoffBytes < MIN_CUTOFF_BYTES) {
      throw new Error(
        `OfflineStore ${id}: bytesScannedCutoffPerQuery must be at least 10 MB, got ${cutoffBytes} bytes`,
      );
    }
    const databaseName = props.databaseName ?? defaultName(id, stack, (s) => `${toGlueName(s)}_offline`);
    if (!Token.isUnresolved(databaseName) && !/^[a-z0-9_]{1,255}$/.test(databaseName)) {
      throw new Error(
        `OfflineStore ${id}: databaseName "${databaseName}" must be 1 to 255 lower-case letters, digits or _`,
      );
    }
    const workGroupName = props.workGroupName ?? defaultName(id, stack, (s) => `${s}-offline`);
    if (!Token.isUnresolved(workGroupName) && !/^[A-Za-z0-9._-]{1,128}$/.test(workGroupName)) {
      throw new Error(
        `OfflineStore ${id}: workGroupName "${workGroupName}" must be 1 to 128 letters, digits, '.', '_' or '-'`,
      );
    }
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.#bucket = props.bucket;
    this.#encryptionKey = props.encryptionKey;
    this.bytesScannedCutoffPerQuery = cutoff;
    this.resultsLocation = `s3://${props.bucket.bucketName}/${ATHENA_RESULTS_PREFIX}`;

    this.database = new CfnDatabase(this, 'Database', {
      catalogId: stack.account,
      databaseInput: {
        name: databaseName,
        description: `Offline feature store of ${stack.stackName}: external tables over Parquet in the platform bucket`,
      },
    });
    this.database.applyRemovalPolicy(removalPolicy);

    this.workGroup = new CfnWorkGroup(this, 'WorkGroup', {
      name: workGroupName,
      description: `Offline feature store queries of ${stack.stackName}`,
      state: 'ENABLED',
      // Lets CloudFormation delete the workgroup with its saved queries when the policy says DESTROY.
      recursiveDeleteOption: removalPolicy === RemovalPolicy.DESTROY,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: cutoffBytes,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: this.resultsLocation,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: props.encryptionKey.keyArn },
        },
      },
    });
    this.workGroup.applyRemovalPolicy(removalPolicy);

    this.databaseName = this.database.ref;
    this.workGroupName = this.workGroup.ref;
    this.workGroupArn = stack.formatArn({
      service: 'athena',
      resource: 'workgroup',
      resourceName: this.workGroupName,
    });
    this.catalogArn = stack.formatArn({ service: 'glue', resource: 'catalog' });
    this.databaseArn = stack.formatArn({
      service: 'glue',
      resource: 'database',
      resourceName: this.databaseName,
    });
    this.tablesArn = stack.formatArn({
      service: 'glue',
      resource: 'table',
      resourceName: `${this.databaseName}/*`,
    });
  }

  /**
   * What the training-set engine needs, and no more: run, watch, read and stop queries in this
   * workgroup; create, read and drop tables of this database; read the offline Parquet and training
   * sets; write training sets and query results; encrypt and decrypt with the platform key.
   */
  grantQuery(grantee: IGrantable): void {
    const bucketArn = this.#bucket.bucketArn;
    const objects = (prefix: string) => this.#bucket.arnForObjects(`${prefix}*`);
    const statements = [
      new PolicyStatement({
        actions: [
          'athena:StartQueryExecution',
          'athena:GetQueryExecution',
          'athena:GetQueryResults',
          'athena:StopQueryExecution',
        ],
        resources: [this.workGroupArn],
      }),
      new PolicyStatement({
        actions: [
          'glue:GetDatabase',
          'glue:GetTable',
          'glue:GetTables',
          'glue:CreateTable',
          'glue:DeleteTable',
          'glue:GetPartitions',
        ],
        resources: [this.catalogArn, this.databaseArn, this.tablesArn],
      }),
      // Athena lists table locations and checks the results bucket's region with the caller's credentials.
      new PolicyStatement({
        actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
        resources: [bucketArn],
      }),
      new PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [objects(OFFLINE_PREFIX), objects(TRAINING_SETS_PREFIX), objects(ATHENA_RESULTS_PREFIX)],
      }),
      new PolicyStatement({
        actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        resources: [objects(TRAINING_SETS_PREFIX), objects(ATHENA_RESULTS_PREFIX)],
      }),
      new PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [this.#encryptionKey.keyArn],
      }),
    ];
    for (const statement of statements) {
      const result = grantee.grantPrincipal.addToPrincipalPolicy(statement);
      if (!result.statementAdded) {
        throw new Error(`OfflineStore.grantQuery: ${grantee.grantPrincipal} takes no identity policy`);
      }
    }

    acknowledgeWildcards(
      grantee,
      objectsFindings(this.#bucket, [OFFLINE_PREFIX, TRAINING_SETS_PREFIX, ATHENA_RESULTS_PREFIX]),
      'Objects under one prefix of the platform bucket (offline Parquet, training sets, Athena results): their keys are made at run time (group versions, dates, batch and query ids).',
    );
    acknowledgeWildcards(
      grantee,
      [tablesFinding(this.database)],
      'Tables of this one Glue database: the training-set engine creates a table per feature group version and per training set at run time, so their names are not known at deploy time.',
    );
  }

  bindTo(fn: LambdaFunction): void {
    setVariable(fn, 'OFFLINE_DATABASE', this.databaseName);
    setVariable(fn, 'ATHENA_WORKGROUP', this.workGroupName);
    this.grantQuery(fn);
  }
}

/** Stack names are letters, digits and dashes; Glue names are lower-case letters, digits and `_`. */
const toGlueName = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, '_');

const defaultName = (id: string, stack: Stack, derive: (stackName: string) => string): string => {
  if (Token.isUnresolved(stack.stackName)) {
    throw new Error(
      `OfflineStore ${id}: the stack name is not known at synth time; pass databaseName and workGroupName`,
    );
  }
  return derive(stack.stackName);
};

/** cdk-nag's name for "every table of this database" (Ref and pseudo parameters flattened). */
const tablesFinding = (database: CfnDatabase): string =>
  `Resource::arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:table/<${Stack.of(database).getLogicalId(database)}>/*`;
