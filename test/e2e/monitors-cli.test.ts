import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeBaseline } from '../../lambdas/monitoring/baselines';
import { writeCaptures } from '../../lambdas/monitoring/captures';
import { profileTable } from '../../lambdas/monitoring/drift';
import { tempLocalPlatform } from '../support/local-platform';
import { capturesOf, columnsOf, population } from '../support/monitoring';
import { PROCESS_TEST_OPTIONS, runMlops } from '../support/processes';

describe('mlops monitors against the local platform', PROCESS_TEST_OPTIONS, () => {
  const local = tempLocalPlatform('mlops-monitors-cli-');
  const mlops = (...args: string[]) => runMlops(local.platform.url, ...args);
  const post = (path: string, body: unknown) =>
    local.sendJson(path, body, path.includes('aliases') ? 'PUT' : 'POST');

  beforeAll(async () => {
    await post('/models', { name: 'churn' });
    await post('/models/churn/versions', { artifactUri: 's3://a/churn', artifactSha256: 'c'.repeat(64) });
    await post('/models/churn/versions/1/approval', { decision: 'Approved', reviewer: 'bob', comment: 'ok' });
    await post('/models/churn/aliases/champion', { version: 1 });
    const { features, predictions } = columnsOf(population({ seed: 21, rows: 2000 }));
    await writeBaseline(local.platform.objects, 'churn', 1, {
      features: profileTable(features),
      predictions: profileTable(predictions),
      featureGroups: [],
      metrics: { auc: 0.8 },
    });
    const rows = population({ seed: 22, rows: 800, shift: 1 });
    await writeCaptures(local.platform.objects, capturesOf('churn', rows, local.platform.clock.now()), 'cli');
  });

  it('creates a monitor, runs it, and shows the history and the report', async () => {
    const created = await mlops(
      'monitors',
      'create',
      'churn-cli',
      '--model',
      'churn',
      '--schedule',
      'rate(1 day)',
    );
    const run = await mlops('--json', 'monitors', 'run', 'churn-cli');
    const id = JSON.parse(run.output).id as string;
    const reports = await mlops('monitors', 'reports', 'churn-cli');
    const report = await mlops('monitors', 'report', 'churn-cli', id);
    const list = await mlops('monitors', 'list');

    expect(created).toEqual({ code: 0, output: expect.stringContaining('created monitor churn-cli') });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.output)).toMatchObject({
      status: 'succeeded',
      rows: 800,
      dataDrift: { drift: true },
    });
    expect(reports.output).toMatch(new RegExp(`succeeded\\s+800\\s+DRIFT 67%.*${id}`));
    expect(report.output).toMatch(/tenure\s+numeric\s+drift\s+W1\/std=\d/);
    expect(report.output).toMatch(/plan\s+categorical\s+no_drift\s+JS=/);
    expect(list.output).toMatch(/churn-cli\s+churn\s+@champion\s+rate\(1 day\)/);
  });

  it('posts labels from a CSV file and refuses a bad schedule naming the field', async () => {
    const file = join(local.home, 'labels.csv');
    writeFileSync(file, 'inferenceId,label\ninf-0,1\ninf-1,0\n');

    const labels = await mlops('monitors', 'labels', 'churn', file);
    const refused = await mlops(
      'monitors',
      'create',
      'bad',
      '--model',
      'churn',
      '--schedule',
      'rate(0 days)',
    );

    expect(labels).toEqual({ code: 0, output: expect.stringContaining('stored 2 labels for churn') });
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/body\.schedule/);
  });
});
