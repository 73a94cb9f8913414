import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { BuildOptions } from 'esbuild';
import { PROJECT_ROOT } from '../paths';

/**
 * nodejs22.x: the supported runtime nearest to the Node 20 the local platform runs on, so one code base
 * behaves alike in both. Node 22 reaches end of life on 2027-04-30; NODEJS_24_X here would also clear
 * cdk-nag's L1 finding (acknowledged below).
 */
export const PLATFORM_RUNTIME = Runtime.NODEJS_22_X;

/**
 * CommonJS dependencies bundled into an ES module still call `require` for Node built-ins; esbuild's
 * ESM output throws "Dynamic require of … is not supported" unless a real `require` is in scope.
 */
const CREATE_REQUIRE_BANNER =
  "import { createRequire as __platformCreateRequire } from 'node:module'; const require = __platformCreateRequire(import.meta.url);";

/**
 * How every function is bundled, as esbuild options, so a benchmark can bundle exactly the same way:
 * `esbuild.build({ ...PLATFORM_BUNDLING, entryPoints, outfile })`. PlatformFunction maps them onto
 * NodejsFunction's options. Nothing is external, the AWS SDK included: the exact SDK versions pinned in
 * package.json ship in the bundle instead of whatever SDK the runtime carries that month.
 */
/** Lambda-only replacement of the SDK's default credential chain: see the file for why and the figures. */
const LAMBDA_CREDENTIALS_MODULE = join(PROJECT_ROOT, 'lambdas/shared/adapters/aws/lambda-credentials.ts');

export const PLATFORM_BUNDLING = Object.freeze({
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  // ES module builds first: the SDK v3 and Powertools ship dist-es, which esbuild tree-shakes better.
  mainFields: ['module', 'main'],
  // Safe because error classes set `this.name` explicitly (conventions) instead of relying on class names.
  minify: true,
  sourcemap: true,
  // Stack traces need the mappings only: without sources the platform map is 1.2 MB instead of 3.4 MB.
  sourcesContent: false,
  metafile: true,
  banner: { js: CREATE_REQUIRE_BANNER },
  external: [] as string[],
  alias: { '@aws-sdk/credential-provider-node': LAMBDA_CREDENTIALS_MODULE },
} satisfies BuildOptions);

const CDK_BUNDLING: BundlingOptions = {
  format: OutputFormat.ESM,
  target: PLATFORM_BUNDLING.target,
  mainFields: PLATFORM_BUNDLING.mainFields,
  minify: PLATFORM_BUNDLING.minify,
  sourceMap: PLATFORM_BUNDLING.sourcemap,
  sourcesContent: PLATFORM_BUNDLING.sourcesContent,
  metafile: PLATFORM_BUNDLING.metafile,
  banner: PLATFORM_BUNDLING.banner.js,
  bundleAwsSDK: true,
  externalModules: PLATFORM_BUNDLING.external,
  esbuildArgs: Object.fromEntries(
    Object.entries(PLATFORM_BUNDLING.alias).map(([from, to]) => [`--alias:${from}`, to]),
  ),
  // Never Docker: the local esbuild is pinned in package.json; no Docker engine on CI or dev machines.
  forceDockerBundling: false,
};

export type PowertoolsLogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** Metric namespace shared by every function, so dashboards find all platform metrics in one place. */
export const METRICS_NAMESPACE = 'MlopsPlatform';

/** Variables set by this construct, or by Lambda (AWS_REGION); callers may not set them. */
const OWN_VARIABLES = [
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_METRICS_NAMESPACE',
  'POWERTOOLS_LOG_LEVEL',
  'NODE_OPTIONS',
  'AWS_REGION',
];

