import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinChecks } from '../checks/index.js';
import { exitCodeFor } from '../src/cli/exit-codes.js';
import type { ScanResult } from '../src/core/types.js';
import { BaselineError, baselineFingerprints } from '../src/engine/baseline.js';
import { filterReport } from '../src/engine/filters.js';
import { scanManifests } from '../src/engine/scan.js';
import { jsonReport } from '../src/reporters/json.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const context = { version: '0.0.0-test', color: false, width: 120 };

async function scan(file: string): Promise<ScanResult> {
  return (await scanManifests([file], { cwd: ROOT, checks: builtinChecks })).result;
}

describe('--min-severity', () => {
  it('leaves out lower findings, counts them, and they no longer decide the exit code', async () => {
    const result = await scan('checks/mutable-ml-image/fixtures/fail-notebook-and-jobs.yaml');
    const severities = result.findings.map((f) => f.severity);
    expect(severities).toContain('high');
    expect(severities).toContain('medium');
    const filtered = filterReport(result, { minSeverity: 'high' });
    expect(filtered.findings.every((f) => f.severity === 'high' || f.severity === 'critical')).toBe(true);
    expect(filtered.filtered).toEqual({ minSeverity: 'high', belowMinSeverity: severities.filter((s) => s !== 'high' && s !== 'critical').length, baseline: null, inBaseline: 0 });
    expect(exitCodeFor(result, 'medium')).toBe(1);
    expect(exitCodeFor(filterReport(result, { minSeverity: 'critical' }), 'medium')).toBe(0);
  });
});

describe('--baseline', () => {
  it('reads the fingerprints of a kfscan JSON report', async () => {
    const result = await scan('fixtures/demo');
    const fingerprints = baselineFingerprints(jsonReport(result, context));
    expect([...fingerprints].sort()).toEqual(result.findings.map((f) => f.fingerprint).sort());
  });

  it('reports only findings that are not in the baseline', async () => {
    const result = await scan('fixtures/demo');
    const old = new Set(result.findings.slice(1).map((f) => f.fingerprint));
    const filtered = filterReport(result, { baseline: { label: 'old.json', fingerprints: old } });
    expect(filtered.findings).toEqual([result.findings[0]]);
    expect(filtered.filtered).toEqual({ minSeverity: null, belowMinSeverity: 0, baseline: 'old.json', inBaseline: result.findings.length - 1 });
  });

  it.each([
    ['not JSON', 'apiVersion: v1', 'is not JSON'],
    ['SARIF', JSON.stringify({ version: '2.1.0', runs: [] }), 'is a SARIF log, not a kfscan JSON report'],
    ['another tool', JSON.stringify({ tool: { name: 'trivy' }, findings: [] }), 'is not a kfscan JSON report'],
    ['a newer schema', JSON.stringify({ schemaVersion: 2, tool: { name: 'kfscan' }, findings: [] }), 'has schemaVersion 2; this kfscan reads schemaVersion 1'],
    ['a finding without fingerprint', JSON.stringify({ schemaVersion: 1, tool: { name: 'kfscan' }, findings: [{ checkId: 'x' }] }), 'has no valid fingerprint in findings[0]'],
  ])('refuses %s', (_name, text, message) => {
    expect(() => baselineFingerprints(text)).toThrow(BaselineError);
    expect(() => baselineFingerprints(text)).toThrow(message);
  });
});
