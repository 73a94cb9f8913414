/**
 * The "may import" column of ARCHITECTURE.md's code map, as rules over the import graph of the sources
 * (lambdas/, lib/, local/, cli/, bin/). Each rule is data: the files it covers, the imports it forbids,
 * and the exceptions. A failure lists every `file → import` that breaks the rule.
 *
 * Import targets are repo paths for relative specifiers (`lambdas/features/keys.ts`) and the specifier
 * itself for packages (`@aws-sdk/client-s3`, `node:fs`). Globs: `*` within one path segment, `**` any
 * number of segments (or any characters in a package name), `{a,b}` either.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

interface Rule {
  readonly name: string;
  readonly reason: string;
  /** The importing files the rule covers... */
  readonly from: readonly string[];
  /** ...except these. */
  readonly exceptFrom?: readonly string[];
  /** Imports those files may not have... */
  readonly forbid: readonly string[];
  /** ...unless the target is one of these... */
  readonly allow?: readonly string[];
  /** ...or one of these, imported with `import type` (erased: nothing of it runs)... */
  readonly allowTypeOnly?: readonly string[];
  /** ...or the target lies in the same folder of this pattern as the importer. */
  readonly allowWithinSame?: string;
}

/** Lambda composition roots and the local platform: the only places that pick adapters. */
const COMPOSITION_ROOTS = [
  'lambdas/*/handler.ts',
  'lambdas/*/job-handler.ts',
  'lambdas/*/tasks/handler.ts',
  'lambdas/*/cloud-deps.ts',
  'lambdas/*/in-process-*.ts',
  'local/**',
];

/**
 * Implementations of ports: the store, bus, scheduler, workflow, offline-sink and query-engine adapters,
 * one folder per kind (`aws/`, `embedded/`, `in-process/`) with the checks they share at the root; and a
 * capability's own `adapters/` folder (the deployments' in-process model host).
 */
const ADAPTERS = ['lambdas/shared/adapters/**', 'lambdas/*/adapters/**'];

/**
 * The offline store's format: the layout of its Parquet files, their codec, how records become files, and
 * the point-in-time SQL. Feature-store code, pure, that the offline sinks and training-set engines write
 * and query by; the one capability code adapters may import (and it imports only ports in turn).
 */
const OFFLINE_FORMAT = 'lambdas/features/offline/{layout,parquet,batches,point-in-time.sql}.ts';

const RULES: readonly Rule[] = [
  {
    name: 'ports import nothing but other ports',
    reason: 'a port is the contract between the core and every adapter; it cannot depend on either side',
    from: ['lambdas/shared/ports/**'],
    forbid: ['**'],
    allow: ['lambdas/shared/ports/**'],
  },
  {
    name: 'lambdas/ never imports local/, cli/, lib/ or bin/',
    reason: 'the same handlers run in Lambda and on a laptop; the bundles must not pull in either host',
    from: ['lambdas/**'],
    forbid: ['local/**', 'cli/**', 'lib/**', 'bin/**'],
  },
  {
    name: 'local/ never imports cli/, lib/ or bin/',
    reason: 'the local platform is a composition root of lambdas/, not of the CDK app or the CLI',
    from: ['local/**'],
    forbid: ['cli/**', 'lib/**', 'bin/**'],
  },
  {
    name: '@aws-sdk/* only in AWS adapters, the Athena engine and the CLI client',
    reason: 'the core never imports the AWS SDK, so it runs on a laptop with embedded adapters',
    from: ['**'],
    exceptFrom: [
      // The Athena training-set engine is one of them (aws/athena-training-set-engine.ts).
      'lambdas/shared/adapters/aws/**',
      // SigV4 credentials for deployed APIs; the CLI talks HTTP.
      'cli/api-client.ts',
    ],
    forbid: ['@aws-sdk/**'],
  },
  {
    name: 'only composition roots pick adapters',
    reason: 'cores see ports; which adapter sits behind each port is decided once per host',
    from: ['**'],
    exceptFrom: [...COMPOSITION_ROOTS, ...ADAPTERS],
    forbid: ADAPTERS,
  },
  {
    name: 'shared adapters import ports, each other, shared errors and ids, and the offline store format',
    reason:
      'an adapter implements a port for every capability, so it imports no capability; the one exception is ' +
      "the feature store's offline format (features/offline/, pure, ports only), which the offline sinks write " +
      'and the training-set engines query',
    from: ['lambdas/shared/adapters/**'],
    forbid: ['lambdas/**'],
    allow: ['lambdas/shared/{ports,adapters}/**', 'lambdas/shared/{errors,ids}.ts', OFFLINE_FORMAT],
  },
  {
    name: 'the offline store format imports only ports and itself',
    reason: 'adapters import it, so it must not pull a capability (or an adapter) in behind it',
    from: [OFFLINE_FORMAT],
    forbid: ['lambdas/**'],
    allow: ['lambdas/shared/ports/**', OFFLINE_FORMAT],
  },
  {
    name: 'lib/ imports CDK and, from lambdas/, only data',
    reason: 'synthesis reads the catalogue and shared constants, never runtime code or adapters',
    from: ['lib/**'],
    forbid: ['**'],
    allow: [
      'lib/**',
      'aws-cdk-lib',
      'aws-cdk-lib/**',
      'constructs',
      'cdk-nag',
      'node:**',
      'lambdas/catalogue.ts',
      'lambdas/*/routes.ts',
      'lambdas/shared/http/route.ts',
      'lambdas/shared/table-layout.ts',
      'lambdas/pipelines/trigger-events.ts',
      'lambdas/monitoring/metrics.ts',
    ],
    // The environment the functions parse (lambdas/shared/config.ts, lambdas/<capability>/config.ts).
    allowTypeOnly: ['esbuild', 'zod', 'lambdas/*/config.ts'],
  },
  {
    name: 'cli/ imports route specs, the API version and the drift engine only',
    reason: 'the CLI talks HTTP; only `drift compare` computes locally, on files',
    from: ['cli/**'],
    forbid: ['lambdas/**', 'local/**', 'lib/**', 'bin/**'],
    allow: [
      'lambdas/catalogue.ts',
      'lambdas/*/routes.ts',
      'lambdas/api-version.ts',
      'lambdas/monitoring/drift/**',
    ],
  },
  {
    name: 'bin/ holds entry points of lib/ and cli/',
    reason: 'entry points stay a few lines; what they start lives in lib/ and cli/',
    from: ['bin/**'],
    forbid: ['lambdas/**'],
  },
  {
    name: "a capability's keys.ts is imported only inside that capability",
    reason: 'capabilities own their item layout; others call its public module (e.g. registry/public.ts)',
    from: ['**'],
    forbid: ['lambdas/*/keys.ts'],
    allowWithinSame: 'lambdas/*',
  },
];

