/**
 * The XGBoost WebAssembly build that ml-xgboost 1.1.2 ships (an XGBoost of 2017), driven through its
 * exported C functions rather than its XGBoost class: that class copies the training matrix through
 * emscripten's 5 MB stack (160k rows × 8 float32 features are 5.1 MB) and builds a JS matrix per
 * predicted row. Here matrices go through malloc'd heap memory, freed in `finally`.
 *
 * Two quirks of that build are handled here, so that callers keep XGBoost's usual meaning (NaN = missing):
 * - its matrices are built with missing = -1 and a NaN fails a check, so NaN is passed as -1 and a real
 *   -1 as the float32 just below it (-1.0000001), which every split threshold puts on the same side;
 * - a failed check throws a C++ exception the build cannot catch: the instance is dropped (the next call
 *   loads a fresh one) and the error carries XGBoost's own message.
 */
import { createRequire } from 'node:module';

interface XGBoostModule {
  readonly isReady: Promise<unknown>;
  printErr: (text: string) => void;
  readonly HEAPU8: Uint8Array;
  readonly HEAPF32: Float32Array;
  cwrap(name: 'set_param', returns: null, args: ['number', 'string', 'string']): SetParam;
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  _create_model(matrix: number, labels: number, rows: number, columns: number): number;
  _train_full_model(model: number, rounds: number): void;
  _save_model(model: number): number;
  _get_file_content(buffer: number, size: number): void;
  _load_model(buffer: number, size: number): number;
  _predict_one(model: number, row: number, columns: number, output: number): number;
  _free_memory_model(model: number): void;
}
type SetParam = (model: number, name: string, value: string) => void;

interface Instance {
  readonly module: XGBoostModule;
  readonly setParam: SetParam;
  /** XGBoost's recent log lines: the message of a failed check is among them. */
  readonly log: string[];
}

const WASM_GLUE = 'ml-xgboost/dist/wasm/xgboost.js';
const require = createRequire(import.meta.url);
// Emscripten tries streaming compilation first, which Node's fetch cannot do from a path; it then
// falls back to reading the file, and says so. That line, and XGBoost's progress lines, are noise.
const NOISE = /^(wasm streaming compile failed|falling back to ArrayBuffer)/;
let current: Promise<Instance> | undefined;
let live: Instance | undefined;

const loadInstance = async (): Promise<Instance> => {
  delete require.cache[require.resolve(WASM_GLUE)];
  // The glue adds a process-wide uncaughtException listener that rethrows everything (it exists for
  // emscripten's exit(), which XGBoost never calls); left in place, any crash of the process would
  // print the glue's minified source instead of the error.
  const listeners = new Set(process.listeners('uncaughtException'));
  const module = require(WASM_GLUE) as XGBoostModule;
  for (const listener of process.listeners('uncaughtException')) {
    if (!listeners.has(listener)) process.off('uncaughtException', listener);
  }
  const log: string[] = [];
  module.printErr = (text) => {
    if (NOISE.test(text)) return;
    log.push(text);
    if (log.length > 20) log.shift();
  };
  await module.isReady;
  return { module, setParam: module.cwrap('set_param', null, ['number', 'string', 'string']), log };
};

const instance = (): Promise<Instance> => {
  current ??= loadInstance().then(
    (loaded) => {
      live = loaded;
      return loaded;
    },
    (error: unknown) => {
      current = undefined;
      throw error;
    },
  );
  return current;
};

/** Runs `work` on the instance; if XGBoost throws, the instance is dropped and the error explained. */
const using = <T>(target: Instance, work: (module: XGBoostModule) => T): T => {
  target.log.length = 0;
  try {
    return work(target.module);
  } catch (error) {
    if (live === target) {
      live = undefined;
      current = undefined;
    }
    const check = target.log.findLast((line) => line.includes('Check failed') || line.includes('rror'));
    throw new Error(`XGBoost failed: ${check ?? String(error)}`, { cause: error });
  }
};

const BELOW_MINUS_ONE = Math.fround(-1 - 2 ** -23);

