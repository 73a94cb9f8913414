import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AccountRootPrincipal, Role } from 'aws-cdk-lib/aws-iam';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Capability } from '../../lambdas/catalogue';
import { platformRoutes } from '../../lambdas/platform/routes';
import { EncryptionKey } from '../../lib/constructs/encryption-key';
import { MetadataTable } from '../../lib/constructs/metadata-table';
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

describe('event bus', () => {
  it("is the one the stack names: in every function environment and in the publishers' grants", () => {
    const stack = new MlopsStack(treeOnlyApp(), 'CustomBus', {
      stageName: 'bus',
      capabilities: accessVariants,
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
