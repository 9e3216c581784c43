// The page's only stylesheet and script. Both are constants: nothing from a scan result is ever written
// into them (the script reads the data-* attributes of the rows instead), which is what lets the
// Content-Security-Policy allow exactly these two blocks by hash and nothing else.
import { createHash } from 'node:crypto';

export const STYLESHEET = `
:root { color-scheme: light; --ink: #1f2328; --muted: #57606a; --line: #d0d7de; --soft: #f6f8fa;
  --critical: #8e1b1b; --high: #d32f2f; --medium: #b45309; --low: #1d4ed8; --info: #5f6368;
  --open: #c62828; --clear: #2e7d32; --unknown: #666666; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #ffffff;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", "DejaVu Sans", Arial, sans-serif; }
.wrap { max-width: 1200px; margin: 0 auto; padding: 0 24px; }
.report-header { background: #fafafa; border-bottom: 4px solid var(--open); padding: 22px 0 14px; }
.report-header h1 { font-size: 26px; line-height: 1.25; margin: 0 0 4px; }
.report-header p { margin: 0; color: var(--muted); }
.report-header .eyebrow { font-size: 13px; font-weight: 700; letter-spacing: 0.05em; text-transform: uppercase; }
.cover-meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 10px 0 0; }
.cover-meta dt { color: var(--muted); }
.cover-meta dd { margin: 0; font-weight: 600; }
.contents { margin-top: 14px; font-size: 14px; }
.contents-title { font-size: 15px; margin: 8px 0 4px; padding: 0; border: 0; }
.contents ol { margin: 0; padding-left: 22px; columns: 2; }
.rating-badge { display: inline-block; padding: 4px 14px; border-radius: 6px; font-size: 17px; font-weight: 700; color: #ffffff; background: var(--info); }
.rating-critical { background: var(--critical); } .rating-high { background: var(--high); } .rating-medium { background: var(--medium); }
.rating-low { background: var(--low); } .rating-none { background: var(--clear); }
table.questions th[scope="row"] { width: 34%; font-weight: 600; background: none; }
.answer { white-space: nowrap; } .answer-open { color: var(--open); } .answer-closed { color: var(--clear); } .answer-unknown { color: var(--unknown); }
ol.plan { padding-left: 26px; }
.plan-item { margin: 0 0 14px; }
.plan-item p { margin: 4px 0; }
.plan-action strong { font-size: 15.5px; }
code.command { display: inline-block; margin: 2px 0; }
.badge-link { font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", Menlo, monospace; font-size: 0.88em; font-weight: 700; white-space: nowrap; }
.comparison-tiles { max-width: 420px; }
ul.warnings { color: var(--medium); }
tr.has-excerpt td { border-bottom: 0; }
tr.excerpt-row td { padding-top: 0; }
figure.excerpt { margin: 0 0 4px; }
figure.excerpt figcaption { font-size: 12px; color: var(--muted); }
figure.excerpt pre { margin: 2px 0 0; padding: 6px 8px; background: var(--soft); border: 1px solid var(--line); border-radius: 4px; font-size: 12px; line-height: 1.45;
  font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", Menlo, monospace; white-space: pre-wrap; overflow-wrap: anywhere; }
.excerpt-line .ln { color: var(--muted); user-select: none; }
.excerpt-line.flagged { display: inline-block; width: 100%; background: #fff1c2; font-weight: 700; }
.check-page { margin: 16px 0 28px; padding-top: 4px; border-top: 1px solid var(--line); }
.check-page h3 { margin-top: 12px; }
.check-page pre { padding: 8px 10px; background: var(--soft); border: 1px solid var(--line); border-radius: 4px; font-size: 12.5px; white-space: pre-wrap; overflow-wrap: anywhere; }
.check-page pre code { background: none; padding: 0; }
.image-text { color: var(--muted); }
.legend-table code { white-space: nowrap; }
h2 { font-size: 21px; margin: 36px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h3 { font-size: 18px; margin: 28px 0 8px; }
h4 { font-size: 15.5px; margin: 0; }
p { margin: 8px 0; }
a { color: #0b57d0; }
code { font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", Menlo, monospace; font-size: 0.88em;
  background: var(--soft); border-radius: 3px; padding: 0 3px; overflow-wrap: break-word; }
.muted { color: var(--muted); }
.summary-grid { display: grid; grid-template-columns: minmax(280px, 1fr) minmax(300px, 1fr); gap: 16px 36px; align-items: start; }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
.meta dt { color: var(--muted); }
.meta dd { margin: 0; overflow-wrap: break-word; }
.meta ul { margin: 0; padding-left: 18px; }
.tiles { display: flex; flex-wrap: wrap; gap: 8px; list-style: none; margin: 0 0 14px; padding: 0; }
.tile { flex: 1 1 0; min-width: 64px; padding: 6px 4px; text-align: center; border: 1px solid var(--line); border-top: 5px solid currentColor; border-radius: 6px; }
.tile .count { display: block; color: var(--ink); font-size: 26px; font-weight: 700; line-height: 1.2; }
.tile .name { font-size: 12px; font-weight: 700; letter-spacing: 0.04em; text-transform: uppercase; }
.tile.total { color: var(--ink); }
.sev-critical { color: var(--critical); } .sev-high { color: var(--high); } .sev-medium { color: var(--medium); }
.sev-low { color: var(--low); } .sev-info { color: var(--info); }
.severity-chart { display: block; width: 100%; max-width: 440px; height: auto; }
.chart-label, .chart-count { font-size: 13px; fill: var(--ink); }
.chart-count { font-weight: 700; }
.path-block { margin: 10px 0 24px; }
.path-block h3 { margin-top: 18px; }
.verdict { font-size: 15.5px; }
.attack-path { display: block; width: 100%; height: auto; margin: 8px 0; }
.attack-path-narrow { display: none; max-width: 640px; }
.node-label { font-size: 13.5px; font-weight: 700; text-anchor: middle; fill: #1f2328; }
.node-detail { font-size: 11px; text-anchor: middle; fill: #444444; }
.node-status { font-size: 12.5px; font-weight: 700; text-anchor: middle; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 18px; font-size: 13.5px; color: var(--muted); margin: 0 0 6px; padding: 0; list-style: none; }
.state { font-weight: 700; white-space: nowrap; }
.state-open { color: var(--open); } .state-clear { color: var(--clear); } .state-unknown { color: var(--unknown); }
table { width: 100%; border-collapse: collapse; font-size: 14px; }
th, td { padding: 6px 8px; text-align: left; vertical-align: top; border-bottom: 1px solid var(--line); }
th { background: var(--soft); font-weight: 600; }
.wrap-any { overflow-wrap: break-word; }
table.findings { table-layout: fixed; }
table.findings td { overflow-wrap: anywhere; }
table.findings .col-id { width: 7.5em; }
table.findings .col-severity { width: 7.5em; }
.finding-id a { font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", Menlo, monospace; font-size: 0.88em; white-space: nowrap; }
tr:target { background: #fff8c5; }
table.findings .col-resource { width: 25%; }
table.findings .col-location { width: 22%; }
table.steps td:first-child { white-space: nowrap; font-weight: 600; }
.steps ul, .plain { margin: 0; padding-left: 18px; }
.badge { display: inline-block; padding: 0 8px; border: 1px solid currentColor; border-radius: 999px; background: #ffffff;
  font-size: 12px; font-weight: 700; letter-spacing: 0.03em; text-transform: uppercase; white-space: nowrap; }
.filters { position: sticky; top: 0; z-index: 1; display: flex; flex-wrap: wrap; align-items: center; gap: 8px 28px;
  margin: 0 0 8px; padding: 10px 14px; background: var(--soft); border: 1px solid var(--line); border-radius: 8px; }
.filter-group { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 14px; }
.filter-group > span { font-weight: 700; }
.filters label { cursor: pointer; white-space: nowrap; }
.filters button { font: inherit; padding: 2px 10px; cursor: pointer; }
.filter-status { color: var(--muted); }
.category { margin-top: 8px; }
.check { margin: 12px 0 18px; padding: 12px 14px; border: 1px solid var(--line); border-radius: 8px; }
.check-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 12px; }
.fix { margin: 8px 0 10px; padding: 6px 10px; background: #f0f6ff; border-left: 4px solid var(--low); }
.fix strong { margin-right: 4px; }
ul.related { margin: 4px 0 0; padding-left: 18px; font-size: 13px; color: var(--muted); }
.none { color: var(--clear); font-weight: 600; }
.gaps h3 { font-size: 16px; margin-top: 18px; }
footer { margin-top: 40px; padding: 16px 0 32px; border-top: 1px solid var(--line); color: var(--muted); font-size: 13px; }
@media screen { .is-filtered { display: none !important; } }
@media (max-width: 760px) { .summary-grid { grid-template-columns: 1fr; } .wrap { padding: 0 12px; } }
@media print, (max-width: 900px) { .attack-path-wide { display: none; } .attack-path-narrow { display: block; } }
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { font-size: 10.5pt; }
  .wrap { max-width: none; padding: 0; }
  .tile { min-width: 0; padding: 4px 2px; }
  .tile .count { font-size: 16pt; }
  .tile .name { font-size: 7pt; letter-spacing: 0; }
  .attack-path-narrow { max-width: 150mm; margin: 4mm auto; }
  .report-header { background: none; padding-top: 0; }
  .filters, .no-print { display: none !important; }
  .check, .fix { background: none; }
  th { background: none; border-bottom: 1.5px solid #555555; }
  h2, h3, h4, .check-head, .fix { break-after: avoid; }
  .cover { border-bottom: 0; padding-top: 40mm; }
  .cover h1 { font-size: 26pt; }
  .cover-meta { font-size: 12pt; margin-top: 12mm; }
  .contents { break-after: page; margin-top: 16mm; }
  .contents ol { columns: 1; }
  main > section { break-before: page; }
  main > section h2 { margin-top: 0; }
  thead { display: table-header-group; }
  tr.has-excerpt { break-after: avoid; }
  tr, figure.excerpt, .plan-item, .check-page pre, table.questions, .cover-meta { break-inside: avoid; }
  .check-page { break-before: page; border-top: 0; }
  .check-page + .check-page { margin-top: 0; }
  figure.excerpt pre, .check-page pre { background: none; }
  .rating-badge { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  table.findings .col-severity { width: 6.5em; }
  table.findings .col-resource { width: 21%; }
  table.findings .col-location { width: 19%; }
  tr, .path-block svg, .tile, .fix, .summary-grid { break-inside: avoid; }
  a { color: inherit; }
  a.docs.external::after { content: " (" attr(href) ")"; font-size: 8pt; color: #444444; overflow-wrap: anywhere; }
  table.findings .col-id { width: 6.5em; }
}
`;

