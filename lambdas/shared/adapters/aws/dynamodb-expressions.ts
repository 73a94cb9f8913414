/**
 * Expression helpers of the DynamoDB metadata store: the attribute names every expression uses, the
 * live/absent conditions (DynamoDB deletes expired items up to days late, so every read filters them
 * and every condition treats them as absent), and an assembler that adds only the names and values an
 * expression uses, as DynamoDB rejects unused ones.
 */

export const LIVE = '(attribute_not_exists(#exp) OR #exp > :now)';
export const ABSENT = '(attribute_not_exists(#pk) OR #exp <= :now)';

const NAMES: Record<string, string> = {
  '#pk': 'pk',
  '#sk': 'sk',
  '#rev': 'rev',
  '#data': 'data',
  '#exp': 'expiresAt',
};

type ExpressionText = Partial<
  Record<'ConditionExpression' | 'UpdateExpression' | 'KeyConditionExpression' | 'FilterExpression', string>
>;
export type Expression<T extends ExpressionText = ExpressionText> = T & {
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
};

/** Adds the names and values the expressions use, and only those: DynamoDB rejects unused ones. */
export const expression = <T extends ExpressionText>(
  texts: T,
  values: Record<string, unknown>,
  extraNames: Record<string, string> = {},
): Expression<T> => {
  const all = Object.values(texts).join(' ');
  const names = Object.fromEntries(
    Object.entries({ ...NAMES, ...extraNames }).filter(([token]) => all.includes(token)),
  );
  const used = Object.entries(values).filter(([name]) => new RegExp(`:${name}\\b`).test(all));
  return {
    ...texts,
    ExpressionAttributeNames: names,
    ...(used.length === 0
      ? {}
      : { ExpressionAttributeValues: Object.fromEntries(used.map(([n, v]) => [`:${n}`, v])) }),
  };
};

export const isNamedError = (error: unknown, name: string): boolean =>
  error instanceof Error && (error.name === name || (error as { code?: unknown }).code === name);