interface Import {
  readonly from: string;
  readonly specifier: string;
  /** A repo path for a relative specifier, the specifier itself for a package. */
  readonly target: string;
  readonly typeOnly: boolean;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SOURCE_FOLDERS = ['lambdas', 'lib', 'local', 'cli', 'bin'];

const isFile = (path: string): boolean => {
  try {
    return statSync(posix.join(ROOT, path)).isFile();
  } catch {
    return false;
  }
};

const sourceFiles = (folder: string): string[] =>
  readdirSync(posix.join(ROOT, folder), { withFileTypes: true }).flatMap((entry) => {
    const path = posix.join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.[cm]?ts$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });

const UNRESOLVED = ' (unresolved)';

const resolveSpecifier = (file: string, specifier: string): string => {
  if (!specifier.startsWith('.')) return specifier;
  const base = posix.join(posix.dirname(file), specifier);
  const stem = base.replace(/\.js$/, '');
  const found = [base, `${stem}.ts`, `${stem}/index.ts`].find(isFile);
  return found ?? `${base}${UNRESOLVED}`;
};

const typeOnlyClause = (clause: ts.ImportClause | undefined): boolean => {
  if (clause === undefined) return false;
  if (clause.isTypeOnly) return true;
  const named = clause.namedBindings;
  return (
    clause.name === undefined &&
    named !== undefined &&
    ts.isNamedImports(named) &&
    named.elements.length > 0 &&
    named.elements.every((element) => element.isTypeOnly)
  );
};

/** Every module specifier of a file: static imports and re-exports (type-only or not), `import()`, `require()`. */
const importsOf = (file: string, text: string): Import[] => {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: Import[] = [];
  const add = (node: ts.Node | undefined, typeOnly: boolean): void => {
    if (node === undefined || !ts.isStringLiteralLike(node)) return;
    found.push({ from: file, specifier: node.text, target: resolveSpecifier(file, node.text), typeOnly });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) add(node.moduleSpecifier, typeOnlyClause(node.importClause));
    else if (ts.isExportDeclaration(node)) add(node.moduleSpecifier, node.isTypeOnly);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference))
      add(node.moduleReference.expression, node.isTypeOnly);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument))
      add(node.argument.literal, true);
    else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === 'require'))
    )
      add(node.arguments[0], false);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
};

const globSource = (glob: string): string => {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (glob.startsWith('**/', i)) {
      source += '(?:.*/)?';
      i += 2;
    } else if (glob.startsWith('**', i)) {
      source += '.*';
      i += 1;
    } else if (char === '*') source += '[^/]*';
    else if (char === '{') {
      const end = glob.indexOf('}', i);
      source += `(?:${glob
        .slice(i + 1, end)
        .split(',')
        .map((part) => part.replace(/[.+?^$()|[\]\\]/g, '\\$&'))
        .join('|')})`;
      i = end;
    } else source += char.replace(/[.+?^$()|[\]\\]/g, '\\$&');
  }
  return source;
};

