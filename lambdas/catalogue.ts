import { deploymentRoutes } from './deployments/routes';
import { experimentsRoutes } from './experiments/routes';
import { featureRoutes } from './features/routes';
import { monitoringRoutes } from './monitoring/routes';
import { pipelineRoutes } from './pipelines/routes';
import { platformRoutes } from './platform/routes';
import { registryRoutes } from './registry/routes';
import type { RouteTable } from './shared/http/route';

/** What a capability's function may do with the shared resources; CDK turns this into grant*() calls. */
export interface CapabilityAccess {
  readonly metadata: 'none' | 'read' | 'readWrite';
  readonly artifacts: 'none' | 'read' | 'readWrite';
  readonly notifications: 'none' | 'publish';
  /** Domain events on the platform's EventBridge bus (the local event bus on a laptop). @default 'none' */
  readonly events?: 'none' | 'publish';
  /**
   * SQL over the offline feature store: Athena queries in the platform workgroup, tables of the offline
   * Glue database, and the objects those queries read and write. @default 'none'
   */
  readonly offlineQueries?: 'none' | 'query';
  /**
   * Starting and describing executions of the platform's state machines (the training pipeline);
   * CDK sets TRAINING_PIPELINE_ARN and grants states:StartExecution/DescribeExecution. @default 'none'
   */
  readonly workflows?: 'none' | 'start';
}

export interface Capability {
  /** Also the Powertools service name and the function's name stem. */
  readonly name: string;
  /** Lambda entry file, relative to the project root. */
  readonly entry: string;
  readonly routes: RouteTable;
  readonly access: CapabilityAccess;
}

/**
 * Every capability of the API. CDK makes one function per entry and one API route per route;
 * the local platform serves the same routes with the same handlers; the OpenAPI document lists them.
 * This file imports route specs only — never runtime code — so CDK can load it.
 */
export const capabilities: readonly Capability[] = [
  {
    name: 'platform',
    entry: 'lambdas/platform/handler.ts',
    routes: platformRoutes,
    access: { metadata: 'readWrite', artifacts: 'none', notifications: 'publish', events: 'none' },
  },
  {
    name: 'registry',
    entry: 'lambdas/registry/handler.ts',
    routes: registryRoutes,
    access: { metadata: 'readWrite', artifacts: 'none', notifications: 'none', events: 'publish' },
  },
  {
    name: 'experiments',
    entry: 'lambdas/experiments/handler.ts',
    routes: experimentsRoutes,
    access: { metadata: 'readWrite', artifacts: 'none', notifications: 'none', events: 'none' },
  },
  {
    name: 'features',
    entry: 'lambdas/features/handler.ts',
    routes: featureRoutes,
    access: {
      metadata: 'readWrite',
      artifacts: 'readWrite',
      notifications: 'none',
      events: 'none',
      offlineQueries: 'query',
    },
  },
  {
    name: 'pipelines',
    entry: 'lambdas/pipelines/handler.ts',
    routes: pipelineRoutes,
    access: {
      metadata: 'readWrite',
      artifacts: 'readWrite',
      notifications: 'none',
      events: 'none',
      workflows: 'start',
    },
  },
  {
    name: 'monitoring',
    entry: 'lambdas/monitoring/handler.ts',
    routes: monitoringRoutes,
    access: { metadata: 'readWrite', artifacts: 'readWrite', notifications: 'publish', events: 'publish' },
  },
  {
    name: 'deployments',
    entry: 'lambdas/deployments/handler.ts',
    routes: deploymentRoutes,
    // Reads versions' artifacts (what a version takes; the model itself where it is hosted in process);
    // writes captures under captures/; notifies as the deployment state machine's Notify task.
    access: { metadata: 'readWrite', artifacts: 'readWrite', notifications: 'publish', events: 'none' },
  },
];

/** The capability that answers requests no route matches (API Gateway's `$default` route). */
export const DEFAULT_ROUTE_CAPABILITY = 'platform';
