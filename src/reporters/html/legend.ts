import { threatMatrixEntry } from '../../core/threat-matrix.js';
import type { CheckMeta } from '../../core/types.js';
import { html, safeHref, type Markup } from './markup.js';

/** What the Threat Matrix tags of the checks that ran stand for, each linked to its upstream page. */
export function threatMatrixLegend(checks: readonly CheckMeta[]): Markup | string {
  const tags = [...new Set(checks.flatMap((meta) => meta.tags))].sort();
  if (tags.length === 0) return '';
  const rows = tags.map((tag) => {
    const entry = threatMatrixEntry(tag);
    const users = checks.filter((meta) => meta.tags.includes(tag)).map((meta) => meta.id);
    if (!entry) return html`<tr id="${`tag-${tag}`}"><td><code>${tag}</code></td><td colspan="2" class="muted">not a Threat Matrix id this kfscan knows (a plugin's own tag)</td><td>${users.join(', ')}</td></tr>`;
    const href = safeHref(entry.url);
    const title = href ? html`<a href="${href}" rel="noopener noreferrer" target="_blank">${entry.title}</a>` : html`${entry.title}`;
    return html`<tr id="${`tag-${tag}`}"><td><code>${tag}</code></td><td>${title}</td><td>${entry.kind === 'technique' ? `technique (${entry.tactic ?? 'tactic not stated'})` : 'mitigation'}</td><td>${users.join(', ')}</td></tr>`;
  });
  return html`<h3 id="threat-matrix">Threat Matrix tags</h3>
<p>The checks carry the ids of the Microsoft Threat Matrix for Kubernetes (CC BY 4.0): MS-TA ids name an attack technique the check's
finding enables, MS-M ids a mitigation it asks for.</p>
<table class="legend-table"><thead><tr><th>Tag</th><th>Name</th><th>Kind</th><th>Checks</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}
