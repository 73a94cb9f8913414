/**
 * `mlops endpoints …` as a process against the local platform: create, list, invoke, an A/B deployment
 * decided by labels (the platform's own driver looking on its clock), status, experiment, rollback,
 * a refused deployment naming the field, delete.
 */
import { describe, expect, it } from 'vitest';
import { flight, trainedModels } from '../support/deployments';
import { readJson } from '../support/http';
import { tempLocalPlatform } from '../support/local-platform';
import { PROCESS_TEST_OPTIONS, runMlops } from '../support/processes';
import { seededRandom } from '../support/random';

const MODEL = 'delays';

describe('mlops endpoints against the local platform', PROCESS_TEST_OPTIONS, () => {
  const local = tempLocalPlatform('mlops-endpoints-cli-');
  const mlops = (...args: string[]) => runMlops(local.platform.url, ...args);
  const get = async (path: string) => readJson(await fetch(`${local.platform.url}${path}`));

  const register = async (artifact: { artifact: Uint8Array; sha256: string }): Promise<number> => {
    const key = `artifacts/${MODEL}/${artifact.sha256}/model.json`;
    await local.platform.objects.put(key, artifact.artifact, { contentType: 'application/json' });
    const { version } = await readJson(
      await local.sendJson(`/models/${MODEL}/versions`, {
        artifactUri: local.platform.objects.uriOf(key),
        artifactSha256: artifact.sha256,
      }),
    );
    await local.sendJson(`/models/${MODEL}/versions/${version}/approval`, {
      decision: 'Approved',
      reviewer: 'rita',
      comment: 'ok',
    });
    return version;
  };

  const settled = async (id: string) => {
    for (let i = 0; i < 200; i++) {
      const deployment = await get(`/endpoints/flights/deployments/${id}`);
      if (deployment.status !== 'IN_PROGRESS') return deployment;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`deployment ${id} did not settle`);
  };

  it('creates, invokes, runs an A/B decided by labels, shows the experiment, rolls back and deletes', async () => {
    const { good } = await trainedModels();
    await local.sendJson('/models', { name: MODEL });
    const v1 = await register(good);
    const v2 = await register(good);

    const created = await mlops(
      'endpoints',
      'create',
      'flights',
      '--model',
      MODEL,
      '--model-version',
      String(v1),
    );
    const list = await mlops('endpoints', 'list');
    const row = flight(1);
    const invoked = await mlops(
      '--json',
      'endpoints',
      'invoke',
      'flights',
      ...Object.entries(row).flatMap(([k, v]) => ['--feature', `${k}=${v}`]),
      '--key',
      'user-1',
      '--inference-id',
      'cli-1',
    );
    const refused = await mlops(
      'endpoints',
      'deploy',
      'flights',
      '--model-version',
      String(v2),
      '--strategy',
      'ab',
    );
    const deployed = await mlops(
      '--json',
      'endpoints',
      'deploy',
      'flights',
      '--model-version',
      String(v2),
      '--strategy',
      'ab',
      '--steps',
      '50',
      '--metric',
      'binary',
      '--bake-seconds',
      '1',
    );

    expect(created).toEqual({ code: 0, output: expect.stringContaining('created endpoint flights') });
    expect(list.output).toMatch(/flights\s+delays\s+InService\s+v1:100%/);
    expect(invoked.code, invoked.output).toBe(0);
    expect(JSON.parse(invoked.output)).toMatchObject({ variant: 'v1', inferenceId: 'cli-1', model: MODEL });
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/body\.ab/);
    expect(deployed.code, deployed.output).toBe(0);
    const { deploymentId } = JSON.parse(deployed.output) as { deploymentId: string };

    // Traffic keyed by user, then labels: B converts clearly more often.
    const random = seededRandom(5);
    const labels: { inferenceId: string; label: number }[] = [];
    for (let i = 0; i < 300; i++) {
      const answer = await readJson(
        await local.sendJson('/endpoints/flights/invocations', {
          features: flight(i),
          key: `user-${i}`,
          inferenceId: `ab-${i}`,
        }),
      );
      labels.push({
        inferenceId: answer.inferenceId,
        label: random() < (answer.variant === 'v2' ? 0.9 : 0.4) ? 1 : 0,
      });
    }
    const during = await mlops('endpoints', 'status', 'flights');
    await local.sendJson(`/models/${MODEL}/labels`, { labels });
    const ended = await settled(deploymentId);
    const experiment = await mlops('endpoints', 'experiment', 'flights', deploymentId);
    const status = await mlops('endpoints', 'status', 'flights', deploymentId);
    const shown = await mlops('endpoints', 'show', 'flights');
    const rolledBack = await mlops('endpoints', 'rollback', 'flights', '--reason', 'cli check');
    const deleted = await mlops('endpoints', 'delete', 'flights');
    const gone = await mlops('endpoints', 'show', 'flights');

    expect(during.output).toMatch(/\(ab\): (IN_PROGRESS|SUCCEEDED)/);
    expect(ended).toMatchObject({ status: 'SUCCEEDED', decision: 'promoted' });
    expect(experiment.code, experiment.output).toBe(0);
    expect(experiment.output).toMatch(/decision B/);
    expect(experiment.output).toMatch(/v1\s+v1\s+50%\s+\d+\s+\d+\s+0\.\d+\s+\[/);
    expect(experiment.output).toMatch(/sequential \(mSPRT\): statistic=/);
    expect(experiment.output).toMatch(/sample ratio: .* ok/);
    expect(status.output).toMatch(
      new RegExp(`deployment ${deploymentId} of v${v2} on flights \\(ab\\): SUCCEEDED, promoted`),
    );
    expect(shown.output).toMatch(/v2\s+2\s+production\s+100%/);
    expect(rolledBack).toEqual({ code: 0, output: expect.stringContaining('rolled back flights: v1:100%') });
    expect(deleted).toEqual({ code: 0, output: expect.stringContaining('deleted endpoint flights') });
    expect(gone.code).toBe(1);
  });
});
