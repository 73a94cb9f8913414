/**
 * The local deployment driver: ticks `advanceDeployments` on an interval, one tick at a time. Phases
 * end by the platform Clock, not by the interval: with a manual clock a test calls `tick()` itself.
 * (The cloud path will run a state machine instead.)
 */

import { advanceDeployments } from './advance';
import type { DeploymentsDeps } from './deps';
import type { AdvanceOutcome } from './transitions';

export interface DeploymentDriver {
  tick(): Promise<Record<string, AdvanceOutcome>>;
  stop(): Promise<void>;
}

export const startDeploymentDriver = (
  deps: DeploymentsDeps,
  options: { intervalMs: number; onError: (endpoint: string, error: unknown) => void },
): DeploymentDriver => {
  let running: Promise<Record<string, AdvanceOutcome>> | undefined;
  const tick = (): Promise<Record<string, AdvanceOutcome>> => {
    const next = (running ?? Promise.resolve({})).then(() => advanceDeployments(deps, options.onError));
    running = next.catch(() => ({}));
    return next;
  };
  const timer =
    options.intervalMs > 0
      ? setInterval(() => void tick().catch((error) => options.onError('*', error)), options.intervalMs)
      : undefined;
  timer?.unref();
  return {
    tick,
    stop: async () => {
      if (timer) clearInterval(timer);
      await running;
      await deps.recorder.flush();
    },
  };
};
