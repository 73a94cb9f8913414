import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { bindArtifactBucket } from '../../lib/constructs/bindings';
import { EncryptionKey } from '../../lib/constructs/encryption-key';
import { MetadataTable } from '../../lib/constructs/metadata-table';
import {
  allowedActionsOf,
  allowedStatementsOf,
  logicalIdOf,
  type Props,
  propertiesIn,
  treeOnlyApp,
} from './support';

// Binding a resource to a function: the variable and the grant from one call. Any lambda.Function
// takes a binding, not only the platform's own; one stack, synthesized once for the file.
let stack: Stack;
let template: Template;
let table: MetadataTable;
let reader: LambdaFunction;
let unbound: LambdaFunction;
let uploader: LambdaFunction;

const inlineFunction = (id: string) =>
  new LambdaFunction(stack, id, {
    runtime: Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: Code.fromInline('exports.handler = async () => ({})'),
  });
const variablesOf = (fn: LambdaFunction) =>
  (propertiesIn(template, stack, fn).Environment as { Variables: Props }).Variables;
const actionsOf = (fn: LambdaFunction) => allowedActionsOf(template, logicalIdOf(stack, fn.role!));

beforeAll(() => {
  stack = new Stack(treeOnlyApp(), 'Bindings');
  const encryptionKey = new EncryptionKey(stack, 'Key').key;
  table = new MetadataTable(stack, 'Table', { encryptionKey });
  reader = inlineFunction('Reader');
  unbound = inlineFunction('Unbound');
  uploader = inlineFunction('Uploader');

  table.bindTo(reader, { access: 'read' });
  table.bindTo(unbound, { access: 'none' });
  bindArtifactBucket(Bucket.fromBucketName(stack, 'UserBucket', 'user-bucket'), uploader, {
    access: 'readWrite',
  });
  template = Template.fromStack(stack);
});

describe('binding the metadata table', () => {
  it('sets METADATA_TABLE_NAME and grants reads of that table in one call', () => {
    const tableArn = { 'Fn::GetAtt': [logicalIdOf(stack, table.table), 'Arn'] };
    const reads = allowedStatementsOf(template, logicalIdOf(stack, reader.role!)).find((s) =>
      s.actions.includes('dynamodb:GetItem'),
    );

    expect(variablesOf(reader)).toEqual({ METADATA_TABLE_NAME: { Ref: logicalIdOf(stack, table.table) } });
    expect(reads?.resources).toContainEqual(tableArn);
    expect(actionsOf(reader).filter((a) => /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(a))).toEqual([]);
  });

  it('with access none, sets the variable and grants nothing', () => {
    expect(variablesOf(unbound)).toEqual({ METADATA_TABLE_NAME: { Ref: logicalIdOf(stack, table.table) } });
    expect(actionsOf(unbound).filter((a) => /^(dynamodb|kms):/.test(a))).toEqual([]);
  });
});

describe('binding a bucket the user imported (an IBucket)', () => {
  it('sets ARTIFACT_BUCKET_NAME to its name and grants writes of its objects', () => {
    const writes = allowedStatementsOf(template, logicalIdOf(stack, uploader.role!)).find((s) =>
      s.actions.includes('s3:PutObject'),
    );

    expect(variablesOf(uploader)).toEqual({ ARTIFACT_BUCKET_NAME: 'user-bucket' });
    expect(JSON.stringify(writes?.resources)).toContain(':s3:::user-bucket/*');
  });
});
