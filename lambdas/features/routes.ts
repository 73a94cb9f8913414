import { PaginationQuery, pageOf } from '../shared/http/pagination';
import { defineRoute } from '../shared/http/route';
import { FeatureGroupBody } from './definitions/definitions';
import {
  GroupParams,
  GroupVersionView,
  GroupView,
  IngestBody,
  IngestView,
  OnlineBody,
  OnlineView,
  QuarantineView,
  ServiceBody,
  ServiceDetailView,
  ServiceParams,
  ServiceView,
  TrainingSetBody,
  TrainingSetParams,
  TrainingSetView,
} from './schemas';

const tags = ['features'];

/** The feature store's definitions and online side: groups, ingestion, quarantine, online reads, services. */
export const featureRoutes = {
  applyFeatureGroup: defineRoute({
    operationId: 'applyFeatureGroup',
    method: 'POST',
    path: '/feature-groups',
    summary:
      'Create a feature group or its next version. Identical → 200 with the latest version; additive change (new nullable feature, documentation, ttl, tighter rules) → 201 version n+1; breaking change → 409 listing each difference, unless "breaking": true.',
    tags,
    request: { body: FeatureGroupBody },
    responses: {
      200: { description: 'Identical to the latest version; nothing changed.', schema: GroupVersionView },
      201: { description: 'A new version.', schema: GroupVersionView },
    },
  }),
  listFeatureGroups: defineRoute({
    operationId: 'listFeatureGroups',
    method: 'GET',
    path: '/feature-groups',
    summary: 'Feature groups in name order, each as its latest version.',
    tags,
    request: { query: PaginationQuery },
    responses: { 200: { description: 'A page of groups.', schema: pageOf(GroupVersionView) } },
  }),
  getFeatureGroup: defineRoute({
    operationId: 'getFeatureGroup',
    method: 'GET',
    path: '/feature-groups/{name}',
    summary:
      'A feature group: every version, freshness, quality statistics per version, and the services and models using it.',
    tags,
    request: { params: GroupParams },
    responses: { 200: { description: 'The group.', schema: GroupView } },
  }),
  ingestFeatureRecords: defineRoute({
    operationId: 'ingestFeatureRecords',
    method: 'POST',
    path: '/feature-groups/{name}/records',
    summary:
      'Ingest records: each is validated; rejected ones go to quarantine with their reasons; accepted ones go to the offline store and the online store (an older event never overwrites a newer one).',
    tags,
    request: { params: GroupParams, body: IngestBody },
    responses: {
      200: { description: 'What was accepted and what was rejected, and why.', schema: IngestView },
    },
  }),
  listFeatureQuarantine: defineRoute({
    operationId: 'listFeatureQuarantine',
    method: 'GET',
    path: '/feature-groups/{name}/quarantine',
    summary: 'Rejected records of a group with their reasons, newest first; kept 30 days.',
    tags,
    request: { params: GroupParams, query: PaginationQuery },
    responses: { 200: { description: 'A page of quarantined records.', schema: pageOf(QuarantineView) } },
  }),
  readOnlineFeatures: defineRoute({
    operationId: 'readOnlineFeatures',
    method: 'POST',
    path: '/features/online',
    summary:
      'Latest feature values of entities, in their order, in one store round trip. Status PRESENT, MISSING, or EXPIRED (older than the TTL at read time; never PRESENT).',
    tags,
    request: { body: OnlineBody },
    responses: { 200: { description: 'One result per entity.', schema: OnlineView } },
  }),
  applyFeatureService: defineRoute({
    operationId: 'applyFeatureService',
    method: 'POST',
    path: '/feature-services',
    summary:
      'Create a feature service or its next version (references pinned to group versions); identical → 200 with the latest version. usedBy adds models to the service.',
    tags,
    request: { body: ServiceBody },
    responses: {
      200: { description: 'Identical to the latest version.', schema: ServiceView },
      201: { description: 'A new version.', schema: ServiceView },
    },
  }),
  getFeatureService: defineRoute({
    operationId: 'getFeatureService',
    method: 'GET',
    path: '/feature-services/{name}',
    summary: 'A feature service with every version and the models using it.',
    tags,
    request: { params: ServiceParams },
    responses: { 200: { description: 'The service.', schema: ServiceDetailView } },
  }),
  createTrainingSet: defineRoute({
    operationId: 'createTrainingSet',
    method: 'POST',
    path: '/training-sets',
    summary:
      'A point-in-time correct training set: for each entity row, the latest values at or before its eventTime within TTL (else null); feature columns are group__feature.',
    tags,
    request: { body: TrainingSetBody },
    responses: { 201: { description: 'Built and stored as Parquet.', schema: TrainingSetView } },
  }),
  getTrainingSet: defineRoute({
    operationId: 'getTrainingSet',
    method: 'GET',
    path: '/training-sets/{id}',
    summary: 'Describe a training set.',
    tags,
    request: { params: TrainingSetParams },
    responses: { 200: { description: 'The training set.', schema: TrainingSetView } },
  }),
  getTrainingSetRows: defineRoute({
    operationId: 'getTrainingSetRows',
    method: 'GET',
    path: '/training-sets/{id}/rows',
    summary: "The rows as NDJSON, one object per line in schema order (their SHA-256 is the set's sha256).",
    tags,
    request: { params: TrainingSetParams },
    responses: { 200: { description: 'The rows.', contentType: 'application/x-ndjson' } },
  }),
} as const;
