/**
 * The one behaviour every RunSearchIndex adapter must show; each adapter's test file runs it. Runs are
 * written by the experiments core through the fixture's metadata store — the write path the platform
 * uses — and searched through the fixture's index, so the suite also proves the index follows writes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ExperimentsContext, experimentsContext } from '../../lambdas/experiments/context';
import { createExperiment } from '../../lambdas/experiments/experiments';
import { logMetrics } from '../../lambdas/experiments/metrics';
import { createRun, finishRun, logParams, setTags } from '../../lambdas/experiments/runs';
import { parseFilter, parseOrderBy } from '../../lambdas/experiments/search/filter-parser';
import { sortableIdGenerator } from '../../lambdas/shared/ids';
import type { Clock } from '../../lambdas/shared/ports/clock';
import type { MetadataStore } from '../../lambdas/shared/ports/metadata-store';
import { FIXTURE_START, type ManualClock, manualClock } from '../support/clock';

const T0 = Date.parse(FIXTURE_START);

import type { RunSearchIndex, RunSearchQuery } from '../../lambdas/shared/ports/run-search-index';

export interface RunSearchIndexFixture {
  readonly store: MetadataStore;
  /** An index over `store`'s run items. */
  readonly index: RunSearchIndex;
  dispose(): Promise<void>;
}

interface Seed {
  readonly name: string;
  readonly params?: Record<string, string | number | boolean>;
  readonly tags?: Record<string, string>;
  readonly metrics?: Record<string, number>;
  readonly status?: 'FINISHED' | 'FAILED' | 'KILLED';
}

// Twelve runs, started one second apart in this order. Some lack a metric, a param or a tag.
const SEEDS: readonly Seed[] = [
  {
    name: 'xgb-1',
    params: { model: 'xgboost', max_depth: 5 },
    tags: { team: 'fraud' },
    metrics: { auc: 0.91, loss: 0.3 },
    status: 'FINISHED',
  },
  {
    name: 'xgb-2',
    params: { model: 'xgboost', max_depth: 7 },
    tags: { team: 'fraud' },
    metrics: { auc: 0.85, loss: 0.4 },
    status: 'FINISHED',
  },
  {
    name: 'lgbm-1',
    params: { model: 'LightGBM', max_depth: 5 },
    tags: { team: 'risk' },
    metrics: { auc: 0.88 },
    status: 'FAILED',
  },
  {
    name: 'lgbm-2',
    params: { model: 'lightgbm', max_depth: 3 },
    tags: { team: 'risk' },
    metrics: { auc: 0.79, loss: 0.9 },
    status: 'FINISHED',
  },
  {
    name: 'rf-1',
    params: { model: 'random_forest' },
    tags: { team: 'growth' },
    metrics: { auc: 0.7, loss: 1.2 },
    status: 'KILLED',
  },
  { name: 'rf-2', params: { model: 'random_forest', max_depth: 10 }, metrics: { loss: 0.2 } },
  {
    name: 'lr-1',
    params: { model: 'logreg' },
    tags: { team: 'fraud' },
    metrics: { auc: 0.85 },
    status: 'FINISHED',
  },
  { name: 'lr-2', params: { model: 'logreg' }, tags: { team: 'ads' } },
  { name: 'emoji', params: { model: '😀' }, tags: { team: '\uFF5E' }, metrics: { auc: -1 } },
  {
    name: 'flags',
    params: { model: 'mlp', early_stop: true },
    tags: { team: 'fraud' },
    metrics: { auc: 0.5 },
    status: 'FINISHED',
  },
  {
    name: 'pct',
    params: { model: '50%_off' },
    tags: { team: 'Fraud' },
    metrics: { auc: 0.6 },
    status: 'FAILED',
  },
  {
    name: 'last',
    params: { model: 'xgboost', max_depth: 5 },
    tags: { team: 'fraud' },
    metrics: { auc: 0.99, loss: 0.01 },
    status: 'FINISHED',
  },
];

