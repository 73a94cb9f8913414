import type { ApiClient } from './api-client';
import type { OutputOptions } from './output';

/** What every command needs, resolved after the global options are parsed. */
export type CliContext = () => { readonly api: ApiClient; readonly options: OutputOptions };

/** Collects repeated `--opt key=value` flags into an object; numbers stay numbers when asked. */
export const collectPairs =
  (numeric: boolean) =>
  (pair: string, previous: Record<string, string | number> = {}): Record<string, string | number> => {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error(`expected key=value, got "${pair}"`);
    const key = pair.slice(0, at);
    const raw = pair.slice(at + 1);
    // Only values that survive the round trip become numbers: '0123', '0x1f' and '1e5' stay strings.
    const value = numeric && String(Number(raw)) === raw ? Number(raw) : raw;
    return { ...previous, [key]: value };
  };

/** A repeatable option's values, in the order given (commander's collector). */
export const collectList = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Path segment encoding for names users choose. */
export const seg = (value: string | number): string => encodeURIComponent(String(value));
