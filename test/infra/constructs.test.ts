import { Duration, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AccountRootPrincipal, Role } from 'aws-cdk-lib/aws-iam';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Capability } from '../../lambdas/catalogue';
import { platformRoutes } from '../../lambdas/platform/routes';
import { ArtifactBucket } from '../../lib/constructs/artifact-bucket';
import { CapabilityFunctions } from '../../lib/constructs/capability-functions';
import { EncryptionKey } from '../../lib/constructs/encryption-key';
import { MetadataTable } from '../../lib/constructs/metadata-table';
import { NotificationTopic } from '../../lib/constructs/notification-topic';
import { OfflineStore, type OfflineStoreProps } from '../../lib/constructs/offline-store';
import { PlatformApi } from '../../lib/constructs/platform-api';
import { PlatformEvents } from '../../lib/constructs/platform-events';
import { PlatformFunction } from '../../lib/constructs/platform-function';
import { MlopsStack } from '../../lib/mlops-stack';
import { accessVariants, allowedActionsOf, allowedStatementsOf, logicalIdOf, treeOnlyApp } from './support';

describe('access levels (tree only, no bundling)', () => {
  let stack: MlopsStack;
  let template: Template;
  const actionsOf = (name: string) =>
    allowedActionsOf(template, logicalIdOf(stack, stack.functions.functionOf(name).role));

  beforeAll(() => {
    stack = new MlopsStack(treeOnlyApp(), 'Variants', {
      stageName: 'variants',
      capabilities: accessVariants,
      // The variants have no monitoring capability: the drift job deploys without its API.
      monitoringCapability: null,
      defaultRouteCapability: 'isolated',
      removalPolicy: RemovalPolicy.DESTROY,
    });
    template = Template.fromStack(stack);
  });

  it('lets a reader read the table and the bucket, and write nothing', () => {
    const actions = actionsOf('reader');

    expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 's3:GetObject*', 'kms:Decrypt']));
    expect(
      actions.filter((a) => /^(dynamodb:(Put|Update|Delete|BatchWrite)|s3:(Put|Delete)|sns:)/.test(a)),
    ).toEqual([]);
  });

  it('lets a writer write the table and the bucket and publish', () => {
    expect(actionsOf('writer')).toEqual(
      expect.arrayContaining([
        'dynamodb:PutItem',
        's3:PutObject',
        's3:DeleteObject*',
        'sns:Publish',
        'kms:GenerateDataKey*',
      ]),
    );
  });

  it('lets a publisher put events on the platform bus, and on nothing else', () => {
    const role = logicalIdOf(stack, stack.functions.functionOf('publisher').role);
    const putEvents = allowedStatementsOf(template, role).filter((s) =>
      s.actions.includes('events:PutEvents'),
    );

    expect(putEvents).toEqual([
      { actions: ['events:PutEvents'], resources: [stack.resolve(stack.events.bus.eventBusArn)] },
    ]);
    expect(JSON.stringify(putEvents[0]?.resources)).toContain(':event-bus/default');
    for (const name of ['reader', 'writer', 'isolated']) {
      expect(
        actionsOf(name).filter((a) => a.startsWith('events:')),
        name,
      ).toEqual([]);
    }
  });

  it('lets a querier query the offline store, and touch no other resource', () => {
    const actions = actionsOf('querier');

    expect(actions.sort()).toEqual(
      [
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
        'athena:StartQueryExecution',
        'athena:GetQueryExecution',
        'athena:GetQueryResults',
        'athena:StopQueryExecution',
        'glue:GetDatabase',
        'glue:GetTable',
        'glue:GetTables',
        'glue:CreateTable',
        'glue:DeleteTable',
        'glue:GetPartitions',
        's3:GetBucketLocation',
        's3:ListBucket',
        's3:ListBucketMultipartUploads',
        's3:GetObject',
        's3:PutObject',
        's3:AbortMultipartUpload',
        's3:ListMultipartUploadParts',
        'kms:Decrypt',
        'kms:GenerateDataKey',
      ].sort(),
    );
    for (const name of ['reader', 'writer', 'publisher', 'isolated']) {
      expect(
        actionsOf(name).filter((a) => /^(athena|glue):/.test(a)),
        name,
      ).toEqual([]);
    }
  });

  it('deletes the offline database and workgroup (with its saved queries) when the stage is disposable', () => {
    template.hasResource('AWS::Glue::Database', { DeletionPolicy: 'Delete' });
    template.hasResource('AWS::Athena::WorkGroup', {
      DeletionPolicy: 'Delete',
      Properties: { RecursiveDeleteOption: true },
    });
  });

  it('gives a capability with no access nothing but its logs and traces', () => {
    expect(actionsOf('isolated').sort()).toEqual(
      [
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ].sort(),
    );
  });

  it('turns deletion protection off and deletes the table when the stage is disposable', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: { DeletionProtectionEnabled: false },
    });
  });
});

