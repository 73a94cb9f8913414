import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { type CliContext, collectList, collectPairs, seg } from '../context';
import { print, formatTable as table } from '../output';

// Loose shapes: the CLI prints what the API answers and relies on the API for validation.
type Json = Record<string, unknown>;
type Page = { items: Json[]; nextToken?: string };

const num = (value: unknown): string =>
  typeof value === 'number' ? String(Number(value.toPrecision(4))) : '-';

const numberOf = (value: string | undefined): number | undefined =>
  value === undefined ? undefined : Number(value);

/** Drops undefined members, so the API sees only what was given. */
const given = (record: Record<string, unknown>): Json =>
  Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));

/** `key=value` feature values: numbers stay numbers, true/false become booleans, null is null. */
const featureValues = (pairs: Record<string, string | number>): Json =>
  Object.fromEntries(
    Object.entries(pairs).map(([key, value]) => [
      key,
      value === 'true' ? true : value === 'false' ? false : value === 'null' ? null : value,
    ]),
  );

const variantsCell = (e: Json): string =>
  ((e.variants as Json[]) ?? [])
    .map((v) => `${v.name}:${v.role === 'shadow' ? `shadow ${e.shadowPercent ?? 100}%` : `${v.weight}%`}`)
    .join(' ');

const endpointText = (e: Json): string =>
  [
    `endpoint ${e.name} (model ${e.model}): ${e.status}${e.activeDeployment ? `, deployment ${e.activeDeployment} in progress` : ''}`,
    table([
      ['VARIANT', 'VERSION', 'ROLE', 'WEIGHT'],
      ...((e.variants as Json[]) ?? []).map((v) => [
        String(v.name),
        String(v.version),
        String(v.role),
        v.role === 'shadow' ? `${e.shadowPercent ?? 100}% mirrored` : `${v.weight}%`,
      ]),
    ]),
    '',
    'history:',
    table([
      ['AT', 'ACTOR', 'ACTION', 'VERSION', 'FROM', 'REASON'],
      ...((e.history as Json[]) ?? []).map((h) => [
        String(h.at),
        String(h.actor),
        String(h.action),
        h.version === undefined ? '-' : `v${h.version}`,
        h.from === undefined || h.from === null ? '-' : `v${h.from}`,
        String(h.reason ?? ''),
      ]),
    ]),
  ].join('\n');

const deploymentText = (d: Json): string =>
  [
    `deployment ${d.id} of v${d.version} on ${d.endpoint} (${d.strategy}): ${d.status}${d.decision ? `, ${d.decision}` : ''}`,
    ...(d.reason ? [`reason: ${d.reason}`] : []),
    table([
      ['PHASE', 'WEIGHTS', 'STARTED', 'ENDED', 'GUARDS'],
      ...((d.phases as Json[]) ?? []).map((p, i) => {
        const evaluation = p.evaluation as Json | undefined;
        return [
          String(i + 1),
          Object.entries(p.weights as Record<string, number>)
            .map(([k, w]) => `${k}=${w}%`)
            .join(' '),
          String(p.startedAt),
          String(p.endedAt ?? '-'),
          evaluation ? (evaluation.passed ? 'passed' : 'FAILED') : '-',
        ];
      }),
    ]),
  ].join('\n');

