import { describe, expect, it } from 'vitest';
import { decideVersion } from '../../../lambdas/registry/approvals';
import { type RegistryFixture, registryFixture, versionBody } from '../../support/registry';
import { sqliteStores } from '../../support/stores';

const decide = (decision: string, extra: Record<string, unknown> = {}) => ({
  decision,
  reviewer: 'Rita Reviewer',
  comment: `${decision} after review`,
  ...extra,
});

describe('registry: approval workflow', () => {
  const sqlite = sqliteStores();
  const setup = async (model: Record<string, unknown> = {}, versions = 2): Promise<RegistryFixture> => {
    const fixture = registryFixture(sqlite);
    await fixture.call('POST /models', { body: { name: 'm', ...model } });
    for (let i = 1; i <= versions; i++) {
      await fixture.call('POST /models/{name}/versions', { params: { name: 'm' }, body: versionBody(i) });
    }
    return fixture;
  };
  const approval = (f: RegistryFixture, version: number, body: unknown, actor = 'alice') =>
    f.call('POST /models/{name}/versions/{version}/approval', {
      params: { name: 'm', version },
      body,
      actor,
    });

  it('approves a pending version, recording reviewer, comment and the authenticated caller', async () => {
    const f = await setup();
    f.clock.advance(60_000);

    const response = await approval(f, 1, decide('Approved'), 'arn:aws:iam::1:user/alice');
    const history = await f.call('GET /models/{name}/history', { params: { name: 'm' } });

    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      version: 1,
      status: 'Approved',
      approval: {
        decision: 'Approved',
        reviewer: 'Rita Reviewer',
        comment: 'Approved after review',
        actor: 'arn:aws:iam::1:user/alice',
        decidedAt: '2026-11-28T10:01:00.000Z',
      },
      updatedAt: '2026-11-28T10:01:00.000Z',
    });
    expect(history.json.items[0]).toMatchObject({
      kind: 'approval',
      version: 1,
      decision: 'Approved',
      from: 'PendingApproval',
      to: 'Approved',
      reviewer: 'Rita Reviewer',
      comment: 'Approved after review',
      actor: 'arn:aws:iam::1:user/alice',
      at: '2026-11-28T10:01:00.000Z',
    });
    expect(f.events.published.at(-1)).toMatchObject({
      source: 'mlops.registry',
      detailType: 'ModelVersionApproved',
      detail: { model: 'm', version: 1, decision: 'Approved', previousStatus: 'PendingApproval' },
    });
  });

  it('rejects a pending version and emits ModelVersionRejected', async () => {
    const f = await setup();

    const response = await approval(f, 2, decide('Rejected'));

    expect(response.json).toMatchObject({ status: 'Rejected', approval: { decision: 'Rejected' } });
    expect(f.events.types().at(-1)).toBe('ModelVersionRejected');
  });

  it('archives an Approved version with decision Archived, keeping the approval beside the archival', async () => {
    const f = await setup();
    await approval(f, 1, decide('Approved'));

    const response = await approval(f, 1, decide('Archived'));

    expect(response.json).toMatchObject({
      status: 'Archived',
      approval: { decision: 'Approved' },
      archival: { decision: 'Archived', reviewer: 'Rita Reviewer' },
    });
    expect(f.events.types().at(-1)).toBe('ModelVersionArchived');
  });

  it.each([
    [
      'Approved',
      'Approved',
      'Version 1 of model m is Approved; only a version that is PendingApproval can be Approved.',
    ],
    [
      'Rejected',
      'Approved',
      'Version 1 of model m is Rejected; only a version that is PendingApproval can be Approved.',
    ],
    [
      'Rejected',
      'Archived',
      'Version 1 of model m is Rejected; only a version that is Approved can be Archived.',
    ],
  ])('refuses with 409 a decision the status does not allow (%s, then %s)', async (first, second, detail) => {
    const f = await setup();
    await approval(f, 1, decide(first));
    const writes = f.store.committed.length;

    const response = await approval(f, 1, decide(second));

    expect(response.status).toBe(409);
    expect(response.json.detail).toBe(detail);
    expect(f.store.committed).toHaveLength(writes);
  });

  it('refuses to archive a pending version', async () => {
    const f = await setup();

    const response = await approval(f, 1, decide('Archived'));

    expect(response.status).toBe(409);
    expect(response.json.detail).toContain(
      'is PendingApproval; only a version that is Approved can be Archived',
    );
  });

  it('refuses with 409 to archive a version an alias points at, and says which alias', async () => {
    const f = await setup();
    await approval(f, 1, decide('Approved'));
    await f.call('PUT /models/{name}/aliases/{alias}', {
      params: { name: 'm', alias: 'champion' },
      body: { version: 1 },
    });
    const writes = f.store.committed.length;

    const response = await approval(f, 1, decide('Archived'));

    expect(response.status).toBe(409);
    expect(response.json.detail).toBe(
      'Version 1 of model m cannot be archived: alias champion points at it. Move it first.',
    );
    expect(f.store.committed).toHaveLength(writes);
  });

  it('lets only listed approvers decide: anyone else gets 403 and nothing is stored', async () => {
    const f = await setup({ approvers: ['arn:aws:iam::1:role/lead', 'carol'] });
    const writes = f.store.committed.length;

    const refused = await approval(f, 1, decide('Approved'), 'mallory');
    const writesAfterRefusal = f.store.committed.length;
    const allowed = await approval(f, 1, decide('Approved'), 'carol');

    expect(refused.status).toBe(403);
    expect(refused.contentType).toBe('application/problem+json');
    expect(refused.json).toMatchObject({ type: 'urn:mlops:problem:forbidden', title: 'Forbidden' });
    expect(refused.json.detail).toContain('mallory may not decide on versions of model m');
    expect(writesAfterRefusal).toBe(writes);
    expect(allowed.status).toBe(200);
    expect(allowed.json.approval.actor).toBe('carol');
  });

  it('moves the version between status indexes in the same change', async () => {
    const f = await setup();
    await approval(f, 1, decide('Approved'));
    await approval(f, 2, decide('Rejected'));
    await approval(f, 1, decide('Archived'));
    const versionsOf = async (status: string) =>
      (
        await f.call('GET /models/{name}/versions', { params: { name: 'm' }, query: { status } })
      ).json.items.map((v: { version: number }) => v.version);

    expect(await versionsOf('PendingApproval')).toEqual([]);
    expect(await versionsOf('Approved')).toEqual([]);
    expect(await versionsOf('Rejected')).toEqual([2]);
    expect(await versionsOf('Archived')).toEqual([1]);
  });

  it('names the bad decision fields and stores nothing', async () => {
    const f = await setup();
    const writes = f.store.committed.length;

    const response = await approval(f, 1, { decision: 'Maybe', reviewer: '', colour: 'red' });

    expect(response.status).toBe(400);
    expect(response.json.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'body.colour',
      'body.comment',
      'body.decision',
      'body.reviewer',
    ]);
    expect(f.store.committed).toHaveLength(writes);
  });

  it('answers 404 for a decision on a missing version or model', async () => {
    const f = await setup();

    const noVersion = await approval(f, 9, decide('Approved'));
    const noModel = await f.call('POST /models/{name}/versions/{version}/approval', {
      params: { name: 'ghost', version: 1 },
      body: decide('Approved'),
    });

    expect([noVersion.status, noModel.status]).toEqual([404, 404]);
  });

  it('lets exactly one of concurrent conflicting decisions on one version win', async () => {
    const f = await setup();

    const outcomes = await Promise.allSettled(
      ['Approved', 'Rejected', 'Approved', 'Rejected', 'Approved', 'Rejected'].map((decision) =>
        decideVersion(
          f.deps,
          'm',
          1,
          { decision: decision as 'Approved', reviewer: 'r', comment: 'c' },
          'alice',
        ),
      ),
    );

    const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    expect(won).toHaveLength(1);
    const history = await f.call('GET /models/{name}/history', { params: { name: 'm' } });
    expect(history.json.items.filter((entry: { kind: string }) => entry.kind === 'approval')).toHaveLength(1);
  });
});
