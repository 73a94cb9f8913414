import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLocalConfig } from '../../local/config';
import { parseWebhookUrls } from '../../local/notifications/webhook-urls';
import { type LocalPlatform, startLocalPlatform } from '../../local/platform';
import { runningClock } from '../support/clock';
import { readJson } from '../support/http';
import { PROCESS_TEST_OPTIONS, spawnNode } from '../support/processes';

/** The registry walk-through of the README, through the CLI as a process and the API over HTTP. */
describe('model registry on the local platform', PROCESS_TEST_OPTIONS, () => {
  let home: string;
  let platform: LocalPlatform;
  const mlops = async (actor: string, ...args: string[]) => {
    const cli = spawnNode(['bin/mlops.mjs', '--api', platform.url, '--actor', actor, ...args], {});
    const code = await new Promise<number | null>((resolve) => cli.child.on('exit', resolve));
    return { code, output: cli.output() };
  };
  const api = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${platform.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'mlops-registry-'));
    platform = await startLocalPlatform(
      loadLocalConfig({ MLOPS_PORT: '0', MLOPS_HOME: home }, parseWebhookUrls),
      runningClock(),
    );
  });
  afterAll(async () => {
    await platform.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('creates, registers, approves, promotes and audits a model through the CLI', async () => {
    const artifact = join(home, 'model.json');
    writeFileSync(artifact, '{"trees":[]}');
    const received: string[] = [];
    platform.events.subscribe('test', { source: ['mlops.registry'] }, (event) => {
      received.push(event['detail-type']);
    });

    const steps = [
      await mlops('alice', 'models', 'create', 'fraud', '--description', 'card fraud', '--approver', 'bob'),
      await mlops(
        'alice',
        'models',
        'register',
        'fraud',
        '--artifact-uri',
        's3://b/fraud/1',
        '--artifact',
        artifact,
        '--metric',
        'auc=0.91',
      ),
      await mlops('bob', 'models', 'alias', 'fraud', 'champion', '1'),
      await mlops('alice', 'models', 'approve', 'fraud', '1', '--comment', 'self-approval'),
      await mlops('bob', 'models', 'approve', 'fraud', '1', '--comment', 'AUC above 0.9 on holdout'),
      await mlops('bob', 'models', 'alias', 'fraud', 'champion', '1'),
      await mlops('bob', '--json', 'models', 'alias', 'fraud', 'champion'),
      await mlops('bob', 'models', 'history', 'fraud'),
    ];
    await platform.events.drain();

    expect(steps.map((s) => s.code)).toEqual([0, 0, 1, 1, 0, 0, 0, 0]);
    expect(steps[1]!.output).toContain('registered fraud version 1 (PendingApproval)');
    expect(steps[2]!.output).toMatch(/error 409: .*Approved/);
    expect(steps[3]!.output).toContain('error 403');
    expect(JSON.parse(steps[6]!.output)).toMatchObject({ version: 1 });
    expect(steps[7]!.output).toMatch(/alias-moved\s+bob/);
    expect(steps[7]!.output).toMatch(/approval\s+bob/);
    expect(received).toEqual(
      expect.arrayContaining(['ModelVersionRegistered', 'ModelVersionApproved', 'ModelAliasMoved']),
    );
  });

  it('lists, shows and traces a version through the CLI', async () => {
    const lineage = join(home, 'lineage.json');
    writeFileSync(
      lineage,
      JSON.stringify({
        datasets: [{ uri: 's3://b/data/train.parquet', sha256: 'd'.repeat(64), rowCount: 1000 }],
        featureGroups: [{ name: 'card_stats', version: 2 }],
        code: { gitSha: 'abc1234', image: 'xgboost:1.7' },
      }),
    );
    await mlops('alice', 'models', 'create', 'traced');
    await mlops(
      'alice',
      'models',
      'register',
      'traced',
      '--artifact-uri',
      's3://b/t/1',
      '--sha256',
      'e'.repeat(64),
      '--lineage',
      lineage,
    );

    const list = await mlops('alice', 'models', 'list');
    const show = await mlops('alice', 'models', 'show', 'traced');
    const graph = await mlops('alice', '--json', 'models', 'lineage', 'traced', '1');

    expect(list.code).toBe(0);
    expect(list.output).toMatch(/^traced\s+1/m);
    expect(show.output).toMatch(/^1\s+PendingApproval/m);
    const { nodes, edges } = JSON.parse(graph.output);
    const types = nodes.map((n: { type: string }) => n.type);
    expect(types).toEqual(
      expect.arrayContaining(['dataset', 'featureGroup', 'code', 'artifact', 'modelVersion']),
    );
    expect(edges.length).toBeGreaterThanOrEqual(4);
  });

  it('gives concurrent registrations over HTTP exactly the versions 1..n', async () => {
    await api('POST', '/models', { name: 'churn' });
    const register = (i: number) =>
      api('POST', '/models/churn/versions', {
        artifactUri: `s3://b/churn/${i}`,
        artifactSha256: 'a'.repeat(64),
      });

    const responses = await Promise.all(Array.from({ length: 24 }, (_, i) => register(i)));
    const versions = await Promise.all(responses.map(async (r) => (await readJson(r)).version as number));

    expect(responses.every((r) => r.status === 201)).toBe(true);
    expect(versions.sort((a, b) => a - b)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
  });

  it('refuses a bad registration naming the field, and stores nothing', async () => {
    await api('POST', '/models', { name: 'refused' });

    const response = await api('POST', '/models/refused/versions', {
      artifactUri: 's3://b/x',
      artifactSha256: 'xyz',
    });
    const versions = await readJson(await api('GET', '/models/refused/versions'));

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect((await readJson(response)).errors).toContainEqual(
      expect.objectContaining({ field: 'body.artifactSha256' }),
    );
    expect(versions.items).toEqual([]);
  });

  it('registers once for a repeated Idempotency-Key', async () => {
    await api('POST', '/models', { name: 'idem' });
    const body = { artifactUri: 's3://b/idem', artifactSha256: 'b'.repeat(64) };

    const first = await api('POST', '/models/idem/versions', body, { 'idempotency-key': 'reg-1' });
    const again = await api('POST', '/models/idem/versions', body, { 'idempotency-key': 'reg-1' });
    const versions = await readJson(await api('GET', '/models/idem/versions'));

    expect((await readJson(first)).version).toBe(1);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(versions.items).toHaveLength(1);
  });
});
