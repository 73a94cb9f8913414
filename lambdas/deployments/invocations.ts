/**
 * Invocations: the variant chosen by weight (sticky by `key`), features encoded with the version's
 * stored encoding, a share mirrored to the shadow (its answer never returned), a canary's answers also
 * compared with production, per-variant figures and captures recorded for guards and monitors.
 */
import type { CaptureRecord } from '../monitoring/captures';
import { ValidationError } from '../shared/errors';
import type { EncodedRows, HostedModel, HostedVariant } from '../shared/ports/model-host';
import type { DeploymentsDeps } from './deps';
import { encodeInstances, encodeNamed, namedRows, predictionsOf } from './encode';
import { loadEndpoint } from './endpoints';
import { disagrees } from './guards';
import { deploymentKey } from './keys';
import { decodeDeployment, type EndpointRecord, type VariantRecord } from './records';
import { mainProduction, pickProduction, shadowOf, stickyPoint } from './routing';
import type { InvocationInput } from './schemas';

type Value = string | number | boolean | null;

export interface InvocationResult {
  readonly prediction?: number | null;
  readonly predictions?: (number | null)[];
  readonly model: string;
  readonly version: number;
  readonly variant: string;
  readonly inferenceId: string;
}

const encodeFor = (model: HostedModel, input: InvocationInput): EncodedRows =>
  input.features !== undefined
    ? encodeNamed(model, input.features)
    : encodeInstances(model, input.instances ?? []);

const rowsOf = (model: HostedModel, input: InvocationInput): Record<string, Value>[] =>
  input.features !== undefined ? [{ ...input.features }] : namedRows(model, input.instances ?? []);

const hosted = (v: VariantRecord): HostedVariant => ({
  name: v.name,
  model: v.model,
  version: v.version,
  artifactUri: v.artifactUri,
  artifactSha256: v.artifactSha256,
});

interface Answer {
  readonly model: HostedModel;
  readonly predictions: number[];
}

/**
 * Scores the input on one variant, recording its latency and whether it failed. Unprepared (a shadow
 * mirrored, a reference scored for comparison), a failure to load or encode is the variant's error too.
 */
const score = async (
  deps: DeploymentsDeps,
  endpoint: string,
  variant: VariantRecord,
  input: InvocationInput,
  prepared?: { model: HostedModel; rows: EncodedRows },
): Promise<Answer> => {
  const target = hosted(variant);
  let model: HostedModel;
  let rows: EncodedRows;
  try {
    model = prepared?.model ?? (await deps.host.describe(target));
    rows = prepared?.rows ?? encodeFor(model, input);
  } catch (error) {
    deps.recorder.failure(endpoint, variant.name, variant.version);
    throw error;
  }
  const started = performance.now();
  try {
    const outputs = await deps.host.invoke(endpoint, target, rows);
    deps.recorder.request(endpoint, variant.name, variant.version, performance.now() - started, false);
    return { model, predictions: predictionsOf(model, outputs, rows.rows) };
  } catch (error) {
    deps.recorder.request(endpoint, variant.name, variant.version, performance.now() - started, true);
    throw error;
  }
};

/** What serving needs of the deployment in progress: its new variant, the version it replaces. */
interface Rollout {
  readonly newVariant?: string;
  /** The variant of the version being replaced: what the new variant's answers are compared with. */
  readonly reference?: VariantRecord;
  readonly tolerance: number;
}

/**
 * The deployment in progress as serving sees it. The reference is always the deployment's `from`
 * version, whatever the weights (at 60 % or 100 % the new variant is the heaviest: comparing with the
 * heaviest would compare it with itself). Without a deployment, the heaviest production variant.
 */
const rolloutOf = async (deps: DeploymentsDeps, endpoint: EndpointRecord): Promise<Rollout> => {
  if (!endpoint.activeDeployment) {
    const main = mainProduction(endpoint);
    return { ...(main ? { reference: main } : {}), tolerance: 0 };
  }
  const item = await deps.store.get(deploymentKey(endpoint.name, endpoint.activeDeployment));
  const d = item ? decodeDeployment(item) : undefined;
  if (!d) return { tolerance: 0 };
  const reference =
    endpoint.variants.find((v) => v.role === 'production' && v.version === d.from && v.name !== d.variant) ??
    endpoint.variants.find((v) => v.role === 'production' && v.name !== d.variant);
  return {
    newVariant: d.variant,
    ...(reference ? { reference } : {}),
    tolerance: d.guards.disagreementTolerance ?? 0,
  };
};

/** Whether a variant can encode the input (its model loaded, every feature known and typed). */
const encodes = async (deps: DeploymentsDeps, variant: VariantRecord, input: InvocationInput) => {
  try {
    encodeFor(await deps.host.describe(hosted(variant)), input);
    return true;
  } catch {
    return false;
  }
};

