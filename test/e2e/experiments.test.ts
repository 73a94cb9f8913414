import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLocalConfig } from '../../local/config';
import { parseWebhookUrls } from '../../local/notifications/webhook-urls';
import { type LocalPlatform, startLocalPlatform } from '../../local/platform';
import { runningClock } from '../support/clock';
import { readJson } from '../support/http';
import { PROCESS_TEST_OPTIONS, spawnNode } from '../support/processes';

/** Experiment tracking over real HTTP, then `mlops runs search` as a process. */
describe('experiment tracking on the local platform', PROCESS_TEST_OPTIONS, () => {
  let home: string;
  let platform: LocalPlatform;
  const post = async (path: string, body: unknown) =>
    readJson(
      await fetch(`${platform.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    );

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'mlops-experiments-'));
    platform = await startLocalPlatform(
      loadLocalConfig({ MLOPS_PORT: '0', MLOPS_HOME: home }, parseWebhookUrls),
      runningClock(),
    );
  });
  afterAll(async () => {
    await platform.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('logs runs and finds them with an MLflow filter, ordered, through the CLI', async () => {
    const { experimentId } = await post('/experiments', { name: 'fraud-tuning' });
    for (const [depth, auc] of [
      [3, 0.81],
      [5, 0.9],
      [7, 0.86],
      [9, 0.7],
    ] as const) {
      const run = await post(`/experiments/${experimentId}/runs`, {
        name: `depth-${depth}`,
        params: { max_depth: depth },
      });
      await post(`/runs/${run.runId}/metrics`, { metrics: [{ key: 'auc', value: auc, step: 1 }] });
      await post(`/runs/${run.runId}/finish`, { status: 'FINISHED' });
    }
    await post('/models', { name: 'fraud' });
    const version = await post('/models/fraud/versions', {
      artifactUri: 's3://b/m',
      artifactSha256: 'c'.repeat(64),
    });

    const cli = spawnNode(
      [
        'bin/mlops.mjs',
        '--api',
        platform.url,
        'runs',
        'search',
        '--experiment-name',
        'fraud-tuning',
        '--filter',
        'metrics.auc > 0.8 and attributes.status = "FINISHED"',
        '--order-by',
        'metrics.auc desc',
        '--columns',
        'params.max_depth,metrics.auc',
      ],
      {},
    );
    const code = await new Promise((resolve) => cli.child.on('exit', resolve));
    const rows = cli
      .output()
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split('\t').slice(1));

    expect(code).toBe(0);
    expect(rows).toEqual([
      ['depth-5', '5', '0.9'],
      ['depth-7', '7', '0.86'],
      ['depth-3', '3', '0.81'],
    ]);
    expect(version.version).toBe(1);
  });

  it('answers a malformed filter with a 400 that points at the filter', async () => {
    const { experimentId } = await post('/experiments', { name: 'bad-filter' });

    const problem = await post('/runs/search', { experimentIds: [experimentId], filter: 'metrics.auc >> 1' });

    expect(problem.status).toBe(400);
    expect(problem.errors[0]).toMatchObject({ field: 'body.filter' });
  });
});
