// Inline SVG pictures: no images to load, sharp in print, and readable in black and white (each state
// has its own icon and outline, not only a colour).
import { SEVERITIES, type SeverityCounts } from '../../core/severity.js';
import type { Severity } from '../../core/types.js';
import type { AttackPath, PathStep, StepState } from '../attack-path.js';
import { html, type Markup } from './markup.js';

export const SEVERITY_COLOR: Record<Severity, string> = {
  critical: '#8e1b1b',
  high: '#d32f2f',
  medium: '#b45309',
  low: '#1d4ed8',
  info: '#5f6368',
};

const STATE_STYLE: Record<StepState, { stroke: string; fill: string; dash: string | null; width: number }> = {
  open: { stroke: '#c62828', fill: '#fdecea', dash: null, width: 3 },
  clear: { stroke: '#2e7d32', fill: '#e8f5e9', dash: null, width: 2 },
  unknown: { stroke: '#757575', fill: '#f3f3f3', dash: '5 4', width: 2 },
};

export const STATE_LABEL: Record<StepState, string> = { open: 'open', clear: 'checked, nothing found', unknown: 'unknown' };

/** Horizontal bars, one per severity, with the count written beside each bar. */
export function severityChart(counts: SeverityCounts): Markup {
  const rowHeight = 26;
  const barX = 78;
  const barMax = 230;
  const largest = Math.max(1, ...SEVERITIES.map((s) => counts[s]));
  const label = SEVERITIES.map((s) => `${counts[s]} ${s}`).join(', ');
  const rows = SEVERITIES.map((severity, index) => {
    const y = 8 + index * rowHeight;
    const width = counts[severity] === 0 ? 0 : Math.max(3, Math.round((counts[severity] / largest) * barMax));
    return html`<g>
<text x="0" y="${y + 14}" class="chart-label">${severity[0]!.toUpperCase() + severity.slice(1)}</text>
<rect x="${barX}" y="${y}" width="${barMax}" height="18" rx="3" fill="#f1f3f4"/>
<rect x="${barX}" y="${y}" width="${width}" height="18" rx="3" fill="${SEVERITY_COLOR[severity]}"/>
<text x="${barX + barMax + 8}" y="${y + 14}" class="chart-count">${counts[severity]}</text>
</g>`;
  });
  return html`<svg class="severity-chart" viewBox="0 0 340 ${8 + SEVERITIES.length * rowHeight}" role="img" aria-label="${`Findings by severity: ${label}`}">
${rows}
</svg>`;
}

const NODE_WIDTH = 128;
const NODE_HEIGHT = 124;
const GAP = 20;
const ROW_GAP = 34;
const TOP = 4;

interface Slot {
  x: number;
  y: number;
}

/**
 * Internet, then the seven checked steps, each a box with an icon, a name and a status, in `columns` boxes
 * per row: one row of eight on a wide screen, two rows of four on paper and phones, where one row would
 * shrink the text below reading size.
 */
export function attackPathPicture(path: AttackPath, titleId: string, caption: string, columns: number): Markup {
  const count = path.steps.length + 1;
  const rows = Math.ceil(count / columns);
  const slot = (index: number): Slot => ({
    x: (index % columns) * (NODE_WIDTH + GAP),
    y: TOP + Math.floor(index / columns) * (NODE_HEIGHT + ROW_GAP),
  });
  const nodes = [internetNode(slot(0)), ...path.steps.map((step, index) => stepNode(step, slot(index + 1)))];
  const arrows = path.steps.map((_, index) => arrow(slot(index), slot(index + 1)));
  const width = columns * NODE_WIDTH + (columns - 1) * GAP;
  const height = rows * NODE_HEIGHT + (rows - 1) * ROW_GAP + 2 * TOP;
  return html`<svg class="${`attack-path attack-path-${columns === count ? 'wide' : 'narrow'}`}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${titleId}">
<title id="${titleId}">${caption}</title>
${arrows}
${nodes}
</svg>`;
}

