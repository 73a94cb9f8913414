import type { Clock } from '../../shared/ports/clock';
import type { StoredGroupVersion, StoredServiceVersion } from '../records';

const MAX_ENTRIES = 10_000;

/**
 * Group and service definitions for online reads, so that a read costs one store round trip (the rows)
 * once definitions are warm. Versions are immutable and kept until the cache is full; the "latest"
 * pointer of a name is kept for `latestTtlMs`.
 */
export class DefinitionCache {
  readonly #clock: Clock;
  readonly #latestTtlMs: number;
  readonly #groups = new Map<string, StoredGroupVersion>();
  readonly #latestGroups = new Map<string, { readonly value: StoredGroupVersion; readonly until: number }>();
  readonly #services = new Map<string, StoredServiceVersion>();
  readonly #latestServices = new Map<
    string,
    { readonly value: StoredServiceVersion; readonly until: number }
  >();

  readonly #plans = new Map<string, unknown>();

  constructor(clock: Clock, latestTtlMs: number) {
    this.#clock = clock;
    this.#latestTtlMs = latestTtlMs;
  }

  group(name: string, version: number | undefined): StoredGroupVersion | undefined {
    if (version !== undefined) return this.#groups.get(`${name}@${version}`);
    const latest = this.#latestGroups.get(name);
    return latest && latest.until > this.#clock.now().getTime() ? latest.value : undefined;
  }

  rememberGroup(value: StoredGroupVersion, isLatest: boolean): void {
    if (this.#groups.size >= MAX_ENTRIES) this.#groups.clear();
    this.#groups.set(`${value.name}@${value.version}`, value);
    if (isLatest)
      this.#latestGroups.set(value.name, { value, until: this.#clock.now().getTime() + this.#latestTtlMs });
  }

  forgetLatestGroup(name: string): void {
    this.#latestGroups.delete(name);
  }

  service(name: string, version: number | undefined): StoredServiceVersion | undefined {
    if (version !== undefined) return this.#services.get(`${name}@${version}`);
    const latest = this.#latestServices.get(name);
    return latest && latest.until > this.#clock.now().getTime() ? latest.value : undefined;
  }

  rememberService(value: StoredServiceVersion, isLatest: boolean): void {
    if (this.#services.size >= MAX_ENTRIES) this.#services.clear();
    this.#services.set(`${value.name}@${value.version}`, value);
    if (isLatest) {
      this.#latestServices.set(value.name, { value, until: this.#clock.now().getTime() + this.#latestTtlMs });
    }
  }

  forgetLatestService(name: string): void {
    this.#latestServices.delete(name);
  }

  /**
   * Something worked out from definitions (an online read plan), kept under `key` until the cache holds
   * `max` of them; its user checks that the definitions it rests on are still current.
   */
  plan(key: string): unknown {
    return this.#plans.get(key);
  }

  rememberPlan(key: string, plan: unknown, max: number): void {
    if (this.#plans.size >= max) this.#plans.clear();
    this.#plans.set(key, plan);
  }
}
