import * as z from 'zod';
import { PaginationQuery, pageOf } from '../shared/http/pagination';
import { defineRoute } from '../shared/http/route';
import {
  AliasName,
  AliasView,
  AuditEntryView,
  CreateModelBody,
  DecisionBody,
  LineageView,
  ModelName,
  ModelView,
  MoveAliasBody,
  RegisterVersionBody,
  VERSION_STATUSES,
  VersionParam,
  VersionView,
} from './schemas';

const ModelParams = z.strictObject({ name: ModelName });
const VersionParams = z.strictObject({ name: ModelName, version: VersionParam });
const AliasParams = z.strictObject({ name: ModelName, alias: AliasName });
const tags = ['registry'];

/** The model registry: models, versions with an approval workflow, aliases, audit trail, lineage. */
export const registryRoutes = {
  createModel: defineRoute({
    operationId: 'createModel',
    method: 'POST',
    path: '/models',
    summary:
      'Create a model with its card. protectedAliases (default [champion]) may only point at Approved versions; approvers, when given, are the only callers who may decide approvals or move protected aliases. 409 if the name exists.',
    tags,
    request: { body: CreateModelBody },
    responses: { 201: { description: 'Created.', schema: ModelView } },
  }),
  listModels: defineRoute({
    operationId: 'listModels',
    method: 'GET',
    path: '/models',
    summary: 'Models in name order.',
    tags,
    request: { query: PaginationQuery },
    responses: { 200: { description: 'A page of models.', schema: pageOf(ModelView) } },
  }),
  getModel: defineRoute({
    operationId: 'getModel',
    method: 'GET',
    path: '/models/{name}',
    summary: 'A model, its card and where each of its aliases points.',
    tags,
    request: { params: ModelParams },
    responses: { 200: { description: 'The model.', schema: ModelView } },
  }),
  registerModelVersion: defineRoute({
    operationId: 'registerModelVersion',
    method: 'POST',
    path: '/models/{name}/versions',
    summary:
      'Register the next version (1, 2, ... with no gap or duplicate under concurrent callers) as PendingApproval, with its artifact, metrics, params, signature and lineage.',
    tags,
    request: { params: ModelParams, body: RegisterVersionBody },
    responses: { 201: { description: 'Registered.', schema: VersionView } },
  }),
  listModelVersions: defineRoute({
    operationId: 'listModelVersions',
    method: 'GET',
    path: '/models/{name}/versions',
    summary: 'Versions of a model in number order (order=desc for newest first), optionally of one status.',
    tags,
    request: {
      params: ModelParams,
      query: PaginationQuery.extend({
        status: z.enum(VERSION_STATUSES).optional().describe('Only versions with this status.'),
        order: z.enum(['asc', 'desc']).default('asc').describe('By version number.'),
      }),
    },
    responses: { 200: { description: 'A page of versions.', schema: pageOf(VersionView) } },
  }),
  getModelVersion: defineRoute({
    operationId: 'getModelVersion',
    method: 'GET',
    path: '/models/{name}/versions/{version}',
    summary: 'One version, with its status, decisions and the aliases that point at it.',
    tags,
    request: { params: VersionParams },
    responses: { 200: { description: 'The version.', schema: VersionView } },
  }),
  decideModelVersion: defineRoute({
    operationId: 'decideModelVersion',
    method: 'POST',
    path: '/models/{name}/versions/{version}/approval',
    summary:
      'Decide on a version: Approved or Rejected (from PendingApproval), or Archived (from Approved; refused with 409 while an alias points at it). Records reviewer, comment and the authenticated caller in the audit trail. 403 if the model lists approvers and the caller is not one.',
    tags,
    request: { params: VersionParams, body: DecisionBody },
    responses: { 200: { description: 'The version after the decision.', schema: VersionView } },
  }),
  setModelAlias: defineRoute({
    operationId: 'setModelAlias',
    method: 'PUT',
    path: '/models/{name}/aliases/{alias}',
    summary:
      'Point an alias at a version, atomically and audited (from, to, who, when). Protected aliases (champion, ...) take Approved versions only (409 otherwise) and, when the model lists approvers, approvers only (403). No alias may point at an Archived version.',
    tags,
    request: { params: AliasParams, body: MoveAliasBody },
    responses: { 200: { description: 'Where the alias points now.', schema: AliasView } },
  }),
  getModelAlias: defineRoute({
    operationId: 'getModelAlias',
    method: 'GET',
    path: '/models/{name}/aliases/{alias}',
    summary: 'Where an alias points now, or with ?at=<ISO-8601> where it pointed at that instant.',
    tags,
    request: {
      params: AliasParams,
      query: z.strictObject({
        at: z.iso.datetime({ offset: true }).optional().describe('An instant, e.g. 2026-11-28T10:00:00Z.'),
      }),
    },
    responses: { 200: { description: 'The alias.', schema: AliasView } },
  }),
  listModelHistory: defineRoute({
    operationId: 'listModelHistory',
    method: 'GET',
    path: '/models/{name}/history',
    summary:
      'The audit trail of a model, newest first: creation, registrations, decisions, alias moves, deployments.',
    tags,
    request: { params: ModelParams, query: PaginationQuery },
    responses: { 200: { description: 'A page of audit entries.', schema: pageOf(AuditEntryView) } },
  }),
  getModelVersionLineage: defineRoute({
    operationId: 'getModelVersionLineage',
    method: 'GET',
    path: '/models/{name}/versions/{version}/lineage',
    summary:
      'The lineage graph of a version: datasets, feature groups and service, training run, code, pipeline execution, artifact, and the deployments in the audit trail.',
    tags,
    request: { params: VersionParams },
    responses: { 200: { description: 'Nodes and edges, upstream to downstream.', schema: LineageView } },
  }),
} as const;
