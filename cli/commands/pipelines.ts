import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { type CliContext, collectPairs, seg } from '../context';
import { CliExit, formatTable, print } from '../output';
import { readRecords } from '../records-file';

type Json = Record<string, unknown>;
interface Step {
  readonly name: string;
  readonly status: string;
  readonly startedAt: string;
  readonly endedAt?: string;
}
interface Execution {
  readonly executionId: string;
  readonly model: string;
  readonly status: string;
  readonly startedAt: string;
  readonly endedAt?: string;
  readonly steps: Step[];
  readonly output?: Json;
  readonly error?: string;
  readonly cause?: string;
}

interface TrainOptions {
  readonly request?: string;
  readonly model?: string;
  readonly features?: string;
  readonly featureService?: string;
  readonly entities?: string;
  readonly entitiesUri?: string;
  readonly label?: string;
  readonly param?: Record<string, string | number>;
  readonly validationFraction?: string;
  readonly cutoff?: string;
  readonly gateMetric?: string;
  readonly gateMin?: string;
  readonly gateMax?: string;
  readonly beatChampionBy?: string;
  readonly wait?: boolean;
  readonly pollMs: string;
}

/** A CSV cell as the API needs it: numbers and booleans typed, empty as missing. */
const typedCell = (value: unknown): unknown => {
  if (typeof value !== 'string') return value;
  if (value === '') return null;
  if (value === 'true' || value === 'false') return value === 'true';
  const number = Number(value);
  return Number.isFinite(number) && String(number) === value ? number : value;
};

const readEntities = async (path: string): Promise<Json[]> => {
  const rows: Json[] = [];
  for await (const row of readRecords(path, {})) {
    rows.push(Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typedCell(v)])));
  }
  return rows;
};

/** The request: a JSON/YAML file, with any flag given overriding it. */
const buildRequest = async (options: TrainOptions): Promise<Json> => {
  const base = options.request ? (parseYaml(await readFile(options.request, 'utf8')) as Json) : {};
  const body: Json = { algorithm: 'xgboost', ...base };
  if (options.model) body.model = options.model;
  if (options.features) body.features = options.features.split(',').map((f) => f.trim());
  if (options.featureService) body.featureService = options.featureService;
  if (options.entities) body.entities = await readEntities(options.entities);
  if (options.entitiesUri) body.entitiesUri = options.entitiesUri;
  if (options.label) body.label = options.label;
  if (options.param)
    body.hyperparameters = { ...(base.hyperparameters as Json | undefined), ...options.param };
  if (options.validationFraction) body.split = { validationFraction: Number(options.validationFraction) };
  if (options.cutoff) body.split = { cutoff: options.cutoff };
  if (options.gateMetric) {
    body.gate = {
      metric: options.gateMetric,
      ...(options.gateMin ? { min: Number(options.gateMin) } : {}),
      ...(options.gateMax ? { max: Number(options.gateMax) } : {}),
      ...(options.beatChampionBy ? { mustBeatChampionBy: Number(options.beatChampionBy) } : {}),
    };
  }
  return body;
};

const seconds = (step: Step): string =>
  step.endedAt ? `${((Date.parse(step.endedAt) - Date.parse(step.startedAt)) / 1000).toFixed(1)} s` : '';

const describe = (e: Execution): string => {
  const lines = [
    `execution ${e.executionId}  model ${e.model}  ${e.status}`,
    formatTable([['STEP', 'STATUS', 'TIME'], ...e.steps.map((s) => [s.name, s.status, seconds(s)])]),
  ];
  if (e.output) lines.push(`output: ${JSON.stringify(e.output)}`);
  if (e.error) lines.push(`error: ${e.error}`, `cause: ${e.cause ?? ''}`);
  return lines.join('\n');
};

