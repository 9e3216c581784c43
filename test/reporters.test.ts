import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinChecks } from '../checks/index.js';
import { scanManifests } from '../src/engine/scan.js';
import type { ScanResult } from '../src/core/types.js';
import { jsonReport } from '../src/reporters/json.js';
import { sarifReport } from '../src/reporters/sarif.js';
import { tableReport } from '../src/reporters/table.js';
import { reportSchemaErrors } from './helpers/report-schema.js';
import { githubCodeScanningProblems, sarifSchemaErrors } from './helpers/sarif-schema.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const context = { version: '0.0.0-test', color: false, width: 120 };

async function demoResult(): Promise<ScanResult> {
  const { result } = await scanManifests(['fixtures/demo'], { cwd: ROOT, checks: builtinChecks, now: () => SCANNED_AT });
  return result;
}

const SCANNED_AT = new Date('2026-03-14T09:26:53Z');

describe('reporters on the demo manifests', () => {
  it('JSON matches the golden file and the schemaVersion 1 contract', async () => {
    const text = jsonReport(await demoResult(), context);
    await expect(text).toMatchFileSnapshot('golden/demo.json');
    const report = JSON.parse(text);
    expect(Object.keys(report)).toEqual([
      'schemaVersion', 'tool', 'target', 'summary', 'findings', 'errors', 'warnings', 'coverage', 'suppressed', 'filtered', 'engagement', 'provenance',
    ]);
    expect(report.engagement).toEqual({ title: null, customer: null, assessor: null });
    expect(report.provenance.scannedAt).toBe('2026-03-14T09:26:53.000Z');
    expect(report.provenance.inputs).toMatchObject({ paths: ['fixtures/demo'], roots: [], clusters: [], unreadableKinds: [] });
    expect(report.provenance.inputs.namespaces).toEqual(expect.arrayContaining(['auth', 'istio-system', 'kubeflow', 'kubeflow-user-example-com']));
    expect(report.provenance.checks).toEqual(builtinChecks.map((check) => check.meta.id));
    expect(report.schemaVersion).toBe(1);
    expect(report.tool).toEqual({ name: 'kfscan', version: '0.0.0-test' });
    expect(report.target).toEqual({ mode: 'manifests', paths: ['fixtures/demo'] });
    for (const finding of report.findings) {
      expect(Object.keys(finding)).toEqual([
        'id', 'checkId', 'title', 'severity', 'category', 'resource', 'location', 'context', 'message', 'remediation', 'docsUrl', 'fingerprint',
      ]);
      // A cluster-wide finding (no Falco or no Prometheus at all) has neither resource nor location, as the contract says.
      if (finding.resource === null) expect(finding.location).toBeNull();
      else expect(finding.location.file).toMatch(/^fixtures\/demo\/[a-z-]+\.yaml$/);
      expect(finding.fingerprint).toMatch(/^[0-9a-f]{32}$/);
      expect(finding.id).toBe(`KF-${finding.fingerprint.slice(0, 6)}`);
    }
    const total = report.summary.critical + report.summary.high + report.summary.medium + report.summary.low + report.summary.info;
    expect(report.summary.total).toBe(total);
    expect(report.findings).toHaveLength(total);
    expect(reportSchemaErrors(report)).toEqual([]);
  });

  it('the published JSON schema refuses what the contract does not allow', () => {
    const finding = { checkId: 'x', title: 't', severity: 'high', category: 'exposure', resource: null, location: null, context: null, message: 'm', remediation: 'r', docsUrl: '', fingerprint: '0'.repeat(32), id: 'KF-000000' };
    const report = { schemaVersion: 1, tool: { name: 'kfscan', version: '1' }, target: { mode: 'manifests' }, summary: { critical: 0, high: 1, medium: 0, low: 0, info: 0, total: 1 }, findings: [finding], errors: [], warnings: [], coverage: { unreadable: [], undecided: [] }, suppressed: [], filtered: { minSeverity: null, belowMinSeverity: 0, baseline: null, inBaseline: 0 } };
    expect(reportSchemaErrors(report)).toEqual([]);
    expect(reportSchemaErrors({ ...report, findings: [{ ...finding, roots: ['overlays/prod'] }] })).toEqual([]);
    for (const wrong of [{ id: 'KF-12' }, { id: 'kf-000000' }, { roots: [] }, { roots: ['a', 'a'] }, { severity: 'urgent' }, { unknownField: 1 }, { location: { file: 'x.yaml', line: 0, column: 1 } }]) {
      expect(reportSchemaErrors({ ...report, findings: [{ ...finding, ...wrong }] }), JSON.stringify(wrong)).not.toEqual([]);
    }
    const provenance = { scannedAt: '2026-03-14T09:26:53.000Z', inputs: { paths: ['a'], roots: [], clusters: [{ context: 'c', kubernetesVersion: null, platform: null }], namespaces: [], unreadableKinds: [] }, checks: ['x'] };
    const engagement = { title: 't', customer: null, assessor: null };
    expect(reportSchemaErrors({ ...report, provenance, engagement })).toEqual([]);
    for (const wrong of [
      { provenance: { ...provenance, scannedAt: '14 March 2026' } },
      { provenance: { ...provenance, scannedAt: '2026-03-14T10:26:53+01:00' } },
      { provenance: { ...provenance, inputs: { ...provenance.inputs, clusters: [{ context: 'c' }] } } },
      { provenance: { ...provenance, extra: 1 } },
      { engagement: { title: 't' } },
      { engagement: { ...engagement, title: 1 } },
    ]) {
      expect(reportSchemaErrors({ ...report, provenance, engagement, ...wrong }), JSON.stringify(wrong)).not.toEqual([]);
    }
  });

  it('SARIF matches the golden file, the official 2.1.0 schema and GitHub code scanning rules', async () => {
    const text = sarifReport(await demoResult(), context);
    await expect(text).toMatchFileSnapshot('golden/demo.sarif');
    const log = JSON.parse(text);
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(githubCodeScanningProblems(log)).toEqual([]);
    expect(log.runs[0].tool.driver.version).toBe('0.0.0-test');
    expect(log.runs[0].tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(builtinChecks.map((c) => c.meta.id));
  });

  it('table matches the golden file', async () => {
    await expect(tableReport(await demoResult(), context)).toMatchFileSnapshot('golden/demo.table.txt');
  });

  it('output is deterministic across runs', async () => {
    const [a, b] = await Promise.all([demoResult(), demoResult()]);
    expect(jsonReport(a, context)).toBe(jsonReport(b, context));
    expect(sarifReport(a, context)).toBe(sarifReport(b, context));
  });
});

describe('SARIF edge cases stay valid', () => {
  it('a finding without a resource is placed on the first scanned file', async () => {
    const result = await demoResult();
    result.findings.push({ ...result.findings[0]!, resource: null, location: null, related: [] });
    const log = JSON.parse(sarifReport(result, context));
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(githubCodeScanningProblems(log)).toEqual([]);
    expect(log.runs[0].results.at(-1).locations[0].physicalLocation.artifactLocation.uri).toBe(result.anchorFile);
  });

  it('live findings use logical locations', async () => {
    const result = await demoResult();
    const live: ScanResult = {
      ...result,
      target: { mode: 'cluster', contexts: ['prod'] },
      anchorFile: null,
      findings: result.findings.map((f) => ({ ...f, location: null, context: 'prod', related: [] })),
    };
    const log = JSON.parse(sarifReport(live, context));
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(log.runs[0].results[0].locations[0].logicalLocations[0].fullyQualifiedName).toMatch(/^prod\/[^/]+\/[A-Za-z]+\/.+/);
  });
});

describe('table output is safe for a terminal', () => {
  it('shows control characters from manifests as escapes and adds colour only when asked', async () => {
    const result = await demoResult();
    result.findings[0] = { ...result.findings[0]!, message: 'evil \u001b[2J\u001b]0;title\u0007 name\u202e' };
    const plain = tableReport(result, context);
    // eslint-disable-next-line no-control-regex -- no raw control character may reach the table
    expect(plain).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202e]/);
    expect(plain).toContain('\\x1b[2J');
    const coloured = tableReport(result, { ...context, color: true });
    expect(coloured).toContain('\u001b[1;31mCRITICAL');
    // eslint-disable-next-line no-control-regex -- the colour codes are the only escapes allowed
    expect(coloured.replace(/\u001b\[[0-9;]*m/g, '')).not.toContain('\u001b');
  });
});