const experimentText = (x: Json): string => {
  const srm = x.srm as Json;
  const sequential = x.sequential as Json;
  const fixed = x.fixedHorizon as Json | null;
  return [
    `experiment of deployment ${x.deploymentId} (${x.metric}, alpha ${x.alpha}): ${x.status}, decision ${x.decision}${x.final ? '' : ' (so far)'}`,
    table([
      ['VARIANT', 'VERSION', 'WEIGHT', 'ASSIGNED', 'N', 'METRIC', 'INTERVAL'],
      ...((x.variants as Json[]) ?? []).map((v) => {
        const interval = v.interval as [number, number] | null;
        return [
          String(v.name),
          `v${v.version}`,
          `${(x.weights as Record<string, number>)[String(v.name)] ?? '-'}%`,
          String(v.assigned),
          String(v.n),
          num(v.metric),
          interval ? `[${num(interval[0])}, ${num(interval[1])}]` : '-',
        ];
      }),
    ]),
    `sample ratio: chi2=${num(srm.chiSquare)} p=${num(srm.pValue)}${srm.mismatch ? ' MISMATCH' : ' ok'}`,
    `sequential (mSPRT): statistic=${num(sequential.statistic)} p=${num(sequential.pValue)} looks=${sequential.looks}`,
    fixed ? `fixed horizon (${fixed.test}): p=${num(fixed.pValue)} difference=${num(fixed.difference)}` : '',
    `reason: ${x.reason}`,
  ]
    .filter((line) => line !== '')
    .join('\n');
};

/** The deployment a command is about: the one given, else the active one, else the newest in history. */
const deploymentIdOf = async (
  api: { request<T>(method: string, path: string): Promise<T> },
  name: string,
  id: string | undefined,
): Promise<string> => {
  if (id) return id;
  const endpoint = await api.request<Json>('GET', `/endpoints/${seg(name)}`);
  if (endpoint.activeDeployment) return String(endpoint.activeDeployment);
  const last = [...((endpoint.history as Json[]) ?? [])].reverse().find((h) => h.deploymentId);
  if (!last) throw new Error(`endpoint ${name} has no deployment yet`);
  return String(last.deploymentId);
};

interface DeployOptions {
  readonly modelVersion?: string;
  readonly alias?: string;
  readonly strategy: string;
  readonly steps?: string;
  readonly bakeSeconds?: string;
  readonly shadowPercent?: string;
  readonly maxErrorRate?: string;
  readonly maxLatencyP99Ms?: string;
  readonly maxDisagreement?: string;
  readonly disagreementTolerance?: string;
  readonly maxPredictionDrift?: string;
  readonly alarm?: string[];
  readonly metric?: string;
  readonly alpha?: string;
  readonly mde?: string;
  readonly lowerIsBetter?: boolean;
}

const deploymentBody = (local: DeployOptions): Json => {
  const guards = given({
    maxErrorRate: numberOf(local.maxErrorRate),
    maxLatencyP99Ms: numberOf(local.maxLatencyP99Ms),
    maxDisagreement: numberOf(local.maxDisagreement),
    disagreementTolerance: numberOf(local.disagreementTolerance),
    maxPredictionDrift: numberOf(local.maxPredictionDrift),
    alarms: local.alarm,
  });
  const ab =
    local.metric === undefined
      ? undefined
      : given({
          metric: local.metric,
          alpha: numberOf(local.alpha),
          minimumDetectableEffect: numberOf(local.mde),
          higherIsBetter: local.lowerIsBetter ? false : undefined,
        });
  return given({
    version: numberOf(local.modelVersion),
    alias: local.alias,
    strategy: local.strategy,
    steps: local.steps?.split(',').map(Number),
    bakeSeconds: numberOf(local.bakeSeconds),
    shadowPercent: numberOf(local.shadowPercent),
    guards: Object.keys(guards).length > 0 ? guards : undefined,
    ab,
  });
};

