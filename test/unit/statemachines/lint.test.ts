import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { findPlaceholders, substituteDefinition } from '../../../local/step-functions/definition';

// asl-validator 4 ships no type declarations; this is the slice of its API the lint uses.
type AslValidator = (
  definition: unknown,
  options: { checkPaths: boolean; checkArn: boolean },
) => { isValid: boolean; errorsText: (separator?: string) => string };
const aslValidator = createRequire(import.meta.url)('asl-validator') as AslValidator;

const DIR = new URL('../../../statemachines/', import.meta.url).pathname;
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith('.asl.json'))
  .sort();

/** Dummy values in the shape CDK will give: ARNs for `...Arn` placeholders, plain names otherwise. */
function dummySubstitutions(text: string): Record<string, string> {
  return Object.fromEntries(
    findPlaceholders(text).map((name) => [
      name,
      name.endsWith('Arn') ? `arn:aws:lambda:us-east-1:123456789012:function:${name}` : `dummy-${name}`,
    ]),
  );
}

function validate(definition: unknown) {
  // asl-validator writes QueryLanguage into the states it checks; give it a copy.
  return aslValidator(structuredClone(definition), { checkPaths: true, checkArn: true });
}

describe('statemachines/*.asl.json', () => {
  it('holds at least the selftest definition, so the lint below cannot pass on an empty folder', () => {
    // Assess
    expect(FILES).toContain('selftest.asl.json');
  });

  it.each(FILES)('%s passes asl-validator after substitution', (file) => {
    // Prepare
    const text = readFileSync(join(DIR, file), 'utf8');

    // Act
    const result = validate(substituteDefinition(text, dummySubstitutions(text), file));

    // Assess
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  it.each(FILES)('%s is accepted by the local runner, so it can run on a laptop', (file) => {
    // Prepare
    const text = readFileSync(join(DIR, file), 'utf8');
    const definition = substituteDefinition(text, dummySubstitutions(text), file);

    // Act
    const construct = () => new StateMachine(structuredClone(definition));

    // Assess
    expect(construct).not.toThrow();
  });

  it('rejects a definition whose transition names a missing state', () => {
    // Prepare
    const broken = {
      StartAt: 'First',
      States: { First: { Type: 'Pass', Next: 'Nowhere' } },
    };

    // Act
    const result = validate(broken);

    // Assess
    expect(result.isValid).toBe(false);
    expect(result.errorsText()).toMatch(/Nowhere/);
  });

  it('rejects a Task whose Resource is not an ARN (an unsubstituted placeholder would look like this)', () => {
    // Prepare
    const broken = { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'WorkFunctionArn', End: true } } };

    // Act
    const result = validate(broken);

    // Assess
    expect(result.isValid).toBe(false);
  });
});
