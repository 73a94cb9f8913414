import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempLocalPlatform } from '../support/local-platform';
import { PROCESS_TEST_OPTIONS, runMlops } from '../support/processes';

const GROUP_YAML = `
featureGroups:
  - name: card_stats
    description: Spending per card
    owner: risk-team
    entityKeys: [card_id]
    eventTimeField: event_time
    ttlSeconds: 86400
    features:
      - { name: spend_7d, type: float, min: 0 }
      - { name: txn_count_7d, type: int }
      - { name: country, type: string }
featureServices:
  - name: fraud_v1
    features: ["card_stats:spend_7d", "card_stats:country"]
`;

const RECORDS_CSV = [
  'card_id,event_time,spend_7d,txn_count_7d,country',
  'c1,2026-11-28T08:00:00Z,120.5,4,FR',
  'c1,2026-11-27T08:00:00Z,99,3,DE',
  'c2,2026-11-28T09:00:00Z,-5,1,US',
  'c3,2026-11-28T09:30:00Z,,2,"São Paulo, BR"',
].join('\n');

/** `mlops features apply | ingest | get` as a user runs them, against the local platform. */
describe('mlops features on the local platform', PROCESS_TEST_OPTIONS, () => {
  const local = tempLocalPlatform('mlops-features-');
  const mlops = (...args: string[]) => runMlops(local.platform.url, ...args);
  /** A file in the platform's home folder. */
  const file = (name: string) => join(local.home, name);

  beforeAll(() => {
    writeFileSync(file('features.yaml'), GROUP_YAML);
    writeFileSync(file('records.csv'), RECORDS_CSV);
  });

  it('applies definitions, ingests a CSV with typed columns, quarantines the bad row and reads online', async () => {
    const applied = await mlops('features', 'apply', file('features.yaml'));
    const ingested = await mlops('--json', 'features', 'ingest', 'card_stats', file('records.csv'));
    const read = await mlops(
      '--json',
      'features',
      'get',
      '--service',
      'fraud_v1',
      '--entity',
      'card_id=c1',
      '--entity',
      'card_id=c2',
      '--entity',
      'card_id=c3',
    );

    expect(applied.code).toBe(0);
    expect(applied.output).toContain('group card_stats: version 1');
    expect(applied.output).toContain('service fraud_v1: version 1');
    const totals = JSON.parse(ingested.output.slice(ingested.output.indexOf('{')));
    expect(totals.accepted).toBe(3);
    expect(totals.rejected).toEqual([expect.objectContaining({ index: 2, field: 'spend_7d' })]);
    const results = JSON.parse(read.output).results;
    expect(results[0].features['card_stats:spend_7d']).toMatchObject({ value: 120.5 });
    expect(results[0].features['card_stats:country']).toMatchObject({ value: 'FR' });
    expect(results[1].features['card_stats:spend_7d'].status).toBe('MISSING');
    expect(results[2].features['card_stats:country']).toMatchObject({ value: 'São Paulo, BR' });
  });

  it('builds a point-in-time training set from an entities CSV and saves it as CSV', async () => {
    writeFileSync(
      file('entities.csv'),
      [
        'card_id,eventTime,label',
        'c1,2026-11-28T10:00:00Z,1',
        'c1,2026-11-27T12:00:00Z,0',
        'c9,2026-11-28T10:00:00Z,0',
      ].join('\n'),
    );
    const out = file('train.csv');

    const built = await mlops(
      'features',
      'training-set',
      '--service',
      'fraud_v1',
      '--entities',
      file('entities.csv'),
      '--out',
      out,
    );

    expect(built.code).toBe(0);
    expect(built.output).toMatch(/3 rows, sha256 [0-9a-f]{64}/);
    expect(readFileSync(out, 'utf8').trim().split('\n')).toEqual([
      'card_id,eventTime,label,card_stats__spend_7d,card_stats__country',
      'c1,2026-11-28T10:00:00Z,1,120.5,FR',
      'c1,2026-11-27T12:00:00Z,0,99,DE',
      'c9,2026-11-28T10:00:00Z,0,,',
    ]);
  });

  it('refuses a breaking change with the differences listed and exit code 1', async () => {
    writeFileSync(
      file('breaking.yaml'),
      GROUP_YAML.replace('{ name: txn_count_7d, type: int }', '{ name: txn_count_7d, type: float }').replace(
        /featureServices:[\s\S]*/,
        '',
      ),
    );

    const refused = await mlops('features', 'apply', file('breaking.yaml'));

    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/card_stats: refused/);
    expect(refused.output).toMatch(/txn_count_7d/);
  });
});
