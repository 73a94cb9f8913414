import { copyFile, readFile, stat, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { ApiProblemError } from '../api-client';
import { type CliContext, seg } from '../context';
import { CliExit, print } from '../output';
import { readRecords } from '../records-file';

type Json = Record<string, unknown>;
type Page = { items: Json[]; nextToken?: string };

/** Records per ingest request: well under the API's 10,000 and its 6 MB body limit for typical rows. */
const CHUNK = 5_000;

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `key=value,key2=value2` → an entity; integers stay integers, as the online store keys them. */
const entityOf = (text: string): Json =>
  Object.fromEntries(
    text.split(',').map((pair) => {
      const [key = '', value = ''] = pair.split('=');
      return [key.trim(), /^-?\d+$/.test(value) ? Number(value) : value];
    }),
  );

/** CSV cells are text; entity rows keep numbers as numbers when the text is exactly a number ('007' stays text). */
const numericCells = (row: Json): Json =>
  Object.fromEntries(
    Object.entries(row).map(([k, v]) => [
      k,
      typeof v === 'string' && v !== '' && String(Number(v)) === v ? Number(v) : v,
    ]),
  );

const csvCell = (value: unknown): string => {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/** Writes a training set's rows where the user asked: NDJSON as is, CSV converted, Parquet copied. */
const saveTrainingSet = async (
  api: {
    request<T>(method: string, path: string): Promise<T>;
    requestText(method: string, path: string): Promise<string>;
  },
  set: { id: string; uri: string; schema?: unknown },
  out: string,
): Promise<void> => {
  const kind = extname(out).toLowerCase();
  if (kind === '.parquet') {
    if (!set.uri.startsWith('file://'))
      throw new Error(`the Parquet file is at ${set.uri}; copy it from there`);
    await copyFile(fileURLToPath(set.uri), out);
    return;
  }
  const text = await api.requestText('GET', `/training-sets/${seg(set.id)}/rows`);
  if (kind === '.jsonl' || kind === '.ndjson') return writeFile(out, text);
  if (kind !== '.csv') throw new Error('--out must end in .csv, .jsonl or .parquet');
  const columns = ((set.schema as { name: string }[] | undefined) ?? []).map((c) => c.name);
  const lines = text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const row = JSON.parse(line) as Json;
      return columns.map((c) => csvCell(row[c])).join(',');
    });
  await writeFile(out, `${[columns.map(csvCell).join(','), ...lines].join('\n')}\n`);
};

/** A definitions file: one group, or `{featureGroups: [...], featureServices: [...]}`; YAML or JSON. */
const readDefinitions = async (path: string): Promise<{ groups: Json[]; services: Json[] }> => {
  const document = parseYaml(await readFile(path, 'utf8')) as Json;
  if (Array.isArray(document.featureGroups) || Array.isArray(document.featureServices)) {
    return {
      groups: (document.featureGroups as Json[] | undefined) ?? [],
      services: (document.featureServices as Json[] | undefined) ?? [],
    };
  }
  return { groups: [document], services: [] };
};

