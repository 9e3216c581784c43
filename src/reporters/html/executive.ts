import { SEVERITIES } from '../../core/severity.js';
import type { ExecutiveSummary, QuestionState, Rating } from '../executive-summary.js';
import { QUESTIONS } from '../executive-summary.js';
import { html, plural, type Markup } from './markup.js';

const RATING_LABEL: Record<Rating, string> = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low', none: 'No findings' };
const ANSWER_LABEL = { open: 'Open', closed: 'Closed', unknown: 'Not established' } as const;

/** The executive summary: a rating, the four questions of the 2021 attack, the counts, and what was not checked. */
export function executiveSection(summary: ExecutiveSummary): Markup {
  const multi = summary.contexts.length > 1;
  const counted = SEVERITIES.filter((s) => summary.counts[s] > 0).map((s) => `${summary.counts[s]} ${s}`);
  const rows = QUESTIONS.map(({ question, label }) => {
    const cells = summary.contexts.map((context) => answerCell(context.questions.find((q) => q.question === question)!));
    return html`<tr data-question="${question}"><th scope="row">${label}</th>${cells}</tr>`;
  });
  return html`<section id="executive-summary">
<h2>Executive summary</h2>
<p class="rating"><span class="${`rating-badge rating-${summary.rating}`}">Overall rating: ${RATING_LABEL[summary.rating]}</span></p>
<p class="verdict">${summary.verdict}</p>
<p>In 2021 attackers mined crypto-currency on Kubeflow clusters in four moves: they found a dashboard reachable from the internet,
got in without a proper login, started pipelines with a public machine-learning image and a miner inside, and nothing noticed.
This is where each of those moves stands here:</p>
<table class="questions"><thead><tr><th>Question</th>${summary.contexts.map((c) => html`<th class="wrap-any">${multi || c.context !== null ? (c.context ?? 'scanned input') : 'Answer'}</th>`)}</tr></thead>
<tbody>${rows}</tbody></table>
<p>${summary.counts.total === 0 ? 'The scan reported no findings.' : `The scan reported ${plural(summary.counts.total, 'finding')}: ${counted.join(', ')}.`} The <a href="#remediation-plan">remediation plan</a> lists what to do first, and every finding is described under <a href="#findings">Findings</a>.</p>
${summary.limits.length ? html`<h3>What could not be checked</h3><ul>${summary.limits.map((limit) => html`<li>${limit}</li>`)}</ul>` : html`<p>Every input was read and every check reached a verdict.</p>`}
</section>`;
}

function answerCell(state: QuestionState): Markup {
  return html`<td data-answer="${state.answer}"><strong class="${`answer answer-${state.answer}`}">${ANSWER_LABEL[state.answer]}</strong> ${linkIds(state.text)}</td>`;
}

/** Finding ids in a sentence become links to the finding. */
export function linkIds(text: string): Markup {
  const parts = text.split(/(KF-[0-9a-f]{6,32})/);
  return html`${parts.map((part, index) => (index % 2 === 1 ? html`<a href="${`#${part}`}">${part}</a>` : html`${part}`))}`;
}
