/** What the feature store keeps in each item's `data`. */

import * as z from 'zod';
import type { FeatureGroupVersion } from '../shared/ports/feature-group-version';
import type { RecencyOrder } from '../shared/ports/metadata-store';
import { checkedDecoder, zodDecoder } from '../shared/stored';
import type { QuarantineEntry } from './ingest/ingest';

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

/** What is stored of a rejected record: its JSON text, as numbers in it may be any the store refuses. */
export interface StoredQuarantineEntry extends Omit<QuarantineEntry, 'record'> {
  readonly recordJson: string;
}

// Decoders: one per stored shape above (see lambdas/shared/stored.ts). Definitions are read a few a
// request (and cached for online reads), so a schema parse costs nothing there; online rows are read
// by the thousand, so theirs is two typeof checks.

const text = z.string();
const version = z.number().int();
const strings = z.array(z.string());

const groupVersion = z.looseObject({
  name: text,
  version,
  description: text,
  owner: text,
  entityKeys: strings,
  eventTimeField: text,
  features: z.array(
    z.looseObject({
      name: text,
      type: z.enum(['float', 'int', 'string', 'bool']),
      nullable: z.boolean(),
      min: z.number().optional(),
      max: z.number().optional(),
      allowed: z.array(z.union([z.string(), z.number(), z.boolean()])).optional(),
    }),
  ),
  ttlSeconds: z.number().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  createdAt: text,
  createdBy: text,
  storageVersion: version,
  rowLayout: strings.optional(),
  breaking: z.boolean(),
  changes: strings,
});

const serviceVersion = z.looseObject({
  name: text,
  version,
  description: text.optional(),
  features: z.array(z.looseObject({ reference: text, group: text, version, feature: text })),
  createdAt: text,
  createdBy: text,
});

export const decodeGroupVersion = zodDecoder<StoredGroupVersion>('feature group version', groupVersion);

export const decodeGroupHead = zodDecoder<GroupHead>(
  'feature group',
  z.looseObject({
    name: text,
    latestVersion: version,
    createdAt: text,
    updatedAt: text,
    latest: groupVersion,
  }),
);

export const decodeServiceVersion = zodDecoder<StoredServiceVersion>(
  'feature service version',
  serviceVersion,
);

export const decodeServiceHead = zodDecoder<ServiceHead>(
  'feature service',
  z.looseObject({
    name: text,
    latestVersion: version,
    usedBy: strings,
    createdAt: text,
    updatedAt: text,
    latest: serviceVersion,
  }),
);

export const decodeQuarantineEntry = zodDecoder<StoredQuarantineEntry>(
  'quarantined record',
  z.looseObject({
    id: text,
    group: text,
    version,
    index: z.number().int(),
    recordJson: text,
    truncated: z.boolean(),
    issues: z.array(z.looseObject({ field: text, reason: text })),
    receivedAt: text,
    actor: text,
  }),
);

/** An online row: on the read path of every online request, so a hand-written check, no schema. */
export const decodeOnlineRow = checkedDecoder<OnlineRow>('online row', (data) =>
  typeof data.eventMs !== 'number'
    ? { field: 'eventMs', message: 'expected a number' }
    : typeof data.values !== 'string'
      ? { field: 'values', message: 'expected a string' }
      : undefined,
);
