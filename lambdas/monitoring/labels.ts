/**
 * Delayed ground truth: labels arrive after the predictions they judge (a churned customer shows up
 * weeks later), keyed by the inference id serving wrote into the capture. A later label for the same
 * id replaces the earlier one (a correction). Runs join them to their window's predictions.
 */
import { modelExists } from '../registry/public';
import { NotFoundError } from '../shared/errors';
import { MAX_BATCH_GET_KEYS, MAX_TRANSACTION_OPS, type MetadataStore } from '../shared/ports/metadata-store';
import { json } from '../shared/stored';
import type { MonitoringDeps } from './deps';
import { labelKey } from './keys';
import type { Label } from './performance';
import { decodeLabel, type StoredLabel } from './records';
import type { LabelsInput } from './schemas';

/** How long a label is kept: longer than any window a monitor may look back over. */
export const LABEL_RETENTION_SECONDS = 400 * 24 * 3600;

/** Stores the labels of one model, 100 to a transaction; 404 when the model does not exist. */
export const putLabels = async (
  deps: Pick<MonitoringDeps, 'store' | 'clock'>,
  model: string,
  input: LabelsInput,
): Promise<{ model: string; accepted: number }> => {
  if (!(await modelExists(deps.store, model))) throw new NotFoundError(`Model ${model} does not exist.`);
  const now = deps.clock.now();
  const expiresAt = Math.floor(now.getTime() / 1000) + LABEL_RETENTION_SECONDS;
  // The last label of an id in one request wins, as a later request's would; DynamoDB refuses a
  // transaction that names one item twice.
  const latest = new Map(input.labels.map((label) => [label.inferenceId, label]));
  const labels = [...latest.values()];
  for (let start = 0; start < labels.length; start += MAX_TRANSACTION_OPS) {
    await deps.store.transact(
      labels.slice(start, start + MAX_TRANSACTION_OPS).map((label) => {
        const record: StoredLabel = {
          inferenceId: label.inferenceId,
          label: label.label,
          ...(label.timestamp === undefined ? {} : { timestamp: label.timestamp }),
          receivedAt: now.toISOString(),
        };
        return { kind: 'put' as const, ...labelKey(model, label.inferenceId), data: json(record), expiresAt };
      }),
    );
  }
  return { model, accepted: labels.length };
};

/** The labels known for these inference ids (ids without one are absent from the map). */
export const readLabels = async (
  store: MetadataStore,
  model: string,
  inferenceIds: readonly string[],
): Promise<Map<string, Label>> => {
  const found = new Map<string, Label>();
  // A batch read refuses a key named twice (DynamoDB); a replayed capture can repeat an id.
  const unique = [...new Set(inferenceIds)];
  for (let start = 0; start < unique.length; start += MAX_BATCH_GET_KEYS) {
    const ids = unique.slice(start, start + MAX_BATCH_GET_KEYS);
    const items = await store.batchGet(ids.map((id) => labelKey(model, id)));
    items.forEach((item, i) => {
      if (item) found.set(ids[i] as string, decodeLabel(item).label);
    });
  }
  return found;
};
