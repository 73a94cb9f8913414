import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';

/**
 * Tests that spawn Node processes (the CLI, `npm start`) wait on process start-up, which takes
 * 0.5–1 s here and several times that when CI's two cores are busy with other test files: they get a
 * wider timeout than the suite's default. It bounds a hang; it asserts nothing about speed.
 */
export const PROCESS_TEST_OPTIONS = { timeout: 120_000 } as const;

export interface Spawned {
  readonly child: ChildProcessWithoutNullStreams;
  output(): string;
  /** Resolves with the first match of `pattern` in stdout, or rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Spawns a Node process of the project with captured output; the test must call stop(). */
export const spawnNode = (args: readonly string[], env: Record<string, string>): Spawned => {
  const child = spawn(process.execPath, [...args], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => (out += chunk));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return {
    child,
    output: () => out,
    waitFor: (pattern, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const deadline = setTimeout(() => {
          child.stdout.off('data', check);
          reject(new Error(`Timed out waiting for ${pattern}; output so far:\n${out}`));
        }, timeoutMs);
        const check = () => {
          const match = out.match(pattern);
          if (match) {
            clearTimeout(deadline);
            child.stdout.off('data', check);
            resolve(match);
          }
        };
        child.stdout.on('data', check);
        void exited.then(() => check());
        check();
      }),
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
};

/** How a CLI process ended: its exit code and everything it wrote (stdout and stderr). */
export interface CliResult {
  readonly code: number | null;
  readonly output: string;
}

/** Runs `mlops` (bin/mlops.mjs) with `args` and resolves when it exits. */
export const runCli = async (...args: string[]): Promise<CliResult> => {
  const cli = spawnNode(['bin/mlops.mjs', ...args], {});
  const code = await new Promise<number | null>((resolve) => cli.child.on('exit', resolve));
  return { code, output: cli.output() };
};

/** Runs `mlops --api <url>` with `args`, against a running platform, and resolves when it exits. */
export const runMlops = (url: string, ...args: string[]): Promise<CliResult> => runCli('--api', url, ...args);
