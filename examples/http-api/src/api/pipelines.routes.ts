import { pipelineInputSchema, stageInputSchema, stagePatchSchema } from '@crmkit/core';
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Host } from '../host/host.js';
import type { ApiEnv } from '../http/env.js';
import { listOptions, listQuerySchema, sendPage } from '../http/pages.js';
import { idParamSchema } from '../http/records.js';
import { reply, replyRecord } from '../http/reply.js';
import { errorResponses, ifMatchHeader, jsonBody, jsonResponse, recordResponse } from '../http/routes.js';
import { notModified, writeOptions } from '../http/versions.js';
import { pipelinePageSchema, pipelineRenameSchema, pipelineSchema } from './pipelines.schemas.js';

const tags = ['Pipelines'];
const stageParamSchema = z.object({
  id: z.string().min(1).max(64).openapi({ param: { name: 'id', in: 'path' } }),
  stage: z.string().min(1).max(64).openapi({ param: { name: 'stage', in: 'path' }, description: 'A stage key or id', example: 'engaging' }),
});
const changedPipeline = (what: string) => recordResponse(pipelineSchema, `The pipeline ${what}, its version bumped`);

const list = createRoute({
  method: 'get', path: '/pipelines', tags, summary: 'List pipelines',
  request: { query: listQuerySchema },
  responses: { 200: jsonResponse(pipelinePageSchema, 'A page of pipelines, each with its stages in order'), ...errorResponses },
});
const create = createRoute({
  method: 'post', path: '/pipelines', tags, summary: 'Create a pipeline with its stages',
  description: 'A name taken by another pipeline is a 409 `DUPLICATE`; at least one stage must be open.',
  request: { body: jsonBody(pipelineInputSchema) },
  responses: { 201: recordResponse(pipelineSchema, 'The pipeline created'), ...errorResponses },
});
const get = createRoute({
  method: 'get', path: '/pipelines/{id}', tags, summary: 'Read a pipeline with its stages',
  request: { params: idParamSchema },
  responses: { 200: recordResponse(pipelineSchema, 'The pipeline'), 304: { description: 'If-None-Match names the current version' }, ...errorResponses },
});
const rename = createRoute({
  method: 'patch', path: '/pipelines/{id}', tags, summary: 'Rename a pipeline',
  request: { params: idParamSchema, headers: ifMatchHeader, body: jsonBody(pipelineRenameSchema) },
  responses: { 200: changedPipeline('renamed'), ...errorResponses },
});
const addStage = createRoute({
  method: 'post', path: '/pipelines/{id}/stages', tags, summary: 'Append a stage',
  description: 'A key already used in the pipeline is a 409 `DUPLICATE`. If-Match names the pipeline\'s version.',
  request: { params: idParamSchema, headers: ifMatchHeader, body: jsonBody(stageInputSchema) },
  responses: { 201: changedPipeline('with the stage appended'), ...errorResponses },
});
const updateStage = createRoute({
  method: 'patch', path: '/pipelines/{id}/stages/{stage}', tags, summary: 'Change a stage',
  description: 'Deals in the stage keep the probability they entered with; a new `category` reclassifies them. If-Match names the pipeline\'s version.',
  request: { params: stageParamSchema, headers: ifMatchHeader, body: jsonBody(stagePatchSchema) },
  responses: { 200: changedPipeline('with the stage changed'), ...errorResponses },
});

/** `/pipelines` and their stages: crmkit's `t.pipelines`. */
export function pipelineRoutes(api: OpenAPIHono<ApiEnv>, _host: Host): void {
  api.openapi(list, async (c) => reply(c, sendPage(c, await c.var.t.pipelines.list(listOptions(c.req.valid('query'))))));
  api.openapi(create, async (c) => replyRecord(c, await c.var.t.pipelines.create(c.req.valid('json')), 201));
  api.openapi(get, async (c) => {
    const pipeline = await c.var.t.pipelines.get(c.req.valid('param').id);
    return notModified(c, pipeline) ? (c.body(null, 304) as never) : replyRecord(c, pipeline);
  });
  api.openapi(rename, async (c) => replyRecord(c, await c.var.t.pipelines.rename(c.req.valid('param').id, c.req.valid('json').name, writeOptions(c))));
  api.openapi(addStage, async (c) => replyRecord(c, await c.var.t.pipelines.addStage(c.req.valid('param').id, c.req.valid('json'), writeOptions(c)), 201));
  api.openapi(updateStage, async (c) => {
    const { id, stage } = c.req.valid('param');
    return replyRecord(c, await c.var.t.pipelines.updateStage(id, stage, c.req.valid('json'), writeOptions(c)));
  });
}
