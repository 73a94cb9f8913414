import { createHash } from 'node:crypto';
import { ValidationError } from '../../shared/errors';
import type { Comparison, OrderKey, RunRecord } from '../../shared/ports/run-search-index';
import type { ExperimentsContext } from '../context';
import { parseFilter, parseOrderBy } from './filter-parser';

export interface SearchRunsRequest {
  readonly experimentIds: readonly string[];
  readonly filter?: string;
  readonly orderBy?: readonly string[];
  readonly limit: number;
  readonly nextToken?: string;
}

type Issue = ValidationError['issues'][number];

/** Parses the filter and every order-by clause, reporting all their errors at once. */
const parseSearch = (request: SearchRunsRequest): { filter: Comparison[]; orderBy: OrderKey[] } => {
  const issues: Issue[] = [];
  const attempt = <T>(parse: () => T): T | undefined => {
    try {
      return parse();
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      issues.push(...error.issues);
      return undefined;
    }
  };
  const filter = attempt(() => parseFilter(request.filter ?? ''));
  const orderBy = (request.orderBy ?? []).map((text, i) =>
    attempt(() => parseOrderBy(text, `body.orderBy.${i}`)),
  );
  if (issues.length > 0 || filter === undefined) throw new ValidationError(issues);
  return { filter, orderBy: orderBy as OrderKey[] };
};

// Page tokens hold an offset and a fingerprint of the search, so a token is refused by another search.
const fingerprintOf = (experimentIds: readonly string[], filter: Comparison[], orderBy: OrderKey[]): string =>
  createHash('sha256')
    .update(JSON.stringify([experimentIds, filter, orderBy]))
    .digest('base64url')
    .slice(0, 16);

const badToken = (message: string) =>
  new ValidationError([{ field: 'body.nextToken', rule: 'cursor', message }]);

const encodeToken = (offset: number, fingerprint: string): string =>
  Buffer.from(JSON.stringify([offset, fingerprint]), 'utf8').toString('base64url');

const decodeToken = (token: string, fingerprint: string): number => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw badToken('is not a token this service issued');
  }
  const [offset, issuedFor] = Array.isArray(parsed) && parsed.length === 2 ? parsed : [];
  if (!Number.isSafeInteger(offset) || (offset as number) < 0 || typeof issuedFor !== 'string') {
    throw badToken('is not a token this service issued');
  }
  if (issuedFor !== fingerprint) {
    throw badToken('belongs to another search: keep experimentIds, filter and orderBy between pages');
  }
  return offset as number;
};

/**
 * Searches runs with MLflow's syntax (see filter-parser.ts) in the given experiments. Pages are offsets
 * into the ordered result, as in MLflow: a run logged between two page requests may shift a page.
 */
export const searchRuns = async (
  ctx: ExperimentsContext,
  request: SearchRunsRequest,
): Promise<{ items: RunRecord[]; nextToken?: string }> => {
  const { filter, orderBy } = parseSearch(request);
  const fingerprint = fingerprintOf(request.experimentIds, filter, orderBy);
  const offset = request.nextToken === undefined ? 0 : decodeToken(request.nextToken, fingerprint);
  const page = await ctx.searchIndex.search({
    experimentIds: request.experimentIds,
    filter,
    orderBy,
    limit: request.limit,
    offset,
  });
  return {
    items: page.runs,
    ...(page.more ? { nextToken: encodeToken(offset + request.limit, fingerprint) } : {}),
  };
};
