import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { capabilities, DEFAULT_ROUTE_CAPABILITY } from '../../lambdas/catalogue';
import { MonitoringEnvironment } from '../../lambdas/monitoring/config';
import { LambdaEnvironment } from '../../lambdas/shared/config';
import { routeKeyOf } from '../../lambdas/shared/http/route';
import { PLATFORM_BUNDLING } from '../../lib/constructs/platform-function';
import {
  accessOf,
  allowedActionsOf,
  allowedStatementsOf,
  logicalIdOf,
  OFFLINE_VARIABLES,
  type Props,
  QUERY_ACTIONS,
  synthesizedMlopsStack,
} from './support';

// The API, the functions and the stack as a whole; the data resources are in mlops-stack-data.test.ts.
// One synth for the whole file: it bundles every function with esbuild, which is the slow part.
const synth = synthesizedMlopsStack();
const { propertiesOf } = synth;
const resourcesOf = (type: string) =>
  synth.template.findResources(type) as Record<string, { Properties: Props; DeletionPolicy?: string }>;

describe('API', () => {
  it('is one HTTP API with a route per catalogue route, plus $default', () => {
    synth.template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    synth.template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    const routeKeys = Object.values(resourcesOf('AWS::ApiGatewayV2::Route')).map(
      (route) => route.Properties.RouteKey,
    );
    const expected = capabilities.flatMap((capability) => Object.values(capability.routes).map(routeKeyOf));

    expect(routeKeys.sort()).toEqual([...expected, '$default'].sort());
  });

  it('requires IAM authorization on every route', () => {
    const routes = Object.values(resourcesOf('AWS::ApiGatewayV2::Route'));

    expect(routes.length).toBeGreaterThan(1);
    expect(routes.map((route) => route.Properties.AuthorizationType)).toEqual(routes.map(() => 'AWS_IAM'));
  });

  it('sends $default to the default capability function', () => {
    const defaultFunction = logicalIdOf(
      synth.stack,
      synth.stack.functions.functionOf(DEFAULT_ROUTE_CAPABILITY),
    );
    const route = Object.values(resourcesOf('AWS::ApiGatewayV2::Route')).find(
      (r) => r.Properties.RouteKey === '$default',
    );
    const integrationId = JSON.stringify(route?.Properties.Target).match(/"Ref":"([^"]+)"/)?.[1] ?? 'none';

    expect(synth.template.toJSON().Resources[integrationId].Properties).toMatchObject({
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: { 'Fn::GetAtt': [defaultFunction, 'Arn'] },
    });
  });

  it('throttles and access-logs its default stage', () => {
    synth.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [logicalIdOf(synth.stack, synth.stack.api.accessLogGroup), 'Arn'] },
        Format: Match.stringLikeRegexp('\\$context\\.requestId'),
      },
    });
  });
});

