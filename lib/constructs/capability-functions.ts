import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { Capability } from '../../lambdas/catalogue';
import { bindSharedResources, type SharedResources } from './bindings';
import type { IOfflineStore } from './offline-store';
import { PlatformFunction, type PowertoolsLogLevel } from './platform-function';

export interface CapabilityFunctionsProps extends SharedResources {
  /** The capability catalogue (lambdas/catalogue.ts): one function per capability. */
  readonly capabilities: readonly Capability[];
  /**
   * Athena workgroup and Glue database of the offline feature store; required when a capability's
   * access has `offlineQueries: 'query'`.
   * @default - none: no capability may query the offline store
   */
  readonly offlineStore?: IOfflineStore;
  /** @default 'INFO' */
  readonly logLevel?: PowertoolsLogLevel;
  /** Of the functions' log groups. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Memory, timeout and reserved concurrency of some capabilities' functions, by capability name (each
   * must be in the catalogue).
   * @default - PlatformFunction's defaults for every capability
   */
  readonly sizing?: Readonly<Record<string, CapabilitySizing>>;
}

/** What a capability's function may differ in from PlatformFunction's defaults. */
export interface CapabilitySizing {
  readonly memorySize?: number;
  readonly timeout?: Duration;
  readonly reservedConcurrentExecutions?: number;
}

/**
 * One PlatformFunction per capability, each bound to the shared resources (variable and grant in one
 * call) with exactly what its catalogue entry's `access` says — nothing more.
 */
export class CapabilityFunctions extends Construct {
  /** By capability name. */
  public readonly functions: ReadonlyMap<string, PlatformFunction>;

  constructor(scope: Construct, id: string, props: CapabilityFunctionsProps) {
    super(scope, id);
    const names = props.capabilities.map((capability) => capability.name);
    if (names.length === 0) throw new Error(`CapabilityFunctions ${id}: the catalogue has no capability`);
    const duplicates = names.filter((name, index) => names.indexOf(name) !== index);
    if (duplicates.length > 0) {
      throw new Error(
        `CapabilityFunctions ${id}: capability names must be unique, repeated: ${duplicates.join(', ')}`,
      );
    }

    const unknownSized = Object.keys(props.sizing ?? {}).filter((name) => !names.includes(name));
    if (unknownSized.length > 0) {
      throw new Error(
        `CapabilityFunctions ${id}: sizing names capabilities that are not in the catalogue: ${unknownSized.join(', ')}`,
      );
    }

    const querying = props.capabilities.filter((capability) => capability.access.offlineQueries === 'query');
    const offlineStore = (): IOfflineStore => {
      if (props.offlineStore) return props.offlineStore;
      throw new Error(
        `CapabilityFunctions ${id}: ${querying.map((c) => c.name).join(', ')} ask for offline queries, but no offlineStore was given`,
      );
    };
    if (querying.length > 0) offlineStore();

    const functions = new Map<string, PlatformFunction>();
    for (const capability of props.capabilities) {
      const fn = new PlatformFunction(this, capability.name, {
        entry: capability.entry,
        serviceName: capability.name,
        ...props.sizing?.[capability.name],
        ...(props.logLevel ? { logLevel: props.logLevel } : {}),
        ...(props.removalPolicy ? { removalPolicy: props.removalPolicy } : {}),
      });
      // Every function gets every shared variable (config.ts requires them), grants only per access.
      bindSharedResources(props, fn, capability.access);
      if (capability.access.offlineQueries === 'query') offlineStore().bindTo(fn);
      functions.set(capability.name, fn);
    }
    this.functions = functions;
  }

  /** The function of a capability; throws naming the known capabilities if there is none. */
  functionOf(name: string): PlatformFunction {
    const fn = this.functions.get(name);
    if (!fn) {
      const known = [...this.functions.keys()].join(', ');
      throw new Error(`No function for capability "${name}"; known: ${known}`);
    }
    return fn;
  }
}
