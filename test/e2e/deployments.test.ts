/**
 * Serving on the local platform over HTTP: a registered, approved version behind an endpoint, answers
 * captured where monitors read them, a bad canary rolled back by its guard (the platform's own driver
 * ticking phases on its clock), and instant rollback.
 */
import { describe, expect, it } from 'vitest';
import { defaultCapturePrefix, parseCaptures } from '../../lambdas/monitoring/captures';
import { flight, trainedModels } from '../support/deployments';
import { readJson } from '../support/http';
import { tempLocalPlatform } from '../support/local-platform';

const MODEL = 'delays';

describe('deployments on the local platform', () => {
  const local = tempLocalPlatform('mlops-deployments-');

  const get = async (path: string) => readJson(await fetch(`${local.platform.url}${path}`));

  /** Puts the artifact in the platform's store, registers it as the next version and approves it (or not). */
  const register = async (
    artifact: { artifact: Uint8Array; sha256: string },
    approve = true,
  ): Promise<number> => {
    const key = `artifacts/${MODEL}/${artifact.sha256}/model.json`;
    await local.platform.objects.put(key, artifact.artifact, { contentType: 'application/json' });
    const registered = await local.sendJson(`/models/${MODEL}/versions`, {
      artifactUri: local.platform.objects.uriOf(key),
      artifactSha256: artifact.sha256,
    });
    expect(registered.status).toBe(201);
    const { version } = await readJson(registered);
    if (approve) {
      const decided = await local.sendJson(`/models/${MODEL}/versions/${version}/approval`, {
        decision: 'Approved',
        reviewer: 'rita',
        comment: 'offline metrics fine',
      });
      expect(decided.status).toBe(200);
    }
    return version;
  };

  const invoke = async (i: number) => {
    const response = await local.sendJson('/endpoints/flights/invocations', { features: flight(i) });
    expect(response.status).toBe(200);
    return readJson(response);
  };

  const settled = async (id: string) => {
    for (let i = 0; i < 100; i++) {
      const deployment = await get(`/endpoints/flights/deployments/${id}`);
      if (deployment.status !== 'IN_PROGRESS') return deployment;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`deployment ${id} did not settle`);
  };

  it('serves an approved version, captures answers where monitors read, rolls a bad canary back, and rolls back instantly', async () => {
    const { good, bad } = await trainedModels();
    expect((await local.sendJson('/models', { name: MODEL })).status).toBe(201);
    const v1 = await register(good);

    // An endpoint: one call, the version at 100 %.
    const created = await local.sendJson('/endpoints', { name: 'flights', model: MODEL, version: v1 });
    expect(created.status).toBe(202);
    const first = await invoke(1);
    expect(first).toMatchObject({ model: MODEL, version: v1, variant: 'v1' });

    // Captures land under captures/{model}/{yyyy}/{mm}/{dd}/{hh}/ in the format monitors parse.
    await local.platform.deployments.tick();
    const files = (await local.platform.objects.list(defaultCapturePrefix(MODEL))).items.filter((o) =>
      o.key.endsWith('.jsonl'),
    );
    expect(files.length).toBeGreaterThan(0);
    expect(files[0]!.key).toMatch(/^captures\/delays\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/[0-9A-Z]{26}\.jsonl$/);
    const records = parseCaptures((await local.platform.objects.get(files[0]!.key))!.body);
    expect(records.malformed).toBe(0);
    expect(records.records[0]).toMatchObject({
      inferenceId: first.inferenceId,
      model: MODEL,
      version: v1,
      variant: 'v1',
      features: flight(1),
      prediction: first.prediction,
    });

    // Not Approved: refused for production traffic, with the reason.
    const pending = await register(bad, false);
    const refused = await local.sendJson('/endpoints/flights/deployments', {
      version: pending,
      strategy: 'canary',
      guards: { maxDisagreement: 0.2 },
    });
    expect(refused.status).toBe(409);
    expect((await readJson(refused)).detail).toMatch(/PendingApproval/);

    // A bad canary (answers the opposite of production) is rolled back by its guard after the bake.
    const v3 = await register(bad);
    const started = await local.sendJson('/endpoints/flights/deployments', {
      version: v3,
      strategy: 'canary',
      steps: [20],
      bakeSeconds: 1,
      guards: { maxDisagreement: 0.2, maxErrorRate: 0.05 },
    });
    expect(started.status).toBe(202);
    const { deploymentId } = await readJson(started);
    const served: string[] = [];
    for (let i = 0; i < 50; i++) served.push((await invoke(i)).variant);
    const canary = await settled(deploymentId);
    expect(canary.status).toBe('ROLLED_BACK');
    expect(canary.reason).toMatch(/guard maxDisagreement failed on variant v3/);
    expect(canary.phases[0].evaluation.failed[0]).toMatchObject({ guard: 'maxDisagreement', limit: 0.2 });
    expect(served.filter((v) => v === 'v3').length).toBeLessThan(25);
    expect((await invoke(99)).variant).toBe('v1');
    const history = await get(`/models/${MODEL}/history`);
    expect(
      history.items
        .filter((e: { kind: string }) => e.kind === 'deployment')
        .map((e: { action: string }) => e.action),
    ).toEqual(['rolled-back', 'started', 'promoted']);

    // A good version all at once, then instant rollback: the very next request is served by v1.
    const v4 = await register(good);
    const promoted = await local.sendJson('/endpoints/flights/deployments', {
      version: v4,
      strategy: 'all-at-once',
    });
    expect(promoted.status).toBe(202);
    expect((await invoke(2)).version).toBe(v4);
    const started2 = performance.now();
    const rollback = await local.sendJson('/endpoints/flights/rollback', { reason: 'latency complaints' });
    const next = await invoke(3);
    const elapsedMs = performance.now() - started2;
    expect(rollback.status).toBe(200);
    expect(next).toMatchObject({ version: v1, variant: 'v1' });
    expect(elapsedMs).toBeLessThan(1_000);
    const endpoint = await get('/endpoints/flights');
    expect(endpoint.history.at(-1)).toMatchObject({
      action: 'rollback',
      version: v1,
      from: v4,
      reason: 'latency complaints',
    });
  }, 60_000);
});
