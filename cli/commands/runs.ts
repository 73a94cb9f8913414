import type { Command } from 'commander';
import { type CliContext, seg } from '../context';
import { print } from '../output';

interface Run {
  readonly runId: string;
  readonly experimentId: string;
  readonly name?: string;
  readonly status: string;
  readonly startTime: string;
  readonly params: Record<string, string>;
  readonly tags: Record<string, string>;
  readonly metrics: Record<string, { value: number }>;
}
interface Page<T> {
  readonly items: T[];
  readonly nextToken?: string;
}
interface Experiment {
  readonly experimentId: string;
  readonly name: string;
  readonly description?: string;
  readonly createdAt: string;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `metrics.auc` → the run's value of that column, for the table. */
const cell = (run: Run, column: string): string => {
  const [kind, ...rest] = column.split('.');
  const key = rest.join('.');
  if (kind === 'metrics') return run.metrics[key] === undefined ? '' : String(run.metrics[key]!.value);
  if (kind === 'params') return run.params[key] ?? '';
  if (kind === 'tags') return run.tags[key] ?? '';
  return String((run as unknown as Record<string, unknown>)[key || column] ?? '');
};

/** `mlops experiments list|create` and `mlops runs search`. */
export const registerRunCommands = (program: Command, context: CliContext): void => {
  const experiments = program.command('experiments').description('Experiments that group training runs.');
  experiments
    .command('list')
    .option('--limit <n>', 'page size', '100')
    .action(async (local: { limit: string }) => {
      const { api, options } = context();
      const page = await api.request<Page<Experiment>>('GET', `/experiments?limit=${seg(local.limit)}`);
      print(
        options,
        page,
        (p: Page<Experiment>) =>
          p.items.map((e) => `${e.experimentId}  ${e.name}  ${e.description ?? ''}`).join('\n') ||
          'no experiments',
      );
    });
  experiments
    .command('create <name>')
    .option('--description <text>')
    .action(async (name: string, local: { description?: string }) => {
      const { api, options } = context();
      const created = await api.request<Experiment>('POST', '/experiments', {
        name,
        ...(local.description ? { description: local.description } : {}),
      });
      print(options, created, (e: Experiment) => `created experiment ${e.name} (${e.experimentId})`);
    });

  const runs = program.command('runs').description('Training runs: params, metrics, tags.');
  runs
    .command('search')
    .description(
      'Search runs with MLflow syntax, e.g. --filter "metrics.auc > 0.8 and params.max_depth = \'5\'".',
    )
    .option('--experiment <id>', 'experiment id (repeatable)', collect)
    .option('--experiment-name <name>', 'experiment name (repeatable)', collect)
    .option(
      '--filter <expression>',
      'MLflow filter: metrics./params./tags./attributes. comparisons joined by and',
    )
    .option('--order-by <clause>', 'e.g. "metrics.auc desc" (repeatable)', collect)
    .option('--limit <n>', 'page size, 1..1000', '100')
    .option('--columns <list>', 'columns to show', 'metrics.auc,attributes.status')
    .action(async (local: Record<string, string | string[] | undefined>) => {
      const { api, options } = context();
      const ids = [...((local.experiment as string[] | undefined) ?? [])];
      for (const name of (local.experimentName as string[] | undefined) ?? []) {
        const found = await api.request<Page<Experiment>>('GET', `/experiments?name=${seg(name)}&limit=1`);
        if (!found.items[0]) throw new Error(`no experiment named ${name}`);
        ids.push(found.items[0].experimentId);
      }
      if (ids.length === 0) throw new Error('give --experiment ID or --experiment-name NAME');
      const page = await api.request<Page<Run>>('POST', '/runs/search', {
        experimentIds: ids,
        ...(local.filter ? { filter: local.filter } : {}),
        ...(local.orderBy ? { orderBy: local.orderBy } : {}),
        limit: Number(local.limit),
      });
      const columns = String(local.columns).split(',').filter(Boolean);
      print(options, page, (p: Page<Run>) =>
        [
          ['RUN', 'NAME', ...columns.map((c) => c.toUpperCase())].join('\t'),
          ...p.items.map((r) => [r.runId, r.name ?? '', ...columns.map((c) => cell(r, c))].join('\t')),
        ].join('\n'),
      );
    });
};
