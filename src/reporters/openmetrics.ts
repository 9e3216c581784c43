// The scan as OpenMetrics 1.0 text, for Prometheus to scrape (`kfscan serve`) or a file to push: counts
// only, by context, check, category, severity and attack-path step. No object name, message or field of
// a scanned object is ever a label, so no Secret's name or value can reach a time series, and the number
// of series stays bounded by the checks and contexts, not by the cluster's size.
import { SEVERITIES } from '../core/severity.js';
import type { CheckMeta, ScanResult } from '../core/types.js';
import { attackPaths, scannedContexts } from './attack-path.js';
import type { ReportContext } from './report-context.js';
import { terminalSafe } from './sanitize.js';

/** The media type of what `openMetricsReport` writes, for an HTTP answer. */
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

type Labels = ReadonlyArray<readonly [name: string, value: string]>;

interface Family {
  name: string;
  type: 'gauge' | 'counter' | 'info';
  help: string;
  unit?: string;
  samples: Array<{ labels: Labels; value: number }>;
}

/** OpenMetrics text of the scan: every family once, in a fixed order, ending with `# EOF`. */
export function openMetricsReport(result: ScanResult, context: ReportContext): string {
  const contexts = scannedContexts(result);
  const runs = new Map((context.scanRuns ?? []).map((run) => [run.context, run]));
  const paths = new Map(attackPaths(result, context.attackPath ?? []).map((path) => [path.context, path]));
  const family = (name: string, type: Family['type'], help: string, unit?: string): Family => ({ name, type, help, samples: [], ...(unit ? { unit } : {}) });

  const build = family('kfscan_build', 'info', 'The kfscan that made these metrics.');
  build.samples.push({ labels: [['version', context.version]], value: 1 });
  const findings = family('kfscan_findings', 'gauge', 'Findings reported (suppressed ones left out), by context, check, category and severity.');
  const suppressed = family('kfscan_findings_suppressed', 'gauge', 'Findings an annotation, the configuration or the baseline suppressed, by context and check.');
  const stepOpen = family('kfscan_attack_path_step_open', 'gauge', '1 when a finding opens this step of the attack path in the context.');
  const stepClear = family('kfscan_attack_path_step_clear', 'gauge', '1 when every check of the step ran and found nothing; 0 when open or not known.');
  const undecided = family('kfscan_check_undecided', 'gauge', '1 when the check could not decide in the context (an unreadable kind, a failure).');
  const unreadable = family('kfscan_unreadable_kinds', 'gauge', 'Kinds or named objects the scan could not read in the context.');
  const errors = family('kfscan_scan_errors', 'gauge', 'Errors of the last scan of the context (API errors, unreadable input, failed checks).');
  const success = family('kfscan_scan_success', 'gauge', '1 when the last scan of the context completed; its findings are then current.');
  const duration = family('kfscan_scan_duration_seconds', 'gauge', 'How long the last scan of the context took.', 'seconds');
  const lastSuccess = family('kfscan_last_success_timestamp_seconds', 'gauge', 'When a scan of the context last completed, in seconds since the epoch.', 'seconds');
  const scans = family('kfscan_scans', 'counter', 'Scans of the context since kfscan serve started.');
  const failures = family('kfscan_scan_failures', 'counter', 'Scans of the context that did not complete since kfscan serve started.');

  const labels = contextLabels(result, contexts);
  for (const name of contexts) {
    const label = labels.get(name)!;
    const run = runs.get(name) ?? null;
    const inContext = <T extends { context?: string | null }>(item: T): boolean => name === null || item.context === null || item.context === undefined || item.context === name;
    const ranOnce = run === null || run.succeeded || run.lastSuccess !== null;

    if (ranOnce) {
      for (const meta of sortedChecks(result.checks)) {
        const own = result.findings.filter((finding) => finding.checkId === meta.id && inContext(finding));
        for (const severity of SEVERITIES) {
          const count = own.filter((finding) => finding.severity === severity).length;
          findings.samples.push({ labels: [label, ['check', meta.id], ['category', meta.category], ['severity', severity]], value: count });
        }
        const hidden = (result.suppressed ?? []).filter((finding) => finding.checkId === meta.id && inContext(finding)).length;
        suppressed.samples.push({ labels: [label, ['check', meta.id]], value: hidden });
      }
      const path = paths.get(name);
      for (const step of path?.steps ?? []) {
        stepOpen.samples.push({ labels: [label, ['step', step.definition.id]], value: step.state === 'open' ? 1 : 0 });
        stepClear.samples.push({ labels: [label, ['step', step.definition.id]], value: step.state === 'clear' ? 1 : 0 });
      }
      const notDecided = new Set(path?.steps.flatMap((step) => step.checks.filter((c) => c.status === 'undecided' || c.status === 'failed').map((c) => c.checkId)));
      for (const item of result.coverage.undecided) if (inContext(item)) notDecided.add(item.checkId);
      for (const meta of sortedChecks(result.checks)) undecided.samples.push({ labels: [label, ['check', meta.id]], value: notDecided.has(meta.id) ? 1 : 0 });
      unreadable.samples.push({ labels: [label], value: result.coverage.unreadable.filter(inContext).length });
    }
    errors.samples.push({ labels: [label], value: result.errors.filter(inContext).length });
    success.samples.push({ labels: [label], value: run === null || run.succeeded ? 1 : 0 });
    if (run !== null) {
      duration.samples.push({ labels: [label], value: run.durationSeconds });
      if (run.lastSuccess !== null) lastSuccess.samples.push({ labels: [label], value: run.lastSuccess.getTime() / 1000 });
      if (run.attempts) {
        scans.samples.push({ labels: [label], value: run.attempts.total });
        failures.samples.push({ labels: [label], value: run.attempts.failed });
      }
    } else if (context.generatedAt) {
      lastSuccess.samples.push({ labels: [label], value: context.generatedAt.getTime() / 1000 });
    }
  }

  const all = [build, findings, suppressed, stepOpen, stepClear, undecided, unreadable, errors, success, duration, lastSuccess, scans, failures];
  return `${all.filter((f) => f.samples.length > 0).map(familyText).join('')}# EOF\n`;
}

