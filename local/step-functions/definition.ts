/**
 * Loading statemachines/*.asl.json the way the cloud does, and adapting a copy for a laptop.
 *
 * CDK's `DefinitionBody.fromFile` uploads the file untouched and CloudFormation's
 * `DefinitionSubstitutions` replaces `${Name}` in its text before the JSON is parsed, so we do the
 * same: a textual replacement, then JSON.parse. A placeholder without a value is refused here, where
 * CloudFormation would have failed the deployment or left a broken ARN behind.
 */
import { readFile } from 'node:fs/promises';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { StateMachineDefinitionError } from './errors';

export type { StateMachineDefinition };

type StateObject = Record<string, unknown>;

const PLACEHOLDER = /\$\{([^}]*)\}/g;

/** Placeholder names in a definition text, in order of first appearance, without duplicates. */
export function findPlaceholders(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ''))];
}

/** Replaces every `${Name}` with its substitution and parses the result; `source` names the file in errors. */
export function substituteDefinition(
  text: string,
  substitutions: Readonly<Record<string, string>>,
  source = 'state machine definition',
): StateMachineDefinition {
  const missing = findPlaceholders(text).filter((name) => !Object.hasOwn(substitutions, name));
  if (missing.length > 0) {
    const names = missing.map((name) => `\${${name}}`).join(', ');
    throw new StateMachineDefinitionError(`${source}: no substitution given for ${names}`);
  }
  // A function replacer, so `$&` or `$1` inside a value is inserted literally.
  const substituted = text.replace(PLACEHOLDER, (_match, name: string) => substitutions[name] ?? '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(substituted);
  } catch (error) {
    throw new StateMachineDefinitionError(
      `${source} is not valid JSON after substitution: ${String(error)}`,
      {
        cause: error,
      },
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new StateMachineDefinitionError(`${source} must hold a JSON object`);
  }
  return parsed as StateMachineDefinition;
}

/** Reads an ASL file and applies `definitionSubstitutions` exactly as CloudFormation does. */
export async function loadStateMachineDefinition(
  path: string,
  substitutions: Readonly<Record<string, string>>,
): Promise<StateMachineDefinition> {
  return substituteDefinition(await readFile(path, 'utf8'), substitutions, path);
}

export interface StateRef {
  readonly name: string;
  readonly state: StateObject;
}

/** Every state of a definition, including those inside Map item processors and Parallel branches. */
export function listStates(definition: StateMachineDefinition): StateRef[] {
  const found: StateRef[] = [];
  const visit = (machine: unknown): void => {
    const states = (machine as { States?: Record<string, StateObject> } | undefined)?.States ?? {};
    for (const [name, state] of Object.entries(states)) {
      found.push({ name, state });
      visit(state.ItemProcessor ?? state.Iterator);
      for (const branch of (state.Branches as unknown[] | undefined) ?? []) visit(branch);
    }
  };
  visit(definition);
  return found;
}

export interface LocalRunAdaptation {
  /** Multiplies every retrier's IntervalSeconds and MaxDelaySeconds; 1 leaves them as written. */
  readonly retryIntervalScale: number;
  /** TimeoutSeconds given to Task states that set none. */
  readonly defaultTaskTimeoutSeconds: number;
}

/**
 * A copy of the definition adapted to run locally:
 * - retry pauses scaled down, keeping their backoff shape (the library's own override is one flat
 *   number per state, which would hide the backoff a definition asks for);
 * - Task states without a timeout get one, because the library defaults to 60 s where AWS waits
 *   99,999,999 s: an in-process training step would time out locally and not in the cloud;
 * - `$$.Execution.StartTime` reads `$$.Execution.ClockStartTime`, which the runner stamps from its
 *   Clock: the library overwrites StartTime with the wall clock, a second time source.
 */
export function adaptForLocalRun(
  definition: StateMachineDefinition,
  adaptation: LocalRunAdaptation,
): StateMachineDefinition {
  const copy = readStartTimeFromClock(structuredClone(definition));
  for (const { state } of listStates(copy)) {
    if (Array.isArray(state.Retry)) {
      state.Retry = state.Retry.map((retrier: StateObject) => ({
        ...retrier,
        // 1 s is the ASL default interval; it must be written out to be scaled.
        IntervalSeconds:
          ((retrier.IntervalSeconds as number | undefined) ?? 1) * adaptation.retryIntervalScale,
        ...(typeof retrier.MaxDelaySeconds === 'number'
          ? { MaxDelaySeconds: retrier.MaxDelaySeconds * adaptation.retryIntervalScale }
          : {}),
      }));
    }
    if (
      state.Type === 'Task' &&
      state.TimeoutSeconds === undefined &&
      state.TimeoutSecondsPath === undefined
    ) {
      state.TimeoutSeconds = adaptation.defaultTaskTimeoutSeconds;
    }
  }
  return copy;
}

/** The context field the runner fills from its Clock; see adaptForLocalRun. */
export const CLOCK_START_TIME = 'ClockStartTime';

/** Rewrites every path that reads `$$.Execution.StartTime` (keys ending in `.$`) to CLOCK_START_TIME. */
const readStartTimeFromClock = <T>(value: T): T => {
  if (Array.isArray(value)) return value.map(readStartTimeFromClock) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] =
      key.endsWith('.$') && typeof inner === 'string'
        ? inner.replaceAll('$$.Execution.StartTime', `$$$$.Execution.${CLOCK_START_TIME}`)
        : readStartTimeFromClock(inner);
  }
  return out as T;
};
