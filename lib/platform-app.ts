import { App, type AppProps, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MlopsStack } from './mlops-stack';

/**
 * The CDK app: one MlopsStack for the stage named by `-c stage=<name>` (default `dev`), checked by
 * cdk-nag's AwsSolutions pack (synth fails on any finding not acknowledged with a reason). The stack
 * has no account/region: synth needs no credentials and makes no look-ups.
 */
export const createPlatformApp = (props: AppProps = {}): App => {
  const app = new App(props);
  const stageName: string = app.node.tryGetContext('stage') ?? 'dev';
  new MlopsStack(app, `MlopsPlatform-${stageName}`, {
    stageName,
    description: `MLOps platform (${stageName})`,
    // Only production keeps its data when the stack goes; other stages clean up after themselves.
    removalPolicy: stageName === 'prod' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app;
};
