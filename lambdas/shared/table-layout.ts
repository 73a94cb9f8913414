/**
 * The key schema of the platform's one DynamoDB table, the layout the AWS metadata store expects
 * (adapters/aws/dynamodb-metadata-store.ts). The CDK construct builds the table from it; data only, so
 * lib/ may import it without pulling in an adapter.
 */
export const METADATA_TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk', ttlAttribute: 'expiresAt' } as const;
