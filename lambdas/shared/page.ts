/**
 * The one page mapper: a store page (`items` + opaque `cursor`) mapped item by item, either kept as a
 * page for the core (`mapPage`) or answered as the API's page (`apiPage`: the cursor becomes
 * `nextToken`, present only when another page has items).
 */
import type { Page } from './ports/metadata-store';

/** A store page, or items read for one (a batch read of what an index page names) with its cursor. */
type Source<I> = Pick<Page<I>, 'items'> & { readonly cursor?: string | undefined };

/** A page as every list route answers it. */
export interface ApiPage<T> {
  readonly items: T[];
  readonly nextToken?: string;
}

export const mapPage = <I, T>(page: Source<I>, map: (item: I) => T): Page<T> => ({
  items: page.items.map(map),
  ...(page.cursor ? { cursor: page.cursor } : {}),
});

export function apiPage<T>(page: Source<T>): ApiPage<T>;
export function apiPage<I, T>(page: Source<I>, map: (item: I) => T): ApiPage<T>;
export function apiPage<I, T>(page: Source<I>, map?: (item: I) => T): ApiPage<T | I> {
  return {
    items: map ? page.items.map(map) : page.items,
    ...(page.cursor ? { nextToken: page.cursor } : {}),
  };
}
