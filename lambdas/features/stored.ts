/** What the feature store keeps in each item's `data`. */

import type { FeatureGroupVersion } from '../shared/ports/feature-group-version';
import type { JsonObject, RecencyOrder } from '../shared/ports/metadata-store';

/** A group version as stored: the shared shape plus how it relates to the version before. */
export interface StoredGroupVersion extends FeatureGroupVersion {
  /** The version whose online rows this one reads and writes: its own if breaking (or first), else its predecessor's. */
  readonly storageVersion: number;
  /**
   * The order of the values in the storage's online rows: the features of its first version, then each
   * additive version's new ones. Versions of one storage add features and may reorder them, but a
   * feature keeps its place in the rows, so every version reads what any other wrote. Absent on
   * versions stored before it existed: their own feature order.
   */
  readonly rowLayout?: readonly string[];
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

/**
 * The online row of one entity in one storage: the newest event's time (epoch ms; its ISO form is
 * derived on read) and values. The values are one JSON array in row layout order — text, so that any
 * float survives either store's number rules, and without names, so that rows stay small (372 bytes
 * against 772 for 50 named floats, and a third faster to upsert in SQLite).
 */
export interface OnlineRow {
  readonly eventMs: number;
  /** `[value, …]` in row layout order; a row written by an earlier version may hold fewer values. */
  readonly values: string;
}

/** Newest wins in the online store: the later event, then the greater values text (UTF-8 bytes). */
export const ONLINE_RECENCY: RecencyOrder = { number: 'eventMs', tieBreak: 'values' };

/** The row layout of a version (see `rowLayout`). */
export const rowLayoutOf = (group: StoredGroupVersion): readonly string[] =>
  group.rowLayout ?? group.features.map((feature) => feature.name);

export const json = (record: object): JsonObject => record as JsonObject;
