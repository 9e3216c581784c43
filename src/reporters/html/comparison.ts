import { describeObject } from '../../core/object-ref.js';
import type { ChangedFinding, ReportComparison } from '../../diff/compare.js';
import { breakable, html, plural, type Markup } from './markup.js';
import { formatTime } from './time.js';

/** `--compare OLD.json`: the re-audit, what was fixed and what is new since the earlier report. */
export function comparisonSection(comparison: ReportComparison): Markup {
  const { old } = comparison.reports;
  const when = old.scannedAt ? formatTime(new Date(old.scannedAt)) : 'a date the report does not state';
  const lists: Array<[string, string, readonly ChangedFinding[], boolean]> = [
    ['new', 'New since the earlier scan', comparison.added, true],
    ['fixed', 'Fixed', comparison.fixed, false],
    ['suppressed', 'Suppressed since (accepted, not fixed)', comparison.suppressed, false],
    ['not-rechecked', 'Not rechecked (the later scan could not see them)', comparison.notRechecked, false],
    ['unchanged', 'Still open', comparison.unchanged, true],
  ];
  return html`<section id="comparison">
<h2>Changes since the earlier scan</h2>
<p>${`Compared with ${old.label} (kfscan ${old.version}, scanned ${when}, ${plural(old.findings, 'finding')}), by finding id.`}</p>
<ul class="tiles comparison-tiles">
<li class="tile"><span class="count" data-diff-count="new">${comparison.added.length}</span><span class="name">new</span></li>
<li class="tile"><span class="count" data-diff-count="fixed">${comparison.fixed.length}</span><span class="name">fixed</span></li>
<li class="tile"><span class="count" data-diff-count="unchanged">${comparison.unchanged.length}</span><span class="name">still open</span></li>
</ul>
${comparison.warnings.length ? html`<ul class="warnings">${comparison.warnings.map((warning) => html`<li>${warning}</li>`)}</ul>` : ''}
${lists.filter(([, , list]) => list.length > 0).map(([id, title, list, here]) => changeTable(id, title, list, here))}
</section>`;
}

/** `here`: the finding is in this report, so its id links to it; fixed ones exist only in the earlier report. */
function changeTable(id: string, title: string, findings: readonly ChangedFinding[], here: boolean): Markup {
  const rows = findings.map(
    (finding) => html`<tr data-change="${id}"><td class="finding-id">${here ? html`<a href="${`#${finding.id}`}">${finding.id}</a>` : finding.id}</td>
<td><span class="${`badge sev-${finding.severity}`}">${finding.severity}</span>${finding.previousSeverity ? html` <span class="muted">(was ${finding.previousSeverity})</span>` : ''}</td>
<td><code>${finding.checkId}</code></td>
<td class="wrap-any">${breakable(finding.resource ? describeObject(finding.resource) : '(cluster)')}${finding.context ? html` <span class="muted">in ${finding.context}</span>` : ''}</td>
<td>${finding.reason ?? finding.message}</td></tr>`,
  );
  return html`<h3>${title} <span class="muted">(${findings.length})</span></h3>
<table class="changes"><thead><tr><th class="col-id">Id</th><th class="col-severity">Severity</th><th>Check</th><th>Resource</th><th>${id === 'not-rechecked' ? 'Why' : 'Finding'}</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}
