import * as z from 'zod';
import { PaginationQuery, pageOf } from '../shared/http/pagination';
import { defineRoute } from '../shared/http/route';
import {
  CreatedEndpointView,
  CreateEndpointBody,
  DeploymentBody,
  DeploymentId,
  DeploymentView,
  EndpointName,
  EndpointView,
  ExperimentView,
  InvocationBody,
  InvocationView,
  RollbackBody,
  StartedDeploymentView,
} from './schemas';

const EndpointParams = z.strictObject({ name: EndpointName });
const DeploymentParams = z.strictObject({ name: EndpointName, id: DeploymentId });
const tags = ['deployments'];

/** Serving: endpoints with weighted variants, gradual deployments with guards, instant rollback. */
export const deploymentRoutes = {
  createEndpoint: defineRoute({
    operationId: 'createEndpoint',
    method: 'POST',
    path: '/endpoints',
    summary:
      'Create an endpoint serving one Approved version (or the version an alias points at) at 100 %. 409 if the name exists or the version is not Approved.',
    tags,
    request: { body: CreateEndpointBody },
    responses: { 202: { description: 'Accepted.', schema: CreatedEndpointView } },
  }),
  listEndpoints: defineRoute({
    operationId: 'listEndpoints',
    method: 'GET',
    path: '/endpoints',
    summary: 'Endpoints in name order.',
    tags,
    request: { query: PaginationQuery },
    responses: { 200: { description: 'A page of endpoints.', schema: pageOf(EndpointView) } },
  }),
  getEndpoint: defineRoute({
    operationId: 'getEndpoint',
    method: 'GET',
    path: '/endpoints/{name}',
    summary: 'An endpoint: its variants with weights and roles, its active deployment and its history.',
    tags,
    request: { params: EndpointParams },
    responses: { 200: { description: 'The endpoint.', schema: EndpointView } },
  }),
  deleteEndpoint: defineRoute({
    operationId: 'deleteEndpoint',
    method: 'DELETE',
    path: '/endpoints/{name}',
    summary: 'Delete an endpoint (and stop its active deployment). A deleted endpoint costs nothing.',
    tags,
    request: { params: EndpointParams },
    responses: { 204: { description: 'Deleted.' } },
  }),
  startDeployment: defineRoute({
    operationId: 'startDeployment',
    method: 'POST',
    path: '/endpoints/{name}/deployments',
    summary:
      'Deploy a version: all-at-once, canary or linear (weight steps, a bake time each, guards evaluated after each bake; a failed guard rolls back), shadow (a share of requests mirrored, answers never returned), or ab (production A and the new version B both serve, `steps: [B percent]`, default 50, sticky by `key`; every `bakeSeconds` (default 3600) is one look of the sequential test; see the experiment route). Only Approved versions take production traffic (409); a canary without guards is refused (400).',
    tags,
    request: { params: EndpointParams, body: DeploymentBody },
    responses: { 202: { description: 'Started.', schema: StartedDeploymentView } },
  }),
  getDeployment: defineRoute({
    operationId: 'getDeployment',
    method: 'GET',
    path: '/endpoints/{name}/deployments/{id}',
    summary:
      'A deployment: status, strategy, phases with weights and guard evaluations, decision and reason.',
    tags,
    request: { params: DeploymentParams },
    responses: { 200: { description: 'The deployment.', schema: DeploymentView } },
  }),
  getExperiment: defineRoute({
    operationId: 'getExperiment',
    method: 'GET',
    path: '/endpoints/{name}/deployments/{id}/experiment',
    summary:
      'An A/B deployment\'s experiment. Outcomes are labels posted to POST /models/{model}/labels, joined by inferenceId with the variant that answered it (every answered inference of the deployment is assigned). metric binary: a label of 1, true, "1" or "true" is a success, 0, false, "0" or "false" a failure, other labels are not counted; the metric is the success proportion with a Wilson interval. metric continuous: a numeric label (or a string holding a number) is the outcome, others are not counted; the metric is the mean with a t interval. Per variant: assigned inferences, n (labelled outcomes), metric, interval at 1 − alpha. srm: chi-square of the assigned counts against the split (mismatch when p < 0.001). sequential: the mSPRT (normal mixture, τ² = mde²) statistic Λ and always-valid p-value over the looks (each driver evaluation is one look, kept in the deployment). fixedHorizon: two-proportion z or Welch t, for information only. decision: B (B wins: promoted), A (A wins: production kept), invalid-srm (the deployment stops, FAILED), no-evidence-yet (it stays IN_PROGRESS). While in progress the answer is a read of the data so far over the recorded looks (final: false); once ended, the look that ended it (final: true). 404 for a deployment that is not A/B.',
    tags,
    request: { params: DeploymentParams },
    responses: { 200: { description: 'The experiment.', schema: ExperimentView } },
  }),
  rollbackEndpoint: defineRoute({
    operationId: 'rollbackEndpoint',
    method: 'POST',
    path: '/endpoints/{name}/rollback',
    summary:
      'Instant rollback: the previous production version back at 100 % in one conditional write, effective for the next request; an active deployment is stopped. Audited.',
    tags,
    request: { params: EndpointParams, body: RollbackBody },
    responses: { 200: { description: 'The endpoint after the rollback.', schema: EndpointView } },
  }),
  invokeEndpoint: defineRoute({
    operationId: 'invokeEndpoint',
    method: 'POST',
    path: '/endpoints/{name}/invocations',
    summary:
      'A prediction: the variant chosen by weight (sticky by key), named features encoded with the version encoding, a share mirrored to the shadow; every answered request is captured for monitoring.',
    tags,
    request: { params: EndpointParams, body: InvocationBody },
    responses: { 200: { description: 'The prediction.', schema: InvocationView } },
  }),
} as const;