export const describeRunSearchIndexContract = (
  name: string,
  /** Builds the store on `clock`; the test moves it so runs get distinct, known start times. */
  makeFixture: (clock: Clock) => Promise<RunSearchIndexFixture>,
) =>
  describe(`RunSearchIndex contract: ${name}`, () => {
    let fixture: RunSearchIndexFixture;
    let ctx: ExperimentsContext;
    let clock: ManualClock;

    beforeEach(async () => {
      clock = manualClock();
      fixture = await makeFixture(clock);
      ctx = experimentsContext({
        store: fixture.store,
        searchIndex: fixture.index,
        clock,
        newId: sortableIdGenerator(clock),
      });
    });
    afterEach(async () => {
      await fixture.dispose();
    });

    const seed = async (seeds: readonly Seed[] = SEEDS, experimentName = 'main') => {
      const experiment = await createExperiment(ctx, { name: experimentName }, 'tester');
      const ids = new Map<string, string>();
      for (const s of seeds) {
        clock.advance(1000);
        const run = await createRun(
          ctx,
          experiment.experimentId,
          { name: s.name, params: s.params ?? {}, tags: s.tags ?? {} },
          'tester',
        );
        ids.set(s.name, run.runId);
        const metrics = Object.entries(s.metrics ?? {}).map(([key, value]) => ({ key, value, step: 1 }));
        if (metrics.length > 0) await logMetrics(ctx, run.runId, metrics);
        if (s.status) await finishRun(ctx, run.runId, { status: s.status });
      }
      return { experimentId: experiment.experimentId, ids };
    };

    const query = (
      experimentIds: readonly string[],
      filter = '',
      orderBy: readonly string[] = [],
      page: { limit?: number; offset?: number } = {},
    ): RunSearchQuery => ({
      experimentIds,
      filter: parseFilter(filter),
      orderBy: orderBy.map((text, i) => parseOrderBy(text, `orderBy.${i}`)),
      limit: page.limit ?? 100,
      offset: page.offset ?? 0,
    });

    const names = async (q: RunSearchQuery) => (await fixture.index.search(q)).runs.map((run) => run.name);

    it.each([
      ['metrics.auc > 0.86', ['last', 'lgbm-1', 'xgb-1']],
      ['metrics.auc >= 0.85 and metrics.auc <= 0.85', ['lr-1', 'xgb-2']],
      ['metrics.auc != 0.85', ['last', 'pct', 'flags', 'emoji', 'rf-1', 'lgbm-2', 'lgbm-1', 'xgb-1']],
      ['metrics.loss < 0.35', ['last', 'rf-2', 'xgb-1']],
      ["params.max_depth = '5'", ['last', 'lgbm-1', 'xgb-1']],
      ["params.max_depth != '5'", ['rf-2', 'lgbm-2', 'xgb-2']],
      ["params.max_depth > '4'", ['last', 'lgbm-1', 'xgb-2', 'xgb-1']],
      ["params.early_stop = 'true'", ['flags']],
      ["params.model LIKE 'light%'", ['lgbm-2']],
      ["params.model ILIKE 'light%'", ['lgbm-2', 'lgbm-1']],
      ["params.model LIKE '50%off'", ['pct']],
      ["params.model LIKE '_'", ['emoji']],
      ["tags.team IN ('fraud', 'ads')", ['last', 'flags', 'lr-2', 'lr-1', 'xgb-2', 'xgb-1']],
      ["tags.team NOT IN ('fraud', 'ads')", ['pct', 'emoji', 'rf-1', 'lgbm-2', 'lgbm-1']],
      ["tags.team ILIKE 'fraud'", ['last', 'pct', 'flags', 'lr-1', 'xgb-2', 'xgb-1']],
      ["tags.team > '\uFF5E'", []],
      ["params.model > '\uFF5E'", ['emoji']],
      ["attributes.status = 'RUNNING'", ['emoji', 'lr-2', 'rf-2']],
      ["attributes.status IN ('FAILED', 'KILLED') and tags.team != 'growth'", ['pct', 'lgbm-1']],
      ["attributes.run_name LIKE 'lr-%'", ['lr-2', 'lr-1']],
      [`attributes.start_time <= ${T0 + 2000}`, ['xgb-2', 'xgb-1']],
      [`attributes.start_time > '${new Date(T0 + 11_000).toISOString()}'`, ['last']],
      ['attributes.end_time > 0 and metrics.auc < 0.8', ['pct', 'flags', 'rf-1', 'lgbm-2']],
      [
        "metrics.auc > 0.8 and params.max_depth = '5' and tags.team = 'fraud' and attributes.status = 'FINISHED'",
        ['last', 'xgb-1'],
      ],
    ])('filters %s (a run lacking the field never matches)', async (filter, expected) => {
      const { experimentId } = await seed();

      const found = await names(query([experimentId], filter));

      expect(found).toEqual(expected);
    });

    it('orders by start time, newest first, by default', async () => {
      const { experimentId } = await seed();

      const found = await names(query([experimentId]));

      expect(found).toEqual(SEEDS.map((s) => s.name).reverse());
    });

    it('puts runs lacking an ordered key last in either direction, then by start time', async () => {
      const { experimentId } = await seed();

      const descending = await names(query([experimentId], '', ['metrics.loss DESC']));
      const ascending = await names(query([experimentId], '', ['metrics.loss']));

      const lacking = ['pct', 'flags', 'emoji', 'lr-2', 'lr-1', 'lgbm-1'];
      expect(descending).toEqual(['rf-1', 'lgbm-2', 'xgb-2', 'xgb-1', 'rf-2', 'last', ...lacking]);
      expect(ascending).toEqual(['last', 'rf-2', 'xgb-1', 'xgb-2', 'lgbm-2', 'rf-1', ...lacking]);
    });

    it('breaks ties by the next key, then by start time', async () => {
      const { experimentId } = await seed();

      const found = await names(
        query([experimentId], "tags.team = 'fraud'", ['params.model ASC', 'metrics.auc DESC']),
      );

      expect(found).toEqual(['lr-1', 'flags', 'last', 'xgb-1', 'xgb-2']);
    });

    it('orders strings by code point, as UTF-8 bytes compare', async () => {
      const { experimentId } = await seed();

      const found = await names(
        query([experimentId], "tags.team IN ('fraud', '\uFF5E', 'ads')", ['tags.team DESC']),
      );

      expect(found.slice(0, 2)).toEqual(['emoji', 'last']);
    });

    it('pages through the ordered result without repeating or skipping a run', async () => {
      const { experimentId } = await seed();
      const everything = await names(query([experimentId], '', ['metrics.auc DESC']));

      const pages: (string | undefined)[][] = [];
      let more = true;
      for (let offset = 0; more; offset += 5) {
        const page = await fixture.index.search(
          query([experimentId], '', ['metrics.auc DESC'], { limit: 5, offset }),
        );
        pages.push(page.runs.map((run) => run.name));
        more = page.more;
      }

      expect(pages.map((p) => p.length)).toEqual([5, 5, 2]);
      expect(pages.flat()).toEqual(everything);
      expect(everything.slice(0, 4)).toEqual(['last', 'xgb-1', 'lgbm-1', 'lr-1']);
    });

    it('searches only the experiments named, across all of them', async () => {
      const first = await seed(SEEDS.slice(0, 3), 'first');
      const second = await seed(SEEDS.slice(3, 5), 'second');
      await seed(SEEDS.slice(5, 7), 'third');

      const both = await names(
        query([first.experimentId, second.experimentId], '', ['attributes.start_time ASC']),
      );
      const unknown = await names(query(['01ARZ3NDEKTSV4RRFFQ69G5FAV']));

      expect(both).toEqual(['xgb-1', 'xgb-2', 'lgbm-1', 'lgbm-2', 'rf-1']);
      expect(unknown).toEqual([]);
    });

    it('sees every change to a run as soon as it is written', async () => {
      const { experimentId, ids } = await seed(SEEDS.slice(0, 2));
      const runId = ids.get('xgb-2')!;

      await logMetrics(ctx, runId, [{ key: 'auc', value: 0.97, step: 2 }]);
      await logParams(ctx, runId, { optimizer: 'adam' });
      await setTags(ctx, runId, { team: 'risk' });

      const found = await fixture.index.search(
        query([experimentId], "metrics.auc > 0.95 and params.optimizer = 'adam' and tags.team = 'risk'"),
      );
      expect(found.runs).toHaveLength(1);
      expect(found.runs[0]).toMatchObject({
        runId,
        metrics: { auc: { value: 0.97, step: 2 } },
        params: { optimizer: 'adam' },
        tags: { team: 'risk' },
        status: 'FINISHED',
      });
    });

    it('keeps the latest metric of concurrent batches on one run, and searches by it', async () => {
      const { experimentId, ids } = await seed(SEEDS.slice(0, 1));
      const runId = ids.get('xgb-1')!;

      await Promise.all(
        Array.from({ length: 6 }, (_, batch) =>
          logMetrics(
            ctx,
            runId,
            Array.from({ length: 20 }, (_, i) => ({
              key: `m${i % 4}`,
              value: batch * 100 + i,
              step: batch * 20 + i,
            })),
          ),
        ),
      );

      const [run] = (
        await fixture.index.search(query([experimentId], 'metrics.m3 = 519 and metrics.m0 = 516'))
      ).runs;
      expect(run?.metrics).toMatchObject({
        m0: { value: 516, step: 116 },
        m1: { value: 517, step: 117 },
        m2: { value: 518, step: 118 },
        m3: { value: 519, step: 119 },
        auc: { value: 0.91 },
      });
    });
  });
