/**
 * One time source: only the clock module reads the wall clock; everything else is given a `Clock` by
 * its composition root. A second clock is how the suite once failed on every day after 2026-12-05
 * (issue 10): a store on the wall clock beside a core on a test's clock. Durations and deadlines use
 * the monotonic `performance.now()`, which this rule allows.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const FOLDERS = ['lambdas', 'local', 'cli', 'lib', 'bin', 'test', 'bench', 'examples'];
/** The clock module: the one place `new Date()` may mean "now". */
const ALLOWED = new Set(['lambdas/shared/ports/clock.ts']);

const sourceFiles = (): string[] =>
  FOLDERS.flatMap((folder) =>
    readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
      .filter((path) => /\.(ts|mts)$/.test(path) && !path.endsWith('.d.ts'))
      .map((path) => join(folder, path)),
  );

/** Each wall-clock read in `text`: `Date.now` (called or passed), `new Date()`, `Date()`. */
const wallClockReads = (fileName: string, text: string): string[] => {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const at = (node: ts.Node, what: string) => {
    const { line } = source.getLineAndCharacterOfPosition(node.getStart());
    found.push(`${fileName}:${line + 1} ${what}`);
  };
  const isDate = (node: ts.Expression) => ts.isIdentifier(node) && node.text === 'Date';
  const visit = (node: ts.Node) => {
    if (ts.isPropertyAccessExpression(node) && isDate(node.expression) && node.name.text === 'now')
      at(node, 'Date.now');
    else if (ts.isNewExpression(node) && isDate(node.expression) && !node.arguments?.length)
      at(node, 'new Date()');
    else if (ts.isCallExpression(node) && isDate(node.expression)) at(node, 'Date()');
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
};

describe('one time source', () => {
  it('finds every form of a wall-clock read (the checker itself)', () => {
    const text = [
      'const a = Date.now();',
      'const b = options.now ?? Date.now;',
      'const c = new Date();',
      'const d = new Date;',
      'const e = Date();',
      'const fine = [new Date(0), new Date("2026-01-01"), Date.parse("x"), performance.now(), clock.now()];',
    ].join('\n');

    expect(wallClockReads('x.ts', text)).toEqual([
      'x.ts:1 Date.now',
      'x.ts:2 Date.now',
      'x.ts:3 new Date()',
      'x.ts:4 new Date()',
      'x.ts:5 Date()',
    ]);
  });

  it('reads the wall clock only in the clock module: everything else takes the Clock it is given', () => {
    const files = sourceFiles();
    const reads = files
      .filter((path) => !ALLOWED.has(path.split('\\').join('/')))
      .map((path) => [path, readFileSync(join(ROOT, path), 'utf8')] as const)
      // Parsing only the files that name Date keeps this test under a second.
      .filter(([, text]) => text.includes('Date'))
      .flatMap(([path, text]) => wallClockReads(path, text));

    expect(files.length).toBeGreaterThan(300);
    expect(reads, 'use the Clock from the composition root (or performance.now() for a duration)').toEqual(
      [],
    );
  });
});
