/**
 * Where the registry keeps its items in the single metadata table. For the registry alone: other
 * capabilities call its public module (public.ts) or its record helpers (records.ts `auditOp`).
 *
 * | item                  | pk                                  | sk                      |
 * | --------------------- | ----------------------------------- | ----------------------- |
 * | model                 | model#{name}                        | #model                  |
 * | model index           | models                              | {name}                  |
 * | version               | model#{name}                        | version#{10 digits}     |
 * | status index          | model#{name}#status#{status}        | {10 digits}             |
 * | alias                 | model#{name}                        | alias#{alias}           |
 * | alias history         | model#{name}#alias#{alias}          | {ULID}                  |
 * | audit trail           | model#{name}#history                | {ULID}                  |
 */
import { encodeTime, incrementBase32 } from 'ulid';
import type { ItemKey } from '../shared/ports/metadata-store';
import type { VersionStatus } from './schemas';

const VERSION_DIGITS = 10;

/** Zero-padded, so that sort-key order is numeric order. */
export const padVersion = (version: number): string => String(version).padStart(VERSION_DIGITS, '0');

const modelPk = (name: string): string => `model#${name}`;

export const MODEL_SK = '#model';
export const VERSION_PREFIX = 'version#';
export const ALIAS_PREFIX = 'alias#';
export const MODELS_PK = 'models';

export const modelKey = (name: string): ItemKey => ({ pk: modelPk(name), sk: MODEL_SK });
export const modelIndexKey = (name: string): ItemKey => ({ pk: MODELS_PK, sk: name });
export const versionKey = (name: string, version: number): ItemKey => ({
  pk: modelPk(name),
  sk: `${VERSION_PREFIX}${padVersion(version)}`,
});
export const versionsPk = modelPk;
export const statusIndexPk = (name: string, status: VersionStatus): string =>
  `${modelPk(name)}#status#${status}`;
export const statusIndexKey = (name: string, status: VersionStatus, version: number): ItemKey => ({
  pk: statusIndexPk(name, status),
  sk: padVersion(version),
});
export const aliasKey = (name: string, alias: string): ItemKey => ({
  pk: modelPk(name),
  sk: `${ALIAS_PREFIX}${alias}`,
});
export const aliasHistoryPk = (name: string, alias: string): string => `${modelPk(name)}#alias#${alias}`;
export const historyPk = (name: string): string => `${modelPk(name)}#history`;

/**
 * The model item, then every alias item, and nothing else: '#' sorts below 'a', and 'alias$' above
 * every 'alias#...'. One range query reads a model with its aliases.
 */
export const MODEL_AND_ALIASES_RANGE = { lte: 'alias$' } as const;

/** The largest ULID of a millisecond: every id made in or before `epochMs` sorts at or below it. */
export const lastIdOfMillisecond = (epochMs: number): string => `${encodeTime(epochMs, 10)}${'Z'.repeat(16)}`;

/**
 * `candidate`, unless it does not sort after `previous` (another process with a clock behind ours
 * wrote `previous`): then the next id after `previous`, so a history read in id order follows the
 * order in which the writes committed.
 */
export const idAfter = (candidate: string, previous: string | undefined): string =>
  previous === undefined || candidate > previous ? candidate : incrementBase32(previous);
