/**
 * Where the feature store keeps its items in the single metadata table.
 *
 * | item                          | pk                                   | sk                             |
 * | ----------------------------- | ------------------------------------ | ------------------------------ |
 * | group head (latest version)   | feature-group#{name}                 | #group                         |
 * | group version (immutable)     | feature-group#{name}                 | version#{10 digits}            |
 * | quality statistics (shards)   | feature-group#{name}                 | stats#{10 digits}#{shard}      |
 * | services using the group      | feature-group#{name}                 | used-by#{service}#{10 digits}  |
 * | models trained on the group   | feature-group#{name}                 | used-by-model#{model}          |
 * | group index                   | feature-groups                       | {name}                         |
 * | quarantined record            | feature-group#{name}#quarantine      | {ULID}                         |
 * | online row of one entity      | online#{name}@{storage}#{entity}     | v                              |
 * | service head (latest version) | feature-service#{name}               | #service                       |
 * | service version (immutable)   | feature-service#{name}               | version#{10 digits}            |
 *
 * Online rows get a partition each (entity id in the pk), so that ingestion of a hot group spreads
 * over DynamoDB partitions instead of throttling on one. `storage` is the first version of a run of
 * additive versions: versions that only add to a definition share their online rows.
 */
import type { ItemKey } from '../shared/ports/metadata-store';

const pad = (version: number): string => String(version).padStart(10, '0');
const groupPk = (name: string): string => `feature-group#${name}`;
const servicePk = (name: string): string => `feature-service#${name}`;

export const GROUP_SK = '#group';
export const SERVICE_SK = '#service';
export const VERSION_PREFIX = 'version#';
export const USED_BY_PREFIX = 'used-by#';
export const GROUPS_PK = 'feature-groups';
export const ONLINE_SK = 'v';

export const groupKey = (name: string): ItemKey => ({ pk: groupPk(name), sk: GROUP_SK });
export const groupsPkOf = groupPk;
export const groupVersionKey = (name: string, version: number): ItemKey => ({
  pk: groupPk(name),
  sk: `${VERSION_PREFIX}${pad(version)}`,
});
export const groupIndexKey = (name: string): ItemKey => ({ pk: GROUPS_PK, sk: name });
export const statsPrefix = (version: number): string => `stats#${pad(version)}#`;
export const statsKey = (name: string, version: number, shard: number): ItemKey => ({
  pk: groupPk(name),
  sk: `${statsPrefix(version)}${shard}`,
});
export const usedByKey = (group: string, service: string, version: number): ItemKey => ({
  pk: groupPk(group),
  sk: `${USED_BY_PREFIX}${service}#${pad(version)}`,
});
/** A model trained on the group (written by the training pipeline's Register step), one item per model. */
export const USED_BY_MODEL_PREFIX = 'used-by-model#';
export const usedByModelKey = (group: string, model: string): ItemKey => ({
  pk: groupPk(group),
  sk: `${USED_BY_MODEL_PREFIX}${model}`,
});
export const quarantinePk = (name: string): string => `${groupPk(name)}#quarantine`;

/** The entity's key values, in the group's entity-key order, as one unambiguous string. */
export const entityIdOf = (values: readonly string[]): string => JSON.stringify(values);
export const onlineKey = (name: string, storageVersion: number, entityId: string): ItemKey => ({
  pk: `online#${name}@${storageVersion}#${entityId}`,
  sk: ONLINE_SK,
});

export const serviceKey = (name: string): ItemKey => ({ pk: servicePk(name), sk: SERVICE_SK });
export const serviceVersionKey = (name: string, version: number): ItemKey => ({
  pk: servicePk(name),
  sk: `${VERSION_PREFIX}${pad(version)}`,
});
export const servicesPkOf = servicePk;