describe('offline store', () => {
  it('names its database and workgroup after the stack, so two stages do not collide', () => {
    const app = treeOnlyApp();
    const names = ['dev', 'prod'].map((stageName) => {
      const { offlineStore } = new MlopsStack(app, `MlopsPlatform-${stageName}`, {
        stageName,
        capabilities: accessVariants,
        monitoringCapability: null,
        defaultRouteCapability: 'isolated',
      });
      const database = offlineStore.database.databaseInput as { name: string };
      return [database.name, offlineStore.workGroup.name];
    });

    expect(names).toEqual([
      ['mlopsplatform_dev_offline', 'MlopsPlatform-dev-offline'],
      ['mlopsplatform_prod_offline', 'MlopsPlatform-prod-offline'],
    ]);
  });

  it('takes the per-query scan cutoff from the stack props', () => {
    const stack = new MlopsStack(treeOnlyApp(), 'Cutoff', {
      stageName: 'cutoff',
      capabilities: accessVariants,
      monitoringCapability: null,
      defaultRouteCapability: 'isolated',
      offlineBytesScannedCutoffPerQuery: Size.gibibytes(1),
    });

    Template.fromStack(stack).hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: { BytesScannedCutoffPerQuery: 1024 ** 3 },
    });
  });

  it("refuses a cutoff under Athena's 10 MB floor and a database name the engine would refuse", () => {
    const stackWithStore = (props: Partial<OfflineStoreProps>) => {
      const stack = new Stack(treeOnlyApp(), 'Offline');
      const encryptionKey = new EncryptionKey(stack, 'Key').key;
      const bucket = new Bucket(stack, 'Bucket');
      return () => new OfflineStore(stack, 'Store', { bucket, encryptionKey, ...props });
    };

    expect(stackWithStore({ bytesScannedCutoffPerQuery: Size.mebibytes(1) })).toThrow(/at least 10 MB/);
    expect(stackWithStore({ databaseName: 'Offline-Store' })).toThrow(/databaseName "Offline-Store"/);
    expect(stackWithStore({})).not.toThrow();
  });

  it('is required by a catalogue that asks for offline queries', () => {
    const stack = new Stack(treeOnlyApp(), 'NoStore');
    const encryptionKey = new EncryptionKey(stack, 'Key').key;

    expect(
      () =>
        new CapabilityFunctions(stack, 'Capabilities', {
          capabilities: accessVariants,
          metadataTable: new MetadataTable(stack, 'Table', { encryptionKey }).table,
          artifactBucket: new ArtifactBucket(stack, 'Artifacts', { encryptionKey }).bucket,
          notificationTopic: new NotificationTopic(stack, 'Topic', { encryptionKey }).topic,
          eventBus: new PlatformEvents(stack, 'Events').bus,
        }),
    ).toThrow(/querier ask for offline queries, but no offlineStore was given/);
  });
});

describe('event bus', () => {
  it("is the one the stack names: in every function environment and in the publishers' grants", () => {
    const stack = new MlopsStack(treeOnlyApp(), 'CustomBus', {
      stageName: 'bus',
      capabilities: accessVariants,
      monitoringCapability: null,
      defaultRouteCapability: 'isolated',
      eventBusName: 'mlops-events',
    });
    const template = Template.fromStack(stack);
    const role = logicalIdOf(stack, stack.functions.functionOf('publisher').role);

    template.allResourcesProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ EVENT_BUS_NAME: 'mlops-events' }) },
    });
    const resources = allowedStatementsOf(template, role)
      .filter((s) => s.actions.includes('events:PutEvents'))
      .flatMap((s) => s.resources);
    expect(JSON.stringify(resources)).toContain(':event-bus/mlops-events');
    template.resourceCountIs('AWS::Events::EventBus', 0);
  });
});