const matchesAny = (globs: readonly string[] | undefined, path: string): boolean =>
  (globs ?? []).some((glob) => new RegExp(`^${globSource(glob)}$`).test(path));

const sameFolder = (pattern: string, a: string, b: string): boolean => {
  const folder = new RegExp(`^${globSource(pattern)}/`).exec(a)?.[0];
  return folder !== undefined && b.startsWith(folder);
};

const covers = (rule: Rule, file: string): boolean =>
  matchesAny(rule.from, file) && !matchesAny(rule.exceptFrom, file);

const breaks = (rule: Rule, imported: Import): boolean =>
  covers(rule, imported.from) &&
  matchesAny(rule.forbid, imported.target) &&
  !matchesAny(rule.allow, imported.target) &&
  !(imported.typeOnly && matchesAny(rule.allowTypeOnly, imported.target)) &&
  !(rule.allowWithinSame !== undefined && sameFolder(rule.allowWithinSame, imported.from, imported.target));

const violationsOf = (rule: Rule, imports: readonly Import[]): string[] =>
  imports
    .filter((imported) => breaks(rule, imported))
    .map((imported) => `${imported.from} → ${imported.target}${imported.typeOnly ? ' (type)' : ''}`);

const FILES = SOURCE_FOLDERS.flatMap(sourceFiles);
const IMPORTS = FILES.flatMap((file) => importsOf(file, readFileSync(posix.join(ROOT, file), 'utf8')));

describe('the code map (ARCHITECTURE.md, "may import")', () => {
  for (const rule of RULES) {
    it(rule.name, () => {
      const found = violationsOf(rule, IMPORTS);

      expect(found, `${rule.name}: ${rule.reason}.\n${found.join('\n')}`).toEqual([]);
    });
  }
});

describe('the code-map checker', () => {
  it('sees the code: every source file, every import, each resolved', () => {
    const unresolved = IMPORTS.filter((imported) => imported.target.endsWith(UNRESOLVED));

    expect(FILES.length).toBeGreaterThan(200);
    expect(IMPORTS.length).toBeGreaterThan(1000);
    expect(IMPORTS.filter((imported) => imported.typeOnly).length).toBeGreaterThan(100);
    expect(unresolved.map((imported) => `${imported.from} → ${imported.specifier}`)).toEqual([]);
  });

  it('has no rule or exception that names no file', () => {
    const stale = RULES.flatMap((rule) =>
      [...rule.from, ...(rule.exceptFrom ?? [])]
        .filter((glob) => !FILES.some((file) => matchesAny([glob], file)))
        .map((glob) => `${rule.name}: ${glob}`),
    );

    expect(stale).toEqual([]);
  });

  it('reports a type-only, a dynamic and a re-exported import that break a rule', () => {
    const file = 'lambdas/registry/synthetic.ts';
    const text = [
      "import type { LocalConfig } from '../../local/config';",
      "export { startLocalPlatform } from '../../local/platform';",
      "const cli = await import('../../cli/main');",
      "import { versionKey } from './keys';",
    ].join('\n');
    const imports = importsOf(file, text);
    const standAlone = RULES.find((rule) => rule.name.startsWith('lambdas/ never imports'))!;
    const ownKeys = RULES.find((rule) => rule.name.includes('keys.ts'))!;

    expect(violationsOf(standAlone, imports)).toEqual([
      'lambdas/registry/synthetic.ts → local/config.ts (type)',
      'lambdas/registry/synthetic.ts → local/platform.ts',
      'lambdas/registry/synthetic.ts → cli/main.ts',
    ]);
    expect(violationsOf(ownKeys, imports)).toEqual([]);
  });

  it("reports another capability's keys, an adapter in a core and the SDK outside adapters", () => {
    const imports = importsOf(
      'lambdas/monitoring/synthetic.ts',
      [
        "import { aliasKey } from '../registry/keys';",
        "import { S3ObjectStore } from '../shared/adapters/aws/s3-object-store';",
        "import { S3Client } from '@aws-sdk/client-s3';",
      ].join('\n'),
    );

    expect(
      RULES.flatMap((rule) => violationsOf(rule, imports).map((found) => `${rule.name}: ${found}`)),
    ).toEqual([
      '@aws-sdk/* only in AWS adapters, the Athena engine and the CLI client: lambdas/monitoring/synthetic.ts → @aws-sdk/client-s3',
      'only composition roots pick adapters: lambdas/monitoring/synthetic.ts → lambdas/shared/adapters/aws/s3-object-store.ts',
      "a capability's keys.ts is imported only inside that capability: lambdas/monitoring/synthetic.ts → lambdas/registry/keys.ts",
    ]);
  });
});
