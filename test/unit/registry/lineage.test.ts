import { describe, expect, it } from 'vitest';
import { auditOp } from '../../../lambdas/registry/records';
import { type RegistryFixture, registryFixture, sha, versionBody } from '../../support/registry';
import { sqliteStores } from '../../support/stores';

const fullLineage = {
  datasets: [
    {
      uri: 's3://data/train/v3',
      sha256: sha('train'),
      schema: [{ name: 'age', type: 'int' }],
      rowCount: 1000,
    },
    { uri: 's3://data/holdout/v3', sha256: sha('holdout') },
  ],
  featureGroups: [
    { name: 'customer', version: 2 },
    { name: 'orders', version: 5 },
  ],
  featureService: { name: 'churn-features', version: 1 },
  trainingRun: { runId: 'run-42', params: { depth: 6 }, metrics: { auc: 0.9 } },
  code: { gitSha: 'abc1234', image: '123.dkr.ecr/xgb@sha256:beef' },
  pipelineExecution: { executionId: 'arn:aws:states:exec/1' },
};

describe('registry: lineage and history', () => {
  const sqlite = sqliteStores();
  const setup = async (): Promise<RegistryFixture> => {
    const f = registryFixture(sqlite);
    await f.call('POST /models', { body: { name: 'm' } });
    return f;
  };
  const lineageOf = (f: RegistryFixture, version: number | string) =>
    f.call('GET /models/{name}/versions/{version}/lineage', { params: { name: 'm', version } });

  it('links datasets, features, code and pipeline through the training run to the artifact and version', async () => {
    const f = await setup();
    await f.call('POST /models/{name}/versions', {
      params: { name: 'm' },
      body: versionBody('a', { lineage: fullLineage }),
    });

    const { json } = await lineageOf(f, 1);

    const run = 'trainingRun:run-42';
    const artifact = `artifact:${sha('a')}`;
    expect(json.edges).toEqual(
      expect.arrayContaining([
        { from: `dataset:${sha('train')}`, to: run, type: 'input' },
        { from: `dataset:${sha('holdout')}`, to: run, type: 'input' },
        { from: 'featureGroup:customer@2', to: 'featureService:churn-features@1', type: 'member' },
        { from: 'featureGroup:orders@5', to: 'featureService:churn-features@1', type: 'member' },
        { from: 'featureService:churn-features@1', to: run, type: 'input' },
        { from: 'code:abc1234', to: run, type: 'code' },
        { from: 'pipelineExecution:arn:aws:states:exec/1', to: run, type: 'orchestrated' },
        { from: run, to: artifact, type: 'produced' },
        { from: artifact, to: 'modelVersion:m/1', type: 'registeredAs' },
      ]),
    );
    expect(json.edges).toHaveLength(9);
    expect(json.nodes).toEqual(
      expect.arrayContaining([
        { id: 'modelVersion:m/1', type: 'modelVersion', model: 'm', version: 1, status: 'PendingApproval' },
        { id: artifact, type: 'artifact', uri: versionBody('a').artifactUri, sha256: sha('a') },
        expect.objectContaining({
          id: `dataset:${sha('train')}`,
          type: 'dataset',
          rowCount: 1000,
          schema: [{ name: 'age', type: 'int' }],
        }),
        expect.objectContaining({
          id: run,
          type: 'trainingRun',
          params: { depth: 6 },
          metrics: { auc: 0.9 },
        }),
        expect.objectContaining({
          id: 'code:abc1234',
          gitSha: 'abc1234',
          image: '123.dkr.ecr/xgb@sha256:beef',
        }),
      ]),
    );
    expect(json.nodes).toHaveLength(10);
    const ids = new Set(json.nodes.map((node: { id: string }) => node.id));
    for (const edge of json.edges) expect([ids.has(edge.from), ids.has(edge.to)]).toEqual([true, true]);
  });

  it('without lineage shows the artifact registered as the version, and nothing invented', async () => {
    const f = await setup();
    await f.call('POST /models/{name}/versions', { params: { name: 'm' }, body: versionBody('b') });

    const { json } = await lineageOf(f, 1);

    expect(json).toEqual({
      model: 'm',
      version: 1,
      nodes: [
        { id: 'modelVersion:m/1', type: 'modelVersion', model: 'm', version: 1, status: 'PendingApproval' },
        { id: `artifact:${sha('b')}`, type: 'artifact', uri: versionBody('b').artifactUri, sha256: sha('b') },
      ],
      edges: [{ from: `artifact:${sha('b')}`, to: 'modelVersion:m/1', type: 'registeredAs' }],
    });
  });

  it('feeds inputs to the version itself when no training run is named', async () => {
    const f = await setup();
    const lineage = {
      datasets: [{ uri: 's3://d', sha256: sha('d') }],
      pipelineExecution: { executionId: 'x' },
    };
    await f.call('POST /models/{name}/versions', {
      params: { name: 'm' },
      body: versionBody('c', { lineage }),
    });

    const { json } = await lineageOf(f, 1);

    expect(json.edges).toEqual(
      expect.arrayContaining([
        { from: `dataset:${sha('d')}`, to: 'modelVersion:m/1', type: 'input' },
        { from: 'pipelineExecution:x', to: `artifact:${sha('c')}`, type: 'produced' },
      ]),
    );
  });

  it('adds the deployments of this version found in the audit trail, oldest first', async () => {
    const f = await setup();
    for (const seed of ['x', 'y']) {
      await f.call('POST /models/{name}/versions', { params: { name: 'm' }, body: versionBody(seed) });
    }
    const deploy = (version: number, deploymentId: string) =>
      f.store.transact([
        auditOp({
          id: f.deps.newId(),
          kind: 'deployment',
          at: f.clock.now().toISOString(),
          actor: 'deployer',
          model: 'm',
          version,
          deploymentId,
          endpoint: 'churn-prod',
        }),
      ]);
    await deploy(1, 'd-1');
    await deploy(2, 'd-2');
    await deploy(1, 'd-3');

    const { json } = await lineageOf(f, 1);

    const deployments = json.nodes.filter((node: { type: string }) => node.type === 'deployment');
    expect(deployments.map((node: { id: string }) => node.id)).toEqual(['deployment:d-1', 'deployment:d-3']);
    expect(deployments[0]).toMatchObject({ endpoint: 'churn-prod', actor: 'deployer', deploymentId: 'd-1' });
    expect(json.edges).toContainEqual({ from: 'modelVersion:m/1', to: 'deployment:d-3', type: 'deployedAs' });
  });

  it('answers 404 for the lineage of a missing version', async () => {
    const f = await setup();

    const response = await lineageOf(f, 3);

    expect(response.status).toBe(404);
  });

  it('lists the audit trail newest first across pages, every change once', async () => {
    const f = await setup();
    await f.call('POST /models/{name}/versions', { params: { name: 'm' }, body: versionBody(1) });
    await f.call('POST /models/{name}/versions/{version}/approval', {
      params: { name: 'm', version: 1 },
      body: { decision: 'Approved', reviewer: 'r', comment: 'ok' },
    });
    await f.call('PUT /models/{name}/aliases/{alias}', {
      params: { name: 'm', alias: 'champion' },
      body: { version: 1 },
    });

    const kinds: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await f.call('GET /models/{name}/history', {
        params: { name: 'm' },
        query: { limit: '1', ...(nextToken ? { nextToken } : {}) },
      });
      kinds.push(...page.json.items.map((entry: { kind: string }) => entry.kind));
      nextToken = page.json.nextToken;
    } while (nextToken);

    expect(kinds).toEqual(['alias-moved', 'approval', 'version-registered', 'model-created']);
  });

  it('answers 404 for the history of a missing model', async () => {
    const f = await setup();

    const response = await f.call('GET /models/{name}/history', { params: { name: 'ghost' } });

    expect(response.status).toBe(404);
  });
});
