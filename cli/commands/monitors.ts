import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { type CliContext, collectList, seg } from '../context';
import { print, formatTable as table } from '../output';
import { readRecords } from '../records-file';

// Loose shapes: the CLI prints what the API answers and relies on the API for validation.
type Json = Record<string, unknown>;
type Page = { items: Json[]; nextToken?: string };

const num = (value: unknown): string => (typeof value === 'number' ? value.toPrecision(3) : '-');

/** One line per run: when, status, rows, drift, health, performance, alerts. */
const summaryLine = (s: Json): string[] => {
  const drift = s.dataDrift as { drift: boolean; share: number } | undefined;
  const health = s.health as { healthy: boolean; issues: number } | undefined;
  const performance = s.performance as { metric: string; value: number | null } | undefined;
  return [
    String(s.finishedAt),
    String(s.status),
    String(s.rows),
    drift ? `${drift.drift ? 'DRIFT' : 'ok'} ${(drift.share * 100).toFixed(0)}%` : '-',
    health ? (health.healthy ? 'ok' : `${health.issues} issues`) : '-',
    performance?.value == null ? '-' : `${performance.metric} ${num(performance.value)}`,
    ((s.alerts as string[]) ?? []).join(',') || (s.error ? String(s.error) : ''),
    String(s.id),
  ];
};
const SUMMARY_HEADER = ['WHEN', 'STATUS', 'ROWS', 'DRIFT', 'HEALTH', 'PERFORMANCE', 'ALERTS', 'ID'];

/** The statistic that decided a column's verdict. */
const statistic = (f: Json): string => {
  switch (f.method) {
    case 'ks':
      return `D=${num(f.ksStatistic)} p=${num(f.ksPValue)}`;
    case 'wasserstein':
      return `W1/std=${num(f.wassersteinNormed)}`;
    case 'chisquare':
      return `chi2=${num(f.chiSquare)} p=${num(f.chiSquarePValue)}`;
    case 'jensenshannon':
      return `JS=${num(f.jensenShannon)}`;
    default:
      return String(f.method);
  }
};

const driftTable = (title: string, drift: { features: Record<string, Json> } | undefined): string[] =>
  drift
    ? [
        title,
        table([
          ['COLUMN', 'TYPE', 'VERDICT', 'STATISTIC', 'PSI', 'MISSING'],
          ...Object.entries(drift.features).map(([name, f]) => [
            name,
            String(f.type),
            String(f.verdict),
            statistic(f),
            num(f.psi),
            `${(((f.missingRate as { current: number }).current ?? 0) * 100).toFixed(1)}%`,
          ]),
        ]),
      ]
    : [];