/** Scores the same input on `other` and counts, for `variant`, whether the two answers disagree. */
const compare = async (
  deps: DeploymentsDeps,
  endpoint: EndpointRecord,
  variant: VariantRecord,
  answer: Answer,
  other: VariantRecord,
  otherAnswer: Answer | undefined,
  input: InvocationInput,
  tolerance: number,
): Promise<void> => {
  const reference = otherAnswer ?? (await score(deps, endpoint.name, other, input).catch(() => undefined));
  if (!reference) return;
  answer.predictions.forEach((p, i) => {
    const differs = disagrees(answer.model.objective, p, reference.predictions[i]!, tolerance);
    deps.recorder.comparison(endpoint.name, variant.name, variant.version, differs);
  });
};

const capture = (
  deps: DeploymentsDeps,
  variant: VariantRecord,
  answer: Answer,
  input: InvocationInput,
  inferenceId: string,
  timestamp: string,
): void => {
  const rows = rowsOf(answer.model, input);
  answer.predictions.forEach((prediction, i) => {
    const record: CaptureRecord = {
      inferenceId: rows.length === 1 ? inferenceId : `${inferenceId}-${i}`,
      timestamp,
      model: variant.model,
      version: variant.version,
      variant: variant.name,
      features: rows[i]!,
      prediction: Number.isFinite(prediction) ? prediction : null,
    };
    deps.recorder.capture(record);
  });
};

const shown = (p: number): number | null => (Number.isFinite(p) ? p : null);

/**
 * Answers one invocation. Input is validated against the chosen variant's encoding before anything is
 * scored or recorded (a refused request records nothing). The endpoint item is read on every request,
 * so a rollback is effective for the next one.
 */
export const invokeEndpoint = async (
  deps: DeploymentsDeps,
  name: string,
  input: InvocationInput,
): Promise<InvocationResult> => {
  if (input.entity !== undefined) {
    throw new ValidationError([
      {
        field: 'body.entity',
        rule: 'not_available',
        message: 'online feature look-up by entity is not available on this endpoint yet; send features',
      },
    ]);
  }
  const endpoint = (await loadEndpoint(deps, name)).data;
  const rollout = await rolloutOf(deps, endpoint);
  const point = input.key === undefined ? deps.random() * 100 : stickyPoint(input.key);
  const chosen = pickProduction(endpoint, point);
  let model: HostedModel;
  let rows: EncodedRows;
  try {
    model = await deps.host.describe(hosted(chosen));
    rows = encodeFor(model, input);
  } catch (error) {
    // A request the new variant cannot take (no encoding, a feature it does not know, its model not
    // loadable) while the version it replaces can is the new variant's fault: counted as its error, so
    // its guards see it. A request no version can take is the caller's: refused, nothing recorded.
    const newVariantsFault =
      chosen.name === rollout.newVariant &&
      (!(error instanceof ValidationError) ||
        (rollout.reference !== undefined && (await encodes(deps, rollout.reference, input))));
    if (newVariantsFault) deps.recorder.failure(name, chosen.name, chosen.version);
    throw error;
  }
  const answer = await score(deps, name, chosen, input, { model, rows });
  const timestamp = deps.clock.now().toISOString();
  const inferenceId = input.inferenceId ?? deps.newId();
  const captured = endpoint.capture.percent >= 100 || deps.random() * 100 < endpoint.capture.percent;
  if (captured) capture(deps, chosen, answer, input, inferenceId, timestamp);
  // An A/B deployment joins labels with the variant of every answered inference (captured or not).
  if (endpoint.experiment !== undefined) {
    // The ids captures carry: the request's id for one row, `{id}-{i}` for each of several.
    const ids =
      answer.predictions.length === 1
        ? [inferenceId]
        : answer.predictions.map((_, i) => `${inferenceId}-${i}`);
    for (const id of ids) deps.recorder.assign(name, endpoint.experiment, chosen.name, id);
  }

  // A canary's answer is compared with the replaced version's on the same request (not an A/B's: both
  // serve). The replaced version is scored even at weight 0 (a step of 100 %).
  const reference = rollout.reference;
  let referenceAnswer: Answer | undefined = reference?.name === chosen.name ? answer : undefined;
  if (reference && reference.name !== chosen.name && endpoint.experiment === undefined) {
    await compare(deps, endpoint, chosen, answer, reference, undefined, input, rollout.tolerance);
  }
  // The shadow gets a share of requests; its answer is captured and compared, never returned. A failed
  // mirror is the shadow's error (score records it).
  const shadow = shadowOf(endpoint);
  if (shadow && (endpoint.shadowPercent ?? 100) > deps.random() * 100) {
    const mirrored = await score(deps, name, shadow, input).catch(() => undefined);
    if (mirrored) {
      if (reference) {
        referenceAnswer ??= await score(deps, name, reference, input).catch(() => undefined);
        if (referenceAnswer) {
          await compare(
            deps,
            endpoint,
            shadow,
            mirrored,
            reference,
            referenceAnswer,
            input,
            rollout.tolerance,
          );
        }
      }
      if (captured) capture(deps, shadow, mirrored, input, inferenceId, timestamp);
    }
  }
  const base = { model: chosen.model, version: chosen.version, variant: chosen.name, inferenceId };
  return input.features !== undefined
    ? { prediction: shown(answer.predictions[0]!), ...base }
    : { predictions: answer.predictions.map(shown), ...base };
};
