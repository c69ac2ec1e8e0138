import type {
  ActivityOptions, CaseBacklogOptions, CaseChannel, CasePriority, CaseReportDimension, CaseType, OrderStatus, LeadSourceDimension, RepeatPurchaseOptions, RfmOptions, SalesCycleDimension,
  SlaComplianceOptions, WinLossDimension,
} from '@crmkit/core';
import { rfmScoresOptionsSchema } from '@crmkit/core';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Host } from '../host/host.js';
import type { ApiEnv } from '../http/env.js';
import { listOptions } from '../http/pages.js';
import { idParamSchema } from '../http/records.js';
import { reply } from '../http/reply.js';
import { errorResponses, jsonBody, jsonResponse } from '../http/routes.js';
import {
  activityQuery, byOf, caseBacklogQuery, caseReportQuery, dealCohortQuery, forecastQuery, given, leadSourcesQuery, listOf, pipelineSummaryQuery,
  repeatPurchaseQuery, rfmQuery, salesCycleQuery, winLossQuery,
} from './reports.query.js';
import {
  activityRowSchema, caseBacklogRowSchema, forecastRowSchema, funnelSchema, leadSourceRowSchema, pipelineSummarySchema, repeatPurchaseSchema,
  responseTimesRowSchema, rfmRefreshSchema, rfmReportSchema, rowsSchema, salesCycleRowSchema, slaComplianceRowSchema, stageVelocityRowSchema,
  winLossRowSchema,
} from './reports.schemas.js';

const tags = ['Reports'];
const get = (path: string, summary: string) => ({ method: 'get' as const, path, tags, summary });

const pipelineSummary = createRoute({
  ...get('/reports/pipelines/{id}/summary', "Deals per stage of a pipeline: count, amount, weighted amount"),
  request: { params: idParamSchema, query: pipelineSummaryQuery },
  responses: { 200: jsonResponse(pipelineSummarySchema, 'The summary, every stage in pipeline order'), ...errorResponses },
});
const funnel = createRoute({
  ...get('/reports/pipelines/{id}/funnel', 'Conversion funnel of a pipeline, from stage history'),
  request: { params: idParamSchema, query: dealCohortQuery },
  responses: { 200: jsonResponse(funnelSchema, 'Per stage: deals that entered, moved on, were won'), ...errorResponses },
});
const stageVelocity = createRoute({
  ...get('/reports/pipelines/{id}/stage-velocity', 'Time deals spent in each stage of a pipeline'),
  request: { params: idParamSchema, query: dealCohortQuery },
  responses: { 200: jsonResponse(rowsSchema(stageVelocityRowSchema, 'StageVelocity'), 'Completed stays per stage'), ...errorResponses },
});
const forecast = createRoute({
  ...get('/reports/forecast', 'Forecast per period and forecast category'),
  request: { query: forecastQuery },
  responses: { 200: jsonResponse(rowsSchema(forecastRowSchema, 'Forecast'), 'Open deals by expected close, closed deals by close'), ...errorResponses },
});
const winLoss = createRoute({
  ...get('/reports/win-loss', 'Won and lost deals, win rate and loss reasons'),
  request: { query: winLossQuery },
  responses: { 200: jsonResponse(rowsSchema(winLossRowSchema, 'WinLoss'), 'A row per group'), ...errorResponses },
});
const salesCycle = createRoute({
  ...get('/reports/sales-cycle', 'Days from creation to close of closed deals'),
  request: { query: salesCycleQuery },
  responses: { 200: jsonResponse(rowsSchema(salesCycleRowSchema, 'SalesCycle'), 'A row per group'), ...errorResponses },
});
const activity = createRoute({
  ...get('/reports/activity', 'Calls, emails, meetings and tasks completed per member and period'),
  request: { query: activityQuery },
  responses: { 200: jsonResponse(rowsSchema(activityRowSchema, 'Activity'), 'A row per member and period'), ...errorResponses },
});
const leadSources = createRoute({
  ...get('/reports/lead-sources', 'Contacts per source and how many converted'),
  request: { query: leadSourcesQuery },
  responses: { 200: jsonResponse(rowsSchema(leadSourceRowSchema, 'LeadSources'), 'A row per source and/or period'), ...errorResponses },
});
const slaCompliance = createRoute({
  ...get('/reports/sla-compliance', 'Share of cases that met their first-response and resolution targets'),
  request: { query: caseReportQuery },
  responses: { 200: jsonResponse(rowsSchema(slaComplianceRowSchema, 'SlaCompliance'), 'A row per group'), ...errorResponses },
});
const responseTimes = createRoute({
  ...get('/reports/response-times', 'Median and p90 first-response and resolution times'),
  request: { query: caseReportQuery },
  responses: { 200: jsonResponse(rowsSchema(responseTimesRowSchema, 'ResponseTimes'), 'A row per group'), ...errorResponses },
});
const caseBacklog = createRoute({
  ...get('/reports/case-backlog', 'Open cases per status and priority, by age'),
  request: { query: caseBacklogQuery },
  responses: { 200: jsonResponse(rowsSchema(caseBacklogRowSchema, 'CaseBacklog'), 'A row per status and priority'), ...errorResponses },
});
const rfm = createRoute({
  ...get('/reports/rfm', 'RFM scores of the customers: cells, segments and a page of customers'),
  request: { query: rfmQuery },
  responses: { 200: jsonResponse(rfmReportSchema, 'The RFM report'), ...errorResponses },
});
const refreshRfm = createRoute({
  method: 'post', path: '/reports/rfm/scores', tags, summary: 'Recompute and store the RFM scores that segments filter on',
  request: { body: jsonBody(rfmScoresOptionsSchema.unwrap().unwrap(), "Options of crmkit's `customers.refreshRfmScores`") },
  responses: { 200: jsonResponse(rfmRefreshSchema, 'What was stored'), ...errorResponses },
});
const repeatPurchase = createRoute({
  ...get('/reports/repeat-purchase', 'Share of customers with two orders or more, and the time between orders'),
  request: { query: repeatPurchaseQuery },
  responses: { 200: jsonResponse(repeatPurchaseSchema, 'The repeat-purchase figures'), ...errorResponses },
});