describe('PlatformApi.grantInvoke', () => {
  it('lets a principal invoke the default stage, and nothing else', () => {
    const stack = new Stack(treeOnlyApp(), 'Invoke');
    const handler = new LambdaFunction(stack, 'Fn', {
      runtime: Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: Code.fromInline('exports.handler = async () => ({})'),
    });
    const api = new PlatformApi(stack, 'Api', {
      capabilities: [
        {
          name: 'platform',
          entry: 'unused',
          routes: platformRoutes,
          access: { metadata: 'none', artifacts: 'none', notifications: 'none' },
        },
      ],
      functions: new Map([['platform', handler]]),
      defaultRouteCapability: 'platform',
    });
    const caller = new Role(stack, 'Caller', { assumedBy: new AccountRootPrincipal() });

    api.grantInvoke(caller);

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalIdOf(stack, caller) }],
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: 'execute-api:Invoke',
            Resource: {
              'Fn::Join': ['', Match.arrayWith([{ Ref: logicalIdOf(stack, api.httpApi) }, '/$default/*/*'])],
            },
          },
        ],
      },
    });
  });
});

describe('props are checked with a message naming the fault', () => {
  const newStack = () => new Stack(treeOnlyApp(), 'Checks');
  const functionIn = (stack: Stack) =>
    new LambdaFunction(stack, 'Fn', {
      runtime: Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: Code.fromInline('exports.handler = async () => ({})'),
    });

  it('rejects a table that is both deletion-protected and meant to be destroyed', () => {
    const stack = newStack();
    const encryptionKey = new EncryptionKey(stack, 'Key').key;

    expect(
      () => new MetadataTable(stack, 'Table', { encryptionKey, removalPolicy: RemovalPolicy.DESTROY }),
    ).toThrow(/DESTROY needs deletionProtection false/);
  });

  it('rejects a key pending window outside 7 to 30 days', () => {
    expect(() => new EncryptionKey(newStack(), 'Key', { pendingWindow: Duration.days(3) })).toThrow(
      /7 to 30 days/,
    );
  });

  it('rejects a function whose entry does not exist', () => {
    expect(
      () => new PlatformFunction(newStack(), 'Fn', { entry: 'lambdas/nope/handler.ts', serviceName: 'nope' }),
    ).toThrow(/entry "lambdas\/nope\/handler.ts" does not exist/);
  });

  it('rejects a function environment that overrides what the construct sets', () => {
    expect(
      () =>
        new PlatformFunction(newStack(), 'Fn', {
          entry: 'lambdas/platform/handler.ts',
          serviceName: 'platform',
          environment: { NODE_OPTIONS: '' },
        }),
    ).toThrow(/may not set NODE_OPTIONS/);
  });

  it('rejects two capabilities declaring the same route', () => {
    const stack = newStack();
    const fn = functionIn(stack);
    const twin = (name: string): Capability => ({
      name,
      entry: 'unused',
      routes: { getHealth: platformRoutes.getHealth },
      access: { metadata: 'none', artifacts: 'none', notifications: 'none' },
    });

    expect(
      () =>
        new PlatformApi(stack, 'Api', {
          capabilities: [twin('a'), twin('b')],
          functions: new Map([
            ['a', fn],
            ['b', fn],
          ]),
          defaultRouteCapability: 'a',
        }),
    ).toThrow(/route "GET \/health" is declared by both a and b/);
  });

  it('rejects a default route capability missing from the catalogue', () => {
    const stack = newStack();

    expect(
      () =>
        new PlatformApi(stack, 'Api', {
          capabilities: [],
          functions: new Map(),
          defaultRouteCapability: 'platform',
        }),
    ).toThrow(/defaultRouteCapability "platform" is not in the catalogue/);
  });

  it('rejects an event bus name EventBridge would refuse', () => {
    expect(() => new PlatformEvents(newStack(), 'Events', { eventBusName: 'my bus' })).toThrow(
      /eventBusName "my bus" must be 1 to 256/,
    );
  });

  it('rejects a stage name that cannot tag or name things', () => {
    expect(() => new MlopsStack(treeOnlyApp(), 'Bad', { stageName: 'Prod_1' })).toThrow(/stageName "Prod_1"/);
  });
});