/** Copies values into malloc'd float32 memory, NaN as the build's missing value (-1). */
const toHeap = (module: XGBoostModule, values: ArrayLike<number>, missingAware: boolean): number => {
  const pointer = module._malloc(Math.max(1, values.length) * 4);
  const heap = module.HEAPF32; // read after malloc: growing the memory replaces the view
  const base = pointer >> 2;
  for (let i = 0; i < values.length; i++) {
    const value = Math.fround(values[i]!);
    heap[base + i] = !missingAware
      ? value
      : Number.isNaN(value)
        ? -1
        : value === -1
          ? BELOW_MINUS_ONE
          : value;
  }
  return pointer;
};

export interface BoosterTraining {
  readonly matrix: ArrayLike<number>;
  readonly labels: ArrayLike<number>;
  readonly rows: number;
  readonly columns: number;
  /** Booster parameters under the build's names (hyperparameters.ts boosterParameters). */
  readonly params: Readonly<Record<string, string>>;
  readonly rounds: number;
}

/** Trains a booster and returns it in XGBoost's binary model format; nothing stays in WASM memory. */
export const trainBooster = async (input: BoosterTraining): Promise<Uint8Array> => {
  const target = await instance();
  return using(target, (module) => {
    const matrix = toHeap(module, input.matrix, true);
    const labels = toHeap(module, input.labels, false);
    let model = 0;
    try {
      model = module._create_model(matrix, labels, input.rows, input.columns);
      for (const [name, value] of Object.entries(input.params)) target.setParam(model, name, value);
      module._train_full_model(model, input.rounds);
      const size = module._save_model(model);
      if (size <= 0) throw new Error('the booster could not be saved');
      const buffer = module._malloc(size);
      try {
        module._get_file_content(buffer, size);
        return module.HEAPU8.slice(buffer, buffer + size);
      } finally {
        module._free(buffer);
      }
    } finally {
      if (model !== 0) module._free_memory_model(model);
      module._free(labels);
      module._free(matrix);
    }
  });
};

/** A booster loaded in WASM memory: predict any number of times, then free it. */
export interface LoadedBooster {
  /** Row-major predictions, `outputsPerRow` per row (probabilities for the logistic objectives). */
  predict(matrix: ArrayLike<number>, rows: number, columns: number): Float64Array;
  free(): void;
}

/** Loads a booster saved by trainBooster; `outputsPerRow` is num_class for multi:softprob, else 1. */
export const loadBooster = async (bytes: Uint8Array, outputsPerRow: number): Promise<LoadedBooster> => {
  const target = await instance();
  const model = using(target, (module) => {
    const buffer = module._malloc(bytes.length);
    try {
      module.HEAPU8.set(bytes, buffer);
      return module._load_model(buffer, bytes.length);
    } finally {
      module._free(buffer);
    }
  });
  if (model === 0) throw new Error('XGBoost could not read the booster');
  let freed = false;
  return {
    predict: (matrix, rows, columns) => {
      if (freed) throw new Error('the booster was freed');
      if (matrix.length !== rows * columns)
        throw new RangeError(`${matrix.length} values are not ${rows} × ${columns}`);
      return using(target, (module) => {
        const input = toHeap(module, matrix, true);
        // Room for any output count (num_class ≤ 1000), so a wrong outputsPerRow cannot overrun it.
        const output = module._malloc(Math.max(outputsPerRow, 1024) * 4);
        try {
          const predictions = new Float64Array(rows * outputsPerRow);
          for (let r = 0; r < rows; r++) {
            const count = module._predict_one(model, input + r * columns * 4, columns, output);
            if (count !== outputsPerRow)
              throw new Error(`the booster gives ${count} outputs per row, not ${outputsPerRow}`);
            predictions.set(module.HEAPF32.subarray(output >> 2, (output >> 2) + count), r * outputsPerRow);
          }
          return predictions;
        } finally {
          module._free(output);
          module._free(input);
        }
      });
    },
    free: () => {
      if (freed) return;
      freed = true;
      target.module._free_memory_model(model);
    },
  };
};
