import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import type { CheckMeta, Finding, ScanResult, SuppressedFinding } from '../core/types.js';
import { NOT_APPLICABLE_REASON, docsReference, failsRun, locationLabel, placement, resourceLabel, suppressionLabel } from './describe.js';
import type { ReportContext } from './report-context.js';
import { terminalSafe } from './sanitize.js';

/**
 * JUnit XML as the Jenkins xunit plugin's junit-10.xsd defines it (which GitLab, Jenkins and Azure Pipelines
 * read): one testsuite per check; a failing testcase per finding at or above `--fail-on`, a passing one
 * (with the finding in system-out) below it; a passing testcase for a check that found nothing; a skipped
 * one for a check that did not apply, could not decide, or whose finding was waived; inputs kfscan could
 * not read as errors of a suite of their own. No times or timestamps: the same scan gives the same file.
 */
export function junitReport(result: ScanResult, context: ReportContext): string {
  const root = create({ version: '1.0', encoding: 'UTF-8', invalidCharReplacement: '\ufffd' }).ele('testsuites', { name: 'kfscan' });
  const suites = result.checks.map((meta) => checkSuite(meta, result, context));
  if (result.errors.length > 0) suites.push(inputSuite(result));
  let tests = 0;
  let failures = 0;
  let errors = 0;
  for (const suite of suites) {
    tests += suite.cases.length;
    failures += suite.cases.filter((c) => c.outcome.kind === 'failure').length;
    errors += suite.cases.filter((c) => c.outcome.kind === 'error').length;
    writeSuite(root, suite);
  }
  root.att({ tests: String(tests), failures: String(failures), errors: String(errors) });
  return `${root.end({ prettyPrint: true, indent: '  ' })}\n`;
}

type Outcome =
  | { kind: 'pass'; out?: string }
  | { kind: 'failure' | 'error' | 'skipped'; type: string; message: string; details: string };

interface Case {
  name: string;
  classname: string;
  outcome: Outcome;
}

interface Suite {
  name: string;
  properties: Array<[string, string]>;
  cases: Case[];
}

function checkSuite(meta: CheckMeta, result: ScanResult, context: ReportContext): Suite {
  const classname = `kfscan.${meta.id}`;
  const suite: Suite = { name: meta.id, properties: [['title', meta.title], ['severity', meta.severity], ['category', meta.category]], cases: [] };
  if (result.outOfScope?.includes(meta.id)) {
    suite.cases.push({ name: meta.id, classname, outcome: { kind: 'skipped', type: 'not-applicable', message: `did not apply: ${NOT_APPLICABLE_REASON}`, details: meta.description } });
    return suite;
  }
  for (const finding of result.findings.filter((f) => f.checkId === meta.id)) suite.cases.push(findingCase(finding, classname, context));
  for (const finding of (result.suppressed ?? []).filter((f) => f.checkId === meta.id)) suite.cases.push(waivedCase(finding, classname));
  for (const item of result.coverage.undecided.filter((u) => u.checkId === meta.id)) {
    suite.cases.push({ name: `${meta.id} could not decide${item.context ? ` in ${item.context}` : ''}`, classname, outcome: { kind: 'skipped', type: 'undecided', message: `could not decide: ${item.reason}`, details: item.reason } });
  }
  if (suite.cases.length === 0) suite.cases.push({ name: meta.id, classname, outcome: { kind: 'pass', out: `${meta.title}: nothing found` } });
  return suite;
}

function findingCase(finding: Finding, classname: string, context: ReportContext): Case {
  const name = `${finding.id} ${resourceLabel(finding)}${finding.context ? ` in ${finding.context}` : ''}`;
  const details = findingDetails(finding);
  if (!failsRun(finding.severity, context.failOn)) return { name, classname, outcome: { kind: 'pass', out: `${finding.severity}: ${finding.message}\n${details}` } };
  return { name, classname, outcome: { kind: 'failure', type: finding.severity, message: finding.message, details } };
}

function waivedCase(finding: SuppressedFinding, classname: string): Case {
  return {
    name: `${finding.id} ${resourceLabel(finding)}${finding.context ? ` in ${finding.context}` : ''}`,
    classname,
    outcome: { kind: 'skipped', type: 'waived', message: `waived: ${suppressionLabel(finding.suppression)}`, details: `${finding.severity}: ${finding.message}\n${findingDetails(finding)}` },
  };
}

function findingDetails(finding: Finding): string {
  const place = placement(finding);
  const docs = docsReference(finding.checkId, finding.docsUrl);
  return [
    `Location: ${place ? `${place.location.file}:${place.location.line}:${place.location.column}${place.note ? ` (${place.note})` : ''}` : locationLabel(finding)}`,
    `Fingerprint: ${finding.fingerprint}`,
    `How to fix: ${finding.remediation}`,
    ...(docs ? [docs.kind === 'url' ? `More: ${docs.url}` : `More: ${docs.command}`] : []),
  ].join('\n');
}

function inputSuite(result: ScanResult): Suite {
  return {
    name: 'kfscan inputs',
    properties: [],
    cases: result.errors.map((error) => ({
      name: error.file ?? ([error.context, error.resource].filter(Boolean).join(' ') || 'kfscan'),
      classname: 'kfscan.inputs',
      outcome: { kind: 'error', type: 'input', message: error.message, details: `${error.file ?? ''}${error.line ? `:${error.line}` : ''} ${error.message}`.trim() },
    })),
  };
}

function writeSuite(root: XMLBuilder, suite: Suite): void {
  const count = (kind: Outcome['kind']): string => String(suite.cases.filter((c) => c.outcome.kind === kind).length);
  const element = root.ele('testsuite', {
    name: safe(suite.name),
    tests: String(suite.cases.length),
    failures: count('failure'),
    errors: count('error'),
    skipped: count('skipped'),
  });
  if (suite.properties.length > 0) {
    const properties = element.ele('properties');
    for (const [name, value] of suite.properties) properties.ele('property', { name, value: safe(value) });
  }
  for (const testCase of suite.cases) {
    const node = element.ele('testcase', { name: safe(testCase.name), classname: safe(testCase.classname) });
    const { outcome } = testCase;
    if (outcome.kind === 'pass') {
      if (outcome.out) node.ele('system-out').txt(safe(outcome.out));
      continue;
    }
    node.ele(outcome.kind, { type: outcome.type, message: safe(outcome.message) }).txt(safe(outcome.details));
  }
}

/** Text from manifests and clusters: control characters shown as escapes, line breaks kept. */
function safe(text: string): string {
  return text.split('\n').map(terminalSafe).join('\n');
}
