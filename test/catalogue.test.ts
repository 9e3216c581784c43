import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinChecks } from '../checks/index.js';
import { parseDocsPage } from '../src/catalogue/docs-page.js';
import { isCategory } from '../src/core/categories.js';
import { SEVERITIES } from '../src/core/severity.js';
import { analyseInventory } from '../src/engine/analyse.js';
import { FIXTURES_DIR, checkIdsWithFixtures, fixtureCases } from './helpers/fixtures.js';
import { scannedInventory } from './helpers/inventory.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const CATEGORIES = ['exposure', 'auth', 'mfa', 'mutable-ml-image', 'miner', 'falco-missing', 'falco-rules', 'prometheus-missing', 'alerting-gap', 'hardening'];
const KEBAB = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

// The catalogue is a public contract: every check is complete, documented and tested, or CI fails.
describe('check catalogue', () => {
  it('has unique kebab-case ids that match their folder names, and registers every folder', () => {
    const ids = builtinChecks.map((check) => check.meta.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toMatch(KEBAB);
      expect(existsSync(path.join(ROOT, 'checks', id, 'index.ts')), `checks/${id}/index.ts`).toBe(true);
    }
    const folders = readdirSync(path.join(ROOT, 'checks'), { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
    expect(folders.sort(), 'every folder under checks/ is imported and listed in checks/index.ts').toEqual([...ids].sort());
  });

  it('is found by src/ only through the registry: no file of src/ names a check', () => {
    // Category names are the contract's, and three of them are also check ids: they may be written where
    // the categories are defined, and nowhere else.
    const categoryFiles = new Set(['src/core/categories.ts', 'src/core/types.ts']);
    const offenders: string[] = [];
    for (const file of sourceFiles(path.join(ROOT, 'src'))) {
      const relative = path.relative(ROOT, file).split(path.sep).join('/');
      const text = readFileSync(file, 'utf8');
      for (const { meta } of builtinChecks) {
        for (const match of text.matchAll(new RegExp(`(?<![\\w-])${meta.id}(?![\\w-])`, 'g'))) {
          if (isCategory(meta.id) && categoryFiles.has(relative)) continue;
          offenders.push(`${relative}:${text.slice(0, match.index).split('\n').length}: ${meta.id}`);
        }
      }
    }
    expect(offenders, 'check-specific code belongs in checks/<id>/ (CONTRIBUTING.md)').toEqual([]);
  });

  it.each(builtinChecks.map((check) => [check.meta.id, check] as const))('%s is one folder: its parts and nothing else', (id, check) => {
    const folder = path.join(ROOT, 'checks', id);
    const parts = readdirSync(folder).sort();
    for (const required of ['README.md', 'fixtures', 'index.ts']) expect(parts, `checks/${id}/${required}`).toContain(required);
    expect(parts.filter((part) => !['README.md', 'fixtures', 'index.ts', 'remediation.ts'].includes(part)), `checks/${id}/ holds only its parts`).toEqual([]);
    expect(check.attackPath.length, 'the steps of the attack path it decides').toBeGreaterThan(0);
    expect(Boolean(check.remediation), 'a remediation.ts exactly when it contributes its own part of the kit').toBe(
      parts.includes('remediation.ts') || (check.remediation ?? []).length > 0,
    );
  });

  it.each(builtinChecks.map((check) => [check.meta.id, check.meta] as const))('%s has complete metadata', (_id, meta) => {
    expect(meta.title.length).toBeGreaterThan(10);
    expect(meta.description.length).toBeGreaterThan(40);
    expect(meta.rationale.length).toBeGreaterThan(40);
    expect(meta.remediation.length).toBeGreaterThan(20);
    expect(CATEGORIES).toContain(meta.category);
    expect(SEVERITIES).toContain(meta.severity);
    expect(meta.tags.length).toBeGreaterThan(0);
    for (const tag of meta.tags) expect(tag).toMatch(/^MS-(TA|M)\d{4}(\.\d{3})?$/);
    expect(meta.needs.length).toBeGreaterThan(0);
  });

  it.each(builtinChecks.map((check) => [check.meta.id, check.meta] as const))('%s has pass and fail fixtures', (id) => {
    const cases = fixtureCases(id);
    expect(cases.some((c) => c.kind === 'pass'), `checks/${id}/fixtures/pass-*`).toBe(true);
    expect(cases.some((c) => c.kind === 'fail'), `checks/${id}/fixtures/fail-*`).toBe(true);
  });

  it.each(builtinChecks.map((check) => [check.meta.id, check.meta] as const))('%s has a docs page matching its metadata', (id, meta) => {
    const file = path.join(ROOT, 'checks', id, 'README.md');
    expect(existsSync(file), `checks/${id}/README.md`).toBe(true);
    const doc = readFileSync(file, 'utf8');
    expect(doc.split('\n')[0]).toBe(`# ${id}`);
    expect(doc).toContain(`| Title | ${meta.title} |`);
    expect(doc).toContain(`| Category | \`${meta.category}\` |`);
    expect(doc).toMatch(new RegExp(`\\| Default severity \\| \`${meta.severity}\``));
    expect(doc).toContain(`| Threat Matrix | ${meta.tags.join(', ')} |`);
    for (const section of ['## What it detects', '## Why it matters', '## How to fix', '## Examples']) expect(doc).toContain(section);
    expect(doc).toContain(meta.remediation);
  });

  // `kfscan explain` prints these examples: each must do what its label says when the check runs on it
  // alone (as a whole cluster, so that absence checks run too).
  it.each(builtinChecks.map((check) => [check.meta.id, check] as const))('%s has docs examples that fail and pass as labelled', (id, check) => {
    const page = parseDocsPage(readFileSync(path.join(ROOT, 'checks', id, 'README.md'), 'utf8'));
    expect(page.title).toBe(id);
    for (const heading of ['What it detects', 'Why it matters', 'How to fix']) {
      expect(page.sections.find((s) => s.heading === heading)?.body.length ?? 0, heading).toBeGreaterThan(40);
    }
    const labelled = page.examples.filter((example) => example.kind !== 'other');
    expect(labelled.some((example) => example.kind === 'fail'), 'a "Fails:" example').toBe(true);
    expect(labelled.some((example) => example.kind === 'pass'), 'a "Passes:" example').toBe(true);
    for (const example of labelled) {
      const inventory = scannedInventory(example.yaml, { file: `checks/${id}/README.md`, wholeCluster: true });
      const run = analyseInventory(inventory, { checks: [check] });
      expect(run.errors, `${example.label} example runs`).toEqual([]);
      if (example.kind === 'fail') expect(run.findings.length, `the "${example.label}" example of ${id} must give a finding`).toBeGreaterThan(0);
      else expect(run.findings, `the "${example.label}" example of ${id} must give no finding`).toEqual([]);
    }
  });

  it("keeps a check's fixtures in its folder: fixtures/ holds only inputs no single check owns", () => {
    const shared = readdirSync(FIXTURES_DIR, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
    expect(shared.sort(), `folders in ${FIXTURES_DIR}`).toEqual(['bad-input', 'demo', 'remediate', 'secret-markers']);
    expect(checkIdsWithFixtures().sort()).toEqual(builtinChecks.map((check) => check.meta.id).sort());
  });
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}
