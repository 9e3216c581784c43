import type { Finding, InputError, ScanResult } from '../core/types.js';
import { checkTally, checksLabel, docsReference, failsRun, findingsHeadline, formatProblem, gapLabel, omittedLabels, placement, scopeLabel } from './describe.js';
import type { ReportContext } from './report-context.js';
import { terminalSafe } from './sanitize.js';

/**
 * GitHub Actions workflow commands, and nothing else: one annotation per finding (`::error` at or above
 * `--fail-on`, `::warning` below it, `::notice` for info), one per input kfscan could not read and per check
 * that could not decide, then a `::notice` with the summary. Every property and message is escaped as
 * @actions/core escapes them, so no text from a manifest can end a command or start another.
 */
export function githubReport(result: ScanResult, context: ReportContext): string {
  const lines = [
    ...result.findings.map((finding) => findingCommand(finding, context)),
    ...result.errors.map(errorCommand),
    ...result.coverage.undecided.map((item) =>
      command('warning', { title: `kfscan: ${item.checkId} could not decide` }, `${item.context ? `${item.context}: ` : ''}${item.reason}`),
    ),
    ...result.coverage.unreadable.map((gap) =>
      command('warning', { title: 'kfscan: could not read' }, `${gapLabel(gap)}: ${gap.reason}`),
    ),
    command('notice', { title: 'kfscan summary' }, summary(result, context)),
  ];
  return `${lines.join('\n')}\n`;
}

function findingCommand(finding: Finding, context: ReportContext): string {
  const level = finding.severity === 'info' ? 'notice' : failsRun(finding.severity, context.failOn) ? 'error' : 'warning';
  const place = placement(finding);
  const docs = docsReference(finding.checkId, finding.docsUrl);
  // One line per part; a line break inside a part (from a manifest) is a space, as in every other report.
  const message = [
    place?.note ? `${finding.message} (${place.note})` : finding.message,
    `How to fix: ${finding.remediation}`,
    ...(docs ? [docs.kind === 'url' ? docs.url : `More: ${docs.command}`] : []),
  ];
  return command(
    level,
    {
      title: `${finding.severity} ${finding.checkId}: ${finding.title} (${finding.id})`,
      ...(place ? { file: place.location.file, line: String(place.location.line), col: String(place.location.column) } : {}),
    },
    message,
  );
}

function errorCommand(error: InputError): string {
  const properties = error.file && error.file !== '<stdin>' ? { file: error.file, ...(error.line ? { line: String(error.line) } : {}), ...(error.column ? { col: String(error.column) } : {}) } : {};
  return command('error', { title: 'kfscan could not scan this', ...properties }, formatProblem(error));
}

function summary(result: ScanResult, context: ReportContext): string[] {
  const extras = [
    ...omittedLabels(result, context.showSuppressed === true),
    result.errors.length ? `${result.errors.length} error${result.errors.length === 1 ? '' : 's'}` : '',
    result.warnings.length ? `${result.warnings.length} warning${result.warnings.length === 1 ? '' : 's'}` : '',
  ].filter(Boolean);
  return [`${findingsHeadline(result.findings)} in ${scopeLabel(result)}${extras.length ? `; ${extras.join(', ')}` : ''}`, checksLabel(checkTally(result))];
}

type Level = 'error' | 'warning' | 'notice';

/**
 * `::level key=value,...::message`, built as @actions/core's Command does (properties in this order); the
 * message's lines are joined with line breaks, which the runner shows.
 */
function command(level: Level, properties: { title?: string; file?: string; line?: string; col?: string }, message: string | readonly string[]): string {
  const keys = (['title', 'file', 'line', 'col'] as const).filter((key) => properties[key]);
  const props = keys.map((key) => `${key}=${escapeProperty(terminalSafe(properties[key]!))}`).join(',');
  const lines = typeof message === 'string' ? [message] : message;
  return `::${level}${props ? ` ${props}` : ''}::${escapeData(lines.map(terminalSafe).join('\n'))}`;
}

/** @actions/core's escapeData: the runner decodes %25, %0D and %0A in a command's message. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** @actions/core's escapeProperty: as escapeData, and `:` and `,`, which end a property. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