/** `mlops features apply|list|show|ingest|get`. */
export const registerFeatureCommands = (program: Command, context: CliContext): void => {
  const features = program
    .command('features')
    .description('The feature store: groups, ingestion, online reads.');

  features
    .command('apply <file>')
    .description('Create or update feature groups and services from a YAML or JSON file.')
    .option('--breaking', 'allow breaking changes as new versions (models pinned to old ones keep them)')
    .action(async (file: string, local: { breaking?: boolean }) => {
      const { api, options } = context();
      const { groups, services } = await readDefinitions(file);
      const results: Json[] = [];
      for (const group of groups) {
        const body = local.breaking ? { ...group, breaking: true } : group;
        try {
          results.push({ kind: 'group', ...(await api.request<Json>('POST', '/feature-groups', body)) });
        } catch (error) {
          if (!(error instanceof ApiProblemError) || error.status !== 409) throw error;
          results.push({ kind: 'group', name: group.name, refused: error.problem });
        }
      }
      for (const service of services) {
        results.push({ kind: 'service', ...(await api.request<Json>('POST', '/feature-services', service)) });
      }
      print(options, results, (rows: Json[]) =>
        rows
          .map((r) =>
            r.refused
              ? `${r.kind} ${r.name}: refused — ${(r.refused as { detail?: string }).detail}\n${((r.refused as { errors?: Json[] }).errors ?? []).map((e) => `  ${e.field}: ${e.message}`).join('\n')}`
              : `${r.kind} ${r.name}: version ${r.version}`,
          )
          .join('\n'),
      );
      if (results.some((r) => r.refused)) throw new CliExit(1);
    });

  features
    .command('list')
    .option('--limit <n>', 'page size', '100')
    .action(async (local: { limit: string }) => {
      const { api, options } = context();
      const page = await api.request<Page>('GET', `/feature-groups?limit=${seg(local.limit)}`);
      print(
        options,
        page,
        (p: Page) =>
          p.items
            .map((g) => `${g.name}\tv${g.version ?? g.latestVersion ?? '?'}\t${g.description ?? ''}`)
            .join('\n') || 'no feature groups',
      );
    });

  features
    .command('show <group>')
    .description('Versions, freshness, quality statistics and users of a feature group.')
    .action(async (group: string) => {
      const { api, options } = context();
      const shown = await api.request<Json>('GET', `/feature-groups/${seg(group)}`);
      print(options, shown, (g: Json) => JSON.stringify(g, null, 2));
    });

  features
    .command('ingest <group> <file>')
    .description('Ingest records from a .csv (header row) or .jsonl file, in chunks, with progress.')
    .action(async (group: string, file: string) => {
      const { api, options } = context();
      const definition = await api.request<{ features?: { name: string; type: string }[]; latest?: Json }>(
        'GET',
        `/feature-groups/${seg(group)}`,
      );
      const specs = (definition.features ??
        (definition.latest?.features as typeof definition.features) ??
        []) as {
        name: string;
        type: 'float' | 'int' | 'string' | 'bool';
      }[];
      const types = Object.fromEntries(specs.map((f) => [f.name, f.type]));
      const size = (await stat(file)).size;
      const totals = { accepted: 0, rejected: [] as Json[] };
      let chunk: Json[] = [];
      let offset = 0;
      const send = async () => {
        if (chunk.length === 0) return;
        const result = await api.request<{ accepted: number; rejected: { index: number }[] }>(
          'POST',
          `/feature-groups/${seg(group)}/records`,
          { records: chunk },
        );
        totals.accepted += result.accepted;
        totals.rejected.push(...result.rejected.map((r) => ({ ...r, index: r.index + offset })));
        offset += chunk.length;
        chunk = [];
        if (!options.json)
          process.stderr.write(`\r${offset} records sent (${totals.rejected.length} rejected)`);
      };
      for await (const record of readRecords(file, types)) {
        chunk.push(record);
        if (chunk.length >= CHUNK) await send();
      }
      await send();
      if (!options.json) process.stderr.write(` — ${(size / 1e6).toFixed(1)} MB read\n`);
      print(options, totals, (t: typeof totals) =>
        [
          `accepted ${t.accepted}, rejected ${t.rejected.length}`,
          ...t.rejected.slice(0, 10).map((r) => `  ${JSON.stringify(r)}`),
        ].join('\n'),
      );
    });

  features
    .command('training-set')
    .description(
      'Build a point-in-time training set and optionally save it (--out rows.csv|rows.jsonl|rows.parquet).',
    )
    .option('--feature <group:feature>', 'a feature (repeatable); or --service', collect)
    .option('--service <name[@version]>', 'a feature service')
    .requiredOption(
      '--entities <file>',
      'entity rows: .csv (header row) or .jsonl with keys, eventTime, labels...',
    )
    .option('--out <file>', 'write the rows: .csv, .jsonl or .parquet')
    .action(async (local: { feature?: string[]; service?: string; entities: string; out?: string }) => {
      const { api, options } = context();
      const entities: Json[] = [];
      for await (const row of readRecords(local.entities, {})) entities.push(numericCells(row));
      const set = await api.request<Json & { id: string; uri: string }>('POST', '/training-sets', {
        ...(local.service ? { featureService: local.service } : { features: local.feature ?? [] }),
        entities,
      });
      if (local.out) await saveTrainingSet(api, set, local.out);
      print(
        options,
        set,
        (t: Json) =>
          `training set ${t.id}: ${t.rowCount} rows, sha256 ${t.sha256}${local.out ? ` → ${local.out}` : ''}`,
      );
    });

  features
    .command('get')
    .description('Read online feature values for entities.')
    .option('--feature <group:feature>', 'a feature (repeatable); or --service', collect)
    .option('--service <name[@version]>', 'a feature service')
    .requiredOption('--entity <key=value,...>', 'an entity (repeatable)', collect)
    .action(async (local: { feature?: string[]; service?: string; entity: string[] }) => {
      const { api, options } = context();
      const answer = await api.request<{ results: { entity: Json; features: Record<string, Json> }[] }>(
        'POST',
        '/features/online',
        {
          ...(local.service ? { featureService: local.service } : { features: local.feature ?? [] }),
          entities: local.entity.map(entityOf),
        },
      );
      print(options, answer, (a: typeof answer) =>
        a.results
          .map((r) =>
            [
              JSON.stringify(r.entity),
              ...Object.entries(r.features).map(
                ([name, f]) =>
                  `  ${name} = ${JSON.stringify(f.value)} (${f.status}${f.eventTime ? `, ${f.eventTime}` : ''})`,
              ),
            ].join('\n'),
          )
          .join('\n'),
      );
    });
};
