import { html } from 'hono/html';
import type { SignedIn } from '../../auth/credentials.js';
import type { Svg } from '../charts/index.js';
import { renderPage } from '../layout.js';
import { forecastChart } from './forecast-chart.js';
import { funnelChart } from './funnel-chart.js';
import type { ReportsData } from './report-data.js';
import { reportForm } from './report-form.js';
import type { ParsedReportQuery } from './report-query.js';
import { rfmChart } from './rfm-chart.js';
import { slaChart } from './sla-chart.js';
import { winLossChart } from './win-loss-chart.js';

/** One chart of the page with a line saying what it reads. */
function figure(chart: Svg, caption: string) {
  return html`<figure class="report">${chart}<figcaption>${caption}</figcaption></figure>`;
}

/**
 * The reports page: the query form and the five charts, each drawn from the
 * figures in `data`. Query fields that could not be read are named on top;
 * the page shows the defaults for them.
 */
export function renderReportsPage(signedIn: SignedIn, parsed: ParsedReportQuery, data: ReportsData) {
  const { query, invalid } = parsed;
  const body = html`<h1>Reports</h1>
${reportForm(query, data)}
${invalid.length > 0 ? html`<p class="notice" role="alert" data-testid="report-invalid">Ignored invalid ${invalid.join(', ')}: showing the default instead.</p>` : ''}
${query.pipeline !== undefined && !data.pipeline ? html`<p class="notice" role="alert">No pipeline ${query.pipeline}.</p>` : ''}
<div class="reports">
${figure(funnelChart(data.funnel, data.pipeline?.name), 'Deals created in the range (all when no range is given), by the stages they entered.')}
${figure(forecastChart(data.forecast, data.currency), 'Open deals by expected close date, closed deals by close date; other currencies are left out.')}
${figure(winLossChart(data.winLoss), 'Deals of the pipeline closed in the range.')}
${figure(slaChart(data.sla), 'Cases opened in each period whose target was met, of those measured.')}
${figure(rfmChart(data.rfm), 'Customers by RFM scores (quintiles), orders placed before "to" when given.')}
</div>`;
  return renderPage({ title: 'Reports', signedIn, active: 'reports', body });
}
