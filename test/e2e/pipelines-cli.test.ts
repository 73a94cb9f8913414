import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempLocalPlatform } from '../support/local-platform';
import { PROCESS_TEST_OPTIONS, runMlops } from '../support/processes';

const USERS = 120;
/** A label that follows the features: learnable, so the gate below can be met or missed on purpose. */
const users = Array.from({ length: USERS }, (_, i) => ({
  id: `u${i}`,
  visits: (i * 37) % 50,
  plan: ['free', 'pro'][i % 2]!,
  churned: (i * 37) % 50 < 20 !== (i % 7 === 0),
}));

/** `mlops train --wait` and `mlops pipelines list|show` as a user runs them, against the local platform. */
describe('mlops train and pipelines on the local platform', PROCESS_TEST_OPTIONS, () => {
  const local = tempLocalPlatform('mlops-train-cli-');
  const mlops = (...args: string[]) => runMlops(local.platform.url, ...args);
  const post = (path: string, body: unknown) => local.sendJson(path, body);

  beforeAll(async () => {
    await post('/feature-groups', {
      name: 'usage',
      description: 'product usage per user',
      owner: 'growth',
      entityKeys: ['user_id'],
      eventTimeField: 'as_of',
      features: [
        { name: 'visits', type: 'int' },
        { name: 'plan', type: 'string' },
      ],
    });
    await post('/feature-groups/usage/records', {
      records: users.map((u) => ({
        user_id: u.id,
        as_of: '2026-11-01T00:00:00Z',
        visits: u.visits,
        plan: u.plan,
      })),
    });
    writeFileSync(
      join(local.home, 'entities.csv'),
      ['user_id,eventTime,churned', ...users.map((u) => `${u.id},2026-11-02T00:00:00Z,${u.churned}`)].join(
        '\n',
      ),
    );
  });

  const train = (...extra: string[]) =>
    mlops(
      'train',
      '--model',
      'churn',
      '--features',
      'usage:visits,usage:plan',
      '--entities',
      join(local.home, 'entities.csv'),
      '--label',
      'churned',
      '--param',
      'objective=binary:logistic',
      '--param',
      'num_round=10',
      '--param',
      'seed=7',
      '--poll-ms',
      '100',
      '--wait',
      ...extra,
    );

  it('trains with --wait, showing each step as it ends, and exits 0 with the registered version', async () => {
    const { code, output } = await train();
    expect(code, output).toBe(0);
    for (const step of [
      'ValidateData',
      'BuildTrainingSet',
      'Train',
      'ScoreHeldOut',
      'Evaluate',
      'Register',
    ]) {
      expect(output).toMatch(new RegExp(`✓ ${step}`));
    }
    expect(output).toMatch(/SUCCEEDED/);
    expect(output).toMatch(/"modelVersion":1/);
  });

  it('exits 1 and prints the error and its cause when the gate is not met', async () => {
    const { code, output } = await train('--gate-metric', 'auc', '--gate-min', '0.9999');
    expect(code).toBe(1);
    expect(output).toMatch(/error: GateNotMet/);
    expect(output).toMatch(/cause: .*"auc"/);
  });

  it('lists executions newest first and shows one with its steps', async () => {
    const listed = await mlops('--json', 'pipelines', 'list', '--model', 'churn');
    expect(listed.code).toBe(0);
    const items = JSON.parse(listed.output).items as { executionId: string; status: string }[];
    expect(items.map((e) => e.status)).toEqual(['FAILED', 'SUCCEEDED']);
    const shown = await mlops('pipelines', 'show', items[1]!.executionId);
    expect(shown.code).toBe(0);
    expect(shown.output).toMatch(/STEP\s+STATUS\s+TIME/);
    expect(shown.output).toMatch(/Register\s+SUCCEEDED/);
  });
});
