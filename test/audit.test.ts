import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';
import { tempDir } from './helpers/live.js';

// scripts/audit.mjs (`npm run audit:prod`) against a stand-in `npm` that answers as the registry would.
function audit(answer: unknown, env: Record<string, string> = {}) {
  const bin = tempDir('kfscan-npm-');
  writeFileSync(path.join(bin, 'npm'), `#!/bin/sh\ncat <<'JSON'\n${JSON.stringify(answer)}\nJSON\n`);
  chmodSync(path.join(bin, 'npm'), 0o755);
  const run = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'audit.mjs')], { encoding: 'utf8', env: { PATH: `${bin}:${process.env['PATH']}`, ...env } });
  return { code: run.status, out: run.stdout + run.stderr };
}

const clean = { auditReportVersion: 2, vulnerabilities: {}, metadata: { vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0, total: 0 } } };

describe('npm run audit:prod', () => {
  it('passes a clean audit and fails on a high or critical advisory', () => {
    expect(audit(clean)).toEqual({ code: 0, out: 'npm audit: 0 advisories in production dependencies, 0 high or critical\n' });
    const moderate = { ...clean, vulnerabilities: { yaml: { name: 'yaml', severity: 'moderate', range: '<2.2.2' } }, metadata: { vulnerabilities: { ...clean.metadata.vulnerabilities, moderate: 1, total: 1 } } };
    expect(audit(moderate).code).toBe(0);
    const high = { ...clean, vulnerabilities: { 'js-yaml': { name: 'js-yaml', severity: 'high', range: '<4.1.1' } }, metadata: { vulnerabilities: { ...clean.metadata.vulnerabilities, high: 1, total: 1 } } };
    expect(audit(high)).toEqual({ code: 1, out: expect.stringContaining('npm audit: high: js-yaml <4.1.1') });
  });

  it('says that nothing was checked when the registry refuses audits, and fails then only when an audit is required', () => {
    const refused = { message: '405 Method Not Allowed - POST https://registry.example/-/npm/v1/security/advisories/bulk', statusCode: 405 };
    expect(audit(refused)).toEqual({ code: 0, out: expect.stringContaining('advisories NOT checked') });
    expect(audit(refused, { KFSCAN_AUDIT_REQUIRED: '1' }).code).toBe(2);
  });
});
