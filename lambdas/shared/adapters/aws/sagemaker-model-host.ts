/**
 * The cloud `ModelHost`: each endpoint variant is a SageMaker real-time endpoint's production variant,
 * called with InvokeEndpoint and `TargetVariant`, so the caller (the invocations core) picks the variant
 * per request and a rollback needs no control-plane call. Rows go as text/csv the way the built-in
 * XGBoost container takes them: one line per row, the columns in the encoding's order, no header, no
 * label, an empty field for a missing value. Predictions come back as CSV (one line per row, comma
 * separated when a row has several outputs) or JSON (`{"predictions":[{"score":p}]}`).
 *
 * What a version takes (`describe`) is not asked of SageMaker, which does not know feature names: it
 * comes from the given `models` (the composition root passes a reader of the version's encoding file).
 */
import {
  InvokeEndpointCommand,
  type InvokeEndpointCommandInput,
  SageMakerRuntimeClient,
} from '@aws-sdk/client-sagemaker-runtime';
import type {
  EncodedRows,
  HostedModel,
  HostedVariant,
  InvokeOptions,
  ModelHost,
} from '../../ports/model-host';

export type PredictionFormat = 'text/csv' | 'application/json';

export interface SageMakerModelHostOptions {
  /** Says what a version takes (features in column order, objective, outputs per row). */
  readonly models: Pick<ModelHost, 'describe'>;
  /**
   * Prepended to the platform's endpoint name to make the SageMaker endpoint name (`mlops-prod-` +
   * `fraud`); the IAM policy lets the function invoke endpoints under this prefix only.
   * @default '' — the platform's name is the SageMaker name
   */
  readonly endpointPrefix?: string;
  /** @default 'text/csv' */
  readonly accept?: PredictionFormat;
  /** @default a client from the environment (region and credentials of the function) */
  readonly client?: SageMakerRuntimeClient;
}

/** A response SageMaker gave that the host cannot read as `rows × outputsPerRow` numbers. */
export class PredictionFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PredictionFormatError';
  }
}

/** One CSV line per row, no header; NaN (missing) as an empty field, which XGBoost reads as missing. */
export const rowsToCsv = (rows: EncodedRows): string => {
  const lines: string[] = [];
  for (let r = 0; r < rows.rows; r++) {
    const fields: string[] = [];
    for (let c = 0; c < rows.columns; c++) {
      const value = rows.matrix[r * rows.columns + c]!;
      fields.push(Number.isNaN(value) ? '' : String(value));
    }
    lines.push(fields.join(','));
  }
  return `${lines.join('\n')}\n`;
};

const toNumber = (field: string, where: string): number => {
  const trimmed = field.trim();
  const value = trimmed === '' ? Number.NaN : Number(trimmed);
  if (!Number.isFinite(value)) throw new PredictionFormatError(`${where}: "${field}" is not a number`);
  return value;
};

/** CSV predictions: one line per row (or all values on one line), `outputsPerRow` values per row. */
export const parseCsvPredictions = (text: string, rows: number, outputsPerRow: number): Float64Array => {
  const values = text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .flatMap((line, l) =>
      line.split(',').map((field, f) => toNumber(field, `line ${l + 1}, field ${f + 1}`)),
    );
  return checked(values, rows, outputsPerRow);
};

/** JSON predictions: `{"predictions":[{"score":p}|{"score":[p...]}|p]}` or a bare array of those. */
export const parseJsonPredictions = (text: string, rows: number, outputsPerRow: number): Float64Array => {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new PredictionFormatError('the response is not JSON');
  }
  const predictions = Array.isArray(document)
    ? document
    : (document as { predictions?: unknown } | null)?.predictions;
  if (!Array.isArray(predictions)) throw new PredictionFormatError('the response has no predictions array');
  const values = predictions.flatMap((prediction: unknown, i: number) => {
    const score =
      typeof prediction === 'object' && prediction !== null && 'score' in prediction
        ? (prediction as { score: unknown }).score
        : prediction;
    const scores = Array.isArray(score) ? score : [score];
    return scores.map((s) => {
      if (typeof s !== 'number' || !Number.isFinite(s)) {
        throw new PredictionFormatError(`predictions[${i}]: ${JSON.stringify(s)} is not a number`);
      }
      return s;
    });
  });
  return checked(values, rows, outputsPerRow);
};

const checked = (values: number[], rows: number, outputsPerRow: number): Float64Array => {
  if (values.length !== rows * outputsPerRow) {
    throw new PredictionFormatError(
      `expected ${rows} row(s) × ${outputsPerRow} output(s) = ${rows * outputsPerRow} values, got ${values.length}`,
    );
  }
  return Float64Array.from(values);
};

export class SageMakerModelHost implements ModelHost {
  readonly #models: Pick<ModelHost, 'describe'>;
  readonly #prefix: string;
  readonly #accept: PredictionFormat;
  readonly #client: SageMakerRuntimeClient;

  constructor(options: SageMakerModelHostOptions) {
    this.#models = options.models;
    this.#prefix = options.endpointPrefix ?? '';
    this.#accept = options.accept ?? 'text/csv';
    this.#client = options.client ?? new SageMakerRuntimeClient({});
  }

  /** The SageMaker endpoint name of a platform endpoint. */
  endpointNameOf(endpoint: string): string {
    return `${this.#prefix}${endpoint}`;
  }

  describe(variant: HostedVariant): Promise<HostedModel> {
    return this.#models.describe(variant);
  }

  async invoke(
    endpoint: string,
    variant: HostedVariant,
    rows: EncodedRows,
    options: InvokeOptions = {},
  ): Promise<Float64Array> {
    const model = await this.#models.describe(variant);
    const input: InvokeEndpointCommandInput = {
      EndpointName: this.endpointNameOf(endpoint),
      TargetVariant: variant.name,
      ContentType: 'text/csv',
      Accept: this.#accept,
      Body: new TextEncoder().encode(rowsToCsv(rows)),
      ...(options.inferenceId ? { InferenceId: options.inferenceId } : {}),
    };
    const output = await this.#client.send(new InvokeEndpointCommand(input));
    if (output.InvokedProductionVariant && output.InvokedProductionVariant !== variant.name) {
      throw new PredictionFormatError(
        `SageMaker answered from variant ${output.InvokedProductionVariant}, not the targeted ${variant.name}`,
      );
    }
    const text = new TextDecoder().decode(output.Body ?? new Uint8Array());
    const json = (output.ContentType ?? this.#accept).includes('json');
    return json
      ? parseJsonPredictions(text, rows.rows, model.outputsPerRow)
      : parseCsvPredictions(text, rows.rows, model.outputsPerRow);
  }
}
