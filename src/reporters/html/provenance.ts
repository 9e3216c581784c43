import type { ScanResult } from '../../core/types.js';
import type { ReportContext } from '../report-context.js';
import { breakable, html, plural, type Markup } from './markup.js';
import { formatTime } from './time.js';

const NAMESPACES_SHOWN = 60;

/** When, with which version, on what inputs and clusters: what a reader needs to trust the report. */
export function provenanceSection(result: ScanResult, context: ReportContext): Markup {
  const provenance = result.provenance;
  const rows: Array<[string, Markup | string]> = [];
  const scannedAt = provenance ? new Date(provenance.scannedAt) : undefined;
  rows.push(['Scanned at', html`<time${scannedAt ? html` datetime="${scannedAt.toISOString()}"` : ''}>${formatTime(scannedAt)}</time>`]);
  rows.push(['Report written', formatTime(context.generatedAt)]);
  rows.push(['kfscan', `version ${context.version}${(result.plugins ?? []).map((p) => `, plugin ${p.name}${p.version ? ` ${p.version}` : ''}`).join('')}`]);
  if (result.target.mode === 'manifests') {
    rows.push(['Inputs', html`<ul>${(provenance?.inputs.paths ?? result.target.paths ?? []).map((p) => html`<li class="wrap-any">${breakable(p)}</li>`)}</ul>`]);
    const roots = provenance?.inputs.roots ?? [];
    if (roots.length) {
      rows.push([
        'Rendered',
        html`<ul>${roots.map((root) => html`<li class="wrap-any">${breakable(root.path)} <span class="muted">(${root.type === 'helm' ? 'Helm chart' : 'kustomization'}${root.rendered ? '' : ', could not be rendered: its YAML files were scanned as they are'})</span></li>`)}</ul>`,
      ]);
    }
    rows.push(['Scanned', `${plural(result.scanned.resources, 'resource')} from ${plural(result.scanned.files, 'file')}`]);
  } else {
    const clusters = provenance?.inputs.clusters ?? [];
    const failed = (result.target.contexts ?? []).filter((ctx) => !clusters.some((c) => c.context === ctx));
    rows.push([
      'Clusters',
      html`<table class="clusters"><thead><tr><th>Context</th><th>Kubernetes</th><th>Platform</th></tr></thead><tbody>${clusters.map(
        (cluster) => html`<tr><td class="wrap-any">${cluster.context}</td><td>${cluster.kubernetesVersion ?? 'not stated'}</td><td>${cluster.platform ?? 'not visible'}</td></tr>`,
      )}${failed.map((ctx) => html`<tr><td class="wrap-any">${ctx}</td><td colspan="2">could not be scanned (see Coverage gaps)</td></tr>`)}</tbody></table>`,
    ]);
    rows.push(['Scanned', `${plural(result.scanned.resources, 'resource')} in ${plural(result.scanned.contexts, 'context')}, read-only`]);
  }
  const namespaces = provenance?.inputs.namespaces ?? [];
  if (namespaces.length) {
    const shown = namespaces.slice(0, NAMESPACES_SHOWN);
    rows.push(['Namespaces', html`${plural(namespaces.length, 'namespace')}: <span class="wrap-any">${shown.join(', ')}</span>${namespaces.length > shown.length ? ` and ${namespaces.length - shown.length} more (the JSON report lists all)` : ''}`]);
  }
  const unreadable = provenance?.inputs.unreadableKinds ?? [];
  rows.push(['Not readable', unreadable.length ? unreadable.join(', ') : 'nothing: every kind the checks need was read']);
  rows.push(['Checks', provenance ? `${plural(provenance.checks.length, 'check')} ran (see Checks run)` : `${plural(result.checks.length, 'check')} selected`]);
  return html`<section id="provenance">
<h2>Provenance</h2>
<dl class="meta">${rows.map(([label, value]) => html`<dt>${label}</dt><dd>${value}</dd>`)}</dl>
</section>`;
}
