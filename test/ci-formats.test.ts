// The CI formats, each checked by its published rules: GitHub workflow commands read back as the runner reads
// them (with @actions/core's escaping and hostile names), JUnit against the Jenkins xunit plugin's
// junit-10.xsd, GitLab Code Quality against its field rules with fingerprints stable across runs.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinChecks } from '../checks/index.js';
import type { Finding, ScanResult } from '../src/core/types.js';
import { scanManifests } from '../src/engine/scan.js';
import { escapeData, escapeProperty, githubReport } from '../src/reporters/github.js';
import { gitlabReport } from '../src/reporters/gitlab.js';
import { junitReport } from '../src/reporters/junit.js';
import { gitlabCodeQualityProblems, junitSchemaErrors, parseWorkflowCommand } from './helpers/ci-formats.js';
import { runCli } from './helpers/in-process.js';
import { kfscan, ROOT } from './helpers/cli.js';
import { HOSTILE } from './helpers/results.js';
import { tempRepo } from './helpers/repo.js';

const context = { version: '0.0.0-test', color: false, width: 120 };

async function demoResult(): Promise<ScanResult> {
  const { result } = await scanManifests(['fixtures/demo'], { cwd: ROOT, checks: builtinChecks });
  return result;
}

// Every way a name from a manifest could try to end a command, start another, or reach the terminal.
const EVIL = `a%b\r\nc:d,e::error::pwned\n::add-mask::x ##[error]y ##vso[task.setvariable]z ${HOSTILE.script} ${HOSTILE.bidi} \u001b[2J`;

function hostile(result: ScanResult): ScanResult {
  const first = result.findings[0]!;
  const evil: Finding = {
    ...first,
    resource: { apiVersion: 'v1', kind: 'Service', namespace: EVIL, name: EVIL },
    location: { file: `deploy/${EVIL}.yaml`, line: 3, column: 1 },
    message: EVIL,
    title: EVIL,
  };
  return { ...result, findings: [evil, ...result.findings.slice(1)], errors: [{ file: `${EVIL}.yaml`, line: 2, message: EVIL }] };
}

describe('--format github: workflow commands', () => {
  it("escapes exactly as @actions/core's escapeData and escapeProperty", () => {
    expect(escapeData('100% a\r\nb:c,d')).toBe('100%25 a%0D%0Ab:c,d');
    expect(escapeProperty('100% a\r\nb:c,d')).toBe('100%25 a%0D%0Ab%3Ac%2Cd');
    expect(escapeData('%0A')).toBe('%250A');
  });

  it('prints only workflow commands, one per line, that the runner reads back to what kfscan meant', async () => {
    const result = await demoResult();
    const text = githubReport(result, { ...context, failOn: 'high' });
    const lines = text.trimEnd().split('\n');
    const commands = lines.map(parseWorkflowCommand);
    expect(commands.every((c) => c !== null)).toBe(true);
    expect(commands.filter((c) => c!.command === 'error')).toHaveLength(result.findings.filter((f) => ['critical', 'high'].includes(f.severity)).length);
    expect(commands.filter((c) => c!.command === 'warning' && c!.properties['title']?.startsWith('medium '))).toHaveLength(result.findings.filter((f) => f.severity === 'medium').length);
    const first = commands[0]!;
    const finding = result.findings[0]!;
    expect(first.properties).toEqual({ title: `${finding.severity} ${finding.checkId}: ${finding.title} (${finding.id})`, file: finding.location!.file, line: String(finding.location!.line), col: String(finding.location!.column) });
    expect(first.data).toBe(`${finding.message}\nHow to fix: ${finding.remediation}\nMore: kfscan explain ${finding.checkId}`);
    // The summary is a notice of its own, last.
    expect(commands.at(-1)).toMatchObject({ command: 'notice', properties: { title: 'kfscan summary' }, data: expect.stringMatching(/^17 findings \(9 critical, 3 high, 5 medium\) in 18 resources from 4 files\nchecks: 15 of 15 ran/) });
    // A cluster-wide finding is placed where SARIF places it, and says why.
    const falco = commands.find((c) => c!.properties['title']?.includes('falco-missing'))!;
    expect(falco.properties['file']).toBe('fixtures/demo/pipeline-run.yaml');
    expect(falco.data).toContain('(the finding concerns the whole cluster; shown at Workflow kubeflow-user-example-com/sequential-pipeline-x7k2p, a workload that requests GPUs)');
  });

  it('follows --fail-on: error at or above it, warning below, notice for info', async () => {
    const result = await demoResult();
    const levels = (failOn: 'critical' | 'none') => githubReport(result, { ...context, failOn }).trimEnd().split('\n').slice(0, result.findings.length).map((line) => parseWorkflowCommand(line)!.command);
    expect(levels('critical')).toEqual(result.findings.map((f) => (f.severity === 'critical' ? 'error' : f.severity === 'info' ? 'notice' : 'warning')));
    expect(levels('none').every((level) => level !== 'error')).toBe(true);
  });

  it('keeps hostile names inside their command: no new command, no property injection, no terminal escape', async () => {
    const text = githubReport(hostile(await demoResult()), context);
    const lines = text.trimEnd().split('\n');
    for (const line of lines) expect(line.startsWith('::error ') || line.startsWith('::warning ') || line.startsWith('::notice ')).toBe(true);
    // eslint-disable-next-line no-control-regex -- no raw control character may reach the log
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202e]/);
    const evil = parseWorkflowCommand(lines[0]!)!;
    expect(Object.keys(evil.properties)).toEqual(['title', 'file', 'line', 'col']);
    expect(evil.properties['line']).toBe('3');
    // The message is one line of the annotation, the manifest's line breaks spaces, as in the table.
    // Runner commands from the input are broken as in every format (reporters/sanitize.ts).
    expect(evil.data.split('\n')[0]).toContain('c:d,e::error::pwned :\\:add-mask::x');
    expect(evil.data).not.toContain('\r');
    const error = lines.map((line) => parseWorkflowCommand(line)!).find((c) => c.properties['title'] === 'kfscan could not scan this')!;
    expect(error.properties['line']).toBe('2');
  });

  it('is what the built CLI prints with -f github, and nothing else on stdout', () => {
    const run = kfscan(['scan', 'fixtures/demo', '-f', 'github']);
    expect(run.code).toBe(1);
    for (const line of run.stdout.trimEnd().split('\n')) expect(parseWorkflowCommand(line), line).not.toBeNull();
  });
});

