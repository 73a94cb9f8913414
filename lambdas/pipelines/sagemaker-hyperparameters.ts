/**
 * SageMaker passes hyperparameters to its built-in XGBoost as a map of strings under XGBoost's own
 * names. The pipeline writes that map once (BuildTrainingSet), and the local training-job stand-in
 * reads it back, so both paths train from the very same values.
 */
import { type Hyperparameters, parseHyperparameters } from './training/hyperparameters';

export const hyperparametersForSageMaker = (h: Hyperparameters): Record<string, string> =>
  Object.fromEntries(
    Object.entries(h)
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => [name, String(value)]),
  );

/** The string map back to typed hyperparameters (numbers where XGBoost takes numbers). */
export const parseSageMakerHyperparameters = (map: Readonly<Record<string, string>>): Hyperparameters =>
  parseHyperparameters(
    Object.fromEntries(
      Object.entries(map).map(([name, text]) => {
        const number = Number(text);
        return [name, text.trim() !== '' && Number.isFinite(number) ? number : text];
      }),
    ),
    'HyperParameters',
  );
