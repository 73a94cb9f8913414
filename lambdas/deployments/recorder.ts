/**
 * What serving records beside each answer: capture records (written where monitors read them,
 * monitoring/captures.ts) and per-variant figures (requests, errors, latency samples, comparisons with
 * production) that guards read. Both are kept in memory and flushed together as append-only writes:
 * one capture file per model and hour per flush (named by a ULID), one figures item per variant.
 */
import { type CaptureRecord, writeCaptures } from '../monitoring/captures';
import type { Clock } from '../shared/ports/clock';
import type { MetadataStore } from '../shared/ports/metadata-store';
import type { ObjectStore } from '../shared/ports/object-store';
import { ASSIGNMENTS_PER_ITEM, assignmentsPk, figuresPk } from './keys';
import { type AssignmentsRecord, type FiguresRecord, json } from './records';

/** Latency samples kept per variant and flush (a uniform reservoir sample beyond that). */
export const LATENCY_SAMPLES = 2_000;
/** Captures buffered before a flush is due without waiting for the driver. */
export const FLUSH_AT_CAPTURES = 500;

interface Counter {
  endpoint: string;
  variant: string;
  version: number;
  requests: number;
  errors: number;
  latencies: number[];
  seen: number;
  compared: number;
  disagreed: number;
  from: string;
}

export interface ServingRecorderDeps {
  readonly store: Pick<MetadataStore, 'put'>;
  readonly objects: ObjectStore;
  readonly clock: Clock;
  readonly newId: (atMs?: number) => string;
  readonly random: () => number;
}

export class ServingRecorder {
  private captures: CaptureRecord[] = [];
  private counters = new Map<string, Counter>();
  /** A/B: inference ids per endpoint, deployment and variant. */
  private assignments = new Map<
    string,
    { endpoint: string; deploymentId: string; variant: string; ids: string[] }
  >();
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly deps: ServingRecorderDeps) {}

  private counter(endpoint: string, variant: string, version: number): Counter {
    const key = `${endpoint}\u0000${variant}\u0000${version}`;
    let counter = this.counters.get(key);
    if (!counter) {
      counter = {
        endpoint,
        variant,
        version,
        requests: 0,
        errors: 0,
        latencies: [],
        seen: 0,
        compared: 0,
        disagreed: 0,
        from: this.deps.clock.now().toISOString(),
      };
      this.counters.set(key, counter);
    }
    return counter;
  }

  /** One request a variant answered (or failed), with its model latency. */
  request(endpoint: string, variant: string, version: number, latencyMs: number, failed: boolean): void {
    const counter = this.counter(endpoint, variant, version);
    counter.requests++;
    if (failed) counter.errors++;
    counter.seen++;
    if (counter.latencies.length < LATENCY_SAMPLES) counter.latencies.push(latencyMs);
    else {
      const slot = Math.floor(this.deps.random() * counter.seen);
      if (slot < LATENCY_SAMPLES) counter.latencies[slot] = latencyMs;
    }
  }

  /**
   * A request routed (or mirrored) to the variant that failed before it was scored (the variant cannot
   * encode it, or its model cannot be loaded): an error, without a latency sample.
   */
  failure(endpoint: string, variant: string, version: number): void {
    const counter = this.counter(endpoint, variant, version);
    counter.requests++;
    counter.errors++;
  }

  /** A request the variant answered and the version it replaces answered too; whether they disagreed. */
  comparison(endpoint: string, variant: string, version: number, disagreed: boolean): void {
    const counter = this.counter(endpoint, variant, version);
    counter.compared++;
    if (disagreed) counter.disagreed++;
  }

  /** An inference an A/B deployment's variant answered: what labels are joined with. */
  assign(endpoint: string, deploymentId: string, variant: string, inferenceId: string): void {
    const key = `${endpoint}\u0000${deploymentId}\u0000${variant}`;
    let entry = this.assignments.get(key);
    if (!entry) {
      entry = { endpoint, deploymentId, variant, ids: [] };
      this.assignments.set(key, entry);
    }
    entry.ids.push(inferenceId);
  }

  capture(record: CaptureRecord): void {
    this.captures.push(record);
    if (this.captures.length >= FLUSH_AT_CAPTURES) void this.flush().catch(() => undefined);
  }

  /** Writes what is buffered; flushes run one after another, so none is lost to a race. */
  flush(): Promise<void> {
    const next = this.flushing.then(() => this.write());
    this.flushing = next.catch(() => undefined);
    return next;
  }

  private async write(): Promise<void> {
    const captures = this.captures;
    const counters = [...this.counters.values()];
    const assignments = [...this.assignments.values()];
    this.captures = [];
    this.counters = new Map();
    this.assignments = new Map();
    const now = this.deps.clock.now();
    if (captures.length > 0) await writeCaptures(this.deps.objects, captures, this.deps.newId(now.getTime()));
    for (const c of counters) {
      const record: FiguresRecord = {
        endpoint: c.endpoint,
        variant: c.variant,
        version: c.version,
        requests: c.requests,
        errors: c.errors,
        latencies: c.latencies.map((ms) => Math.round(ms * 1000) / 1000),
        compared: c.compared,
        disagreed: c.disagreed,
        from: c.from,
        to: now.toISOString(),
      };
      await this.deps.store.put({
        pk: figuresPk(c.endpoint),
        sk: this.deps.newId(now.getTime()),
        data: json(record),
        condition: { rev: 0 },
      });
    }
    for (const a of assignments) {
      for (let start = 0; start < a.ids.length; start += ASSIGNMENTS_PER_ITEM) {
        const record: AssignmentsRecord = {
          variant: a.variant,
          ids: a.ids.slice(start, start + ASSIGNMENTS_PER_ITEM),
        };
        await this.deps.store.put({
          pk: assignmentsPk(a.endpoint, a.deploymentId),
          sk: this.deps.newId(now.getTime()),
          data: json(record),
          condition: { rev: 0 },
        });
      }
    }
  }
}
