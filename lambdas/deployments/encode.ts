/**
 * Request features as the model takes them, with the version's stored encoding (the same rules as
 * training's encoding.ts: numbers as they are, booleans 0/1, strings their category's code, unseen
 * category or null = missing). Pure; every fault is a ValidationError naming `body.features.x`.
 */
import { ValidationError } from '../shared/errors';
import type { EncodedRows, HostedFeature, HostedModel } from '../shared/ports/model-host';

type Value = string | number | boolean | null;
type Issue = { field: string; rule: string; message: string };

const encodeValue = (
  feature: HostedFeature,
  value: Value | undefined,
  field: string,
  issues: Issue[],
): number => {
  if (value === undefined || value === null) return Number.NaN;
  if (feature.type === 'string') {
    if (typeof value !== 'string') {
      issues.push({ field, rule: 'invalid_type', message: `must be a string (feature ${feature.name})` });
      return Number.NaN;
    }
    const code = feature.categories?.indexOf(value) ?? -1;
    return code < 0 ? Number.NaN : code;
  }
  if (feature.type === 'bool') {
    if (typeof value !== 'boolean') {
      issues.push({ field, rule: 'invalid_type', message: `must be a boolean (feature ${feature.name})` });
      return Number.NaN;
    }
    return value ? 1 : 0;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    issues.push({
      field,
      rule: 'invalid_type',
      message: `must be a finite number (feature ${feature.name})`,
    });
    return Number.NaN;
  }
  return value;
};

/** One row of named features; names the model does not take are refused, absent ones are missing. */
export const encodeNamed = (model: HostedModel, features: Readonly<Record<string, Value>>): EncodedRows => {
  if (model.features.length === 0) {
    throw new ValidationError([
      {
        field: 'body.features',
        rule: 'no_encoding',
        message: 'this version carries no feature names; send instances (values in input order)',
      },
    ]);
  }
  const known = new Set(model.features.map((f) => f.name));
  const issues: Issue[] = Object.keys(features)
    .filter((name) => !known.has(name))
    .map((name) => ({
      field: `body.features.${name}`,
      rule: 'unknown_feature',
      message: `the model takes no feature ${JSON.stringify(name)}; it takes ${[...known].join(', ')}`,
    }));
  const matrix = new Float32Array(model.features.length);
  model.features.forEach((feature, f) => {
    matrix[f] = encodeValue(feature, features[feature.name], `body.features.${feature.name}`, issues);
  });
  if (issues.length > 0) throw new ValidationError(issues);
  return { matrix, rows: 1, columns: model.features.length };
};

/** Rows of values in input order; without a stored encoding, numbers only. */
export const encodeInstances = (
  model: HostedModel,
  instances: readonly (readonly Value[])[],
): EncodedRows => {
  const columns = model.features.length > 0 ? model.features.length : model.columns;
  const issues: Issue[] = [];
  const matrix = new Float32Array(instances.length * columns);
  instances.forEach((row, r) => {
    if (row.length !== columns) {
      issues.push({
        field: `body.instances.${r}`,
        rule: 'length',
        message: `holds ${row.length} values; the model takes ${columns}`,
      });
      return;
    }
    row.forEach((value, f) => {
      const feature = model.features[f] ?? { name: `column ${f}`, type: 'float' as const };
      matrix[r * columns + f] = encodeValue(feature, value, `body.instances.${r}.${f}`, issues);
    });
  });
  if (issues.length > 0) throw new ValidationError(issues.slice(0, 20));
  return { matrix, rows: instances.length, columns };
};

/** The named features of each row, for captures. */
export const namedRows = (
  model: HostedModel,
  instances: readonly (readonly Value[])[],
): Record<string, Value>[] =>
  instances.map((row) =>
    Object.fromEntries(row.map((value, f) => [model.features[f]?.name ?? `f${f}`, value])),
  );

/**
 * One prediction per row as callers and captures see it: the class-1 probability (binary), the value
 * (regression), or the most probable class (multi:softprob).
 */
export const predictionsOf = (model: HostedModel, outputs: Float64Array, rows: number): number[] => {
  const per = model.outputsPerRow;
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    if (per === 1) {
      out.push(outputs[r]!);
      continue;
    }
    let best = 0;
    for (let c = 1; c < per; c++) if (outputs[r * per + c]! > outputs[r * per + best]!) best = c;
    out.push(best);
  }
  return out;
};
