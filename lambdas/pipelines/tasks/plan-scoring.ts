/**
 * PlanScoring: which models score the held-out rows by batch transform — the new model, and the
 * champion when it has a SageMaker model and every feature it reads is in this training set (its
 * own encoding is applied to the same rows, so both are judged on exactly the same flights, users...).
 */
import { resolveAlias } from '../../registry/public';
import { encodingKeyOf, type SageMakerModelFile, sageMakerModelKeyOf } from '../model-files';
import type { StoredTrainingRequest } from '../schemas';
import type { Encoding } from '../training/encoding';
import type { TrainingTable } from '../training/table';
import type { BuildResult } from './build-training-set';
import { featuresCsv } from './channels';
import type { PipelineTaskDeps } from './deps';
import { readJson } from './objects';

export interface ScoringModel {
  readonly role: 'challenger' | 'champion';
  /** The champion's version; null for the challenger. */
  readonly version: number | null;
  readonly modelName: string;
  readonly transformJobName: string;
  /** The features CSV (URI for SageMaker, key for us). */
  readonly input: string;
  readonly inputKey: string;
  /** Where the transform writes `{input file name}.out` (URI for SageMaker, key for us). */
  readonly outputPath: string;
  readonly outputKey: string;
}

/** SageMaker job names: 1..63 of [a-zA-Z0-9-]. */
const jobName = (base: string, suffix: string) => `${base.slice(0, 63 - suffix.length - 1)}-${suffix}`;

/** A JSON object the pipeline may not have written (a version registered some other way). */
const readOptionalJson = async <T>(deps: PipelineTaskDeps, key: string): Promise<T | undefined> => {
  const object = await deps.objects.get(key);
  return object ? (JSON.parse(new TextDecoder().decode(object.body)) as T) : undefined;
};

/** A champion that exists but cannot be scored on these rows, and why (the gate must not pass over it). */
export interface SkippedChampion {
  readonly version: number;
  readonly reason: string;
}

const championOf = async (
  deps: PipelineTaskDeps,
  request: StoredTrainingRequest,
  build: BuildResult,
): Promise<ScoringModel | SkippedChampion | undefined> => {
  const version = await resolveAlias(deps.store, request.model, 'champion');
  if (version === undefined) return undefined;
  const [encoding, sageMaker] = await Promise.all([
    readOptionalJson<Encoding>(deps, encodingKeyOf(request.model, version)),
    readOptionalJson<SageMakerModelFile>(deps, sageMakerModelKeyOf(request.model, version)),
  ]);
  if (!encoding || !sageMaker) {
    return {
      version,
      reason: 'it was not registered by the training pipeline (no encoding or SageMaker model)',
    };
  }
  const rows = await readJson<TrainingTable>(deps.objects, build.artifacts.validationRows);
  const columns = new Set(rows.columns.map((c) => c.name));
  const absent = encoding.features.filter((f) => !columns.has(f.name)).map((f) => f.name);
  if (absent.length > 0)
    return { version, reason: `this training set lacks its features ${absent.join(', ')}` };
  const inputKey = build.artifacts.validationFeatures.replace(
    /validation-features\.csv$/,
    'champion-features.csv',
  );
  await deps.objects.put(inputKey, featuresCsv(encoding, rows), { contentType: 'text/csv' });
  const outputKey = `${build.scoringPath}/champion`;
  return {
    role: 'champion',
    version,
    modelName: sageMaker.modelName,
    transformJobName: jobName(build.trainingJobName, 'cp'),
    input: deps.objects.uriOf(inputKey),
    inputKey,
    outputPath: deps.objects.uriOf(outputKey),
    outputKey,
  };
};

export const planScoring = async (
  deps: PipelineTaskDeps,
  input: { readonly request: StoredTrainingRequest; readonly build: BuildResult },
): Promise<{ models: ScoringModel[]; championSkipped: SkippedChampion | null }> => {
  const { build } = input;
  const outputKey = `${build.scoringPath}/challenger`;
  const challenger: ScoringModel = {
    role: 'challenger',
    version: null,
    modelName: build.trainingJobName,
    transformJobName: jobName(build.trainingJobName, 'ch'),
    input: deps.objects.uriOf(build.artifacts.validationFeatures),
    inputKey: build.artifacts.validationFeatures,
    outputPath: deps.objects.uriOf(outputKey),
    outputKey,
  };
  const champion = await championOf(deps, input.request, build);
  if (champion === undefined) return { models: [challenger], championSkipped: null };
  if ('reason' in champion) return { models: [challenger], championSkipped: champion };
  return { models: [challenger, champion], championSkipped: null };
};
