import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../src/core/types.js';
import { attackPaths } from '../src/reporters/attack-path.js';
import { labelValue, openMetricsReport } from '../src/reporters/openmetrics.js';
import type { ReportContext } from '../src/reporters/report-context.js';
import { terminalSafe } from '../src/reporters/sanitize.js';
import { runCli } from './helpers/in-process.js';
import { tempDir } from './helpers/live.js';
import { parseOpenMetricsStrict, parsePrometheusText, referenceParser, type MetricFamily } from './helpers/openmetrics.js';
import { ATTACK_PATH, CATALOGUE, demoResult, finding, liveTwoClusters, meta, result } from './helpers/results.js';

const AT = new Date('2026-03-14T09:27:00Z');
const context: ReportContext = { version: '0.1.0', color: false, width: 120, generatedAt: AT, attackPath: ATTACK_PATH };
const reference = referenceParser();

/** Parsed three ways: the strict grammar, the npm parser, and the Prometheus Python client where it is installed. */
function parsed(text: string): Map<string, MetricFamily> {
  const families = parseOpenMetricsStrict(text);
  const samples = [...families.values()].reduce((sum, family) => sum + family.samples.length, 0);
  expect(parsePrometheusText(text)).toHaveLength(samples);
  if (reference) expect(reference(text)).toEqual({ families: families.size, samples });
  return families;
}

function value(families: Map<string, MetricFamily>, name: string, labels: Record<string, string>): number | undefined {
  const family = families.get(name);
  return family?.samples.find((sample) => Object.entries(labels).every(([key, v]) => sample.labels[key] === v))?.value;
}

const sum = (families: Map<string, MetricFamily>, name: string, where: (labels: Record<string, string>) => boolean = () => true): number =>
  (families.get(name)?.samples ?? []).filter((sample) => where(sample.labels)).reduce((total, sample) => total + sample.value, 0);

