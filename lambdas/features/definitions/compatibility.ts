/**
 * What a change to a feature group definition does to its readers. Versions that only add share the
 * online rows of the version they extend (one "storage"); a breaking version starts a storage of its
 * own, which is why some changes that look harmless count as breaking: a reader pinned to the old
 * version would otherwise read rows written under the new rules.
 *
 * Additive (new version, same storage): a new nullable feature; description, owner, tags, a feature's
 * description; ttlSeconds; tighter min/max/allowed; feature order.
 * Breaking (409 unless `"breaking": true`; new storage): a feature removed; a type changed; nullable
 * changed either way (nullable→required: stored rows hold nulls; required→nullable: old readers would
 * get nulls); a new required feature (stored rows lack it); looser min/max/allowed (old readers would get
 * values their version forbids); entity keys changed (names or order); the event-time field changed.
 *
 * `"breaking": true` allows breaking differences; it does not force a new storage when there are none
 * (an additive change stays additive), nor a new version when the body is identical.
 */
import type { FeatureSpec } from '../../shared/ports/feature-group-version';
import type { FeatureGroupBody } from './definitions';

/** A definition as compared and stored: the body without `breaking`, optional parts omitted when absent. */
export interface GroupDefinition {
  readonly name: string;
  readonly description: string;
  readonly owner: string;
  readonly entityKeys: readonly string[];
  readonly eventTimeField: string;
  readonly features: readonly FeatureSpec[];
  readonly ttlSeconds?: number;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface Difference {
  readonly field: string;
  readonly breaking: boolean;
  readonly message: string;
}

const compareJson = (a: unknown, b: unknown): number => {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

const normalizeFeature = (spec: FeatureSpec): FeatureSpec => ({
  name: spec.name,
  type: spec.type,
  nullable: spec.nullable,
  ...(spec.min === undefined ? {} : { min: spec.min }),
  ...(spec.max === undefined ? {} : { max: spec.max }),
  // The order of allowed values means nothing; sorted, a reordering is no change.
  ...(spec.allowed === undefined ? {} : { allowed: [...new Set(spec.allowed)].sort(compareJson) }),
  ...(spec.description === undefined ? {} : { description: spec.description }),
});

export const normalizeDefinition = (body: FeatureGroupBody): GroupDefinition => ({
  name: body.name,
  description: body.description,
  owner: body.owner,
  entityKeys: [...body.entityKeys],
  eventTimeField: body.eventTimeField,
  features: body.features.map(normalizeFeature),
  ...(body.ttlSeconds === undefined ? {} : { ttlSeconds: body.ttlSeconds }),
  ...(body.tags === undefined || Object.keys(body.tags).length === 0
    ? {}
    : {
        tags: Object.fromEntries(Object.entries(body.tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
      }),
});

const definitionOf = (d: GroupDefinition): GroupDefinition => ({
  name: d.name,
  description: d.description,
  owner: d.owner,
  entityKeys: d.entityKeys,
  eventTimeField: d.eventTimeField,
  features: d.features,
  ...(d.ttlSeconds === undefined ? {} : { ttlSeconds: d.ttlSeconds }),
  ...(d.tags === undefined ? {} : { tags: d.tags }),
});

/** Whether two definitions are the same (the stored one may carry version bookkeeping besides). */
export const sameDefinition = (a: GroupDefinition, b: GroupDefinition): boolean =>
  JSON.stringify(definitionOf(a)) === JSON.stringify(definitionOf(b));

const looser = (before: FeatureSpec, after: FeatureSpec): string[] => {
  const out: string[] = [];
  if (before.min !== undefined && (after.min === undefined || after.min < before.min)) out.push('min');
  if (before.max !== undefined && (after.max === undefined || after.max > before.max)) out.push('max');
  if (before.allowed !== undefined) {
    const old = new Set(before.allowed.map((v) => JSON.stringify(v)));
    if (after.allowed === undefined || after.allowed.some((v) => !old.has(JSON.stringify(v))))
      out.push('allowed');
  }
  return out;
};

/** Every difference from `before` (the latest version) to `after`, each marked breaking or additive. */
export const differences = (before: GroupDefinition, after: GroupDefinition): Difference[] => {
  const out: Difference[] = [];
  const add = (field: string, breaking: boolean, message: string) => out.push({ field, breaking, message });
  if (JSON.stringify(before.entityKeys) !== JSON.stringify(after.entityKeys)) {
    add(
      'body.entityKeys',
      true,
      `entity keys change from [${before.entityKeys.join(', ')}] to [${after.entityKeys.join(', ')}]`,
    );
  }
  if (before.eventTimeField !== after.eventTimeField) {
    add(
      'body.eventTimeField',
      true,
      `the event-time field changes from ${before.eventTimeField} to ${after.eventTimeField}`,
    );
  }
  const next = new Map(after.features.map((f, i) => [f.name, { spec: f, index: i }]));
  const previous = new Map(before.features.map((f) => [f.name, f]));
  for (const old of before.features) {
    if (!next.has(old.name)) add('body.features', true, `feature ${old.name} is removed`);
  }
  after.features.forEach((spec, index) => {
    const field = `body.features.${index}`;
    const old = previous.get(spec.name);
    if (old === undefined) {
      if (spec.nullable) add(field, false, `nullable feature ${spec.name} is added`);
      else
        add(
          `${field}.nullable`,
          true,
          `required feature ${spec.name} is added (stored rows have no value for it)`,
        );
      return;
    }
    if (old.type !== spec.type)
      add(`${field}.type`, true, `feature ${spec.name} changes type from ${old.type} to ${spec.type}`);
    if (old.nullable !== spec.nullable) {
      add(
        `${field}.nullable`,
        true,
        old.nullable
          ? `feature ${spec.name} becomes required (stored rows may hold nulls)`
          : `feature ${spec.name} becomes nullable (readers of the latest version expect a value)`,
      );
    }
    for (const rule of looser(old, spec)) {
      add(
        `${field}.${rule}`,
        true,
        `feature ${spec.name} loosens ${rule} (readers of the latest version would get values it forbids)`,
      );
    }
    for (const rule of ['min', 'max', 'allowed', 'description'] as const) {
      const changed = JSON.stringify(old[rule]) !== JSON.stringify(spec[rule]);
      if (changed && !looser(old, spec).includes(rule))
        add(`${field}.${rule}`, false, `feature ${spec.name} changes ${rule}`);
    }
  });
  const order = (d: GroupDefinition) =>
    d.features.map((f) => f.name).filter((n) => previous.has(n) && next.has(n));
  if (JSON.stringify(order(before)) !== JSON.stringify(order(after)))
    add('body.features', false, 'features are reordered');
  for (const part of ['description', 'owner', 'ttlSeconds', 'tags'] as const) {
    if (JSON.stringify(before[part]) !== JSON.stringify(after[part]))
      add(`body.${part}`, false, `${part} changes`);
  }
  return out;
};
