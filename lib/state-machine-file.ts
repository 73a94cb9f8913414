import { readFileSync } from 'node:fs';

/**
 * The definition substitutions of a statemachines/*.asl.json file, checked against the `${Name}`
 * placeholders the file names: a placeholder without a value, or a value no placeholder uses, fails the
 * synth instead of the deployment (or a run).
 */
export const checkedSubstitutions = (
  owner: string,
  file: string,
  substitutions: Record<string, string>,
): Record<string, string> => {
  const named = new Set([...readFileSync(file, 'utf8').matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]!));
  const missing = [...named].filter((name) => !(name in substitutions));
  const unused = Object.keys(substitutions).filter((name) => !named.has(name));
  if (missing.length > 0 || unused.length > 0) {
    throw new Error(
      `${owner}: the definition's placeholders and the substitutions differ (missing: ${missing.join(', ') || '-'}; unused: ${unused.join(', ') || '-'})`,
    );
  }
  return substitutions;
};