/** Polls until the execution closes, printing each step as it starts and ends (to stderr with --json). */
const follow = async (context: CliContext, id: string, pollMs: number): Promise<Execution> => {
  const { api, options } = context();
  const write = (line: string) => (options.json ? process.stderr : process.stdout).write(`${line}\n`);
  const seen = new Map<number, string>();
  for (;;) {
    const execution = await api.request<Execution>('GET', `/pipelines/executions/${seg(id)}`);
    execution.steps.forEach((step, i) => {
      if (seen.get(i) === step.status) return;
      seen.set(i, step.status);
      write(
        step.status === 'RUNNING'
          ? `… ${step.name}`
          : `${step.status === 'SUCCEEDED' ? '✓' : '✗'} ${step.name} ${seconds(step)}`,
      );
    });
    if (execution.status !== 'RUNNING') return execution;
    await sleep(pollMs);
  }
};

/** `mlops train` and `mlops pipelines list|show|wait`. */
export const registerPipelineCommands = (program: Command, context: CliContext): void => {
  program
    .command('train')
    .description(
      'Start the training pipeline (validate → training set → train → evaluate → gate → register).',
    )
    .option('--request <file>', 'the whole request as JSON or YAML; flags override it')
    .option('--model <name>')
    .option('--features <list>', 'comma-separated group:feature references')
    .option('--feature-service <name>', 'name or name@version')
    .option('--entities <file>', 'entity rows with eventTime and the label (.csv or .jsonl)')
    .option('--entities-uri <uri>', 'entity rows already in the platform store')
    .option('--label <column>')
    .option('--param <key=value>', 'an XGBoost hyperparameter (repeatable)', collectPairs(true))
    .option('--validation-fraction <share>')
    .option('--cutoff <iso>', 'hold out rows at or after this instant')
    .option('--gate-metric <metric>', 'auc | accuracy | logloss | rmse | mae')
    .option('--gate-min <value>')
    .option('--gate-max <value>')
    .option('--beat-champion-by <margin>')
    .option('--wait', 'follow the steps until the execution ends; exit 1 if it fails', false)
    .option('--poll-ms <ms>', 'how often --wait asks', '1000')
    .action(async (local: TrainOptions) => {
      const { api, options } = context();
      const started = await api.request<Json>(
        'POST',
        '/pipelines/training/executions',
        await buildRequest(local),
      );
      if (!local.wait) {
        print(options, started, (s: Json) => `started execution ${String(s.executionId)}`);
        return;
      }
      const done = await follow(context, String(started.executionId), Number(local.pollMs));
      print(options, done, describe);
      if (done.status !== 'SUCCEEDED') throw new CliExit(1);
    });

  const pipelines = program.command('pipelines').description('Training pipeline executions.');
  pipelines
    .command('list')
    .option('--model <name>')
    .option('--limit <n>', 'page size', '20')
    .action(async (local: { model?: string; limit: string }) => {
      const { api, options } = context();
      const query = `limit=${seg(local.limit)}${local.model ? `&model=${seg(local.model)}` : ''}`;
      const page = await api.request<{ items: Execution[] }>('GET', `/pipelines/executions?${query}`);
      print(options, page, (p: { items: Execution[] }) =>
        p.items.length === 0
          ? 'no executions'
          : formatTable([
              ['EXECUTION', 'MODEL', 'STATUS', 'STARTED', 'ERROR'],
              ...p.items.map((e) => [e.executionId, e.model, e.status, e.startedAt, e.error ?? '']),
            ]),
      );
    });
  pipelines
    .command('show <id>')
    .description('An execution: steps, output, error and cause.')
    .action(async (id: string) => {
      const { api, options } = context();
      print(options, await api.request<Execution>('GET', `/pipelines/executions/${seg(id)}`), describe);
    });
  pipelines
    .command('wait <id>')
    .description('Follow an execution until it ends; exit 1 if it fails.')
    .option('--poll-ms <ms>', 'how often to ask', '1000')
    .action(async (id: string, local: { pollMs: string }) => {
      const { options } = context();
      const done = await follow(context, id, Number(local.pollMs));
      print(options, done, describe);
      if (done.status !== 'SUCCEEDED') throw new CliExit(1);
    });
};
