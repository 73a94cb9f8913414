/**
 * ValidateData: the entity rows (keys, eventTime, label) before any join is paid for — the label is
 * present and not constant, there are enough rows, the classes are not too unbalanced. Feature columns
 * get their own quality rules once the training set exists (BuildTrainingSet).
 */
import { loadEntities } from '../../features/training-sets/training-sets';
import { entityTableOf } from '../../features/training-sets/training-sets-entities';
import { ValidationError } from '../../shared/errors';
import type { StoredTrainingRequest } from '../schemas';
import { objectiveOf } from '../training/hyperparameters';
import type { TrainingTable } from '../training/table';
import { type DataValidationReport, validateTrainingData } from '../training/validate-data';
import { PipelineStepError, type PipelineTaskDeps } from './deps';

export const validateData = async (
  deps: PipelineTaskDeps,
  input: { readonly request: StoredTrainingRequest },
): Promise<DataValidationReport> => {
  const { request } = input;
  let entities: ReturnType<typeof entityTableOf>;
  try {
    entities = entityTableOf(await loadEntities(deps.objects, request.entitiesUri), 'entities');
  } catch (error) {
    if (error instanceof ValidationError) {
      throw new PipelineStepError(
        'DataValidationFailed',
        JSON.stringify({ ok: false, problems: error.issues }),
      );
    }
    throw error;
  }
  const table: TrainingTable = {
    columns: entities.columns,
    rows: entities.rows.map((row) => entities.columns.map((c) => row[c.name] ?? null)),
  };
  const report = validateTrainingData(table, {
    label: request.label,
    featureColumns: [],
    ...objectiveOf(request.hyperparameters),
    ...request.dataRules,
  });
  if (!report.ok) throw new PipelineStepError('DataValidationFailed', JSON.stringify(report));
  return report;
};