/**
 * The `context` label of each context (offline: the mode, `manifests`). Two kubeconfig contexts whose names
 * differ only in characters that sanitising escapes would share a label and so a series: the later one
 * gets a number, so that neither vanishes.
 */
function contextLabels(result: ScanResult, contexts: ReadonlyArray<string | null>): Map<string | null, readonly [string, string]> {
  const labels = new Map<string | null, readonly [string, string]>();
  const taken = new Set<string>();
  for (const context of contexts) {
    const raw = context ?? result.target.mode;
    let value = raw;
    for (let n = 2; taken.has(labelValue(value)); n++) value = `${raw} (${n})`;
    taken.add(labelValue(value));
    labels.set(context, ['context', value]);
  }
  return labels;
}

function sortedChecks(checks: readonly CheckMeta[]): CheckMeta[] {
  return [...checks].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function familyText(family: Family): string {
  const sample = family.type === 'counter' ? `${family.name}_total` : family.type === 'info' ? `${family.name}_info` : family.name;
  let text = `# TYPE ${family.name} ${family.type}\n`;
  if (family.unit) text += `# UNIT ${family.name} ${family.unit}\n`;
  text += `# HELP ${family.name} ${family.help}\n`;
  for (const { labels, value } of family.samples) {
    text += `${sample}{${labels.map(([name, raw]) => `${name}="${labelValue(raw)}"`).join(',')}} ${numberText(value)}\n`;
  }
  return text;
}

// Half of a UTF-16 pair: no UTF-8 for it exists.
const LONE_SURROGATE = /\p{Cs}/gu;

/**
 * A label value as OpenMetrics writes it: first made safe like every other report's text (no control,
 * format or invisible characters, no CI runner command), then `\`, `"` and line feeds escaped as the
 * specification says, in well-formed UTF-8.
 */
export function labelValue(text: string): string {
  return terminalSafe(text.replace(LONE_SURROGATE, '\uFFFD'))
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n');
}

function numberText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  return String(value);
}
