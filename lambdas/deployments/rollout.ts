/**
 * The cloud rollout: a deployment started through the API runs as an execution of
 * statemachines/deployment.asl.json (the WorkflowEngine port: Step Functions in the cloud), whose
 * input this module builds from the endpoint and deployment records: the SageMaker names, the model,
 * the endpoint config's variants and the weights of each step, of promotion and of rollback. The
 * execution is named by the deployment id, so a retried start is the same execution.
 */
import type { WorkflowEngine } from '../shared/ports/workflow-engine';
import type { DeploymentRecord, EndpointRecord, VariantRecord } from './records';

export interface RolloutSettings {
  readonly engine: WorkflowEngine;
  /** Prepended to platform names to make SageMaker names (`mlops-{stage}-`). */
  readonly endpointPrefix: string;
  /** @default 'ml.m5.large' */
  readonly defaultInstanceType?: string;
}

/** SageMaker names: at most 63 characters of letters, digits and dashes. */
const sageMakerName = (base: string, suffix: string): string => {
  const clean = base.replace(/[^a-zA-Z0-9-]/g, '-');
  return `${clean.slice(0, 63 - suffix.length - 1)}-${suffix}`.replace(/-+/g, '-');
};

const suffixOf = (deploymentId: string) => deploymentId.slice(-12).toLowerCase();

/** The SageMaker model of a version as the deployment that introduced it created it. */
const modelNameOf = (prefix: string, model: string, version: number, deploymentId: string) =>
  sageMakerName(`${prefix}${model}-v${version}`, suffixOf(deploymentId));

/** The deployment that put a variant's version on the endpoint (the newest history entry naming it). */
const introducedBy = (endpoint: EndpointRecord, variant: VariantRecord, fallback: string): string =>
  [...endpoint.history]
    .reverse()
    .find(
      (h) =>
        h.version === variant.version &&
        h.deploymentId &&
        ['created', 'deployment-started', 'promoted'].includes(h.action),
    )?.deploymentId ?? fallback;

const weight = (name: string, desired: number) => ({ VariantName: name, DesiredWeight: desired });

/** The execution input of statemachines/deployment.asl.json for a deployment just committed. */
export const rolloutInput = (
  settings: Omit<RolloutSettings, 'engine'>,
  endpoint: EndpointRecord,
  deployment: DeploymentRecord,
  options: { readonly endpointExists: boolean; readonly old?: VariantRecord },
) => {
  const prefix = settings.endpointPrefix;
  const endpointName = `${prefix}${endpoint.name}`;
  const config = endpoint.config;
  const sizing = config.serverless
    ? {
        ServerlessConfig: {
          MemorySizeInMB: config.serverless.memoryMb,
          MaxConcurrency: config.serverless.maxConcurrency,
        },
      }
    : {
        InstanceType: config.instanceType ?? settings.defaultInstanceType ?? 'ml.m5.large',
        InitialInstanceCount: config.instanceCount ?? 1,
      };
  const fresh = endpoint.variants.find((v) => v.name === deployment.variant);
  const modelName = modelNameOf(prefix, deployment.model, deployment.version, deployment.id);
  const old = options.old;
  const oldModel = old
    ? modelNameOf(prefix, old.model, old.version, introducedBy(endpoint, old, deployment.id))
    : undefined;
  const shadow = deployment.strategy === 'shadow';
  // All at once keeps the previous version on the endpoint at weight 0: an instant rollback targets it.
  const allAtOnce = deployment.strategy === 'all-at-once';
  const production = [
    ...(old && oldModel
      ? [{ VariantName: old.name, ModelName: oldModel, ...sizing, InitialVariantWeight: allAtOnce ? 0 : 1 }]
      : []),
    ...(!shadow
      ? [
          {
            VariantName: deployment.variant,
            ModelName: modelName,
            ...sizing,
            InitialVariantWeight: old && !allAtOnce ? 0 : 1,
          },
        ]
      : []),
  ];
  const both = (percent: number) =>
    old ? [weight(old.name, (100 - percent) / 100), weight(deployment.variant, percent / 100)] : [];
  const staged = old !== undefined && !allAtOnce;
  return {
    deploymentId: deployment.id,
    endpointName,
    endpointConfigName: sageMakerName(endpointName, suffixOf(deployment.id)),
    endpointExists: options.endpointExists,
    model: { modelName, modelDataUrl: fresh?.artifactUri ?? '' },
    productionVariants: production,
    ...(shadow
      ? { shadowVariants: [{ VariantName: deployment.variant, ModelName: modelName, ...sizing }] }
      : {}),
    capturePercent: endpoint.capture.percent,
    steps: staged
      ? deployment.steps.map((percent) => ({
          weights: shadow && old ? [weight(old.name, 1)] : both(percent),
          bakeSeconds: deployment.bakeSeconds,
        }))
      : [],
    promoteWeights:
      shadow && old ? [weight(old.name, 1)] : both(100).length ? both(100) : [weight(deployment.variant, 1)],
    rollbackWeights: old ? (shadow ? [weight(old.name, 1)] : both(0)) : [weight(deployment.variant, 1)],
  };
};

/** Starts the deployment's execution (named by its id). */
export const startRollout = (
  settings: RolloutSettings,
  endpoint: EndpointRecord,
  deployment: DeploymentRecord,
  options: { readonly endpointExists: boolean; readonly old?: VariantRecord },
): Promise<void> =>
  settings.engine.start('deployment', deployment.id, rolloutInput(settings, endpoint, deployment, options));