describe('suppressed findings in every report', () => {
  // The demo seen by the two checks these counts are about.
  const checks = builtinChecks.filter((check) => ['ingress-gateway-exposed', 'mutable-ml-image'].includes(check.meta.id));

  async function suppressedDemo(): Promise<ScanResult> {
    const { result } = await scanManifests(['fixtures/demo'], {
      cwd: ROOT,
      checks,
      suppression: {
        now: new Date('2030-01-01T00:00:00Z'),
        rules: [
          {
            checks: new Set(['ingress-gateway-exposed']),
            matches: () => true,
            reason: 'internal load balancer behind the VPN',
            expires: '2031-01-31',
            location: { file: '.kfscan.yaml', line: 3, column: 5 },
          },
        ],
      },
    });
    return result;
  }

  it('leave the table, which counts them and lists them on request', async () => {
    const result = await suppressedDemo();
    const table = tableReport(result, context);
    expect(table).not.toContain('ingress-gateway-exposed');
    expect(table).toMatch(/kfscan: 2 findings \(2 critical\) in 18 resources from 4 files; 1 suppressed \(--show-suppressed lists them\)$/m);
    const listed = tableReport(result, { ...context, width: 220, showSuppressed: true });
    expect(listed).toContain('SUPPRESSED (1)');
    expect(listed).toContain('.kfscan.yaml:3: internal load balancer behind the VPN, until 2031-01-31');
    expect(listed).toMatch(/kfscan: 2 findings \(2 critical\) in 18 resources from 4 files; 1 suppressed$/m);
  });

  it('are a separate list in JSON, with their suppression', async () => {
    const report = JSON.parse(jsonReport(await suppressedDemo(), context));
    expect(report.summary.total).toBe(2);
    expect(report.findings.map((f: { checkId: string }) => f.checkId)).not.toContain('ingress-gateway-exposed');
    expect(report.suppressed).toHaveLength(1);
    expect(report.suppressed[0].checkId).toBe('ingress-gateway-exposed');
    expect(report.suppressed[0].suppression).toEqual({
      kind: 'inSource',
      via: 'config',
      justification: 'internal load balancer behind the VPN',
      location: { file: '.kfscan.yaml', line: 3, column: 5 },
      resource: null,
      expires: '2031-01-31',
    });
  });

  it('stay in SARIF as accepted suppressions with their justification, valid for the schema and GitHub', async () => {
    const result = await suppressedDemo();
    const inSource: ScanResult = {
      ...result,
      suppressed: result.suppressed!.map((f) => ({
        ...f,
        suppression: { ...f.suppression, kind: 'inSource', via: 'annotation', justification: 'waived', location: f.location, resource: f.resource, expires: null },
      })),
    };
    for (const variant of [result, inSource]) {
      const log = JSON.parse(sarifReport(variant, context));
      expect(sarifSchemaErrors(log)).toEqual([]);
      expect(githubCodeScanningProblems(log)).toEqual([]);
      const results = log.runs[0].results;
      expect(results).toHaveLength(3);
      expect(results.filter((r: { suppressions?: unknown }) => !r.suppressions)).toHaveLength(2);
    }
    const configured = JSON.parse(sarifReport(result, context)).runs[0].results.at(-1);
    expect(configured.ruleId).toBe('ingress-gateway-exposed');
    expect(configured.suppressions).toEqual([
      {
        kind: 'inSource',
        status: 'accepted',
        justification: 'internal load balancer behind the VPN',
        location: { physicalLocation: { artifactLocation: { uri: '.kfscan.yaml', uriBaseId: '%SRCROOT%' }, region: { startLine: 3, startColumn: 5 } } },
        properties: { via: 'config', expires: '2031-01-31' },
      },
    ]);
    const annotation = JSON.parse(sarifReport(inSource, context)).runs[0].results.at(-1);
    expect(annotation.suppressions[0]).toMatchObject({ kind: 'inSource', status: 'accepted', justification: 'waived' });
  });
});