describe('--format junit: the Jenkins xunit junit-10.xsd', () => {
  it('is valid on the demo: one testsuite per check, a failing testcase per finding at or above --fail-on, passes for the rest', async () => {
    const result = await demoResult();
    const xml = junitReport(result, { ...context, failOn: 'high' });
    expect(await junitSchemaErrors(xml)).toEqual([]);
    // The validator does refuse what the schema does not allow.
    expect(await junitSchemaErrors(xml.replace(/<testsuite name="([^"]+)" tests="\d+"/, '<testsuite name="$1"'))).not.toEqual([]);
    expect(await junitSchemaErrors(xml.replace('<system-out>', '<stdout>').replace('</system-out>', '</stdout>'))).not.toEqual([]);
    const suites = [...xml.matchAll(/<testsuite name="([^"]+)" tests="(\d+)" failures="(\d+)" errors="(\d+)" skipped="(\d+)"/g)].map((m) => ({ name: m[1], tests: Number(m[2]), failures: Number(m[3]), skipped: Number(m[5]) }));
    expect(suites.map((s) => s.name)).toEqual(builtinChecks.map((c) => c.meta.id));
    const failing = result.findings.filter((f) => ['critical', 'high'].includes(f.severity));
    expect(suites.reduce((sum, s) => sum + s.failures, 0)).toBe(failing.length);
    expect(xml.match(/<failure /g)).toHaveLength(failing.length);
    // A check that found nothing passes; a finding below the threshold is a passing testcase that says what it found.
    expect(suites.find((s) => s.name === 'sensitive-ui-exposed')).toMatchObject({ tests: 1, failures: 0, skipped: 0 });
    expect(xml).toMatch(/<system-out>medium: /);
    // Could not decide: skipped, with the reason.
    expect(suites.find((s) => s.name === 'namespace-quota-missing')!.skipped).toBe(1);
    expect(xml).toContain('<skipped type="undecided" message="could not decide: no ResourceQuota is in the input');
    // Deterministic: no times, no timestamps.
    expect(xml).not.toMatch(/time=|timestamp=/);
    expect(junitReport(await demoResult(), { ...context, failOn: 'high' })).toBe(xml);
  });

  it('marks checks that did not apply and waived findings as skipped, inputs it could not read as errors', async () => {
    const dir = tempRepo({
      'gateway.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: istio-ingressgateway\n  namespace: istio-system\n  annotations: {kfscan.io/ignore: ingress-gateway-exposed, kfscan.io/ignore-reason: VPN only}\nspec:\n  type: LoadBalancer\n  selector: {istio: ingressgateway}\n',
      'broken.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: "open\n',
    });
    const run = kfscan(['scan', '.', '-f', 'junit', '--fail-on', 'none'], { cwd: dir });
    expect(run.code).toBe(3);
    expect(await junitSchemaErrors(run.stdout)).toEqual([]);
    expect(run.stdout).toContain('<skipped type="not-applicable" message="did not apply: these inputs hold no Kubeflow or other ML platform');
    expect(run.stdout.match(/type="not-applicable"/g)).toHaveLength(8);
    expect(run.stdout).toContain('<skipped type="waived" message="waived: kfscan.io/ignore on Service istio-system/istio-ingressgateway (gateway.yaml:6): VPN only"');
    expect(run.stdout).toMatch(/<testsuite name="kfscan inputs" tests="1" failures="0" errors="1" skipped="0">\s*<testcase name="broken.yaml" classname="kfscan.inputs">\s*<error type="input" message="invalid YAML: Missing closing &quot;quote"/);
  });

  it('stays valid XML with hostile names: markup escaped, characters XML forbids replaced', async () => {
    const result = hostile(await demoResult());
    result.findings[1] = { ...result.findings[1]!, message: 'nul \u0000 bell \u0007 not-a-char \uffff lone \ud800 end ]]> <!-- -->' };
    const xml = junitReport(result, { ...context, failOn: 'high' });
    expect(await junitSchemaErrors(xml)).toEqual([]);
    expect(xml).not.toContain('<script>');
    // eslint-disable-next-line no-control-regex -- no raw control character may reach the report
    expect(xml).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202e]/);
  });
});

