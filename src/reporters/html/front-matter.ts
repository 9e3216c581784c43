// The cover of the customer report (title, customer, assessor, date, scope) and its contents.
import type { ScanResult } from '../../core/types.js';
import type { ReportContext } from '../report-context.js';
import { html, type Markup } from './markup.js';
import { formatTime } from './time.js';

export const DEFAULT_TITLE = 'Kubeflow attack-path assessment';

export function cover(result: ScanResult, context: ReportContext, scope: string): Markup {
  const engagement = context.engagement;
  const title = engagement?.title ?? DEFAULT_TITLE;
  const scanned = result.provenance ? new Date(result.provenance.scannedAt) : context.generatedAt;
  const rows: Array<[string, Markup | string]> = [
    ...(engagement?.customer ? [['Prepared for', engagement.customer] as [string, string]] : []),
    ...(engagement?.assessor ? [['Assessed by', engagement.assessor] as [string, string]] : []),
    ['Scanned', html`<time${scanned && !Number.isNaN(scanned.getTime()) ? html` datetime="${scanned.toISOString()}"` : ''}>${formatTime(scanned)}</time>`],
    ['Scope', `${result.target.mode === 'cluster' ? 'live cluster' : 'manifests'}: ${scope}`],
    ['Tool', `kfscan ${context.version}`],
  ];
  return html`<header class="report-header cover"><div class="wrap">
${engagement?.title ? html`<p class="eyebrow">${DEFAULT_TITLE}</p>` : ''}
<h1>${title}</h1>
<dl class="cover-meta">${rows.map(([label, value]) => html`<dt>${label}</dt><dd class="wrap-any">${value}</dd>`)}</dl>
</div></header>`;
}

/** The sections present, in order, as links: on paper a contents page. */
export function contents(sections: ReadonlyArray<[id: string, title: string]>): Markup {
  return html`<nav class="contents wrap" aria-label="Contents"><h2 class="contents-title">Contents</h2>
<ol>${sections.map(([id, title]) => html`<li><a href="${`#${id}`}">${title}</a></li>`)}</ol></nav>`;
}