describe('--format openmetrics', () => {
  it('matches the golden file and counts what the scan found, by check, severity and attack-path step', async () => {
    const demo = await demoResult();
    const text = openMetricsReport(demo, { ...context, scanRuns: [{ context: null, durationSeconds: 0.25, succeeded: true, lastSuccess: AT }] });
    await expect(text).toMatchFileSnapshot('golden/demo.openmetrics.txt');
    const families = parsed(text);
    expect(families.get('kfscan_build')).toMatchObject({ type: 'info', samples: [{ name: 'kfscan_build_info', labels: { version: '0.1.0' }, value: 1 }] });
    expect(sum(families, 'kfscan_findings')).toBe(demo.findings.length);
    for (const f of demo.findings) {
      const count = demo.findings.filter((other) => other.checkId === f.checkId && other.severity === f.severity).length;
      expect(value(families, 'kfscan_findings', { context: 'manifests', check: f.checkId, severity: f.severity, category: f.category })).toBe(count);
    }
    const [path] = attackPaths(demo, ATTACK_PATH);
    for (const step of path!.steps) {
      expect(value(families, 'kfscan_attack_path_step_open', { context: 'manifests', step: step.definition.id })).toBe(step.state === 'open' ? 1 : 0);
    }
    expect(value(families, 'kfscan_scan_duration_seconds', { context: 'manifests' })).toBe(0.25);
    expect(value(families, 'kfscan_last_success_timestamp_seconds', { context: 'manifests' })).toBe(AT.getTime() / 1000);
    expect(families.get('kfscan_scan_duration_seconds')?.unit).toBe('seconds');
  });

  it('per context: undecided checks, unreadable kinds, failed contexts without stale zeros', () => {
    const live = liveTwoClusters();
    const text = openMetricsReport(
      { ...live, target: { mode: 'cluster', contexts: ['prod-eu', 'staging', 'dead'] }, errors: [{ context: 'dead', message: 'connection refused' }] },
      {
        ...context,
        scanRuns: [
          { context: 'prod-eu', durationSeconds: 2, succeeded: true, lastSuccess: AT },
          { context: 'staging', durationSeconds: 1, succeeded: true, lastSuccess: AT },
          { context: 'dead', durationSeconds: 0.5, succeeded: false, lastSuccess: null, attempts: { total: 3, failed: 3 } },
        ],
      },
    );
    const families = parsed(text);
    expect(value(families, 'kfscan_check_undecided', { context: 'staging', check: 'default-credentials' })).toBe(1);
    expect(value(families, 'kfscan_check_undecided', { context: 'prod-eu', check: 'default-credentials' })).toBe(0);
    expect(value(families, 'kfscan_unreadable_kinds', { context: 'staging' })).toBe(1);
    expect(value(families, 'kfscan_findings', { context: 'prod-eu', check: 'default-credentials', severity: 'critical' })).toBe(1);
    expect(value(families, 'kfscan_attack_path_step_open', { context: 'prod-eu', step: 'dashboard' })).toBe(1);
    expect(value(families, 'kfscan_attack_path_step_open', { context: 'staging', step: 'dashboard' })).toBe(0);
    // A context never scanned has no findings to show: no zeros that would resolve an alert.
    expect(value(families, 'kfscan_findings', { context: 'dead' })).toBeUndefined();
    expect(value(families, 'kfscan_attack_path_step_open', { context: 'dead' })).toBeUndefined();
    expect(value(families, 'kfscan_scan_success', { context: 'dead' })).toBe(0);
    expect(value(families, 'kfscan_scan_errors', { context: 'dead' })).toBe(1);
    expect(value(families, 'kfscan_scan_failures', { context: 'dead' })).toBe(3);
    expect(value(families, 'kfscan_last_success_timestamp_seconds', { context: 'dead' })).toBeUndefined();
    expect(families.get('kfscan_scans')?.type).toBe('counter');
  });

  it('escapes hostile label values, passes them through the sanitising rules, and never writes object names or secret values', () => {
    const hostile = [
      'quote" } 1\nkfscan_evil{x="1',
      'back\\slash\\"',
      'line\nfeed\r\ncarriage',
      '\u001b]0;title\u0007\u001b[2Jclear',
      'gpu\u202Eexe.sh\u200b',
      '::add-mask::HOSTILE',
      '##vso[task.setvariable variable=x]HOSTILE',
      'lone \ud800 surrogate',
      '# EOF',
    ];
    const checks = [...CATALOGUE, meta('plugin-"check"\n#', 'hardening')];
    const secretName = 'dex-passwords-KFSECRETNAME';
    const scan: ScanResult = result({
      target: { mode: 'cluster', contexts: hostile },
      checks,
      findings: hostile.map((name) =>
        finding('default-credentials', {
          context: name,
          resource: { apiVersion: 'v1', kind: 'Secret', namespace: 'auth', name: secretName },
          message: 'the password KFSECRETVALUE is a default',
        }),
      ),
    });
    const text = openMetricsReport(scan, context);
    const families = parsed(text);
    expect(text).not.toContain('KFSECRET');
    // eslint-disable-next-line no-control-regex -- no raw control character other than the line ends may reach the text
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b\u202e]/);
    expect(text).not.toMatch(/^kfscan_evil/m);
    expect(text.match(/^# EOF$/gm)).toHaveLength(1);
    const contexts = families.get('kfscan_scan_success')!.samples.map((sample) => sample.labels['context']);
    expect(contexts).toEqual(hostile.map((name) => terminalSafe(name.replace(/\p{Cs}/gu, '\ufffd'))));
    // The npm parser unescapes the label values to the same text.
    const npm = parsePrometheusText(text).filter((sample) => sample.name === 'kfscan_scan_success');
    expect(npm.map((sample) => sample.labels['context'])).toEqual(contexts);
    expect(value(families, 'kfscan_check_undecided', { check: terminalSafe('plugin-"check"\n#') })).toBe(0);
    for (const name of contexts) expect(value(families, 'kfscan_findings', { context: name!, check: 'default-credentials', severity: 'critical' })).toBe(1);
  });

  it('gives contexts that sanitise alike labels of their own', () => {
    const names = ['prod\u200b', 'prod\\u200b', 'prod\u200b (2)'];
    const families = parsed(openMetricsReport(result({ target: { mode: 'cluster', contexts: names } }), context));
    const labels = families.get('kfscan_scan_success')!.samples.map((sample) => sample.labels['context']);
    expect(new Set(labels).size).toBe(names.length);
  });

  it('label values: the specification\'s three escapes after sanitising', () => {
    expect(labelValue('a"b\\c')).toBe('a\\"b\\\\c');
    expect(labelValue('a\nb')).toBe('a b');
    expect(labelValue('\u001b[31m')).toBe('\\\\x1b[31m');
  });

  it('is a format of the CLI, on stdout and with --report', async () => {
    const dir = tempDir('kfscan-openmetrics-');
    const run = await runCli(['scan', 'fixtures/demo', '-f', 'openmetrics', '--fail-on', 'none', '--report', `openmetrics=${path.join(dir, 'kfscan.prom')}`]);
    expect(run.code, run.stderr).toBe(0);
    const families = parsed(run.stdout);
    expect(sum(families, 'kfscan_findings')).toBeGreaterThan(0);
    expect(value(families, 'kfscan_scan_duration_seconds', { context: 'manifests' })).toBeGreaterThan(0);
    const file = readFileSync(path.join(dir, 'kfscan.prom'), 'utf8');
    expect(parsed(file).get('kfscan_findings')?.samples).toEqual(families.get('kfscan_findings')?.samples);
  });
});
