import { type App, Stack, Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { MlopsStack } from '../../lib/mlops-stack';
import { createPlatformApp } from '../../lib/platform-app';
import { accessVariants, cdkJsonContext, SKIP_BUNDLING, tempOutdir, treeOnlyApp } from './support';

// cdk-nag reads the construct tree, not the bundles: every app here skips esbuild.

/** Unacknowledged AwsSolutions findings, as `rule at construct path` lines (readable when a test fails). */
const findingsOf = (app: App): string[] =>
  new AwsSolutionsChecks()
    .validateScope(app)
    .violations.flatMap((violation) =>
      violation.violatingResources.map((resource) => `${violation.ruleName} at ${resource.constructPath}`),
    );

const outdir = () => tempOutdir('cdk-nag-test-');

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged in the platform app, and its synth passes', () => {
    const app = createPlatformApp({ outdir: outdir(), context: { ...cdkJsonContext(), ...SKIP_BUNDLING } });

    expect(findingsOf(app)).toEqual([]);
    expect(() => app.synth()).not.toThrow();
    // A whole synth with bundling skipped: ~11 s alone, more when the 2 cores are shared.
  }, 90_000);

  it('finds nothing unacknowledged for capabilities at every access level', () => {
    const app = treeOnlyApp();
    new MlopsStack(app, 'Variants', {
      stageName: 'variants',
      capabilities: accessVariants,
      // The variants have no monitoring capability: the drift job deploys without its API.
      monitoringCapability: null,
      defaultRouteCapability: 'isolated',
    });

    expect(findingsOf(app)).toEqual([]);
  });

  it('fails the synth of a bucket that accepts plain HTTP', () => {
    const app = treeOnlyApp({ outdir: outdir() });
    const stack = new Stack(app, 'Tiny');
    new Bucket(stack, 'Plain', { serverAccessLogsPrefix: 'logs/' });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

    expect(findingsOf(app)).toEqual(['AwsSolutions-S10 at Tiny/Plain/Resource']);
    expect(() => app.synth()).toThrow(/AwsSolutions-S10/);
  });

  it('honours an acknowledgement only on the construct it was given to', () => {
    const app = treeOnlyApp();
    const stack = new Stack(app, 'Tiny');
    const excused = new Bucket(stack, 'Excused', { serverAccessLogsPrefix: 'logs/' });
    new Bucket(stack, 'Plain', { serverAccessLogsPrefix: 'logs/' });
    Validations.of(excused).acknowledge({ id: 'AwsSolutions-S10', reason: 'test' });

    expect(findingsOf(app)).toEqual(['AwsSolutions-S10 at Tiny/Plain/Resource']);
  });
});
