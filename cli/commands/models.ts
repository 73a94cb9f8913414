import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { type CliContext, collectList, collectPairs, seg } from '../context';
import { print, formatTable as table } from '../output';

// Loose shapes: the CLI prints what the API answers and relies on the API for validation.
type Json = Record<string, unknown>;
type Page = { items: Json[]; nextToken?: string };

interface CreateOptions {
  readonly description?: string;
  readonly tag?: Json;
  readonly card?: string;
  readonly approver?: string[];
  readonly protectedAlias?: string[];
}

/** The local platform knows callers by --actor; a deployed API knows them by IAM, so say who reviews. */
const reviewerDefault = (api: { signs: boolean; actor: string | undefined }): string => {
  if (api.signs || !api.actor)
    throw new Error('give --reviewer NAME: the reviewer recorded in the audit trail');
  return api.actor;
};

const readJsonFile = async (path: string): Promise<Json> => JSON.parse(await readFile(path, 'utf8')) as Json;

const sha256OfFile = async (path: string): Promise<string> =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

/** `mlops models list|show|create|register|approve|alias|history|lineage`. */
export const registerModelCommands = (program: Command, context: CliContext): void => {
  const models = program
    .command('models')
    .description('The model registry: models, versions, approvals, aliases.');

  models
    .command('list')
    .description('List registered models.')
    .option('--limit <n>', 'page size', '100')
    .action(async (local: { limit: string }) => {
      const { api, options } = context();
      const page = await api.request<Page>('GET', `/models?limit=${seg(local.limit)}`);
      print(options, page, (p: Page) =>
        p.items.length === 0
          ? 'no models'
          : table([
              ['NAME', 'LATEST', 'DESCRIPTION'],
              ...p.items.map((m) => [
                String(m.name),
                String(m.latestVersion ?? '-'),
                String(m.description ?? ''),
              ]),
            ]),
      );
    });

  models
    .command('show <name>')
    .description('Show a model, its versions and aliases.')
    .action(async (name: string) => {
      const { api, options } = context();
      const [model, versions] = await Promise.all([
        api.request<Json>('GET', `/models/${seg(name)}`),
        api.request<Page>('GET', `/models/${seg(name)}/versions?limit=50`),
      ]);
      print(options, { ...model, versions: versions.items }, () =>
        [
          `${model.name}: ${model.description ?? ''}`,
          table([
            ['VERSION', 'STATUS', 'CREATED', 'ARTIFACT'],
            ...versions.items.map((v) => [
              String(v.version),
              String(v.status),
              String(v.createdAt),
              String(v.artifactUri),
            ]),
          ]),
        ].join('\n'),
      );
    });

  models
    .command('create <name>')
    .description('Create a model.')
    .option('--description <text>')
    .option('--tag <key=value>', 'a tag (repeatable)', collectPairs(false))
    .option('--card <file.json>', 'model card: purpose, intendedUse, limitations, owner')
    .option('--approver <principal>', 'who may approve and move protected aliases (repeatable)', collectList)
    .option(
      '--protected-alias <alias>',
      'an alias that may only point at Approved versions (repeatable)',
      collectList,
    )
    .action(async (name: string, local: CreateOptions) => {
      const { api, options } = context();
      const created = await api.request<Json>('POST', '/models', {
        name,
        ...(local.description ? { description: local.description } : {}),
        ...(local.tag ? { tags: local.tag } : {}),
        ...(local.card ? { card: await readJsonFile(local.card) } : {}),
        ...(local.approver ? { approvers: local.approver } : {}),
        ...(local.protectedAlias ? { protectedAliases: local.protectedAlias } : {}),
      });
      print(options, created, () => `created model ${name}`);
    });

  models
    .command('register <name>')
    .description('Register a new version (PendingApproval).')
    .requiredOption('--artifact-uri <uri>', 'where the artifact lives (s3://..., file://...)')
    .option('--artifact <file>', 'compute the SHA-256 from this local copy of the artifact')
    .option('--sha256 <hex>', 'the artifact SHA-256, if --artifact is not given')
    .option('--metric <key=value>', 'a metric (repeatable)', collectPairs(true))
    .option('--param <key=value>', 'a parameter (repeatable)', collectPairs(true))
    .option('--lineage <file.json>', 'lineage: datasets, featureGroups, trainingRun, code, ...')
    .option('--description <text>')
    .action(async (name: string, local: Record<string, string | Json | undefined>) => {
      const { api, options } = context();
      const sha = local.artifact ? await sha256OfFile(String(local.artifact)) : local.sha256;
      if (!sha) throw new Error('give --artifact FILE or --sha256 HEX');
      const version = await api.request<Json>('POST', `/models/${seg(name)}/versions`, {
        artifactUri: local.artifactUri,
        artifactSha256: sha,
        ...(local.metric ? { metrics: local.metric } : {}),
        ...(local.param ? { params: local.param } : {}),
        ...(local.lineage ? { lineage: await readJsonFile(String(local.lineage)) } : {}),
        ...(local.description ? { description: local.description } : {}),
      });
      print(options, version, (v: Json) => `registered ${name} version ${v.version} (${v.status})`);
    });

  models
    .command('approve <name> <version>')
    .description('Decide on a version: Approved (default), Rejected with --reject, Archived with --archive.')
    .requiredOption('--comment <text>', 'why')
    .option(
      '--reviewer <name>',
      'reviewer (default: --actor against the local platform; required against a deployed API)',
    )
    .option('--reject', 'reject instead of approving')
    .option('--archive', 'archive an approved version')
    .action(async (name: string, version: string, local: Record<string, string | boolean | undefined>) => {
      const { api, options } = context();
      const decision = local.reject ? 'Rejected' : local.archive ? 'Archived' : 'Approved';
      const result = await api.request<Json>(
        'POST',
        `/models/${seg(name)}/versions/${seg(version)}/approval`,
        {
          decision,
          reviewer: local.reviewer ?? reviewerDefault(api),
          comment: local.comment,
        },
      );
      print(options, result, (v: Json) => `${name} version ${version}: ${v.status}`);
    });

  models
    .command('alias <name> <alias> [version]')
    .description('Point an alias at a version, or show where it points (now, or --at a time).')
    .option('--at <iso>', 'where the alias pointed at that time')
    .action(async (name: string, alias: string, version: string | undefined, local: { at?: string }) => {
      const { api, options } = context();
      const path = `/models/${seg(name)}/aliases/${seg(alias)}`;
      const result =
        version === undefined
          ? await api.request<Json>('GET', local.at ? `${path}?at=${seg(local.at)}` : path)
          : await api.request<Json>('PUT', path, { version: Number(version) });
      print(options, result, (a: Json) => `${name}@${alias} -> version ${a.version}`);
    });

  models
    .command('history <name>')
    .description('The audit trail: registrations, decisions, alias moves, deployments; newest first.')
    .option('--limit <n>', 'page size', '50')
    .action(async (name: string, local: { limit: string }) => {
      const { api, options } = context();
      const page = await api.request<Page>('GET', `/models/${seg(name)}/history?limit=${seg(local.limit)}`);
      print(options, page, (p: Page) =>
        table([
          ['WHEN', 'WHAT', 'WHO', 'DETAIL'],
          ...p.items.map(({ id: _id, kind, at, actor, model: _model, ...detail }) => [
            String(at),
            String(kind),
            String(actor),
            Object.entries(detail)
              .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
              .join(' '),
          ]),
        ]),
      );
    });

  models
    .command('lineage <name> <version>')
    .description('What data, features, code and run produced a version, and where it is deployed.')
    .action(async (name: string, version: string) => {
      const { api, options } = context();
      const graph = await api.request<{ nodes: Json[]; edges: Json[] }>(
        'GET',
        `/models/${seg(name)}/versions/${seg(version)}/lineage`,
      );
      print(options, graph, (g: { nodes: Json[]; edges: Json[] }) =>
        [
          ...g.nodes.map((n) => `node ${n.id} (${n.type})`),
          ...g.edges.map((e) => `  ${e.from} -[${e.type}]-> ${e.to}`),
        ].join('\n'),
      );
    });
};