describe('functions', () => {
  it('exist once per capability, on nodejs22.x arm64 with active tracing and their own log group', () => {
    // One per capability, plus those only Step Functions invokes: the training pipeline's task function
    // and the drift job's two (job steps, shard summaries).
    synth.template.resourceCountIs('AWS::Lambda::Function', capabilities.length + 3);
    synth.template.allResourcesProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogGroup: { Ref: Match.anyValue() } },
    });
    for (const fn of synth.stack.functions.functions.values()) {
      expect(propertiesOf(fn).LoggingConfig).toEqual({
        LogGroup: { Ref: logicalIdOf(synth.stack, fn.logGroup) },
      });
      expect(propertiesOf(fn.logGroup).RetentionInDays).toBe(30);
    }
  });

  const SERVING_VARIABLES = ['DEPLOYMENT_STATE_MACHINE_ARN', 'ENDPOINT_PREFIX'];

  it('get exactly the variables of lambdas/shared/config.ts, wired to the stack resources', () => {
    const fromLambda = ['AWS_REGION'];
    const ours = ['POWERTOOLS_METRICS_NAMESPACE', 'POWERTOOLS_LOG_LEVEL', 'NODE_OPTIONS'];
    const [optional, required] = partition(
      Object.entries(LambdaEnvironment.shape),
      ([, schema]) => schema.safeParse(undefined).success,
    );

    expect(optional.map(([name]) => name).sort()).toEqual(
      [
        ...OFFLINE_VARIABLES,
        'TRAINING_PIPELINE_ARN',
        'PIPELINE_RULE_PREFIX',
        ...SERVING_VARIABLES,
        'CODE_GIT_SHA',
      ].sort(),
    );
    for (const [name, fn] of synth.stack.functions.functions) {
      const variables = (propertiesOf(fn).Environment as { Variables: Props }).Variables;
      const expected = [
        ...required.map(([variable]) => variable).filter((variable) => !fromLambda.includes(variable)),
        ...ours,
        ...(accessOf(name).offlineQueries === 'query' ? OFFLINE_VARIABLES : []),
        ...(accessOf(name).workflows === 'start' ? ['TRAINING_PIPELINE_ARN', 'PIPELINE_RULE_PREFIX'] : []),
        // The deployment state machine it starts and the SageMaker names it invokes (Serving).
        ...(name === 'deployments' ? SERVING_VARIABLES : []),
        // Where monitors' schedule rules go (lambdas/monitoring/config.ts).
        ...(name === 'monitoring' ? Object.keys(MonitoringEnvironment.shape) : []),
      ];
      expect(Object.keys(variables).sort(), name).toEqual(expected.sort());
      expect(variables).toMatchObject({
        METADATA_TABLE_NAME: { Ref: logicalIdOf(synth.stack, synth.stack.metadata.table) },
        ARTIFACT_BUCKET_NAME: { Ref: logicalIdOf(synth.stack, synth.stack.artifacts.bucket) },
        NOTIFICATION_TOPIC_ARN: { Ref: logicalIdOf(synth.stack, synth.stack.notifications.topic) },
        EVENT_BUS_NAME: 'default',
        POWERTOOLS_SERVICE_NAME: name,
        POWERTOOLS_METRICS_NAMESPACE: 'MlopsPlatform',
        NODE_OPTIONS: '--enable-source-maps',
      });
    }
  });

  it('are bundled by esbuild as minified ES modules with their own AWS SDK and a source map', () => {
    const fn = synth.stack.functions.functionOf(DEFAULT_ROUTE_CAPABILITY);
    const code = propertiesOf(fn).Code as { S3Key: string };
    const assetDir = join(synth.app.outdir, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
    const metafile = JSON.parse(readFileSync(join(assetDir, 'index.meta.json'), 'utf8')) as { inputs: Props };

    expect(readFileSync(join(assetDir, 'index.mjs'), 'utf8').startsWith(PLATFORM_BUNDLING.banner.js)).toBe(
      true,
    );
    expect(existsSync(join(assetDir, 'index.mjs.map'))).toBe(true);
    expect(
      Object.keys(metafile.inputs).some((input) => input.includes('node_modules/@aws-sdk/client-dynamodb/')),
    ).toBe(true);
  });

  it('resolve AWS credentials from the environment only, through the Lambda credentials alias', () => {
    const fn = synth.stack.functions.functionOf(DEFAULT_ROUTE_CAPABILITY);
    const code = propertiesOf(fn).Code as { S3Key: string };
    const assetDir = join(synth.app.outdir, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
    const inputs = Object.keys(
      (JSON.parse(readFileSync(join(assetDir, 'index.meta.json'), 'utf8')) as { inputs: Props }).inputs,
    );

    expect(inputs).toContainEqual(
      expect.stringContaining('lambdas/shared/adapters/aws/lambda-credentials.ts'),
    );
    expect(inputs.filter((input) => /credential-provider-(node|ini|sso)|nested-clients/.test(input))).toEqual(
      [],
    );
  });

  it('are granted only what their catalogue access names, with no managed policies', () => {
    synth.template.allResourcesProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
    for (const capability of capabilities) {
      const actions = allowedActionsOf(
        synth.template,
        logicalIdOf(synth.stack, synth.stack.functions.functionOf(capability.name).role),
      );
      const { metadata, artifacts, notifications, events = 'none' } = capability.access;

      expect(
        actions.some((a) => a.startsWith('s3:')),
        `${capability.name} s3`,
      ).toBe(artifacts !== 'none');
      expect(
        actions.some((a) => a.startsWith('s3:Put')),
        `${capability.name} s3 write`,
      ).toBe(artifacts === 'readWrite');
      expect(actions.includes('dynamodb:GetItem'), `${capability.name} dynamodb`).toBe(metadata !== 'none');
      expect(actions.includes('dynamodb:PutItem'), `${capability.name} dynamodb write`).toBe(
        metadata === 'readWrite',
      );
      expect(actions.includes('sns:Publish'), `${capability.name} sns`).toBe(notifications === 'publish');
      expect(actions.includes('events:PutEvents'), `${capability.name} events`).toBe(events === 'publish');
      expect(
        actions.filter((a) => /^(athena|glue):/.test(a)),
        `${capability.name} offline queries`,
      ).toEqual(capability.access.offlineQueries === 'query' ? expect.arrayContaining(QUERY_ACTIONS) : []);
    }
  });

  it('are granted nothing on every resource but X-Ray, and put events on the default bus only', () => {
    const bus = synth.stack.resolve(synth.stack.events.bus.eventBusArn);
    for (const capability of capabilities) {
      const statements = allowedStatementsOf(
        synth.template,
        logicalIdOf(synth.stack, synth.stack.functions.functionOf(capability.name).role),
      );

      const onEverything = statements.filter((s) => s.resources.includes('*')).flatMap((s) => s.actions);
      expect(
        onEverything.filter((a) => !a.startsWith('xray:')),
        capability.name,
      ).toEqual([]);
      const putEvents = statements.filter((s) => s.actions.includes('events:PutEvents'));
      for (const statement of putEvents) {
        expect(statement, capability.name).toEqual({ actions: ['events:PutEvents'], resources: [bus] });
      }
      // Only monitoring (monitors' rules) and pipelines (models' training schedules) manage rules, each
      // only its own set, named by the stage's prefix.
      const ownRules: Record<string, RegExp> = {
        monitoring: /rule\/mlops-test-\*"/,
        pipelines: /rule\/mlops-test\.train-\*"/,
      };
      const rules = statements.filter((s) =>
        s.actions.some((a) => /^events:(Put|Delete|Remove)(Rule|Targets)$/.test(a)),
      );
      expect(rules.length > 0, capability.name).toBe(capability.name in ownRules);
      for (const statement of rules) {
        expect(JSON.stringify(statement.resources), capability.name).toMatch(ownRules[capability.name]!);
      }
    }
    expect(JSON.stringify(bus)).toContain(':event-bus/default');
  });
});

describe('stack', () => {
  it('hard-codes no physical name, so stages deploy side by side', () => {
    const named: Array<[string, string]> = [
      ['AWS::DynamoDB::Table', 'TableName'],
      ['AWS::S3::Bucket', 'BucketName'],
      ['AWS::SNS::Topic', 'TopicName'],
      ['AWS::Lambda::Function', 'FunctionName'],
      ['AWS::IAM::Role', 'RoleName'],
      ['AWS::Logs::LogGroup', 'LogGroupName'],
      ['AWS::KMS::Alias', 'AliasName'],
    ];
    for (const [type, property] of named) {
      for (const resource of Object.values(resourcesOf(type)))
        expect(resource.Properties?.[property], type).toBeUndefined();
    }
  });

  it('outputs the API URL, table, bucket and topic', () => {
    for (const output of [
      'ApiUrl',
      'MetadataTableName',
      'ArtifactBucketName',
      'NotificationTopicArn',
      'OfflineDatabaseName',
      'AthenaWorkGroupName',
    ]) {
      synth.template.hasOutput(output, { Value: Match.anyValue() });
    }
  });
});

function partition<T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  return [items.filter(test), items.filter((item) => !test(item))];
}
