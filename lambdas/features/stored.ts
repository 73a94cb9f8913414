/** What the feature store keeps in each item's `data`. */
import type { JsonObject } from '../shared/ports/metadata-store';
import type { FeatureGroupVersion } from './definitions';

/** A group version as stored: the shared shape plus how it relates to the version before. */
export interface StoredGroupVersion extends FeatureGroupVersion {
  /** The version whose online rows this one reads and writes: its own if breaking (or first), else its predecessor's. */
  readonly storageVersion: number;
  /** Whether it was made with `"breaking": true` over a breaking difference. */
  readonly breaking: boolean;
  /** What changed from the version before (empty for version 1). */
  readonly changes: readonly string[];
}

export interface GroupHead {
  readonly name: string;
  readonly latestVersion: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** A copy of the latest version, so that one read resolves `group:feature`. */
  readonly latest: StoredGroupVersion;
}

/** One feature of a service: the reference as written, and the group version it was pinned to. */
export interface ServiceFeature {
  readonly reference: string;
  readonly group: string;
  readonly version: number;
  readonly feature: string;
}

export interface StoredServiceVersion {
  readonly name: string;
  readonly version: number;
  readonly description?: string;
  readonly features: readonly ServiceFeature[];
  readonly createdAt: string;
  readonly createdBy: string;
}

export interface ServiceHead {
  readonly name: string;
  readonly latestVersion: number;
  /** Models that declared they use the service (any version); grows, never versioned. */
  readonly usedBy: readonly string[];
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly latest: StoredServiceVersion;
}

/** The online row of one entity in one storage: the newest event's values. */
export interface OnlineRow {
  readonly eventMs: number;
  readonly eventTime: string;
  /** `{feature: value}` as JSON (text, so any float survives either store's number rules). */
  readonly values: string;
}

export const json = (record: object): JsonObject => record as JsonObject;
