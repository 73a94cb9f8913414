/**
 * What the pipeline keeps beside each registered version, so that a later run can score it as the
 * champion: the encoding its inputs need, and the name of its SageMaker model (batch transform).
 */
export const encodingKeyOf = (model: string, version: number): string =>
  `models/${model}/versions/${version}/encoding.json`;

export const sageMakerModelKeyOf = (model: string, version: number): string =>
  `models/${model}/versions/${version}/sagemaker-model.json`;

export interface SageMakerModelFile {
  readonly modelName: string;
}
