/** What the deployments capability stores in each item's `data`. */
import * as z from 'zod';
import { zodDecoder } from '../shared/stored';
import type { ExperimentReport, OutcomeSummary } from './experiment';
import type { AbSettingsInput, GuardsInput } from './schemas';
import { STRATEGIES, type Strategy } from './schemas';

export { json, type Stored } from '../shared/stored';

export type VariantRole = 'production' | 'shadow';

export interface VariantRecord {
  readonly name: string;
  readonly model: string;
  readonly version: number;
  /** Share of production traffic, 0..100; a shadow's weight is 0 (see the endpoint's shadowPercent). */
  readonly weight: number;
  readonly role: VariantRole;
  readonly artifactUri: string;
  readonly artifactSha256: string;
}

export interface HistoryEntry {
  readonly at: string;
  readonly actor: string;
  /** created, deployment-started, step, promoted, rolled-back (a guard), rollback (on request), shadow-ended. */
  readonly action: string;
  readonly version?: number;
  readonly from?: number | null;
  readonly deploymentId?: string;
  readonly reason?: string;
}

/** Most history entries an endpoint item keeps (newest last); the registry's audit trail keeps all. */
export const MAX_HISTORY = 50;

export interface EndpointRecord {
  readonly name: string;
  readonly model: string;
  readonly variants: VariantRecord[];
  /** Share of requests mirrored to the shadow variant, when there is one. */
  readonly shadowPercent?: number;
  readonly activeDeployment?: string;
  /** The A/B deployment whose per-inference assignments serving records, while one runs. */
  readonly experiment?: string;
  /** Production versions before the current one, newest last: what a rollback goes back to. */
  readonly previousVersions: number[];
  readonly capture: { readonly percent: number };
  readonly config: {
    readonly instanceType?: string;
    readonly instanceCount?: number;
    readonly serverless?: { readonly memoryMb: number; readonly maxConcurrency: number };
  };
  readonly history: HistoryEntry[];
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
}

export type DeploymentStatus = 'IN_PROGRESS' | 'SUCCEEDED' | 'ROLLED_BACK' | 'FAILED';

export interface GuardFailure {
  readonly guard: string;
  readonly limit: number;
  readonly observed: number;
}

export interface Evaluation {
  readonly at: string;
  readonly passed: boolean;
  readonly variant: string;
  readonly requests: number;
  readonly errors: number;
  readonly errorRate: number | null;
  readonly latencyP99Ms: number | null;
  readonly compared: number;
  readonly disagreed: number;
  readonly disagreement: number | null;
  readonly failed: GuardFailure[];
}

export interface Phase {
  /** Weights of production variants by name, and the shadow's mirrored percent. */
  readonly weights: Record<string, number>;
  readonly startedAt: string;
  readonly endedAt?: string;
  readonly evaluation?: Evaluation;
}

/** An A/B deployment's settings: the request's `ab`, defaults filled, and the control variant (A). */
export interface AbRecord extends AbSettingsInput {
  readonly alpha: number;
  readonly minimumDetectableEffect: number;
  readonly higherIsBetter: boolean;
  /** A: the production variant when the deployment started; B is the deployment's `variant`. */
  readonly control: string;
  readonly controlVersion: number;
}

/** One look of the sequential test: the cumulative outcome summaries it saw (A, B) and what it found. */
export interface LookRecord {
  readonly at: string;
  readonly assigned: [number, number];
  readonly a: OutcomeSummary;
  readonly b: OutcomeSummary;
  readonly statistic: number;
  readonly pValue: number;
  readonly decision: string;
}

/** Inference ids one variant of an A/B deployment answered, appended per flush (compact: ids only). */
export interface AssignmentsRecord {
  readonly variant: string;
  readonly ids: string[];
}

export interface DeploymentRecord {
  readonly id: string;
  readonly endpoint: string;
  readonly model: string;
  readonly version: number;
  /** The variant name the new version serves under. */
  readonly variant: string;
  /** The production version when the deployment started; null for none. */
  readonly from: number | null;
  readonly strategy: Strategy;
  /** Percent of traffic on the new version at each phase; the last is 100 for production strategies. */
  readonly steps: number[];
  readonly bakeSeconds: number;
  readonly shadowPercent?: number;
  readonly guards: GuardsInput;
  readonly status: DeploymentStatus;
  readonly phases: Phase[];
  /** A/B only: settings, every look so far (oldest first), and the report of the last look. */
  readonly ab?: AbRecord;
  readonly looks?: LookRecord[];
  readonly experiment?: ExperimentReport;
  readonly decision?: string;
  readonly reason?: string;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
}

/** Counters of one variant, flushed by a serving process: what guards read. */
export interface FiguresRecord {
  readonly endpoint: string;
  readonly variant: string;
  readonly version: number;
  readonly requests: number;
  readonly errors: number;
  /** A bounded sample of model latencies, ms. */
  readonly latencies: number[];
  /** Requests also scored by production (shadow mirrors, canary comparisons), and how many disagreed. */
  readonly compared: number;
  readonly disagreed: number;
  readonly from: string;
  readonly to: string;
}

// Decoders: one per stored shape above (see lambdas/shared/stored.ts).

const text = z.string();
const int = z.number().int();
const variant = z.looseObject({
  name: text,
  model: text,
  version: int,
  weight: z.number(),
  role: z.enum(['production', 'shadow']),
  artifactUri: text,
  artifactSha256: text,
});

export const decodeEndpoint = zodDecoder<EndpointRecord>(
  'endpoint',
  z.looseObject({
    name: text,
    model: text,
    variants: z.array(variant).min(1),
    shadowPercent: z.number().optional(),
    activeDeployment: text.optional(),
    previousVersions: z.array(int),
    capture: z.looseObject({ percent: z.number() }),
    config: z.looseObject({}),
    history: z.array(z.looseObject({ at: text, actor: text, action: text })),
    createdAt: text,
    createdBy: text,
    updatedAt: text,
  }),
);

export const decodeDeployment = zodDecoder<DeploymentRecord>(
  'deployment',
  z.looseObject({
    id: text,
    endpoint: text,
    model: text,
    version: int,
    variant: text,
    from: int.nullable(),
    strategy: z.enum(STRATEGIES),
    steps: z.array(z.number()).min(1),
    bakeSeconds: z.number(),
    guards: z.looseObject({}),
    status: z.enum(['IN_PROGRESS', 'SUCCEEDED', 'ROLLED_BACK', 'FAILED']),
    phases: z.array(z.looseObject({ weights: z.record(z.string(), z.number()), startedAt: text })).min(1),
    createdAt: text,
    createdBy: text,
    updatedAt: text,
  }),
);

export const decodeFigures = zodDecoder<FiguresRecord>(
  'variant figures',
  z.looseObject({
    endpoint: text,
    variant: text,
    version: int,
    requests: int,
    errors: int,
    latencies: z.array(z.number()),
    compared: int,
    disagreed: int,
  }),
);

export const decodeAssignments = zodDecoder<AssignmentsRecord>(
  'A/B assignments',
  z.looseObject({ variant: text, ids: z.array(text) }),
);
