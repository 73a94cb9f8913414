import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
// The key schema the AWS metadata store expects, so the two cannot drift apart.
import { METADATA_TABLE_KEYS } from '../../lambdas/shared/table-layout';
import { bindMetadataTable, type DataAccess } from './bindings';

export interface MetadataTableProps {
  /** Customer-managed key the table is encrypted with. */
  readonly encryptionKey: IKey;
  /**
   * Refuses DeleteTable, even from CloudFormation. Must be false when `removalPolicy` is DESTROY.
   * @default true
   */
  readonly deletionProtection?: boolean;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The platform's single DynamoDB table (registry, lineage, runs, notifications, online features):
 * on-demand, point-in-time recovery, encrypted with the platform key, TTL on `expiresAt`. Pass `table`
 * (an ITable) to other constructs; give a function the table with `bindTo`.
 */
export class MetadataTable extends Construct {
  /** The table itself. */
  public readonly table: Table;

  constructor(scope: Construct, id: string, props: MetadataTableProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const deletionProtection = props.deletionProtection ?? true;
    if (deletionProtection && removalPolicy === RemovalPolicy.DESTROY) {
      throw new Error(
        `MetadataTable ${id}: removalPolicy DESTROY needs deletionProtection false, or CloudFormation cannot delete the table`,
      );
    }
    this.table = new Table(this, 'Table', {
      partitionKey: { name: METADATA_TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: METADATA_TABLE_KEYS.sortKey, type: AttributeType.STRING },
      timeToLiveAttribute: METADATA_TABLE_KEYS.ttlAttribute,
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      deletionProtection,
      removalPolicy,
    });
  }

  /** Sets METADATA_TABLE_NAME on the function and grants it `access`, in one call (bindMetadataTable). */
  bindTo(fn: LambdaFunction, options: { readonly access: DataAccess }): void {
    bindMetadataTable(this.table, fn, options);
  }
}
