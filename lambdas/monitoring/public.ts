/**
 * What other capabilities may ask monitoring for, without reading its item layout (keys.ts): the
 * delayed labels posted through `POST /models/{name}/labels`, by inference id. The deployments
 * capability joins them with the inference ids each A/B variant answered.
 */
import type { MetadataStore } from '../shared/ports/metadata-store';
import { readLabels } from './labels';
import type { Label } from './performance';

export type { Label } from './performance';

/** The labels known for these inference ids of a model; ids without a label are absent from the map. */
export const labelsOf = (
  store: MetadataStore,
  model: string,
  inferenceIds: readonly string[],
): Promise<Map<string, Label>> => readLabels(store, model, inferenceIds);
