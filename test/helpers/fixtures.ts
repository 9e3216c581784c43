import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { Severity } from '../../src/core/types.js';

/** Inputs that belong to no single check: the demo, hostile input, the remediation cluster. */
export const FIXTURES_DIR = path.resolve(import.meta.dirname, '../../fixtures');
/** The check folders: each check's fixtures are in checks/<id>/fixtures/. */
export const CHECKS_DIR = path.resolve(import.meta.dirname, '../../checks');

export interface ExpectedFinding {
  line: number;
  severity: Severity;
  message: string;
  file?: string;
  column?: number;
}

export interface FixtureCase {
  checkId: string;
  name: string;
  /** File or directory to scan. */
  path: string;
  kind: 'pass' | 'fail';
  expect: ExpectedFinding[];
  wholeCluster: boolean;
}

/**
 * A fixture states its expectations in its leading comment block, as YAML:
 *
 *   # wholeCluster: true
 *   # expect:
 *   #   - line: 12
 *   #     severity: high
 *   #     message: Service ...
 *
 * Directory fixtures keep that block in `.expect.yaml` (a dot-file, so the scan skips it).
 */
export function fixtureCases(checkId: string): FixtureCase[] {
  const dir = path.join(CHECKS_DIR, checkId, 'fixtures');
  return readdirSync(dir)
    .filter((name) => /^(pass|fail)-/.test(name))
    .sort()
    .map((name) => {
      const full = path.join(dir, name);
      const header = statSync(full).isDirectory()
        ? readFileSync(path.join(full, '.expect.yaml'), 'utf8')
        : leadingComments(readFileSync(full, 'utf8'));
      const parsed = (parse(header) ?? {}) as { expect?: ExpectedFinding[]; wholeCluster?: boolean };
      return {
        checkId,
        name,
        path: full,
        kind: name.startsWith('pass-') ? 'pass' : 'fail',
        expect: parsed.expect ?? [],
        wholeCluster: parsed.wholeCluster === true,
      };
    });
}

function leadingComments(text: string): string {
  const lines: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line.startsWith('#')) break;
    lines.push(line.replace(/^# ?/, ''));
  }
  // Prose lines before the first key are allowed: keep from the first YAML key on.
  const start = lines.findIndex((line) => /^(expect|wholeCluster):/.test(line));
  return start === -1 ? '' : lines.slice(start).join('\n');
}

/** The check folders that hold fixtures. */
export function checkIdsWithFixtures(): string[] {
  return readdirSync(CHECKS_DIR).filter((name) => existsSync(path.join(CHECKS_DIR, name, 'fixtures')));
}
