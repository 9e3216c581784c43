import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinChecks } from '../checks/index.js';
import { scanManifests } from '../src/engine/scan.js';
import { fixtureCases } from './helpers/fixtures.js';

const ROOT = path.resolve(import.meta.dirname, '..');

// One generic test for every check: pass fixtures give no finding of that check, fail fixtures give
// exactly the findings their header lists, with line, severity and message.
describe.each(builtinChecks.map((check) => [check.meta.id, check] as const))('%s', (id, check) => {
  const cases = fixtureCases(id);
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, fixture) => {
    const { result } = await scanManifests([path.relative(ROOT, fixture.path)], {
      cwd: ROOT,
      checks: [check],
      wholeCluster: fixture.wholeCluster,
    });
    expect(result.errors, 'fixture must load without errors').toEqual([]);
    const actual = result.findings.map((finding) => ({
      line: finding.location?.line,
      severity: finding.severity,
      message: finding.message,
      ...(fixture.expect.some((e) => e.file) ? { file: path.basename(finding.location?.file ?? '') } : {}),
    }));
    const expected = fixture.expect.map((e) => ({
      line: e.line,
      severity: e.severity,
      message: e.message,
      ...(e.file ? { file: e.file } : {}),
    }));
    expect(actual).toEqual(expected);
    if (fixture.kind === 'fail') expect(expected.length, 'a fail fixture must expect findings').toBeGreaterThan(0);
  });
});
