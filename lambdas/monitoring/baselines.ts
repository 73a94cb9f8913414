/**
 * The baseline a model version is monitored against. The training pipeline's Register step writes it;
 * every monitor run reads it. The key layout lives here only, so writer and reader cannot disagree.
 */
import type { ObjectInfo, ObjectStore } from '../shared/ports/object-store';
import type { BaselineProfile } from './drift';

/** Metrics of the version on its validation data; performance monitoring compares against these. */
export interface BaselineMetrics {
  readonly auc?: number;
  readonly accuracy?: number;
  readonly logloss?: number;
  readonly rmse?: number;
  readonly mae?: number;
}

export interface ModelBaseline {
  /** Profile of the features the version was trained or validated on (training column names). */
  readonly features: BaselineProfile;
  /** Profile of the version's validation predictions, in one column named `prediction`. */
  readonly predictions: BaselineProfile;
  /** Feature groups the version reads; health checks their freshness. */
  readonly featureGroups: readonly { readonly name: string; readonly version: number }[];
  readonly metrics: BaselineMetrics;
}

/** Column of the predictions profile, and of the prediction table a run builds from captures. */
export const PREDICTION_COLUMN = 'prediction';

export const baselineKey = (model: string, version: number): string =>
  `models/${model}/versions/${version}/baseline.json`;

export const writeBaseline = (
  objects: ObjectStore,
  model: string,
  version: number,
  baseline: ModelBaseline,
): Promise<ObjectInfo> =>
  objects.put(baselineKey(model, version), JSON.stringify(baseline), { contentType: 'application/json' });

/** The version's baseline, or undefined when none was stored. */
export const readBaseline = async (
  objects: ObjectStore,
  model: string,
  version: number,
): Promise<ModelBaseline | undefined> => {
  const stored = await objects.get(baselineKey(model, version));
  return stored ? (JSON.parse(Buffer.from(stored.body).toString('utf8')) as ModelBaseline) : undefined;
};