describe('--format gitlab: GitLab Code Quality', () => {
  it('has the fields GitLab requires, its severities, and the places SARIF uses', async () => {
    const result = await demoResult();
    const report = JSON.parse(gitlabReport(result, context));
    expect(gitlabCodeQualityProblems(report)).toEqual([]);
    for (const broken of [{ severity: 'high' }, { fingerprint: undefined }, { location: { path: '/abs/file.yaml', lines: { begin: 1 } } }, { location: { path: 'a.yaml' } }]) {
      expect(gitlabCodeQualityProblems([{ ...report[0], ...broken }]), JSON.stringify(broken)).not.toEqual([]);
    }
    expect(gitlabCodeQualityProblems([report[0], report[0]])).toEqual(['fingerprints are not unique']);
    expect(report).toHaveLength(result.findings.length);
    const mapped = { critical: 'blocker', high: 'critical', medium: 'major', low: 'minor', info: 'info' } as const;
    report.forEach((issue: { severity: string; check_name: string }, index: number) => {
      expect(issue.severity).toBe(mapped[result.findings[index]!.severity]);
      expect(issue.check_name).toBe(result.findings[index]!.checkId);
    });
    const falco = report.find((issue: { check_name: string }) => issue.check_name === 'falco-missing');
    expect(falco.location).toEqual({ path: 'fixtures/demo/pipeline-run.yaml', lines: { begin: 36 } });
    expect(falco.description).toContain('shown at Workflow kubeflow-user-example-com/sequential-pipeline-x7k2p, a workload that requests GPUs');
  });

  it('keeps every fingerprint across runs, and when lines move', async () => {
    const manifests = readFileSync(path.join(ROOT, 'fixtures/demo/istio.yaml'), 'utf8');
    const dir = tempRepo({ 'istio.yaml': manifests });
    const first = JSON.parse(kfscan(['scan', '.', '-f', 'gitlab', '--fail-on', 'none'], { cwd: dir }).stdout);
    // The same fingerprints from the binary and in-process, and after lines moved.
    const again = JSON.parse((await runCli(['scan', '.', '-f', 'gitlab', '--fail-on', 'none'], { cwd: dir })).stdout);
    writeFileSync(path.join(dir, 'istio.yaml'), `# moved down\n\n\n${manifests}`);
    const moved = JSON.parse((await runCli(['scan', '.', '-f', 'gitlab', '--fail-on', 'none'], { cwd: dir })).stdout);
    expect(gitlabCodeQualityProblems(first)).toEqual([]);
    const prints = (report: Array<{ fingerprint: string }>) => report.map((issue) => issue.fingerprint);
    expect(prints(again)).toEqual(prints(first));
    expect(prints(moved)).toEqual(prints(first));
    expect(moved[0].location.lines.begin).toBe(first[0].location.lines.begin + 3);
  });
});

describe('several formats in one run', () => {
  it('writes each --report file and says so on stderr, one line per file', () => {
    const dir = tempRepo({ 'istio.yaml': readFileSync(path.join(ROOT, 'fixtures/demo/istio.yaml'), 'utf8') });
    const run = kfscan(['scan', '.', '-f', 'json', '--fail-on', 'none', '--report', 'sarif=out/kfscan.sarif', '--report', 'junit=out/junit.xml', '--report', 'gitlab=gl-code-quality.json', '--report', 'github=annotations.txt'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).schemaVersion).toBe(1);
    expect(run.stderr.split('\n').filter((line) => line.startsWith('kfscan: wrote'))).toEqual([
      'kfscan: wrote the SARIF report to out/kfscan.sarif',
      'kfscan: wrote the JUnit report to out/junit.xml',
      'kfscan: wrote the GitLab Code Quality report to gl-code-quality.json',
      'kfscan: wrote the GitHub annotations report to annotations.txt',
    ]);
    const sarif = JSON.parse(readFileSync(path.join(dir, 'out/kfscan.sarif'), 'utf8'));
    // No site to link to: a rule carries its check's whole page.
    const rule = sarif.runs[0].tool.driver.rules[0];
    expect(rule.helpUri).toBeUndefined();
    expect(sarif.runs[0].tool.driver.informationUri).toBeUndefined();
    expect(rule.help.markdown).toMatch(/^### What it detects\n\n[\s\S]*### How to fix[\s\S]*`kfscan explain ingress-gateway-exposed` prints this page in a terminal\.$/);
    // --fail-on none: nothing is an error.
    expect(readFileSync(path.join(dir, 'annotations.txt'), 'utf8')).toMatch(/^::warning title=high ingress-gateway-exposed/);
  });
});
