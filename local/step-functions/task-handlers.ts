/**
 * Turns handlers keyed by resource ARN (what a definition names) into the library's handlers keyed
 * by state name, behaving like the AWS integrations they stand in for:
 * - `arn:aws:states:::lambda:invoke` finds the handler by `Parameters.FunctionName` and answers
 *   `{ ExecutedVersion, Payload, StatusCode }`, so `ResultSelector`/`OutputPath` on `$.Payload` work;
 * - a plain Lambda ARN as Resource answers the function's result itself;
 * - a function's error keeps its name (so `Retry`/`Catch` on `ErrorEquals` match) and its Cause is the
 *   JSON `{ errorType, errorMessage, trace }` the Lambda Node.js runtime produces;
 * - any other resource (sns:publish, sagemaker:..., dynamodb:...) gets the effective input and its
 *   handler's result as is.
 */
import type { RunOptions } from 'aws-local-stepfunctions';
import type { StateMachineDefinition } from './definition';
import { listStates } from './definition';
import { StateMachineDefinitionError } from './errors';

export type TaskHandler = (input: unknown) => Promise<unknown>;
/** Keyed by resource ARN after substitution; for `lambda:invoke`, by the function's ARN or name. */
export type TaskHandlers = Readonly<Record<string, TaskHandler>>;

/** The library's handler type, keyed by state name (not exported by name from the library). */
export type StateHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type StateHandler = StateHandlers[string];

/** Our handlers only ever return JSON (asJson makes sure); the library's JSONValue type cannot see that. */
function toStateHandler<I>(handler: (input: I) => Promise<unknown>): StateHandler {
  return handler as unknown as StateHandler;
}

export const LAMBDA_INVOKE_RESOURCE = 'arn:aws:states:::lambda:invoke';
/** Step Functions' limit on a state's input or output (256 KiB). */
export const DEFAULT_PAYLOAD_LIMIT_BYTES = 256 * 1024;

const FUNCTION_ARN = /^(?:arn:aws[a-z-]*:lambda:[^:]+:)?(?:\d{12}:)?function:([^:]+)(?::[^:]+)?$/;

/** The bare function name of a name, partial ARN or ARN, without version or alias. */
export function functionNameOf(nameOrArn: string): string {
  return FUNCTION_ARN.exec(nameOrArn)?.[1] ?? nameOrArn.split(':')[0] ?? nameOrArn;
}

function isFunctionArn(resource: string): boolean {
  return resource.startsWith('arn:') && FUNCTION_ARN.test(resource);
}

/** Lambda accepts a function as name, partial ARN or ARN; so does the lookup. */
function findFunctionHandler(handlers: TaskHandlers, functionName: string): TaskHandler | undefined {
  if (Object.hasOwn(handlers, functionName)) return handlers[functionName];
  const wanted = functionNameOf(functionName);
  const key = Object.keys(handlers).find((k) => functionNameOf(k) === wanted);
  return key === undefined ? undefined : handlers[key];
}

/** An error the library matches by `name`; no `cause`, so the library reports `message` as the Cause. */
class TaskError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

/** AWS ends the execution on an oversized payload; neither `Retry` nor `Catch` applies. */
class DataLimitExceededError extends TaskError {
  readonly isRetryable = false;
  readonly isCatchable = false;
  constructor(state: string, bytes: number, limit: number) {
    super('States.DataLimitExceeded', `state ${state} returned ${bytes} bytes, over the ${limit}-byte limit`);
  }
}

function lambdaError(error: unknown): TaskError {
  const errorType = error instanceof Error ? error.name : 'Error';
  const errorMessage = error instanceof Error ? error.message : String(error);
  const trace = error instanceof Error ? (error.stack ?? '').split('\n') : [];
  return new TaskError(errorType, JSON.stringify({ errorType, errorMessage, trace }));
}

interface Adapted {
  readonly state: string;
  readonly limit: number;
}

/** Results cross a JSON boundary in AWS; doing the same here turns a Date into a string, undefined into null. */
function asJson(result: unknown, { state, limit }: Adapted): unknown {
  const text = JSON.stringify(result ?? null);
  const bytes = Buffer.byteLength(text);
  if (bytes > limit) throw new DataLimitExceededError(state, bytes, limit);
  return JSON.parse(text);
}

async function invokeFunction(handler: TaskHandler, payload: unknown, adapted: Adapted): Promise<unknown> {
  let result: unknown;
  try {
    result = await handler(payload);
  } catch (error) {
    throw lambdaError(error);
  }
  return asJson(result, adapted);
}

/**
 * Library handlers for every Task state of `definition`. Refuses, before anything runs, a Task whose
 * resource (or static FunctionName) has no handler; a FunctionName chosen at run time (`FunctionName.$`)
 * is looked up when the state runs.
 */
export function buildStateHandlers(
  definition: StateMachineDefinition,
  handlers: TaskHandlers,
  payloadLimitBytes: number,
): StateHandlers {
  const byState: StateHandlers = {};
  const missing: string[] = [];
  for (const { name, state } of listStates(definition)) {
    if (state.Type !== 'Task') continue;
    const resource = String(state.Resource);
    const adapted: Adapted = { state: name, limit: payloadLimitBytes };
    if (resource === LAMBDA_INVOKE_RESOURCE) {
      const staticName = (state.Parameters as Record<string, unknown> | undefined)?.FunctionName;
      if (typeof staticName === 'string' && !findFunctionHandler(handlers, staticName)) {
        missing.push(`${name} (lambda:invoke ${staticName})`);
        continue;
      }
      byState[name] = toStateHandler(async (input: { FunctionName?: unknown; Payload?: unknown }) => {
        const functionName = String(input.FunctionName);
        const handler = findFunctionHandler(handlers, functionName);
        if (!handler) {
          throw new TaskError('Lambda.ResourceNotFoundException', `Function not found: ${functionName}`);
        }
        const payload = await invokeFunction(handler, input.Payload ?? {}, adapted);
        return { ExecutedVersion: '$LATEST', Payload: payload, StatusCode: 200 };
      });
    } else if (isFunctionArn(resource)) {
      const handler = findFunctionHandler(handlers, resource);
      if (!handler) {
        missing.push(`${name} (${resource})`);
        continue;
      }
      byState[name] = toStateHandler((input: unknown) => invokeFunction(handler, input, adapted));
    } else {
      const handler = handlers[resource];
      if (!handler) {
        missing.push(`${name} (${resource})`);
        continue;
      }
      byState[name] = toStateHandler(async (input: unknown) => {
        let result: unknown;
        try {
          result = await handler(input);
        } catch (error) {
          // Keep the integration's error name (e.g. SageMaker.AmazonSageMakerException) for Retry/Catch.
          throw error instanceof Error
            ? new TaskError(error.name, error.message)
            : new TaskError('Error', String(error));
        }
        return asJson(result, adapted);
      });
    }
  }
  if (missing.length > 0) {
    throw new StateMachineDefinitionError(`no task handler for state(s): ${missing.join(', ')}`);
  }
  return byState;
}
