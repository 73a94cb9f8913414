/**
 * What experiment tracking stores in each item's `data`: experiments and runs (a run's shape is the
 * `RunRecord` of the run search index port, which every index searches), and their decoders.
 */
import * as z from 'zod';
import { RUN_STATUSES, type RunRecord } from '../shared/ports/run-search-index';
import { zodDecoder } from '../shared/stored';

export type ExperimentRecord = {
  readonly experimentId: string;
  readonly name: string;
  readonly description?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly createdAt: string;
  readonly createdBy: string;
};

// Decoders: one per stored shape (see lambdas/shared/stored.ts).

const text = z.string();
const textMap = z.record(z.string(), z.string());

export const decodeExperiment = zodDecoder<ExperimentRecord>(
  'experiment',
  z.looseObject({
    experimentId: text,
    name: text,
    description: text.optional(),
    tags: textMap,
    createdAt: text,
    createdBy: text,
  }),
);

export const decodeRun = zodDecoder<RunRecord>(
  'run',
  z.looseObject({
    runId: text,
    experimentId: text,
    name: text.optional(),
    status: z.enum(RUN_STATUSES),
    userId: text,
    startTime: z.number(),
    endTime: z.number().optional(),
    params: textMap,
    tags: textMap,
    metrics: z.record(
      z.string(),
      z.looseObject({ value: z.number(), step: z.number(), timestamp: z.number() }),
    ),
    modelVersions: z.array(z.looseObject({ model: text, version: z.number().int(), linkedAt: text })),
    createdAt: text,
    updatedAt: text,
  }),
);
