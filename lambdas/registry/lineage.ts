import { apiPage } from '../shared/page';
import type { RegistryDeps } from './deps';
import { historyPk } from './keys';
import { loadModel, type PageRequest } from './models';
import { type AuditEntry, decodeAuditEntry, type VersionRecord } from './records';
import { loadVersion } from './versions';

/** The audit trail of a model, newest first. */
export const listHistory = async (
  deps: RegistryDeps,
  name: string,
  page: PageRequest,
): Promise<{ items: AuditEntry[]; nextToken?: string }> => {
  await loadModel(deps, name);
  return apiPage(
    await deps.store.query(historyPk(name), { limit: page.limit, cursor: page.cursor, descending: true }),
    decodeAuditEntry,
  );
};

export interface LineageNode {
  readonly id: string;
  readonly type:
    | 'dataset'
    | 'featureGroup'
    | 'featureService'
    | 'trainingRun'
    | 'code'
    | 'pipelineExecution'
    | 'artifact'
    | 'modelVersion'
    | 'deployment';
  readonly [field: string]: unknown;
}

export interface LineageEdge {
  readonly from: string;
  readonly to: string;
  /** input, member, code, orchestrated, produced, registeredAs, deployedAs. */
  readonly type: string;
}

export interface LineageGraph {
  readonly model: string;
  readonly version: number;
  readonly nodes: LineageNode[];
  readonly edges: LineageEdge[];
}

/**
 * How much of the audit trail a lineage read scans for deployments. A model with a longer trail shows
 * the deployments among its newest entries only; a per-version deployment index would lift this.
 */
export const MAX_HISTORY_SCAN = 10_000;

/**
 * The lineage graph of a version, upstream to downstream: datasets and feature groups (through the
 * feature service, if any) and code feed the training run (or the version directly, without one); the
 * run or the pipeline execution produced the artifact; the artifact was registered as the version; the
 * version went to the deployments the audit trail records (entries of kind `deployment`).
 */
export const getLineage = async (
  deps: RegistryDeps,
  name: string,
  version: number,
): Promise<LineageGraph> => {
  const record = (await loadVersion(deps, name, version)).data;
  const graph = lineageOf(record);
  const deployments = await deploymentsOf(deps, name, version);
  for (const entry of deployments) {
    const id = `deployment:${String(entry.deploymentId ?? entry.id)}`;
    const { kind: _kind, model: _model, version: _version, ...fields } = entry;
    graph.nodes.push({ ...fields, id, type: 'deployment', auditId: entry.id });
    graph.edges.push({ from: modelVersionId(record), to: id, type: 'deployedAs' });
  }
  return graph;
};

const modelVersionId = (record: Pick<VersionRecord, 'model' | 'version'>) =>
  `modelVersion:${record.model}/${record.version}`;

/** The graph a version's own record describes: everything but deployments. Pure. */
export const lineageOf = (record: VersionRecord): LineageGraph => {
  const nodes = new Map<string, LineageNode>();
  const edges: LineageEdge[] = [];
  const add = (node: LineageNode): string => {
    if (!nodes.has(node.id)) nodes.set(node.id, node);
    return node.id;
  };
  const lineage = record.lineage;
  const versionId = add({
    id: modelVersionId(record),
    type: 'modelVersion',
    model: record.model,
    version: record.version,
    status: record.status,
  });
  const artifactId = add({
    id: `artifact:${record.artifactSha256}`,
    type: 'artifact',
    uri: record.artifactUri,
    sha256: record.artifactSha256,
  });
  edges.push({ from: artifactId, to: versionId, type: 'registeredAs' });

  const run = lineage?.trainingRun;
  // Inputs feed the training run when there is one, else the version itself.
  const consumer = run ? add({ id: `trainingRun:${run.runId}`, type: 'trainingRun', ...run }) : versionId;
  if (run) edges.push({ from: consumer, to: artifactId, type: 'produced' });

  for (const dataset of lineage?.datasets ?? []) {
    const id = add({ id: `dataset:${dataset.sha256}`, type: 'dataset', ...dataset });
    edges.push({ from: id, to: consumer, type: 'input' });
  }
  const service = lineage?.featureService;
  const serviceId = service
    ? add({ id: `featureService:${service.name}@${service.version}`, type: 'featureService', ...service })
    : undefined;
  if (serviceId) edges.push({ from: serviceId, to: consumer, type: 'input' });
  for (const group of lineage?.featureGroups ?? []) {
    const id = add({ id: `featureGroup:${group.name}@${group.version}`, type: 'featureGroup', ...group });
    edges.push({ from: id, to: serviceId ?? consumer, type: serviceId ? 'member' : 'input' });
  }
  const code = lineage?.code;
  if (code && (code.gitSha !== undefined || code.image !== undefined)) {
    const id = add({ id: `code:${code.gitSha ?? code.image}`, type: 'code', ...code });
    edges.push({ from: id, to: consumer, type: 'code' });
  }
  const execution = lineage?.pipelineExecution;
  if (execution) {
    const id = add({
      id: `pipelineExecution:${execution.executionId}`,
      type: 'pipelineExecution',
      ...execution,
    });
    edges.push(
      run ? { from: id, to: consumer, type: 'orchestrated' } : { from: id, to: artifactId, type: 'produced' },
    );
  }
  return { model: record.model, version: record.version, nodes: [...nodes.values()], edges };
};

const deploymentsOf = async (deps: RegistryDeps, name: string, version: number): Promise<AuditEntry[]> => {
  const found: AuditEntry[] = [];
  let cursor: string | undefined;
  let scanned = 0;
  do {
    const page = await deps.store.query(historyPk(name), { limit: 1000, cursor, descending: true });
    for (const item of page.items) {
      const entry = decodeAuditEntry(item);
      if (entry.kind === 'deployment' && entry.version === version) found.push(entry);
    }
    scanned += page.items.length;
    cursor = page.cursor;
  } while (cursor !== undefined && scanned < MAX_HISTORY_SCAN);
  // Oldest first reads as the version's deployment story.
  return found.reverse();
};
