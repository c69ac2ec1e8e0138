import { reportPeriods } from '@crmkit/core';
import { html } from 'hono/html';
import type { ReportsData } from './report-data.js';
import type { ReportQuery } from './report-query.js';

/**
 * The page's query as a GET form: pipeline, period, from / to and currency.
 * Submitting reloads the page with the choices in its URL, so a view of the
 * reports can be bookmarked and shared.
 */
export function reportForm(query: ReportQuery, data: Pick<ReportsData, 'pipelines' | 'pipeline'>) {
  return html`<form class="report-query" method="get" action="/app/reports" data-testid="report-query">
  <label>Pipeline <select name="pipeline" data-testid="report-pipeline">${data.pipelines.map(
    (p) => html`<option value="${p.id}" ${p.id === data.pipeline?.id ? 'selected' : ''}>${p.name}</option>`,
  )}</select></label>
  <label>Period <select name="period" data-testid="report-period">${reportPeriods.map(
    (p) => html`<option value="${p}" ${p === query.period ? 'selected' : ''}>${p}</option>`,
  )}</select></label>
  <label>From <input type="date" name="from" value="${query.from ?? ''}" data-testid="report-from"></label>
  <label>To (exclusive) <input type="date" name="to" value="${query.to ?? ''}" data-testid="report-to"></label>
  <label>Currency <input name="currency" value="${query.currency ?? ''}" placeholder="${data.pipeline?.currency ?? 'USD'}" size="4" maxlength="3" pattern="[A-Za-z]{3}" data-testid="report-currency"></label>
  <button type="submit" data-testid="report-submit">Show</button>
</form>`;
}