export interface PlatformFunctionProps {
  /** Lambda entry file, relative to the project root (as in lambdas/catalogue.ts). */
  readonly entry: string;
  /** Powertools service name (lower-case, digits, dashes); names the function in logs, metrics and traces. */
  readonly serviceName: string;
  /**
   * Variables the handler reads (lambdas/shared/config.ts). The Powertools and source-map variables are
   * added by this construct.
   * @default - none besides the construct's own
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Memory in MB. Lambda gives CPU in proportion to memory, and cold-start initialisation (parsing the
   * bundle, building SDK clients) is CPU-bound; idle functions cost nothing whatever their size.
   * @default 1024
   */
  readonly memorySize?: number;
  /**
   * @default Duration.seconds(10) — API handlers answer well within API Gateway's 30 s limit
   */
  readonly timeout?: Duration;
  /**
   * Concurrency set aside for this function (and its ceiling), so one route's burst cannot starve the
   * platform's other functions.
   * @default - none: the function shares the account's unreserved concurrency
   */
  readonly reservedConcurrentExecutions?: number;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** @default 'INFO' */
  readonly logLevel?: PowertoolsLogLevel;
  /**
   * What happens to the log group when the function leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /** @default - `${serviceName} capability` */
  readonly description?: string;
}

/**
 * The one Lambda function shape of the platform: Node 22 on arm64, an ES module bundle with its own
 * SDK and source maps, active X-Ray tracing, Powertools settings, an explicit log group with retention,
 * and its own role that may write to that log group only (no AWSLambdaBasicExecutionRole).
 *
 * It is the NodejsFunction itself (as in Powertools' CDK examples): pass it wherever an `IFunction`
 * or `IGrantable` goes, call `addEnvironment` on it; `logGroup` is its own log group. The role and log
 * group are created beside it, in the same scope (`{id}Role`, `{id}LogGroup`), because a function's role
 * must exist before the function.
 */
export class PlatformFunction extends NodejsFunction {
  /** The function's own role (never undefined, unlike `Function.role`). */
  declare public readonly role: Role;

  constructor(scope: Construct, id: string, props: PlatformFunctionProps) {
    const memorySize = props.memorySize ?? 1024;
    const timeout = props.timeout ?? Duration.seconds(10);
    validate(id, props, memorySize, timeout);

    const logGroup = new LogGroup(scope, `${id}LogGroup`, {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${props.serviceName} function`,
    });
    logGroup.grantWrite(role);

    super(scope, id, {
      entry: join(PROJECT_ROOT, props.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      runtime: PLATFORM_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize,
      timeout,
      ...(props.reservedConcurrentExecutions === undefined
        ? {}
        : { reservedConcurrentExecutions: props.reservedConcurrentExecutions }),
      description: props.description ?? `${props.serviceName} capability`,
      role,
      logGroup,
      tracing: Tracing.ACTIVE,
      bundling: CDK_BUNDLING,
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
      },
    });

    // Tracing.ACTIVE adds xray:PutTraceSegments and xray:PutTelemetryRecords on "*" to this role.
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions; "*" is the only valid resource (added by Tracing.ACTIVE).',
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'nodejs22.x is deliberate (PLATFORM_RUNTIME): a supported runtime, and the nearest to the Node 20 the local platform runs on. Revisit before its end of life on 2027-04-30.',
    });
  }
}

const validate = (id: string, props: PlatformFunctionProps, memorySize: number, timeout: Duration): void => {
  const where = `PlatformFunction ${id}`;
  if (!/^[a-z][a-z0-9-]*$/.test(props.serviceName)) {
    throw new Error(
      `${where}: serviceName "${props.serviceName}" must be lower-case letters, digits and dashes`,
    );
  }
  if (!existsSync(join(PROJECT_ROOT, props.entry))) {
    throw new Error(`${where}: entry "${props.entry}" does not exist under ${PROJECT_ROOT}`);
  }
  if (!Number.isInteger(memorySize) || memorySize < 128 || memorySize > 10_240) {
    throw new Error(`${where}: memorySize must be an integer from 128 to 10240 MB, got ${memorySize}`);
  }
  if (!timeout.isUnresolved() && (timeout.toSeconds() < 1 || timeout.toSeconds() > 900)) {
    throw new Error(`${where}: timeout must be from 1 to 900 seconds, got ${timeout.toSeconds()}`);
  }
  const clashes = Object.keys(props.environment ?? {}).filter((name) => OWN_VARIABLES.includes(name));
  if (clashes.length > 0) {
    throw new Error(
      `${where}: environment may not set ${clashes.join(', ')} (set by this construct or by Lambda)`,
    );
  }
};