/** `mlops endpoints create|list|show|delete|deploy|status|rollback|invoke|experiment`. */
export const registerEndpointCommands = (program: Command, context: CliContext): void => {
  const endpoints = program
    .command('endpoints')
    .description('Serving: endpoints, gradual deployments (canary, linear, shadow, A/B), rollback.');

  endpoints
    .command('create <name>')
    .description('Create an endpoint serving one Approved version at 100 %.')
    .requiredOption('--model <model>', 'the registered model')
    .option('--model-version <n>', "the version to serve (--version is the CLI's own)")
    .option('--alias <alias>', 'or the version an alias points at (e.g. champion)')
    .option('--instance-type <type>', 'instance type (cloud)')
    .option('--instance-count <n>', 'instances (cloud)')
    .option('--serverless-memory-mb <n>', 'serverless endpoint memory (cloud; with --serverless-concurrency)')
    .option('--serverless-concurrency <n>', 'serverless endpoint max concurrency (cloud)')
    .option('--capture-percent <n>', 'share of answered requests captured for monitoring (default 100)')
    .action(async (name: string, local: Record<string, string | undefined>) => {
      const { api, options } = context();
      const serverless =
        local.serverlessMemoryMb || local.serverlessConcurrency
          ? {
              memoryMb: numberOf(local.serverlessMemoryMb),
              maxConcurrency: numberOf(local.serverlessConcurrency),
            }
          : undefined;
      const created = await api.request<Json>(
        'POST',
        '/endpoints',
        given({
          name,
          model: local.model,
          version: numberOf(local.modelVersion),
          alias: local.alias,
          instanceType: local.instanceType,
          instanceCount: numberOf(local.instanceCount),
          serverless,
          capture: local.capturePercent === undefined ? undefined : { percent: Number(local.capturePercent) },
        }),
      );
      print(options, created, (c: Json) => `created endpoint ${c.name} (deployment ${c.deploymentId})`);
    });

  endpoints
    .command('list')
    .description('List endpoints.')
    .option('--limit <n>', 'page size', '100')
    .action(async (local: { limit: string }) => {
      const { api, options } = context();
      const page = await api.request<Page>('GET', `/endpoints?limit=${seg(local.limit)}`);
      print(options, page, (p: Page) =>
        p.items.length === 0
          ? 'no endpoints'
          : table([
              ['NAME', 'MODEL', 'STATUS', 'VARIANTS', 'DEPLOYMENT'],
              ...p.items.map((e) => [
                String(e.name),
                String(e.model),
                String(e.status),
                variantsCell(e),
                String(e.activeDeployment ?? '-'),
              ]),
            ]),
      );
    });

  endpoints
    .command('show <name>')
    .description('Show an endpoint: variants with weights and roles, and its history.')
    .action(async (name: string) => {
      const { api, options } = context();
      print(options, await api.request<Json>('GET', `/endpoints/${seg(name)}`), endpointText);
    });

  endpoints
    .command('delete <name>')
    .description('Delete an endpoint (stopping its active deployment).')
    .action(async (name: string) => {
      const { api, options } = context();
      await api.request('DELETE', `/endpoints/${seg(name)}`);
      print(options, { name, deleted: true }, () => `deleted endpoint ${name}`);
    });

  endpoints
    .command('deploy <name>')
    .description(
      'Deploy a version: all-at-once, canary/linear (--steps, --bake-seconds, guards), shadow (--shadow-percent), or ab (--steps B%, --metric, --bake-seconds between looks).',
    )
    .option('--model-version <n>', 'the version to deploy')
    .option('--alias <alias>', 'or the version an alias points at')
    .requiredOption('--strategy <strategy>', 'all-at-once|canary|linear|shadow|ab')
    .option('--steps <list>', 'percent steps of the new version, comma-separated (ab: one step, B percent)')
    .option('--bake-seconds <n>', 'bake time per step (ab: seconds between looks)')
    .option('--shadow-percent <n>', 'share of requests mirrored to a shadow')
    .option('--max-error-rate <x>', 'guard: largest share of failed requests')
    .option('--max-latency-p99-ms <n>', 'guard: largest p99 model latency')
    .option('--max-disagreement <x>', 'guard: largest share of answers disagreeing with production')
    .option('--disagreement-tolerance <x>', 'regression: answers further apart than this disagree')
    .option('--max-prediction-drift <x>', 'guard: prediction drift (cloud)')
    .option('--alarm <name>', 'guard: a CloudWatch alarm (repeatable; cloud)', collectList)
    .option('--metric <kind>', 'ab: binary (label 1/true is a success) or continuous (the label value)')
    .option('--alpha <x>', 'ab: false-positive rate of the sequential test (default 0.05)')
    .option('--mde <x>', 'ab: minimum detectable effect (default 0.05 for binary; required for continuous)')
    .option('--lower-is-better', 'ab: a smaller metric wins')
    .action(async (name: string, local: DeployOptions) => {
      const { api, options } = context();
      const started = await api.request<Json>(
        'POST',
        `/endpoints/${seg(name)}/deployments`,
        deploymentBody(local),
      );
      print(
        options,
        started,
        (s: Json) => `started ${local.strategy} deployment ${s.deploymentId} on ${name}`,
      );
    });

  endpoints
    .command('status <name> [deploymentId]')
    .description('A deployment: status, phases and guard evaluations (default: the active or latest one).')
    .action(async (name: string, id: string | undefined) => {
      const { api, options } = context();
      const deploymentId = await deploymentIdOf(api, name, id);
      const deployment = await api.request<Json>(
        'GET',
        `/endpoints/${seg(name)}/deployments/${seg(deploymentId)}`,
      );
      print(options, deployment, deploymentText);
    });

  endpoints
    .command('rollback <name>')
    .description('Instant rollback: the previous production version back at 100 %, audited.')
    .option('--reason <text>', 'why; recorded in the history')
    .action(async (name: string, local: { reason?: string }) => {
      const { api, options } = context();
      const endpoint = await api.request<Json>(
        'POST',
        `/endpoints/${seg(name)}/rollback`,
        given({ reason: local.reason }),
      );
      print(options, endpoint, (e: Json) => `rolled back ${name}: ${variantsCell(e)}`);
    });

  endpoints
    .command('invoke <name>')
    .description('Get a prediction: --feature k=v (repeatable), --features JSON, or --instances JSON rows.')
    .option('--feature <key=value>', 'a named feature (repeatable)', collectPairs(true))
    .option('--features <json>', 'named features as a JSON object (or @file.json)')
    .option('--instances <json>', 'rows of values in signature order, JSON (or @file.json)')
    .option('--key <key>', 'sticky assignment: the same key, the same variant')
    .option('--inference-id <id>', 'the id labels are joined by')
    .action(
      async (
        name: string,
        local: {
          feature?: Record<string, string | number>;
          features?: string;
          instances?: string;
          key?: string;
          inferenceId?: string;
        },
      ) => {
        const { api, options } = context();
        const json = async (text: string) =>
          JSON.parse(text.startsWith('@') ? await readFile(text.slice(1), 'utf8') : text) as unknown;
        const answer = await api.request<Json>(
          'POST',
          `/endpoints/${seg(name)}/invocations`,
          given({
            features: local.feature
              ? featureValues(local.feature)
              : local.features
                ? await json(local.features)
                : undefined,
            instances: local.instances ? await json(local.instances) : undefined,
            key: local.key,
            inferenceId: local.inferenceId,
          }),
        );
        print(options, answer, (a: Json) => {
          const value =
            a.predictions === undefined ? num(a.prediction) : (a.predictions as unknown[]).map(num).join(' ');
          return `${value}  (model ${a.model} v${a.version}, variant ${a.variant}, inferenceId ${a.inferenceId})`;
        });
      },
    );

  endpoints
    .command('experiment <name> [deploymentId]')
    .description('An A/B deployment: per-variant n, metric and interval, SRM, sequential test, decision.')
    .action(async (name: string, id: string | undefined) => {
      const { api, options } = context();
      const deploymentId = await deploymentIdOf(api, name, id);
      const experiment = await api.request<Json>(
        'GET',
        `/endpoints/${seg(name)}/deployments/${seg(deploymentId)}/experiment`,
      );
      print(options, experiment, experimentText);
    });
};
