/**
 * What other capabilities may ask the registry, on the shared metadata store, without knowing where it
 * keeps its items (keys.ts is the registry's own).
 */
import type { MetadataStore } from '../shared/ports/metadata-store';
import { aliasKey, modelKey, versionKey } from './keys';
import type { AliasRecord } from './records';

type Reads = Pick<MetadataStore, 'get'>;

export const modelExists = async (store: Reads, name: string): Promise<boolean> =>
  (await store.get(modelKey(name))) !== undefined;

export const versionExists = async (store: Reads, name: string, version: number): Promise<boolean> =>
  (await store.get(versionKey(name, version))) !== undefined;

/** The version an alias of a model points at; undefined when the model has no such alias. */
export const resolveAlias = async (
  store: Reads,
  name: string,
  alias: string,
): Promise<number | undefined> => {
  const item = await store.get(aliasKey(name, alias));
  return item === undefined ? undefined : (item.data as unknown as AliasRecord).version;
};