/** Left to right within a row; from the end of a row down and back to the start of the next. */
function arrow(from: Slot, to: Slot): Markup {
  const color = '#444444';
  if (from.y === to.y) {
    const y = from.y + NODE_HEIGHT / 2;
    const start = from.x + NODE_WIDTH + 3;
    const end = to.x - 3;
    return html`<line x1="${start}" y1="${y}" x2="${end - 7}" y2="${y}" stroke="${color}" stroke-width="2"/><polygon points="${`${end},${y} ${end - 8},${y - 5} ${end - 8},${y + 5}`}" fill="${color}"/>`;
  }
  const startX = from.x + NODE_WIDTH / 2;
  const endX = to.x + NODE_WIDTH / 2;
  const middle = from.y + NODE_HEIGHT + ROW_GAP / 2;
  const end = to.y - 3;
  return html`<path d="${`M${startX} ${from.y + NODE_HEIGHT + 3} V${middle} H${endX} V${end - 7}`}" fill="none" stroke="${color}" stroke-width="2"/><polygon points="${`${endX},${end} ${endX - 5},${end - 8} ${endX + 5},${end - 8}`}" fill="${color}"/>`;
}

function internetNode({ x, y }: Slot): Markup {
  const cx = x + NODE_WIDTH / 2;
  const cy = y + 24;
  return html`<g class="path-node" data-step="internet">
<rect x="${x + 1}" y="${y + 1}" width="${NODE_WIDTH - 2}" height="${NODE_HEIGHT - 2}" rx="10" fill="#ffffff" stroke="#333333" stroke-width="2"/>
<circle cx="${cx}" cy="${cy}" r="13" fill="none" stroke="#333333" stroke-width="2"/>
<ellipse cx="${cx}" cy="${cy}" rx="6" ry="13" fill="none" stroke="#333333" stroke-width="1.5"/>
<line x1="${cx - 13}" y1="${cy}" x2="${cx + 13}" y2="${cy}" stroke="#333333" stroke-width="1.5"/>
<text x="${cx}" y="${y + 62}" class="node-label">Internet</text>
<text x="${cx}" y="${y + 79}" class="node-detail">where the</text>
<text x="${cx}" y="${y + 92}" class="node-detail">attacker starts</text>
</g>`;
}

function stepNode(step: PathStep, { x, y }: Slot): Markup {
  const cx = x + NODE_WIDTH / 2;
  const style = STATE_STYLE[step.state];
  const { definition } = step;
  return html`<g class="path-node" data-step="${definition.id}" data-state="${step.state}">
<rect x="${x + 1.5}" y="${y + 1.5}" width="${NODE_WIDTH - 3}" height="${NODE_HEIGHT - 3}" rx="10" fill="${style.fill}" stroke="${style.stroke}" stroke-width="${style.width}"${style.dash ? html` stroke-dasharray="${style.dash}"` : ''}/>
${stateIcon(step.state, cx, y + 24, style.stroke)}
<text x="${cx}" y="${y + 62}" class="node-label">${definition.label}</text>
<text x="${cx}" y="${y + 79}" class="node-detail">${definition.detail[0]}</text>
<text x="${cx}" y="${y + 92}" class="node-detail">${definition.detail[1]}</text>
<text x="${cx}" y="${y + 112}" class="node-status" fill="${style.stroke}">${step.status}</text>
</g>`;
}

/** Drawn, not typed: a cross, a tick or a question mark that does not depend on the reader's fonts. */
function stateIcon(state: StepState, cx: number, cy: number, color: string): Markup {
  const circle = html`<circle cx="${cx}" cy="${cy}" r="13" fill="${color}"/>`;
  if (state === 'open') {
    return html`${circle}<path d="${`M${cx - 5} ${cy - 5} L${cx + 5} ${cy + 5} M${cx + 5} ${cy - 5} L${cx - 5} ${cy + 5}`}" stroke="#ffffff" stroke-width="3" stroke-linecap="round"/>`;
  }
  if (state === 'clear') {
    return html`${circle}<path d="${`M${cx - 6} ${cy} L${cx - 2} ${cy + 5} L${cx + 6} ${cy - 5}`}" fill="none" stroke="#ffffff" stroke-width="3" stroke-linecap="round" stroke-linejoin="round"/>`;
  }
  return html`${circle}<path d="${`M${cx - 4} ${cy - 4} C${cx - 4} ${cy - 10} ${cx + 5} ${cy - 10} ${cx + 5} ${cy - 4} C${cx + 5} ${cy} ${cx} ${cy} ${cx} ${cy + 3}`}" fill="none" stroke="#ffffff" stroke-width="2.5" stroke-linecap="round"/><circle cx="${cx}" cy="${cy + 7.5}" r="1.8" fill="#ffffff"/>`;
}
