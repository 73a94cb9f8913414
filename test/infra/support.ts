import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type AppProps, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll } from 'vitest';
import { type Capability, capabilities } from '../../lambdas/catalogue';
import { MlopsStack } from '../../lib/mlops-stack';
import { PROJECT_ROOT } from '../../lib/paths';

const outdirs: string[] = [];

/**
 * A new directory in the system temp folder for an app's output (`{prefix}XXXXXX`), removed after the
 * test file that made it: support registers the afterAll below in every file that imports it (each test
 * file loads its own copy of this module).
 */
export const tempOutdir = (prefix = 'cdk.out'): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  outdirs.push(dir);
  return dir;
};

afterAll(() => {
  for (const dir of outdirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** cdk.json's context (feature flags), so a test synthesizes what `npx cdk synth` synthesizes. */
export const cdkJsonContext = (): Record<string, unknown> =>
  JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context;

/**
 * Skips esbuild for every stack, as `cdk deploy OtherStack` does: assets keep a placeholder hash and
 * the construct tree is unchanged. For tests about the tree (IAM, cdk-nag), not about the bundle.
 */
export const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

/** An app with the CLI's flags and no bundling, writing to a temp directory removed after the file. */
export const treeOnlyApp = (props: AppProps = {}): App =>
  new App({
    outdir: tempOutdir(),
    ...props,
    context: { ...cdkJsonContext(), ...SKIP_BUNDLING, ...props.context },
  });

/** Capabilities covering every access level, on an existing entry (never bundled: see SKIP_BUNDLING). */
export const accessVariants: readonly Capability[] = [
  {
    name: 'reader',
    entry: 'lambdas/platform/handler.ts',
    routes: {},
    access: { metadata: 'read', artifacts: 'read', notifications: 'none' },
  },
  {
    name: 'writer',
    entry: 'lambdas/platform/handler.ts',
    routes: {},
    access: { metadata: 'readWrite', artifacts: 'readWrite', notifications: 'publish' },
  },
  {
    name: 'publisher',
    entry: 'lambdas/platform/handler.ts',
    routes: {},
    access: { metadata: 'readWrite', artifacts: 'none', notifications: 'none', events: 'publish' },
  },
  {
    name: 'querier',
    entry: 'lambdas/platform/handler.ts',
    routes: {},
    access: { metadata: 'none', artifacts: 'none', notifications: 'none', offlineQueries: 'query' },
  },
  {
    name: 'isolated',
    entry: 'lambdas/platform/handler.ts',
    routes: {},
    access: { metadata: 'none', artifacts: 'none', notifications: 'none' },
  },
];

type PolicyStatement = {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
};
type PolicyResource = {
  readonly Properties: { Roles: unknown[]; PolicyDocument: { Statement: PolicyStatement[] } };
};

/** An Allow statement of a role's policies, with its actions and resources always as arrays. */
export interface AllowedStatement {
  readonly actions: string[];
  readonly resources: unknown[];
}

/** The logical id CloudFormation will see for a construct's default resource. */
export const logicalIdOf = (stack: Stack, construct: { node: { defaultChild?: unknown } }): string =>
  stack.getLogicalId(construct.node.defaultChild as Parameters<Stack['getLogicalId']>[0]);

/** Every Allow statement of the IAM policies attached to a role (by the role's logical id). */
export const allowedStatementsOf = (template: Template, roleLogicalId: string): AllowedStatement[] => {
  const policies = Object.values(
    template.findResources('AWS::IAM::Policy') as Record<string, PolicyResource>,
  );
  const attached = JSON.stringify({ Ref: roleLogicalId });
  return policies
    .filter((policy) => policy.Properties.Roles.some((role) => JSON.stringify(role) === attached))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
    .filter((statement) => statement.Effect === 'Allow')
    .map((statement) => ({ actions: [statement.Action].flat(), resources: [statement.Resource].flat() }));
};

/** Every action allowed by the IAM policies attached to a role (by the role's logical id). */
export const allowedActionsOf = (template: Template, roleLogicalId: string): string[] =>
  allowedStatementsOf(template, roleLogicalId).flatMap((statement) => statement.actions);

/** The platform stack as `npx cdk synth` builds it, bundles included (slow: one per test file). */
export const synthesizeMlopsStack = (): { app: App; stack: MlopsStack; template: Template } => {
  const app = new App({ outdir: tempOutdir(), context: cdkJsonContext() });
  const stack = new MlopsStack(app, 'Platform', { stageName: 'test' });
  return { app, stack, template: Template.fromStack(stack) };
};

export type Props = Record<string, unknown>;

/** The CloudFormation properties of a construct's default resource in a synthesized template. */
export const propertiesIn = (
  template: Template,
  stack: Stack,
  construct: { node: { defaultChild?: unknown } },
): Props => template.toJSON().Resources[logicalIdOf(stack, construct)].Properties;

/** The platform stack synthesized for a test file, with lookups into its template. */
export interface SynthesizedMlopsStack {
  readonly app: App;
  readonly stack: MlopsStack;
  readonly template: Template;
  /** The CloudFormation properties of a construct's default resource. */
  readonly propertiesOf: (construct: { node: { defaultChild?: unknown } }) => Props;
  /** `{ 'Fn::GetAtt': [logical id, attribute] }` of a construct's default resource. */
  readonly getAtt: (
    construct: { node: { defaultChild?: unknown } },
    attribute?: string,
  ) => { 'Fn::GetAtt': [string, string] };
}

/**
 * The platform stack of synthesizeMlopsStack, synthesized once for the calling test file in a
 * beforeAll (it bundles every function with esbuild, the slow part). Read `app`, `stack` and
 * `template` in hooks and tests only; `propertiesOf` and `getAtt` may be taken apart up front.
 */
export const synthesizedMlopsStack = (): SynthesizedMlopsStack => {
  let synthesized: ReturnType<typeof synthesizeMlopsStack> | undefined;
  beforeAll(() => {
    synthesized = synthesizeMlopsStack();
  });
  const get = () => {
    if (!synthesized) throw new Error('the stack is synthesized in beforeAll: read it in a hook or a test');
    return synthesized;
  };
  return {
    get app() {
      return get().app;
    },
    get stack() {
      return get().stack;
    },
    get template() {
      return get().template;
    },
    propertiesOf: (construct) => propertiesIn(get().template, get().stack, construct),
    getAtt: (construct, attribute = 'Arn') => ({
      'Fn::GetAtt': [logicalIdOf(get().stack, construct), attribute],
    }),
  };
};

/** The variables a function gets when its capability may query the offline store. */
export const OFFLINE_VARIABLES = ['OFFLINE_DATABASE', 'ATHENA_WORKGROUP'];
/** The Athena and Glue actions of a capability that may query the offline store. */
export const QUERY_ACTIONS = [
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
];

/** The catalogue access of a capability, by name. */
export function accessOf(name: string): Capability['access'] {
  const capability = capabilities.find((c) => c.name === name);
  if (!capability) throw new Error(`no capability ${name} in the catalogue`);
  return capability.access;
}
