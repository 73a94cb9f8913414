import { ApiProblemError, ApiUnreachableError } from './api-client';

export interface OutputOptions {
  readonly json: boolean;
}

/** Prints a result: raw JSON with --json, else the human rendering. */
export const print = (options: OutputOptions, value: unknown, human: (value: never) => string): void => {
  process.stdout.write(options.json ? `${JSON.stringify(value, null, 2)}\n` : `${human(value as never)}\n`);
};

/** Rows as aligned columns, the first row being the header. */
export const formatTable = (rows: string[][]): string => {
  if (rows.length === 0) return '';
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
};

/** Ends a command with an exit code after it has already printed why (e.g. some definitions refused). */
export class CliExit extends Error {
  readonly code: number;
  constructor(code: number) {
    super(`exit ${code}`);
    this.name = 'CliExit';
    this.code = code;
  }
}

/** Exit codes: 1 refused by the API (4xx), 2 cannot reach it, 3 the API failed (5xx) or anything else. */
export const reportError = (error: unknown, json: boolean): number => {
  if (error instanceof CliExit) return error.code;
  if (error instanceof ApiProblemError) {
    if (json) process.stderr.write(`${JSON.stringify({ status: error.status, ...error.problem })}\n`);
    else {
      process.stderr.write(`error ${error.status}: ${error.message}\n`);
      for (const e of error.problem.errors ?? [])
        process.stderr.write(`  ${e.field}: ${e.message} (${e.rule})\n`);
    }
    return error.status < 500 ? 1 : 3;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(json ? `${JSON.stringify({ error: message })}\n` : `error: ${message}\n`);
  return error instanceof ApiUnreachableError ? 2 : 3;
};