/**
 * `/reports`: crmkit's `t.reports`, computed in the database as the signed-in
 * member (a report counts only the records they may read). Options are query
 * parameters; crmkit validates them in full, so an option it refuses is a 422
 * with its issues.
 */
export function reportRoutes(api: OpenAPIHono<ApiEnv>, _host: Host): void {
  api.openapi(pipelineSummary, async (c) => {
    const { currency, where } = c.req.valid('query');
    // The where-tree is parsed as every list parses it, so a malformed one is the same 400.
    const filter = listOptions({ limit: 1, where }).where;
    return reply(c, await c.var.t.reports.pipelineSummary(c.req.valid('param').id, given({ currency, where: filter })));
  });
  api.openapi(funnel, async (c) => reply(c, await c.var.t.reports.funnel(c.req.valid('param').id, given(c.req.valid('query')))));
  api.openapi(stageVelocity, async (c) => {
    return reply(c, { rows: await c.var.t.reports.stageVelocity(c.req.valid('param').id, given(c.req.valid('query'))) });
  });
  api.openapi(forecast, async (c) => reply(c, { rows: await c.var.t.reports.forecast(given(c.req.valid('query'))) }));
  api.openapi(winLoss, async (c) => {
    const { by, ...rest } = c.req.valid('query');
    return reply(c, { rows: await c.var.t.reports.winLoss(given({ ...rest, by: byOf<WinLossDimension>(by) })) });
  });
  api.openapi(salesCycle, async (c) => {
    const { by, ...rest } = c.req.valid('query');
    return reply(c, { rows: await c.var.t.reports.salesCycle(given({ ...rest, by: byOf<SalesCycleDimension>(by) })) });
  });
  api.openapi(activity, async (c) => {
    const { memberIds, ...rest } = c.req.valid('query');
    const options: ActivityOptions = given({ ...rest, memberIds: listOf(memberIds) });
    return reply(c, { rows: await c.var.t.reports.activity(options) });
  });
  api.openapi(leadSources, async (c) => {
    const { by, ...rest } = c.req.valid('query');
    return reply(c, { rows: await c.var.t.reports.leadSources(given({ ...rest, by: byOf<LeadSourceDimension>(by) })) });
  });
  api.openapi(slaCompliance, async (c) => reply(c, { rows: await c.var.t.reports.slaCompliance(caseReportOptions(c.req.valid('query'))) }));
  api.openapi(responseTimes, async (c) => reply(c, { rows: await c.var.t.reports.responseTimes(caseReportOptions(c.req.valid('query'))) }));
  api.openapi(caseBacklog, async (c) => {
    const { ageDays, channels, types, ...rest } = c.req.valid('query');
    const options: CaseBacklogOptions = given({ ...rest, ageDays: listOf(ageDays)?.map(Number), channels: listOf<CaseChannel>(channels), types: listOf<CaseType>(types) });
    return reply(c, { rows: await c.var.t.reports.caseBacklog(options) });
  });
  api.openapi(rfm, async (c) => {
    const { statuses, ...rest } = c.req.valid('query');
    const options: RfmOptions = given({ ...rest, statuses: listOf<OrderStatus>(statuses) });
    const report = await c.var.t.reports.rfm(options);
    return reply(c, { ...report, list: { items: report.list.items, nextCursor: report.list.nextCursor ?? null } });
  });
  api.openapi(refreshRfm, async (c) => reply(c, await c.var.t.customers.refreshRfmScores(c.req.valid('json'))));
  api.openapi(repeatPurchase, async (c) => {
    const { statuses, ...rest } = c.req.valid('query');
    const options: RepeatPurchaseOptions = given({ ...rest, statuses: listOf<OrderStatus>(statuses) });
    return reply(c, await c.var.t.reports.repeatPurchase(options));
  });
}

/** The options of the case reports from their query: lists split, `by` one value or several. */
function caseReportOptions(query: ReturnType<typeof caseReportQuery.parse>): SlaComplianceOptions {
  const { by, priorities, channels, types, ...rest } = query;
  return given({
    ...rest,
    by: byOf<CaseReportDimension>(by),
    priorities: listOf<CasePriority>(priorities), channels: listOf<CaseChannel>(channels), types: listOf<CaseType>(types),
  });
}
