import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Capability } from '../../lambdas/catalogue';
import { routeKeyOf } from '../../lambdas/shared/http/route';

export interface ApiThrottle {
  /** Steady-state requests per second across the stage. */
  readonly rateLimit: number;
  /** Requests allowed in a burst above the rate. */
  readonly burstLimit: number;
}

export interface PlatformApiProps {
  /** The capability catalogue: one route per entry of every capability's route table. */
  readonly capabilities: readonly Capability[];
  /** The function of each capability, by capability name. */
  readonly functions: ReadonlyMap<string, IFunction>;
  /** The capability that answers requests no route matches (`$default`). */
  readonly defaultRouteCapability: string;
  /**
   * Default-stage throttling; protects the account's Lambda concurrency from a runaway client.
   * @default { rateLimit: 50, burstLimit: 100 }
   */
  readonly throttle?: ApiThrottle;
  /** @default RetentionDays.ONE_MONTH */
  readonly accessLogRetention?: RetentionDays;
  /** Of the access log group. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/** JSON access log line; `$context.identity.*` names the IAM caller of each request. */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    routeKey: '$context.routeKey',
    path: '$context.path',
    status: '$context.status',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationLatency: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
    error: '$context.error.message',
    sourceIp: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    callerArn: '$context.identity.userArn',
  }),
);

/**
 * The HTTPS API: an API Gateway HTTP API whose routes all require SigV4-signed requests (IAM
 * authorization). Routes come from the capability route tables, so the cloud API, the local server
 * and the OpenAPI document cannot disagree; `$default` goes to the default capability.
 */
export class PlatformApi extends Construct {
  public readonly httpApi: HttpApi;
  public readonly stage: HttpStage;
  public readonly accessLogGroup: LogGroup;
  /** Every route, `$default` included. */
  public readonly routes: readonly HttpRoute[];
  /** Base URL of the default stage, ending with `/`. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: PlatformApiProps) {
    super(scope, id);
    const throttle = props.throttle ?? { rateLimit: 50, burstLimit: 100 };
    validate(id, props, throttle);

    const authorizer = new HttpIamAuthorizer();
    this.httpApi = new HttpApi(this, 'HttpApi', {
      apiName: `${Stack.of(this).stackName}-api`,
      description: 'MLOps platform API (IAM-authorized)',
      createDefaultStage: false,
      defaultAuthorizer: authorizer,
    });

    this.accessLogGroup = new LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      autoDeploy: true,
      throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogGroup),
        format: ACCESS_LOG_FORMAT,
      },
    });
    this.url = this.stage.url;

    // One integration per function; each route still gets its own invoke permission scoped to its path.
    const integrations = new Map(
      props.capabilities.map((capability) => [
        capability.name,
        new HttpLambdaIntegration(`${capability.name}-integration`, props.functions.get(capability.name)!),
      ]),
    );
    const routes: HttpRoute[] = [];
    for (const capability of props.capabilities) {
      for (const route of Object.values(capability.routes)) {
        routes.push(
          new HttpRoute(this, `${capability.name}-${route.operationId}`, {
            httpApi: this.httpApi,
            routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
            integration: integrations.get(capability.name)!,
            authorizer,
          }),
        );
      }
    }
    routes.push(
      new HttpRoute(this, 'default-route', {
        httpApi: this.httpApi,
        routeKey: HttpRouteKey.DEFAULT,
        integration: integrations.get(props.defaultRouteCapability)!,
        authorizer,
      }),
    );
    this.routes = routes;
  }

  /** Lets a principal call every route of the default stage (execute-api:Invoke). */
  grantInvoke(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: ['execute-api:Invoke'],
      resourceArns: [this.httpApi.arnForExecuteApi('*', '/*', this.stage.stageName)],
    });
  }
}

const validate = (id: string, props: PlatformApiProps, throttle: ApiThrottle): void => {
  const where = `PlatformApi ${id}`;
  const missing = props.capabilities.filter((capability) => !props.functions.has(capability.name));
  if (missing.length > 0) {
    throw new Error(`${where}: no function for capabilities ${missing.map((c) => c.name).join(', ')}`);
  }
  if (!props.capabilities.some((capability) => capability.name === props.defaultRouteCapability)) {
    throw new Error(
      `${where}: defaultRouteCapability "${props.defaultRouteCapability}" is not in the catalogue`,
    );
  }
  const owners = new Map<string, string>();
  for (const capability of props.capabilities) {
    for (const route of Object.values(capability.routes)) {
      const key = routeKeyOf(route);
      const owner = owners.get(key);
      if (owner) {
        throw new Error(`${where}: route "${key}" is declared by both ${owner} and ${capability.name}`);
      }
      owners.set(key, capability.name);
    }
  }
  if (!(Number.isFinite(throttle.rateLimit) && throttle.rateLimit > 0)) {
    throw new Error(
      `${where}: throttle.rateLimit must be a positive number of requests per second, got ${throttle.rateLimit}`,
    );
  }
  if (!(Number.isInteger(throttle.burstLimit) && throttle.burstLimit > 0)) {
    throw new Error(`${where}: throttle.burstLimit must be a positive integer, got ${throttle.burstLimit}`);
  }
};