// Plain ES2017 for any browser a client opens the file in. Rows carry data-severity/data-context; the
// filter hides what is unticked and then every group that has nothing left to show.
export const FILTER_SCRIPT = `
(function () {
  'use strict';
  var panel = document.getElementById('filters');
  if (!panel) return;
  panel.hidden = false;
  var rows = Array.prototype.slice.call(document.querySelectorAll('tr[data-severity]'));
  var status = document.getElementById('filter-status');
  var empty = document.getElementById('filter-empty');
  function ticked(name) {
    var boxes = panel.querySelectorAll('input[data-filter="' + name + '"]');
    if (boxes.length === 0) return null;
    var chosen = {};
    for (var i = 0; i < boxes.length; i++) if (boxes[i].checked) chosen[boxes[i].value] = true;
    return chosen;
  }
  function apply() {
    var severities = ticked('severity');
    var contexts = ticked('context');
    var shown = 0;
    rows.forEach(function (row) {
      var visible = (!severities || severities[row.getAttribute('data-severity')] === true) &&
        (!contexts || contexts[row.getAttribute('data-context')] === true);
      row.classList.toggle('is-filtered', !visible);
      var next = row.nextElementSibling;
      if (next && next.classList.contains('excerpt-row')) next.classList.toggle('is-filtered', !visible);
      if (visible) shown++;
    });
    Array.prototype.forEach.call(document.querySelectorAll('[data-filter-group]'), function (group) {
      group.classList.toggle('is-filtered', !group.querySelector('tr[data-severity]:not(.is-filtered)'));
    });
    Array.prototype.forEach.call(document.querySelectorAll('[data-context-view]'), function (view) {
      view.classList.toggle('is-filtered', !!contexts && contexts[view.getAttribute('data-context-view')] !== true);
    });
    status.textContent = 'Showing ' + shown + ' of ' + rows.length + ' finding' + (rows.length === 1 ? '' : 's');
    empty.hidden = shown > 0 || rows.length === 0;
  }
  panel.addEventListener('change', apply);
  document.getElementById('filter-reset').addEventListener('click', function () {
    Array.prototype.forEach.call(panel.querySelectorAll('input[data-filter]'), function (box) { box.checked = true; });
    apply();
  });
  apply();
})();
`;

function cspHash(source: string): string {
  return `'sha256-${createHash('sha256').update(source, 'utf8').digest('base64')}'`;
}

/**
 * Nothing may load from anywhere (default-src 'none'): no scripts, styles, fonts, images or connections
 * besides the two inline blocks above, so the file works offline and cannot call home when mailed.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src ${cspHash(STYLESHEET)}`,
  `script-src ${cspHash(FILTER_SCRIPT)}`,
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
