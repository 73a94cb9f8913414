/**
 * Where a model version answers: the local adapter loads the version's ml-xgboost artifact in process
 * (as the batch-transform stand-in does) and keeps it loaded; a cloud adapter would call a SageMaker
 * endpoint's variant. The core encodes named features with `describe` before it calls `invoke`.
 */

/** One version as an endpoint variant serves it: what the host needs to find and load its artifact. */
export interface HostedVariant {
  /** The endpoint's variant name (SageMaker's VariantName; `TargetVariant` of an invocation). */
  readonly name: string;
  readonly model: string;
  readonly version: number;
  readonly artifactUri: string;
  readonly artifactSha256: string;
}

/** One input feature as the version was trained on it; a string's code is its category's position. */
export interface HostedFeature {
  readonly name: string;
  readonly type: 'string' | 'int' | 'float' | 'bool';
  readonly categories?: readonly string[];
}

/** What a loaded version takes and gives. */
export interface HostedModel {
  /** Input columns in the order the model takes them; empty when the artifact carries no encoding. */
  readonly features: readonly HostedFeature[];
  /** Number of columns the booster takes (equals features.length when features are known). */
  readonly columns: number;
  readonly objective: 'binary:logistic' | 'reg:squarederror' | 'multi:softprob';
  /** num_class for multi:softprob, else 1. */
  readonly outputsPerRow: number;
}

/** Encoded rows: row-major float32, NaN for a missing value. */
export interface EncodedRows {
  readonly matrix: Float32Array;
  readonly rows: number;
  readonly columns: number;
}

export interface InvokeOptions {
  readonly inferenceId?: string;
}

export interface ModelHost {
  /** Loads (or finds loaded) the variant's version and says what it takes. */
  describe(variant: HostedVariant): Promise<HostedModel>;
  /**
   * Scores encoded rows on the endpoint's variant: `outputsPerRow` values per row, row-major. The
   * inference id, when given, travels with the request (SageMaker's `X-Amzn-SageMaker-Inference-Id`),
   * so the host's own captures join the platform's on it.
   */
  invoke(
    endpoint: string,
    variant: HostedVariant,
    rows: EncodedRows,
    options?: InvokeOptions,
  ): Promise<Float64Array>;
}
