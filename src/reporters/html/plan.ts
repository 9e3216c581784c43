import type { PlanItem } from '../remediation-plan.js';
import { html, inlineCode, type Markup } from './markup.js';

/** The remediation plan: actions by impact, each with the finding ids it clears and the kit files that carry it. */
export function planSection(items: readonly PlanItem[]): Markup {
  if (items.length === 0) {
    return html`<section id="remediation-plan"><h2>Remediation plan</h2><p class="none">Nothing to fix: the scan reported no findings.</p></section>`;
  }
  const commands = [...new Set(items.map((item) => item.kitCommand).filter((command): command is string => command !== null))];
  return html`<section id="remediation-plan">
<h2>Remediation plan</h2>
<p>The actions below are ordered by impact: first those that clear the most severe findings, and among equals those that close the
attack path earliest (cutting off the way in stops every later step). Each names the findings it clears.${commands.length ? html` Files in
<code>monospace</code> are part of the remediation kit, which kfscan writes for review (it never applies anything):
${commands.map((command) => html`<code class="command">${command}</code>`)}. Every kit fix was checked by applying it to the scanned
objects and scanning them again.` : ''}</p>
<ol class="plan">${items.map(planItem)}</ol>
</section>`;
}

function planItem(item: PlanItem): Markup {
  const findings = item.findings.map((finding) => html`<a class="${`badge-link sev-${finding.severity}`}" href="${`#${finding.id}`}">${finding.id}</a>`);
  return html`<li class="plan-item" data-severity="${item.severity}">
<p class="plan-action"><span class="${`badge sev-${item.severity}`}">${item.severity}</span> <strong>${item.action}</strong>${item.scope ? html` <span class="muted">(${item.scope})</span>` : ''}</p>
${item.detail ? html`<p>${inlineCode(item.detail)}</p>` : ''}
${item.files.length ? html`<p>Kit file${item.files.length === 1 ? '' : 's'}: ${item.files.map((file, index) => html`${index ? ', ' : ''}<code>${file}</code>`)}</p>` : ''}
<p class="clears">Clears ${item.findings.length === 1 ? 'finding' : `${item.findings.length} findings`}: ${findings.map((link, index) => html`${index ? ' ' : ''}${link}`)}</p>
</li>`;
}
