import { makeExperimentsHandler } from '../../lambdas/experiments/app';
import type { ExperimentsDeps } from '../../lambdas/experiments/context';
import { SqliteRunSearchIndex } from '../../lambdas/shared/adapters/embedded/sqlite-run-search-index';
import { sortableIdGenerator } from '../../lambdas/shared/ids';
import { makeObservability } from '../../lambdas/shared/observability';
import type { MetadataStore } from '../../lambdas/shared/ports/metadata-store';
import { FIXTURE_START, manualClock } from './clock';
import { httpEvent, lambdaContext } from './http';
import { type StoreOpener, sqliteStores } from './stores';

/** The API's clock starts here (epoch milliseconds). */
export const T0 = Date.parse(FIXTURE_START);
export const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
export const UNKNOWN_ID = '01KB0000000000000000000000';

/** Experiment tracking on an in-memory SQLite store, called through its HTTP handler. */
const experimentsApi = (
  openStore: StoreOpener,
  options: Partial<Pick<ExperimentsDeps, 'modelVersionExists'>> = {},
) => {
  const clock = manualClock(FIXTURE_START);
  const sqlite = openStore(clock);
  let storeCalls = 0;
  // Counts the store round trips a request makes.
  const store = new Proxy(sqlite as MetadataStore, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        storeCalls++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  const handler = makeExperimentsHandler(
    {
      store,
      searchIndex: new SqliteRunSearchIndex({ database: sqlite.database }),
      clock,
      newId: sortableIdGenerator(clock),
      ...options,
    },
    makeObservability('experiments-test'),
  );

  const call = async (
    routeKey: string,
    parts: {
      params?: Record<string, string>;
      query?: Record<string, string>;
      body?: unknown;
      actor?: string;
    } = {},
  ) => {
    const response = await handler(
      httpEvent(routeKey, {
        ...(parts.params ? { pathParameters: parts.params } : {}),
        ...(parts.query ? { queryStringParameters: parts.query } : {}),
        ...(parts.body === undefined ? {} : { body: JSON.stringify(parts.body) }),
        headers: { 'content-type': 'application/json', 'x-mlops-actor': parts.actor ?? 'alice' },
      }),
      lambdaContext,
    );
    // biome-ignore lint/suspicious/noExplicitAny: test assertions walk arbitrary JSON.
    const json: any = response.body ? JSON.parse(response.body) : undefined;
    return { status: response.statusCode, json, headers: response.headers ?? {} };
  };

  const createExperiment = async (name = 'fraud-detection') => {
    const response = await call('POST /experiments', { body: { name } });
    if (response.status !== 201) throw new Error(JSON.stringify(response.json));
    return response.json.experimentId as string;
  };

  const createRun = async (experimentId: string, body: Record<string, unknown> = {}) => {
    const response = await call('POST /experiments/{experimentId}/runs', { params: { experimentId }, body });
    if (response.status !== 201) throw new Error(JSON.stringify(response.json));
    return response.json.runId as string;
  };

  return {
    call,
    createExperiment,
    createRun,
    advance: (ms: number) => clock.advance(ms),
    /** Every item the store holds: a refused request must leave this unchanged. */
    itemCount: () => (sqlite.database.prepare('SELECT count(*) AS n FROM items').get() as { n: number }).n,
    storeCalls: () => storeCalls,
  };
};

export type ExperimentsApi = ReturnType<typeof experimentsApi>;

/**
 * Registers, in the calling describe block, an afterEach that closes every API the test made (their
 * stores come from `sqliteStores()`); returns `setup`, which makes a fresh API per call.
 */
export const useExperimentsApis = () => {
  const openStore = sqliteStores();
  return (options?: Parameters<typeof experimentsApi>[1]): ExperimentsApi =>
    experimentsApi(openStore, options);
};