/** `mlops monitors create|list|show|run|reports|report|delete|labels`. */
export const registerMonitorCommands = (program: Command, context: CliContext): void => {
  const monitors = program
    .command('monitors')
    .description('Model monitoring: drift, feature health and performance, on a schedule or now.');

  monitors
    .command('create <name>')
    .description('Create a monitor of a model (its champion unless --alias or --version).')
    .requiredOption('--model <model>', 'the model to watch')
    .requiredOption('--schedule <expression>', 'rate(1 day), cron(0 6 * * ? *), ...')
    .option('--alias <alias>', 'follow this alias (default champion)')
    .option('--version <n>', 'pin a version instead')
    .option(
      '--kind <kind>',
      'data-drift|prediction-drift|feature-health|performance (repeatable; default all)',
      collectList,
    )
    .option('--capture-uri <prefix>', 'capture prefix in the object store (default captures/{model}/)')
    .option('--dataset-uri <key>', 'a JSON Lines object to compare whole, instead of captures')
    .option('--window-hours <n>', 'hours of captures each run reads', '24')
    .option(
      '--thresholds <file.json>',
      'drift options: pValueThreshold, wassersteinThreshold, correction, ...',
    )
    .option('--retrain-after <n>', 'request retraining after N runs in a row with dataset drift')
    .action(async (name: string, local: Record<string, string | string[] | undefined>) => {
      const { api, options } = context();
      const created = await api.request<Json>('POST', '/monitors', {
        name,
        model: local.model,
        schedule: local.schedule,
        ...(local.alias ? { alias: local.alias } : {}),
        ...(local.version ? { version: Number(local.version) } : {}),
        ...(local.kind ? { kind: local.kind } : {}),
        ...(local.captureUri ? { dataSource: { captureUri: local.captureUri } } : {}),
        ...(local.datasetUri ? { dataSource: { datasetUri: local.datasetUri } } : {}),
        window: { hours: Number(local.windowHours) },
        ...(local.thresholds
          ? { thresholds: JSON.parse(await readFile(String(local.thresholds), 'utf8')) }
          : {}),
        ...(local.retrainAfter ? { retrain: { consecutiveRuns: Number(local.retrainAfter) } } : {}),
      });
      print(
        options,
        created,
        (m: Json) => `created monitor ${name} (${(m.kinds as string[]).join(', ')}; ${m.schedule})`,
      );
    });

  monitors
    .command('list')
    .description('List monitors.')
    .option('--limit <n>', 'page size', '100')
    .action(async (local: { limit: string }) => {
      const { api, options } = context();
      const page = await api.request<Page>('GET', `/monitors?limit=${seg(local.limit)}`);
      print(options, page, (p: Page) =>
        p.items.length === 0
          ? 'no monitors'
          : table([
              ['NAME', 'MODEL', 'TARGET', 'SCHEDULE', 'LAST RUN', 'STATUS'],
              ...p.items.map((m) => {
                const state = m.state as Json;
                return [
                  String(m.name),
                  String(m.model),
                  m.version === undefined ? `@${m.alias}` : `v${m.version}`,
                  String(m.schedule),
                  String(state.lastRunAt ?? '-'),
                  String(state.lastStatus ?? '-'),
                ];
              }),
            ]),
      );
    });

  monitors
    .command('show <name>')
    .description('Show a monitor with its settings and state.')
    .action(async (name: string) => {
      const { api, options } = context();
      const monitor = await api.request<Json>('GET', `/monitors/${seg(name)}`);
      print(options, monitor, (m: Json) => JSON.stringify(m, null, 2));
    });

  monitors
    .command('run <name>')
    .description('Run a monitor now and print the run summary.')
    .action(async (name: string) => {
      const { api, options } = context();
      const summary = await api.request<Json>('POST', `/monitors/${seg(name)}/runs`);
      print(options, summary, (s: Json) =>
        [table([SUMMARY_HEADER, summaryLine(s)]), s.reportUri ? `report: ${s.reportUri}` : '']
          .join('\n')
          .trimEnd(),
      );
    });

  monitors
    .command('reports <name>')
    .description('Run history of a monitor, newest first.')
    .option('--limit <n>', 'page size', '20')
    .action(async (name: string, local: { limit: string }) => {
      const { api, options } = context();
      const page = await api.request<Page>('GET', `/monitors/${seg(name)}/reports?limit=${seg(local.limit)}`);
      print(options, page, (p: Page) =>
        p.items.length === 0 ? 'no runs yet' : table([SUMMARY_HEADER, ...p.items.map(summaryLine)]),
      );
    });

  monitors
    .command('report <name> <id>')
    .description('A full report: per-column drift statistics, health issues, performance.')
    .action(async (name: string, id: string) => {
      const { api, options } = context();
      const report = await api.request<Json>('GET', `/monitors/${seg(name)}/reports/${seg(id)}`);
      print(options, report, (r: Json) => {
        const health = r.health as { issues: { message: string }[] } | undefined;
        const performance = r.performance as { verdict: string; metrics: Json; labelled: number } | undefined;
        return [
          `${r.monitor}: model ${r.model} version ${r.version}, ${(r.counts as Json).rows} rows, alerts: ${(r.alerts as string[]).join(', ') || 'none'}`,
          ...driftTable('data drift', r.dataDrift as { features: Record<string, Json> } | undefined),
          ...driftTable(
            'prediction drift',
            r.predictionDrift as { features: Record<string, Json> } | undefined,
          ),
          ...(health
            ? [
                'feature health',
                ...(health.issues.map((i) => `  ${i.message}`) || []),
                ...(health.issues.length ? [] : ['  healthy']),
              ]
            : []),
          ...(performance
            ? [
                `performance: ${performance.verdict}, ${performance.labelled} labelled, ${JSON.stringify(performance.metrics)}`,
              ]
            : []),
        ].join('\n');
      });
    });

  monitors
    .command('delete <name>')
    .description('Delete a monitor and its schedule (its reports stay).')
    .action(async (name: string) => {
      const { api, options } = context();
      await api.request<Json>('DELETE', `/monitors/${seg(name)}`);
      print(options, { deleted: name }, () => `deleted monitor ${name}`);
    });

  monitors
    .command('labels <model> <file>')
    .description('Post delayed ground truth: a CSV or JSON Lines file of inferenceId, label[, timestamp].')
    .action(async (model: string, file: string) => {
      const { api, options } = context();
      let batch: Json[] = [];
      let accepted = 0;
      const flush = async () => {
        if (batch.length === 0) return;
        accepted += (
          await api.request<{ accepted: number }>('POST', `/models/${seg(model)}/labels`, { labels: batch })
        ).accepted;
        batch = [];
      };
      for await (const row of readRecords(file, { label: 'float' })) {
        batch.push({
          inferenceId: String(row.inferenceId),
          label: row.label as Json[string],
          ...(row.timestamp ? { timestamp: row.timestamp } : {}),
        });
        if (batch.length === 1000) await flush();
      }
      await flush();
      print(options, { model, accepted }, () => `stored ${accepted} labels for ${model}`);
    });
};
